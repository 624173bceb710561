"""Reading a whole file in spite of its errors, for ``nesyasp check``.

:func:`parse_program_recovering` returns every statement that parses and an
error for each one that does not. The fast reader reads up to the first
statement it leaves to the Lark grammar; Lark reads on from there, and after
each syntax error drops the broken statement (up to its final ``.``),
returns to the statement level and goes on; the fast reader takes over again
as soon as it can. Each part of the text is read once, so a file with many
errors costs about one parse, and reading can stop after ``max_errors``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedInput, UnexpectedToken

from nesyasp.errors import NesyaspError, Position, expect_type
from nesyasp.lang._fast import Reader, _comment as fast_comment
from nesyasp.lang._comments import block_comment_errors
from nesyasp.lang._lexer import Scanner, gc_paused
from nesyasp.lang.ast import Program
from nesyasp.lang.parser import _comment, _convert, _lock, _parser

__all__ = ["Recovered", "parse_program_recovering"]


@dataclass(frozen=True, slots=True)
class Recovered:
    """What :func:`parse_program_recovering` read.

    Attributes
    ----------
    program:
        The statements that parse (and the comments), in source order.
    errors:
        One error per broken statement, in source order.
    stopped:
        Where reading stopped when there were more than ``max_errors`` errors
        (the position of the first error not reported); None when the whole
        text was read.
    """

    program: Program
    errors: tuple[NesyaspError, ...]
    stopped: Position | None = None


# The rest of a statement, to its final '.': strings, quoted constants, comments, decimals and
# intervals read as tokens, so that their dots do not count. Atomic groups: linear on any text.
_TO_DOT = re.compile(r"""(?>
    [^."'%0-9]++
  | [0-9]++(?:\.[0-9]++)?+
  | \.\.
  | "(?:\\.|[^"\\\n])*+"
  | '(?:\\.|[^'\\\n])*+'
  | %\*[\s\S]*?\*%
  | %[^\n]*+
  | ["']
)*+\.""", re.VERBOSE)


class _TooMany(Exception):
    """More errors than asked for: stop reading."""


class _Errors(list):  # type: ignore[type-arg]
    """The builder's error list; it stops the parse once it holds more than ``limit`` errors."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def append(self, error: Any) -> None:
        super().append(error)
        if self.limit and len(self) > self.limit:
            raise _TooMany


def parse_program_recovering(text: str, source: str = "<string>", max_errors: int = 0) -> Recovered:
    """Parse ``text``, going on after errors.

    Parameters
    ----------
    text, source:
        As for :func:`~nesyasp.lang.parser.parse_program`.
    max_errors:
        Stop reading after this many errors (0: read everything).

    Returns
    -------
    Recovered
        ``program`` (the statements that parsed), ``errors`` (one ParseError each, in source order) and
        ``stopped`` (where reading stopped when ``max_errors`` cut it short, else None).

    Examples
    --------
    >>> r = parse_program_recovering("a :- b\\nc.\\nok.\\np( :- q.\\nd.\\n")
    >>> str(r.program).split(), [str(e.location) for e in r.errors]
    (['ok.', 'd.'], ['<string>:2:1', '<string>:4:4'])
    """
    expect_type(text, str, "program text (a str)")
    with gc_paused():
        reader = Reader(text, source, Scanner(text))
        statements, failed = reader.statements()
        if failed is None:
            merged = statements + [fast_comment(c, source) for c in reader.comments]
            merged.sort(key=lambda s: (s.loc.begin.line, s.loc.begin.column))
            found = Recovered(Program(tuple(merged), source), ())
        else:
            found = _Recovery(text, source, reader, max_errors).run(statements, failed)
    comments = block_comment_errors(found.program.statements, text) if "%*" in text else []
    if comments:
        errors = sorted((*found.errors, *comments), key=lambda e: (e.location.begin.line, e.location.begin.column))
        found = replace(found, errors=tuple(errors))
    return found


