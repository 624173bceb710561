"""The term half of the Lark transformer (:mod:`nesyasp.lang._builder`): state, locations, terms.

:class:`TermBuilder` holds the per-parse state (file, text, collected errors,
term heights and parenthesis levels), computes every node's
:class:`~nesyasp.errors.Location` from its first and last token or child, and
builds terms, with numbers, strings and quoted constants normalized. Terms the
language excludes (intervals, tuples, @-terms, ``#sup``) become :class:`BadTerm`
placeholders, which the statement half turns into ``Unsupported`` nodes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lark import Token, Transformer

from nesyasp.lang._depth import TOO_DEEP, Heights, Parens
from nesyasp.lang._lexer import MAX_NUMBER_DIGITS
from nesyasp.lang._spelling import unescape_quoted, unescape_string
from nesyasp.lang.ast import (BinaryOperation, Constant, Function, Integer, Real, String, UnaryOperation,
                              Unsupported, Variable, is_identifier)
from nesyasp.errors import Location, NesyaspError, ParseError, Position

__all__ = ["TermBuilder", "BadTerm", "term_kind"]


class BadTerm:
    """A term the language excludes (interval, tuple, @-term, #sup); it becomes `Unsupported`."""

    __slots__ = ("construct", "loc", "whole")

    def __init__(self, construct: str, loc: Location):
        self.construct = construct
        self.loc = loc
        self.whole = loc  # the span of the largest term seen around it so far

    def around(self, whole: Location) -> BadTerm:
        """Record that the construct sits inside a term spanning ``whole``."""
        self.whole = whole
        return self


def _whole(node: Any) -> Location:
    return node.whole if type(node) is BadTerm else node.loc


def term_kind(term: Any) -> str:
    names = {Variable: "variable", Integer: "integer", Real: "number", String: "string",
             BinaryOperation: "arithmetic term", UnaryOperation: "arithmetic term"}
    return names.get(type(term), "term")


class TermBuilder(Transformer):  # type: ignore[type-arg]
    """Callbacks for Lark's embedded transformer, terms only; `reset` before each parse."""


    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.reset("<string>", "")

    def reset(self, file: str, text: str, errors: list[NesyaspError] | None = None) -> None:
        """Prepare for parsing ``text`` read from ``file``.

        With an ``errors`` list, errors found while building are appended to it
        and the statement that holds one is left out (``None``), so that reading
        goes on; without one, they are raised.
        """
        self.file = file
        self.text = text
        self.bad = False
        self._line_starts: list[int] | None = None
        self.errors = errors
        self.heights = Heights()  # of the compound terms, to refuse those nested too deeply
        self.parens = Parens()
        self.broken = False  # the current statement holds an error (collecting mode)

    def fail(self, error: NesyaspError) -> None:
        """Raise ``error``, or record it and mark the current statement broken (collecting mode)."""
        if self.errors is None:
            raise error
        if not self.broken:  # one error per statement
            self.broken = True
            self.errors.append(error)

    def clear(self) -> None:
        """Forget the current statement's state (after a syntax error skipped the rest of it)."""
        self.heights.deep = self.broken = False
        self.parens = Parens()

    def open_paren(self, tok: Token) -> Token:
        """Lexer callback of '(' (counts the levels of the term being read)."""
        return self.parens.push(tok, self.text, self.file)

    def close_paren(self, tok: Token) -> Token:
        """Lexer callback of ')'."""
        return self.parens.pop(tok)

    def _done(self, stmt: Any, terms: Any = ()) -> Any:
        """Finish a statement: check its terms' depth; None when it is left out (collecting mode)."""
        if self.heights.deep:
            self.heights.deep = False
            where = self.heights.too_deep(terms)
            if where is not None:
                self.fail(ParseError(TOO_DEEP, where, self.text))
        if self.broken:
            self.broken = False
            return None
        return stmt

    def _number(self, tok: Token) -> bool:
        """False (after `fail`) for a number with more digits than any clingo integer could hold."""
        if len(tok.value) <= MAX_NUMBER_DIGITS:
            return True
        digits = sum(ch.isdigit() for ch in tok.value)
        kind = "decimal number" if "." in tok.value else "number"
        self.fail(ParseError(f"{kind} of {digits} digits: clingo's integers (which also encode decimals) have at "
                             "most 10 (-2147483648..2147483647)", self.tloc(tok), self.text))
        return False

    # ------------------------------------------------------------ locations

    def tloc(self, tok: Token) -> Location:
        """Location of a token."""
        f = self.file
        return Location(Position(f, tok.line, tok.column), Position(f, tok.end_line, tok.end_column))

    def span(self, first: Any, last: Any) -> Location:
        """Location from the start of ``first`` to the end of ``last`` (tokens or nodes)."""
        f = self.file
        b = Position(f, first.line, first.column) if type(first) is Token else _whole(first).begin
        e = Position(f, last.end_line, last.end_column) if type(last) is Token else _whole(last).end
        return Location(b, e)

    def _offset(self, pos: Position) -> int:
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\n", self.text))
            self._line_starts = starts
        return self._line_starts[pos.line - 1] + pos.column - 1

    def source(self, loc: Location) -> str:
        """The source text under ``loc``."""
        return self.text[self._offset(loc.begin):self._offset(loc.end)]

    def unsupported(self, construct: str, loc: Location, strip_dot: bool = False) -> Unsupported:
        """An `Unsupported` node whose text is the source under ``loc``."""
        text = " ".join(self.source(loc).split())
        if strip_dot and text.endswith("."):
            text = text[:-1].rstrip()
        return Unsupported(construct, text, loc)

    # ---------------------------------------------------------------- terms

    def variable(self, c: list[Any]) -> Variable:
        return Variable(c[0].value, self.tloc(c[0]))

    def constant(self, c: list[Any]) -> Constant:
        self._keyword(c[0])
        return Constant(c[0].value, self.tloc(c[0]))

    def _keyword(self, tok: Token) -> None:
        """``not`` is a name only where Lark's contextual lexer expects no ``not``: clingo never reads it so."""
        if tok.value == "not":
            self.fail(ParseError("'not' is clingo's keyword for negation: it cannot name a constant, a function "
                                 "or a predicate (write \"not\" for the string)", self.tloc(tok), self.text))

    def integer(self, c: list[Any]) -> Integer:
        if not self._number(c[0]):
            return Integer(0, self.tloc(c[0]))
        return Integer(int(c[0].value), self.tloc(c[0]))

    def real(self, c: list[Any]) -> Real:
        if not self._number(c[0]):
            return Real("0.0", self.tloc(c[0]))
        return Real(c[0].value, self.tloc(c[0]))

    def string(self, c: list[Any]) -> String:
        value = unescape_string(c[0].value[1:-1])
        if value is None:
            self.fail(ParseError("unknown escape sequence in string (clingo knows \\\\, \\\" and \\n)",
                                 self.tloc(c[0]), self.text))
            value = c[0].value[1:-1]
        return String(value, self.tloc(c[0]))

    def quoted(self, c: list[Any]) -> Constant | String:
        body = c[0].value[1:-1]
        if is_identifier(body):
            return Constant(body, self.tloc(c[0]))
        return String(unescape_quoted(body), self.tloc(c[0]))

    def function(self, c: list[Any]) -> Function | BadTerm:
        self._keyword(c[0])
        args = tuple(c[2:-1])
        if self.bad:
            for a in args:
                if type(a) is BadTerm:
                    return a.around(self.span(c[0], c[-1]))
        return self.heights.nest(Function(c[0].value, args, self.span(c[0], c[-1])), *args)

    def binop(self, c: list[Any]) -> BinaryOperation | BadTerm:
        left, op, right = c
        if self.bad:
            if type(left) is BadTerm:
                return left.around(self.span(left, right))
            if type(right) is BadTerm:
                return right.around(self.span(left, right))
        return self.heights.nest(BinaryOperation(op.value, left, right, self.span(left, right)), left, right)

    def negate(self, c: list[Any]) -> Any:
        minus, arg = c
        loc = self.span(minus, arg)
        t = type(arg)
        if t is Integer:
            return Integer(-arg.value, loc)
        if t is Real:
            return Real(arg.text[1:] if arg.text.startswith("-") else "-" + arg.text, loc)
        if t is BadTerm:
            return arg.around(loc)
        return self.heights.nest(UnaryOperation("-", arg, loc), arg)

    def parenthesized(self, c: list[Any]) -> Any:
        term = c[1]
        if type(term) is BadTerm:
            return term.around(self.span(c[0], c[-1]))
        return self.heights.same(replace(term, loc=self.span(c[0], c[-1])), term)

    def _bad(self, construct: str, c: list[Any]) -> BadTerm:
        self.bad = True
        return BadTerm(construct, self.span(c[0], c[-1]))

    def tuple(self, c: list[Any]) -> BadTerm:
        return self._bad("tuple term", c)

    def external_term(self, c: list[Any]) -> BadTerm:
        return self._bad("@-term (external Python function)", c)

    def infimum_supremum(self, c: list[Any]) -> BadTerm:
        return self._bad("#sup/#inf term", c)

    def interval(self, c: list[Any]) -> BadTerm:
        return self._bad("interval 'a..b'", c)
