"""Reading rule files: UTF-8 text, or an error that says where the file stops being text.

Every reader of ``.lp`` files (``nesyasp check``, ``fmt``, ``query``, the
reasoner, ``#include``) goes through :func:`read_program_text`, so a binary or
non-UTF-8 file gets one message everywhere: the file, the line and column of
its first bad byte, and no echo of its contents.

Examples
--------
>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     path = os.path.join(d, "x.lp")
...     _ = open(path, "wb").write(b"a.\\nb(\\xff).\\n")
...     try:
...         read_program_text(path)
...     except ParseError as exc:
...         print(exc.location.begin.line, exc.location.begin.column, exc.message)
2 3 not UTF-8 text: byte 0xff (invalid start byte); a rule file is UTF-8 text
"""

from __future__ import annotations

import stat
from pathlib import Path

from nesyasp._paths import said_command
from nesyasp.errors import Location, ParseError, Position, expect_path

__all__ = ["read_program_text", "byte_position"]


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of byte ``offset`` of ``data``, the column counted in characters."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", errors="replace")) + 1


def _at(path: Path, data: bytes, offset: int, message: str) -> ParseError:
    line, column = byte_position(data, offset)
    where = Position(str(path), line, column)
    # text="" keeps the file's line (binary, or not text) out of the message
    return ParseError(message, Location(where, Position(str(path), line, column + 1)), "")


def read_program_text(path: str | Path) -> str:
    """The text of the rule file ``path`` (UTF-8; a leading byte-order mark is dropped).

    Parameters
    ----------
    path:
        The rule file (a ``str`` or a path).

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    ParseError
        When the file is missing, a folder, a device or unreadable (the message
        names the path), or holds a NUL byte or a byte sequence that is not UTF-8 (the
        error's location is the line and column of the first such byte), or for a
        path that no file can have (a NUL character, a name too long).
    WrongTypeError
        When ``path`` is neither a ``str`` nor a path (also a ``TypeError``).
    """
    path = expect_path(path, "a rule file path", ParseError)
    try:
        mode = path.stat().st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
            raise ParseError(f"{path}: a device, not a rule file")  # /dev/zero would never end
        data = path.read_bytes()
    except IsADirectoryError:
        raise ParseError(f"{path}: a folder, not a rule file") from None
    except OSError as exc:
        raise ParseError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".csv", ".tsv"):
        raise ParseError(f"{path}: a table, not a rule or fact file: {said_command('nesyasp', 'learn', path)} "
                         "learns rules from a table, 'nesyasp query RULES --facts-table TABLE' reads a 0/1 table "
                         "of facts, 'nesyasp learn --predict TABLE --rules RULES' runs learned rules on one")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark some editors write; positions count from after it
    nul = data.find(b"\0")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if 0 <= nul < exc.start:
            raise _at(path, data, nul, "a binary file (NUL byte), not a rule file") from None
        raise _at(path, data, exc.start, f"not UTF-8 text: byte 0x{data[exc.start]:02x} ({exc.reason}); "
                  "a rule file is UTF-8 text") from None
    if nul >= 0:
        raise _at(path, data, nul, "a binary file (NUL byte), not a rule file")
    return text
