"""Encoding table columns for the learner: kinds, values, names and codes.

Every feature is one of three kinds:

``numeric``
    Cells that parse as finite numbers are numbers; any other cell (``?``, an
    empty cell, ``nan``) stays a string. Numbers get the literals ``N=<t``,
    ``N>t``, ``not(N=<t)`` and ``not(N>t)``; strings get ``attr(X,"?")`` and
    its negation. A string satisfies neither ``N=<t`` nor ``N>t`` (FOLD-R++'s
    comparison assumption), so it satisfies both negated comparisons.
``categorical``
    Every cell is a string value, with literals ``attr(X,v)`` and ``not attr(X,v)``.
``binary``
    A numeric column whose training values are all 0 or 1 becomes a unary
    predicate: ``f12(X)`` where the cell is 1, ``not f12(X)`` elsewhere.

A missing cell (empty string, ``None`` or NaN) is read as the empty string
``""``, as FOLD-R++ does, so every example has exactly one value per feature.

Predicate names are sanitized to ASP: lower-cased, every run of characters
other than letters, digits and ``_`` becomes ``_``, a name that does not start
with a letter gets an ``f`` prefix (``295`` -> ``f295``), and a name that
clashes with another feature or a reserved name (the head predicate, ``abN``,
``ruleN``) gets a ``_2``, ``_3``... suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nesyasp.errors import DataError

__all__ = ["Feature", "Encoded", "fit_features", "encode", "sanitize_names", "parse_column", "NUMERIC",
           "CATEGORICAL", "BINARY"]

NUMERIC, CATEGORICAL, BINARY = "numeric", "categorical", "binary"
_RESERVED = re.compile(r"(ab|rule)\d+\Z")


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
        ``"numeric"``, ``"categorical"`` or ``"binary"``.
    thresholds:
        Sorted distinct numbers of the training data (numeric features).
    values:
        Sorted distinct strings of the training data (``("1",)`` for binary).
    """

    name: str
    pred: str
    kind: str
    thresholds: tuple[float, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Encoded:
    """A table encoded against a list of features.

    ``num[i, f]`` is the number in cell ``(i, f)`` or NaN for a string cell;
    ``code[i, f]`` is the index of the string in ``features[f].values``,
    ``-1`` for a number and ``-2`` for a string not seen in training.
    """

    num: np.ndarray
    code: np.ndarray


def _as_string(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell != cell:
        return ""
    if isinstance(cell, (bytes, np.bytes_)):
        return cell.decode("utf-8", "replace").strip()
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return np.format_float_positional(float(cell), trim="-") if np.isfinite(cell) else str(cell)
    return str(cell).strip()


def parse_column(column: np.ndarray, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Split a column into numbers (NaN elsewhere) and strings (``""`` where numeric).

    Cells are factorized first, so a column of ``n`` cells with ``k``
    distinct values costs ``k`` conversions (no per-cell parsing).
    """
    column = np.asarray(column)
    if column.dtype.kind in "fiub":
        num = column.astype(np.float64)
        if not numeric:
            return np.full(num.shape, np.nan), _factorized_strings(column.astype(object))
        strings = np.full(num.shape, "", dtype=object)
        inf = np.isinf(num)
        strings[inf] = np.where(num[inf] > 0, "inf", "-inf")
        num[~np.isfinite(num)] = np.nan
        return num, strings
    if numeric:
        try:
            num = np.asarray(column, dtype=np.float64)
        except (ValueError, TypeError):
            num = None
        if num is not None and np.isfinite(num).all():
            return num, np.full(num.shape, "", dtype=object)
    cells = column.astype(object, copy=False).ravel().tolist()
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(c, len(index)) for c in cells), dtype=np.int64, count=len(cells))
    texts = [_as_string(c) for c in index]
    parsed = np.full(len(texts), np.nan)
    if numeric:
        for i, text in enumerate(texts):
            parsed[i] = _number(text)
    strings = np.empty(len(texts), dtype=object)
    strings[:] = [t if np.isnan(v) else "" for t, v in zip(texts, parsed)]
    return parsed[codes], strings[codes]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return np.nan
    if not np.isfinite(value) or text.lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
        return np.nan
    return value


def _factorized_strings(column: np.ndarray) -> np.ndarray:
    return parse_column(column, numeric=False)[1]


def sanitize_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """ASP predicate names for column names (see the module docstring).

    >>> sanitize_names(["Age", "295", "capital-gain", "age", "ab1"], reserved=["target"])
    ['age', 'f295', 'capital_gain', 'age_2', 'ab1_2']
    """
    taken = set(reserved)
    out = []
    for name in names:
        base = re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")
        if not base or not base[0].isalpha():
            base = "f" + base
        candidate, k = base, 1
        while candidate in taken or _RESERVED.match(candidate):
            k += 1
            candidate = f"{base}_{k}"
        taken.add(candidate)
        out.append(candidate)
    return out


def _infer_numeric(column: np.ndarray) -> bool:
    num, strings = parse_column(column, numeric=True)
    present = (strings != "") | ~np.isnan(num)
    n = int(present.sum())
    return n > 0 and int((~np.isnan(num)).sum()) >= 0.9 * n


def fit_features(X: np.ndarray, names: Sequence[str], kinds: dict[int, str], reserved: Sequence[str] = (),
                 parsed: list | None = None) -> list[Feature]:
    """Decide each column's kind and collect its thresholds and values.

    Parameters
    ----------
    X:
        ``(n, m)`` training cells (numbers, strings or a mix).
    names:
        The ``m`` column names.
    kinds:
        Declared kinds by column index (``"numeric"`` or ``"categorical"``);
        other columns are inferred: numeric when at least 90% of the
        non-missing cells are numbers.
    reserved:
        Predicate names the features may not take (the head predicate).
    parsed:
        When a list, receives each column's :func:`parse_column` result, for
        :func:`encode` to reuse.
    """
    preds = sanitize_names(names, reserved)
    features = []
    for j, name in enumerate(names):
        column = X[:, j]
        kind = kinds.get(j) or (NUMERIC if _infer_numeric(column) else CATEGORICAL)
        num, strings = parse_column(column, numeric=kind == NUMERIC)
        if parsed is not None:
            parsed.append((num, strings))
        if not (np.isfinite(num).any() or (strings != "").any()):
            raise DataError(f"column {name!r} has no values (every cell is missing)")
        if kind == NUMERIC:
            thresholds = np.unique(num[~np.isnan(num)])
            string_values = np.unique(strings[np.isnan(num)].astype(str))
            if string_values.size == 0 and set(thresholds.tolist()) <= {0.0, 1.0}:
                features.append(Feature(str(name), preds[j], BINARY, (), ("1",)))
                continue
            features.append(Feature(str(name), preds[j], NUMERIC, tuple(thresholds.tolist()),
                                    tuple(string_values.tolist())))
        else:
            values = np.unique(strings.astype(str))
            features.append(Feature(str(name), preds[j], CATEGORICAL, (), tuple(values.tolist())))
    return features


def encode(X: np.ndarray, features: Sequence[Feature], parsed: list | None = None) -> Encoded:
    """Encode cells against fitted features (unseen strings get code ``-2``).

    ``parsed`` is the list filled by :func:`fit_features` on the same ``X``.
    """
    n = X.shape[0]
    num = np.full((n, len(features)), np.nan)
    code = np.full((n, len(features)), -1, dtype=np.int64)
    for j, feature in enumerate(features):
        if parsed is not None:
            col_num, col_str = parsed[j]
        else:
            col_num, col_str = parse_column(X[:, j], numeric=feature.kind in (NUMERIC, BINARY))
        if feature.kind == BINARY:
            code[:, j] = np.where(col_num == 1.0, 0, -2)
            continue
        is_str = np.isnan(col_num)
        num[:, j] = col_num
        values = np.asarray(feature.values, dtype=str)
        if values.size:
            strs = col_str[is_str].astype(str)
            pos = np.searchsorted(values, strs)
            pos = np.minimum(pos, values.size - 1)
            found = values[pos] == strs
            code[is_str, j] = np.where(found, pos, -2)
        else:
            code[is_str, j] = -2
    return Encoded(num, code)
