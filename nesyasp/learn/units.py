"""Columns of dates, date-times, money and percentages: read as numbers, shown in their own form.

A column (not declared categorical) whose every non-missing cell is of one of
these forms is a numeric column with a :class:`Unit`:

``date``
    ISO dates ``2024-03-05``; the number is the day count since 1970-01-01
    (``2024-03-05`` is 19787).
``datetime``
    ISO date-times ``2024-03-05T10:20:00`` (or with a blank for the ``T``;
    seconds and fractions optional), every cell without a zone, or every cell
    with one (``Z``, ``+01:00``); the number is the seconds since
    1970-01-01T00:00:00 (UTC for zoned cells). Zoned values are shown in the
    zone of the cells when they all share one, else in UTC (``Z``).
``money``
    Amounts with one currency symbol for the whole column, before or after
    the number (``$1,234.50``, ``-€3.10``, ``€-3.10``, ``12.00 €``,
    ``USD 12``, ``($5.00)`` for -5): the number is the amount. Thousands
    separators are commas in groups of three and the decimal point a dot, or
    dots in groups of three and a decimal comma (``1.234,50 €``, ``-3,10 €``:
    European exports), whichever reads every cell; when both do (``$1,234``,
    ``1.234 €``), the one that gives fewer decimals (money has 0 or 2:
    ``$1,234`` is 1234, ``1.234 €`` is 1234), the point on a tie.
``percent``
    ``12%``, ``-0.5 %``, ``12,5 %`` (a decimal comma, when every cell reads
    so): the number is the one written (``12%`` is 12).

Missing cells (empty, or one of :data:`MISSING`) stay strings, as in any
numeric column. A column with any other cell (a plain number, another
currency, a date next to a date-time, a zoned next to a naive date-time) is
not of a form: it is read as before (categorical, usually), and when most of
its cells are of a form a warning names a cell that is not.

The learner, ``predict``, the ASP facts and the learned programs use the
numbers (exact: order codes for clingo as for any numeric column); every
text for people (rule comments, ``#pred``, ``explain_text``, ``trace``,
``nesyasp learn``) shows values and thresholds with :meth:`Unit.format`
(``date <= 2024-03-05``, ``price > $1,234.50``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Sequence

import numpy as np

from nesyasp.errors import DataError
from nesyasp.learn._unitfast import fast_values, money_decimals

__all__ = ["Unit", "DATE", "DATETIME", "MONEY", "PERCENT", "MISSING", "detect_unit", "apply_unit", "unit_of_json"]

logger = logging.getLogger(__name__)

DATE, DATETIME, MONEY, PERCENT = "date", "datetime", "money", "percent"
#: Cells that are missing values in a column of a form (they stay strings, as ``?`` in a numeric column).
MISSING = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "-"})

_SWAP = str.maketrans(",.", ".,")
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?\Z")
_CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|INR|SEK|NOK|DKK|PLN|CZK"
_SYMBOL = rf"[$€£¥₹]|(?:{_CODES})"
_NUMBERS = {False: r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+",   # 1,234.50
            True: r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|,\d+"}      # 1.234,50 (a decimal comma)
_MONEY = {comma: re.compile(rf"(?P<s1>[-+\u2212]?)(?:(?P<pre>{_SYMBOL})(?P<gap1> ?))?(?P<s2>[-+\u2212]?)"
                            rf"(?P<num>{_NUMBERS[comma]})(?:(?P<gap2> ?)(?P<post>{_SYMBOL}))?\Z")
          for comma in (False, True)}
_PERCENT = {comma: re.compile(rf"(?P<num>[-+\u2212]?(?:\d+(?:{mark}\d*)?|{mark}\d+)) ?%\Z")
            for comma, mark in ((False, r"\."), (True, ","))}
_KINDS = (DATE, DATETIME, MONEY, PERCENT)
_NOUNS = {DATE: "ISO dates", DATETIME: "ISO date-times", MONEY: "amounts of money", PERCENT: "percentages"}


@dataclass(frozen=True, slots=True)
class Unit:
    """The form of a column's cells (module docstring).

    Attributes
    ----------
    kind:
        ``"date"``, ``"datetime"``, ``"money"`` or ``"percent"``.
    symbol:
        Money: the currency symbol or code (``$``, ``€``, ``USD``).
    before:
        Money: the symbol comes before the number.
    space:
        Money: a blank between the symbol and the number.
    decimals:
        Money: the most decimals a cell shows (amounts are shown with at least these).
    zone:
        Date-times: ``""`` (no zone), or the zone values are shown in (``Z``, ``+01:00``).
    comma:
        Money and percentages: a decimal comma (and dots between thousands).
    """

    kind: str
    symbol: str = ""
    before: bool = True
    space: bool = False
    decimals: int = 0
    zone: str = ""
    comma: bool = False

    def parse(self, text: str) -> float:
        """The number of a cell of this form, NaN for any other text."""
        text = text.strip()
        if self.kind == DATE:
            return _date(text)
        if self.kind == DATETIME:
            return _datetime(text, self.zone != "")[0]
        if self.kind == PERCENT:
            m = _PERCENT[self.comma].match(text)
            return float(m["num"].replace("\u2212", "-").replace(",", ".")) if m else np.nan
        got = _money(text, self.comma)
        if got is None or got[1] != self.symbol or got[2] != self.before:
            return np.nan
        return got[0]

    def parse_many(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`parse` of every text (vectorized when every text has the unit's plainest form)."""
        present = [i for i, t in enumerate(texts) if t.lower() not in MISSING]
        out = np.full(len(texts), np.nan)
        fast = fast_values(self, [texts[i] for i in present] if len(present) < len(texts) else texts)
        if fast is not None:
            out[present] = fast
            return out
        return np.asarray([self.parse(t) for t in texts], dtype=np.float64)

    def format(self, value: float) -> str:
        """A number of this column in the column's own form (``2024-03-05``, ``$1,234.50``, ``12.5%``)."""
        value = float(value)
        if not np.isfinite(value):
            return str(value)
        if self.kind == PERCENT:
            return (_plain(value).replace(".", ",") if self.comma else _plain(value)) + "%"
        if self.kind == MONEY:
            places = max(self.decimals, _places(value))
            amount = f"{abs(value):,.{places}f}"
            amount = amount.translate(_SWAP) if self.comma else amount
            gap = " " if self.space else ""
            body = f"{self.symbol}{gap}{amount}" if self.before else f"{amount}{gap}{self.symbol}"
            return ("-" if value < 0 else "") + body
        try:
            if self.kind == DATE and value.is_integer():
                return (date(1970, 1, 1) + timedelta(days=int(value))).isoformat()
            seconds = value * 86400 if self.kind == DATE else value
            if self.zone:
                moment = _EPOCH_UTC + timedelta(seconds=seconds)
                shown = moment.astimezone(_zone(self.zone)).isoformat()
                return shown[:-6] + "Z" if self.zone == "Z" else shown
            return (_EPOCH + timedelta(seconds=seconds)).isoformat()
        except (OverflowError, ValueError):  # past year 9999
            return f"{_plain(value)} ({self.describe()})"

    def describe(self) -> str:
        """What the column's numbers are, for people (``ISO dates, as days since 1970-01-01``)."""
        if self.kind == DATE:
            return "ISO dates, as days since 1970-01-01"
        if self.kind == DATETIME:
            where = "Z" if self.zone else ""
            return f"ISO date-times, as seconds since 1970-01-01T00:00:00{where}"
        if self.kind == PERCENT:
            return "percentages, as the number before %"
        return f"amounts in {self.symbol}"

    def to_json(self) -> dict:
        """The unit as a JSON object (the header of a written rules file)."""
        return asdict(self)


