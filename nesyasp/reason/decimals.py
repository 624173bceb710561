"""Decimals as exact scaled integers: what clingo grounds, and how values read back.

clingo has no floats. Every *argument position* ``(predicate, arity, index)``
that can hold a decimal gets an exponent ``k``, and every number stored there
is stored as the integer ``value * 10**k``: ``oldpeak(p1,1.2)`` becomes
``oldpeak(p1,12)`` when ``oldpeak/2``'s second argument has ``k = 1``
(``oldpeak(p2,2)`` becomes ``oldpeak(p2,20)``). Positions that one rule
variable connects (``q(X,N) :- oldpeak(X,N).``) share one exponent, the
largest number of decimals any of them holds (program facts, rules, and the
facts given to the reasoner). Then:

* an atom argument at exponent ``k`` is multiplied by ``10**(k-e)``, ``e`` the
  exponent of the term (a variable has its positions' exponent, ``1.25`` has 2,
  ``+``/``-`` align both sides, ``*`` adds them);
* a comparison aligns both sides to the larger exponent: ``N > 30.25`` with an
  integer ``N`` is ground as ``N*100 > 3025``, with ``N`` at exponent 1 as
  ``N*10 > 3025``: exactly the comparison of the decimal values;
* a value that is not a number (a FOLD ``'?'``) is kept as it is; a comparison
  with a decimal on it is then undefined (the rule instance does not exist).

How a rule's terms are rewritten at the chosen exponents is in
:mod:`nesyasp.reason.scaling`. Numbers read back are divided again (:meth:`Encoding.decode_atom`): answers and
justifications show ``1.2``, never ``12``. What cannot be encoded exactly
(a decimal inside a compound term, a division or power of decimals) is
rejected by ``nesyasp check`` (:func:`nesyasp.lang.checks.decimal_problems`)
with the message that the reasoner gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

import clingo

from nesyasp.errors import ReasoningError
from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Function, Integer, Literal, Real, Rule, Term,
                              UnaryOperation, Variable)
from nesyasp.lang.checks import decimal_problems
from nesyasp.reason.scaling import Position, real_places, scale_rule
from nesyasp.reason.terms import INT_MAX, NUMBER, decimal_symbol, symbol_decimal

__all__ = ["Encoding", "Position", "MAX_EXPONENT", "real_places", "violation_head", "VIOLATED"]

MAX_EXPONENT = 9
#: The predicate of the atoms that report a violated integrity constraint (see :func:`violation_head`).
VIOLATED = "_violated"


def _plain_real(term: Term) -> Decimal | None:
    if type(term) is Real:
        return term.value
    if type(term) is UnaryOperation and type(term.argument) is Real:
        return -term.argument.value
    return None


class _Classes:
    """Union-find over argument positions and rule variables, with an exponent per class."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}
        self.exponent: dict[object, int] = {}

    def find(self, node: object) -> object:
        parent = self.parent.setdefault(node, node)
        if parent is node or parent == node:
            return node
        root = self.find(parent)
        self.parent[node] = root
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            self.exponent[rb] = max(self.exponent.get(ra, 0), self.exponent.get(rb, 0))

    def get(self, node: object) -> int:
        return self.exponent.get(self.find(node), 0)

    def raise_to(self, node: object, k: int) -> bool:
        root = self.find(node)
        if k > self.exponent.get(root, 0):
            if k > MAX_EXPONENT:
                raise ReasoningError(f"a value needs more than {MAX_EXPONENT} decimals; clingo's 32-bit integers "
                                     "cannot hold it exactly")
            self.exponent[root] = k
            return True
        return False


def _atoms(rule: Rule) -> list[Atom]:
    out = [rule.head] if isinstance(rule.head, Atom) else []
    out.extend(lit.atom for lit in rule.body if isinstance(lit, Literal) and isinstance(lit.atom, Atom))
    return out


def _positive_variables(rule: Rule) -> set[str]:
    return {a.name for lit in rule.body if isinstance(lit, Literal) and not lit.negated
            and isinstance(lit.atom, Atom) for a in lit.atom.arguments if type(a) is Variable}


