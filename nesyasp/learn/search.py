"""Literal search: the best literal for a set of positive and negative examples.

All candidate literals of all features are scored at once. Every feature owns a
segment of one global code space: first its distinct training numbers in
ascending order, then its distinct strings in ascending order (a binary feature
has the code of ``1`` and one unused code for everything else). A table is
encoded once as a matrix of global codes; a search is then one
:func:`numpy.bincount` over the rows of ``E+ ∪ E-``, a prefix sum inside each
segment, and one vectorized heuristic, with no Python loop over rows or
candidates.

Candidate order (ties go to the first): columns in order; inside a column,
thresholds ascending with ``=<``, ``>``, ``not(=<)``, ``not(>)`` per threshold,
then strings ascending with ``==`` before ``!=``. A candidate must hold on at
least ``min_cover`` positives (the tail cut) and satisfy the FOLD guard
``tp + tn >= fp + fn``. A numeric literal found at a training number is
written with the shortest threshold that splits the training numbers alike
(:func:`short_threshold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from math import log
from typing import Callable, Sequence

import numpy as np

from nesyasp.learn.encode import NUMERIC, Encoded, Feature, is_unary

__all__ = ["Lit", "SearchSpace", "HEURISTICS", "gini", "sharp_gini", "info_gain", "OPS", "NEGATION",
           "short_threshold", "SHARPNESS"]

# Numeric-code operators (columns 0..3) and string-code operators (columns 0..1).
OPS = ("<=", ">", "!<=", "!>")
STR_OPS = ("==", "!=")
NEGATION = {"<=": "!<=", "!<=": "<=", ">": "!>", "!>": ">", "==": "!=", "!=": "=="}


@dataclass(frozen=True, slots=True)
class Lit:
    """A body literal of a learned rule.

    ``op`` is one of ``<= > !<= !> == !=``; ``value`` is the threshold (a float)
    for the first four and the index into ``Feature.values`` for the last two;
    ``key`` is its global code (a literal and its partners share it).
    """

    feature: int
    op: str
    value: float | int
    key: int

    def holds(self, data: Encoded, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Boolean mask of the rows where the literal holds."""
        if self.op in ("==", "!="):
            eq = data.code[rows, self.feature] == self.value
            return eq if self.op == "==" else ~eq
        num = data.num[rows, self.feature]
        if self.op in ("<=", "!<="):
            le = num <= self.value
            return le if self.op == "<=" else ~le
        gt = num > self.value
        return gt if self.op == ">" else ~gt


def short_threshold(value: float, upper: float | None) -> float:
    """The decimal with the fewest decimals in ``[value, upper)`` (the smallest such): the same split, shorter.

    A literal ``x =< t`` found at the training number ``value`` holds on the
    same training numbers for every ``t`` from ``value`` up to (not including)
    the next training number ``upper``; the shortest such decimal reads best
    and keeps clingo's scaled integers small (``183.47852140616106`` below
    ``183.5123`` becomes ``183.5``). The largest number (``upper`` None) is kept.

    A literal found at ``-inf`` gets a finite threshold below ``upper``
    (``N =< -inf`` cannot be written).

    >>> short_threshold(183.47852140616106, 183.5123), short_threshold(3.8, 3.84), short_threshold(2.5, 7.0)
    (183.5, 3.8, 3.0)
    >>> short_threshold(float("-inf"), -2.5), short_threshold(float("-inf"), 7.0)
    (-3.0, 0.0)
    """
    if value == -np.inf and upper is not None:
        return _below(upper)
    if upper is None or not np.isfinite(value):
        return float(value)
    low = Decimal(np.format_float_positional(float(value), trim="-"))
    for digits in range(0, 18):
        step = Decimal(1).scaleb(-digits)
        candidate = (low / step).to_integral_value(rounding=ROUND_CEILING) * step
        out = float(candidate)
        if value <= out < upper:
            return out
    return float(value)


_MAX = float(np.finfo(np.float64).max)


def _below(upper: float) -> float:
    """A short finite number below ``upper`` (``upper`` may be ``inf``)."""
    if upper > 0:
        return 0.0
    t = float(np.floor(upper))
    t = t if t < upper else t - 1.0
    if not t < upper:
        t = upper * 2.0 if np.isfinite(upper * 2.0) else float(np.nextafter(upper, -np.inf))
    return t


