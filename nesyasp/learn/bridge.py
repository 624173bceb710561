"""The comparisons of a written learned program, as atoms derived from facts in the table's own units.

The file ``nesyasp learn -o`` writes (:func:`nesyasp.learn.plain.plain_rules`)
must give the learner's classes whoever runs it: plain clingo, ``nesyasp
query``, ``nesyasp learn --predict``, on facts written by ``--facts-out`` or
by hand. So the learned rules compare nothing themselves: each comparison of
a numeric column with a cut point becomes an atom of a *comparison
predicate* (``oldpeak(X,N1), N1>0.5`` becomes ``oldpeak_gt(X,"0.5")``), and
*bridge rules* derive those atoms from the column's facts, which hold

* a number in the table's units (``oldpeak(p1,2.3)``, ``blood_pressure(p1,145)``):
  plain clingo reads integers of 32 bits, nesyasp's reasoner also decimals
  (exact scaled integers, :mod:`nesyasp.reason.decimals`);
* a string (``oldpeak(p1,"?")``, a missing cell), which satisfies no comparison;
* ``code(C)``, the value's order code among the column's cut points
  (:func:`nesyasp.learn.asp.code_values`), exact for any magnitude: what
  ``--facts-out`` writes for a number that is not an integer of 32 bits.

Bridge rules for a cut point ``c`` (``op`` one of ``< <= = != >= >``)::

    p_op(X,c) :- p(X,code(C)), C op 2i+1.              % c is the cut point number i
    p_op(X,c) :- p(X,V), V op c.                        % c an integer of 32 bits (<, <=, =)
    p_gt(X,c) :- p_number(X,V), V > c.                  % (>, >=, !=)
    p_number(X,V) :- p(X,V), V <= 2147483647.          % V is a number: clingo orders strings,
                                                        % constants and code(C) after every integer

(``p_number`` is a predicate of its own: gringo loops forever on a rule that
bounds ``V`` by a constant near 2147483647 and by 2147483647 itself.)
A cut point that is not an integer (``0.5``; clingo reads no decimals) is
written with ``F = floor(c)``: a number at most ``F`` is below it, one at
least ``F+1`` above it, and one strictly between (only a decimal) is compared
exactly as ``V*10**k`` with the integer ``c*10**k``::

    p_gt(X,"0.5") :- p_number(X,V), V >= 1.
    p_gt(X,"0.5") :- p_number(X,V), V > 0, V*10 > 5.

(the second rule needs no upper bound: past ``F+1`` the first rule holds
anyway, whatever an overflowing ``V*10`` gives).
Where ``c*10**k`` does not fit clingo's integers, a value strictly between
``F`` and ``F+1`` is an integrity constraint's error instead (never a silent
class). A cut point past 32 bits has every 32-bit number on one side.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

import numpy as np

from nesyasp.lang.ast import (Atom, BinaryOperation, Comment, Comparison, Function, Integer, Literal, Pred, Program,
                              Rule, String, Term, Variable)
from nesyasp.lang.checks import DOMAIN_PREDICATE, INT_MAX, INT_MIN
from nesyasp.lang.domain import add_domain_guard
from nesyasp.learn.asp import _oriented
from nesyasp.learn.emit import number_term
from nesyasp.learn.encode import BACKGROUND, NUMERIC, Feature, is_unary

__all__ = ["CODE", "OP_NAMES", "Bridge", "cut_label", "cut_decimal", "MAX_DIGITS", "program_preds", "undecided"]

#: The function symbol of an order-code value: ``oldpeak(r7,code(2))``.
CODE = "code"
#: The suffix of each comparison predicate: ``oldpeak_gt``.
OP_NAMES = {"<=": "le", "<": "lt", ">": "gt", ">=": "ge", "=": "eq", "!=": "ne"}
#: The most decimals a cut point may have for the exact comparison ``V*10**k op c*10**k``.
MAX_DIGITS = 9
_WORDS = {"<=": "less than or equal to", "<": "less than", ">": "greater than", ">=": "greater than or equal to",
          "=": "equal to", "!=": "not equal to"}
_X, _V, _C = Variable("X"), Variable("V"), Variable("C")


def cut_decimal(value: float) -> Decimal:
    """A cut point as the decimal the learned program prints (the shortest that reads back as the double)."""
    return Decimal(str(number_term(value)))


def cut_label(value: float) -> Integer | String:
    """The term that names a cut point in a comparison atom: the integer, or the decimal as a string."""
    term = number_term(value)
    return term if isinstance(term, Integer) else String(str(term))


def _cmp(op: str, left: Term, right: Term) -> Literal:
    return Literal(Comparison(op, left, right))


class Bridge:
    """Comparison predicates of a learned program: names, rewritten rules, bridge rules, annotations.

    Parameters
    ----------
    features:
        The fitted features (every column's predicate is a name taken).
    cuts:
        Sorted cut points per numeric predicate (:func:`nesyasp.learn.asp.cut_points`).
    taken:
        Other predicate names of the program (head, ``abK``, ``ruleK``, background predicates).
    """

    def __init__(self, features: Sequence[Feature], cuts: Mapping[str, np.ndarray], taken: Iterable[str]):
        self.features = [f for f in features if f.kind != BACKGROUND]
        self.numeric = {f.pred: f for f in self.features if f.kind == NUMERIC}
        self.cuts = {p: np.asarray(c, dtype=np.float64) for p, c in cuts.items()}
        self.taken = set(taken) | {f.pred for f in features} | {DOMAIN_PREDICATE}
        self.names: dict[tuple[str, str], str] = {}
        self.used: set[tuple[str, str, float]] = set()
        self.shown: set[str] = set()  # columns with a unit whose cut points are named in its form (all distinct)
        for pred, f in self.numeric.items():
            forms = [f.unit.format(c) for c in self.cuts.get(pred, np.zeros(0)).tolist()] if f.unit else []
            if forms and len(set(forms)) == len(forms):
                self.shown.add(pred)

    def label(self, pred: str, value: float) -> Integer | String:
        """The term that names a cut point of ``pred`` in its comparison atoms: in the column's form for a
        column with a unit (``date_le(X,"2024-03-05")``), else :func:`cut_label`."""
        if pred in self.shown:
            return String(self.numeric[pred].unit.format(value))  # type: ignore[union-attr]
        return cut_label(value)

    def _cut_text(self, f: Feature, value: float) -> str:
        text = str(number_term(value))
        return f"{text} ({f.unit.format(value)})" if f.unit is not None else text

    def name(self, pred: str, op: str) -> str:
        """The predicate of ``pred`` and ``op`` (``oldpeak_gt``; ``oldpeak_number`` for ``op="number"``;
        ``_2``, ... when the name is taken)."""
        key = (pred, op)
        if key not in self.names:
            base = f"{pred}_{OP_NAMES.get(op, op)}"
            name, k = base, 1
            while name in self.taken:
                k += 1
                name = f"{base}_{k}"
            self.taken.add(name)
            self.names[key] = name
        return self.names[key]

    # ------------------------------------------------------------ rules
    def rewrite(self, rule: Rule) -> Rule:
        """``rule`` with its comparisons of numeric columns as comparison atoms, the domain atom where needed.

        ``p(X,N1), N1>t`` becomes ``p_gt(X,t)``; a value compared only under
        ``not`` keeps ``p(X,_)`` (the example has a value: ``not p_gt(X,t)``
        then holds for a string, as ``not N1>t`` does). A value used otherwise
        (in the head, joined with another atom) keeps its ``p(X,N1)``. A rule
        with an empty body (a catch-all alone) gets the domain atom too.
        """
        if rule.head is None or not rule.body:
            return add_domain_guard(rule) if rule.head is not None else rule
        bound, comparisons, blocked = _uses(rule, self.numeric)
        body: list = []
        for i, lit in enumerate(rule.body):
            if i in bound and bound[i] not in blocked:
                var = bound[i]
                if all(negated for j, (v, _, _, negated) in comparisons.items() if v == var):
                    atom = lit.atom
                    body.append(Literal(Atom(atom.predicate, (atom.arguments[0], Variable("_")), atom.loc)))
                continue
            if i not in comparisons:
                body.append(lit)
                continue
            var, op, value, negated = comparisons[i]
            binding = next(rule.body[j].atom for j, v in bound.items() if v == var)
            self.used.add((binding.predicate, op, value))
            atom = Atom(self.name(binding.predicate, op), (binding.arguments[0], self.label(binding.predicate, value)),
                        lit.loc)
            body.append(Literal(atom, negated, lit.loc))
        return add_domain_guard(Rule(rule.head, tuple(body), rule.loc))

    # ------------------------------------------------------------ bridge
    def bridge_statements(self) -> list[Rule | Comment | Pred]:
        """Per column compared: a comment, the annotations of its comparison atoms and codes, its bridge rules."""
        out: list[Rule | Comment | Pred] = []
        for f in self.features:
            mine = sorted((value, op) for pred, op, value in self.used if pred == f.pred)
            if not mine:
                continue
            cuts = self.cuts.get(f.pred, ())
            column = "" if f.name == f.pred else f" (column {json.dumps(f.name, ensure_ascii=False)})"
            unit = f", {f.unit.describe()}" if f.unit is not None else ""
            out.append(Comment(f" {f.pred}{column}{unit}: cut point{'s' if len(cuts) > 1 else ''} "
                               + ", ".join(self._cut_text(f, c) for c in cuts)))
            ops = sorted({op for _, op in mine}, key=list(OP_NAMES).index)
            out.extend(Pred(Atom(self.name(f.pred, op), (_X, Variable("T"))),
                            f"the {f.name} of @(X) is {_WORDS[op]} @(T)") for op in ops)
            out.extend(self._code_annotations(f))
            rules: list[Rule | Comment] = []
            for k, (value, op) in enumerate(mine):
                if k == 0 or mine[k - 1][0] != value:
                    rules.extend(_cut_comment(cut_decimal(value)))
                rules.extend(r for r in self.bridge_rules(f.pred, op, value) if r.head is not None or r not in rules)
            if (f.pred, "number") in self.names:
                number = Atom(self.names[f.pred, "number"], (_X, _V))
                out.append(Pred(number, f"the {f.name} of @(X) is the number @(V)"))
                rules.insert(0, Rule(number, (Literal(Atom(f.pred, (_X, _V))), _cmp("<=", _V, Integer(INT_MAX)))))
            out.extend(rules)
        return out

    def bridge_rules(self, pred: str, op: str, value: float) -> list[Rule | Comment]:
        """The rules that derive ``pred_op(X,value)`` from codes and from numbers (module docstring)."""
        cuts = self.cuts[pred]
        i = int(np.searchsorted(cuts, value))
        assert i < len(cuts) and cuts[i] == value, (pred, value)
        head = Atom(self.name(pred, op), (_X, self.label(pred, value)))
        coded = Rule(head, (Literal(Atom(pred, (_X, Function(CODE, (_C,))))), _cmp(op, _C, Integer(2 * i + 1))))
        return self._raw_rules(head, pred, op, cut_decimal(value)) + [coded]

    def _raw_rules(self, head: Atom, pred: str, op: str, c: Decimal) -> list[Rule | Comment]:
        """The rules that derive ``head`` (``pred op c``) from numbers in the table's units."""
        raw = Literal(Atom(pred, (_X, _V)))
        number = Literal(Atom(self.name(pred, "number"), (_X, _V)))  # true of V only when it is a number
        if c == c.to_integral_value() and INT_MIN <= c <= INT_MAX:
            return [Rule(head, (number if op in (">", ">=", "!=") else raw, _cmp(op, _V, Integer(int(c)))))]
        floor = math.floor(c)
        below_all, above_all = floor >= INT_MAX, floor + 1 <= INT_MIN
        if below_all or above_all:  # every 32-bit number is on one side of c
            holds = op in ("<", "<=", "!=") if below_all else op in (">", ">=", "!=")
            return [Rule(head, (number,))] if holds else []
        k = max(0, -int(c.as_tuple().exponent))
        exact = _exact(c)
        out: list[Rule | Comment] = []
        above, below = _cmp(">", _V, Integer(floor)), _cmp("<", _V, Integer(floor + 1))
        if op in ("<", "<=", "!="):
            out.append(Rule(head, (raw, _cmp("<=", _V, Integer(floor)))))
        if op in (">", ">=", "!="):
            out.append(Rule(head, (number, _cmp(">=", _V, Integer(floor + 1)))))
        if not exact:
            return out + [Rule(None, (raw, above, below))]
        # A number strictly between the integers around c: V*10**k against c*10**k. One bound suffices where
        # the rules above already hold for every number past it (an overflowing V*10**k changes nothing), and
        # keeps gringo from enumerating the interval between two constant bounds.
        window = {"<": (below,), "<=": (below,), ">": (above,), ">=": (above,), "=": (above, below), "!=": ()}[op]
        scaled = _cmp(op, BinaryOperation("*", _V, Integer(10 ** k)), Integer(int(c.scaleb(k))))
        # p_number, not p: clingo would evaluate V*10**k on code(C) and strings too (undefined: false, but an
        # "operation undefined" info line per fact on plain clingo's stderr)
        return out + [Rule(head, (number,) + window + (scaled,))]

    def domain_rules(self, preds: Iterable[str]) -> list[Rule]:
        """``_example(X) :- p(X,_).`` for each column predicate in ``preds``: a fact of any of them names an example."""
        out = []
        for f in self.features:
            if f.pred in preds:
                args = (_X,) if is_unary(f) else (_X, Variable("_"))
                out.append(Rule(Atom(DOMAIN_PREDICATE, (_X,)), (Literal(Atom(f.pred, args)),)))
        return out

    # ------------------------------------------------------------ annotations
    def _code_annotations(self, f: Feature) -> list[Pred]:
        cuts = [f.unit.format(c) if f.unit is not None else str(number_term(c)) for c in self.cuts.get(f.pred, ())]
        out = []
        for code in range(2 * len(cuts) + 1):
            i = code // 2
            if code % 2:
                where = f"is {cuts[i]}"
            elif i == 0:
                where = f"is less than {cuts[0]}"
            elif i == len(cuts):
                where = f"is greater than {cuts[-1]}"
            else:
                where = f"is between {cuts[i - 1]} and {cuts[i]}"
            atom = Atom(f.pred, (_X, Function(CODE, (Integer(code),))))
            out.append(Pred(atom, f"the {f.name} of @(X) {where} (order code {code})"))
        return out


def _exact(c: Decimal) -> bool:
    """Whether a cut point that is not an integer is compared exactly as ``V*10**k`` with ``c*10**k``."""
    k = max(0, -int(c.as_tuple().exponent))
    return k <= MAX_DIGITS and (abs(math.floor(c)) + 1) * 10 ** k <= INT_MAX


def undecided(value: Decimal, cuts: np.ndarray) -> bool:
    """Whether the written program cannot compare ``value`` (a decimal) with one of ``cuts``: it lies strictly
    between the integers around a cut point too precise for clingo's integers (its constraint fails)."""
    for cut in cuts.tolist():
        c = cut_decimal(cut)
        floor = math.floor(c)
        if c != c.to_integral_value() and INT_MIN < floor + 1 and floor < INT_MAX and not _exact(c) \
                and floor < value < floor + 1:
            return True
    return False


def _cut_comment(c: Decimal) -> list[Comment]:
    """What the raw rules of a cut point that is not a 32-bit integer do, in words (nothing for one that is)."""
    if c == c.to_integral_value() and INT_MIN <= c <= INT_MAX:
        return []
    floor = math.floor(c)
    if floor >= INT_MAX or floor + 1 <= INT_MIN:
        return [Comment(f" every 32-bit number is {'below' if floor >= INT_MAX else 'above'} {c}")]
    k = max(0, -int(c.as_tuple().exponent))
    if _exact(c):
        how = f"compared as V*{10 ** k} with {int(c.scaleb(k))}"
    else:
        how = "which clingo's integers cannot compare with it: an error (the constraint; --predict can)"
    return [Comment(f" {c} is not an integer: a number is at most {floor}, at least {floor + 1}, or strictly "
                    f"between them (a decimal), {how}")]


def _uses(rule: Rule, numeric: Mapping[str, Feature]) -> tuple[dict[int, str], dict[int, tuple], set[str]]:
    """Of a rule's body: the variable each numeric binding ``p(X,V)`` binds (by index), each comparison
    ``V op number`` as ``(V, op, number, negated)`` (by index), and the bound variables used otherwise."""
    bound: dict[int, str] = {}
    for i, lit in enumerate(rule.body):
        if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated \
                and lit.atom.predicate in numeric and len(lit.atom.arguments) == 2 \
                and isinstance(lit.atom.arguments[1], Variable) and lit.atom.arguments[1].name != "_":
            bound[i] = lit.atom.arguments[1].name
    names = set(bound.values())
    others = {v for v in names if list(bound.values()).count(v) > 1}
    if isinstance(rule.head, Atom):
        others.update(rule.head.variables())
    comparisons: dict[int, tuple] = {}
    for i, lit in enumerate(rule.body):
        if not isinstance(lit, Literal):
            continue
        if i in bound:
            others.update(str(v) for v in lit.atom.arguments[:1] if isinstance(v, Variable))
            continue
        oriented = _oriented(lit.atom) if isinstance(lit.atom, Comparison) else None
        if oriented is not None and oriented[0] in names:
            comparisons[i] = (oriented[0], oriented[1], oriented[2], lit.negated)
        else:
            others.update(lit.variables())
    return bound, comparisons, others & names


def program_preds(program: Program) -> set[str]:
    """Every predicate name of a program's rules."""
    out = set()
    for rule in program.rules:
        if isinstance(rule.head, Atom):
            out.add(rule.head.predicate)
        out.update(l.atom.predicate for l in rule.body if isinstance(l, Literal) and isinstance(l.atom, Atom))
    return out

