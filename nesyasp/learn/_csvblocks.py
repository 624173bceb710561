"""The block reader behind :func:`nesyasp.learn.table.read_csv` (see that module for the format).

An unquoted block is parsed with numpy alone: line ends and commas are found
with one comparison each, the fields of every column are gathered into a
fixed-width byte array, numbers come from numpy's text-to-double cast (a
failing block falls back to one Python ``float`` per *distinct* text), and
the other texts are factorized with :func:`numpy.unique`. From the first
block that holds a ``"`` on, Python's :mod:`csv` module reads the rest, in
batches of rows that go through the same column code.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from typing import Iterator

import numpy as np

from nesyasp.errors import DataError
from nesyasp.learn._decimal import DecimalCommas, fast_numbers, has_text
from nesyasp.learn._separator import detect_separator
from nesyasp.learn.column import Column, loc as _loc
from nesyasp.learn._cells import BLANKS, non_ascii
from nesyasp.learn._cells import INF_WORDS

__all__ = ["BlockReader"]

logger = logging.getLogger(__name__)

_STARTS_U = np.array(list("0123456789+-.iInN"))  # a number's text starts with one of these
_STARTS_S = _STARTS_U.astype("S1")
_NUMBER_BYTE = np.zeros(256, dtype=bool)
_NUMBER_BYTE[np.frombuffer(b"0123456789+-.iInN \t", dtype=np.uint8)] = True


class _Accumulator:
    """The blocks of one column, joined at the end (``comma``: decimal commas may be numbers, see
    :mod:`nesyasp.learn._decimal`)."""

    def __init__(self, keep_text: bool, comma: bool = False):
        self.keep = keep_text
        self.commas = DecimalCommas() if comma and not keep_text else None
        self.nums: list[np.ndarray] = []
        self.codes: list[np.ndarray] = []
        self.vocab: dict[str, int] = {}
        self.big_rows: list[int] = []
        self.big_texts: list[str] = []
        self.rows = 0

    def add(self, tokens: np.ndarray, decode, matrix: np.ndarray | None = None) -> None:
        """Add a block of cells given as texts (``matrix``: the raw fields as a byte matrix, when known)."""
        n = tokens.shape[0]
        self.add_parsed(np.full(n, np.nan), np.arange(n), tokens, decode, matrix)

    def add_parsed(self, num: np.ndarray, rest: np.ndarray, tokens: np.ndarray, decode,
                   matrix: np.ndarray | None) -> None:
        """Add a block: ``num`` holds the cells already parsed; ``tokens`` are the texts of the cells ``rest``."""
        n = num.shape[0]
        code = np.full(n, -1, dtype=np.int32)
        if rest.size:
            sub = np.full(rest.size, np.nan)
            if not self.keep:
                for i in self._numbers(tokens, sub, decode, matrix):
                    self.big_rows.append(self.rows + int(rest[i]))
                    self.big_texts.append(str(decode(tokens[i])))
                if self.commas is not None:
                    read = self.commas.add(tokens, sub, self.rows + rest)
                    for i in read[np.isinf(sub[read])].tolist():  # 400 digits and a comma: too large, not inf
                        self.big_rows.append(self.rows + int(rest[i]))
                        self.big_texts.append(str(decode(tokens[i])))
            num[rest] = sub
            strings = np.isnan(sub)
            if strings.any():
                distinct, inverse = np.unique(tokens[strings], return_inverse=True)
                ids = np.asarray([self.vocab.setdefault(decode(t), len(self.vocab)) for t in distinct.tolist()],
                                 dtype=np.int32)
                code[rest[strings]] = ids[inverse]
        self.nums.append(num)
        self.codes.append(code)
        self.rows += n

    def _numbers(self, tokens: np.ndarray, num: np.ndarray, decode, matrix: np.ndarray | None) -> list[int]:
        """Fill ``num`` with the numbers among ``tokens``; return the cells too large for a double."""
        cand = self._candidates(tokens, num, matrix)
        if cand.size and self.commas is not None:  # float() reads no comma: leave those to DecimalCommas
            cand = cand[~has_text(tokens[cand], ",")]
        if cand.size == 0:
            return []
        picked = tokens[cand]
        try:
            values = picked.astype(np.float64)
        except (ValueError, TypeError, OverflowError):
            distinct, inverse = np.unique(picked, return_inverse=True)
            values = np.asarray([_number(decode(t)) for t in distinct.tolist()], dtype=np.float64)[inverse]
        num[cand] = np.where(non_ascii(picked), np.nan, values)  # NaN where the text is not a number ("nan", "1٢")
        infinite = np.flatnonzero(np.isinf(num))
        # 1e400: too large for a double, not inf
        return [i for i in infinite.tolist() if decode(tokens[i]).lower() not in INF_WORDS]

    def _candidates(self, tokens: np.ndarray, num: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
        """Fill ``num`` with the plain decimals among ``tokens``; return the other cells that may be numbers."""
        if matrix is not None:  # plain decimals first; a number starts with a digit, a sign, a dot, i/n or a blank
            looks = _NUMBER_BYTE[matrix[:, 0]]
            picked = np.flatnonzero(looks)
            if picked.size == 0:
                return picked
            values, parsed = fast_numbers(matrix[picked] if picked.size < looks.size else matrix)
            done = picked[parsed]
            num[done] = values[parsed]
            return picked[~parsed]
        kind = tokens.dtype.kind
        return np.flatnonzero(np.isin(tokens.astype(kind + "1"), _STARTS_S if kind == "S" else _STARTS_U))

    def column(self, decode) -> Column:
        num = np.concatenate(self.nums) if self.nums else np.zeros(0)
        code = np.concatenate(self.codes) if self.codes else np.zeros(0, dtype=np.int32)
        big = (np.asarray(self.big_rows, dtype=np.int64), tuple(self.big_texts)) if self.big_rows else None
        comma = self.commas is not None and self.commas.read_as_numbers()
        if self.commas is not None and not comma:
            self.commas.as_texts(num, code, self.vocab, decode)
        return Column(num, code, tuple(self.vocab), self.keep, big, comma)


def _number(text: str) -> float:
    if not text.isascii():  # float() reads '1٢' (an Arabic-Indic digit) as 12: a text, as '٢' is
        return np.nan
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return np.nan
    return value


class BlockReader:
    """Reads one CSV stream into columns (used once per file)."""

    def __init__(self, stream: io.BufferedIOBase, source: str, ragged: str, keep_text: set[str], block: int,
                 rows: int, sep: str | None = None):
        self.sep = sep
        self.detected = sep is None
        self.stream = stream
        self.source = source
        self.ragged = ragged
        self.keep_text = keep_text
        self.block = block
        self.batch = rows
        self.header: list[str] | None = None
        self.header_line = 1
        self.columns: list[_Accumulator] = []
        self.lines: list[np.ndarray] = []

    # ------------------------------------------------------------ driving
    def read(self):
        pending = b""
        line = 1
        first = True
        while True:
            data = self.stream.read(self.block)
            if first:
                data = data[3:] if data.startswith(codecs.BOM_UTF8) else data
                first = False
                # lines ended by a carriage return alone (classic Mac OS exports): read as line breaks
                self.cr_lines = b"\r" in data and b"\n" not in data
                if self.cr_lines:
                    data = data.replace(b"\r", b"\n")
                if self.sep is None:
                    self.sep = detect_separator(data[: 1 << 20], self.source, len(data) < self.block)
                self._byte = ord(self.sep)
            elif self.cr_lines:
                data = data.replace(b"\r", b"\n")
            if not data:
                if pending:
                    self._block(pending + b"\n", line)
                break
            buf = pending + data
            cut = buf.rfind(b"\n")
            if cut < 0:
                pending = buf
                continue
            blk, pending = buf[: cut + 1], buf[cut + 1:]
            if b'"' in blk:
                self._csv_rest(blk + pending, line)
                break
            self._block(blk, line)
            line += blk.count(b"\n")
        header = self.header
        lines = np.concatenate(self.lines) if self.lines else np.zeros(0, dtype=np.int64)
        columns = [c.column(self._decode) for c in self.columns]
        for name, acc in zip(header or (), self.columns):
            if acc.commas is not None and acc.commas.rows:
                acc.commas.report(self.source, name, lines)
        return header, columns, lines

    def _decode(self, raw: bytes | str, line: int | None = None) -> str:
        if isinstance(raw, str):
            return raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f":{line}" if line else ""
            raise DataError(f"{self.source}{where}: cannot read the file ({exc}); save it as UTF-8") from None

    def _set_header(self, cells: list[str], line: int) -> None:
        header = [c.strip() for c in cells]
        seen: set[str] = set()
        for i, name in enumerate(header):
            if not name:
                last = all(not c for c in header[i:])
                hint = (f"; a '{self.sep}' at the end of the header line (and of every row) makes an empty "
                        "last column: remove it, or name the column") if last else ""
                raise DataError(f"column {i + 1} of the header has no name{hint}",
                                _loc(self.source, line, sum(len(c) + 1 for c in cells[:i]) + 1))
            if name in seen:
                logger.warning("%s:%d: duplicate column name %r (column %d): only the first column of that name is "
                               "read by name; rename it to use it", self.source, line, name, i + 1)
            seen.add(name)
        self.header = header
        self.header_line = line
        comma = self.sep != ","
        self.columns = [_Accumulator(name in self.keep_text, comma) for name in header]

    def _ragged(self, cells: list[str], line: int) -> DataError:
        k = len(self.header or ())
        col = sum(len(c) + 1 for c in cells[:k]) + 1 if len(cells) > k else 1
        return DataError(f"row has {len(cells)} cell{'' if len(cells) == 1 else 's'} but the header has {k}",
                         _loc(self.source, line, col))

    # ------------------------------------------------------------ the numpy path
    def _block(self, blk: bytes, line0: int) -> None:
        buf = np.frombuffer(blk, dtype=np.uint8)
        ends = np.flatnonzero(buf == 10)
        starts = np.r_[0, ends[:-1] + 1]
        linenos = line0 + np.arange(ends.size, dtype=np.int64)
        blank = np.zeros(ends.size, dtype=bool)  # a line of blanks and commas only (rare: checked one by one)
        sep = self._byte
        if sep <= 44:  # the bytes of a blank line are all below the comma: few lines to look at one by one
            low = np.flatnonzero(np.maximum.reduceat(buf, starts) <= 44) if buf.size else np.zeros(0, dtype=np.int64)
            for i in low.tolist():
                blank[i] = not blk[starts[i]: ends[i]].translate(None, b" \t\r" + bytes([sep]))
        elif buf.size:  # count each line's bytes other than blanks and separators
            filled = np.r_[0, np.cumsum(~np.isin(buf, np.array([9, 10, 13, 32, sep], dtype=np.uint8)),
                                        dtype=np.int32)]
            blank = filled[ends] == filled[starts]
        skip = 0
        if self.header is None:
            filled = np.flatnonzero(~blank)
            if filled.size == 0:
                return
            h = int(filled[0])
            text = self._decode(blk[starts[h]: ends[h]], int(linenos[h]))
            self._set_header(next(csv.reader([text], delimiter=self.sep)), int(linenos[h]))
            blank[: h + 1] = True
            skip = h + 1
        k = len(self.columns)
        commas = np.flatnonzero(buf == sep)
        per_line = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
        regular = ~blank & (per_line == k - 1)
        odd = np.flatnonzero(~blank & ~regular)
        if odd.size:
            if self.ragged != "fit":
                i = int(odd[0])
                raise self._ragged(self._decode(blk[starts[i]: ends[i]]).split(self.sep), int(linenos[i]))
            rest = blk[int(starts[skip]):] if skip < starts.size else b""
            self._csv_lines(io.StringIO(self._decode(rest)), line0 + skip)
            return
        rows = np.flatnonzero(regular)
        if rows.size == 0:
            return
        if k > 1:
            owner = np.searchsorted(starts, commas, side="right") - 1
            inner = commas[regular[owner]].reshape(-1, k - 1)
            field_starts = np.column_stack([starts[rows], inner + 1])
            field_ends = np.column_stack([inner, ends[rows]])
        else:
            field_starts, field_ends = starts[rows][:, None], ends[rows][:, None]
        decode = self._decode
        for j, acc in enumerate(self.columns):
            matrix = _matrix(buf, field_starts[:, j], field_ends[:, j])
            acc.add(_tokens(matrix), decode, matrix)
        self.lines.append(linenos[rows])

    # ------------------------------------------------------------ the csv-module path
    def _csv_rest(self, head: bytes, line0: int) -> None:
        text = io.TextIOWrapper(self.stream, encoding="utf-8", newline="")
        try:
            self._csv_lines(_chain(self._decode(head).splitlines(keepends=True), text), line0)
        except UnicodeDecodeError as exc:
            raise DataError(f"{self.source}: cannot read the file ({exc}); save it as UTF-8") from None
        finally:
            text.detach()

    def _csv_lines(self, lines, line0: int) -> None:
        reader = csv.reader(lines, delimiter=self.sep)
        batch: list[list[str]] = []
        numbers: list[int] = []
        try:
            for row in reader:
                line = line0 + reader.line_num - 1
                if not row or all(not c.strip() for c in row):
                    continue
                if self.header is None:
                    self._set_header(row, line)
                    continue
                k = len(self.columns)
                if len(row) != k:
                    if self.ragged != "fit":
                        raise self._ragged(row, line)
                    row = (row + [""] * k)[:k]
                batch.append([c.strip(BLANKS) for c in row])  # as the numpy path strips bytes
                numbers.append(line)
                if len(batch) >= self.batch:
                    self._flush(batch, numbers)
                    batch, numbers = [], []
        except csv.Error as exc:
                raise DataError(f"malformed CSV ({exc})", _loc(self.source, line0 + reader.line_num - 1, 1)) from None
        self._flush(batch, numbers)

    def _flush(self, batch: list[list[str]], numbers: list[int]) -> None:
        if not batch:
            return
        for j, acc in enumerate(self.columns):
            acc.add(np.asarray([r[j] for r in batch], dtype=str), self._decode)
        self.lines.append(np.asarray(numbers, dtype=np.int64))


def _chain(first: list[str], rest) -> Iterator[str]:
    yield from first
    yield from rest


def _matrix(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The fields ``buf[starts[i]:ends[i]]`` as rows of a zero-padded ``(n, width)`` byte matrix."""
    width = ends - starts
    size = max(1, int(width.max()) if width.size else 0)
    offsets = np.arange(size)
    inside = offsets < width[:, None]
    index = np.where(inside, starts[:, None] + offsets, 0)
    return np.ascontiguousarray(np.where(inside, buf[index], 0).astype(np.uint8))


def _tokens(matrix: np.ndarray) -> np.ndarray:
    """A byte matrix's rows as a stripped fixed-width byte array."""
    return np.strings.strip(matrix.view(f"S{matrix.shape[1]}").ravel())
