"""Violated integrity constraints: which constraint, by which ground atoms, where.

A stratified program has at most one model; an integrity constraint
``:- body.`` only removes it. The translation turns each constraint into a
rule ``_violated(k,v(X,...)) :- body.``, so clingo computes the model of the
rest of the program and lists every instance whose body holds. The reasoner
then refuses to answer, naming the first violated constraint with its
file:line:col and the ground literals that hold, and :meth:`Reasoner.violations`
explains each of them (why every body literal holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import clingo

from nesyasp.errors import Location, ReasoningError
from nesyasp.lang.ast import Literal, Rule
from nesyasp.reason.justify import Justifier
from nesyasp.reason.node import Node
from nesyasp.reason.search import rule_items
from nesyasp.reason.texts import instance_text, literal_text, rule_text

__all__ = ["Violation", "violations_of", "violation_error"]


@dataclass(frozen=True)
class Violation:
    """One violated instance of an integrity constraint.

    Attributes
    ----------
    constraint:
        The constraint as written (``:- p(X), not q(X).``).
    location:
        Its source location.
    instance:
        The violated ground instance (``:- p(a), not q(a).``).
    literals:
        Its body literals, ground, each of which holds.
    justification:
        A ``conjunction`` node whose children justify each body literal.
    """

    constraint: Rule
    location: Location
    instance: str
    literals: tuple[str, ...]
    justification: Node


def violations_of(justifier: Justifier, violated: Sequence[clingo.Symbol], limit: int = 20) -> list[Violation]:
    """The violations that the ``_violated`` atoms clingo derived stand for (the first ``limit``)."""
    from nesyasp.reason.unfold import Document

    document = Document(justifier)
    out = []
    for atom in sorted(violated)[:limit]:
        index = atom.arguments[0].number
        shown, scaled, _ = justifier.source(index)
        names = sorted({v for lit in scaled.body if isinstance(lit, Literal) and not lit.negated
                        for v in lit.variables() if v != "_"})
        values = atom.arguments[1].arguments if len(atom.arguments) > 1 else ()
        binding = dict(zip(names, values))
        found = justifier.evaluator.first(rule_items(scaled), binding)
        if found is None:
            raise ReasoningError(f"clingo reports {shown} violated for {binding}, but its body does not hold "
                                 "(was the model computed from the same program and facts?)")
        values = document.shown_binding(index, found)
        text = instance_text(shown, values)
        literals = tuple(literal_text(lit, values) for lit in shown.body if isinstance(lit, Literal))
        out.append(Violation(shown, shown.loc, text, literals, document.conjunction(text, index, found)))
    return out


def violation_error(violations: Sequence[Violation], total: int) -> ReasoningError:
    """The error a query over a program with violated constraints raises."""
    first = violations[0]
    more = f" (and {total - 1} more violation{'s' * (total > 2)})" if total > 1 else ""
    return ReasoningError(f"the program has no model: the integrity constraint {rule_text(first.constraint)} "
                          f"is violated by {', '.join(first.literals)}{more}, which all hold "
                          "('nesyasp query --explain' says why)", first.location)
