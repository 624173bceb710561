"""Regression tests from held-out checks of FoldSEM on the cells users hand it: numpy and pandas missing
markers, booleans and datetime64 cells, whatever else the batch holds, and examples given by column name
(a mapping, a one-row data frame, a series) to explain, explain_text and trace."""

from __future__ import annotations

import types
from decimal import Decimal

import numpy as np
import pytest

from nesyasp.errors import DataError
from nesyasp.learn import FoldSEM, plain_facts, plain_rules, read_csv
from nesyasp.learn.emit import class_term

from .helpers import clingo_alone


def _bool_table(n: int = 100):
    rng = np.random.default_rng(0)
    flag, count = rng.random(n) > 0.5, rng.integers(0, 9, n)
    X = np.empty((n, 2), dtype=object)
    X[:, 0], X[:, 1] = flag, count
    return X, np.where(flag, "yes", "no")


def test_a_boolean_cell_reads_alike_whatever_else_the_batch_holds():
    X, y = _bool_table()
    est = FoldSEM(feature_names=["flag", "count"]).fit(X, y)
    alone = est.predict(np.array([[True, 3]], dtype=object))
    beside_a_missing_cell = est.predict(np.array([[True, 3], [None, 3]], dtype=object))
    assert alone[0] == beside_a_missing_cell[0] == "yes"  # was 'no' beside None: True then read as the text "True"
    X[5, 0] = None  # a missing cell in training keeps the column's numbers: True is 1, False 0
    est = FoldSEM(feature_names=["flag", "count"]).fit(X, y)
    assert est.features_[0].kind == "numeric" and est.features_[0].values == ("",)
    assert list(est.predict(np.array([[True, 3], [False, 3]], dtype=object))) == ["yes", "no"]


class NAType:
    """A stand-in for the type of ``pandas.NA`` (pandas is no dependency): its text is ``<NA>``."""

    __module__ = "pandas._libs.missing"

    def __str__(self) -> str:
        return "<NA>"


class NaTType(NAType):
    """A stand-in for the type of ``pandas.NaT``."""

    __module__ = "pandas._libs.tslibs.nattype"

    def __str__(self) -> str:
        return "NaT"


def test_numpy_decimal_and_pandas_missing_markers_are_missing_cells():
    pd = types.SimpleNamespace(NA=NAType(), NaT=NaTType())
    rng = np.random.default_rng(1)
    age = rng.integers(0, 100, 80).astype(object)
    y = np.where(age > 50, "old", "young")
    for k, marker in enumerate([np.float32("nan"), Decimal("NaN"), np.datetime64("NaT"), pd.NA, pd.NaT]):
        age[k] = marker
    est = FoldSEM(feature_names=["age"]).fit(age.reshape(-1, 1), y)
    assert est.features_[0].values == ("",)  # was ('<NA>', 'NaN', 'NaT', 'nan')
    for marker in (pd.NA, np.float32("nan")):
        assert 'the age of x is "", not a number' in est.explain_text([marker])


def test_a_datetime64_column_is_a_date_column_and_nat_a_missing_cell():
    rng = np.random.default_rng(2)
    days = np.datetime64("2024-01-01") + rng.integers(0, 365, 90).astype("timedelta64[D]")
    y = np.where(days > np.datetime64("2024-06-01"), "late", "early")
    days[4] = np.datetime64("NaT")  # was read as the number -9.2e18 (numpy's cast), so 'early' by a threshold
    est = FoldSEM(feature_names=["when"]).fit(days.reshape(-1, 1), y)
    assert est.features_[0].unit is not None and est.features_[0].unit.kind == "date"
    assert est.features_[0].values == ("",)
    as_objects = np.empty((90, 1), dtype=object)
    as_objects[:, 0] = list(days)
    assert str(FoldSEM(feature_names=["when"]).fit(as_objects, y).rules_) == str(est.rules_)
    late = np.array([["2024-11-02"]], dtype="datetime64[D]")
    assert est.predict(late)[0] == est.predict(np.vstack([late, [[np.datetime64("NaT")]]]))[0] == "late"
    assert "the when of x (2024-11-02) is greater than" in est.explain_text(late)
    found = clingo_alone(plain_rules(est), plain_facts(est, days.reshape(-1, 1)))
    assert [found[f"e{i}"] for i in range(90)] == [str(class_term(c)) for c in est.predict(days.reshape(-1, 1))]


