"""Numbers of any magnitude: the learned program, the facts and every explanation agree with predict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.errors import DataError
from nesyasp.lang import check_program
from nesyasp.learn import FoldSEM
from nesyasp.learn.asp import code_values
from nesyasp.learn.asp_reason import clingo_predict
from nesyasp.learn.emit import class_term
from nesyasp.learn.plain import plain_facts, plain_rules


def plain_clingo_classes(rules: str, facts: str, head: str = "target") -> dict[str, str]:
    """What clingo alone derives from the written files (no nesyasp in this function)."""
    import clingo

    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], rules)
    ctl.add("base", [], facts)
    ctl.ground([("base", [])])
    out: dict[str, list[str]] = {}

    def on_model(model):
        for sym in model.symbols(atoms=True):
            if sym.name == head and len(sym.arguments) == 2:
                arg = sym.arguments[1]
                out.setdefault(str(sym.arguments[0]), []).append(
                    arg.string if arg.type == clingo.SymbolType.String else str(arg))

    assert ctl.solve(on_model=on_model).satisfiable
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def assert_everything_agrees(est, X, explain_rows=4):
    predicted = est.predict(X)
    derived = clingo_predict(est.rules_, X, est.features_, est.classes_.tolist(), est.head)
    assert [d for d in derived] == [[p] for p in predicted]
    assert all(d.severity != "error" for d in check_program(est.rules_))
    written = plain_clingo_classes(plain_rules(est), plain_facts(est, X))
    assert [written[f"e{i}"] for i in range(len(predicted))] == [str(p) for p in predicted]
    for i in np.linspace(0, len(X) - 1, explain_rows).astype(int):
        node = est.explain(X[i])
        assert node.holds and node.literal == f"{est.head}(x,{class_term(predicted[i])})"
        text = est.explain_text(X[i])
        assert text.startswith(f"x is of class {predicted[i]} (")
        assert est.trace(X[i]).prediction == predicted[i]


def test_mixed_scales_in_one_column():
    """A tiny threshold and a large one in the same column (the issue's amount column)."""
    rng = np.random.default_rng(0)
    small = rng.uniform(0, 0.003, 60)
    large = rng.uniform(1e5, 6e5, 60)
    amount = np.r_[small, large]
    y = np.where((amount <= 0.0015) | (amount > 285885), "fraud", "ok")
    X = amount[:, None].astype(object)
    est = FoldSEM(min_gain=1, tail=0, feature_names=["amount"]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert_everything_agrees(est, X)
    text = est.explain_text(X[int(np.argmax(amount))])
    assert "the amount of x (" in text


def test_epoch_millisecond_timestamps():
    rng = np.random.default_rng(1)
    ts = rng.integers(1_600_000_000_000, 1_700_000_000_000, 120)
    y = np.where(ts > 1_650_000_000_000, "late", "early")
    est = FoldSEM(min_gain=1, feature_names=["ts"]).fit(ts[:, None], y)
    assert "ts(X,N1)" in str(est.rules_) and ".0" in str(est.rules_)  # outside 32 bits: printed as a decimal
    assert_everything_agrees(est, ts[:, None])


def test_values_past_32_bits_are_not_clamped():
    """3,000,000,000 is not <= 2,147,483,646: no value is clamped onto clingo's bound."""
    X = np.array([[2147483646], [2147483645], [3_000_000_000], [4_000_000_000]] * 30, dtype=np.int64)
    y = np.array(["a", "a", "b", "b"] * 30)
    est = FoldSEM(min_gain=1, feature_names=["n"]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert_everything_agrees(est, X)


def test_64_bit_ids_and_infinities():
    X = np.array([[2 ** 62 + 7.0], [2 ** 62 + 2 ** 12], [-np.inf], [np.inf], [5.0], [2 ** 63]] * 10)
    y = np.array(["a", "b", "a", "b", "a", "b"] * 10)
    est = FoldSEM(min_gain=1, tail=0, feature_names=["big"]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert_everything_agrees(est, X, explain_rows=6)


def test_python_int_too_large_for_a_double_names_column_and_row():
    X = np.array([[1, "a"], [2, "b"], [10 ** 400, "a"], [3, "b"]], dtype=object)
    with pytest.raises(DataError, match=r"column 'big', row 2: the number 1000.* is too large"):
        FoldSEM(feature_names=["big", "c"]).fit(X, ["x", "y", "x", "y"])
    text = np.array([["1"], ["1e400"], ["2"], ["3"]], dtype=object)
    with pytest.raises(DataError, match=r"column 'f0', row 1: the number 1e400"):
        FoldSEM(numeric=[0]).fit(text, ["x", "y", "x", "y"])


def test_order_codes():
    cuts = np.array([-1.5, 0.0, 1e12])
    values = np.array([-np.inf, -1.5, -1.0, 0.0, 3.0, 1e12, 2e12, np.inf])
    codes = code_values(values, cuts)
    assert codes.tolist() == [0, 1, 2, 3, 4, 5, 6, 6]
    for v, c in zip(values, codes):  # every comparison with every cut point keeps its truth value
        for i, t in enumerate(cuts):
            assert (v <= t) == (c <= 2 * i + 1) and (v > t) == (c > 2 * i + 1) and (v == t) == (c == 2 * i + 1)


NUMBER = st.one_of(st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False, width=64),
                   st.sampled_from([0.0015, 285885.0, 1_600_345_600_095, -5_000_000_000, 2 ** 31 - 2, 2 ** 31]))
CELL = st.one_of(NUMBER, NUMBER.map(str), st.sampled_from(["?", "", "red", "not", "Blue sky", "_x"]))
NAME = st.one_of(st.text(max_size=6), st.sampled_from(["not", "_example", "Target", "target", "ab1", "rule2",
                                                       "1st", "é", "a-b", "A B", ""]))


@settings(max_examples=30, deadline=None)
@given(st.integers(6, 24).flatmap(lambda n: st.tuples(
    st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=n, max_size=n),
    st.lists(st.sampled_from(["yes", "no", "not", "Maybe so"]), min_size=n, max_size=n))),
    st.lists(NAME, min_size=3, max_size=3))
def test_generated_names_and_values_give_programs_the_checker_and_clingo_accept(table, names):
    rows, labels = table
    X = np.array(rows, dtype=object)
    y = np.array(labels)
    if len(set(labels)) < 2 or all(all(c in ("", None) for c in col) for col in X.T):
        return
    try:
        est = FoldSEM(min_gain=1, tail=0, feature_names=names).fit(X, y)
    except DataError as exc:
        assert "too large for a 64-bit float" in str(exc) or "has no values" in str(exc)
        return
    assert all(d.severity != "error" for d in check_program(est.rules_))
    preds = [f.pred for f in est.features_]
    assert len(set(preds)) == len(preds) and "not" not in preds and "_example" not in preds
    assert_everything_agrees(est, X, explain_rows=2)
