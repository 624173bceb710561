"""How often labels are right, where the ground truth is known (the generated scenes).

A label is judged by its best concept against the concepts the data
generator draws for each class (:attr:`nesyasp.data.ImageSet.class_concepts`)
and against the classes whose rules use the filter
(:func:`~nesyasp.label.transform.filter_uses`). Two readings are measured:

* **unsigned** (the issue's wording): the best concept is drawn in at least
  one class whose rules use the filter, whatever the sign of the use;
* **signed**: a use as evidence *for* class ``c`` (an even number of
  ``not`` on the path) needs a concept of ``c``; a use as evidence
  *against* ``c`` (``not f5(X)``, or ``f5`` inside an exception ``ab1``)
  needs a concept of another class of the rule set. One fitting use suffices;
* **own**: as signed, but a filter counts as used only by the class(es) of
  the rules whose bodies hold it (directly or through exceptions ``abK``),
  not by later classes whose rules say ``not rule1(X)`` ("an earlier rule
  does not apply"), see ``filter_uses(own=True)``. The strictest reading.

A filter without mask overlap (fallback name) is wrong in every reading.
With a ``part_hosts`` mapping, a part is drawn in a class when all the
objects it belongs to are: ``pillow`` (only on a bed) counts for bedroom,
``panel`` (on wardrobes, fridges, cabinets and doors) counts for no class.

Examples
--------
>>> from nesyasp.lang import parse_program
>>> from nesyasp.label.scores import FilterConcepts
>>> prog = parse_program("target(X,bedroom) :- f1(X). target(X,kitchen) :- not f1(X), f2(X).")
>>> acc = label_accuracy(prog, [FilterConcepts(1, ("bed",)), FilterConcepts(2, ("wall",))],
...                      {"bedroom": ("bed", "lamp"), "kitchen": ("stove",)})
>>> [(r.filter, r.correct_unsigned, r.correct_signed, r.correct_own) for r in acc.rows], acc.share_signed
([(1, True, True, True), (2, False, False, False)], 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from nesyasp.lang.ast import Program
from nesyasp.label.scores import FilterConcepts
from nesyasp.label.transform import filter_uses

__all__ = ["AccuracyRow", "LabelAccuracy", "label_accuracy"]


@dataclass(frozen=True, slots=True)
class AccuracyRow:
    """The judgement of one rule-set filter's label."""

    filter: int
    best: str | None
    uses: tuple[tuple[str, bool], ...]
    correct_unsigned: bool
    correct_signed: bool
    correct_own: bool = False


@dataclass(frozen=True, slots=True)
class LabelAccuracy:
    """Per-filter judgements and the shares of correct labels."""

    rows: tuple[AccuracyRow, ...]

    @property
    def share_unsigned(self) -> float:
        """Share of filters whose best concept is drawn in a class that uses them (0 without filters)."""
        return sum(r.correct_unsigned for r in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def share_signed(self) -> float:
        """Share of filters whose best concept fits the sign of one of their uses."""
        return sum(r.correct_signed for r in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def share_own(self) -> float:
        """Share of filters whose best concept fits the sign of one of their own rules' uses."""
        return sum(r.correct_own for r in self.rows) / len(self.rows) if self.rows else 0.0


def label_accuracy(program: Program, records: Iterable[FilterConcepts],
                   class_concepts: Mapping[str, Iterable[str]],
                   part_hosts: Mapping[str, Iterable[str]] | None = None,
                   target: str = "target") -> LabelAccuracy:
    """Judge the labels of the filters that ``program`` uses.

    Parameters
    ----------
    program : Program
        The raw rule set (filters ``f<k>``).
    records : iterable of FilterConcepts
        The labelling results; filters of the rule set without a record count as wrong.
    class_concepts : mapping
        Class name to the concepts the generator draws for it.
    part_hosts : mapping, optional
        Part concept to the objects it belongs to (a part is drawn in a class
        when all of them are).
    """
    drawn = {str(c): set(v) for c, v in class_concepts.items()}
    hosts = {str(p): set(v) for p, v in (part_hosts or {}).items()}
    by_filter = {r.filter: r for r in records}
    uses = filter_uses(program, target)
    own_uses = filter_uses(program, target, own=True)
    classes = sorted({c for u in uses.values() for c, _ in u})
    rows = []
    for k in sorted(uses):
        rec = by_filter.get(k)
        best = rec.best if rec is not None else None
        def of(cls: str, best: str | None = best) -> bool:
            if best is None:
                return False
            if best in hosts:
                return bool(hosts[best]) and hosts[best] <= drawn.get(cls, set())
            return best in drawn.get(cls, set())

        def signed(pairs: Iterable[tuple[str, bool]]) -> bool:
            return any(of(c) if positive else any(of(o) for o in classes if o != c) for c, positive in pairs)

        unsigned = any(of(c) for c, _ in uses[k])
        rows.append(AccuracyRow(k, best, tuple(sorted(uses[k])), unsigned, signed(uses[k]),
                                signed(own_uses.get(k, ()))))
    return LabelAccuracy(tuple(rows))
