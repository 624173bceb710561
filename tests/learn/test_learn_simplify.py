"""Exact simplifications: merged bounds and shortened thresholds leave every rule's coverage unchanged."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.learn import FoldSEM
from nesyasp.learn.core import LearnedRule, _merge, covers
from nesyasp.learn.encode import Encoded
from nesyasp.learn.search import Lit, short_threshold

OPS = ("<=", ">", "!<=", "!>", "==", "!=")
LIT = st.builds(lambda f, op, v: Lit(f, op, float(v) if op not in ("==", "!=") else v % 2, 0),
                st.integers(0, 1), st.sampled_from(OPS), st.integers(0, 4))


@settings(max_examples=300, deadline=None)
@given(st.lists(LIT, min_size=1, max_size=6))
def test_merge_keeps_coverage(lits):
    """Every combination of 0..4, strings 0/1 on two mixed columns: same rows covered before and after."""
    cells = [(float(v), -1) for v in range(6)] + [(np.nan, 0), (np.nan, 1)]
    grid = [(a, b) for a in cells for b in cells]
    data = Encoded(np.array([[a[0], b[0]] for a, b in grid]), np.array([[a[1], b[1]] for a, b in grid]))
    rows = np.arange(len(grid))
    merged = _merge(lits)
    assert len(merged) <= len(lits)
    assert (covers(LearnedRule(tuple(lits)), data, rows) == covers(LearnedRule(merged), data, rows)).all()


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-12, 1e3))
def test_short_threshold_splits_alike(value, gap):
    upper = value + gap
    if upper == value:
        return
    out = short_threshold(value, upper)
    assert value <= out < upper
    decimals = lambda x: len(np.format_float_positional(x, trim="-").partition(".")[2])  # noqa: E731
    assert decimals(out) <= decimals(value)


def test_learned_thresholds_are_short():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, 400)
    X = np.array([[repr(float(v))] for v in x], dtype=object)  # 13-15 decimals per cell
    y = np.where(x < 40, "low", np.where(x < 70, "mid", "high"))
    est = FoldSEM(numeric=[0], feature_names=["size"]).fit(X, y)
    assert est.score(X, y) == 1.0
    thresholds = re.findall(r"[<>]=?(-?[\d.]+)", str(est.rules_))
    assert thresholds and all(len(t.partition(".")[2]) <= 2 for t in thresholds), thresholds


def printed_literals(program) -> int:
    """Body literals of the printed program as REFERENCE.md counts them: no ``attr(X,N)`` binding
    atoms, no ``abK``/``ruleK`` references."""
    from nesyasp.lang.ast import Atom, Variable

    n = 0
    for rule in program.rules:
        for lit in rule.body:
            atom = lit.atom
            if isinstance(atom, Atom) and (re.fullmatch(r"(ab|rule)\d+", atom.predicate) or (
                    not lit.negated and len(atom.arguments) == 2 and isinstance(atom.arguments[1], Variable))):
                continue
            n += 1
    return n


def test_rule_set_size_counts_the_printed_program(shared_dir):
    import json

    from nesyasp.learn import read_csv, split_target

    root = shared_dir / "data" / "tabular"
    for name in ("credit", "titanic", "ecoli"):
        meta = json.loads((root / "datasets.json").read_text())[name]
        X, y, names = split_target(read_csv(root / name / meta["files"][0], ragged="fit"), meta["label"],
                                   meta["numeric"] + meta["categorical"])
        est = FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=names,
                      min_gain=1).fit(X, y)
        assert est.rule_set_size_ == printed_literals(est.rules_), name