def unit_of_json(entry: object) -> Unit:
    """A :class:`Unit` from :meth:`Unit.to_json` (a :class:`DataError` for anything else)."""
    try:
        unit = Unit(**entry)  # type: ignore[arg-type]
    except TypeError:
        unit = None
    if unit is None or unit.kind not in _KINDS:
        raise DataError(f"not a column unit: {entry!r}")
    return unit


def _zone(text: str) -> timezone:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def _plain(value: float) -> str:
    text = np.format_float_positional(value, trim="-")
    return text[:-1] if text.endswith(".") else text


def _places(value: float) -> int:
    text = np.format_float_positional(abs(value), trim="-")
    return len(text.partition(".")[2])


def _date(text: str) -> float:
    if not _DATE.match(text):
        return np.nan
    try:
        return float((date.fromisoformat(text) - date(1970, 1, 1)).days)
    except ValueError:
        return np.nan


def _datetime(text: str, zoned: bool) -> tuple[float, str | None]:
    """Seconds since the epoch and the zone text, ``(nan, None)`` when not a date-time (of this zoning)."""
    m = _DATETIME.match(text)
    if not m or (m.group(1) is not None) != zoned:
        return np.nan, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return np.nan, None
    delta = moment - (_EPOCH_UTC if zoned else _EPOCH)
    micros = (delta.days * 86400 + delta.seconds) * 10 ** 6 + delta.microseconds
    return micros / 1e6, m.group(1)  # as numpy's microseconds / 1e6 (the vectorized path)


