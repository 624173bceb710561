"""Explanations of one prediction: the reasoner's tree, its English, and the learner's own trace.

:func:`explain` runs the clingo form of the learned program and the
example's facts through :class:`nesyasp.reason.Reasoner` and returns the
justification tree of the predicted atom (the root's ``note`` gives the
training confidence of the rule that fired). :func:`explain_text` renders it
with column names and the table's own numbers; :func:`trace` is the
learner's own record, literal by literal, in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from nesyasp.errors import DataError, ReasoningError, WrongTypeError, expect_type
from nesyasp.lang.ast import Atom, Constant, is_identifier
from nesyasp.learn.core import LearnedRule, covers
from nesyasp.learn.emit import class_term, threshold_text, value_term
from nesyasp.learn.encode import CATEGORICAL, NUMERIC, Encoded, Feature, as_columns, feature_column, is_unary
from nesyasp.learn.search import Lit

if TYPE_CHECKING:
    from nesyasp.reason.node import Node

FoldSEM = Any  # a fitted nesyasp.learn.FoldSEM (not imported here: foldsem imports this module)

__all__ = ["Explanation", "explain", "explain_text", "trace", "literal_text", "one_row"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """The learner's own trace of one prediction (:meth:`FoldSEM.trace`).

    Attributes
    ----------
    prediction:
        The predicted class.
    rule:
        0-based index of the default rule that decided it (in ``learned_``).
    trace:
        ``(rule index, literal text, holds)`` for the literals checked, in
        order: the earlier default rules that failed, then the deciding rule
        and its exceptions (``"not exception (...)"`` entries). Literals read
        in column names and the table's numbers (``age > 54``, ``color = red``).
    support, precision:
        The deciding rule's training support and precision (``rule_stats_``).
    """

    prediction: object
    rule: int
    trace: tuple[tuple[int, str, bool], ...]
    support: int = 0
    precision: float = 0.0

    def __str__(self) -> str:
        lines = [f"class {self.prediction} by default rule {self.rule + 1} (right on "
                 f"{round(self.precision * self.support)} of {self.support} training rows, precision "
                 f"{self.precision:.3f})"]
        lines += [f"  rule {k + 1}: {text} {'holds' if ok else 'does not hold'}" for k, text, ok in self.trace]
        return "\n".join(lines)


def one_row(x, names: Sequence[str] | None = None, frame_names: Sequence[str] | None = None) -> np.ndarray:
    """One example as a ``(1, n_features)`` object array of its cells, in the order of the fitted columns.

    ``x`` is a row (list, tuple, 1-D array), a 2-D array or :class:`~nesyasp.learn.Table` of one row, or
    cells by column name: a mapping (``{"age": 63, ...}``), a one-row data frame or a series (pandas),
    whose names must be ``names`` (the fitted columns) or ``frame_names`` (those of the data frame it was fitted
    on, when ``feature_names`` renamed them), in any order (names that are not all strings, such as
    the 0, 1, ... of a frame made from an array, are taken in their order, as scikit-learn takes them).

    >>> one_row({"colour": "red", "age": 63}, ["age", "colour"]).tolist()
    [[63, 'red']]
    """
    if isinstance(x, Mapping) or (hasattr(x, "keys") and getattr(x, "ndim", None) == 1):  # a dict, a Series
        return _by_name(x, names, frame_names)
    if hasattr(x, "columns") and getattr(x, "ndim", None) == 2:  # a DataFrame (iterating it gives its names)
        if len(x) != 1:
            raise DataError(f"one example is explained at a time; got {len(x)} rows")
        return _by_name(dict(zip(x.columns, np.asarray(x, dtype=object)[0])), names, frame_names)
    if hasattr(x, "n_rows") and hasattr(x, "cells"):  # a Table
        x = x.cells
    if isinstance(x, np.ndarray) and x.ndim == 2:
        if x.shape[0] != 1:
            raise DataError(f"one example is explained at a time; got {x.shape[0]} rows")
        return x
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise WrongTypeError(f"expected one example: a row of cell values (a list, tuple or 1-D array), "
                             f"got {type(x).__name__}")
    return np.asarray([list(x)], dtype=object)


def _by_name(x, names: Sequence[str] | None, frame_names: Sequence[str] | None = None) -> np.ndarray:
    """The cells of a mapping from column names, in the order of ``names`` (or of ``frame_names``)."""
    keys = list(x.keys())
    if not all(isinstance(k, str) for k in keys):  # a series of a frame without names (pandas' 0, 1, ...): by place
        return np.asarray([[x[k] for k in keys]], dtype=object)
    given = {k: x[k] for k in keys}
    if names is None:
        raise DataError("an example given by column names needs a fitted estimator's column names")
    if frame_names is not None and set(given) == set(frame_names) != set(names):
        names = frame_names  # the frame's own names, which feature_names renamed
    missing = [n for n in names if n not in given]
    unknown = [k for k in given if k not in names]
    if missing or unknown:
        said = ([f"no value for column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"]
                if missing else []) + ([f"unknown column{'s' if len(unknown) > 1 else ''} "
                                        f"{', '.join(map(repr, unknown))}"] if unknown else [])
        raise DataError(f"the example has {' and '.join(said)}; the estimator was fitted on the columns "
                        f"{', '.join(map(repr, names))}")
    row = np.empty((1, len(names)), dtype=object)
    row[0, :] = [given[n] for n in names]
    return row


def literal_text(lit: Lit, feature: Feature) -> str:
    """A learned literal in column words: ``age > 54``, ``not age <= 54``, ``color = red``, ``not f12``;
    a threshold of a column with a unit in its form (``date <= 2024-03-05``, ``price > $1,234.50``).

    >>> from nesyasp.learn.encode import Feature
    >>> literal_text(Lit(0, "!<=", 54.0, 0), Feature("age", "age", "numeric"))
    'not age <= 54'
    """
    if is_unary(feature):
        return feature.name if lit.op == "==" else f"not {feature.name}"
    if lit.op in ("==", "!="):
        value = feature.values[int(lit.value)]
        shown = f'"{value}"' if feature.kind == NUMERIC or not is_identifier(value) else value
        return f"{feature.name} {'=' if lit.op == '==' else '!='} {shown}"
    op = lit.op.lstrip("!")
    text = f"{feature.name} {op} {threshold_text(feature, float(lit.value))}"
    return f"not {text}" if lit.op.startswith("!") else text


def explain(est: FoldSEM, x, name: str = "x") -> Node:
    """The reasoner's justification tree of ``est``'s prediction for one example (see ``FoldSEM.explain``)."""
    from nesyasp.learn.asp_reason import example_reasoner

    expect_type(name, str, "an example name (text such as 'x')")
    if not is_identifier(name):
        raise DataError(f"example name {name!r} is not an ASP constant (lowercase letter first)")
    row = est._example(x)
    k = int(est._decide(est._encode_row(row))[0])
    label = est.classes_[est.learned_[k].label]
    reasoner = example_reasoner(est.rules_, row, est.features_, [name])
    atom = Atom(est.head, (Constant(name), class_term(label)))
    node = reasoner.explain(str(atom))
    if not node.holds:
        derived = reasoner.query(f"{est.head}({name},C)").atoms()
        raise ReasoningError(f"the reasoner derives {derived or 'no class'} for {name}, the learner {atom}")
    return replace(node, note=est.rule_stats_[k].confidence())


def explain_text(est: FoldSEM, x, name: str = "x") -> str:
    """:func:`explain`'s tree in English: column names, the example's values, the learned thresholds."""
    from nesyasp.learn.brief import category_tree
    from nesyasp.learn.readable import program_cuts, readable_preds, readable_tree, row_values, with_note
    from nesyasp.reason import render_text

    row = est._example(x)
    node = explain(est, row, name)
    features = est.features_
    preds = {p.atom.signature: p for p in readable_preds(est.rules_.preds, features)}
    names = {f.pred: f.name for f in features}
    units = {f.pred: f.unit for f in features if f.unit is not None}
    tree = readable_tree(node, program_cuts(est.rules_, features), row_values(row[0], est.features_), names, name,
                         units)
    categories = {f.pred: f.name for f in features if f.kind == CATEGORICAL}
    if categories:  # not colour(x,red): the colour of x is blue, not red
        cells = _category_values(row, features)
        tree = category_tree(tree, categories, lambda pred, _: cells.get(pred, ()))
    return with_note(render_text(tree, preds), node.note)


def _category_values(row: np.ndarray, features: list[Feature]) -> dict[str, tuple[str, ...]]:
    """The categorical cells of one example (a 1-row array) by predicate, as clingo text (``blue``, ``"a b"``)."""
    columns, out = as_columns(row), {}
    for j, f in enumerate(features):
        if f.kind == CATEGORICAL:
            parsed = feature_column(columns, j, f)
            out[f.pred] = (str(value_term(f, parsed.vocab[parsed.code[0]])),)
    return out


def trace(est: FoldSEM, x) -> Explanation:
    """The learner's own trace for one example: which rule decides, literal by literal."""
    data = est._encode_row(est._example(x))
    k = int(est._decide(data)[0])
    steps: list[tuple[int, str, bool]] = []
    for j in range(k + 1):
        steps.extend(_trace(est.learned_[j], est.features_, data, j))
    stats = est.rule_stats_[k]
    return Explanation(est.classes_[est.learned_[k].label], k, tuple(steps), stats.support, stats.precision)


def _trace(rule: LearnedRule, features: list[Feature], data: Encoded, k: int) -> list[tuple[int, str, bool]]:
    out = []
    row = np.zeros(1, dtype=np.int64)
    for lit in rule.lits:
        ok = bool(lit.holds(data, row)[0])
        out.append((k, literal_text(lit, features[lit.feature]), ok))
        if not ok:
            return out
    for e in rule.exceptions:
        hit = bool(covers(e, data, row)[0])
        words = " and ".join(literal_text(lit, features[lit.feature]) for lit in e.lits)
        out.append((k, f"not exception ({words}{' and its exceptions' if e.exceptions else ''})", not hit))
        if hit:
            return out
    return out
