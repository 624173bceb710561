"""How deep the terms being read nest: open parentheses as Lark's lexer meets them, and
the height of each term as Lark's transformer builds it.

Terms nest at most :data:`MAX_TERM_DEPTH` deep (``f(f(a))`` is 2 deep; each
operator of a long sum ``X+1+1+...`` is a level too), because every part of
nesyasp that walks terms may recurse on them. The parentheses are counted
first, so that ``p(f(f(...`` a million deep is refused at its 101st level,
before the parser has read (and stacked) the rest; sums and products are
measured as they are built. Flat terms cost nothing: only compound terms get
an entry.
"""

from __future__ import annotations

from typing import Any, Iterable

from lark import Token
from lark.exceptions import UnexpectedToken

from nesyasp.errors import Location, Position
from nesyasp.lang.ast import BinaryOperation, Function, UnaryOperation

__all__ = ["MAX_TERM_DEPTH", "TOO_DEEP", "Heights", "Parens", "TooDeep"]

MAX_TERM_DEPTH = 100
TOO_DEEP = (f"term nested more than {MAX_TERM_DEPTH} levels deep (each f(...) and each operator of a long sum or "
            "product is a level): write it flatter")


class TooDeep(UnexpectedToken):
    """Raised from the lexer at a parenthesis past the limit; Lark passes it on as a syntax error."""

    def __init__(self, token: Token, where: Location) -> None:
        super().__init__(token, set())
        self.where = where


class Parens:
    """The parentheses open so far in the current statement."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open: list[Token] = []

    def push(self, tok: Token, text: str, file: str) -> Token:
        """An opening parenthesis; TooDeep at the one that opens level MAX_TERM_DEPTH + 1 of a term."""
        self.open.append(tok)
        if len(self.open) > MAX_TERM_DEPTH + 1:  # the first '(' is the atom's
            raise TooDeep(tok, _level_start(self.open[MAX_TERM_DEPTH + 1], text, file))
        return tok

    def pop(self, tok: Token) -> Token:
        """A closing parenthesis."""
        if self.open:
            self.open.pop()
        return tok


def _level_start(paren: Token, text: str, file: str) -> Location:
    """Where the term that ``paren`` opens begins: the function name before it, if any."""
    start = paren.start_pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'"):
        start -= 1
    column = paren.column - (paren.start_pos - start)
    return Location(Position(file, paren.line, column), Position(file, paren.line, column + 1))


class Heights:
    """The height of each compound term built so far (1 for a constant, 2 for ``f(a)``, ...)."""

    __slots__ = ("table", "deep")

    def __init__(self) -> None:
        self.table: dict[int, tuple[Any, int]] = {}  # id(term) -> (term, height); the term keeps its id unique
        self.deep = False  # a term nested deeper than MAX_TERM_DEPTH was built (since the last `clear`)

    def of(self, term: Any) -> int:
        """The height of ``term``."""
        entry = self.table.get(id(term))
        return entry[1] if entry is not None and entry[0] is term else 1

    def nest(self, term: Any, *children: Any) -> Any:
        """Record ``term``, built over ``children``; return it."""
        h = 1 + max(map(self.of, children))
        if h > 1:
            self.table[id(term)] = (term, h)
            if h > MAX_TERM_DEPTH + 1:
                self.deep = True
        return term

    def same(self, new: Any, old: Any) -> Any:
        """Record ``new`` as high as ``old`` (``(t)`` is ``t``); return it."""
        h = self.of(old)
        if h > 1:
            self.table[id(new)] = (new, h)
        return new

    def too_deep(self, terms: Iterable[Any]) -> Location | None:
        """Where the first of ``terms`` that nests too deeply passes the limit (its level MAX_TERM_DEPTH + 1)."""
        for term in terms:
            if self.of(term) > MAX_TERM_DEPTH + 1:
                node = term
                for _ in range(MAX_TERM_DEPTH):  # down the deepest branch, without recursion
                    node = max(_children(node), key=self.of)
                begin = node.loc.begin
                return Location(begin, begin._replace(column=begin.column + 1))
        return None


def _children(term: Any) -> tuple[Any, ...]:
    t = type(term)
    if t is Function:
        return term.arguments
    if t is BinaryOperation:
        return (term.left, term.right)
    if t is UnaryOperation:
        return (term.argument,)
    return ()
