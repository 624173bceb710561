"""Explaining many things in one output: answers, all proofs, why-not with variables, conjunctive queries.

Every function here takes a :class:`~nesyasp.reason.unfold.Document`, so the
trees of one output share what they show (a literal already explained reads
"justified above" and points to where: ``shared`` nodes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import clingo

from nesyasp.errors import ReasoningError
from nesyasp.lang.ast import Atom, Literal, Rule, Variable
from nesyasp.reason.justify import Justifier
from nesyasp.reason.node import Node
from nesyasp.reason.search import Binding
from nesyasp.reason.terms import ground_term, match_atom
from nesyasp.reason.unfold import Document

__all__ = ["Explained", "proofs", "why_not", "conjunction", "MAX_INSTANCES"]

#: The most instances ``why_not`` explains for one pattern.
MAX_INSTANCES = 10_000


@dataclass(frozen=True)
class Explained:
    """One explained literal of an output: its text, its variable bindings and its tree."""

    atom: str
    bindings: dict[str, str]
    node: Node


def proofs(document: Document, atom: clingo.Symbol) -> list[Node]:
    """Every well-founded rule instance deriving the true ``atom``, each as a tree (a fact: one leaf)."""
    justifier = document.justifier
    if justifier.model.is_fact(atom):
        return [document.tree(atom)]
    found = justifier.instances(atom)
    if not found:
        return [document.tree(atom)]
    first = justifier.entry(atom)
    ordered = sorted(found, key=lambda rb: (rb[0], rb[1] != first.binding))
    return [document.instance(rule, binding, atom) for rule, binding in ordered]


def _candidates(justifier: Justifier, pattern: Atom, scaled: Atom) -> list[list[clingo.Symbol]] | None:
    """Per argument, the values to try: the pattern's own value, or every value the rules' heads and the
    model's atoms hold there. None when a variable position has no value anywhere."""
    model, arity = justifier.model, len(scaled.arguments)
    heads = [justifier.rules[r].head for r in justifier.by_signature.get((scaled.predicate, arity), ())]
    true = model.lookup(scaled.predicate, arity, ())
    out = []
    for i, arg in enumerate(scaled.arguments):
        value = ground_term(arg, {})
        if value is not None:
            out.append([value])
            continue
        values = {v for h in heads if (v := ground_term(h.arguments[i], {})) is not None}
        values.update(a.arguments[i] for a in true)
        if not values:
            return None
        out.append(sorted(values))
    return out


def why_not(document: Document, pattern: Atom, scaled: Atom) -> tuple[list[Explained], list[str]]:
    """Every instance of ``pattern`` that is not in the model, explained (sharing subtrees), and the
    instances that hold.

    The values tried for each variable are those that the rules' heads and the
    model's atoms hold at its position (the classes, for ``target(img9,X)``).
    When no value is known anywhere, the pattern itself is refuted: for every
    rule and binding, the literal that fails.
    """
    justifier = document.justifier
    model = justifier.model
    ground = [ground_term(a, {}) for a in scaled.arguments]
    if all(g is not None for g in ground):
        atom = clingo.Function(scaled.predicate, ground)  # type: ignore[arg-type]
        if model.holds(atom):
            return [], [str(model.decode(atom))]
        return [Explained(str(model.decode(atom)), {}, document.tree(atom))], []
    values = _candidates(justifier, pattern, scaled)
    if values is None:
        key = justifier.pattern(scaled, {}, justifier.add_rule(Rule(None, (Literal(pattern),)),
                                                                 Rule(None, (Literal(scaled),)), {}), 0)
        return [Explained(str(pattern), {}, document.tree(key))], []
    count = 1
    for v in values:
        count *= len(v)
    if count > MAX_INSTANCES:
        raise ReasoningError(f"--why-not {pattern} has {count} instances to explain (more than {MAX_INSTANCES}); "
                             "give more of its arguments")
    explained, holding = [], []
    for args in itertools.product(*values):
        atom = clingo.Function(scaled.predicate, list(args))
        binding: Binding = {}
        if not match_atom(scaled, atom, binding):
            continue
        shown = model.decode(atom)
        if model.holds(atom):
            holding.append(str(shown))
            continue
        names = {a.name: str(shown.arguments[i]) for i, a in enumerate(pattern.arguments)
                 if type(a) is Variable and a.name != "_"}
        explained.append(Explained(str(shown), names, document.tree(atom)))
    return explained, holding


def conjunction(document: Document, text: str, literals: tuple[Literal, ...], scaled: tuple[Literal, ...],
                exps: dict[str, int], binding: Binding) -> Node:
    """The tree of one answer of a conjunctive query: a ``conjunction`` node, one child per literal."""
    justifier = document.justifier
    rule = justifier.add_rule(Rule(None, literals), Rule(None, scaled), exps)
    found = justifier.evaluator.first([(i, lit) for i, lit in enumerate(scaled)], binding)
    if found is None:
        raise ReasoningError(f"the answer {text} does not hold (was the model computed from the same facts?)")
    return document.conjunction(text, rule, found)
