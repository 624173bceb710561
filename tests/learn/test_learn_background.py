"""Background knowledge: hand-written predicates as candidate literals, evaluated by the reasoner."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.errors import NesyaspError
from nesyasp.lang import check_program
from nesyasp.learn import FoldSEM
from nesyasp.learn.asp_reason import clingo_predict

SAME = "same_colour(X) :- left(X,C), right(X,C).\n"


def colour_pairs(n, seed):
    """Half the rows have the same colour left and right (30 colours): a relation no single column shows."""
    rng = np.random.default_rng(seed)
    colours = np.array([f"c{i}" for i in range(30)])
    left = colours[rng.integers(0, 30, n)]
    right = np.where(np.arange(n) % 2 == 0, left, colours[rng.integers(0, 30, n)])
    noise = rng.integers(0, 100, n)
    X = np.column_stack([left, right, noise]).astype(object)
    y = np.where(left == right, "match", "other")
    return X, y


def test_planted_relation_is_learned_only_through_the_background_predicate():
    X, y = colour_pairs(600, 0)
    Xt, yt = colour_pairs(300, 1)
    names = ["left", "right", "noise"]
    plain = FoldSEM(feature_names=names, categorical=[0, 1]).fit(X, y)
    est = FoldSEM(feature_names=names, categorical=[0, 1], background=SAME).fit(X, y)
    # no single column separates the classes: without the background, dozens of colour-pair literals, and errors
    assert plain.score(Xt, yt) < 0.9 and plain.rule_set_size_ > 50
    assert est.score(Xt, yt) == 1.0 and est.rule_set_size_ == 1
    text = str(est.rules_)
    assert "same_colour(X)" in text and SAME.strip() in text  # used, and carried by the program
    check_program(est.rules_)
    derived = clingo_predict(est.rules_, Xt, est.features_, est.classes_.tolist())
    assert derived == [[p] for p in est.predict(Xt)]
    i = int(np.flatnonzero(yt == "match")[0])
    node = est.explain(Xt[i])
    assert node.literal == "target(x,match)"
    assert "'same_colour' holds (for x)" in est.explain_text(Xt[i])
    assert est.trace(Xt[i]).trace[0][1] == "same_colour"


def test_numeric_background_predicate_with_missing_cells():
    rng = np.random.default_rng(2)
    age = rng.integers(1, 90, 400).astype(object)
    age[::17] = "?"
    flag = rng.integers(0, 2, 400)
    working = np.array([a != "?" and 18 <= a <= 65 for a in age])
    y = np.where(working & (flag == 1), "yes", "no")
    X = np.column_stack([age, flag]).astype(object)
    est = FoldSEM(feature_names=["age", "flag"], numeric=[0], min_gain=1,
                  background="working_age(X) :- age(X,A), A >= 18, A <= 65.\nminor(X) :- age(X,A), A < 18.").fit(X, y)
    assert est.score(X, y) == 1.0
    assert "working_age(X)" in "".join(str(r) for r in est.rules_.rules if r.head.predicate.startswith("rule"))
    derived = clingo_predict(est.rules_, X, est.features_, est.classes_.tolist())
    assert derived == [[p] for p in est.predict(X)]
    missing = np.array([["?", 1]], dtype=object)  # not a number: satisfies no comparison, so not adult
    assert est.predict(missing)[0] == "no"
    text = est.explain_text(np.array([[40, 1]], dtype=object))
    assert "the age of x (40) is greater than or equal to 18" in text


@pytest.mark.parametrize("background, needle", [
    ("age(X,3) :- flag(X).", "define 'age'"),
    ("p(X) :- age(X,A), not flag(Y).", "unsafe"),
    ("p(X) :- age(X,A) A.", "ParseError"),
    ("big(X) :- age(X,A), flag2(X,B), A > B.", "other than as 'value op number'"),
    # a join of two numeric columns was decided on their order codes (true on every row with no cut points)
    ("same(X) :- age(X,V), flag2(X,V).", "cannot tell whether two values are equal"),
    ("same(X) :- age(X,V), not flag2(X,V).", "also occurs in flag2(X,V)"),
    ("twin(X) :- age(X,V), age(Y,V), X != Y.", "also occurs in age(Y,V)"),
    ("q(X,Y) :- age(X,Y).", "defines no predicate p(X)"),
    ("ab1(X) :- flag(X).", "a name the learned program uses"),
])
def test_bad_background_is_a_clear_error(background, needle):
    X = np.array([[20, 1, 3], [30, 0, 4], [40, 1, 5], [50, 0, 6]] * 3, dtype=object)
    y = ["a", "b", "a", "b"] * 3
    with pytest.raises(Exception) as info:
        FoldSEM(feature_names=["age", "flag", "flag2"], numeric=[0, 2], background=background).fit(X, y)
    assert needle in f"{type(info.value).__name__}: {info.value}"
    assert isinstance(info.value, NesyaspError)


def test_a_categorical_join_is_still_allowed():
    """Sharing a categorical value (or the example) between atoms is exact: only numbers are refused."""
    X = np.array([["red", "red", 1], ["red", "blue", 2], ["blue", "blue", 3], ["blue", "red", 4]] * 4, dtype=object)
    y = ["same", "differ", "same", "differ"] * 4
    est = FoldSEM(feature_names=["left", "right", "n"], categorical=[0, 1], numeric=[2],
                  background="same_colour(X) :- left(X,C), right(X,C).").fit(X, y)
    assert est.score(X, y) == 1.0