@dataclass(frozen=True)
class Encoding:
    """The scaled clingo form of a program's rules and how to move values in and out of it.

    Attributes
    ----------
    rules:
        The clingo form of each rule of the translation (same order, decimals scaled).
    exponents:
        The exponent of every position that holds decimals (positions not listed have 0).
    variables:
        Per rule, the exponent of each variable that has one.
    max_scale:
        The largest factor a variable is multiplied by in a comparison (1 without decimals);
        integer facts past ``2**31 / max_scale`` are rejected.
    """

    rules: tuple[Rule, ...]
    exponents: dict[Position, int] = field(default_factory=dict)
    variables: tuple[dict[str, int], ...] = ()
    max_scale: int = 1

    # ------------------------------------------------------------ building
    @classmethod
    def build(cls, rules: Iterable[Rule], facts: Iterable[Rule] = (),
              data: Mapping[Position, int] | None = None) -> Encoding:
        """The encoding of ``rules`` given the program's ground ``facts`` and the decimals of the given facts.

        Raises
        ------
        ReasoningError
            For what has no exact encoding (see :func:`nesyasp.lang.checks.decimal_problems`).
        """
        rules = tuple(rules)
        for rule in rules:
            for message, location in decimal_problems(rule):
                raise ReasoningError(message, location)
        classes = _Classes()
        for r, rule in enumerate(rules):
            for atom in _atoms(rule):
                for i, arg in enumerate(atom.arguments):
                    position = (atom.predicate, len(atom.arguments), i)
                    classes.find(position)
                    if type(arg) is Variable and arg.name != "_":
                        classes.union(("v", r, arg.name), position)
            for lit in rule.body:
                cmp = lit.atom if isinstance(lit, Literal) else None
                if isinstance(cmp, Comparison) and cmp.operator == "=" and type(cmp.left) is Variable \
                        and type(cmp.right) is Variable:
                    classes.union(("v", r, cmp.left.name), ("v", r, cmp.right.name))
        for rule in list(facts) + list(rules):
            for atom in _atoms(rule):
                for i, arg in enumerate(atom.arguments):
                    value = _plain_real(arg)
                    if value is not None:
                        classes.raise_to((atom.predicate, len(atom.arguments), i), real_places(value))
        for position, k in (data or {}).items():
            classes.raise_to(position, k)
        _fixpoint(rules, classes)
        return cls._assemble(rules, classes)

    @classmethod
    def _assemble(cls, rules: tuple[Rule, ...], classes: _Classes) -> Encoding:
        exponents = {node: classes.get(node) for node in list(classes.parent)  # positions, not ("v", r, name)
                     if isinstance(node, tuple) and len(node) == 3 and type(node[2]) is int and classes.get(node)}
        variables = tuple({name: classes.get(("v", r, name)) for name in _rule_variables(rule)
                           if classes.get(("v", r, name))} for r, rule in enumerate(rules))
        top = [1]
        scaled = tuple(scale_rule(rule, exponents, variables[r], top) for r, rule in enumerate(rules))
        return cls(scaled, exponents, variables, top[0])

    # ------------------------------------------------------------ values
    @property
    def trivial(self) -> bool:
        """True when no position holds decimals (atoms are the same in and out)."""
        return not self.exponents

    def encode_atom(self, atom: clingo.Symbol) -> clingo.Symbol:
        """A shown atom (``oldpeak(p1,1.2)``) as clingo holds it (``oldpeak(p1,12)``).

        Raises
        ------
        ReasoningError
            When a value has more decimals than its position or overflows 32 bits once scaled.
        """
        if not self.exponents or not atom.arguments:
            return atom
        arity, args, changed = len(atom.arguments), list(atom.arguments), False
        for i, arg in enumerate(args):
            k = self.exponents.get((atom.name, arity, i), 0)
            value = Decimal(arg.number) if arg.type == NUMBER else symbol_decimal(arg)
            if value is None:
                continue
            scaled = value.scaleb(k)
            if scaled != scaled.to_integral_value():
                raise ReasoningError(f"{atom}: {value} has more decimals than {atom.name}/{arity} holds")
            if abs(scaled) > INT_MAX:
                raise ReasoningError(f"{atom}: {value} scaled by 10**{k} for exact decimals does not fit "
                                     "clingo's 32-bit integers; use smaller units")
            if k or arg.type != NUMBER:
                args[i], changed = clingo.Number(int(scaled)), True
        return clingo.Function(atom.name, args) if changed else atom

    def decode_atom(self, atom: clingo.Symbol) -> clingo.Symbol:
        """An atom as clingo holds it, shown with its decimals (the inverse of :meth:`encode_atom`)."""
        if not self.exponents or not atom.arguments:
            return atom
        arity, args, changed = len(atom.arguments), list(atom.arguments), False
        for i, arg in enumerate(args):
            k = self.exponents.get((atom.name, arity, i), 0)
            if k and arg.type == NUMBER:
                args[i], changed = decimal_symbol(Decimal(arg.number).scaleb(-k)), True
        return clingo.Function(atom.name, args) if changed else atom

    def decode_binding(self, rule_index: int, binding: Mapping[str, clingo.Symbol]) -> dict[str, clingo.Symbol]:
        """A rule's variable binding with decimals shown."""
        exps = self.variables[rule_index] if rule_index < len(self.variables) else {}
        if not exps:
            return dict(binding)
        return {name: decimal_symbol(Decimal(v.number).scaleb(-exps[name]))
                if exps.get(name) and v.type == NUMBER else v for name, v in binding.items()}

    def encode_literals(self, literals: tuple[Literal, ...]) -> tuple[tuple[Literal, ...], dict[str, int]]:
        """A query's literals in clingo form, with the exponent of each variable (from its positions)."""
        if not self.exponents and not any(_reals_in(lit) for lit in literals):
            return literals, {}
        exps: dict[str, int] = {}
        for lit in literals:
            if isinstance(lit.atom, Atom):
                for i, arg in enumerate(lit.atom.arguments):
                    k = self.exponents.get((lit.atom.predicate, len(lit.atom.arguments), i), 0)
                    if type(arg) is Variable and k:
                        exps[arg.name] = max(exps.get(arg.name, 0), k)
        rule = scale_rule(Rule(None, literals), self.exponents, exps, [1])
        return tuple(rule.body), exps  # type: ignore[arg-type]