def _named():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.integers(0, 100, 80), rng.choice(["red", "blue"], 80)]).astype(object)
    X[:, 0] = X[:, 0].astype(int)
    y = np.where((X[:, 0] > 50) & (X[:, 1] == "blue"), "yes", "no")
    return FoldSEM(feature_names=["age", "colour"]).fit(X, y), X


def test_an_example_by_column_names_is_read_by_name():
    est, X = _named()
    row = X[np.flatnonzero(est.predict(X) == "yes")[0]]
    text = est.explain_text(row)
    assert est.explain_text({"colour": row[1], "age": row[0]}) == text  # a mapping was read as its keys
    assert str(est.trace({"colour": row[1], "age": row[0]})) == str(est.trace(row))
    assert est.explain_text({0: row[0], 1: row[1]}) == text  # keys that are not names: by place, as sklearn does
    table = read_csv("one.csv", text=f"age,colour\n{row[0]},{row[1]}\n")
    assert est.explain_text(table) == text
    with pytest.raises(DataError, match="no value for column 'colour'"):
        est.explain({"age": 70})
    with pytest.raises(DataError, match="unknown column 'size'"):
        est.explain({"age": 70, "colour": "red", "size": 3})
    with pytest.raises(DataError, match="the example has 3 cells; the estimator was fitted on 2 columns"):
        est.explain_text([70, "red", 3])


def test_pandas_rows_are_read_by_column_name():
    pd = pytest.importorskip("pandas")
    est, X = _named()
    frame = pd.DataFrame({"age": X[:, 0].astype(int), "colour": X[:, 1]})
    est = FoldSEM().fit(frame, est.predict(X))
    i = int(np.flatnonzero(est.predict(frame) == "yes")[0])
    text = est.explain_text(X[i])
    assert est.explain_text(frame.iloc[[i]]) == text  # was: the header's names read as the row's cells
    assert est.explain_text(frame.iloc[i][["colour", "age"]]) == text  # was: cells taken in the series' order
    assert str(est.trace(frame.iloc[[i]])) == str(est.trace(X[i]))
    renamed = FoldSEM(feature_names=["years", "hue"]).fit(frame, est.predict(frame))  # the frame's names still
    assert renamed.explain_text(frame.iloc[i]) == renamed.explain_text({"hue": X[i, 1], "years": X[i, 0]})
    unnamed = pd.DataFrame(X)  # columns 0, 1: no names, so by place
    assert FoldSEM(feature_names=["age", "colour"]).fit(unnamed, est.predict(frame)).explain_text(unnamed.iloc[i]) == text
    frame.loc[i, "age"] = pd.NA
    assert 'the age of x is "", not a number' in est.explain_text(frame.astype({"age": "Int64"}).iloc[i])


def test_a_missing_label_is_a_data_error_naming_its_row():
    X, _ = _bool_table(8)
    with pytest.raises(DataError, match=r"the label of row 3 is missing \(None\)"):  # was a TypeError from sorting
        FoldSEM().fit(X, ["a", "b", "a", None, "b", "a", "b", "a"])


def test_explanations_name_the_columns_a_background_rule_reads_and_show_a_missing_cell():
    rng = np.random.default_rng(4)
    left, right = rng.choice(["r", "g", "b"], 90), rng.choice(["r", "g", "b"], 90)
    X = np.column_stack([left, right, rng.integers(0, 9, 90)]).astype(object)
    est = FoldSEM(background="same_colour(X) :- left(X,C), right(X,C).", feature_names=["left", "right", "n"]).fit(
        X, np.where(left == right, "same", "diff"))
    text = est.explain_text(["g", "g", 3])
    assert "the left of x is g" in text and "the right of x is g" in text  # was "'left' holds (for x, and g)"
    assert 'the right of x is "", not g' in est.explain_text(["g", None, 3])  # was 'is , not g'


def test_datetime64_cells_of_any_unit_read_as_dates_or_date_times():
    hours = np.datetime64("2024-03-05T00", "h") + np.arange(0, 96, 2).astype("timedelta64[h]")
    y = np.where(hours > np.datetime64("2024-03-06T12", "h"), "late", "early")
    est = FoldSEM(feature_names=["when"]).fit(hours.reshape(-1, 1), y)  # '2024-03-05T10' was no form: a category
    assert est.features_[0].unit is not None and est.features_[0].unit.kind == "datetime"
    cells = np.empty((48, 1), dtype=object)
    cells[:, 0] = list(hours)
    assert list(est.predict(cells)) == list(y) and "is greater than 2024-03-06T1" in est.explain_text(cells[-1])