def _xlogx_ratio(c: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = c * np.log(c / total)
    return np.where(c > 0, out, 0.0)


def info_gain(tp: np.ndarray, fn: np.ndarray, tn: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """FOLD-R++'s information gain (minus the conditional entropy, natural log)."""
    n = tp + fn + tn + fp
    covered, rest = tp + fp, tn + fn
    s = _xlogx_ratio(tp, covered) + _xlogx_ratio(fp, covered) + _xlogx_ratio(tn, rest) + _xlogx_ratio(fn, rest)
    return s / n


def gini(tp: np.ndarray, fn: np.ndarray, tn: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Minus the weighted Gini impurity of the covered / uncovered split (FOLD-SE)."""
    n = tp + fn + tn + fp
    covered, rest = tp + fp, tn + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(covered > 0, 2.0 * tp * fp / covered, 0.0)
        b = np.where(rest > 0, 2.0 * tn * fn / rest, 0.0)
    return -(a + b) / n


#: Topsøe's exponent 1/ln 4: the smallest ``a`` with ``(4pq)^a >= H(p)`` (binary entropy in bits) for every p.
SHARPNESS = 1.0 / log(4.0)


def sharp_gini(tp: np.ndarray, fn: np.ndarray, tn: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Minus the size-weighted sharpened Gini impurity of the covered / uncovered split (FOLD-R++-like sharpness; ``heuristic="sharp_gini"``).

    Each side's Gini impurity ``4pq`` (p, q its class shares, scaled to 1 at
    p = 1/2) is raised to :data:`SHARPNESS` = 1/ln 4 ≈ 0.72 before the sides are
    weighted by their sizes: ``-(|c|·(4pq)^a + |u|·(4p'q')^a) / N``. With
    ``a = 1`` this is :func:`gini` (times 2); with ``a = 1/ln 4`` it is the
    tightest power of the Gini impurity that bounds the binary entropy from
    above (Topsøe), so, like information gain, it rises steeply away from
    purity and prefers a pure literal to a larger, slightly impure one, while
    keeping Gini's flat middle, which keeps rule sets small.
    """
    n = tp + fn + tn + fp
    covered, rest = tp + fp, tn + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(covered > 0, covered * (4.0 * tp * fp / covered ** 2) ** SHARPNESS, 0.0)
        b = np.where(rest > 0, rest * (4.0 * tn * fn / rest ** 2) ** SHARPNESS, 0.0)
    return -(a + b) / n


HEURISTICS: dict[str, Callable[..., np.ndarray]] = {"sharp_gini": sharp_gini, "gini": gini, "ig": info_gain}

#: up to this many candidate literals, a search step scores them in one pass (fewer numpy calls);
#: above it, one operator column at a time (arrays that stay in the CPU's cache)
SMALL_SEARCH = 4096


class SearchSpace:
    """Global codes of a training table and the literal search over them."""

    def __init__(self, data: Encoded, features: Sequence[Feature]):
        self.data = data
        self.features = list(features)
        sizes, kinds, starts, n_num = [], [], [], []
        offset = 0
        for f in self.features:
            nt = len(f.thresholds) if f.kind == NUMERIC else 0
            size = nt + len(f.values) + (1 if is_unary(f) else 0)
            starts.append(offset)
            n_num.append(nt)
            k = np.ones(size, dtype=np.int8)
            k[:nt] = 0
            if is_unary(f):
                k[1] = 2
            elif nt and f.thresholds[-1] == np.inf:
                k[nt - 1] = 3  # N =< inf cannot be written: no numeric literal at +inf
            if nt and f.thresholds[nt - 1] == -np.inf:
                k[nt - 1] = 3  # only -inf: nothing to write either
            elif nt > 1 and f.thresholds[0] == -np.inf and f.thresholds[1] == -_MAX:
                k[0] = 3  # N =< -inf next to the lowest double: no finite threshold in between to write
            kinds.append(k)
            sizes.append(size)
            offset += size
        self.n_codes = offset
        self.starts = np.asarray(starts, dtype=np.int64)
        self.n_num = np.asarray(n_num, dtype=np.int64)
        self.kind = np.concatenate(kinds) if kinds else np.zeros(0, np.int8)
        self.code_feature = np.repeat(np.arange(len(sizes)), sizes)
        self.code_start = self.starts[self.code_feature]
        self.codes = self._global_codes()
        self.num_codes = np.flatnonzero((self.kind == 0) | (self.kind == 3))
        self.unwritable = np.flatnonzero(self.kind == 3)
        self.str_codes = np.flatnonzero(self.kind == 1)

    def _global_codes(self) -> np.ndarray:
        num, code = self.data.num, self.data.code
        out = np.empty(num.shape, dtype=np.int32 if self.n_codes < 2 ** 31 else np.int64)
        for j, f in enumerate(self.features):
            start = self.starts[j]
            if is_unary(f):
                out[:, j] = start + np.where(code[:, j] == 0, 0, 1)
            elif f.kind == NUMERIC:
                is_num = ~np.isnan(num[:, j])
                ranks = np.searchsorted(np.asarray(f.thresholds), num[:, j])
                out[:, j] = np.where(is_num, start + ranks, start + len(f.thresholds) + code[:, j])
            else:
                out[:, j] = start + code[:, j]
        return out

    def decode(self, code: int, op_col: int) -> Lit:
        """The literal of global ``code`` and operator column ``op_col``."""
        j = int(self.code_feature[code])
        local = int(code - self.starts[j])
        nt = int(self.n_num[j])
        if self.kind[code] in (0, 3):
            th = self.features[j].thresholds
            upper = th[local + 1] if local + 1 < len(th) else None
            return Lit(j, OPS[op_col], short_threshold(th[local], upper), int(code))
        return Lit(j, STR_OPS[op_col], local - nt, int(code))

    def best(self, pos: np.ndarray, neg: np.ndarray, excluded: Sequence[int], heuristic: str,
             min_cover: float = 0.0) -> Lit | None:
        """The best literal separating rows ``pos`` from rows ``neg``, or ``None``.

        Parameters
        ----------
        pos, neg:
            Row indices of the positive and negative examples.
        excluded:
            Global codes whose literals may not be used (used literals and partners).
        heuristic:
            A key of :data:`HEURISTICS`: ``"sharp_gini"``, ``"gini"`` or ``"ig"``.
        min_cover:
            Minimal number of positives the literal must hold on (the tail cut).
        """
        nc = self.n_codes
        P, N = float(len(pos)), float(len(neg))
        pc = np.bincount(self.codes[pos].ravel(), minlength=nc).astype(np.float64)
        ncnt = np.bincount(self.codes[neg].ravel(), minlength=nc).astype(np.float64)
        ok = (pc + ncnt) > 0
        if len(excluded):
            ok[np.asarray(excluded, dtype=np.int64)] = False
        ok[self.unwritable] = False
        present = (pc + ncnt) > 0
        num, strs = self.num_codes[present[self.num_codes]], self.str_codes[present[self.str_codes]]
        pos_le, xp = self._prefix(pc, num)
        neg_le, xn = self._prefix(ncnt, num)
        pcs, ncs = pc[strs], ncnt[strs]
        # (codes, tp, fp) per operator column, in candidate order
        cand = [(num, pos_le, neg_le), (num, xp - pos_le, xn - neg_le), (num, P - pos_le, N - neg_le),
                (num, pos_le + (P - xp), neg_le + (N - xn)), (strs, pcs, ncs), (strs, P - pcs, N - ncs)]
        if 4 * num.size + 2 * strs.size <= SMALL_SEARCH:
            return self._best_at_once(cand, ok, P, N, heuristic, min_cover)
        score_fn = HEURISTICS[heuristic]
        best_score, best_key = -np.inf, None
        for col, (codes, tp, fp) in enumerate(cand):
            if codes.size == 0:
                continue
            fn, tn = P - tp, N - fp
            valid = ok[codes] & (tp + tn >= fp + fn) & (tp >= min_cover) & (tp > 0)
            if not valid.any():
                continue
            score = np.where(valid, score_fn(tp, fn, tn, fp), -np.inf)
            i = int(np.argmax(score))
            key = (int(codes[i]), col % 4 if col < 4 else col - 4)
            if score[i] > best_score or (score[i] == best_score and best_key is not None and key < best_key):
                best_score, best_key = float(score[i]), key
        if best_key is None or not np.isfinite(best_score):
            return None
        return self.decode(*best_key)

    def _best_at_once(self, cand: list, ok: np.ndarray, P: float, N: float, heuristic: str,
                      min_cover: float) -> Lit | None:
        """:meth:`best` over few candidates: the operator columns scored in one pass (fewer numpy calls).

        The same literal as the column-by-column loop: the best score, ties to
        the lowest code, then the first operator column.
        """
        codes = np.concatenate([c[0] for c in cand])
        tp = np.concatenate([c[1] for c in cand])
        fp = np.concatenate([c[2] for c in cand])
        op = np.repeat(np.array([0, 1, 2, 3, 0, 1]), [c[0].size for c in cand])
        fn, tn = P - tp, N - fp
        valid = ok[codes] & (tp + tn >= fp + fn) & (tp >= min_cover) & (tp > 0)
        if not valid.any():
            return None
        score = np.where(valid, HEURISTICS[heuristic](tp, fn, tn, fp), -np.inf)
        tied = np.flatnonzero(score == score.max())
        if not np.isfinite(score[tied[0]]):
            return None
        i = tied[np.lexsort((op[tied], codes[tied]))[0]]
        return self.decode(int(codes[i]), int(op[i]))

    def _prefix(self, counts: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per present numeric code: numbers ``<=`` its threshold, and numbers of its feature.

        ``codes`` are the present numeric codes in ascending order; absent codes
        add nothing to the prefix sums, so they are left out.
        """
        if codes.size == 0:
            return np.zeros(0), np.zeros(0)
        c = counts[codes]
        cs = np.cumsum(c)
        feat = self.code_feature[codes]
        first = np.r_[True, feat[1:] != feat[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(codes.size), 0))
        le = cs - (cs[start] - c[start])
        total = np.bincount(feat, weights=c, minlength=len(self.features))
        return le, total[feat]
