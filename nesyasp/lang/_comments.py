"""Block comments that clingo reads differently from their first ``*%``.

Inside ``%* ... *%`` clingo's lexer nests ``%*``, and reads ``%`` (not
followed by ``*``) as a line comment, which hides a ``*%`` later on the same
line. nesyasp's readers end a block comment at its first ``*%``. Where the
two differ (``%* 50 % off *%``, ``%* a %* b *% c *%``) the text after the
comment would mean one thing to nesyasp and another to clingo, so it is a
:class:`~nesyasp.errors.ParseError` at the comment's position.
"""

from __future__ import annotations

from typing import Iterable

from nesyasp.errors import ParseError
from nesyasp.lang.ast import Comment

__all__ = ["block_comment_errors", "clingo_closes_block"]

ADVICE = ("clingo reads this block comment differently: inside '%* ... *%' a '%*' opens a nested comment "
          "and a '%' hides the rest of its line, '*%' included; remove that '%' or end its line before '*%'")


def clingo_closes_block(body: str) -> bool:
    """Whether clingo ends ``%*`` + ``body`` + ``*%`` exactly at that final ``*%``.

    >>> clingo_closes_block(" a note "), clingo_closes_block(" 50 % off "), clingo_closes_block(" x %\\n y ")
    (True, False, True)
    """
    text, depth, i = body + "*%", 1, 0
    while i < len(text):
        if text.startswith("*%", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i == len(text)
        elif text.startswith("%*", i):
            depth, i = depth + 1, i + 2
        elif text[i] == "%":
            newline = text.find("\n", i)
            if newline < 0:
                return False
            i = newline + 1
        else:
            i += 1
    return False


def block_comment_errors(statements: Iterable[object], text: str) -> list[ParseError]:
    """A :class:`ParseError` for every block comment of ``statements`` that clingo would not end where
    nesyasp does."""
    return [ParseError(ADVICE, s.loc, text) for s in statements
            if type(s) is Comment and s.block and ("%" in s.text) and not clingo_closes_block(s.text)]
