"""Refutations that would never end, cut at the first value that leaves the model's integers.

``nat(0). nat(X+1) :- nat(X), X < 5.`` makes ``nat(-1)`` false because
``nat(-2)`` is, because ``nat(-3)`` is, and so on down to clingo's smallest
integer: a tree of two billion nodes. Each step is a positive body atom of the
rule's own recursive component whose integers lie further outside the range of
the integers in the model than the atom being refuted. There the justifier
refutes the body atom as a *pattern* (``nat(X)``: no instance holds but those in
the model, its exceptions), which covers the whole descent in one node, and whose
own refutation ends with a loop. Steps that come closer to the range from near it
(``nat(7)`` because ``nat(6)`` is false) stay ground: at most `NEAR` of them.
"""

from __future__ import annotations

from typing import Iterable

import clingo
import networkx as nx

from nesyasp.lang.ast import Atom, Literal, Rule
from nesyasp.reason.model import Model
from nesyasp.reason.terms import ground_term

__all__ = ["integer_range", "distance", "diverging", "recursive_components", "NEAR"]

#: How far outside the model's integers a descent may come back step by step (``nat(7)`` because ``nat(6)``);
#: from further out (``nat(2147483647)``: two billion steps back) the body atom is a pattern at once.
NEAR = 8

_NUMBER = clingo.SymbolType.Number


def integer_range(model: Model) -> tuple[int, int]:
    """The smallest and the largest integer argument of the model's atoms ((0, 0) when there is none)."""
    numbers = [a.number for atom in model.atoms() for a in atom.arguments if a.type == _NUMBER]
    return (min(numbers), max(numbers)) if numbers else (0, 0)


def distance(values: Iterable[clingo.Symbol | None], bounds: tuple[int, int]) -> int:
    """How far the integers among ``values`` lie outside ``bounds``, summed."""
    low, high = bounds
    return sum(max(0, low - v.number, v.number - high) for v in values if v is not None and v.type == _NUMBER)


def diverging(atom: Atom, binding: dict[str, clingo.Symbol], parent: Iterable[clingo.Symbol | None],
              bounds: tuple[int, int]) -> dict[str, clingo.Symbol] | None:
    """The binding without the variables of ``atom`` whose integers lie outside ``bounds``, when the atom's
    integers lie further outside than those of ``parent`` (the atom being refuted), or more than `NEAR`
    outside; None otherwise."""
    values = [ground_term(term, binding) for term in atom.arguments]
    far = distance(values, bounds)
    if far == 0 or far <= min(distance(parent, bounds), NEAR):
        return None
    low, high = bounds
    own = set(atom.variables())
    outside = {name for name, value in binding.items()
               if name in own and value.type == _NUMBER and not low <= value.number <= high}
    if not outside:
        return None
    return {name: value for name, value in binding.items() if name not in outside}


def recursive_components(rules: tuple[Rule, ...]) -> dict[str, int]:
    """Predicate -> component id, for predicates on a cycle of positive dependencies."""
    graph = nx.DiGraph()
    for rule in rules:
        if not isinstance(rule.head, Atom):
            continue
        for lit in rule.body:
            if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated:
                graph.add_edge(lit.atom.predicate, rule.head.predicate)
    out: dict[str, int] = {}
    for k, component in enumerate(nx.strongly_connected_components(graph)):
        if len(component) > 1 or any(graph.has_edge(p, p) for p in component):
            out.update(dict.fromkeys(component, k))
    return out
