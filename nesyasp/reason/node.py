"""Justification tree nodes and their JSON form.

A :class:`Node` explains one literal. ``because`` says how:

========================  =====================================================
``"fact"``                the atom is a given fact
``"rule"``                the atom is derived by ``rule`` (a ground instance of a
                          program rule) whose body literals are the children
``"comparison"``          a built-in comparison, evaluated
``"negation"``            ``not a``; the only child explains ``a``
``"no_rule"``             the atom is false: no rule head unifies with it and
                          it is not a fact (``note`` says whether the predicate
                          has no rules and no facts at all)
``"all_rules_fail"``      the atom is false: the children give, for every rule
                          whose head unifies and every binding of the body,
                          the body literal that fails
========================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import clingo

from nesyasp.lang.ast import Comparison, Rule

__all__ = ["Node", "BECAUSE", "node_to_dict", "walk"]

BECAUSE = ("fact", "rule", "comparison", "no_rule", "all_rules_fail", "negation")


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """One literal of a justification tree.

    Attributes
    ----------
    literal:
        The literal as clingo text: ``target(img,bathroom)``, ``not ab1(img)``, ``42>30``;
        a false pattern keeps its free variables (``age(img,N)``).
    holds:
        Whether the literal is true in the model.
    because:
        One of :data:`BECAUSE`.
    rule:
        For ``"rule"`` nodes, the ground rule instance used; otherwise None.
    children:
        The sub-justifications.
    atom:
        The ground atom (also under ``not``); None for comparisons and patterns.
    negated:
        True for a ``not`` literal.
    source:
        The program rule used (``"rule"``), or the rule whose instance this failing
        literal refutes (children of ``"all_rules_fail"``).
    binding:
        The variable binding of ``source`` (or of the comparison).
    comparison:
        For ``"comparison"`` nodes, the comparison as written in the rule.
    note:
        Extra words for the reader (``"no rule or fact for f398/1"``, ``"justified above"``).
    repeated:
        A false atom already being refuted higher up the same branch (a loop
        through positive recursion); it has no children.
    """

    literal: str
    holds: bool
    because: str
    rule: str | None = None
    children: tuple[Node, ...] = ()
    atom: clingo.Symbol | None = None
    negated: bool = False
    source: Rule | None = None
    binding: dict[str, clingo.Symbol] = field(default_factory=dict)
    comparison: Comparison | None = None
    note: str = ""
    repeated: bool = False


def node_to_dict(node: Node) -> dict[str, Any]:
    """The JSON form of a node: ``{"literal", "holds", "because", "rule", "children"}``.

    >>> node_to_dict(Node("f145(img)", True, "fact"))
    {'literal': 'f145(img)', 'holds': True, 'because': 'fact', 'rule': None, 'children': []}
    """
    return {"literal": node.literal, "holds": node.holds, "because": node.because, "rule": node.rule,
            "children": [node_to_dict(c) for c in node.children]}


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, in pre-order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