class _Recovery:
    """One error-recovering pass of the Lark parser from the fast reader's first fallback."""

    def __init__(self, text: str, source: str, reader: Reader, max_errors: int) -> None:
        self.text, self.source, self.reader = text, source, reader
        self.errors = _Errors(max_errors)
        self.ends = 0  # errors at the end of the text
        self.tail_comments: list[Any] = []  # those the fast reader read after it took over again

    def run(self, statements: list[Any], failed: int) -> Recovered:
        reader, source = self.reader, self.source
        begin = reader.toks[failed][2:4]
        lark, builder, comments = _parser()
        stopped = None
        tail: list[Any] = []
        cut = None
        with _lock:
            builder.reset(source, self.text, self.errors)
            comments.clear()
            try:
                ip = lark.parse_interactive(self.text, start="start")
                self._seek(ip, *begin)
                middle, tail, cut = self._parse(ip, builder, begin)
            except _TooMany:
                ordered = sorted(self.errors, key=_where)
                stopped = ordered[self.errors.limit].location.begin
                self.errors[:] = ordered[:self.errors.limit]
                middle = []
            found = [_comment(tok, source) for tok in comments]
            comments.clear()
            builder.reset(source, "")
        kept = [fast_comment(c, source) for c in reader.comments if c[1:3] < begin]
        kept += [fast_comment(c, source) for c in self.tail_comments]
        merged = [*statements, *middle, *tail, *found, *kept]
        merged.sort(key=lambda s: (s.loc.begin.line, s.loc.begin.column))
        return Recovered(Program(tuple(merged), source), tuple(sorted(self.errors, key=_where)), stopped)

    def _seek(self, ip: Any, line: int, column: int) -> None:
        """Start the Lark lexer at ``line``:``column`` (the statement where the fast reader stopped)."""
        offset = 0
        for _ in range(line - 1):
            offset = self.text.index("\n", offset) + 1
        counter = ip.lexer_thread.state.line_ctr
        counter.char_pos = offset + column - 1
        counter.line, counter.column, counter.line_start_pos = line, column, offset

    def _parse(self, ip: Any, builder: Any, fast_failed: tuple[int, int]) -> tuple[list[Any], list[Any], Any]:
        """Statements read by Lark, statements read by the fast reader after it took over, and where it did.

        After each broken statement the fast reader tries the rest (from a scanner of its own, so that
        nothing is scanned twice), unless it already stopped further on.
        """
        while True:
            try:
                return ip.resume_parse(), [], None
            except UnexpectedInput as exc:
                self.errors.append(_convert(exc, self.text, self.source))
                at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
                _settle(ip.parser_state)
                builder.clear()
                if at_end:
                    self.ends += 1
                    if self.ends > 1:  # pragma: no cover - the statement level always accepts the end
                        return _done(ip.parser_state), [], None
                    continue
                if not (isinstance(exc, UnexpectedToken) and exc.token.type == "DOT"):
                    self._skip(ip)
                    builder.clear()
                counter = ip.lexer_thread.state.line_ctr
                cut = (counter.line, counter.column)
                if cut > fast_failed:
                    reader = Reader(self.text, self.source,
                                    Scanner(self.text, counter.char_pos, counter.line, counter.line_start_pos))
                    reader.shapes = self.reader.shapes
                    tail, failed = reader.statements()
                    if failed is None:
                        self.tail_comments = reader.comments
                        return _done(ip.parser_state), tail, cut
                    fast_failed = reader.toks[failed][2:4]

    def _skip(self, ip: Any) -> None:
        """Move the lexer past the rest of the broken statement: to just after its next '.'."""
        counter = ip.lexer_thread.state.line_ctr
        pos = counter.char_pos
        m = _TO_DOT.match(self.text, pos)
        counter.feed(self.text[pos:m.end() if m else len(self.text)])


def _where(error: NesyaspError) -> tuple[int, int]:
    loc = error.location
    return (loc.begin.line, loc.begin.column) if loc is not None else (0, 0)


def _boundary(state: Any) -> int:
    """How many entries of the state stack to keep to stand between two statements."""
    conf = state.parse_conf
    start = conf.start_state
    star = next((arg for name, (_, arg) in conf.states[start].items() if name.startswith("__start_star")), None)
    stack = state.state_stack
    return 2 if len(stack) > 1 and stack[1] == star else 1


def _settle(state: Any) -> None:
    """Finish the statement before the error if it was complete, then drop what is left of the broken one."""
    values = state.value_stack
    if values and type(values[-1]) is Token and values[-1].type == "DOT":
        last = values[-1]
        try:  # a statement may follow a complete one: feeding its first token reduces the complete one
            state.feed_token(Token.new_borrow_pos("IF", ":-", last))
        except UnexpectedToken:
            pass
    keep = _boundary(state)
    del state.state_stack[keep:]
    del state.value_stack[keep - 1:]


def _done(state: Any) -> list[Any]:
    """The statements on the value stack (at the statement level)."""
    values = state.value_stack
    children = getattr(values[0], "children", []) if values else []
    return [stmt for stmt in children if stmt is not None]
