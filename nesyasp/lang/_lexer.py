"""Tokens for the fast reader (:mod:`nesyasp.lang._fast`), and its shared helpers."""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Iterator

__all__ = ["Fallback", "gc_paused", "tokens", "IDENTIFIER_TOKEN"]

# Whitespace, then one token; both captured, so that `findall` does the whole scan in C.
# A token's kind follows from its first and last characters (see `_KIND`). The first
# alternative is a whole "simple atom" such as p(X,'a',3) (SATOM): FOLD rule sets are
# mostly made of them, and one match instead of six tokens halves the scan.
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
| \#(?:show|pred|include)(?![A-Za-z0-9_]))""", re.VERBOSE)
IDENTIFIER_TOKEN = re.compile(r"_*[a-z]")

_KIND = {**{c: "IDENT" for c in "abcdefghijklmnopqrstuvwxyz"},
         **{c: "VAR" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
         **{c: "INT" for c in "0123456789"},
         '"': "STR", "'": "SQ", "%": "COMMENT", "#": "DIR", "_": "_"}



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


def tokens(text: str) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, int, int, int, int]]]:
    """Tokens ``(kind, text, line, column)`` and comments ``(text, line, col, end_line, end_col)``."""
    toks: list[tuple[str, str, int, int]] = []
    comments: list[tuple[str, int, int, int, int]] = []
    append = toks.append
    line, line_start, pos = 1, 0, 0
    kinds = _KIND
    for space, value in _TOKEN.findall(text):
        if space:
            if "\n" in space:
                line += space.count("\n")
                line_start = pos + space.rindex("\n") + 1
            pos += len(space)
        col = pos - line_start + 1
        pos += len(value)
        if value[-1] == ")" and len(value) > 1 and value[0] != "%":
            if value.startswith("not("):
                raise Fallback
            append(("SATOM", value, line, col))
            continue
        kind = kinds.get(value[0], "OP")
        if kind == "IDENT":
            append(("not" if value == "not" else "IDENT", value, line, col))
        elif kind == "OP":
            append((value, value, line, col))
        elif kind == "INT":
            append(("DEC" if "." in value else "INT", value, line, col))
        elif kind == "_":
            kind = "ANON" if value == "_" else "IDENT" if IDENTIFIER_TOKEN.match(value) else "VAR"
            append((kind, value, line, col))
        elif kind == "COMMENT" and value == "%#pred":
            append(("DIR", "#pred", line, col))  # the annotation in a comment (what nesyasp prints)
        elif kind == "COMMENT":
            k = value.count("\n")
            start_line = line
            if k:
                line += k
                line_start = pos - len(value) + value.rindex("\n") + 1
            comments.append((value, start_line, col, line, pos - line_start + 1))
        else:
            append((kind, value, line, col))
    if pos != len(text.rstrip(" \t\f\r\n")):
        raise Fallback  # a character no token starts with
    append(("$END", "", line, 1))
    return toks, comments


