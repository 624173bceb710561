"""Vectorized reading of the cells of a :class:`~nesyasp.learn.units.Unit` (a column of a million dates).

:func:`fast_values` checks with one regular-expression pass over the joined
texts that every text has the unit's plainest form, and converts them with
numpy (``datetime64`` for dates and naive date-times, the float cast for
amounts and percentages), giving exactly the numbers of ``Unit.parse``. For
any other list (a text of another form, a zoned date-time, an amount in
parentheses) it returns ``None`` and the caller parses text by text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import numpy as np

__all__ = ["fast_values", "money_decimals"]

_FIRST, _LAST = np.datetime64("0001-01-01T00:00:00", "us"), np.datetime64("9999-12-31T23:59:59.999999", "us")
_NUM = {False: r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)",
        True: r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|,\d+)"}
_FORMS = {"date": r"\d{4}-\d{2}-\d{2}",
          "datetime": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"}


@lru_cache(maxsize=64)
def _joined(kind: str, symbol: str, before: bool, comma: bool) -> re.Pattern:
    mark = "," if comma else r"\."
    if kind == "money":
        sym = re.escape(symbol)
        form = rf"-?{sym} ?{_NUM[comma]}" if before else rf"-?{_NUM[comma]} ?{sym}"
    elif kind == "percent":
        form = rf"[-+]?(?:\d+(?:{mark}\d*)?|{mark}\d+) ?%"
    else:
        form = _FORMS[kind]
    return re.compile(rf"^(?:{form})$", re.ASCII | re.MULTILINE)


def _all_match(pattern: re.Pattern, texts: Sequence[str]) -> bool:
    """Whether every text (none empty, none with a line end) matches: the joined texts less their matches are
    line ends only (one pass in C, no per-text Python, no backtracking stack per repetition)."""
    if not all(isinstance(t, str) for t in texts[:1]):
        return False
    joined = "\n".join(texts)
    if len(texts) != joined.count("\n") + 1 or "\n\n" in joined or joined.startswith("\n") or joined.endswith("\n"):
        return False
    return not pattern.sub("", joined).strip("\n")


def fast_values(unit, texts: Sequence[str]) -> np.ndarray | None:
    """The numbers of ``texts`` (all of ``unit``'s plainest form), or None (module docstring)."""
    if not texts or (unit.kind == "datetime" and unit.zone):
        return None
    if not _all_match(_joined(unit.kind, unit.symbol, unit.before, unit.comma), texts):
        return None
    array = np.asarray(texts, dtype=str)
    if unit.kind not in ("date", "datetime"):
        return _plain(array, unit).astype(np.float64)
    try:
        moments = array.astype("datetime64[us]")
    except ValueError:  # 2024-02-30
        return None
    if moments.min() < _FIRST or moments.max() > _LAST:  # year 0: numpy reads it, Python's dates do not
        return None
    micros = moments.astype(np.int64)
    return micros // 86_400_000_000 * 1.0 if unit.kind == "date" else micros / 1e6


def _plain(array: np.ndarray, unit) -> np.ndarray:
    """Amounts and percentages without their symbol, thousands separators and blanks, with a decimal point
    (``-1234.50``)."""
    for text in (unit.symbol, "." if unit.comma else ",", " "):
        array = np.strings.replace(array, text, "")
    return np.strings.replace(array, ",", ".") if unit.comma else array


def money_decimals(unit, texts: Sequence[str]) -> int | None:
    """The most decimals among amounts of ``unit``'s plainest form (None: not all of that form)."""
    if not texts or not _all_match(_joined("money", unit.symbol, unit.before, unit.comma), texts):
        return None
    plain = _plain(np.asarray(texts, dtype=str), unit)
    dot = np.strings.rfind(plain, ".")
    return int(np.where(dot >= 0, np.strings.str_len(plain) - dot - 1, 0).max())
