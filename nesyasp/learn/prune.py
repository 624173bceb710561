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
change class when that rule changes, and the class they would get from the
rules after it comes from every rule's coverage of the training rows,
computed once per pass (and again for a rule that changed). Each literal of
the rule is evaluated once on those rows, and rows with the same truth values
of all of them are merged into one weighted group: a trial combines the
cached group masks (a few boolean operations per literal over the groups, no
comparison re-evaluated), and the size of the trial rule set is counted
against the other rules, counted once per rule. The signatures of a rule of
at most 20 literals are grouped by counting (a table of ``2**literals``
entries, used when it is at most about four times the rows), not by sorting;
a rule with nothing to remove (one literal, no exception) is skipped before
anything is computed for it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import numpy as np

from nesyasp.learn.core import LearnedRule, covers, simplify
from nesyasp.learn.encode import Encoded
from nesyasp.learn.search import Lit

__all__ = ["prune"]

Path = tuple[int, ...]

# rules of at most this many distinct literals, on enough rows, group their rows' signatures by
# counting (O(rows), no sort), see _group_small
_COUNTING_BITS = 20


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


def _first_cover(cover: np.ndarray, start: int, rows: np.ndarray | None = None) -> np.ndarray:
    """For each of ``rows`` (all when None), the first rule from ``start`` on that covers it
    (``len(cover)`` if none). ``cover[j]`` is rule ``j``'s coverage of every training row.
    """
    later = cover[start:] if rows is None else cover[start:, rows]
    if later.shape[0] == 0:
        return np.full(len(rows), cover.shape[0], dtype=np.int64)
    return np.where(later.any(axis=0), start + later.argmax(axis=0), cover.shape[0])


class _Later:
    """The label the rules after rule ``k`` give each row, kept up to date as ``k`` rises.

    ``next`` holds, for every training row, the first rule after ``k`` that
    covers it; moving to ``k + 1`` only looks again at the rows whose next
    rule was ``k + 1``. The rules after ``k`` do not change while ``k`` is
    pruned, so this is exact within a pass.
    """

    def __init__(self, cover: np.ndarray, labels: np.ndarray):
        self.cover, self.k = cover, 0
        self.labels = np.append(labels, -1)  # index len(cover): no rule
        self.next: np.ndarray | None = None  # computed when first needed

    def advance(self, k: int) -> None:
        if self.next is None:
            self.next = _first_cover(self.cover, 1)
        while self.k < k:
            self.k += 1
            moved = np.flatnonzero(self.next == self.k)
            self.next[moved] = _first_cover(self.cover, self.k + 1, moved)

    def labels_of(self, rows: np.ndarray) -> np.ndarray:
        assert self.next is not None
        return self.labels[self.next[rows]]


def _tree_literals(rule: LearnedRule, out: dict[tuple[int, str], Lit]) -> dict[tuple[int, str], Lit]:
    for lit in rule.lits:
        out.setdefault((lit.key, lit.op), lit)  # a literal's global code and operator name it
    for exc in rule.exceptions:
        _tree_literals(exc, out)
    return out


