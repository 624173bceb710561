"""Parsing number texts with numpy alone, and decimal commas (``3,14``) in files not separated by commas.

:func:`fast_numbers` reads plain decimals exactly as Python's ``float`` does.
:class:`DecimalCommas` follows one column of a file whose separator is not
the comma: a cell that is not a number but is one with its comma read as the
decimal point (``3,14``, ``-0,5``) is read as that number, *provided* the
whole column is consistently of that form: no cell of the column is written
with a decimal point (``2.5``). Otherwise (a column that mixes ``3,14`` and
``2.5``) the comma cells are texts, as written, and a warning names a line of
each form. Integers (``12``) and exponents without a point (``3e-05``) fit
both forms; ``3,5E-05`` is read too.
Thousands separators (``1.234,56``) are not read as such: such cells stay texts.
"""

from __future__ import annotations

import logging
import re

import numpy as np

__all__ = ["DecimalCommas", "fast_numbers", "comma_values", "has_text"]

logger = logging.getLogger(__name__)

_POINT = re.compile(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?\Z")


def has_text(tokens: np.ndarray, chars: str) -> np.ndarray:
    """Which texts (a bytes or str array) hold any of ``chars``."""
    out = np.zeros(tokens.shape, dtype=bool)
    for ch in chars:
        out |= np.strings.find(tokens, ch.encode() if tokens.dtype.kind == "S" else ch) >= 0
    return out


def comma_values(texts: np.ndarray) -> np.ndarray:
    """The numbers of texts with a decimal comma (``-3,25`` -> -3.25), NaN where a text is not of that form."""
    raw = texts if texts.dtype.kind == "S" else np.strings.encode(texts, "utf-8")
    dotted = np.strings.replace(raw, b",", b".")
    width = max(1, dotted.dtype.itemsize)
    matrix = np.ascontiguousarray(dotted.astype(f"S{width}")).view(np.uint8).reshape(-1, width)
    values, parsed = fast_numbers(matrix)
    values[~parsed] = np.nan
    slow = np.flatnonzero(~parsed & ~has_text(raw, "."))  # more digits than fast_numbers reads exactly
    if slow.size:
        distinct, inverse = np.unique(dotted[slow], return_inverse=True)
        exact = np.asarray([float(t) if _POINT.match(t.decode("utf-8", "replace")) else np.nan
                            for t in distinct.tolist()], dtype=np.float64)
        values[slow] = exact[inverse]
    return values


class DecimalCommas:
    """The decimal-comma cells of one column, block by block (module docstring)."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.texts: list[np.ndarray] = []
        self.dots = 0
        self.first_dot: tuple[int, str] | None = None

    def add(self, tokens: np.ndarray, num: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cells ``tokens`` (rows ``rows``) whose numbers are ``num`` (NaN: not a number), filled in place;
        returns the positions (in ``tokens``) of the cells read with a decimal comma."""
        number = ~np.isnan(num)
        dotted = np.flatnonzero(number & has_text(tokens, ".")) if number.any() else np.zeros(0, dtype=np.int64)
        if dotted.size:
            self.dots += int(dotted.size)
            if self.first_dot is None:
                self.first_dot = (int(rows[dotted[0]]), _text(tokens[dotted[0]]))
        cand = np.flatnonzero(~number & has_text(tokens, ","))
        if cand.size == 0:
            return cand
        values = comma_values(tokens[cand])
        ok = ~np.isnan(values)
        num[cand[ok]] = values[ok]
        if ok.any():
            self.rows.append(rows[cand[ok]])
            self.texts.append(tokens[cand[ok]])
        return cand[ok]

    def read_as_numbers(self) -> bool:
        """Whether the column has decimal-comma cells and no cell with a decimal point."""
        return bool(self.rows) and self.dots == 0

    def as_texts(self, num: np.ndarray, code: np.ndarray, vocab: dict[str, int], decode) -> None:
        """Turn the decimal-comma cells back into texts (a column that mixes the two forms)."""
        for rows, texts in zip(self.rows, self.texts):
            distinct, inverse = np.unique(texts, return_inverse=True)
            ids = np.asarray([vocab.setdefault(decode(t), len(vocab)) for t in distinct.tolist()], dtype=np.int32)
            num[rows] = np.nan
            code[rows] = ids[inverse]

    def report(self, source: str, name: str, lines: np.ndarray) -> None:
        """Log how the column was read (lines: the file line of each row)."""
        row, text = int(self.rows[0][0]), _text(self.texts[0][0])
        if self.read_as_numbers():
            logger.info("%s: column %r: decimal commas read as numbers (%s on line %d)", source, name, text,
                        int(lines[row]))
            return
        dot_row, dot_text = self.first_dot or (0, "")
        logger.warning("%s: column %r mixes decimal commas (%s on line %d) and decimal points (%s on line %d): its "
                       "cells with a comma are read as text", source, name, text, int(lines[row]), dot_text,
                       int(lines[dot_row]))


def _text(token) -> str:
    return token.decode("utf-8", "replace") if isinstance(token, bytes) else str(token)


_TEN = 10.0 ** np.arange(23)


def fast_numbers(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimals (``-12``, ``3.25``, ``.5``) parsed with numpy alone: ``(values, parsed)``.

    A field of an optional sign, digits and at most one dot, with at most 15
    digits (or 18 and no dot), is ``mantissa / 10**decimals``: one correctly
    rounded division of exact numbers, so exactly the double ``float(text)``
    gives. Other fields (exponents, blanks, ``inf``) are left to numpy's cast.
    """
    n, size = matrix.shape
    sign = (matrix[:, 0] == 45) | (matrix[:, 0] == 43)
    digit = (matrix >= 48) & (matrix <= 57)
    dot = matrix == 46
    allowed = digit | dot | (matrix == 0)
    allowed[:, 0] |= sign
    ndigits = digit.sum(axis=1)
    ndots = dot.sum(axis=1)
    parsed = allowed.all(axis=1) & (ndots <= 1) & (ndigits >= 1) & ((ndigits <= 15) | ((ndigits <= 18) & (ndots == 0)))
    mantissa = np.zeros(n, dtype=np.int64)
    decimals = np.zeros(n, dtype=np.int64)
    seen = np.zeros(n, dtype=bool)
    for j in range(size):
        d = digit[:, j] & parsed
        mantissa = np.where(d, mantissa * 10 + (matrix[:, j].astype(np.int64) - 48), mantissa)
        decimals += d & seen
        seen |= dot[:, j]
    values = mantissa.astype(np.float64) / _TEN[np.minimum(decimals, 22)]
    values = np.where(matrix[:, 0] == 45, -values, values)
    return values, parsed
