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

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from nesyasp.errors import NesyaspError, ParseError, Position
from nesyasp.lang._fast import Reader, _comment as fast_comment
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

    Examples
    --------
    >>> r = parse_program_recovering("a :- b\\nc.\\nok.\\np( :- q.\\nd.\\n")
    >>> str(r.program).split(), [str(e.location) for e in r.errors]
    (['ok.', 'd.'], ['<string>:2:1', '<string>:4:4'])
    """
    if not isinstance(text, str):
        raise ParseError(f"expected program text, got {type(text).__name__}")
    with gc_paused():
        reader = Reader(text, source, Scanner(text))
        statements, failed = reader.statements()
        if failed is None:
            merged = statements + [fast_comment(c, source) for c in reader.comments]
            merged.sort(key=lambda s: (s.loc.begin.line, s.loc.begin.column))
            return Recovered(Program(tuple(merged), source), ())
        return _Recovery(text, source, reader, max_errors).run(statements, failed)


class _Recovery:
    """One error-recovering pass of the Lark parser from the fast reader's first fallback."""

    def __init__(self, text: str, source: str, reader: Reader, max_errors: int) -> None:
        self.text, self.source, self.reader = text, source, reader
        self.errors = _Errors(max_errors)
        self.ends = 0  # errors at the end of the text

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
                middle, tail, cut = self._parse(ip, builder, failed)
            except _TooMany:
                ordered = sorted(self.errors, key=_where)
                stopped = ordered[self.errors.limit].location.begin
                self.errors[:] = ordered[:self.errors.limit]
                middle = []
            found = [_comment(tok, source) for tok in comments]
            comments.clear()
            builder.reset(source, "")
        kept = [fast_comment(c, source) for c in reader.comments
                if c[1:3] < begin or (cut is not None and c[1:3] >= cut)]
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

    def _parse(self, ip: Any, builder: Any, fast_failed: int) -> tuple[list[Any], list[Any], Any]:
        """Statements read by Lark, statements read by the fast reader after it took over, and where it did."""
        reader = self.reader
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
                j = self._token_at(cut, fast_failed)
                if j > fast_failed:
                    tail, failed = reader.statements(j)
                    if failed is None:
                        return _done(ip.parser_state), tail, cut
                    fast_failed = failed

    def _skip(self, ip: Any) -> None:
        """Read on (with Lark's full lexer) to the end of the broken statement: its next '.'."""
        state = ip.lexer_thread.state
        lexer = ip.lexer_thread.lexer
        lexer = getattr(lexer, "root_lexer", lexer)
        while True:
            try:
                tok = lexer.next_token(state, ip.parser_state)
            except EOFError:
                return
            except UnexpectedCharacters:
                pos = state.line_ctr.char_pos
                state.line_ctr.feed(self.text[pos:pos + 1])
                continue
            if tok.type == "DOT":
                return

    def _token_at(self, where: tuple[int, int], lo: int) -> int:
        """Index of the fast reader's first token at or after ``where``."""
        reader = self.reader
        toks, scanner = reader.toks, reader.scanner
        while not scanner.done and (len(toks) < 2 or toks[-2][2:4] < where):
            scanner.more()
        return bisect_left(toks, where, lo, len(toks) - 1, key=lambda t: (t[2], t[3]))


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