def _money(text: str, comma: bool = False) -> tuple[float, str, bool, bool, int] | None:
    """``(amount, symbol, before, space, decimals)`` of a money cell (``comma``: with a decimal comma), else None."""
    if text.startswith("(") and text.endswith(")"):
        inner = _money(text[1:-1], comma)
        return None if inner is None or inner[0] < 0 else (-inner[0],) + inner[1:]
    m = _MONEY[comma].match(text)
    if not m or (m["pre"] is None) == (m["post"] is None) or (m["s1"] and m["s2"]):
        return None
    if m["post"] is not None and m["s2"]:
        return None
    number = m["num"].replace(".", "").replace(",", ".") if comma else m["num"].replace(",", "")
    amount = float(number)
    if (m["s1"] or m["s2"]) in ("-", "\u2212"):
        amount = -amount
    before = m["pre"] is not None
    return amount, m["pre"] if before else m["post"], before, bool(m["gap1"] if before else m["gap2"]), \
        len(number.partition(".")[2])


def _settle(kind: str, texts: Sequence[str]) -> tuple[Unit | None, str | None]:
    """The unit of ``kind`` that every text has, or ``(None, a text that is not of it)``."""
    if kind == DATETIME and _DATETIME.match(texts[0]).group(1) is not None:  # type: ignore[union-attr]
        zones = set()
        for t in texts:
            value, zone = _datetime(t, True)
            if np.isnan(value):
                return None, t
            zones.add(zone)
        return Unit(DATETIME, zone=zones.pop() if len(zones) == 1 else "Z"), None
    if kind == MONEY:  # both forms may read every cell (1,234 $, 1.234 €): the one with fewer decimals wins
        point, comma = _settle_money(texts, False), _settle_money(texts, True)
        if point[0] is None or comma[0] is None:
            return point if point[0] is not None or comma[0] is None and _money(texts[0]) else comma
        return comma if comma[0].decimals < point[0].decimals else point
    if kind == PERCENT:
        point = Unit(PERCENT, "%")
        if not np.isnan(point.parse_many(texts)).any():
            return point, None
        unit = Unit(PERCENT, "%", comma=True)
        values = unit.parse_many(texts)
        bad = np.flatnonzero(np.isnan(values))
        return (unit, None) if bad.size == 0 else (None, texts[int(bad[0])])
    unit = Unit(kind, "%" if kind == PERCENT else "")
    values = unit.parse_many(texts)
    bad = np.flatnonzero(np.isnan(values))
    return (unit, None) if bad.size == 0 else (None, texts[int(bad[0])])


