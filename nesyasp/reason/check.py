"""Checking a justification tree against the model it claims to explain.

:func:`check_justification` recomputes every claim of a tree from the model
and the program, independently of how the tree was built:

* a node whose literal holds is true in the model, one that fails is false;
* a ``fact`` node is a given fact;
* a ``rule`` node names a rule of the program; its ``rule`` text is that
  rule's ground instance under the node's binding, its head is the node's
  atom, and its children are the instance's body literals, in order, all true;
* a ``comparison`` node evaluates as it says;
* a ``negation`` node has one child, its atom, with the opposite truth;
* a ``no_rule`` node is false and no rule head unifies with it;
* an ``all_rules_fail`` node is false, its children are false, and every rule
  whose head unifies with it is refuted by at least one child;
* no atom justifies itself: a ``rule`` node's atom never appears as a
  ``rule`` or ``fact`` node below it;
* a ``loop`` node is false and points (``ref``) to an ancestor that refutes the
  same literal; a ``shared`` node points to a node shown before it with the same
  literal and truth;
* the ``holding`` literals of a refuting child hold.

Trees are walked with an explicit stack, so deep ones are fine.
"""

from __future__ import annotations

import re


from nesyasp.errors import expect_type
from nesyasp.lang.ast import Atom, Literal, Rule
from nesyasp.reason.justify import instance_text, literal_text
from nesyasp.reason.model import Model
from nesyasp.reason.node import BECAUSE, Node
from nesyasp.reason.terms import evaluate_comparison, ground_atom, match_term

__all__ = ["check_justification"]


def check_justification(node: Node, model: Model, seen: dict[int, Node] | None = None) -> list[str]:
    """Every problem found in the tree under ``node`` (an empty list: the tree is valid).

    Parameters
    ----------
    node:
        The root of a justification tree.
    model:
        The model it was built against (a :class:`~nesyasp.reason.model.Model`; its
        ``translation`` holds the program's rules).
    seen:
        Nodes of earlier trees of the same output, by ``ident`` (``shared`` nodes may point
        there); updated with this tree's nodes.
    """
    expect_type(node, Node, "a justification tree (a Node: Reasoner.explain gives one)")
    expect_type(model, Model, "a Model (Reasoner.model() gives one)")
    problems: list[str] = []
    seen = {} if seen is None else seen
    stack: list[tuple[Node, tuple, tuple]] = [(node, (), ())]
    while stack:
        current, above, path = stack.pop()
        _check(current, model, above, path, seen, problems)
        below = above + (current.atom,) if current.because == "rule" and current.atom is not None else above
        inner = path + (current,)
        items: list[Node] = []
        for child in current.children:
            items.extend(child.holding)
            items.append(child)
        stack.extend((c, below, inner) for c in reversed(items))
    return problems


_VARIABLE = re.compile(r"(?<![\w\"'])_*[A-Z][\w']*")


def _shape(literal: str) -> str:
    """A literal with its free variables blanked (``reach(4,Y)`` and ``reach(4,_)`` are one pattern)."""
    return _VARIABLE.sub("_", literal).replace("not ", "")


def _truth(node: Node, model: Model) -> bool | None:
    if node.atom is None:
        return None
    true = model.holds(model.encode(node.atom))
    return (not true) if node.negated else true


def _check(node: Node, model: Model, above: tuple, path: tuple, seen: dict[int, Node], problems: list[str]) -> None:
    where = f"{node.literal} ({node.because})"
    if node.because not in BECAUSE:
        problems.append(f"{where}: unknown 'because'")
        return
    if node.ident:
        seen[node.ident] = node
    truth = _truth(node, model)
    if truth is not None and truth != node.holds:
        problems.append(f"{where}: says holds={node.holds} but the model says {truth}")
    _CHECKS[node.because](node, model, problems, where)
    if node.because == "loop":
        target = next((a for a in path if a.ident == node.ref), None)
        if target is None or target.holds or _shape(target.literal) != _shape(node.literal):
            problems.append(f"{where}: a loop must point to an ancestor refuting the same literal")
    if node.because == "shared":
        target = seen.get(node.ref)
        if target is None or target.holds != node.holds or _shape(target.literal) != _shape(node.literal):
            problems.append(f"{where}: a shared node must point to a node shown before with the same literal")
    if node.because in ("rule", "fact") and node.atom is not None and node.atom in above:
        problems.append(f"{where}: the atom justifies itself (it is being derived above)")
    if any(not h.holds for h in node.holding):
        problems.append(f"{where}: a literal said to hold before the failing one does not hold")


