"""Lossless pruning of a learned decision list on its training data.

FOLD's literal search is greedy: a literal chosen early can become
superfluous once later literals and exceptions are in place, and an exception
can end up fixing nothing that the rules after it would not fix anyway.
:func:`prune` removes such parts. It visits the default rules in order; in
each, from the deepest exception up and from the last literal to the first, it
tries to drop a whole exception rule, then each literal, and keeps a removal
when the decision list classifies at least as many training examples
correctly as before and the rule set, as printed (simplified, identical
exceptions counted once), is no larger. Training accuracy therefore never
drops; it may rise (a removal that fixes an example is kept too). The size
test matters for an exception that several rules share: a literal dropped
from one copy only would print a second, nearly identical ``abK`` rule.

A rule keeps at least one literal (a default rule without literals would
cover everything and silence the rules after it; an exception without
literals would cancel its parent), and the final catch-all rule is left
alone. Dropping a default rule entirely is not tried: the class loop already
cuts rules below the tail.

Only the rows that reach a default rule (no earlier rule covers them) can
change class when that rule changes, and for each of them the class they
would get from the rules after it is computed once per rule, so one trial
costs one coverage test of the edited rule on those rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import numpy as np

from nesyasp.learn.core import LearnedRule, count_literals, covers, simplify
from nesyasp.learn.encode import Encoded

__all__ = ["prune"]

Path = tuple[int, ...]


def _get(rule: LearnedRule, path: Path) -> LearnedRule:
    for i in path:
        rule = rule.exceptions[i]
    return rule


def _put(rule: LearnedRule, path: Path, new: LearnedRule | None) -> LearnedRule:
    """``rule`` with the exception at ``path`` replaced by ``new`` (removed when None)."""
    if not path:
        assert new is not None
        return new
    head, rest = path[0], path[1:]
    exceptions = list(rule.exceptions)
    if rest:
        exceptions[head] = _put(exceptions[head], rest, new)
    elif new is None:
        del exceptions[head]
    else:
        exceptions[head] = new
    return replace(rule, exceptions=tuple(exceptions))


def _paths(rule: LearnedRule, path: Path = ()) -> Iterator[Path]:
    """Paths of the rule and of every exception below it, parents first."""
    yield path
    for i, exc in enumerate(rule.exceptions):
        yield from _paths(exc, path + (i,))


def _edits(rule: LearnedRule) -> Iterator[tuple[Path, int | None]]:
    """Candidate removals, deepest and last first: (path, None) drops an exception, (path, j) literal j."""
    for path in reversed(list(_paths(rule))):
        if path:
            yield path, None
        for j in reversed(range(len(_get(rule, path).lits))):
            yield path, j


def _apply(rule: LearnedRule, path: Path, j: int | None) -> LearnedRule | None:
    """The rule after one removal, or None when the removal is not allowed (or no longer applies)."""
    try:
        target = _get(rule, path)
    except IndexError:
        return None  # an earlier removal took this exception away
    if j is None:
        return _put(rule, path, None)
    if j >= len(target.lits) or len(target.lits) == 1:
        return None
    return _put(rule, path, replace(target, lits=target.lits[:j] + target.lits[j + 1:]))


def _later_labels(rules: list[LearnedRule], k: int, data: Encoded, rows: np.ndarray) -> np.ndarray:
    """For each row, the label of the first rule after ``k`` that covers it (-1 if none)."""
    out = np.full(len(rows), -1, dtype=np.int64)
    left = np.arange(len(rows))
    for rule in rules[k + 1:]:
        if left.size == 0:
            break
        hit = covers(rule, data, rows[left])
        out[left[hit]] = rule.label
        left = left[~hit]
    return out


def _prune_rule(rules: list[LearnedRule], k: int, data: Encoded, y: np.ndarray, rows: np.ndarray) -> bool:
    """Prune default rule ``k`` in place on the rows that reach it; True when something was removed."""
    later = _later_labels(rules, k, data, rows)
    target = y[rows]
    label = rules[k].label

    def correct(rule: LearnedRule) -> int:
        return int(np.sum(np.where(covers(rule, data, rows), label, later) == target))

    before = [simplify(r) for r in rules[:k]]
    after = [simplify(r) for r in rules[k + 1:]]

    def size(rule: LearnedRule) -> int:
        return count_literals(before + [simplify(rule)] + after)

    best, smallest = correct(rules[k]), size(rules[k])
    changed = False
    for path, j in list(_edits(rules[k])):
        candidate = _apply(rules[k], path, j)
        if candidate is None:
            continue
        score = correct(candidate)
        if score >= best:
            n = size(candidate)
            if n <= smallest:
                rules[k], best, smallest, changed = candidate, score, n, True
    return changed


def prune(rules: list[LearnedRule], data: Encoded, y: np.ndarray, max_passes: int = 5) -> list[LearnedRule]:
    """Drop the literals and exceptions of ``rules`` that cost no training accuracy.

    Parameters
    ----------
    rules : list of LearnedRule
        The ordered default rules, ending with the catch-all.
    data : Encoded
        The encoded training table.
    y : ndarray of int
        Class indices of the training rows.
    max_passes : int, default=5
        Passes over the rules; a pass that removes nothing ends the pruning.

    Returns
    -------
    list of LearnedRule
        The pruned rules; training accuracy is at least that of ``rules``, and
        the simplified rule set has at most as many literals.
    """
    rules = list(rules)
    for _ in range(max_passes):
        changed = False
        rows = np.arange(len(y))
        for k in range(len(rules) - 1):  # the catch-all stays as it is
            if rows.size == 0:
                break
            if rules[k].lits:
                changed |= _prune_rule(rules, k, data, y, rows)
            rows = rows[~covers(rules[k], data, rows)]
        if not changed:
            break
    return rules
