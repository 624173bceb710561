"""What a cell's text is, wherever nesyasp reads cells (:func:`~nesyasp.learn.table.read_csv`'s numpy and
``csv`` paths, arrays given to :class:`~nesyasp.learn.FoldSEM`): stripped of ASCII blanks only, and never a
number when it holds a character outside ASCII, so that a file with a quote somewhere, one without, and its
cells as an array read every cell alike."""

from __future__ import annotations

import numpy as np

__all__ = ["BLANKS", "non_ascii", "foreign_digits"]

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
