"""Lossless pruning: superfluous literals and exceptions go, training accuracy never drops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.learn import FoldSEM
from nesyasp.learn.core import LearnedRule, count_literals, simplify
from nesyasp.learn.encode import Encoded
from nesyasp.learn.prune import prune
from nesyasp.learn.search import Lit


def grid_data() -> tuple[Encoded, np.ndarray]:
    """Two numeric columns 0..4 (every pair once)."""
    pairs = np.array([(a, b) for a in range(5) for b in range(5)], dtype=float)
    return Encoded(pairs, np.full(pairs.shape, -1)), pairs


def decide(rules: list[LearnedRule], data: Encoded) -> np.ndarray:
    from nesyasp.learn.core import covers

    out = np.full(data.num.shape[0], -1)
    rows = np.arange(data.num.shape[0])
    for rule in rules:
        hit = covers(rule, data, rows)
        out[rows[hit]] = rule.label
        rows = rows[~hit]
    return out


def test_superfluous_literal_is_dropped():
    data, pairs = grid_data()
    y = (pairs[:, 0] <= 1).astype(int)  # class 1 exactly when x0 <= 1
    # x0 <= 1 and x0 <= 3: the second literal changes nothing
    rule = LearnedRule((Lit(0, "<=", 3.0, 0), Lit(0, "<=", 1.0, 1)), (), 1)
    out = prune([rule, LearnedRule((), (), 0)], data, y)
    assert out[0].lits == (Lit(0, "<=", 1.0, 1),)
    assert (decide(out, data) == y).all()


def test_useless_exception_is_dropped_and_a_needed_one_kept():
    data, pairs = grid_data()
    y = ((pairs[:, 0] <= 2) & (pairs[:, 1] != 4)).astype(int)
    needed = LearnedRule((Lit(1, ">", 3.0, 2),))
    useless = LearnedRule((Lit(0, ">", 3.0, 3),))  # never holds where the rule's x0 <= 2 holds
    rule = LearnedRule((Lit(0, "<=", 2.0, 0),), (useless, needed), 1)
    out = prune([rule, LearnedRule((), (), 0)], data, y)
    assert out[0].exceptions == (needed,)
    assert (decide(out, data) == y).all()


def test_rules_keep_a_literal_and_the_catch_all_stays():
    data, pairs = grid_data()
    y = np.ones(len(pairs), dtype=int)  # any rule of class 1 is as good as none
    rules = [LearnedRule((Lit(0, "<=", 2.0, 0),), (), 1), LearnedRule((), (), 1)]
    out = prune(rules, data, y)
    assert out[0].lits and out[-1] == rules[-1]



def test_a_shared_exception_is_not_split_into_two():
    """E is idle in rule 1's region (c = d = 1 there) and needed whole in rule 2's: dropping E's
    literals in rule 1 only would print a second ab rule, a larger program for no accuracy."""
    rows = np.array([(a, b, c, d) for a in range(5) for b in range(5) for c in range(2) for d in range(2)
                     if a > 1 or (c and d)], dtype=float)
    data = Encoded(rows, np.full(rows.shape, -1))
    a, b, c, d = rows.T
    y = (((a <= 1) | (a > 3)) & ~((b > 2) & (c > 0) & (d > 0))).astype(int)
    shared = LearnedRule((Lit(1, ">", 2.0, 10), Lit(2, ">", 0.0, 20), Lit(3, ">", 0.0, 30)))
    rules = [LearnedRule((Lit(0, "<=", 1.0, 0),), (shared,), 1), LearnedRule((Lit(0, ">", 3.0, 1),), (shared,), 1),
             LearnedRule((), (), 0)]
    out = prune(rules, data, y)
    assert (decide(out, data) == y).all()
    assert count_literals([simplify(r) for r in out]) <= count_literals(rules) == 5


TABLE = st.integers(12, 60).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.sampled_from("abc")), min_size=n, max_size=n),
    st.lists(st.integers(0, 2), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(TABLE, st.sampled_from(["sharp_gini", "gini", "ig"]))
def test_pruning_never_costs_training_accuracy(table, heuristic):
    rows, labels = table
    X = np.array(rows, dtype=object)
    y = np.array(labels)
    if len(set(labels)) < 2:
        return
    kwargs = dict(heuristic=heuristic, min_gain=1, tail=0.0, numeric=[0, 1], categorical=[2])
    full = FoldSEM(prune=False, **kwargs).fit(X, y)
    pruned = FoldSEM(prune=True, **kwargs).fit(X, y)
    assert pruned.score(X, y) >= full.score(X, y)
    assert pruned.rule_set_size_ <= full.rule_set_size_
    assert count_literals(pruned.learned_) == pruned.rule_set_size_


def test_grouping_by_counting_equals_unique():
    from nesyasp.learn.prune import _group_small

    rng = np.random.default_rng(7)
    for bits, n in ((1, 5), (3, 40), (10, 300), (16, 1000)):
        sig = rng.integers(0, 1 << bits, n) if bits > 3 else np.full(n, (1 << bits) - 1)
        groups, inverse = _group_small(sig, 1 << bits)
        want, want_inverse = np.unique(sig.astype(np.uint64), return_inverse=True)
        assert groups.dtype == np.uint64 and groups.shape == (len(want), 1)
        assert (groups[:, 0] == want).all() and (inverse == want_inverse.ravel()).all()


@settings(max_examples=30, deadline=None)
@given(TABLE)
def test_pruning_is_the_same_with_grouping_by_sorting(table):
    """The counting path (rules of few literals) decides exactly as the sorting path."""
    import nesyasp.learn.prune as prune_module

    rows, labels = table
    X, y = np.array(rows, dtype=object), np.array(labels)
    if len(set(labels)) < 2:
        return
    kwargs = dict(min_gain=1, tail=0.0, numeric=[0, 1], categorical=[2])
    counted = FoldSEM(**kwargs).fit(X, y)
    saved = prune_module._COUNTING_BITS
    prune_module._COUNTING_BITS = 0  # every rule grouped by np.unique
    try:
        sorted_ = FoldSEM(**kwargs).fit(X, y)
    finally:
        prune_module._COUNTING_BITS = saved
    assert counted.learned_ == sorted_.learned_


def test_rules_with_nothing_to_remove_cost_nothing(monkeypatch):
    """Rules of one literal and no exception are skipped before anything is computed for them."""
    import nesyasp.learn.prune as prune_module

    data, pairs = grid_data()
    y = (pairs[:, 0] <= 1).astype(int) + (pairs[:, 0] > 3).astype(int) * 2
    calls = []
    real = prune_module._prune_rule
    monkeypatch.setattr(prune_module, "_prune_rule", lambda rules, k, *a: calls.append(k) or real(rules, k, *a))
    rules = [LearnedRule((Lit(0, "<=", 1.0, 0),), (), 1), LearnedRule((Lit(0, ">", 3.0, 1),), (), 2),
             LearnedRule((Lit(0, "<=", 3.0, 2), Lit(1, "<=", 4.0, 3)), (), 0), LearnedRule((), (), 0)]
    out = prune(rules, data, y)
    assert calls == [2]  # only the rule of two literals was tried
    assert (decide(out, data) == y).all()


def test_labels_of_the_later_rules_kept_up_to_date():
    """_Later gives, at every k, the label of the first rule after k that covers each row."""
    from nesyasp.learn.prune import _Later

    rng = np.random.default_rng(3)
    cover = rng.random((9, 200)) < 0.2
    labels = rng.integers(0, 4, 9)
    later = _Later(cover, labels)
    for k in (0, 1, 4, 5, 8):
        later.advance(k)
        rows = np.flatnonzero(rng.random(200) < 0.5)
        want = [next((labels[j] for j in range(k + 1, 9) if cover[j, r]), -1) for r in rows]
        assert later.labels_of(rows).tolist() == want
