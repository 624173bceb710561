"""The vectorized literal search agrees with a plain loop over every candidate."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.learn.encode import encode, fit_features
from nesyasp.learn.search import HEURISTICS, SearchSpace

CELLS = st.one_of(st.integers(0, 6).map(str), st.sampled_from(["?", "", "a", "b"]))


def brute_best(space, X_enc, features, pos, neg, heuristic, min_cover):
    """Score every candidate literal by evaluating it on every row (slow, obvious)."""
    best, best_score = None, -np.inf
    P, N = len(pos), len(neg)
    for j, f in enumerate(features):
        cands = []
        if f.kind == "numeric":
            present = np.unique(X_enc.num[np.r_[pos, neg], j])
            for t in [v for v in present if not np.isnan(v)]:
                cands += [(op, t) for op in ("<=", ">", "!<=", "!>")]
        for k, _ in enumerate(f.values if f.kind != "binary" else ["1"]):
            if (X_enc.code[np.r_[pos, neg], j] == k).any():
                cands += [("==", k), ("!=", k)]
        for op, v in cands:
            num, code = X_enc.num[:, j], X_enc.code[:, j]
            with np.errstate(invalid="ignore"):
                holds = {"<=": num <= v, ">": num > v, "!<=": ~(num <= v), "!>": ~(num > v),
                         "==": code == v, "!=": code != v}[op]
            tp, fp = holds[pos].sum(), holds[neg].sum()
            fn, tn = P - tp, N - fp
            if tp + tn < fp + fn or tp < min_cover or tp == 0:
                continue
            s = HEURISTICS[heuristic](*(np.array([float(c)]) for c in (tp, fn, tn, fp)))[0]
            if s > best_score:
                best, best_score = (j, op, v), s
    return best


@settings(max_examples=100)
@given(st.integers(4, 30).flatmap(lambda n: st.tuples(
    st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n))),
    st.sampled_from(["sharp_gini", "gini", "ig"]), st.sampled_from([0.0, 2.0]), st.sampled_from([0, 4096]))
def test_search_matches_brute_force(table, heuristic, min_cover, small):
    """Both ways of scoring (one pass for few candidates, column by column above SMALL_SEARCH) find it."""
    from nesyasp.learn import search

    saved, search.SMALL_SEARCH = search.SMALL_SEARCH, small
    try:
        _check_against_brute_force(table, heuristic, min_cover)
    finally:
        search.SMALL_SEARCH = saved


def _check_against_brute_force(table, heuristic, min_cover):
    rows, labels = table
    X = np.array(rows, dtype=object)
    labels = np.array(labels)
    if (X == "").all(axis=0).any():
        return
    features = fit_features(X, ["a", "b", "c"], {0: "numeric", 1: "numeric", 2: "categorical"})
    data = encode(X, features)
    space = SearchSpace(data, features)
    pos, neg = np.flatnonzero(labels), np.flatnonzero(~labels)
    lit = space.best(pos, neg, (), heuristic, min_cover)
    expected = brute_best(space, data, features, pos, neg, heuristic, min_cover)
    got = None if lit is None else (lit.feature, lit.op, lit.value)
    assert got == expected


def test_exclusion_removes_literal_and_partner():
    X = np.array([[1], [2], [3], [4]], dtype=object)
    features = fit_features(X, ["x"], {0: "numeric"})
    space = SearchSpace(encode(X, features), features)
    pos, neg = np.array([0, 1]), np.array([2, 3])
    lit = space.best(pos, neg, (), "gini")
    assert (lit.op, lit.value) == ("<=", 2.0)
    other = space.best(pos, neg, (lit.key,), "gini")
    assert other is None or other.value != 2.0


@settings(max_examples=25, deadline=None)
@given(st.integers(20, 80).flatmap(lambda n: st.tuples(
    st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=n, max_size=n),
    st.lists(st.integers(0, 2), min_size=n, max_size=n))), st.sampled_from(["sharp_gini", "gini", "ig"]))
def test_both_ways_of_scoring_learn_the_same_rules(table, heuristic):
    from nesyasp.learn import FoldSEM, search

    rows, labels = table
    X, y = np.array(rows, dtype=object), np.array(labels)
    if len(set(labels)) < 2 or (X == "").all(axis=0).any():
        return
    kwargs = dict(heuristic=heuristic, min_gain=1, tail=0.0, numeric=[0, 1], categorical=[2])
    at_once = FoldSEM(**kwargs).fit(X, y)
    saved, search.SMALL_SEARCH = search.SMALL_SEARCH, 0
    try:
        by_column = FoldSEM(**kwargs).fit(X, y)
    finally:
        search.SMALL_SEARCH = saved
    assert at_once.learned_ == by_column.learned_
