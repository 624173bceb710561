"""Behaviour of the learner: rules, exceptions, binary filters, mixed columns, explanations."""

from __future__ import annotations

import numpy as np

from nesyasp.lang.ast import Comparison, Literal, Pred, Program, Real
from nesyasp.learn import FoldSEM
from nesyasp.learn.core import count_literals


def filter_table(n=200, seed=0):
    """A binarized CNN filter table: bedroom iff f295, except when f12 also fires."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, 3))
    y = np.where((X[:, 0] == 1) & (X[:, 1] == 0), "bedroom", "kitchen")
    return X, y


def test_binary_columns_become_unary_predicates():
    X, y = filter_table()
    est = FoldSEM(feature_names=["f295", "f12", "f7"]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert [f.kind for f in est.features_] == ["binary"] * 3
    text = str(est.rules_)
    assert "f295(X)" in text and "f12(X)" in text
    assert "f7" not in "".join(str(r) for r in est.rules_.rules)
    assert all(len(r.head.arguments) in (1, 2) for r in est.rules_.rules)


def test_exceptions_become_ab_predicates():
    # class a is the default for x <= 5 except where color is red
    X = np.array([[str(x), c] for x in range(10) for c in ("red", "green", "blue", "gold")], dtype=object)
    y = np.array(["a" if int(x) <= 5 and c != "red" else "b" for x, c in X])
    est = FoldSEM(ratio=0.5, min_gain=1, numeric=[0]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert est.rule_set_size_ == count_literals(est.learned_)
    body = [lit for r in est.rules_.rules for lit in r.body]
    assert any(isinstance(l.atom, Comparison) for l in body)


def test_head_is_configurable_and_quoted_classes_are_strings():
    X, y = filter_table()
    y = np.where(y == "bedroom", "Living Room", "k1")
    est = FoldSEM(head="label", feature_names=["a", "b", "c"]).fit(X, y)
    text = str(est.rules_)
    assert 'label(X,"Living Room")' in text or "label(X,k1)" in text
    assert "#pred label(X,C)" in text


def test_mixed_column_string_values_satisfy_no_comparison():
    X = np.array([["1"], ["2"], ["?"], ["?"], ["8"], ["9"], ["?"], ["7"]] * 3, dtype=object)
    y = np.array(["lo", "lo", "unk", "unk", "hi", "hi", "unk", "hi"] * 3)
    est = FoldSEM(min_gain=1, numeric=[0]).fit(X, y)
    assert est.score(X, y) == 1.0
    assert "not N1<=2" in str(est.rules_) or '"?"' in str(est.rules_)
    assert est.predict(np.array([["?"], ["1.5"], ["100"]], dtype=object)).tolist() == ["unk", "lo", "hi"]


def test_decimal_thresholds_print_readably():
    X = np.array([[v] for v in (0.5, 1.25, 30.5, 31.0, 40.75, 41.0)] * 4)
    y = np.array(["a", "a", "a", "b", "b", "b"] * 4)
    est = FoldSEM(min_gain=1, feature_names=["age"]).fit(X, y)
    reals = [lit.atom.right for r in est.rules_.rules for lit in r.body
             if isinstance(lit, Literal) and isinstance(lit.atom, Comparison)]
    assert reals and all(isinstance(t, Real) and str(t) in ("0.5", "1.25", "30.5", "40.75") for t in reals)
    assert "age(X,N1), N1>30.5" in str(est.rules_) or "age(X,N1), N1<=30.5" in str(est.rules_)


def test_program_has_pred_annotations_and_is_a_program():
    X, y = filter_table()
    est = FoldSEM(feature_names=["f295", "f12", "f7"]).fit(X, y)
    assert isinstance(est.rules_, Program)
    preds = {p.atom.predicate for p in est.rules_.statements if isinstance(p, Pred)}
    used = {lit.atom.predicate for r in est.rules_.rules for lit in r.body if not lit.is_comparison}
    assert used <= preds


def test_multiclass_and_missing_values():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 30, size=300)
    X = np.array([[str(v) if v % 7 else ""] for v in x], dtype=object)
    y = np.array(["low" if v < 10 else "mid" if v < 20 else "high" for v in x])
    est = FoldSEM(numeric=[0]).fit(X, y)
    assert set(est.classes_) == {"low", "mid", "high"}
    assert est.score(X, y) > 0.8


def test_trace_names_the_deciding_rule():
    X, y = filter_table()
    est = FoldSEM(feature_names=["f295", "f12", "f7"]).fit(X, y)
    for row in X[:10]:
        e = est.trace(row)
        assert e.prediction == est.predict(row[None, :])[0]
        assert e.rule == est.decision_rule(row[None, :])[0]
        assert str(e).startswith(f"class {e.prediction}")


def test_same_data_same_rules():
    X, y = filter_table(seed=3)
    a = FoldSEM(feature_names=["a", "b", "c"]).fit(X, y)
    b = FoldSEM(feature_names=["a", "b", "c"]).fit(X, y)
    assert str(a.rules_) == str(b.rules_)


def test_rule_stats_are_support_and_precision_of_the_decision_list():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.integers(0, 60, 300), rng.choice(["red", "blue", "?"], 300)]).astype(object)
    y = np.where((X[:, 0].astype(int) > 30) & (X[:, 1] != "red"), "yes", "no")
    y[::25] = "no"  # some noise: precision below 1
    est = FoldSEM(feature_names=["age", "color"], numeric=[0]).fit(X, y)
    stats = est.rule_stats_
    assert [s.rule for s in stats] == list(range(1, len(est.learned_) + 1)) and stats[-1].catch_all
    decided = est.decision_rule(X)
    for k, s in enumerate(stats):
        rows = decided == k
        assert s.support == int(rows.sum())
        assert s.correct == int((y[rows] == est.classes_[s.label]).sum())
    comments = [str(c) for c in est.rules_.statements if type(c).__name__ == "Comment"]
    assert comments[0] == "% " + stats[0].describe(est.classes_.tolist())
    assert f"precision {stats[0].precision:.3f}" in comments[0]


def test_trace_reads_in_column_names_and_table_numbers():
    X = np.array([[str(x), c] for x in range(10) for c in ("red", "green", "blue", "gold")] * 2, dtype=object)
    y = np.array(["a" if int(x) <= 5 and c != "red" else "b" for x, c in X])
    est = FoldSEM(min_gain=1, numeric=[0], feature_names=["age", "color"]).fit(X, y)
    text = str(est.trace(np.array(["2", "red"], dtype=object)))
    assert "age > 5" in text or "age <= 5" in text
    assert "color" in text and "N>" not in text and "N1" not in text
