"""Learned programs run by the reasoner: clingo's classes per row, and explainable reasoners for rows.

The same clingo form and order-coded facts as :mod:`nesyasp.learn.asp`, given to
:class:`nesyasp.reason.Reasoner` (imported when called, as the reasoner is not needed to write files).
"""

from __future__ import annotations

from typing import Sequence

from nesyasp.errors import expect_type
from nesyasp.lang.ast import Pred, Program
from nesyasp.learn.asp import _term_symbol, clingo_program, cut_points, example_symbols
from nesyasp.learn.emit import class_term
from nesyasp.learn.encode import NUMERIC, Feature, as_columns

__all__ = ["clingo_predict", "reasoner_program", "example_reasoner"]


def clingo_predict(program: Program, X, features: Sequence[Feature], classes: Sequence[object],
                   head: str = "target") -> list[list[object]]:
    """Classes that clingo derives for every row of ``X`` (a list per row), through the reasoner.

    Parameters
    ----------
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).
    X:
        The rows (array or table of the fitted columns).
    features:
        The fitted features (``FoldSEM.features_``).
    classes:
        The class labels.
    head:
        The head predicate, ``head(X,class)``.

    Returns
    -------
    list of list
        Per row, the classes derived for it (empty when none).
    """
    from nesyasp.reason import Reasoner

    n = as_columns(X).n_rows
    ids = [f"e{i}" for i in range(n)]
    numeric = [f.pred for f in features if f.kind == NUMERIC]
    cuts = cut_points(program, numeric)
    reasoner = Reasoner(clingo_program(program, numeric), example_symbols(X, features, cuts, ids),
                        engine="clingo")
    by_text = {str(_term_symbol(class_term(c))): c for c in classes}
    row_of = {e: i for i, e in enumerate(ids)}
    out: list[list[object]] = [[] for _ in range(n)]
    for example, label in reasoner.query(f"{head}(X,C)").table.tolist():
        if example in row_of:  # a background fact's constant is an example to the reasoner too
            out[row_of[example]].append(by_text.get(label, label))
    return out


def reasoner_program(program: Program, features: Sequence[Feature]) -> Program:
    """The clingo form of a learned program (:func:`clingo_program`) with ``#pred`` annotations.

    The annotations are the learned program's, except for numeric columns,
    whose values are order codes here: ``the age of @(X), as an order code, is @(N)``.

    Parameters
    ----------
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).
    features:
        The fitted features (``FoldSEM.features_``).

    Returns
    -------
    Program
        The clingo form with ``#pred`` annotations.
    """
    expect_type(program, Program, "a Program (a fitted FoldSEM's rules_, or parse_file's)")
    numeric = {f.pred: f for f in features if f.kind == NUMERIC}
    preds = []
    for pred in program.preds:
        f = numeric.get(pred.atom.predicate)
        if f is not None and len(pred.atom.arguments) == 2:
            preds.append(Pred(pred.atom, f"the {f.name} of @(X), as an order code, is @(N)"))
        else:
            preds.append(pred)
    rules = clingo_program(program, list(numeric))
    return Program(tuple(preds) + rules.statements, "<learned, clingo form>")


def example_reasoner(program: Program, X, features: Sequence[Feature], ids: Sequence[str]):
    """A :class:`nesyasp.reason.Reasoner` over the clingo form of ``program`` and the facts of the rows of ``X``.

    ``ids`` name the rows (ASP constants). The same encoding that
    :func:`clingo_predict` runs.

    Parameters
    ----------
    program, X, features:
        As for :func:`clingo_predict`.
    ids:
        The rows' ASP constants.

    Returns
    -------
    Reasoner
        The reasoner, facts added.
    """
    expect_type(program, Program, "a Program (a fitted FoldSEM's rules_, or parse_file's)")
    from nesyasp.reason import Reasoner

    cuts = cut_points(program, [f.pred for f in features if f.kind == NUMERIC])
    return Reasoner(reasoner_program(program, features), example_symbols(X, features, cuts, ids))
