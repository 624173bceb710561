"""One column of a :class:`~nesyasp.learn.table.Table`, as numpy arrays (no Python object per cell)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nesyasp.errors import Location, Position
from nesyasp.learn.encode import Parsed

__all__ = ["Column", "loc"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``num`` (float64, NaN where the cell is not a number), ``code`` (int32 index of a
    non-number cell's text in ``vocab``, ``-1`` for numbers); with ``texts`` (kept columns) ``num`` is
    all NaN and every cell is a text. ``decimal_comma``: its numbers were written with decimal commas."""

    num: np.ndarray
    code: np.ndarray
    vocab: tuple[str, ...]
    texts: bool = False
    too_large: tuple[np.ndarray, tuple[str, ...]] | None = None
    decimal_comma: bool = False

    def parsed(self, numeric: bool) -> Parsed:
        """The column as numbers and strings (``numeric``), or as strings only."""
        if numeric and not self.texts:
            flag = None if self.too_large is None else (f"row {int(self.too_large[0][0])}", self.too_large[1][0])
            return Parsed(self.num, self.code, self.vocab, flag)
        if numeric:  # a kept column read as numbers: parse its distinct texts
            from nesyasp.learn.encode import parse_column

            idx = parse_column(np.asarray(self.vocab, dtype=object), True)
            return Parsed(idx.num[self.code], idx.code[self.code], idx.vocab, idx.too_large)
        if self.texts or not (~np.isnan(self.num)).any():
            return Parsed(np.full(len(self.code), np.nan), self.code, self.vocab)
        numbers = ~np.isnan(self.num)
        distinct, inverse = np.unique(self.num[numbers], return_inverse=True)
        vocab, index = list(self.vocab), {t: i for i, t in enumerate(self.vocab)}
        remap = np.empty(distinct.size, dtype=np.int32)
        for k, v in enumerate(distinct.tolist()):
            text = _number_text(v)
            if text not in index:
                index[text] = len(vocab)
                vocab.append(text)
            remap[k] = index[text]
        code = self.code.copy()
        code[numbers] = remap[inverse]
        return Parsed(np.full(len(code), np.nan), code, tuple(vocab))

    def take(self, rows: np.ndarray) -> Column:
        """The column's cells at ``rows``."""
        flag = None
        if self.too_large is not None:
            picked = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
            at = np.flatnonzero(np.isin(picked, self.too_large[0]))
            if at.size:
                texts = dict(zip(self.too_large[0].tolist(), self.too_large[1]))
                flag = (at.astype(np.int64), tuple(texts[int(picked[i])] for i in at.tolist()))
        return Column(self.num[rows], self.code[rows], self.vocab, self.texts, flag, self.decimal_comma)

    def text(self, i: int) -> str:
        """The text of cell ``i``."""
        c = int(self.code[i])
        if c >= 0:
            return self.vocab[c]
        return _number_text(float(self.num[i]))


def _number_text(v: float) -> str:
    """A number cell's text when the column is read as strings: ``7`` for 7.0, else Python's shortest form."""
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v) if np.isfinite(v) else str(v)


def loc(source: str, line: int, column: int) -> Location:
    """The one-character location of ``line:column`` in ``source``."""
    pos = Position(source, line, column)
    return Location(pos, Position(source, line, column + 1))
