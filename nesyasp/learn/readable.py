"""A learned prediction's justification in the table's own numbers.

The tree that :meth:`FoldSEM.explain` returns is the reasoner's, about the
atoms clingo derives: numbers there are the scaled integers of
:mod:`nesyasp.learn.asp` (``flavanoids(x,374)``, ``374>203``). For reading,
:func:`readable_tree` puts the example's own cell values and the learned
thresholds back (``flavanoids(x,3.74)``, ``3.74>2.03``): the comparisons
the learner itself makes, with the same truth values. The tree it returns is
for rendering only; check the original with
:func:`nesyasp.reason.check_justification`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Sequence

import clingo
import numpy as np

from nesyasp.lang.ast import Comparison, Integer, Pred, Program, Rule, Variable
from nesyasp.learn.asp import _bindings, scales
from nesyasp.learn.encode import NUMERIC, Feature, parse_column

if TYPE_CHECKING:
    from nesyasp.reason.node import Node

__all__ = ["readable_tree", "readable_preds"]


def _decimal(value: int, k: int) -> str:
    """The scaled integer ``value`` at scale ``10**k`` as a plain decimal (``374, 2 -> 3.74``)."""
    return format((Decimal(value) / (Decimal(10) ** k)).normalize(), "f")


def _cells(row: np.ndarray, features: Sequence[Feature]) -> dict[str, str]:
    """The example's numeric cells as text, by predicate (numbers only)."""
    out = {}
    for j, f in enumerate(features):
        if f.kind == NUMERIC:
            num, _ = parse_column(np.asarray([row[j]], dtype=object), numeric=True)
            if not np.isnan(num[0]):
                out[f.pred] = np.format_float_positional(float(num[0]), trim="-")
    return out


def readable_tree(node: Node, program: Program, features: Sequence[Feature], row: np.ndarray) -> Node:
    """``node`` with the example's cell values and the unscaled thresholds in its numeric literals.

    Parameters
    ----------
    node:
        A tree of :meth:`FoldSEM.explain` for the example ``row``.
    program:
        The learned program (``FoldSEM.rules_``), whose thresholds set the scales.
    features:
        ``FoldSEM.features_``.
    row:
        The example's cells, one per feature.
    """
    return _walk(node, scales(program), _cells(np.asarray(row, dtype=object), features), {})


def _walk(node: Node, k_of: dict[str, int], cells: dict[str, str], bound: dict[str, str]) -> Node:
    own = _bindings(node.source) if isinstance(node.source, Rule) else {}
    here = {**bound, **own}
    children = tuple(_walk(c, k_of, cells, here) for c in node.children)
    atom, literal = node.atom, node.literal
    if atom is not None and len(atom.arguments) == 2 and atom.name in cells \
            and atom.arguments[1].type == clingo.SymbolType.Number:
        atom = clingo.Function(atom.name, [atom.arguments[0], clingo.String(cells[atom.name])])
        literal = ("not " if node.negated else "") + f"{atom.name}({atom.arguments[0]},{cells[atom.name]})"
    elif node.because == "comparison" and isinstance(node.comparison, Comparison):
        literal = _comparison_text(node, k_of, cells, here) or literal
    return replace(node, atom=atom, literal=literal, children=children)


def _comparison_text(node: Node, k_of: dict[str, int], cells: dict[str, str], bound: dict[str, str]) -> str | None:
    cmp = node.comparison
    assert cmp is not None
    if not isinstance(cmp.left, Variable):
        return None
    pred = bound.get(cmp.left.name)
    if pred is None:
        return None
    if pred in cells:
        left = cells[pred]
    elif cmp.left.name in node.binding:
        left = str(node.binding[cmp.left.name])  # a string cell ("?"): as it is, the threshold unscaled
    else:
        return None
    right = _decimal(cmp.right.value, k_of.get(pred, 0)) if isinstance(cmp.right, Integer) else str(cmp.right)
    return ("not " if node.negated else "") + f"{left}{cmp.operator}{right}"


def readable_preds(preds: Sequence[Pred], features: Sequence[Feature]) -> list[Pred]:
    """``#pred`` annotations for :func:`readable_tree`: numeric features read ``the age of @(X) is @(N)``."""
    numeric = {f.pred: f for f in features if f.kind == NUMERIC}
    out = []
    for pred in preds:
        f = numeric.get(pred.atom.predicate)
        if f is not None and len(pred.atom.arguments) == 2:
            out.append(Pred(pred.atom, f"the {f.name} of @(X) is @(N)"))
        else:
            out.append(pred)
    return out
