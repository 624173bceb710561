"""Encoding table columns for the learner: kinds, values, names and codes.

Every feature is one of four kinds:

``numeric``
    Cells that parse as numbers are numbers (``inf`` and ``-inf`` included,
    ordered below and above every other number); any other cell (``?``, an
    empty cell, ``nan``) stays a string. Numbers get the literals ``N=<t``,
    ``N>t``, ``not(N=<t)`` and ``not(N>t)``; strings get ``attr(X,"?")`` and
    its negation. A string satisfies neither ``N=<t`` nor ``N>t`` (FOLD-R++'s
    comparison assumption), so it satisfies both negated comparisons.
``categorical``
    Every cell is a string value, with literals ``attr(X,v)`` and ``not attr(X,v)``.
    A column of dates, date-times, money or percentages (every non-missing
    cell of one form) is numeric with a unit (:mod:`nesyasp.learn.units`).
``binary``
    A numeric column whose training values are all 0 or 1 (and no unit) becomes a unary
    predicate: ``f12(X)`` where the cell is 1, ``not f12(X)`` elsewhere.
``background``
    A unary predicate defined by the user's background rules
    (:mod:`nesyasp.learn.background`), used like a binary column.

Numbers are IEEE doubles, as everywhere in numpy: an integer beyond 2**53 is
rounded to the nearest double, the same way in ``fit``, ``predict``, the
clingo facts and the explanations. A number too large for a double (a Python
``int`` past 1.8e308, or a text such as ``1e400``) is a
:class:`~nesyasp.errors.DataError` naming the column and the row.

A missing cell (empty string, ``None``, NaN, ``NaT``, ``pandas.NA``) is read as the empty string
``""``, as FOLD-R++ does, so every example has exactly one value per feature
(:mod:`nesyasp.learn._cells`: booleans are 1 and 0, ``numpy.datetime64`` cells their ISO text).

Predicate names are sanitized to ASP (:func:`sanitize_names`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from nesyasp.errors import DataError
from nesyasp.learn._cells import cell_number, cell_text, foreign_digits, has_time_cells, time_cells
from nesyasp.learn.names import RESERVED_PREDICATES, sanitize_names
from nesyasp.learn.units import Unit, apply_unit, detect_unit

__all__ = ["FitDataError", "Feature", "Encoded", "Parsed", "Columns", "ArrayColumns", "fit_features", "encode", "sanitize_names",
           "parse_column", "as_columns", "feature_column", "NUMERIC", "CATEGORICAL", "BINARY", "BACKGROUND", "is_unary", "RESERVED_PREDICATES"]

NUMERIC, CATEGORICAL, BINARY, BACKGROUND = "numeric", "categorical", "binary", "background"


def is_unary(feature: Feature) -> bool:
    """True for features that are unary predicates (``binary`` columns and background predicates)."""
    return feature.kind in (BINARY, BACKGROUND)


@dataclass(frozen=True, slots=True)
class Feature:
    """One learned-upon column.

    Attributes
    ----------
    name:
        The column name as given.
    pred:
        Its ASP predicate name.
    kind:
        ``"numeric"``, ``"categorical"``, ``"binary"`` or ``"background"``.
    thresholds:
        Sorted distinct numbers of the training data (numeric features).
    values:
        Sorted distinct strings of the training data (``("1",)`` for binary).
    unit:
        Numeric features of dates, date-times, money or percentages: the
        form of their cells (:class:`~nesyasp.learn.units.Unit`), used to read
        the cells and to show numbers to people; ``None`` for plain numbers.
    """

    name: str
    pred: str
    kind: str
    thresholds: tuple[float, ...] = ()
    values: tuple[str, ...] = ()
    unit: Unit | None = None


@dataclass(frozen=True, slots=True)
class Encoded:
    """A table encoded against a list of features (column-major arrays).

    ``num[i, f]`` is the number in cell ``(i, f)`` or NaN for a string cell;
    ``code[i, f]`` is the index of the string in ``features[f].values``,
    ``-1`` for a number and ``-2`` for a string not seen in training
    (binary and background features: ``0`` where true, ``-2`` elsewhere).
    """

    num: np.ndarray
    code: np.ndarray


@dataclass(frozen=True, slots=True)
class Parsed:
    """One column split into numbers and strings, without a Python object per cell.

    ``num`` holds the number of each cell (NaN for a string cell); ``code`` the
    index of a string cell's text in ``vocab`` (``-1`` for a number).
    """

    num: np.ndarray
    code: np.ndarray
    vocab: tuple[str, ...]
    too_large: tuple[str, str] | None = None

    def check(self, name: str) -> Parsed:
        """``self``, or the :class:`DataError` for its first number too large for a double."""
        if self.too_large is not None:
            raise too_large(name, *self.too_large)
        return self

    def string_values(self) -> np.ndarray:
        """The sorted distinct strings of the string cells."""
        used = np.unique(self.code[self.code >= 0])
        return np.unique(np.asarray([self.vocab[i] for i in used.tolist()], dtype=str))

    def string_codes(self, values: Sequence[str]) -> np.ndarray:
        """Per cell: the index of its string in ``values`` (sorted), ``-1`` for numbers, ``-2`` if absent."""
        lookup = np.full(len(self.vocab) + 1, -2, dtype=np.int32)
        index = {v: i for i, v in enumerate(values)}
        for i, text in enumerate(self.vocab):
            lookup[i] = index.get(text, -2)
        lookup[-1] = -1  # code -1 (a number) maps to -1
        return lookup[self.code]


class Columns(Protocol):
    """Where features are read from: a 2-D array, or a columnar :class:`~nesyasp.learn.table.Table`."""

    @property
    def n_rows(self) -> int: ...

    def parsed(self, j: int, numeric: bool, name: str) -> Parsed: ...


class ArrayColumns:
    """:class:`Columns` over a ``(n, m)`` array of cells (numbers, strings or both)."""

    def __init__(self, X: np.ndarray):
        self.X = X

    @property
    def n_rows(self) -> int:
        return int(self.X.shape[0])

    def parsed(self, j: int, numeric: bool, name: str) -> Parsed:
        return parse_column(self.X[:, j], numeric)


class FitDataError(DataError, ValueError):
    """Data that cannot be learned from (a :class:`DataError` that is also a ``ValueError``, for scikit-learn)."""


def too_large(name: str, where: str, text: str) -> DataError:
    """The error for a number a double cannot hold."""
    shown = text if len(text) <= 40 else text[:20] + "..." + text[-10:]
    return FitDataError(f"column {name!r}, {where}: the number {shown} is too large for a 64-bit float "
                        "(magnitude above 1.8e308); give it as a string or in other units")


def parse_column(column: np.ndarray, numeric: bool) -> Parsed:
    """Split a column into numbers and strings (:class:`Parsed`).

    Cells are factorized first, so a column of ``n`` cells with ``k``
    distinct values costs ``k`` conversions (no per-cell parsing). A number
    too large for a double is read as ``inf`` and recorded in
    ``Parsed.too_large`` (``Parsed.check`` raises for it).

    >>> p = parse_column(np.array(["3", "?", "-inf", "2.5", "3"], dtype=object), numeric=True)
    >>> p.num.tolist(), p.code.tolist(), p.vocab
    ([3.0, nan, -inf, 2.5, 3.0], [-1, 0, -1, -1, -1], ('?',))
    """
    column = np.asarray(column)
    if column.dtype.kind in "mM":  # NaT is missing (numpy's float cast reads it as -9.2e18), a date its ISO text
        column = time_cells(column)
    n = column.shape[0]
    if column.dtype.kind in "fiu" and numeric:
        num = column.astype(np.float64)
        if column.dtype.kind == "f":
            missing = np.isnan(num)
            return Parsed(num, np.where(missing, 0, -1).astype(np.int32), ("",))
        return Parsed(num, np.full(n, -1, dtype=np.int32), ())
    if numeric:  # the common case first: every cell a finite number (or its text), parsed by numpy
        try:
            num = np.asarray(column, dtype=np.float64) if not foreign_digits(column) else None
        except (ValueError, TypeError, OverflowError):
            num = None
        if num is not None and np.isfinite(num).all() and not (column.dtype.kind == "O" and
                                                               has_time_cells(column.ravel().tolist())):
            return Parsed(num, np.full(n, -1, dtype=np.int32), ())
    cells = column.astype(object, copy=False).ravel().tolist()
    index: dict[object, int] = {}
    try:
        codes = np.fromiter((index.setdefault(c, len(index)) for c in cells), dtype=np.int64, count=len(cells))
    except TypeError:  # an unhashable cell (a list): compare its text
        cells = [cell_text(c) for c in cells]
        index = {}
        codes = np.fromiter((index.setdefault(c, len(index)) for c in cells), dtype=np.int64, count=len(cells))
    distinct = list(index)
    texts = []
    for k, cell in enumerate(distinct):
        try:
            texts.append(cell_text(cell))
        except (OverflowError, ValueError):
            texts.append(str(cell))
    values = np.full(len(distinct), np.nan)
    overflow = None
    if numeric:
        for k, (cell, text) in enumerate(zip(distinct, texts)):
            value = cell_number(cell, text)
            if value is None:
                if overflow is None:  # distinct cells come in order of first appearance
                    overflow = (f"row {int(np.flatnonzero(codes == k)[0])}", text)
                value = np.inf
            values[k] = value
    is_str = np.isnan(values)
    vocab_index: dict[str, int] = {}
    local = np.full(len(distinct), -1, dtype=np.int32)
    for k in np.flatnonzero(is_str).tolist():
        local[k] = vocab_index.setdefault(texts[k], len(vocab_index))
    return Parsed(values[codes], local[codes], tuple(vocab_index), overflow)


def _infer_numeric(parsed: Parsed) -> bool:
    numbers = int((~np.isnan(parsed.num)).sum())
    strings = parsed.code >= 0
    if strings.any():
        empty = [i for i, t in enumerate(parsed.vocab) if t == ""]
        if empty:
            strings &= ~np.isin(parsed.code, empty)
    present = numbers + int(strings.sum())
    return present > 0 and numbers >= 0.9 * present


def as_columns(X) -> Columns:
    """``X`` as :class:`Columns`: a table or other columnar source as it is, an array wrapped."""
    if hasattr(X, "parsed") and hasattr(X, "n_rows"):
        return X
    X = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
    if X.ndim != 2:
        raise DataError(f"expected a 2-D table of cells, got shape {X.shape}")
    return ArrayColumns(X)


def _thresholds(numbers: np.ndarray, cap: int | None) -> np.ndarray:
    """The distinct numbers, or ``cap`` of them at evenly spaced ranks (smallest and largest kept)."""
    ordered = np.sort(numbers)
    distinct = ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered
    if cap is None or distinct.size <= cap:
        return distinct
    return np.unique(ordered[np.linspace(0, ordered.size - 1, cap).round().astype(np.int64)])


def fit_features(columns: Columns, names: Sequence[str], kinds: dict[int, str], reserved: Sequence[str] = (),
                 parsed: list | None = None, max_thresholds: int | None = None) -> list[Feature]:
    """Decide each column's kind and collect its thresholds and values.

    Parameters
    ----------
    columns:
        The training cells (:class:`ArrayColumns` over an array, or a table).
    names:
        The column names.
    kinds:
        Declared kinds by column index (``"numeric"`` or ``"categorical"``);
        other columns are inferred: numeric when at least 90% of the
        non-missing cells are numbers.
    reserved:
        Predicate names the features may not take (the head predicate).
    parsed:
        When a list, receives each column's :class:`Parsed`, for
        :func:`encode` to reuse.
    max_thresholds:
        A numeric column with more distinct numbers keeps this many of them
        as candidate thresholds, at evenly spaced ranks of its sorted cells
        (quantiles: dense ranges get more); ``None`` keeps them all.
    """
    columns = as_columns(columns)
    preds = sanitize_names(names, reserved)
    features = []
    for j, name in enumerate(names):
        kind, column, unit = _column_kind(columns, j, str(name), kinds.get(j))
        column.check(str(name))
        if parsed is not None:
            parsed.append(column)
        strings = column.string_values()
        numbers = column.num[~np.isnan(column.num)]
        if numbers.size == 0 and not (strings != "").any():
            raise DataError(f"column {name!r} has no values (every cell is missing); leave it out of the features "
                            f"(nesyasp learn --ignore {name})")
        if kind == NUMERIC:
            thresholds = _thresholds(numbers, max_thresholds)
            if unit is None and strings.size == 0 and set(thresholds.tolist()) <= {0.0, 1.0}:
                features.append(Feature(str(name), preds[j], BINARY, (), ("1",)))
                continue
            features.append(Feature(str(name), preds[j], NUMERIC, tuple(thresholds.tolist()),
                                    tuple(strings.tolist()), unit))
        else:
            features.append(Feature(str(name), preds[j], CATEGORICAL, (), tuple(strings.tolist())))
    return features


def _column_kind(columns: Columns, j: int, name: str, declared: str | None) -> tuple[str, Parsed, Unit | None]:
    """A column's kind, its cells (numbers of a unit's form read as numbers) and its unit."""
    if declared == CATEGORICAL:
        return CATEGORICAL, columns.parsed(j, False, name), None
    probe = columns.parsed(j, True, name)
    unit = detect_unit(probe, name) if (probe.code >= 0).any() else None
    if unit is not None:
        return NUMERIC, apply_unit(probe, unit), unit
    if declared == NUMERIC or _infer_numeric(probe):
        return NUMERIC, probe, None
    return CATEGORICAL, columns.parsed(j, False, name), None


def feature_column(columns: Columns, j: int, feature: Feature) -> Parsed:
    """Column ``j`` of ``columns`` as ``feature`` reads it: numbers of a numeric or binary feature (cells of
    its unit's form as numbers), strings of a categorical one. Every reader of a fitted feature's cells
    (``predict``, the ASP facts, explanations) goes through here, so they read the same numbers."""
    parsed = columns.parsed(j, feature.kind in (NUMERIC, BINARY), feature.name).check(feature.name)
    return apply_unit(parsed, feature.unit).check(feature.name) if feature.unit is not None else parsed


def encode(columns: Columns, features: Sequence[Feature], parsed: list | None = None) -> Encoded:
    """Encode cells against fitted features (unseen strings get code ``-2``).

    ``parsed`` is the list filled by :func:`fit_features` on the same cells.
    Background features are left at ``-2`` (false): :mod:`nesyasp.learn.background`
    fills them in.
    """
    columns = as_columns(columns)
    n = columns.n_rows
    num = np.empty((n, len(features)), order="F")
    code = np.empty((n, len(features)), dtype=np.int32, order="F")
    for j, feature in enumerate(features):
        if feature.kind != NUMERIC:
            num[:, j] = np.nan
        if feature.kind == BACKGROUND:
            code[:, j] = -2
            continue
        column = parsed[j] if parsed is not None else feature_column(columns, j, feature)
        if feature.kind == BINARY:
            code[:, j] = np.where(column.num == 1.0, 0, -2)
            continue
        if feature.kind == NUMERIC:
            num[:, j] = column.num
        code[:, j] = column.string_codes(feature.values)
    return Encoded(num, code)