def _settle_money(texts: Sequence[str], comma: bool) -> tuple[Unit | None, str | None]:
    """The money unit (decimal point, or ``comma``) that every text has, or ``(None, a text that is not)``."""
    first = _money(texts[0], comma)
    if first is None:
        return None, texts[0]
    unit = Unit(MONEY, first[1], first[2], first[3], comma=comma)
    decimals = money_decimals(unit, texts)
    if decimals is None:  # a text of another form than -$1,234.50: one by one
        decimals = 0
        for t in texts:
            got = _money(t, comma)
            if got is None or got[1:3] != first[1:3]:
                return None, t
            decimals = max(decimals, got[4])
    return Unit(MONEY, first[1], first[2], first[3], decimals, comma=comma), None


def _kind_of(text: str) -> str | None:
    if _DATE.match(text):
        return DATE
    if _DATETIME.match(text):
        return DATETIME
    if _PERCENT[False].match(text) or _PERCENT[True].match(text):
        return PERCENT
    return MONEY if _money(text) is not None or _money(text, True) is not None else None


def detect_unit(parsed, name: str = "") -> Unit | None:
    """The :class:`Unit` of a column (a :class:`~nesyasp.learn.encode.Parsed`) whose every non-missing cell
    is of one form, else None. A column with a number cell has none."""
    if (~np.isnan(parsed.num)).any():
        return None
    first = next((t.strip() for t in parsed.vocab if t.strip().lower() not in MISSING), None)
    kind = None if first is None else _kind_of(first)
    if kind is None:  # the cheap test first (a categorical column of a million texts looks at one)
        return None
    present = np.bincount(parsed.code[parsed.code >= 0], minlength=len(parsed.vocab)) > 0
    texts = [t for t in (parsed.vocab[i].strip() for i in np.flatnonzero(present).tolist())
             if t.lower() not in MISSING]
    if not texts or _kind_of(texts[-1]) != kind and _kind_of(texts[len(texts) // 2]) != kind:
        return None  # two of three samples of another form: not a column of one form (and no warning)
    unit, bad = _settle(kind, texts)
    if unit is None and bad is not None:
        share = sum(_kind_of(t) == kind for t in texts) / len(texts)
        if share >= 0.9:
            rows = np.flatnonzero(parsed.code == parsed.vocab.index(bad) if bad in parsed.vocab else -9)
            where = f" (row {int(rows[0])})" if rows.size else ""
            logger.warning("column %r: most cells are %s but %r%s is not one of the same form: the column is read "
                           "as written (not as numbers)", name, _NOUNS[kind], bad, where)
    return unit


def apply_unit(parsed, unit: Unit):
    """``parsed`` (a :class:`~nesyasp.learn.encode.Parsed`) with its string cells of the unit's form as
    numbers (the other strings stay strings)."""
    if not parsed.vocab:
        return parsed
    values = unit.parse_many([t.strip() for t in parsed.vocab])
    hit = ~np.isnan(values)
    if not hit.any():
        return parsed
    flag = parsed.too_large
    huge = np.flatnonzero(np.isinf(values))
    if huge.size and flag is None:  # $ and 400 digits: too large for a double (a DataError by Parsed.check)
        row = int(np.flatnonzero(np.isin(parsed.code, huge))[0])
        flag = (f"row {row}", parsed.vocab[int(parsed.code[row])])
    keep = np.flatnonzero(~hit)
    remap = np.full(len(parsed.vocab) + 1, -1, dtype=np.int32)
    remap[keep] = np.arange(keep.size, dtype=np.int32)
    code = parsed.code
    converted = (code >= 0) & hit[np.maximum(code, 0)]
    num = parsed.num.copy()
    num[converted] = values[code[converted]]
    new_code = np.where(code >= 0, remap[code], -1).astype(np.int32)
    new_code[converted] = -1
    return type(parsed)(num, new_code, tuple(parsed.vocab[i] for i in keep.tolist()), flag)
