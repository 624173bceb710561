"""ASP predicate names for a table's column names (:func:`sanitize_names`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from nesyasp.lang.ast import is_identifier

__all__ = ["sanitize_names", "RESERVED_PREDICATES"]

_RESERVED = re.compile(r"(ab|rule)\d+\Z")
#: Names a feature predicate never takes (besides the head, ``abN`` and ``ruleN``).
RESERVED_PREDICATES = ("_example", "not")


def _ascii_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9_]+", "_", folded.lower()).strip("_")


def sanitize_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """ASP predicate names for column names.

    Lower-cased, accents dropped (``Âge`` -> ``age``), every run of other
    characters than ``[a-z0-9_]`` becomes ``_``, leading and trailing ``_``
    go; a name left empty becomes ``col``; a name that does not start with a
    letter gets an ``f`` prefix (``295`` -> ``f295``). A name that is an ASP
    keyword (``not``), the example domain ``_example``, one of ``reserved``
    (the head predicate, background predicates), ``abN``/``ruleN``, or a name
    already taken by an earlier column gets a ``_2``, ``_3``, ... suffix.

    >>> sanitize_names(["Age", "295", "capital-gain", "age", "ab1", "not", "", "Âge"], reserved=["target"])
    ['age', 'f295', 'capital_gain', 'age_2', 'ab1_2', 'not_2', 'col', 'age_3']
    """
    taken = set(reserved) | set(RESERVED_PREDICATES)
    out = []
    for name in names:
        base = _ascii_name(name) or "col"
        if not base[0].isalpha():
            base = "f" + base
        candidate, k = base, 1
        while candidate in taken or _RESERVED.match(candidate) or not is_identifier(candidate):
            k += 1
            candidate = f"{base}_{k}"
        taken.add(candidate)
        out.append(candidate)
    return out
