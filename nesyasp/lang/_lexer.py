"""Tokens for the fast reader (:mod:`nesyasp.lang._fast`), and its shared helpers."""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Iterator

__all__ = ["Fallback", "gc_paused", "tokens", "Scanner", "IDENTIFIER_TOKEN", "MAX_NUMBER_DIGITS"]

# Whitespace, then one token; both captured, so that `findall` does the whole scan in C.
# A token's kind follows from its first and last characters (see `_KIND`). The first
# alternative is a whole "simple atom" such as p(X,'a',3) (SATOM): FOLD rule sets are
# mostly made of them, and one match instead of six tokens halves the scan. The last
# alternative takes any other character (BAD), so that the reader stops where the text
# leaves the core language instead of after the whole scan.
_TOKEN = re.compile(r"""([ \t\f\r\n]*)(
  (?:_*[a-z][A-Za-z0-9_']*|[0-9]+)\((?:_*[A-Za-z][A-Za-z0-9_']*|_|-?[0-9]+(?:\.[0-9]+)?|'[^'\\\n,]*')
      (?:,(?:_*[A-Za-z][A-Za-z0-9_']*|_|-?[0-9]+(?:\.[0-9]+)?|'[^'\\\n,]*'))*\)
| _*[a-z][A-Za-z0-9_']*
| _*[A-Z][A-Za-z0-9_']*
| :-|\*\*|==|=<|\\=|!=|<>|<=|>=|::|\.\.|:~|[-+*/\\=<>(),.;:]
| _
| [0-9]+\.[0-9]+
| [0-9]+
| %\#pred(?![A-Za-z0-9_])
| %(?!\*)[^\n]*
| %\*[\s\S]*?\*%
| "(?:\\.|[^"\\\n])*"
| '(?:\\.|[^'\\\n])*'
| \#(?:show|pred|include)(?![A-Za-z0-9_])
| [^ \t\f\r\n])""", re.VERBOSE)
IDENTIFIER_TOKEN = re.compile(r"_*[a-z]")

# Numbers longer than this are refused (clingo's integers have at most 10 digits; Python
# refuses to convert more than 4300 digits).
MAX_NUMBER_DIGITS = 100

