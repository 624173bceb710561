"""The one exception tree of nesyasp, and diagnostics with source positions.

Every error that nesyasp raises on bad input derives from :class:`NesyaspError`.
An error carries an optional :class:`Location` and formats as
``FILE:LINE:COL: error: message``, followed by the offending source line and a
caret when the source text is known.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "brief",
    "one_line",
    "Position",
    "Location",
    "NO_LOCATION",
    "Diagnostic",
    "NesyaspError",
    "ParseError",
    "UnsupportedConstructError",
    "SafetyError",
    "StratificationError",
    "ReasoningError",
    "DataError",
    "NotFittedError",
    "WrongTypeError",
    "MissingDependencyError",
    "expect_type",
    "expect_path",
    "format_location",
    "source_context",
]


class Position(NamedTuple):
    """A point in a source text: file name, 1-based line and 1-based column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Location(NamedTuple):
    """A span of source text, from ``begin`` (inclusive) to ``end`` (exclusive)."""

    begin: Position
    end: Position

    def __str__(self) -> str:
        return str(self.begin)


NO_LOCATION = Location(Position("<unknown>", 0, 0), Position("<unknown>", 0, 0))


def format_location(location: Location | None) -> str:
    """Return ``FILE:LINE:COL`` for a location, or ``<unknown>`` when there is none.

    Parameters
    ----------
    location:
        A location, or None.

    Returns
    -------
    str
        ``FILE:LINE:COL``, just ``FILE`` for a location without a line, or ``<unknown>``.
    """
    expect_type(location, (Location, type(None)), "a Location or None")
    if location is None or location == NO_LOCATION:
        return "<unknown>"
    b = location.begin
    if b.line <= 0:
        return b.file
    return f"{b.file}:{b.line}:{b.column}"


def source_context(location: Location | None, text: str | None) -> str:
    """Return the source line of ``location`` with a caret line under it.

    The text is read from ``text`` when given, else from the file named by the
    location when it exists; an empty string is returned when neither is
    available. A long line is cut to the part around the caret, and
    characters that are not printable are shown as ``?``.

    Parameters
    ----------
    location:
        Where the caret points, or None.
    text:
        The source text, or None to read the location's file.

    Returns
    -------
    str
        Two indented lines (source line, caret line), or ``""``.
    """
    expect_type(location, (Location, type(None)), "a Location or None")
    expect_type(text, (str, type(None)), "the source text (a str) or None")
    if location is None or location.begin.line <= 0:
        return ""
    if text is None:
        path = Path(location.begin.file)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    line = _nth_line(text, location.begin.line)
    if line is None:
        return ""
    if location.begin.line == 1:
        line = line.removeprefix("\ufeff")  # a byte order mark: the readers count columns after it
    line = line.expandtabs(1)
    col = max(location.begin.column, 1)
    width = 1
    if location.end.line == location.begin.line and location.end.column > col:
        width = location.end.column - col
    if len(line) > _WIDTH:  # show the part of a long line around the caret
        first = max(0, min(col - 1 - _WIDTH // 2, len(line) - _WIDTH))
        cut = line[first:first + _WIDTH]
        line = ("..." if first else "") + cut + ("..." if first + _WIDTH < len(line) else "")
        col = col - first + (3 if first else 0)
    line = "".join(ch if ch.isprintable() else "?" for ch in line)
    width = max(1, min(width, max(1, len(line) - col + 1)))
    return f"    {line}\n    {' ' * (col - 1)}{'^' * width}"


_WIDTH = 120
_LONG = 1 << 16
_lines: list = [None, []]  # the last long text and where its lines start (errors come many per file)


def _nth_line(text: str, n: int) -> str | None:
    """Line ``n`` (1-based; lines end at '\\n', as positions count them) of ``text``, or None."""
    if len(text) > _LONG:
        if _lines[0] is not text:
            _lines[:] = [text, [0, *(m.end() for m in re.finditer("\n", text))]]
        starts = _lines[1]
        if not 0 < n <= len(starts):
            return None
        end = starts[n] - 1 if n < len(starts) else len(text)
        return text[starts[n - 1]:end].rstrip("\r")
    start = 0
    for _ in range(n - 1):
        start = text.find("\n", start) + 1
        if not start:
            return None
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)].rstrip("\r")


