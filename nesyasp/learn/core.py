"""The FOLD-SE-M algorithm on encoded data: default rules, exceptions, the class loop.

Learned rules are plain records (:class:`LearnedRule`); :mod:`nesyasp.learn.emit`
turns them into a :class:`~nesyasp.lang.ast.Program`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from nesyasp.learn.encode import Encoded
from nesyasp.learn.search import NEGATION, Lit, SearchSpace

__all__ = ["LearnedRule", "RuleStats", "rule_stats", "Params", "covers", "fold_sem", "simplify", "count_literals", "count_rules"]


@dataclass(frozen=True, slots=True)
class LearnedRule:
    """A default rule: ``lits`` hold and no rule of ``exceptions`` covers the example."""

    lits: tuple[Lit, ...]
    exceptions: tuple[LearnedRule, ...] = ()
    label: int = -1


@dataclass(frozen=True, slots=True)
class RuleStats:
    """How a default rule did on the training data (CON-FOLD's rule confidence).

    Attributes
    ----------
    rule:
        The rule's number (1-based, its place in the ordered list; ``ruleK``).
    label:
        Index of its class.
    support:
        Training rows it decides: rows no earlier rule covers and it covers.
    correct:
        Those of them whose class is the rule's.
    catch_all:
        True for the final rule with no body.
    """

    rule: int
    label: int
    support: int
    correct: int
    catch_all: bool = False

    @property
    def precision(self) -> float:
        """``correct / support`` (the rule's confidence); 0.0 for a rule that decides no training row."""
        return self.correct / self.support if self.support else 0.0

    def confidence(self) -> str:
        """``rule 2: right on 112 of 120 training rows, precision 0.933`` (explanations)."""
        what = "catch-all rule" if self.catch_all else "rule"
        return (f"{what} {self.rule}: right on {self.correct} of {self.support} training rows, "
                f"precision {self.precision:.3f}")

    def describe(self, classes: Sequence[object]) -> str:
        """One line: ``rule 2, class 1: right on 112 of 120 training rows (precision 0.933)``.

        A class whose name holds a line break is quoted (``class "a\\nb"``): the line is a comment of the
        written program, which a line break would end.
        """
        what = "catch-all rule" if self.catch_all else "rule"
        label = str(classes[self.label])
        if any(c in label for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
            label = json.dumps(label)
        return (f"{what} {self.rule}, class {label}: right on {self.correct} of {self.support} "
                f"training rows (precision {self.precision:.3f})")


def rule_stats(rules: Sequence[LearnedRule], data: Encoded, y: np.ndarray) -> list[RuleStats]:
    """Support and precision of every default rule of the ordered list on the training rows."""
    out = []
    rows = np.arange(len(y))
    for k, rule in enumerate(rules):
        hit = covers(rule, data, rows) if rows.size else np.zeros(0, dtype=bool)
        decided = rows[hit]
        out.append(RuleStats(k + 1, rule.label, int(decided.size), int(np.sum(y[decided] == rule.label)),
                             not rule.lits and not rule.exceptions))
        rows = rows[~hit]
    return out


@dataclass(frozen=True, slots=True)
class Params:
    """Learning parameters: see :class:`~nesyasp.learn.foldsem.FoldSEM`."""

    ratio: float = 0.5
    tail: float = 0.0
    min_gain: int = 3
    min_cover: float = 0.0
    heuristic: str = "gini"
    max_depth: int = 20


def covers(rule: LearnedRule, data: Encoded, rows: np.ndarray) -> np.ndarray:
    """Boolean mask over ``rows`` of the examples that ``rule`` covers."""
    mask = np.ones(len(rows), dtype=bool)
    for lit in rule.lits:
        if not mask.any():
            return mask
        idx = np.flatnonzero(mask)
        mask[idx] = lit.holds(data, rows[idx])
    for exc in rule.exceptions:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            break
        mask[idx] = ~covers(exc, data, rows[idx])
    return mask


def _learn_rule(space: SearchSpace, pos: np.ndarray, neg: np.ndarray, used: tuple[int, ...], p: Params,
                depth: int) -> LearnedRule:
    lits: list[Lit] = []
    exceptions: tuple[LearnedRule, ...] = ()
    data = space.data
    if len(neg) == 0:
        return LearnedRule(())  # nothing to separate: the rule covers everything
    while True:
        lit = space.best(pos, neg, used + tuple(x.key for x in lits), p.heuristic, p.min_cover)
        if lit is None:
            break
        lits.append(lit)
        pos = pos[lit.holds(data, pos)]
        neg = neg[lit.holds(data, neg)]
        if len(neg) <= len(pos) * p.ratio:
            if len(neg) and depth < p.max_depth:
                exceptions = tuple(_learn_rule_set(space, neg, pos, used + tuple(x.key for x in lits), p,
                                                   depth + 1))
            break
    return LearnedRule(tuple(lits), exceptions)


def _learn_rule_set(space: SearchSpace, pos: np.ndarray, neg: np.ndarray, used: tuple[int, ...], p: Params,
                    depth: int) -> list[LearnedRule]:
    rules: list[LearnedRule] = []
    while len(pos):
        rule = _learn_rule(space, pos, neg, used, p, depth)
        if not rule.lits:
            break
        covered = covers(rule, space.data, pos)
        gain = int(covered.sum()) - int(covers(rule, space.data, neg).sum())
        if not covered.any() or gain < p.min_cover:
            break
        pos = pos[~covered]
        rules.append(rule)
    return rules


def _by_frequency(labels: np.ndarray, n_classes: int) -> list[int]:
    """Labels, most frequent first; ties go to the later label in first-appearance order (FOLD-RM)."""
    counts = np.bincount(labels, minlength=n_classes)
    _, first = np.unique(labels, return_index=True)
    order = np.unique(labels)[np.argsort(first)]
    return sorted(order.tolist(), key=lambda c: (-counts[c], -int(np.flatnonzero(order == c)[0])))


def _majority(labels: np.ndarray, n_classes: int) -> int:
    """The most frequent label (ties as in :func:`_by_frequency`)."""
    return _by_frequency(labels, n_classes)[0]


def _class_rule(space: SearchSpace, y: np.ndarray, remaining: np.ndarray, c: int, p: Params,
                counts: np.ndarray, first: bool) -> tuple[LearnedRule, np.ndarray] | None:
    """One rule for class ``c`` on the remaining examples and its coverage, or None below the cut.

    ``first`` tells whether ``c`` is the most frequent remaining class.
    """
    is_pos = y[remaining] == c
    pos, neg = remaining[is_pos], remaining[~is_pos]
    p = replace(p, min_cover=max(p.tail * float(counts[c]), float(p.min_gain)))
    rule = replace(_learn_rule(space, pos, neg, (), p, 0), label=c)
    cov = covers(rule, space.data, remaining)
    npos, nneg = int((cov & is_pos).sum()), int((cov & ~is_pos).sum())
    # the most frequent class needs m; a class tried after it failed needs the stricter
    # max(min_gain, 4 * tail * |all examples|), so rare classes do not grow a long tail
    cut = p.min_cover if first else max(float(p.min_gain), 4 * p.tail * len(y))
    if not npos or npos - nneg < cut:
        return None
    return rule, cov


def fold_sem(space: SearchSpace, y: np.ndarray, n_classes: int, p: Params) -> list[LearnedRule]:
    """FOLD-SE-M's class loop; returns the ordered rule list, ending with a catch-all.

    The tail cut, with ``m = max(min_gain, tail * |examples of c|)`` while
    learning for class ``c``: every literal must hold on at least ``m``
    positives, and a rule set (of exceptions) stops at its first rule whose
    net gain (positives minus negatives it covers) is below ``m``. A rule of
    the class loop must have a net gain of at least ``m``.

    While examples remain: take the most frequent remaining class as positive
    and all others as negative, learn one rule, and drop every example it
    covers (positive or negative). When the rule fails the cut, the other
    classes are tried in order of frequency, with the stricter cut
    ``max(min_gain, 4 * tail * |examples|)``; the loop stops when every
    remaining class fails.
    The list then ends with a catch-all rule for the most frequent class of
    the examples left (of the whole table if none is left), so every example
    gets a class (the FOLD-RM reference leaves such examples unclassified).
    The catch-all is a fallback, not a learned rule: it is not held to the
    tail cut (its support, which may be a single example, is reported in
    ``FoldSEM.rule_stats_`` and in the comment above it).
    """
    remaining = np.arange(len(y))
    rules: list[LearnedRule] = []
    counts = np.bincount(y, minlength=n_classes)
    while len(remaining):
        found = None
        for i, c in enumerate(_by_frequency(y[remaining], n_classes)):
            found = _class_rule(space, y, remaining, c, p, counts, i == 0)
            if found is not None:
                break
        if found is None:
            break
        rule, cov = found
        rules.append(rule)
        if not rule.lits and not rule.exceptions:
            return rules
        remaining = remaining[~cov]
    fallback = _majority(y[remaining] if len(remaining) else y, n_classes)
    while rules and rules[-1].label == fallback:
        rules.pop()  # subsumed by the catch-all of the same class (same guards)
    rules.append(LearnedRule((), (), fallback))
    return rules


def _merge(lits: Sequence[Lit]) -> tuple[Lit, ...]:
    """Drop the literals of a body that other literals of the same feature imply (exact).

    * ``x == v`` implies ``x != w`` (w another value) and, on a numeric
      column, ``not(x =< t)`` and ``not(x > t)`` (``v`` is a string).
    * ``x =< a`` or ``x > a`` say that ``x`` is a number; then
      ``not(x > b)`` is ``x =< b`` and ``not(x =< b)`` is ``x > b``.
    * Of several upper bounds of one kind the smallest is kept, of several
      lower bounds the largest (``N>3, N>5`` -> ``N>5``).

    Every example has exactly one value per feature, so the rule covers the
    same examples before and after.
    """
    numeric = {lit.feature for lit in lits if lit.op in ("<=", ">")}
    equal = {lit.feature: lit.value for lit in lits if lit.op == "=="}
    keep: dict[tuple[int, str], Lit] = {}
    order: list[tuple[int, str] | int] = []
    tighter = {"<=": min, "!>": min, ">": max, "!<=": max}
    for i, lit in enumerate(lits):
        if lit.feature in equal and (lit.op in ("!>", "!<=") or lit.op == "!=" and lit.value != equal[lit.feature]):
            continue
        if lit.op not in tighter:
            order.append(i)
            continue
        if lit.feature in numeric and lit.op.startswith("!"):
            lit = Lit(lit.feature, "<=" if lit.op == "!>" else ">", lit.value, lit.key)
        k = (lit.feature, lit.op)
        if k not in keep:
            keep[k] = lit
            order.append(k)
        elif tighter[lit.op](lit.value, keep[k].value) != keep[k].value:
            keep[k] = lit
    return tuple(lits[o] if isinstance(o, int) else keep[o] for o in order)


def simplify(rule: LearnedRule) -> LearnedRule:
    """Merge bounds, and inline every exception that is one literal with no exceptions.

    An inlined exception ``ab(X) :- l.`` becomes the negated literal in its
    parent (``=<`` <-> ``not(=<)``, ``>`` <-> ``not(>)``, ``==`` <-> ``!=``),
    which is exact because every example has one value per feature.
    """
    exceptions = [simplify(e) for e in rule.exceptions]
    lits = list(rule.lits)
    kept = []
    for e in exceptions:
        if len(e.lits) == 1 and not e.exceptions:
            lit = e.lits[0]
            lits.append(Lit(lit.feature, NEGATION[lit.op], lit.value, lit.key))
        else:
            kept.append(e)
    return LearnedRule(_merge(lits), tuple(kept), rule.label)


def _walk(rules: Sequence[LearnedRule]):
    for r in rules:
        yield r
        yield from _walk(r.exceptions)


def count_literals(rules: Sequence[LearnedRule]) -> int:
    """Body literals of the default rules and of the distinct exception rules (as printed, see :func:`count_rules`).

    An exception shared by several rules is one ``abK`` rule of the program,
    counted once; exception references are not counted.
    """
    seen = set()
    n = 0
    for r in _walk(rules):
        if r.label >= 0:
            n += len(r.lits)
        elif (r.lits, r.exceptions) not in seen:
            seen.add((r.lits, r.exceptions))
            n += len(r.lits)
    return n


def count_rules(rules: Sequence[LearnedRule]) -> int:
    """Default rules plus distinct exception rules (the catch-all counts as a default rule)."""
    seen = set()
    n = 0
    for r in _walk(rules):
        if r.label >= 0:
            n += 1
        else:
            seen.add((r.lits, r.exceptions))
    return n + len(seen)
