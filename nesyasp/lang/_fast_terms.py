"""The term half of the fast reader (:mod:`nesyasp.lang._fast`): tokens to terms.

:class:`TermReader` reads terms (leaves, functions, arithmetic with clingo's
precedence, the SATOM shortcut for ``name(arg,...)`` of plain arguments) and
builds exactly the AST, locations included, that the Lark grammar builds; any
surprise raises :class:`~nesyasp.lang._lexer.Fallback`. The statement half
(atoms, literals, rules, directives) extends it in ``_fast.py``.
"""

from __future__ import annotations

from typing import Any

from nesyasp.lang._lexer import IDENTIFIER_TOKEN, MAX_NUMBER_DIGITS, Fallback, Scanner
from nesyasp.lang._spelling import unescape_quoted, unescape_string
from nesyasp.lang.ast import (Atom, BinaryOperation, Constant, Function, Integer, Real, String, UnaryOperation,
                              Variable, is_identifier)
from nesyasp.errors import Location, Position

__all__ = ["TermReader"]

_SIMPLE = frozenset(("IDENT", "VAR", "ANON", "INT", "DEC", "SQ", "STR"))
_CONTINUES = frozenset(("+", "-", "*", "/", "\\", "**", "("))
_MUL = frozenset(("*", "/", "\\"))
_ADD = frozenset(("+", "-"))
_new = tuple.__new__
# The reader leaves terms nested deeper than this to the Lark grammar, which measures them
# exactly (and refuses those deeper than the language's limit); it keeps recursion shallow.
_LEVELS = 40


class TermReader:
    """Recursive descent over the token list, terms only; any surprise raises `Fallback`.

    Tokens are scanned a chunk at a time (:class:`~nesyasp.lang._lexer.Scanner`),
    so that a text that leaves the core language early is not scanned to its end.
    """

    def __init__(self, text: str, file: str, scanner: Scanner | None = None):
        self.file = file
        if scanner is None:
            scanner = Scanner(text)
            scanner.more(0)
        self.scanner = scanner
        self.toks, self.comments = scanner.toks, scanner.comments
        self.i = 0
        self.level = 0
        self.shapes: dict[str, tuple[str, bool, list[tuple[type, Any, int, int]]]] = {}

    # -------------------------------------------------------------- helpers

    def begin(self, tok: tuple[str, str, int, int]) -> Position:
        return _new(Position, (self.file, tok[2], tok[3]))

    def end(self, tok: tuple[str, str, int, int]) -> Position:
        return _new(Position, (self.file, tok[2], tok[3] + len(tok[1])))

    def tloc(self, tok: tuple[str, str, int, int]) -> Location:
        f, line, col = self.file, tok[2], tok[3]
        return _new(Location, (_new(Position, (f, line, col)), _new(Position, (f, line, col + len(tok[1])))))

    def expect(self, kind: str) -> tuple[str, str, int, int]:
        tok = self.toks[self.i]
        if tok[0] != kind:
            raise Fallback
        self.i += 1
        return tok

    def satom(self, tok: tuple[str, str, int, int], as_atom: bool) -> Any:
        """Build the atom (or function term) of a SATOM token, argument positions included."""
        value, line, col = tok[1], tok[2], tok[3]
        shape = self.shapes.get(value)
        if shape is None:
            shape = self.shapes[value] = _shape(value)
        name, numeric, parts = shape
        f = self.file
        args = tuple([cls(arg, _new(Location, (_new(Position, (f, line, col + start)),
                                               _new(Position, (f, line, col + end)))))
                      for cls, arg, start, end in parts])
        loc = _new(Location, (_new(Position, (f, line, col)), _new(Position, (f, line, col + len(value)))))
        if as_atom:
            return Atom(name, args, loc)
        if numeric:
            raise Fallback
        return Function(name, args, loc)

    # ---------------------------------------------------------------- terms

    def term(self) -> Any:
        toks = self.toks
        tok = toks[self.i]
        kind = tok[0]
        if (kind in _SIMPLE or kind == "SATOM") and toks[self.i + 1][0] not in _CONTINUES:  # plain leaf
            self.i += 1
            return self.leaf(tok) if kind != "SATOM" else self.satom(tok, False)
        return self.sum()

    def deeper(self) -> None:
        """Enter one more level of a term; Fallback past `_LEVELS`."""
        self.level += 1
        if self.level > _LEVELS:
            raise Fallback

    def sum(self) -> Any:
        return self.chain(_ADD, self.product)

    def product(self) -> Any:
        return self.chain(_MUL, self.power)

    def chain(self, ops: frozenset[str], operand: Any) -> Any:
        """``operand (op operand)*``, left-associative, for ``op`` in ``ops``."""
        left = operand()
        toks = self.toks
        if toks[self.i][0] in ops:
            level = self.level
            while toks[self.i][0] in ops:  # each operator of a chain nests the AST one level deeper
                self.deeper()
                op = toks[self.i][0]
                self.i += 1
                right = operand()
                left = BinaryOperation(op, left, right, _new(Location, (left.loc.begin, right.loc.end)))
            self.level = level
        return left

    def power(self) -> Any:
        left = self.unary()
        if self.toks[self.i][0] == "**":
            self.i += 1
            self.deeper()
            right = self.power()
            self.level -= 1
            return BinaryOperation("**", left, right, _new(Location, (left.loc.begin, right.loc.end)))
        return left

    def unary(self) -> Any:
        tok = self.toks[self.i]
        if tok[0] != "-":
            return self.primary()
        self.i += 1
        self.deeper()
        arg = self.unary()
        self.level -= 1
        loc = _new(Location, (self.begin(tok), arg.loc.end))
        t = type(arg)
        if t is Integer:
            return Integer(-arg.value, loc)
        if t is Real:
            return Real(arg.text[1:] if arg.text.startswith("-") else "-" + arg.text, loc)
        return UnaryOperation("-", arg, loc)

    def primary(self) -> Any:
        tok = self.toks[self.i]
        kind = tok[0]
        self.i += 1
        if kind == "IDENT" and self.toks[self.i][0] == "(":
            return self.function(tok)
        if kind == "SATOM":
            return self.satom(tok, False)
        if kind == "(":
            self.deeper()
            inner = self.sum()
            self.level -= 1
            close = self.expect(")")
            return _replace_loc(inner, _new(Location, (self.begin(tok), self.end(close))))
        return self.leaf(tok)

    def leaf(self, tok: tuple[str, str, int, int]) -> Any:
        kind = tok[0]
        if kind == "IDENT":
            return Constant(tok[1], self.tloc(tok))
        if kind == "VAR" or kind == "ANON":
            return Variable(tok[1], self.tloc(tok))
        if kind == "INT":
            if len(tok[1]) > MAX_NUMBER_DIGITS:
                raise Fallback
            return Integer(int(tok[1]), self.tloc(tok))
        if kind == "DEC":
            if len(tok[1]) > MAX_NUMBER_DIGITS:
                raise Fallback
            return Real(tok[1], self.tloc(tok))
        if kind == "SQ":
            body = tok[1][1:-1]
            if is_identifier(body):
                return Constant(body, self.tloc(tok))
            return String(unescape_quoted(body), self.tloc(tok))
        if kind == "STR":
            value = unescape_string(tok[1][1:-1])
            if value is None:
                raise Fallback
            return String(value, self.tloc(tok))
        raise Fallback

    def arguments(self) -> tuple[tuple[Any, ...], tuple[str, str, int, int]]:
        self.i += 1  # "("
        args = [self.term()]
        toks = self.toks
        while toks[self.i][0] == ",":
            self.i += 1
            args.append(self.term())
        return tuple(args), self.expect(")")

    def function(self, name: tuple[str, str, int, int]) -> Function:
        self.deeper()
        args, close = self.arguments()
        self.level -= 1
        return Function(name[1], args, _new(Location, (self.begin(name), self.end(close))))