class NesyaspError(Exception):
    """Base class of every error nesyasp raises on bad input.

    Parameters
    ----------
    message:
        What is wrong, in words a user can act on.
    location:
        Where in a source file, if the error comes from one.
    text:
        The source text, used to print the offending line with a caret.
    """

    kind = "error"

    def __init__(self, message: str, location: Location | None = None, text: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.text = text

    def __str__(self) -> str:
        head = f"{format_location(self.location)}: {self.kind}: {self.message}"
        if self.location is None or self.location == NO_LOCATION:
            return self.message
        context = source_context(self.location, self.text)
        return f"{head}\n{context}" if context else head


class ParseError(NesyaspError):
    """The text is not in the rule language's syntax."""


class UnsupportedConstructError(NesyaspError):
    """A construct clingo knows but nesyasp's language excludes (choice, aggregate, ...)."""


class SafetyError(NesyaspError):
    """A variable of a rule is not bound by a positive body atom."""


class StratificationError(NesyaspError):
    """The program has a cycle through ``not``; the message lists its predicates."""

    def __init__(self, message: str, cycle: tuple[str, ...] = (), location: Location | None = None,
                 text: str | None = None):
        super().__init__(message, location, text)
        self.cycle = cycle


class ReasoningError(NesyaspError):
    """Facts, queries or solver input that cannot be reasoned with."""


class DataError(NesyaspError):
    """A data file or folder that cannot be read as asked (tables, images, masks)."""


class NotFittedError(NesyaspError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class WrongTypeError(NesyaspError, TypeError):
    """An argument of a type the function does not take (a ``str`` where a ``Program`` is wanted, ...).

    Also a :class:`TypeError`, so that code written for Python's own errors catches it.
    """


class MissingDependencyError(NesyaspError, ImportError):
    """An optional dependency is not installed: torch and torchvision (``pip install 'nesyasp[neural]'``).

    Also an :class:`ImportError`, so that code written for Python's own errors catches it.
    """


def expect_type(value: object, types: type | tuple[type, ...], what: str) -> None:
    """Raise :class:`WrongTypeError` naming ``what`` and the type given unless ``value`` is one of ``types``.

    Parameters
    ----------
    value:
        The argument.
    types:
        The type or types it may have.
    what:
        What the argument should be, for the message (``"a Program"``).

    Examples
    --------
    >>> expect_type("p(a)", str, "an atom (text such as 'p(a)')")
    >>> expect_type(3, str, "an atom (text such as 'p(a)')")
    Traceback (most recent call last):
    ...
    nesyasp.errors.WrongTypeError: expected an atom (text such as 'p(a)'), got int
    """
    if not isinstance(value, types):
        raise WrongTypeError(f"expected {what}, got {type(value).__name__}")


def expect_path(value: object, what: str = "a file path", error: type[NesyaspError] | None = None) -> Path:
    """``value`` as a :class:`~pathlib.Path`, checked before any file is opened.

    Parameters
    ----------
    value:
        What the caller gave as a path.
    what:
        Its name in the message (``"a CSV file path"``).
    error:
        The error class for a path that no file can have (default :class:`DataError`;
        the rule readers use :class:`ParseError`).

    Returns
    -------
    Path
        ``Path(value)``.

    Raises
    ------
    WrongTypeError
        Unless ``value`` is a ``str`` or an ``os.PathLike`` of ``str``: an ``int`` is refused,
        since ``open(1)`` would read, and then close, the process's standard output.
    NesyaspError
        ``error`` for a path holding a NUL character or a name too long for the file system.

    Examples
    --------
    >>> expect_path("runs") / "rules.lp"
    PosixPath('runs/rules.lp')
    >>> expect_path(1, "a CSV file path")
    Traceback (most recent call last):
    ...
    nesyasp.errors.WrongTypeError: expected a CSV file path (a str or a Path), got int
    """
    if not isinstance(value, (str, os.PathLike)) or not isinstance(os.fspath(value), str):
        raise WrongTypeError(f"expected {what} (a str or a Path), got {type(value).__name__}")
    path = Path(value)
    error = error or DataError
    if "\0" in str(path):
        raise error(f"{brief(str(path))}: not a usable path: it holds a NUL character")
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise error(f"{brief(str(path))}: not a usable path: {exc.strerror}") from None
    return path


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning or error found by a check, with its location.

    ``severity`` is ``"warning"`` or ``"error"``.
    """

    severity: str
    message: str
    location: Location | None = None
    code: str = field(default="", compare=False)

    def format(self, text: str | None = None) -> str:
        """Render as ``FILE:LINE:COL: severity: message`` plus the source line."""
        head = f"{format_location(self.location)}: {self.severity}: {self.message}"
        context = source_context(self.location, text)
        return f"{head}\n{context}" if context else head


def brief(text: str, keep: int = 40) -> str:
    """``repr(text)`` for a message, cut to its first ``keep`` characters (saying how long it was).

    Parameters
    ----------
    text:
        The text.
    keep:
        How many characters to keep.

    Returns
    -------
    str
        The text's ``repr``, cut.

    Examples
    --------
    >>> brief("abc"), brief("x" * 5000, keep=3)
    ("'abc'", "'xxx'... (5,000 characters)")
    """
    return repr(text) if len(text) <= keep else f"{text[:keep]!r}... ({len(text):,} characters)"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    r"""``text`` with its control characters (a newline in a file name) written as escapes, for one line.

    Parameters
    ----------
    text:
        The text.

    Returns
    -------
    str
        ``text`` without control characters (each written as its escape).

    Examples
    --------
    >>> one_line("new\nline.png"), one_line("café.png")
    ('new\\nline.png', 'café.png')
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
