"""``nesyasp query --facts-table``: a 0/1 CSV table of facts, read with positions in its errors."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

__all__ = ["read_table"]

logger = logging.getLogger("nesyasp.cli.commands.query")  # its notes are query's


def read_table(path: Path) -> tuple[list[str], list[str], Any]:
    """Read a 0/1 CSV table: (column names, example ids, boolean matrix)."""
    import numpy as np

    from nesyasp.errors import DataError, Location, Position, brief

    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the table ({exc})") from None
    if len(rows) < 1 or len(rows[0]) < 2:
        raise DataError(f"{path}: a facts table needs a header row: id, then one column per predicate")
    rows = _without_label(path, rows)
    header, values, ids = rows[0], [], []
    columns = _columns(path, header)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            pos = Position(str(path), number, 1)
            raise DataError(f"row has {len(row)} cells, the header {len(header)}", Location(pos, pos))
        example = row[0].strip()
        if not example or example in seen:
            pos = Position(str(path), number, 1)
            what = (f"example id {brief(example)} again (first on line {seen[example]})" if example
                    else "an empty example id")
            raise DataError(f"{what}: every row needs its own id in the first column", Location(pos, pos))
        seen[example] = number
        cells = [c.strip() for c in row[1:]]
        bad = next((k for k, c in enumerate(cells) if c not in _BINARY), None)
        if bad is not None:
            pos = Position(str(path), number, bad + 2)
            raise DataError(f"cell {brief(cells[bad])} of column {brief(header[bad + 1])} is not 0 or 1 (learned "
                            "rules on a table of values: nesyasp learn --predict TABLE.csv --rules RULES)",
                            Location(pos, pos))
        ids.append(example)
        values.append([c in ("1", "true", "True") for c in cells])
    matrix = np.array(values, dtype=bool).reshape(len(values), len(header) - 1)
    return columns, ids, matrix


_BINARY = ("0", "1", "true", "false", "True", "False")


def _without_label(path: Path, rows: list[list[str]]) -> list[list[str]]:
    """The rows without a ``label`` column that holds class names (the true class, as ``nesyasp extract``
    writes it): it is not a predicate, so it is left out, with a note. A 0/1 ``label`` column stays."""
    header = [h.strip().lower() for h in rows[0]]
    if "label" not in header[1:]:
        return rows
    k = header.index("label", 1)
    if all(len(row) <= k or row[k].strip() in _BINARY for row in rows[1:] if row):
        return rows
    logger.warning("%s: column %r holds the true class of each example, not a 0/1 predicate: left out",
                   path, rows[0][k])
    return [row[:k] + row[k + 1:] if len(row) > k else row for row in rows]


def _columns(path: Path, header: list[str]) -> list[str]:
    """The predicate columns of a facts table's header; DataError at the first bad or repeated name."""
    from nesyasp.errors import DataError, Location, NesyaspError, Position, brief
    from nesyasp.reason.facts import predicate_name

    first: dict[str, int] = {}
    for k, name in enumerate(header[1:], start=2):
        pos = Position(str(path), 1, k)
        try:
            predicate = predicate_name(name)
        except NesyaspError as exc:
            raise DataError(exc.message, Location(pos, pos)) from None
        if predicate in first:
            raise DataError(f"column {brief(name)} is predicate {predicate} again (first in column {first[predicate]})",
                            Location(pos, pos))
        first[predicate] = k
    return [h.strip() for h in header[1:]]
