"""``FoldSEM.explain``: the reasoner's justification tree of a prediction."""

from __future__ import annotations

import re

import json

import numpy as np
import pytest

from nesyasp.errors import DataError, NotFittedError
from nesyasp.learn import FoldSEM, read_csv, split_target
from nesyasp.learn.asp_reason import example_reasoner, reasoner_program
from nesyasp.learn.emit import class_term
from nesyasp.reason import check_justification, render_text, walk


def fitted(shared_dir, name, **kw):
    root = shared_dir / "data" / "tabular"
    meta = json.loads((root / "datasets.json").read_text())[name]
    X, y, names = split_target(read_csv(root / name / meta["files"][0], ragged="fit"), meta["label"],
                               meta["numeric"] + meta["categorical"])
    n = len(y) * 4 // 5
    est = FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=names, **kw)
    return est.fit(X[:n], y[:n]), X[n:]


def rows_per_rule(est, X, per_rule=2):
    """A few rows decided by each default rule (the catch-all included, when it decides any)."""
    decided = est.decision_rule(X)
    return [int(i) for k in np.unique(decided) for i in np.flatnonzero(decided == k)[:per_rule]]


@pytest.mark.parametrize("name", ["credit", "wine", "voting", "titanic"])
def test_tree_root_is_the_predicted_atom(shared_dir, name):
    """credit has '?' cells in numeric columns, wine decimals, voting categories, titanic missing values."""
    est, X = fitted(shared_dir, name, min_gain=1)
    for i in rows_per_rule(est, X):
        node = est.explain(X[i])
        assert node.holds and node.because == "rule"
        assert node.literal == f"target(x,{class_term(est.predict(X[i:i + 1])[0])})"
        reasoner = example_reasoner(est.rules_, X[i:i + 1], est.features_, ["x"])
        again = reasoner.explain(node.literal)  # the same tree, from a reasoner the test holds
        assert render_text(again) == render_text(node)
        assert check_justification(again, reasoner.model()) == []


def test_catch_all_class_is_justified_by_failing_rules(shared_dir):
    est, X = fitted(shared_dir, "wine", min_gain=1)
    last = len(est.learned_) - 1
    decided = est.decision_rule(X)
    assert (decided == last).any(), "no held-out row reaches the catch-all rule"
    i = int(np.flatnonzero(decided == last)[0])
    node = est.explain(X[i])
    guards = [c for c in node.children if c.negated]
    assert guards and all(c.holds and c.literal.startswith("not rule") for c in guards)
    assert all(not c.children[0].holds for c in guards)  # each guarded rule fails for x


def test_tree_renders_in_english_with_annotations(shared_dir):
    est, X = fitted(shared_dir, "wine", min_gain=1)
    node = est.explain(X[0], name="bottle7")
    label = est.predict(X[:1])[0]
    plain = render_text(node)
    assert plain.startswith(f"'target' holds (for bottle7, and {label}), because")
    text = est.explain_text(X[0], name="bottle7")
    k = est.decision_rule(X[:1])[0]
    assert text.startswith(f"bottle7 is of class {label} ({est.rule_stats_[k].confidence()}), because")
    assert "as an order code" in render_text(node, {
        p.atom.signature: p for p in reasoner_program(est.rules_, est.features_).preds})
    # every comparison names its column, shows the bottle's own cell and a learned threshold, and is true
    cells = {f.name: float(X[0][j]) for j, f in enumerate(est.features_)}
    thresholds = {float(t) for t in re.findall(r"[<>]=?(-?\d+(?:\.\d+)?)", str(est.rules_))}
    said = re.findall(r"the (\w+) of bottle7 \((-?[\d.]+)\) is (less than or equal to|greater than) (-?\d+(?:\.\d+)?)", text)
    assert said
    for name, value, words, threshold in said:
        assert float(value) == cells[name] and float(threshold) in thresholds
        assert (cells[name] <= float(threshold)) == (words == "less than or equal to")
    assert not re.search(r"(^|\s)-?\d+(\.\d+)? is (less|greater)", text)  # no bare number compared
    assert all(n.literal for n in walk(node))
    assert check_justification(node, est_reasoner(est, X[:1], "bottle7").model()) == []


def est_reasoner(est, rows, name):
    from nesyasp.learn.asp_reason import example_reasoner

    return example_reasoner(est.rules_, np.asarray(rows, dtype=object), est.features_, [name])


def test_binary_features_custom_head():
    X = np.array([[1, 0], [1, 1], [0, 0], [0, 1]] * 3)
    y = ["bedroom", "kitchen", "kitchen", "kitchen"] * 3
    est = FoldSEM(min_gain=1, feature_names=["f295", "f12"], head="scene").fit(X, y)
    node = est.explain([1, 0], name="img")
    assert node.literal == "scene(img,bedroom)" and node.holds
    assert "img has f295" in est.explain_text([1, 0], name="img")
    assert est.explain(np.array([[0, 1]]), name="img").literal == "scene(img,kitchen)"


def test_numbers_are_order_codes_in_the_tree():
    X = np.array([["1.5"], ["1.55"], ["1.6"], ["1.65"]] * 3, dtype=object)
    est = FoldSEM(min_gain=1, tail=0, numeric=[0], feature_names=["size"]).fit(X, ["a", "a", "b", "b"] * 3)
    assert "1.55" in str(est.rules_)
    texts = {p.atom.predicate: p.text for p in reasoner_program(est.rules_, est.features_).preds}
    assert texts["size"] == "the size of @(X), as an order code, is @(N)"
    assert est.explain(["1.55"]).literal == "target(x,a)"
    assert est.explain(["1.551"]).literal == "target(x,b)"
    assert "the size of x (1.551) is greater than 1.55" in est.explain_text(["1.551"])


def test_bad_name_and_unfitted():
    est = FoldSEM(min_gain=1).fit([[0], [1]] * 4, ["a", "b"] * 4)
    with pytest.raises(DataError, match="not an ASP constant"):
        est.explain([0], name="Bad Name")
    with pytest.raises(DataError, match="one example"):
        est.explain(np.array([[0], [1]]))
    with pytest.raises(NotFittedError):
        FoldSEM().explain([0])


def test_learner_trace_is_kept():
    est = FoldSEM(min_gain=1, feature_names=["f295", "f12"]).fit([[1, 0], [0, 1]] * 4, ["yes", "no"] * 4)
    trace = est.trace([1, 0])
    assert trace.prediction == "yes" and str(trace).startswith("class yes by default rule")


def test_explain_text_unscales_thresholds_on_a_string_cell():
    """A "?" in a numeric column is compared with the learned threshold (1.3), not clingo's scaled 130."""
    a = [0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.2, 1.3, 1.8, 2.6] * 2
    X = np.array([[v] for v in a] + [["?"]] * 2, dtype=object)
    y = np.array(["low" if v <= 1.3 else "high" for v in a] + ["high"] * 2)
    est = FoldSEM(min_gain=1, tail=0.0, feature_names=["a"]).fit(X, y)
    assert "1.3" in str(est.rules_)
    text = est.explain_text(np.array(["?"], dtype=object))
    assert 'the a of x is "?", not a number, so not less than or equal to 1.3' in text
