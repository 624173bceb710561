"""Evaluating rule bodies against a model: matching heads, binding bodies, finding what fails.

The justifier and the query evaluator share these. A body is a sequence of
*items* ``(index, literal)``: ``index`` is the literal's position in the rule
body, or -1 for an equation that a head with arithmetic adds (``succ(X+1)``
matched against ``succ(5)`` adds ``X+1 = 5``, which binds ``X = 4``).

The next item to look at is a ground literal (leftmost first, so failing
literals read in the rule's order), then a head equation that can bind its
variable, then the positive atom with the fewest matches in the model (the
join order), then an assignment whose other side is known, as gringo binds
them. Bindings map variable names to clingo symbols.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import clingo

from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Function, Literal, Rule, Term, UnaryOperation,
                              Variable)
from nesyasp.reason.model import Model
from nesyasp.reason.terms import evaluate_comparison, ground_atom, ground_term, match_term, symbol_term

__all__ = ["Binding", "Item", "Failure", "Evaluator", "head_items", "rule_items", "is_ground", "assign", "HEAD"]

Binding = dict[str, clingo.Symbol]
Item = tuple[int, Literal]
HEAD = -1


@dataclass(frozen=True, slots=True)
class Failure:
    """One way a rule body fails: the item that fails under ``binding``.

    ``kind`` is ``"literal"`` (a ground literal is false), ``"pattern"`` (a
    positive atom with free variables is false for every value but those that
    match in the model, which go on) or ``"undefined"``
    (an assignment whose sides cannot be computed). ``holding`` lists the body
    indices that held before it, in the order they were looked at.
    """

    index: int
    literal: Literal
    binding: Binding
    kind: str
    holding: tuple[int, ...]


def is_ground(lit: Literal, binding: Binding) -> bool:
    """True when every variable of ``lit`` is bound (``_`` under ``not`` never needs to be)."""
    skip_anonymous = lit.negated and isinstance(lit.atom, Atom)
    return all(v in binding or (skip_anonymous and v == "_") for v in lit.variables())


def assign(cmp: Comparison, binding: Binding, *, head: bool = False) -> Binding | None:
    """Bind the variables of one side of ``left = right`` when the other side is ground, as gringo does.

    The unbound side is a variable, a term that unifies (``f(Y)``) or a
    linear term in one variable (``Y+1``); None when it cannot be bound or
    no value makes the two sides equal. ``head``: a head equation (see
    :func:`nesyasp.reason.terms.invert`).
    """
    for side, other in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
        if ground_term(side, binding) is not None:
            continue
        value = ground_term(other, binding)
        if value is None:
            continue
        extended = dict(binding)
        if match_term(side, value, extended, head=head):
            return extended
        return None
    return None


def _solvable(cmp: Comparison, binding: Binding) -> bool:
    return ground_term(cmp.left, binding) is not None or ground_term(cmp.right, binding) is not None


def _invertible(cmp: Comparison, binding: Binding) -> bool:
    """True when a head equation ``term = value`` can bind now: ``term`` has one unbound variable left
    and a value for it (``p(X+Y)`` matched against ``p(3)`` waits until the body binds ``X`` or ``Y``)."""
    return _solvable(cmp, binding) and sum(1 for v in set(_variables(cmp.left)) if v not in binding) <= 1 \
        and assign(cmp, binding, head=True) is not None  # X*Y = 0 with X = 0 binds no Y: the body binds it


def _is_arithmetic(term: Term) -> bool:
    return type(term) in (BinaryOperation, UnaryOperation)


def head_items(head: Atom, args: Sequence[clingo.Symbol | None], binding: Binding) -> list[Item] | None:
    """Match a rule head against arguments (None: any value), extending ``binding`` in place.

    Returns the head equations left over (arithmetic that no single value of
    its variable inverts: ``p(X+Y)``, ``p(X/2)``, ``p(X**2)``, ``p(2*X)`` as
    products wrap), or None when the head cannot match.
    """
    extra: list[Item] = []
    for term, value in zip(head.arguments, args):
        if value is None:
            continue
        trial = dict(binding)
        if match_term(term, value, trial, head=True):
            binding.update(trial)
            continue
        if not _could_match(term, value, binding):
            return None
        extra.append((HEAD, Literal(Comparison("=", term, symbol_term(value)))))
    return extra


def _could_match(term: Term, value: clingo.Symbol, binding: Binding) -> bool:
    """True when ``term`` has the shape of ``value`` up to arithmetic with unbound variables, which the
    body decides (``f(X/2)`` could be ``f(3)``, never ``g(3)`` or ``f(a)``)."""
    if type(term) is Function:
        return value.type == clingo.SymbolType.Function and value.name == term.name \
            and len(value.arguments) == len(term.arguments) \
            and all(_could_match(t, v, binding) for t, v in zip(term.arguments, value.arguments))
    ground = ground_term(term, binding)
    if ground is not None or type(term) is Variable:
        return ground is None or ground == value
    return value.type == clingo.SymbolType.Number if _is_arithmetic(term) else False


def _variables(term: Term) -> Iterator[str]:
    if type(term) is Variable:
        yield term.name
    elif type(term) is Function:
        for a in term.arguments:
            yield from _variables(a)
    elif type(term) is BinaryOperation:
        yield from _variables(term.left)
        yield from _variables(term.right)
    elif type(term) is UnaryOperation:
        yield from _variables(term.argument)


class Evaluator:
    """Bodies against one model (atoms as the model holds them: decimals scaled)."""

    def __init__(self, model: Model):
        self.model = model

    # ------------------------------------------------------------ atoms
    def matches(self, atom: Atom, binding: Binding) -> Iterator[tuple[Binding, clingo.Symbol]]:
        """Every extension of ``binding`` under which ``atom`` is true, with the true atom."""
        for candidate in self.model.lookup(atom.predicate, len(atom.arguments), self._bound(atom, binding)):
            extended = dict(binding)
            if _match(atom, candidate, extended):
                yield extended, candidate

    @staticmethod
    def _bound(atom: Atom, binding: Binding) -> tuple[tuple[int, clingo.Symbol], ...]:
        out = []
        for i, arg in enumerate(atom.arguments):
            if type(arg) is Variable:
                value = binding.get(arg.name)
            elif _is_arithmetic(arg) or type(arg) is Function:
                value = ground_term(arg, binding) if all(v in binding for v in _variables(arg)) else None
            else:
                value = ground_term(arg, binding)
            if value is not None:
                out.append((i, value))
        return tuple(out)

    def count(self, atom: Atom, binding: Binding) -> int:
        """How many true atoms the lookup for ``atom`` under ``binding`` goes through."""
        return self.model.estimate(atom.predicate, len(atom.arguments), self._bound(atom, binding))

    def holds(self, lit: Literal, binding: Binding) -> bool:
        """Truth of a ground literal (``_`` allowed under ``not``); an undefined comparison is false."""
        if isinstance(lit.atom, Comparison):
            value = evaluate_comparison(lit.atom, binding)
            return value is not None and value != lit.negated
        ground = ground_atom(lit.atom, binding)
        if ground is not None:
            return self.model.holds(ground) != lit.negated
        if _undefined_atom(lit, binding):
            return False  # neither v(a+1) nor not v(a+1): the instance does not exist
        exists = next(self.matches(lit.atom, binding), None) is not None
        return exists != lit.negated

    def witness(self, atom: Atom, binding: Binding) -> clingo.Symbol:
        """A true atom matching ``atom`` (its ``_`` free): why ``not atom`` fails."""
        return next(self.matches(atom, binding))[1]

    # ------------------------------------------------------------ order
    def pick(self, items: Sequence[Item], binding: Binding) -> int:
        """The position in ``items`` of the item to look at next (see the module's docstring)."""
        for k, (_, lit) in enumerate(items):
            if is_ground(lit, binding):
                return k
        for k, (index, lit) in enumerate(items):
            if index == HEAD and _invertible(lit.atom, binding):  # type: ignore[arg-type]
                return k
        best, best_count = -1, -1
        for k, (_, lit) in enumerate(items):
            if not lit.negated and isinstance(lit.atom, Atom):
                n = self.count(lit.atom, binding)
                if best < 0 or n < best_count:
                    best, best_count = k, n
                    if n == 0:
                        break
        if best >= 0:
            return best
        assignments = [k for k, (_, lit) in enumerate(items)
                       if isinstance(lit.atom, Comparison) and lit.atom.operator == "=" and not lit.negated]
        for k in assignments:
            if _solvable(items[k][1].atom, binding):  # type: ignore[arg-type]
                return k
        return assignments[0] if assignments else 0

    # ------------------------------------------------------------ bindings
    def _step(self, items: Sequence[Item], binding: Binding) -> tuple[int, Literal, list[Item], str, Binding | None]:
        """The next item and what to do with it: ``"assign"`` (an assignment; the new binding, or None when it
        cannot be computed), ``"test"`` (a ground literal, ``_`` under not, or a comparison) or ``"enumerate"``
        (a positive atom with free variables)."""
        k = self.pick(items, binding)
        index, lit = items[k]
        rest = list(items[:k]) + list(items[k + 1:])
        if isinstance(lit.atom, Comparison) and not is_ground(lit, binding):
            assigned = assign(lit.atom, binding, head=index == HEAD) \
                if not lit.negated and lit.atom.operator == "=" else None
            return index, lit, rest, "assign", assigned
        if lit.negated or isinstance(lit.atom, Comparison) or is_ground(lit, binding):
            return index, lit, rest, "test", None
        return index, lit, rest, "enumerate", None

    def bindings(self, items: Sequence[Item], binding: Binding,
                 allow: Callable[[clingo.Symbol], bool] | None = None) -> Iterator[Binding]:
        """Every binding under which all items hold (``allow`` filters the positive atoms used)."""
        if not items:
            yield binding
            return
        index, lit, rest, what, assigned = self._step(items, binding)
        if what == "assign":
            if assigned is not None:
                yield from self.bindings(rest, assigned, allow)
        elif what == "test":
            if not self.holds(lit, binding):
                return
            if allow is not None and not lit.negated and isinstance(lit.atom, Atom) \
                    and not allow(ground_atom(lit.atom, binding)):
                return
            yield from self.bindings(rest, binding, allow)
        else:
            for extended, atom in self.matches(lit.atom, binding):  # type: ignore[arg-type]
                if allow is None or allow(atom):
                    yield from self.bindings(rest, extended, allow)

    def first(self, items: Sequence[Item], binding: Binding,
              allow: Callable[[clingo.Symbol], bool] | None = None) -> Binding | None:
        """One binding under which all items hold, or None."""
        return next(self.bindings(items, binding, allow), None)

    def failures(self, items: Sequence[Item], binding: Binding, done: Callable[[Binding], None],
                 holding: tuple[int, ...] = ()) -> Iterator[Failure]:
        """For every binding of ``items``, the first item that fails (head equations that fail are skipped:
        that binding is not an instance of the head). ``done`` is called with a binding under which every
        item holds (the caller decides whether that is a contradiction)."""
        if not items:
            done(binding)
            return
        index, lit, rest, what, assigned = self._step(items, binding)
        if what == "assign":
            if assigned is not None:
                yield from self.failures(rest, assigned, done, _add(holding, index))
            elif index != HEAD:  # g = f(_) does not match; Y = 7/0 and Y = a+1 are undefined
                defined = any(ground_term(t, binding) is not None for t in (lit.atom.left, lit.atom.right))
                yield Failure(index, lit, binding, "literal" if defined else "undefined", holding)
        elif what == "test":
            if _undefined_atom(lit, binding):
                return  # v(a+1), not v(a+1): undefined arithmetic in an atom; clingo grounds no such instance
            if self.holds(lit, binding):
                yield from self.failures(rest, binding, done, _add(holding, index))
            elif index != HEAD:  # 0=7\0 fails as undefined, not as a false equation
                undefined = isinstance(lit.atom, Comparison) and evaluate_comparison(lit.atom, binding) is None
                yield Failure(index, lit, binding, "undefined" if undefined else "literal", holding)
        else:
            # the values that match go on; every other value fails here: one "pattern" failure stands for
            # them all (its refutation lists the matching atoms as exceptions)
            for extended, _ in self.matches(lit.atom, binding):  # type: ignore[arg-type]
                yield from self.failures(rest, extended, done, _add(holding, index))
            yield Failure(index, lit, binding, "pattern", holding)


def _undefined_atom(lit: Literal, binding: Binding) -> bool:
    """True for an atom whose variables are all bound but whose arithmetic is undefined (``v(a+1)``)."""
    return type(lit.atom) is Atom and "_" not in set(lit.variables()) and all(
        v in binding for v in lit.variables()) and ground_atom(lit.atom, binding) is None


def _add(holding: tuple[int, ...], index: int) -> tuple[int, ...]:
    return holding if index == HEAD else holding + (index,)


def _match(atom: Atom, symbol: clingo.Symbol, binding: Binding) -> bool:
    if symbol.name != atom.predicate or len(symbol.arguments) != len(atom.arguments):
        return False
    return all(match_term(t, s, binding) for t, s in zip(atom.arguments, symbol.arguments))


def rule_items(rule: Rule) -> list[Item]:
    """The body of ``rule`` as items."""
    return [(i, lit) for i, lit in enumerate(rule.body) if isinstance(lit, Literal)]

