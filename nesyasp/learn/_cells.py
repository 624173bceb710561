"""What a cell's text is, wherever nesyasp reads cells (:func:`~nesyasp.learn.table.read_csv`'s numpy and
``csv`` paths, arrays given to :class:`~nesyasp.learn.FoldSEM`): stripped of ASCII blanks only, and never a
number when it holds a character outside ASCII, so that a file with a quote somewhere, one without, and its
cells as an array read every cell alike. A cell of an array is missing (the empty text) when it is
``None``, a NaN of any float or decimal type, numpy's or pandas' ``NaT``, or ``pandas.NA``; a boolean is the
number 1 or 0; a ``numpy.datetime64`` is its ISO text (a date or date-time column); a ``numpy.timedelta64``
is its count of its unit."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

__all__ = ["BLANKS", "INF_WORDS", "non_ascii", "foreign_digits", "is_missing", "cell_text", "cell_number", "time_cells",
           "has_time_cells"]

_PANDAS_MISSING = ("NAType", "NaTType")
INF_WORDS = {"inf": np.inf, "+inf": np.inf, "-inf": -np.inf, "infinity": np.inf, "+infinity": np.inf,
              "-infinity": -np.inf}

#: The blanks a cell is stripped of (ASCII only, as read_csv's numpy path strips bytes: 'red\xa0' stays itself).
BLANKS = " \t\n\r\x0b\x0c"


def non_ascii(texts: np.ndarray) -> np.ndarray:
    r"""Which cells of a text array (numpy ``U`` or ``S``) hold a character outside ASCII.

    Python's ``float`` reads other scripts' digits (``'١٢'``, ``'１２'``, ``'12\xa0'``); a cell with any
    such character is a text wherever nesyasp reads it (``read_csv``, arrays).
    """
    n = len(texts)
    if n == 0 or texts.dtype.itemsize == 0:
        return np.zeros(n, dtype=bool)
    unit = np.uint32 if texts.dtype.kind == "U" else np.uint8
    return (np.ascontiguousarray(texts).view(unit).reshape(n, -1) >= 128).any(axis=1)


def foreign_digits(column: np.ndarray) -> bool:
    """Whether a column of texts has a cell outside ASCII (which numpy's float cast, like ``float``, may read)."""
    if column.dtype.kind in "US":
        return bool(non_ascii(column.ravel()).any())
    return column.dtype.kind == "O" and any(type(c) is str and not c.isascii() for c in column.ravel().tolist())


def is_missing(cell: object) -> bool:
    """Whether an array cell is a missing value: ``None``, a NaN (any float or ``Decimal``), ``NaT``
    (numpy's or pandas'), ``pandas.NA``.

    >>> [is_missing(c) for c in (None, float("nan"), np.float32("nan"), np.datetime64("NaT"), 0.0, "")]
    [True, True, True, True, False, False]
    """
    if cell is None:
        return True
    if isinstance(cell, (float, np.floating, np.datetime64, np.timedelta64)):
        return bool(cell != cell)  # NaN and NaT are unequal to themselves
    if isinstance(cell, Decimal):
        return cell.is_nan()
    kind = type(cell)  # pandas.NA and pandas.NaT, known without importing pandas
    return kind.__name__ in _PANDAS_MISSING and kind.__module__.split(".")[0] == "pandas"


def cell_text(cell: object) -> str:
    """The text of an array cell: ``""`` for a missing one, a float's shortest positional form, bytes decoded,
    others ``str``; stripped of ASCII blanks."""
    if is_missing(cell):
        return ""
    if isinstance(cell, (bytes, np.bytes_)):
        return cell.decode("utf-8", "replace").strip(BLANKS)
    if isinstance(cell, np.datetime64):
        return time_cells(np.asarray([cell]))[0]  # as a datetime64 array's cells read
    if isinstance(cell, (float, np.floating)):
        return np.format_float_positional(float(cell), trim="-") if np.isfinite(cell) else str(float(cell))
    return str(cell).strip(BLANKS)


def cell_number(cell: object, text: str) -> float | None:
    """The number of a cell (its text ``text``), ``nan`` when it is not one, ``None`` when it is one too large
    for a double. A boolean is 1 or 0 (as numpy casts it, so a column reads alike whatever else it holds)."""
    if isinstance(cell, (bool, np.bool_, int, np.integer)):
        try:
            return float(cell)
        except OverflowError:
            return None
    if isinstance(cell, (float, np.floating)):
        return float(cell)  # NaN stays NaN (missing); +-inf are numbers
    if isinstance(cell, np.timedelta64):
        return np.nan if is_missing(cell) else float(cell.astype(np.int64))
    if isinstance(cell, np.datetime64):
        return np.nan  # its ISO text, read by the column's unit
    lowered = text.lower()
    if lowered in INF_WORDS:
        return INF_WORDS[lowered]
    if not text.isascii():  # float() reads other scripts' digits ('١٢', '１２'); read_csv does not, nor do we
        return np.nan
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return np.nan
    if value != value:
        return np.nan  # the text "nan" is a string
    return value if np.isfinite(value) else None  # 1e400: a number a double cannot hold


def time_cells(column: np.ndarray) -> np.ndarray:
    """A ``datetime64`` or ``timedelta64`` array as an object array of the cells :func:`cell_text` and
    :func:`cell_number` read (``NaT`` is ``None``; a date its ISO text, a duration its count)."""
    present = ~np.isnat(column)
    out = np.full(column.shape, None, dtype=object)
    if column.dtype.kind == "M":  # days (a year, month or week: its first day) or seconds and their fractions
        unit = np.datetime_data(column.dtype)[0]
        shown = "D" if unit in ("Y", "M", "W", "D") else unit if unit in ("s", "ms", "us", "ns") else "s"
        out[present] = np.datetime_as_string(column[present], unit=shown).tolist()
    else:
        out[present] = column[present].astype(np.int64).astype(np.float64).tolist()
    return out


def has_time_cells(cells: list) -> bool:
    """Whether a list of object cells holds a ``numpy.datetime64`` or ``timedelta64`` (which numpy's float cast
    would read as a count of its unit, and ``NaT`` as -9.2e18)."""
    types = set(map(type, cells))
    return np.datetime64 in types or np.timedelta64 in types