_DIGITS = frozenset("0123456789")


def _leaf_text(text: str) -> tuple[type, Any]:
    """The term class and value of one SATOM argument (a name, variable, number or quoted constant)."""
    first = text[0]
    if first == "'":
        body = text[1:-1]
        return (Constant, body) if is_identifier(body) else (String, body)
    if first in _DIGITS or first == "-":
        if len(text) > MAX_NUMBER_DIGITS:
            raise Fallback
        return (Real, text) if "." in text else (Integer, int(text))
    if text == "_" or IDENTIFIER_TOKEN.match(text) is None:
        return Variable, text
    if text == "not":  # not a name: the grammar says so
        raise Fallback
    return Constant, text


def _shape(value: str) -> tuple[str, bool, list[tuple[type, Any, int, int]]]:
    """Name, numeric flag and ``(class, value, start, end)`` per argument of a SATOM text;
    offsets are relative to the token's column. Shapes repeat, so the reader caches them."""
    paren = value.index("(")
    name = value[:paren]
    numeric = name[0] in _DIGITS
    parts = []
    start = paren + 1
    for text in value[paren + 1:-1].split(","):
        cls, arg = _leaf_text(text)
        parts.append((cls, arg, start, start + len(text)))
        start += len(text) + 1
    return ("f" + name if numeric else name), numeric, parts


def _replace_loc(term: Any, loc: Location) -> Any:
    """``dataclasses.replace(term, loc=loc)`` for the term classes, without its overhead."""
    t = type(term)
    if t is BinaryOperation:
        return BinaryOperation(term.operator, term.left, term.right, loc)
    if t is UnaryOperation:
        return UnaryOperation(term.operator, term.argument, loc)
    if t is Function:
        return Function(term.name, term.arguments, loc)
    if t is Real:
        return Real(term.text, loc)
    if t is Integer:
        return Integer(term.value, loc)
    if t is String:
        return String(term.value, loc)
    if t is Variable:
        return Variable(term.name, loc)
    return Constant(term.name, loc)