_KIND = {**{c: "IDENT" for c in "abcdefghijklmnopqrstuvwxyz"},
         **{c: "VAR" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
         **{c: "INT" for c in "0123456789"},
         '"': "STR", "'": "SQ", "%": "COMMENT", "#": "DIR", "_": "_"}
# One-character operators of the core language; any other lone character is BAD.
_SINGLE = frozenset("-+*/\\=<>(),.;:")

# Text scanned per step when the reader asks for more tokens (cut after a line end), and the
# longest line scanned (the reader leaves a longer one to Lark).
CHUNK = 1 << 16
FIRST_CHUNK = 1 << 10
LONG_LINE = 1 << 20


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or walking a large AST.

    AST nodes form no reference cycles, and the collections that many new
    nodes trigger would otherwise triple the time to parse a large file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Fallback(Exception):
    """The fast reader met something it leaves to the Lark grammar."""


class Scanner:
    """Tokens of a text, produced a chunk at a time.

    Tokens are ``(kind, text, line, column)``; comments ``(text, line, col,
    end_line, end_col)`` go to :attr:`comments`. :meth:`more` appends the
    next chunk's tokens to :attr:`toks`, whose last entry is always a
    sentinel: ``$END`` at the end of the text, ``$MORE`` before that.
    """

    __slots__ = ("text", "stop", "pos", "line", "line_start", "toks", "comments", "done", "step")

    def __init__(self, text: str, pos: int = 0, line: int = 1, line_start: int = 0) -> None:
        """Scan ``text`` from offset ``pos``, which is on ``line``, a line that starts at offset ``line_start``."""
        self.text = text
        stop = len(text)
        while stop and text[stop - 1] in " \t\f\r\n":
            stop -= 1
        self.stop = stop
        self.pos, self.line, self.line_start = pos, line, line_start
        self.toks: list[tuple[str, str, int, int]] = [("$MORE", "", line, 1)]
        self.comments: list[tuple[str, int, int, int, int]] = []
        self.done = False
        self.step = FIRST_CHUNK  # doubles up to CHUNK: a reader that stops early scans little

    def more(self, size: int | None = None) -> None:
        """Scan about ``size`` (default: the next step, up to `CHUNK`; 0: all) more characters, to a line end.

        A line longer than `LONG_LINE` is not scanned: a BAD token stands for it (the reader leaves
        it to Lark), so that a huge one-line text costs no memory here.
        """
        if self.done:
            return
        if size is None:
            size = min(self.step, CHUNK)
            self.step = 2 * size
        text, pos = self.text, self.pos
        toks = self.toks
        toks.pop()
        end = len(text)
        if size and pos + size < end:
            end = text.find("\n", pos + size, pos + size + LONG_LINE) + 1
            if end <= 0:
                self.done = True
                toks.append(("BAD", "", self.line, pos - self.line_start + 1))
                toks.append(("$END", "", self.line, 1))
                return
        self._scan(end)
        if self.pos >= self.stop:
            self.done = True
            toks.append(("$END", "", self.line, 1))
        else:
            toks.append(("$MORE", "", self.line, 1))

    def _scan(self, end: int) -> None:
        text = self.text
        append = self.toks.append
        comments = self.comments
        line, line_start, pos = self.line, self.line_start, self.pos
        kinds, single = _KIND, _SINGLE
        while True:
            restart = -1
            for space, value in _TOKEN.findall(text, pos, end):
                if space:
                    if "\n" in space:
                        line += space.count("\n")
                        line_start = pos + space.rindex("\n") + 1
                    pos += len(space)
                col = pos - line_start + 1
                pos += len(value)
                if value[-1] == ")" and len(value) > 1 and value[0] != "%":
                    append(("BAD" if value.startswith("not(") else "SATOM", value, line, col))
                    continue
                kind = kinds.get(value[0], "OP")
                if kind == "IDENT":
                    append(("not" if value == "not" else "IDENT", value, line, col))
                elif kind == "OP":  # an operator, or (alone) a character no token starts with
                    append((value if len(value) > 1 or value in single else "BAD", value, line, col))
                elif kind == "INT":
                    append(("DEC" if "." in value else "INT", value, line, col))
                elif kind == "_":
                    kind = "ANON" if value == "_" else "IDENT" if IDENTIFIER_TOKEN.match(value) else "VAR"
                    append((kind, value, line, col))
                elif kind == "COMMENT":
                    if value == "%#pred":
                        append(("DIR", "#pred", line, col))  # the annotation in a comment (what nesyasp prints)
                        continue
                    if value == "%" and text.startswith("*", pos):  # '%*' with no '*%' before `end`
                        close = text.find("*%", pos + 1)
                        if close >= 0:  # the block comment ends after `end`: scan on to its end
                            pos -= 1
                            restart = text.find("\n", close + 2) + 1 or len(text)
                            break
                        append(("BAD", value, line, col))  # unterminated: Lark says so
                        continue
                    k = value.count("\n")
                    start_line = line
                    if k:
                        line += k
                        line_start = pos - len(value) + value.rindex("\n") + 1
                    comments.append((value, start_line, col, line, pos - line_start + 1))
                elif kind == "VAR" or len(value) > 1:
                    append((kind, value, line, col))
                else:  # a lone '"', "'" or '#': an unterminated string or quoted constant, or no directive
                    append(("BAD", value, line, col))
            if restart < 0:
                break
            end = restart
        self.line, self.line_start, self.pos = line, line_start, pos


def tokens(text: str) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, int, int, int, int]]]:
    """All tokens ``(kind, text, line, column)`` and comments ``(text, line, col, end_line, end_col)``
    of ``text``, the last token ``$END``."""
    scanner = Scanner(text)
    scanner.more(0)
    return scanner.toks, scanner.comments