def _term_has_real(term: Term) -> bool:
    kind = type(term)
    if kind is Real:
        return True
    if kind is UnaryOperation:
        return _term_has_real(term.argument)
    if kind is BinaryOperation:
        return _term_has_real(term.left) or _term_has_real(term.right)
    if kind is Function:
        return any(_term_has_real(a) for a in term.arguments)
    return False


def _reals_in(lit: Literal) -> bool:
    terms = lit.atom.arguments if isinstance(lit.atom, Atom) else (lit.atom.left, lit.atom.right)
    return any(_term_has_real(t) for t in terms)


def _rule_variables(rule: Rule) -> set[str]:
    names = set()
    for atom in _atoms(rule):
        names.update(atom.variables())
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Comparison):
            names.update(lit.atom.variables())
    return names


def _fixpoint(rules: tuple[Rule, ...], classes: _Classes) -> None:
    """Raise exponents until every arithmetic term fits its position and every assigned variable its value."""
    for _ in range(4 * MAX_EXPONENT + 4):
        changed = False
        for r, rule in enumerate(rules):
            def exp(term: Term) -> int:
                return _exponent(term, lambda name: classes.get(("v", r, name)))
            for atom in _atoms(rule):
                for i, arg in enumerate(atom.arguments):
                    if type(arg) in (BinaryOperation, UnaryOperation) and _plain_real(arg) is None:
                        changed |= classes.raise_to((atom.predicate, len(atom.arguments), i), exp(arg))
            bound = _positive_variables(rule)
            for lit in rule.body:
                cmp = lit.atom if isinstance(lit, Literal) else None
                if not isinstance(cmp, Comparison) or cmp.operator != "=" or lit.negated:
                    continue
                for side, other in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
                    if type(side) is Variable and side.name not in bound:
                        changed |= classes.raise_to(("v", r, side.name), exp(other))
        if not changed:
            return
    raise ReasoningError("the decimals of the program do not settle on a scale (a value grows through recursion); "
                         f"clingo's 32-bit integers cannot hold more than {MAX_EXPONENT} decimals")


def _exponent(term: Term, variable: object) -> int:
    kind = type(term)
    if kind is Variable:
        return variable(term.name) if term.name != "_" else 0  # type: ignore[operator]
    if kind is Real:
        return real_places(term.value)
    if kind is UnaryOperation:
        return _exponent(term.argument, variable)
    if kind is BinaryOperation:
        left, right = _exponent(term.left, variable), _exponent(term.right, variable)
        if term.operator in ("+", "-"):
            return max(left, right)
        if term.operator == "*":
            return left + right
        if left or right:
            raise ReasoningError(f"'{term.operator}' on decimals in {term}: clingo's integers cannot compute it "
                                 "exactly; compute the value in Python and pass it as a fact", term.loc)
    return 0


def violation_head(index: int, rule: Rule) -> Atom:
    """The head that reports the violation of constraint number ``index``: ``_violated(index,v(X,Y))``.

    clingo then computes the model of the rest of the program, and the reasoner
    names the violated constraint and its ground atoms instead of a bare "no model".
    """
    names = sorted({v for lit in rule.body if isinstance(lit, Literal) and not lit.negated
                    for v in lit.variables() if v != "_"})
    args: tuple[Term, ...] = (Integer(index),)
    if names:
        args += (Function("v", tuple(Variable(n) for n in names)),)
    return Atom(VIOLATED, args, rule.loc)
