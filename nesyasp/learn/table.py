"""Reading tables from CSV files, with errors that name the file, line and column.

A table is kept as strings: which columns are numbers is decided later
(:mod:`nesyasp.learn.encode`), so that a numeric column whose cells do not all
parse keeps those cells as strings (FOLD-R++'s *mixed* columns). An empty cell
is a missing value; the learner reads it back as the empty string ``""``.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nesyasp.errors import DataError, Location, Position

logger = logging.getLogger(__name__)

__all__ = ["Table", "read_csv", "split_target"]


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV table held as strings.

    Attributes
    ----------
    columns:
        The header names, in file order.
    cells:
        A ``(n_rows, n_columns)`` object array of ``str`` (missing cells are ``""``).
    source:
        The file name, for error messages.
    lines:
        The 1-based file line of each row (for error messages).
    """

    columns: tuple[str, ...]
    cells: np.ndarray
    source: str = "<table>"
    lines: tuple[int, ...] = ()

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return int(self.cells.shape[0])

    def column(self, name: str) -> np.ndarray:
        """The cells of column ``name`` (a :class:`DataError` if there is none)."""
        return self.cells[:, self.index(name)]

    def index(self, name: str) -> int:
        """The position of column ``name``."""
        try:
            return self.columns.index(name)
        except ValueError:
            raise DataError(f"no column named {name!r} (columns: {', '.join(self.columns)})",
                            _loc(self.source, 1, 1)) from None

    def select(self, rows: np.ndarray) -> Table:
        """A table with only the given rows (an index or boolean array)."""
        lines = tuple(np.asarray(self.lines, dtype=np.int64)[rows].tolist()) if self.lines else ()
        return Table(self.columns, self.cells[rows], self.source, lines)


def _loc(source: str, line: int, column: int) -> Location:
    pos = Position(source, line, column)
    return Location(pos, Position(source, line, column + 1))


def read_csv(path: str | Path, text: str | None = None, ragged: str = "error") -> Table:
    """Read a CSV file with a header line into a :class:`Table`.

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

    Raises
    ------
    DataError
        For a missing or empty file, a file with a header only, duplicate column
        names, or a row with a different number of cells than the header
        (``file:line:col``).

    Examples
    --------
    >>> t = read_csv("t.csv", text="a,b\\n1,x\\n,y\\n")
    >>> t.columns, t.cells.tolist()
    (('a', 'b'), [['1', 'x'], ['', 'y']])
    """
    source = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise DataError(f"{source}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{source}: cannot read the file ({exc})") from None
    header, rows, lines = _parse_rows(text, source, ragged)
    if header is None:
        raise DataError(f"{source}: the file is empty (expected a header line and data rows)")
    if not rows:
        raise DataError("the file has a header but no data rows", _loc(source, 1, 1))
    cells = np.empty((len(rows), len(header)), dtype=object)
    cells[:] = rows
    return Table(tuple(header), cells, source, tuple(lines))


def _parse_rows(text: str, source: str, ragged: str) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """Header, stripped data rows and their line numbers; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if header is None:
                header = [c.strip() for c in row]
                _check_header(header, source, line)
                continue
            if len(row) != len(header) and ragged == "fit":
                row = (row + [""] * len(header))[: len(header)]
            elif len(row) != len(header):
                col = sum(len(c) + 1 for c in row[: len(header)]) + 1 if len(row) > len(header) else 1
                raise DataError(f"row has {len(row)} cells but the header has {len(header)}",
                                _loc(source, line, col))
            rows.append([c.strip() for c in row])
            lines.append(line)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", _loc(source, reader.line_num, 1)) from None
    return header, rows, lines


def _check_header(header: list[str], source: str, line: int) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            raise DataError(f"column {i + 1} of the header has no name", _loc(source, line, 1))
        if name in seen:
            logger.warning("%s:%d: duplicate column name %r (the first one is used)", source, line, name)
        seen.add(name)


def split_target(table: Table, target: str, features: list[str] | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                       list[str]]:
    """Split a table into features ``X`` (object array), labels ``y`` and feature names.

    Raises
    ------
    DataError
        When the target column is missing, has a missing label (naming the
        line), or holds a single class.
    """
    t = table.index(target)
    y = table.cells[:, t]
    empty = np.flatnonzero(y == "")
    if empty.size:
        line = table.lines[empty[0]] if table.lines else int(empty[0]) + 2
        raise DataError(f"the target column {target!r} has an empty cell",
                        _loc(table.source, line, 1))
    if features is None:
        features = [c for c in table.columns if c != target]
    cols = [table.index(f) for f in features]
    if target in features:
        raise DataError(f"{table.source}: the target column {target!r} is also listed as a feature")
    return table.cells[:, cols], y.astype(str), list(features)
