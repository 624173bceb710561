"""Predicate names for labelled filters.

Each filter's kept concepts become one predicate name, with a counter per
concept that runs over all filters in ascending filter order, as in
NeSyFOLD: the first filter showing a wall and a cabinet is
``wall1_cabinet1``, a later filter showing a wall alone is ``wall2``.
Names are sanitized to valid ASP identifiers; a filter whose activation
never falls inside a mask gets the fallback name ``unlabelled_f<k>``.

Examples
--------
>>> from nesyasp.label.scores import FilterConcepts
>>> recs = [FilterConcepts(38, ("wall", "cabinet")), FilterConcepts(209, ("wall",)),
...         FilterConcepts(7, ())]
>>> name_filters(recs)
{7: 'unlabelled_f7', 38: 'wall1_cabinet1', 209: 'wall2'}
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import AbstractSet, Iterable

from nesyasp.lang.ast import is_identifier
from nesyasp.label.scores import FilterConcepts

__all__ = ["sanitize_concept", "fallback_name", "name_filters", "concept_phrase"]

_NON_WORD = re.compile(r"[^a-z0-9]+")
# The raw name of a filter (f<k>): a label of that form would be read as another filter
# wherever raw and labelled atoms meet (a labelled facts file keeps f<k> for filters outside the rule set).
_RAW_FILTER = re.compile(r"f[0-9]+")


def sanitize_concept(name: str) -> str:
    """Turn a concept name into the stem of an ASP identifier.

    Lower case, ASCII, runs of other characters become ``_``; a stem that
    would not start with a letter is prefixed with ``c_``.

    >>> sanitize_concept("Kitchen Island"), sanitize_concept("3d-box"), sanitize_concept("Café")
    ('kitchen_island', 'c_3d_box', 'cafe')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = _NON_WORD.sub("_", ascii_name.lower()).strip("_")
    if not stem:
        return "concept"
    if not stem[0].isalpha():
        stem = f"c_{stem}"
    return stem


def fallback_name(k: int) -> str:
    """Name of a filter with no mask overlap: ``unlabelled_f<k>``."""
    return f"unlabelled_f{k}"


def _piece(stem: str, count: int) -> str:
    # "wall" + 1 -> "wall1"; a stem ending in a digit gets "_": "c_3d" -> "c_3d_1"
    return f"{stem}_{count}" if stem[-1].isdigit() else f"{stem}{count}"


def name_filters(records: Iterable[FilterConcepts], reserved: AbstractSet[str] = frozenset()) -> dict[int, str]:
    """Give every filter a predicate name from its kept concepts.

    Parameters
    ----------
    records : iterable of FilterConcepts
        Labelling results; they are named in ascending filter order.
    reserved : set of str
        Names already used by the program (``target``, ``ab1``, ...); a label
        that would clash gets a ``_f<k>`` suffix, and so does a label of a raw
        filter's form ``f<digits>`` (a concept ``f`` on filter 3 is ``f1_f3``,
        never ``f1``, which is filter 1 in the facts).

    Returns
    -------
    dict
        Filter index to predicate name, in ascending filter order. Names are
        unique and valid ASP identifiers.
    """
    counters: Counter[str] = Counter()
    names: dict[int, str] = {}
    used = set(reserved)
    for rec in sorted(records, key=lambda r: r.filter):
        if rec.concepts:
            pieces = []
            for concept in rec.concepts:
                stem = sanitize_concept(concept)
                counters[stem] += 1
                pieces.append(_piece(stem, counters[stem]))
            name = "_".join(pieces)
        else:
            name = fallback_name(rec.filter)
        if name in used or not is_identifier(name) or _RAW_FILTER.fullmatch(name):
            name = f"{name}_f{rec.filter}"
        used.add(name)
        names[rec.filter] = name
    return names


def concept_phrase(concepts: tuple[str, ...]) -> str:
    """English for a set of concepts: ``'a wall and a cabinet'``.

    >>> concept_phrase(("wall", "cabinet")), concept_phrase(("apple", "sink", "oven"))
    ('a wall and a cabinet', 'an apple, a sink and an oven')
    """
    words = [name.replace("_", " ").strip() or "concept" for name in concepts]
    items = [f"{'an' if w[0].lower() in 'aeiou' else 'a'} {w}" for w in words]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