def _group_small(signatures: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(signatures, return_inverse=True)`` for values below ``bound`` (a small bound: O(n), no sort).

    The groups come back as a column of ``uint64`` (sorted, as ``np.unique`` gives them).
    """
    present = np.zeros(bound, dtype=bool)
    present[signatures] = True
    groups = np.flatnonzero(present)
    remap = np.zeros(bound, dtype=np.int64)
    remap[groups] = np.arange(len(groups))
    return groups.astype(np.uint64)[:, None], remap[signatures]


class _Masks:
    """Coverage of rule variants on the rows that reach a rule, grouped by their literals' truth values.

    Every literal of the rule's tree is evaluated once on those rows; rows
    with the same truth values (the same *signature*) behave alike for every
    variant of the rule, so variants are evaluated on the distinct
    signatures, weighted by how many rows were right when covered or not.
    """

    def __init__(self, rule: LearnedRule, data: Encoded, rows: np.ndarray, right_if_covered: np.ndarray,
                 right_if_not: np.ndarray):
        lits = _tree_literals(rule, {})
        index = {key: i for i, key in enumerate(lits)}
        bits = np.zeros((len(rows), max(1, -(-len(lits) // 64))), dtype=np.uint64)
        for i, lit in enumerate(lits.values()):
            bits[:, i // 64] |= lit.holds(data, rows).astype(np.uint64) << np.uint64(i % 64)
        if len(lits) <= _COUNTING_BITS and (1 << len(lits)) <= 4 * len(rows) + 256:
            groups, inverse = _group_small(bits[:, 0].astype(np.int64), 1 << len(lits))
        elif bits.shape[1] == 1:
            groups, inverse = np.unique(bits[:, 0], return_inverse=True)
            groups = groups[:, None]
        else:
            groups, inverse = np.unique(bits, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        self.n = groups.shape[0]
        self.cache = {key: ((groups[:, i // 64] >> np.uint64(i % 64)) & np.uint64(1)).astype(bool)
                      for key, i in index.items()}
        self.if_covered = np.bincount(inverse, weights=right_if_covered, minlength=self.n)
        self.if_not = np.bincount(inverse, weights=right_if_not, minlength=self.n)

    def covers(self, rule: LearnedRule) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        for lit in rule.lits:
            mask &= self.cache[(lit.key, lit.op)]
        for exc in rule.exceptions:
            mask &= ~self.covers(exc)
        return mask

    def correct(self, rule: LearnedRule) -> int:
        return int(round(float(np.sum(np.where(self.covers(rule), self.if_covered, self.if_not)))))


class _Size:
    """``count_literals(before + [rule] + after)`` for many ``rule``, the fixed rules counted once."""

    def __init__(self, fixed: list[LearnedRule]):
        self.seen: set = set()
        self.base = 0
        for r in fixed:
            self.base += len(r.lits)
            self._walk(r.exceptions, self.seen, [0])
        self.base_exceptions = sum(len(key[0]) for key in self.seen)

    @staticmethod
    def _walk(exceptions, seen: set, total: list[int]) -> None:
        for e in exceptions:
            key = (e.lits, e.exceptions)
            if key not in seen:
                seen.add(key)
                total[0] += len(e.lits)
            _Size._walk(e.exceptions, seen, total)

    def __call__(self, rule: LearnedRule) -> int:
        extra = [0]
        self._walk(rule.exceptions, set(self.seen), extra)
        return self.base + self.base_exceptions + len(rule.lits) + extra[0]


def _prunable(rule: LearnedRule) -> bool:
    """Whether a default rule has anything to remove (a rule keeps one literal; none at all: the catch-all)."""
    return len(rule.lits) > 1 or (bool(rule.lits) and bool(rule.exceptions))


def _prune_rule(rules: list[LearnedRule], k: int, data: Encoded, y: np.ndarray, rows: np.ndarray,
                later: np.ndarray, simple: list[LearnedRule]) -> bool:
    """Prune default rule ``k`` in place on the rows that reach it (``later``: the labels the rules after it
    give them, ``simple``: the rules simplified); True when something was removed."""
    target = y[rows]
    masks = _Masks(rules[k], data, rows, rules[k].label == target, later == target)
    correct = masks.correct
    size = _Size(simple[:k] + simple[k + 1:])
    best, smallest = correct(rules[k]), size(simplify(rules[k]))
    changed = False
    for path, j in list(_edits(rules[k])):
        candidate = _apply(rules[k], path, j)
        if candidate is None:
            continue
        score = correct(candidate)
        if score >= best:
            n = size(simplify(candidate))
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
        After the first pass, only the rules that changed are visited again,
        unless some rule's coverage of the training rows changed (then all are).

    Returns
    -------
    list of LearnedRule
        The pruned rules; training accuracy is at least that of ``rules``, and
        the simplified rule set has at most as many literals.
    """
    rules = list(rules)
    every = np.arange(len(y))
    labels = np.asarray([r.label for r in rules], dtype=np.int64)
    visit = set(range(len(rules) - 1))  # the catch-all stays as it is
    cover = np.stack([covers(r, data, every) for r in rules]) if rules else np.zeros((0, len(y)), dtype=bool)
    simple = [simplify(r) for r in rules]
    for _ in range(max_passes):
        reach = np.ones(len(y), dtype=bool)
        edited, moved = set(), False
        later = _Later(cover, labels)
        for k in range(len(rules) - 1):
            rows = np.flatnonzero(reach)
            if rows.size == 0:
                break
            if k in visit and _prunable(rules[k]):
                later.advance(k)
                changed = _prune_rule(rules, k, data, y, rows, later.labels_of(rows), simple)
            else:
                changed = False
            if changed:
                new = covers(rules[k], data, every)
                moved |= not np.array_equal(new, cover[k])
                cover[k], simple[k] = new, simplify(rules[k])
                edited.add(k)
            reach &= ~cover[k]
        # a rule is visited again when it changed, or when any rule's coverage did (its context changed)
        visit = set(range(len(rules) - 1)) if moved else edited
        if not visit:
            break
    return rules
