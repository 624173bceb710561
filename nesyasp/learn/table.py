"""Reading tables from CSV files into columns, with errors that name the file, line and column.

:func:`read_csv` streams the file in blocks of a few megabytes and keeps each
column as numpy arrays, never a Python object per cell: the numbers of a
column as doubles (NaN where a cell is not a number) and its other cells as
codes into the column's distinct texts (:class:`Column`). Which columns are
numeric is decided later (:mod:`nesyasp.learn.encode`), so a numeric column
whose cells do not all parse keeps those cells as strings (FOLD-R++'s
*mixed* columns). An empty cell is a missing value; the learner reads it back
as the empty string ``""``. Cells are stripped of surrounding ASCII blanks.

The separator (comma, semicolon, tab or vertical bar) is given or detected
(:mod:`nesyasp.learn._separator`); in a file not separated by commas, decimal
commas are read as numbers in consistent columns (:mod:`nesyasp.learn._decimal`).
Unquoted blocks are split and parsed by numpy (field bounds from the separator
and newline positions, numbers by numpy's text-to-double cast); from the first
block with a ``"`` on, the file is read by Python's :mod:`csv` module, a few
thousand rows at a time, with the same result.

A column read as categorical needs the text of its number cells: columns
named in ``keep_text`` keep every cell's text as written; any other column
writes a number cell in its shortest form (``07`` reads ``7``, ``1.50``
reads ``1.5``, ``1e20`` reads ``100000000000000000000``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from nesyasp.errors import DataError, expect_path, expect_type
from nesyasp.learn._separator import CANDIDATES, separator_option, separator_word
from nesyasp.learn.column import Column, loc as _loc
from nesyasp.learn.encode import Parsed, too_large

logger = logging.getLogger(__name__)

__all__ = ["Table", "Column", "read_csv", "split_target", "csv_header"]

_BLOCK = 1 << 23  # bytes per block of the fast path
_ROWS = 1 << 14  # rows per batch of the csv-module path
_WS = np.array([9, 13, 32], dtype=np.uint8)


@dataclass(frozen=True)
class Table:
    """A CSV table held column by column (:class:`Column`).

    Attributes
    ----------
    columns:
        The header names, in file order.
    data:
        One :class:`Column` per name.
    source:
        The file name, for error messages.
    lines:
        The 1-based file line of each row (for error messages).
    sep:
        The character that separated the cells in the file.
    """

    columns: tuple[str, ...]
    data: tuple[Column, ...]
    source: str = "<table>"
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sep: str = ","

    @property
    def decimal_comma(self) -> tuple[str, ...]:
        """The columns whose numbers were written with decimal commas (``3,14``)."""
        return tuple(n for n, c in zip(self.columns, self.data) if c.decimal_comma)

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return int(self.data[0].code.shape[0]) if self.data else 0

    @property
    def cells(self) -> np.ndarray:
        """The cells as an ``(n_rows, n_columns)`` object array of ``str`` (built on demand: small tables)."""
        out = np.empty((self.n_rows, len(self.columns)), dtype=object)
        for j, col in enumerate(self.data):
            parsed = col.parsed(False)
            out[:, j] = np.asarray(parsed.vocab + ("",), dtype=object)[parsed.code]
        return out

    def index(self, name: str) -> int:
        """The position of column ``name`` (the first, for a duplicated name)."""
        try:
            return self.columns.index(name)
        except ValueError:
            raise DataError(f"no column named {name!r} (columns: {', '.join(self.columns)}){self._separator()}",
                            _loc(self.source, 1, 1)) from None

    def _separator(self) -> str:
        """A hint when the header is one column that holds another candidate separator."""
        if len(self.columns) == 1:
            for sep in CANDIDATES:
                if sep != self.sep and sep in self.columns[0]:
                    return (f"; the header is a single column: the file seems to separate its cells with "
                            f"{separator_word(sep)}, but it was read with {separator_word(self.sep)} as the separator "
                            f"(give `--sep {sep!r}` / `sep={sep!r}`, or leave the separator out to detect it)")
        return ""

    def column(self, name: str) -> Column:
        """The column named ``name``."""
        return self.data[self.index(name)]

    def n_distinct(self, name: str) -> int:
        """The number of distinct cells of column ``name``."""
        col = self.column(name)
        numbers = ~np.isnan(col.num)
        return int(np.unique(col.num[numbers]).size + np.unique(col.code[~numbers]).size)

    def select(self, rows: np.ndarray) -> Table:
        """A table with only the given rows (an index or boolean array)."""
        return Table(self.columns, tuple(c.take(rows) for c in self.data), self.source, self.lines[rows], self.sep)

    def take(self, names: Sequence[str]) -> Table:
        """A table with only the named columns, in that order."""
        return Table(tuple(names), tuple(self.column(n) for n in names), self.source, self.lines, self.sep)

    def labels(self, name: str) -> np.ndarray:
        """Column ``name`` as a numpy string array (class labels); an empty cell is a :class:`DataError`."""
        col = self.column(name)
        parsed = col.parsed(False)
        empty = [i for i, t in enumerate(parsed.vocab) if t == ""]
        bad = np.flatnonzero(np.isin(parsed.code, empty)) if empty else np.zeros(0, dtype=np.int64)
        if bad.size:
            raise DataError(f"the target column {name!r} has an empty cell", _loc(self.source, self.line(bad[0]), 1))
        return np.asarray(parsed.vocab, dtype=str)[parsed.code]

    def line(self, row: int) -> int:
        """The file line of row ``row``."""
        return int(self.lines[row]) if len(self.lines) else int(row) + 2

    # the Columns protocol of nesyasp.learn.encode: a table is what FoldSEM.fit reads
    def parsed(self, j: int, numeric: bool, name: str) -> Parsed:
        """Column ``j`` for the learner; a number too large for a double names its file line."""
        parsed = self.data[j].parsed(numeric)
        if parsed.too_large is not None:
            row = int(parsed.too_large[0].split()[-1])
            raise too_large(name, f"{self.source}:{self.line(row)}", parsed.too_large[1])
        return parsed


def read_csv(path: str | Path, text: str | None = None, ragged: str = "error",
             keep_text: Iterable[str] = (), sep: str | None = None) -> Table:
    """Read a CSV file with a header line into a columnar :class:`Table`.

    Parameters
    ----------
    path:
        The file to read (also the name used in error messages when ``text`` is given).
    text:
        The file's content, when it is already in memory.
    ragged:
        ``"error"`` (default): a row with more or fewer cells than the header
        is an error. ``"fit"``: extra cells are dropped and missing ones are
        empty, as the FOLD reference loaders read such rows.
    keep_text:
        Columns whose cells keep their text as written (columns to be read
        as categorical); the others keep numbers as doubles.
    sep:
        The character between cells (``","``, ``";"``, ``"\\t"``, ``"|"``,
        or ``"tab"``); ``None`` (default) detects it from the first lines
        (:mod:`nesyasp.learn._separator`: a comma, semicolon, tab or vertical
        bar; an ambiguous file is a :class:`DataError` naming the candidates).
        ``table.sep`` is the one used. With another separator than the comma,
        a column whose numbers are all written with decimal commas (``3,14``;
        integers fit too) reads them as numbers (``table.decimal_comma``
        names such columns); a column that mixes ``3,14`` and ``2.5`` keeps
        its comma cells as texts (a warning names a line of each).

    Returns
    -------
    Table
        Its columns (texts and, where they are numbers, values), the source name, line numbers and separator.

    Raises
    ------
    DataError
        For a missing or empty file, a file with a header only, an unnamed
        column, a row with a different number of cells than the header
        (``file:line:col``), or a file that is not UTF-8.

    Examples
    --------
    >>> t = read_csv("t.csv", text="a,b\\n1,x\\n,y\\n")
    >>> t.columns, t.cells.tolist()
    (('a', 'b'), [['1', 'x'], ['', 'y']])
    >>> t = read_csv("t.csv", text="a;b\\n3,5;x\\n-1;y\\n")
    >>> t.sep, t.decimal_comma, t.column("a").num.tolist()
    (';', ('a',), [3.5, -1.0])
    """
    from nesyasp.learn._csvblocks import BlockReader

    source = str(path)
    given = None if sep is None else separator_option(sep)
    if text is not None:
        stream: io.BufferedIOBase = io.BytesIO(text.encode("utf-8"))
    else:
        try:  # an int path would be a file descriptor: read_csv(1) read, then closed, standard output
            stream = open(expect_path(path, "a CSV file path"), "rb")
        except FileNotFoundError:
            raise DataError(f"{source}: no such file") from None
        except OSError as exc:
            raise DataError(f"{source}: cannot read the file ({exc})") from None
    with stream:
        reader = BlockReader(stream, source, ragged, set(keep_text), _BLOCK, _ROWS, given)
        header, columns, lines = reader.read()
    if header is None:
        raise DataError(f"{source}: the file is empty (expected a header line and data rows)")
    if lines.size == 0:
        raise DataError("the file has a header but no data rows", _loc(source, int(reader.header_line), 1))
    used = reader.sep or ","
    logger.info("%s: cells separated by %s (%s)", source, separator_word(used), "detected" if given is None else "given")
    return Table(tuple(header), tuple(columns), source, lines, used)


def csv_header(path: str | Path, sep: str | None = None) -> tuple[list[str], str]:
    """The header names of a CSV file and its separator (``sep``, or detected as :func:`read_csv` does).

    A file that cannot be read gives ``([], ",")`` (:func:`read_csv` then says what is wrong); an ambiguous
    separator is the same :class:`DataError` as :func:`read_csv`'s.
    """
    import codecs
    import csv

    from nesyasp.learn._separator import detect_separator

    try:
        with open(path, "rb") as handle:
            sample = handle.read(1 << 20)
    except OSError:
        return [], ","
    sample = sample[3:] if sample.startswith(codecs.BOM_UTF8) else sample
    if b"\r" in sample and b"\n" not in sample:  # lines ended by a carriage return alone, as read_csv reads them
        sample = sample.replace(b"\r", b"\n")
    used = separator_option(sep) if sep is not None else detect_separator(sample, str(path), len(sample) < 1 << 20)
    try:
        lines = (ln for ln in sample.decode("utf-8").splitlines() if ln.strip())
        header = next(csv.reader(lines, delimiter=used), [])
    except (UnicodeDecodeError, csv.Error):
        header = []
    return [c.strip() for c in header], used


def split_target(table: Table, target: str, features: list[str] | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                       list[str]]:
    """Split a table into features ``X`` (an object array of texts), labels ``y`` and feature names.

    For large tables pass ``table.take(features)`` and ``table.labels(target)``
    to ``FoldSEM.fit`` instead: they stay columnar.

    Parameters
    ----------
    table:
        A table of :func:`read_csv`.
    target:
        The label column.
    features:
        The feature columns (default: every other column).

    Returns
    -------
    tuple
        ``(X, y, names)``: ``X`` an object array of texts ``(rows, features)``, ``y`` the labels, ``names`` the feature columns.

    Raises
    ------
    DataError
        When the target column is missing, has a missing label (naming the
        line), or is also listed as a feature.
    """
    expect_type(table, Table, "a Table (read_csv gives one)")
    y = table.labels(target)
    if features is None:
        features = [c for c in table.columns if c != target]
    if target in features:
        raise DataError(f"{table.source}: the target column {target!r} is also listed as a feature")
    return table.take(features).cells, y, list(features)
