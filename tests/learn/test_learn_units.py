"""Columns of dates, date-times, money and percentages: numbers for the learner and clingo, their own form
for people, and every way of running the rules agreeing with ``predict``."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.cli import main
from nesyasp.lang import check_program, parse_program
from nesyasp.learn import FoldSEM, read_csv
from nesyasp.learn.asp_reason import clingo_predict
from nesyasp.learn.emit import class_term
from nesyasp.learn.encode import parse_column
from nesyasp.learn.plain import plain_facts, plain_rules, read_plain
from nesyasp.learn.plain_predict import hand_facts, predict_facts
from nesyasp.learn.units import DATE, DATETIME, MONEY, PERCENT, Unit, apply_unit, detect_unit

from .helpers import clingo_alone


def unit_of(cells):
    return detect_unit(parse_column(np.asarray(cells, dtype=object), True), "c")


@pytest.mark.parametrize("cells, unit, numbers", [
    (["2024-03-05", "1970-01-02", ""], Unit(DATE), [19787, 1]),
    (["2024-03-05T10:20:00", "2024-03-05 10:20:30.5"], Unit(DATETIME), [1709634000, 1709634030.5]),
    (["2024-03-05T10:20:00Z", "1970-01-01T00:00:01Z"], Unit(DATETIME, zone="Z"), [1709634000, 1]),
    (["2024-03-05T11:20:00+01:00", "1970-01-01T01:00:01+01:00"], Unit(DATETIME, zone="+01:00"), [1709634000, 1]),
    (["2024-03-05T11:20:00+01:00", "2024-03-05T10:20:00Z"], Unit(DATETIME, zone="Z"), [1709634000, 1709634000]),
    (["$1,234.50", "-$3.10", "$-2", "($5.00)", "?"], Unit(MONEY, "$", True, False, 2), [1234.5, -3.1, -2, -5]),
    (["-€3.10", "€1,000,000"], Unit(MONEY, "€", True, False, 2), [-3.1, 1e6]),
    (["12.00 €", "-0.5 €"], Unit(MONEY, "€", False, True, 2), [12, -0.5]),
    (["USD 12", "USD 1,200.25"], Unit(MONEY, "USD", True, True, 2), [12, 1200.25]),
    (["12%", "-0.5 %", "100%"], Unit(PERCENT, "%"), [12, -0.5, 100]),
    (["12,50 €", "-3,10 €", "1.234,50 €"], Unit(MONEY, "€", False, True, 2, comma=True), [12.5, -3.1, 1234.5]),
    (["1.234 €", "12.500 €"], Unit(MONEY, "€", False, True, 0, comma=True), [1234, 12500]),  # fewer decimals wins
    (["$1,234", "$12,000"], Unit(MONEY, "$", True, False, 0), [1234, 12000]),
    (["12,5 %", "3%"], Unit(PERCENT, "%", comma=True), [12.5, 3]),
])
def test_a_column_of_one_form_reads_as_numbers(cells, unit, numbers):
    assert unit_of(cells) == unit
    parsed = apply_unit(parse_column(np.asarray(cells, dtype=object), True), unit)
    assert parsed.num[~np.isnan(parsed.num)].tolist() == numbers
    for value in numbers:  # the form shown for people reads back as the same number
        assert unit.parse(unit.format(value)) == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("cells", [
    ["2024-03-05", "2024-03-05T10:00:00"],          # a date next to a date-time
    ["2024-03-05T10:00:00", "2024-03-05T10:00:00Z"],  # naive next to zoned
    ["$12", "€12"],                                   # two currencies
    ["$12", "12"],                                    # a plain number in a money column
    ["$12", "12 $"],                                  # the symbol on both sides
    ["1,234", "2,000"],                               # no symbol: not money
    ["12%", "abc"],
    ["12.5%", "3,5%"],                                # a decimal point next to a decimal comma
    ["1,5 €", "2.5 €"],
    ["red", "blue"],
])
def test_a_column_of_mixed_forms_is_read_as_written(cells):
    assert unit_of(cells) is None


def test_an_impossible_date_is_named_and_the_column_read_as_written(caplog):
    cells = [f"2024-03-{d:02d}" for d in range(1, 29)] + ["2024-02-30"]
    with caplog.at_level(logging.WARNING):
        assert unit_of(cells) is None
    assert "column 'c': most cells are ISO dates but '2024-02-30' (row 28)" in caplog.text


def test_formats_of_thresholds():
    assert Unit(DATE).format(19787) == "2024-03-05"
    assert Unit(DATETIME, zone="+01:00").format(1709634000) == "2024-03-05T11:20:00+01:00"
    assert Unit(DATETIME, zone="Z").format(1709634000.25) == "2024-03-05T10:20:00.250000Z"
    assert Unit(MONEY, "$", decimals=2).format(1234.5) == "$1,234.50"
    assert Unit(MONEY, "$", decimals=2).format(0.125) == "$0.125"   # exact: never rounded away
    assert Unit(MONEY, "€", False, True, 2).format(-3.1) == "-3.10 €"
    assert Unit(PERCENT, "%").format(12.5) == "12.5%"
    assert Unit(MONEY, "€", False, True, 2, comma=True).format(-1234.5) == "-1.234,50 €"
    assert Unit(PERCENT, "%", comma=True).format(12.5) == "12,5%"
    assert Unit(DATE).format(1e12).endswith("(ISO dates, as days since 1970-01-01)")  # past year 9999


def _table(n: int = 96) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(3)
    days = rng.integers(19000, 20000, n)
    seconds = rng.integers(1_700_000_000, 1_760_000_000, n)
    price = rng.choice([3.1, 99.99, 1234.5, 12000.0, 450.25, -20.0], n)
    rate = rng.integers(0, 100, n)
    from datetime import datetime, timezone
    X = np.empty((n, 5), dtype=object)
    for i in range(n):
        X[i, 0] = (date(1970, 1, 1) + timedelta(days=int(days[i]))).isoformat() if i % 23 else "?"
        X[i, 1] = datetime.fromtimestamp(int(seconds[i]), timezone(timedelta(hours=2))).isoformat()
        X[i, 2] = f"-${-price[i]:,.2f}" if price[i] < 0 else f"${price[i]:,.2f}"
        X[i, 3] = f"{rate[i]}%"
        X[i, 4] = ["red", "blue"][i % 2]
    y = np.where((days > 19500) & (X[:, 0] != "?"), "a",
                 np.where(price > 400, "b", np.where(seconds > 1_730_000_000, "c", np.where(rate > 50, "d", "e"))))
    return X, y, ["when", "stamp", "price", "rate", "colour"]


@pytest.fixture(scope="module")
def fitted():
    X, y, names = _table()
    est = FoldSEM(min_gain=1, tail=0, feature_names=names).fit(X, y)
    return est, X, y


def test_units_are_learned_and_rules_read_in_their_form(fitted):
    est, X, y = fitted
    assert [f.unit.kind if f.unit else None for f in est.features_] == [DATE, DATETIME, MONEY, PERCENT, None]
    assert est.score(X, y) > 0.95
    text = str(est.rules_)
    assert "% in the column's form: when > 2023-05-10\nrule1(X) :- when(X,N1), N1>19487." in text
    assert "% in the column's form: price > $100.00" in text and "stamp > 2024-08-14T13:40:39+02:00" in text
    assert "% in the column's form: rate > 26%" in text
    assert "the when of @(X) is @(N) (ISO dates, as days since 1970-01-01)" in text
    assert not [d for d in check_program(est.rules_) if d.severity == "error"]


def test_explanations_and_traces_show_the_columns_form(fitted):
    est, X, _ = fitted
    late = next(i for i in range(len(X)) if X[i, 0] != "?" and X[i, 0] > "2023-05-16")
    text = est.explain_text(X[late])
    assert f"the when of x ({X[late, 0]}) is greater than 2023-05-10" in text
    assert "rule 1: when > 2023-05-10 holds" in str(est.trace(X[late]))
    assert "the price of x ($3.10) is less than or equal to $100.00" in est.explain_text(X[3])
    assert "the rate of x (83%) is greater than 26%" in est.explain_text(X[3])
    assert "rule 3: stamp > 2024-08-14T13:40:39+02:00 does not hold" in str(est.trace(X[3]))
    missing = next(i for i in range(len(X)) if X[i, 0] == "?")
    assert 'the when of x is "?", not a number' in est.explain_text(X[missing])


def assert_every_way_agrees(est, X) -> None:
    """``predict``, the clingo form (explain's), the written rules in plain clingo on ``--facts-out`` facts, and
    ``--predict`` on facts written by hand in the columns' own forms give the same class on every row."""
    import tempfile

    predicted = est.predict(X)
    assert [r[0] for r in clingo_predict(est.rules_, X, est.features_, est.classes_.tolist())] == predicted.tolist()
    expected = {f"e{i}": str(class_term(p)) for i, p in enumerate(predicted)}
    rules, facts = plain_rules(est), plain_facts(est, X)
    assert not [d for d in check_program(parse_program(rules), example_guard=False) if d.severity == "error"]
    assert clingo_alone(rules, facts) == expected
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.lp"
        path.write_text(rules, encoding="utf-8")
        plain = read_plain(path)
    written = {f.pred: f.unit for f in plain.features}
    assert written == {f.pred: f.unit for f in est.features_ if f.pred in written}
    lines = []
    for i in range(len(X)):
        lines.append(f"_example(e{i}).")
        for j, f in enumerate(est.features_):
            value = f'"{X[i, j]}"' if f.kind == "numeric" else str(class_term(X[i, j]))
            lines.append(f"{f.pred}(e{i},{value}).")
    answers = predict_facts(plain, hand_facts(plain, parse_program("\n".join(lines))))
    assert {e: atom[atom.rindex(",") + 1:-1] for e, atom, _ in answers} == expected


def test_predict_clingo_facts_out_and_predict_agree_on_every_row(fitted):
    est, X, _ = fitted
    assert_every_way_agrees(est, X)


DATES = st.integers(-400, 40000).map(lambda d: (date(1970, 1, 1) + timedelta(days=d)).isoformat())
MONEY_CELLS = st.integers(-10**9, 10**9).map(lambda c: f"{'-' if c < 0 else ''}${abs(c) / 100:,.2f}")
PERCENTS = st.integers(-500, 500).map(lambda k: f"{k / 4:g}%")
MISSING_CELLS = st.sampled_from(["?", ""])


@settings(max_examples=20, deadline=None)
@given(st.integers(8, 30).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.one_of(DATES, DATES, DATES, MISSING_CELLS), MONEY_CELLS,
                       st.one_of(PERCENTS, PERCENTS, MISSING_CELLS)), min_size=n, max_size=n),
    st.lists(st.sampled_from(["yes", "no", "1"]), min_size=n, max_size=n))))