def _fact(node: Node, model: Model, problems: list[str], where: str) -> None:
    if node.atom is None or node.negated or not node.holds or not model.is_fact(model.encode(node.atom)):
        problems.append(f"{where}: not a given fact")


def _rule(node: Node, model: Model, problems: list[str], where: str) -> None:
    rule = node.source
    if rule is None or rule not in model.translation.rules or not isinstance(rule.head, Atom):
        problems.append(f"{where}: the rule is not a rule of the program")
        return
    if ground_atom(rule.head, node.binding) != node.atom:
        problems.append(f"{where}: the rule's head under its binding is not the atom")
    if node.rule != instance_text(rule, node.binding):
        problems.append(f"{where}: {node.rule!r} is not the instance of {rule} under its binding")
    expected = [literal_text(lit, node.binding) for lit in rule.body]
    if [c.literal for c in node.children] != expected:
        problems.append(f"{where}: the children are not the body literals {expected}")
    if not all(c.holds for c in node.children):
        problems.append(f"{where}: a body literal of the instance does not hold")


def _comparison(node: Node, model: Model, problems: list[str], where: str) -> None:
    if node.comparison is None:
        problems.append(f"{where}: no comparison")
        return
    value = evaluate_comparison(node.comparison, node.binding)
    truth = False if value is None else value != node.negated
    if truth != node.holds:
        problems.append(f"{where}: the comparison evaluates to {truth}")


def _negation(node: Node, model: Model, problems: list[str], where: str) -> None:
    if not node.negated or len(node.children) != 1:
        problems.append(f"{where}: a negation has exactly one child, its atom")
        return
    child = node.children[0]
    if child.holds == node.holds or child.negated:
        problems.append(f"{where}: the child must be the atom with the opposite truth")
    if node.atom is not None and child.atom != node.atom:
        problems.append(f"{where}: the child is about another atom")


def _conjunction(node: Node, model: Model, problems: list[str], where: str) -> None:
    if not node.holds or not all(c.holds for c in node.children):
        problems.append(f"{where}: every literal of an answer holds")


def _unifying_rules(node: Node, model: Model) -> list[Rule]:
    if node.atom is None:
        name = node.literal.partition("(")[0]
        return [r for r in model.translation.rules if isinstance(r.head, Atom) and r.head.predicate == name]
    out = []
    for rule in model.translation.rules:
        if isinstance(rule.head, Atom) and rule.head.signature == (node.atom.name, len(node.atom.arguments)):
            binding: dict = {}
            if all(match_term(t, v, binding) for t, v in zip(rule.head.arguments, node.atom.arguments)) \
                    and not _undefined_under(rule, binding):
                out.append(rule)
    return out


def _undefined_under(rule: Rule, binding: dict) -> bool:
    """True when a body atom is undefined under the head's binding (``h(X) :- v(X+1).`` for ``h(a)``):
    clingo grounds no instance of the rule for that head, so there is nothing to refute."""
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Atom):
            names = set(lit.variables())
            if "_" not in names and names <= binding.keys() and ground_atom(lit.atom, binding) is None:
                return True
    return False


def _no_rule(node: Node, model: Model, problems: list[str], where: str) -> None:
    if node.holds or node.children:
        problems.append(f"{where}: a no_rule node is false and has no children")
    if node.atom is not None and _unifying_rules(node, model):
        problems.append(f"{where}: a rule head unifies with the atom")


def _all_fail(node: Node, model: Model, problems: list[str], where: str) -> None:
    if node.holds:
        problems.append(f"{where}: an all_rules_fail node must be false")
    if any(c.holds for c in node.children):
        problems.append(f"{where}: a refuting child holds")
    refuted = [c.source for c in node.children if c.source is not None]
    for rule in _unifying_rules(node, model):
        # by equality, not identity: a tree is checked against any model of the same program
        if node.atom is not None and not any(rule == r for r in refuted):
            problems.append(f"{where}: the rule {rule} is not refuted")


def _reference(node: Node, model: Model, problems: list[str], where: str) -> None:
    if node.children or not node.ref:
        problems.append(f"{where}: a reference has no children and a 'ref'")


_CHECKS = {"fact": _fact, "rule": _rule, "comparison": _comparison, "negation": _negation,
           "no_rule": _no_rule, "all_rules_fail": _all_fail, "loop": _reference, "shared": _reference,
           "conjunction": _conjunction}
