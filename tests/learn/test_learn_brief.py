"""Explanations of written rules files state each comparison in one true sentence (nesyasp/learn/brief.py)."""

from __future__ import annotations

import operator
import re
from decimal import Decimal

import numpy as np
from hypothesis import given, settings

from nesyasp.lang import parse_program
from nesyasp.learn import FoldSEM
from nesyasp.learn.brief import comparisons_of
from nesyasp.learn.plain import plain_rules
from nesyasp.learn.plain_predict import hand_facts, predict_facts

from .test_learn_written import TABLES, _read, fit_generated, hand_written, reasoner_holds, writable_rows

_OPS = {"greater than or equal to": operator.ge, "greater than": operator.gt, "less than or equal to": operator.le,
        "less than": operator.lt, "equal to": operator.eq, "not equal to": operator.ne}
_SENTENCE = re.compile(r"the (\w+) of (e\d+) \(([^)]*)\) is (" + "|".join(sorted(_OPS, key=len, reverse=True))
                       + r") (\S+?)(?:, and|\.)?$")
_NOT_A_NUMBER = re.compile(r'the (\w+) of (e\d+) is "(.*)", not a number, so not .*')


def check_sentences(est, X, text: str) -> int:
    """Every comparison sentence of ``text`` is true of the row's value; returns how many were checked."""
    column = {f.pred: j for j, f in enumerate(f for f in est.features_ if f.kind != "background")}
    checked = 0
    for line in (line.strip() for line in text.splitlines()):
        assert "code(C)" not in line and "is the number" not in line and "any V other" not in line, line
        if m := _SENTENCE.match(line):
            pred, example, value, words, cut = m.groups()
            cell = X[int(example[1:])][column[pred]]
            assert Decimal(value) == Decimal(str(cell)), line
            assert _OPS[words](Decimal(value), Decimal(cut)), line
            checked += 1
        elif m := _NOT_A_NUMBER.match(line):
            assert str(X[int(m.group(2)[1:])][column[m.group(1)]]) == m.group(3), line
            checked += 1
    return checked


@settings(max_examples=20, deadline=None)
@given(TABLES)
def test_every_comparison_sentence_is_true_of_the_row(table):
    fitted = fit_generated(table)
    if fitted is None:
        return
    est, X = fitted
    raw, numbers = hand_written(est, X, writable_rows(est, X))
    if not reasoner_holds(numbers):
        return
    plain = _read(plain_rules(est))
    answers = predict_facts(plain, hand_facts(plain, parse_program(raw)), explain=True)
    for _, _, text in answers:
        check_sentences(est, X, text)


def test_heart_like_table_gives_sentences_that_are_checked():
    rng = np.random.default_rng(3)
    age = rng.integers(20, 80, 150)
    peak = np.round(rng.uniform(0, 4, 150), 1)
    X = np.c_[age, peak].astype(object)
    X[::17, 1] = "?"
    y = np.where((age > 55) | (np.asarray([p if p != "?" else 0 for p in X[:, 1]]) > 2.5), "sick", "well")
    est = FoldSEM(min_gain=1, feature_names=["age", "oldpeak"]).fit(X, y)
    plain = _read(plain_rules(est))
    assert {column for column, _ in comparisons_of(plain.program, plain.features).ops.values()} == {"age", "oldpeak"}
    raw, _ = hand_written(est, X, range(len(X)))
    answers = predict_facts(plain, hand_facts(plain, parse_program(raw)), explain=True)
    assert len(answers) == len(X)
    assert sum(check_sentences(est, X, text) for _, _, text in answers) >= len(X)


def _program_features(text: str):
    plain = _read(text)
    return plain.program, plain.features


def test_taken_names_map_to_their_column():
    X = np.array([[i % 7, i % 5] for i in range(60)], dtype=object)
    y = np.where(X[:, 0] > 3, "p", "q")
    est = FoldSEM(min_gain=1, feature_names=["a", "a_le"]).fit(X, y)
    ops = comparisons_of(*_program_features(plain_rules(est))).ops
    assert ops["a_le_2"] == ("a", "<=") and "a_le" not in ops