def test_generated_tables_of_dates_money_and_percentages_agree_every_way(table):
    rows, labels = table
    X = np.array([list(r) for r in rows], dtype=object)
    if len(set(labels)) < 2 or any(len(set(X[:, j]) - {"?", ""}) == 0 for j in range(3)):
        return
    est = FoldSEM(min_gain=1, tail=0, feature_names=["when", "price", "rate"]).fit(X, np.array(labels))
    assert [f.unit.kind for f in est.features_] == [DATE, MONEY, PERCENT]
    assert_every_way_agrees(est, X)


def test_cli_learn_prints_and_predicts_in_the_columns_form(tmp_path, capsys):
    X, y, names = _table()
    path = tmp_path / "t.csv"
    rows = [",".join(["id"] + names + ["y"])]
    rows += [",".join([f"p{i}"] + [f'"{c}"' if "," in c else c for c in X[i]] + [y[i]]) for i in range(len(X))]
    path.write_text("\n".join(rows) + "\n")
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(path), "--target", "y", "--split", "1"]) == 0
    captured = capsys.readouterr()
    assert "when (ISO dates, as days since 1970-01-01)" in captured.err and "price (amounts in $)" in captured.err
    assert "% in the column's form: when > 20" in captured.out
    assert main(["learn", str(path), "--target", "y", "--split", "1", "-o", str(rules), "--facts-out",
                 str(facts)]) == 0
    written = rules.read_text()
    assert 'when_gt(X,"20' in written and "ISO dates, as days since 1970-01-01: cut point" in written
    table = read_csv(path)
    est = FoldSEM(feature_names=names).fit(table.take(names), table.labels("y"))
    expected = {f"p{i}": str(class_term(p)) for i, p in enumerate(est.predict(table.take(names)))}
    assert clingo_alone(rules, facts) == expected
    capsys.readouterr()
    assert main(["learn", "--predict", str(path), "--rules", str(rules)]) == 0   # a CSV in the columns' forms
    got = dict(line[len("target("):-1].split(",", 1) for line in capsys.readouterr().out.split())
    assert got == expected
    hand = tmp_path / "rows.lp"  # hand-written facts in the columns' forms, explained in those forms
    hand.write_text("".join(f'{p}(p{i},"{X[i, j]}"). ' for i in range(6) for j, p in enumerate(["when", "stamp",
                                                                                                "price", "rate"])))
    assert main(["learn", "--predict", str(hand), "--rules", str(rules), "--explain"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"the when of p\d \(\d{4}-\d\d-\d\d\) is (less than or equal to|greater than) \d{4}-", out)
    assert not re.search(r"the (when|stamp|price|rate) of p\d \(-?[\d.]+\)", out)  # no day counts, no bare amounts
    assert not re.search(r"(other than|equal to) -?\d+( |,|$)", out, re.M)
    assert re.search(r"the price of p\d \(-?\$[\d,.]+\) is (greater than|less than or equal to) \$[\d,.]+", out)
    assert re.search(r"the rate of p\d \([\d.]+%\) is (greater than|less than or equal to) [\d.]+%", out)


def test_text_rows_of_a_table_explain_as_the_table_does(fitted):
    X, y, names = _table()
    text = "\n".join([",".join(names + ["y"])] + [",".join(f'"{c}"' for c in X[i]) + f",{y[i]}" for i in range(len(X))])
    table = read_csv("t.csv", text=text + "\n")
    est = FoldSEM(min_gain=1, tail=0, feature_names=names).fit(table.take(names), table.labels("y"))
    cells = table.take(names).cells
    assert est.predict(cells).tolist() == est.predict(table.take(names)).tolist()
    for i in (0, 1, 3):  # text rows of the table read as the arrays of the same cells do
        assert est.explain_text(cells[i]) == est.explain_text(X[i])
        assert str(est.trace(cells[i])) == str(est.trace(X[i]))


def test_a_declared_categorical_date_column_stays_categorical():
    X = np.array([[f"2024-03-{d:02d}"] for d in range(1, 21)], dtype=object)
    y = ["a" if d < 10 else "b" for d in range(1, 21)]
    est = FoldSEM(min_gain=1, categorical=[0]).fit(X, y)
    assert est.features_[0].kind == "categorical" and est.features_[0].unit is None
    assert FoldSEM(min_gain=1).fit(X, y).features_[0].unit == Unit(DATE)


def test_a_money_column_of_zeros_and_ones_is_not_binary():
    X = np.array([["$0.00"], ["$1.00"]] * 6, dtype=object)
    est = FoldSEM(min_gain=1).fit(X, ["a", "b"] * 6)
    assert est.features_[0].kind == "numeric" and est.features_[0].unit.kind == MONEY


def test_unseen_form_at_predict_time_is_a_string_not_a_number(fitted):
    est, X, _ = fitted
    row = X[1].copy()
    row[0] = "2024-02-30"   # not a date: satisfies no comparison, everywhere alike
    assert est.predict(np.asarray([row]))[0] == clingo_predict(est.rules_, np.asarray([row]), est.features_,
                                                                est.classes_.tolist())[0][0]


@pytest.mark.parametrize("unit, texts", [
    (Unit(DATE), ["2024-03-05", "1969-12-31", "0001-01-01", "9999-12-31"]),
    (Unit(DATETIME), ["2024-03-05T10:20:30.123457", "2024-03-05 10:20", "1969-12-31T23:59:59.999999"]),
    (Unit(MONEY, "$", decimals=2), ["$1,234.50", "-$0.10", "$.5", "$ 12", "$1,000,000.015"]),
    (Unit(MONEY, "€", False, True, 2), ["3.10 €", "-1,200 €"]),
    (Unit(PERCENT, "%"), ["12%", "-0.5 %", "+7.%", ".25%"]),
    (Unit(MONEY, "€", False, True, 2, comma=True), ["1.234,50 €", "-0,10 €", ",5 €", "12 €"]),
    (Unit(PERCENT, "%", comma=True), ["12,5%", "-0,5 %", "3%"]),
])
def test_the_vectorized_reading_gives_the_numbers_of_parse(unit, texts):
    from nesyasp.learn._unitfast import fast_values

    fast = fast_values(unit, texts)
    assert fast is not None and fast.tolist() == [unit.parse(t) for t in texts]
    assert unit.parse_many(texts + ["?"])[:-1].tolist() == fast.tolist()


@pytest.mark.parametrize("unit, texts", [
    (Unit(DATE), ["2024-02-30"]),                      # numpy refuses it: text by text, NaN
    (Unit(DATE), ["0000-01-01"]),                      # numpy reads year 0, Python's dates do not: NaN
    (Unit(DATETIME), ["2024-03-05T24:00:00"]),
    (Unit(MONEY, "$", decimals=2), ["($5.00)", "$1"]),  # parentheses: text by text
    (Unit(DATETIME, zone="Z"), ["2024-03-05T10:20:00Z"]),
    (Unit(DATE), ["2024-03-05", ""]),
])
def test_other_forms_are_read_text_by_text(unit, texts):
    from nesyasp.learn._unitfast import fast_values

    assert fast_values(unit, texts) is None
    slow = unit.parse_many(texts)
    assert np.array_equal(slow, np.asarray([unit.parse(t) for t in texts]), equal_nan=True)


def test_an_amount_too_large_for_a_double_names_column_and_row():
    from nesyasp.errors import DataError

    X = np.array([["$1.00"], ["$" + "1" * 400], ["$2.00"]], dtype=object)
    with pytest.raises(DataError, match=r"column 'f0', row 1: the number \$1111"):
        FoldSEM().fit(X, ["a", "b", "a"])


def test_a_european_excel_export_reads_money_and_decimal_commas(tmp_path, capsys):
    # ';' between cells, decimal commas in plain numbers, amounts and percentages
    rows = ["Datum;Betrag;Anteil;Gewicht;y"]
    for i in range(40):
        amount = f"{(i * 61.25):,.2f}".translate(str.maketrans(",.", ".,"))
        weight = f"{i / 4:.2f}".replace(".", ",")
        rows.append(f"2024-01-{1 + i % 28:02d};{amount} €;{i % 7},5 %;{weight};{'teuer' if i * 61.25 > 1000 else 'billig'}")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["learn", str(path), "--target", "y", "--split", "1"]) == 0
    captured = capsys.readouterr()
    assert "cells separated by semicolons (detected)" in captured.err
    assert "decimal commas read as numbers in column Gewicht" in captured.err
    assert "Betrag (amounts in €)" in captured.err and "Anteil (percentages" in captured.err
    assert "% in the column's form: Betrag > 980,00 €" in captured.out
