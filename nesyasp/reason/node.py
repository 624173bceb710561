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
``"loop"``                the atom is false and is being refuted by an ancestor
                          (``ref``): a positive loop, "it is assumed that ..."
                          (every rule instance on the loop needs the loop to hold)
``"shared"``              the same literal is justified by the node ``ref``
                          earlier in the same output (a shared subtree, not repeated)
``"conjunction"``         a conjunctive query's answer; the children are its literals
========================  =====================================================

Node numbers (``ident``, ``ref``) count from 1 in pre-order over everything
one output shows (one tree, or all the answers of one query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Iterator

import clingo

from nesyasp.lang.ast import Comparison, Rule

__all__ = ["Node", "BECAUSE", "node_to_dict", "rejoin", "walk", "references", "MAX_NESTING"]

BECAUSE = ("fact", "rule", "comparison", "no_rule", "all_rules_fail", "negation", "loop", "shared", "conjunction")


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
        Extra words for the reader (``"not among the facts"``, ``"undefined"``).
    repeated:
        True for a ``"loop"`` node (a false atom already being refuted higher up the
        same branch); it has no children.
    ident:
        The node's number when it explains a literal with children (``rule``,
        ``all_rules_fail``): ``loop`` and ``shared`` nodes point to it with ``ref``.
    ref:
        For ``loop`` and ``shared`` nodes, the ``ident`` of the node they point to.
    holding:
        For a child of ``all_rules_fail``: the body literals of the refuted rule instance
        that hold (looked at before the failing one), when asked for
        (``detail="holding"``); s(CASP) prints them.
    refutes:
        For a child of ``all_rules_fail``: the rule instance it refutes, as far as the
        binding goes (``reach(n1,z) :- edge(n1,n2), reach(n2,z).``).
    location:
        ``file:line:col`` of ``source``.
    exceptions:
        For a false pattern (``reach(2,Y)``): the instances that do hold (``reach(2,3)``); the node
        says that no *other* instance holds.
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
    ident: int = 0
    ref: int = 0
    holding: tuple[Node, ...] = ()
    refutes: str | None = None
    location: str | None = None
    exceptions: tuple[str, ...] = ()


def _own_dict(node: Node, referenced: Collection[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"literal": node.literal, "holds": node.holds, "because": node.because, "rule": node.rule}
    if node.ident and node.ident in referenced:
        out["id"] = node.ident
    if node.ref:
        out["ref"] = node.ref
    if node.refutes is not None:
        out["refutes"] = node.refutes
        if node.location:
            out["location"] = node.location
    if node.note:
        out["note"] = node.note
    if node.exceptions:
        out["except"] = list(node.exceptions)
    return out


def references(trees: Iterable[Node]) -> set[int]:
    """The ``ident`` of every node that a ``loop`` or ``shared`` node of ``trees`` points to."""
    return {n.ref for tree in trees for n in walk(tree) if n.ref}


#: The most levels of JSON nesting in a document of :func:`node_to_dict` trees cut with ``continuations``:
#: jq 1.6 parses at most 256 levels, serde_json 128 by default and Python's :mod:`json` about 1,000.
MAX_NESTING = 100
#: The JSON nesting of a tree's root in a document (``{"answers": [{"proofs": [{...``), and of the children
#: of a continuation (``{"continuations": [{"children": [{...``), counting the document itself as 1.
ROOT_NESTING = 5


def node_to_dict(node: Node, referenced: Collection[int] | None = None,
                 continuations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON form of a node: ``{"literal", "holds", "because", "rule", "children"}``, plus, where they apply,
    ``"id"`` (on a node that a ``loop`` or ``shared`` node points to), ``"ref"``, ``"refutes"`` with
    ``"location"``, ``"note"``, ``"except"`` and ``"holding"`` (see :class:`Node`).

    ``referenced`` are the node numbers something points to; by default those of this tree
    (pass :func:`references` of every tree of an output when trees point into each other).
    Deep trees (a chain of 2,000 steps) are built without recursion.

    With ``continuations`` (a list, shared by every tree of one document), the tree is cut so that
    the document nests at most :data:`MAX_NESTING` levels: a node whose children would go deeper
    gets ``"children": []`` and ``"continued": k``, and ``{"continues": k, "literal": ..., "children":
    [...]}`` is appended to ``continuations`` as its ``k``-th entry (counted from 1, in pre-order);
    its children may be cut again. :func:`rejoin` puts them back. Without it the tree is nested as
    deep as it is.

    >>> node_to_dict(Node("f145(img)", True, "fact"))
    {'literal': 'f145(img)', 'holds': True, 'because': 'fact', 'rule': None, 'children': []}
    """
    if referenced is None:
        referenced = references([node])
    root = _own_dict(node, referenced)
    stack = [(node, root, ROOT_NESTING)]
    while stack:
        current, out, level = stack.pop()
        if continuations is not None and current.children and level + 5 > MAX_NESTING:
            entry = {"continues": len(continuations) + 1, "literal": current.literal}
            continuations.append(entry)
            out["children"], out["continued"] = [], entry["continues"]
            stack.append((current, entry, ROOT_NESTING - 2))
            continue
        children, pending = [], []
        for child in current.children:
            entry = _own_dict(child, referenced)
            if child.holding:
                entry["holding"] = [_own_dict(h, referenced) for h in child.holding]
                pending.extend((h, held, level + 4) for h, held in zip(child.holding, entry["holding"]))
            children.append(entry)
            pending.append((child, entry, level + 2))
        out["children"] = children
        stack.extend(reversed(pending))
    return root


def rejoin(document: Any) -> Any:
    """A copy of a JSON document whose cut trees (``"continued": k``) have their children back from the
    document's ``"continuations"`` (see :func:`node_to_dict`), which it leaves out: trees as deep as they are.

    >>> rejoin({"answers": [{"justification": {"literal": "p", "children": [], "continued": 1}}],
    ...         "continuations": [{"continues": 1, "literal": "p", "children": [{"literal": "q", "children": []}]}]})
    {'answers': [{'justification': {'literal': 'p', 'children': [{'literal': 'q', 'children': []}]}}]}
    """
    parts = {entry["continues"]: entry["children"] for entry in document.get("continuations", [])} \
        if isinstance(document, dict) else {}
    top = {k: v for k, v in document.items() if k != "continuations"} if isinstance(document, dict) else document
    result: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(top, result, 0)]
    while stack:
        value, parent, key = stack.pop()
        if isinstance(value, dict):
            copy = dict(value)
            if "continued" in copy:
                copy["children"] = parts[copy.pop("continued")]
            parent[key] = copy
            stack.extend((v, copy, k) for k, v in copy.items())
        elif isinstance(value, list):
            copy = list(value)
            parent[key] = copy
            stack.extend((v, copy, i) for i, v in enumerate(copy))
        else:
            parent[key] = value
    return result[0]


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, in pre-order (the ``holding`` literals of a child come just before it)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        items: list[Node] = []
        for child in current.children:
            items.extend(child.holding)
            items.append(child)
        stack.extend(reversed(items))
