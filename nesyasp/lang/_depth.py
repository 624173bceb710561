"""How deep the terms being built nest, measured bottom-up as Lark's transformer builds them.

Terms nest at most :data:`MAX_TERM_DEPTH` deep (``f(f(a))`` is 2 deep; each
operator of a long sum ``X+1+1+...`` is a level too), because every part of
nesyasp that walks terms may recurse on them. Measuring costs nothing for
flat terms: only compound terms get an entry.
"""

from __future__ import annotations

from typing import Any, Iterable

from nesyasp.errors import Location
from nesyasp.lang.ast import BinaryOperation, Function, UnaryOperation

__all__ = ["MAX_TERM_DEPTH", "Heights"]

MAX_TERM_DEPTH = 100


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
