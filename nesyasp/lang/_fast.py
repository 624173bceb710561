"""A fast reader for the common core of the language, checked against the Lark grammar.

Lark's pure-Python LALR lexer and parser handle about 0.5 MB/s, too slow for
large learned rule sets. This module reads the core language (facts, rules,
constraints, literals, comparisons, arithmetic, ``#show``, ``#pred``,
``#include``, comments) with one regular expression and a recursive-descent
parser, and builds exactly the AST, locations included, that the Lark
grammar builds. On anything else (a syntax error, a construct outside the
language, a rare spelling) it raises :class:`Fallback`, and the caller parses
the whole text with Lark, which owns every error message and every
``Unsupported`` node. Tests compare both readers on the corpus and on
generated programs.
"""

from __future__ import annotations

from typing import Any

from nesyasp.lang._lexer import CHUNK as _CHUNK
from nesyasp.lang._lexer import IDENTIFIER_TOKEN, MAX_NUMBER_DIGITS, Fallback, Scanner, gc_paused
from nesyasp.lang._builder import COMPARISON_SPELLINGS, unescape_quoted, unescape_string
from nesyasp.lang.ast import (Atom, BinaryOperation, Comment, Comparison, Constant, Function, Include, Integer,
                              Literal, Pred, Real, Rule, Show, String, UnaryOperation, Variable, is_identifier)
from nesyasp.errors import Location, Position

__all__ = ["Fallback", "Reader", "fast_parse", "fast_query", "fast_atom", "gc_paused"]

_CMP = frozenset(COMPARISON_SPELLINGS)
_SIMPLE = frozenset(("IDENT", "VAR", "ANON", "INT", "DEC", "SQ", "STR"))
_CONTINUES = frozenset(("+", "-", "*", "/", "\\", "**", "("))
_MUL = frozenset(("*", "/", "\\"))
_ADD = frozenset(("+", "-"))
_new = tuple.__new__
# The reader leaves terms nested deeper than this to the Lark grammar, which measures them
# exactly (and refuses those deeper than the language's limit); it keeps recursion shallow.
_LEVELS = 40
# Tokens scanned ahead of each statement (a longer statement is scanned on when it is reached).
_AHEAD = 64


class Reader:
    """Recursive descent over the token list; any surprise raises `Fallback`.

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

    # ---------------------------------------------------------------- atoms

    def atom(self) -> Atom:
        """A head or annotated atom: ``p``, ``p(t,...)`` or the numeric ``295(X)``."""
        tok = self.toks[self.i]
        kind = tok[0]
        self.i += 1
        if kind == "SATOM":
            return self.satom(tok, True)
        if kind == "IDENT":
            if self.toks[self.i][0] != "(":
                return Atom(tok[1], (), self.tloc(tok))
            args, close = self.arguments()
            return Atom(tok[1], args, _new(Location, (self.begin(tok), self.end(close))))
        if kind == "INT" and self.toks[self.i][0] == "(":
            args, close = self.arguments()
            return Atom("f" + tok[1], args, _new(Location, (self.begin(tok), self.end(close))))
        raise Fallback

    def literal(self) -> Literal:
        toks = self.toks
        first = toks[self.i]
        negated = first[0] == "not"
        if negated:
            self.i += 1
            if toks[self.i][0] == "(":
                return self.negated_comparison(first)
        tok = toks[self.i]
        if tok[0] == "SATOM":
            nxt = toks[self.i + 1][0]
            if nxt not in _CMP and nxt not in _CONTINUES:
                self.i += 1
                atom = self.satom(tok, True)
                loc = atom.loc if not negated else _new(Location, (self.begin(first), atom.loc.end))
                return Literal(atom, negated, loc)
        elif tok[0] == "INT" and toks[self.i + 1][0] == "(" or tok[0] == "IDENT":
            start = self.i
            atom = self.atom()
            nxt = toks[self.i][0]
            if nxt not in _CMP and nxt not in _ADD and nxt not in _MUL and nxt != "**":
                loc = atom.loc if not negated else _new(Location, (self.begin(first), atom.loc.end))
                return Literal(atom, negated, loc)
            if tok[0] == "INT":
                raise Fallback
            self.i = start
        left = self.term()
        op = toks[self.i][0]
        if op not in _CMP:
            raise Fallback
        self.i += 1
        right = self.term()
        cmp = Comparison(COMPARISON_SPELLINGS[op], left, right, _new(Location, (left.loc.begin, right.loc.end)))
        begin = self.begin(first) if negated else left.loc.begin
        return Literal(cmp, negated, _new(Location, (begin, right.loc.end)))

    def negated_comparison(self, first: tuple[str, str, int, int]) -> Literal:
        """FOLD-SE's ``not(N=<0.6)``; ``not (X)...`` and friends fall back."""
        self.i += 1
        left = self.term()
        op = self.toks[self.i][0]
        if op not in _CMP:
            raise Fallback
        self.i += 1
        right = self.term()
        close = self.expect(")")
        cmp = Comparison(COMPARISON_SPELLINGS[op], left, right, _new(Location, (left.loc.begin, right.loc.end)))
        return Literal(cmp, True, _new(Location, (self.begin(first), self.end(close))))

    # ----------------------------------------------------------- statements

    def body(self) -> tuple[Literal, ...]:
        lits = [self.literal()]
        toks = self.toks
        while toks[self.i][0] in (",", ";"):
            self.i += 1
            lits.append(self.literal())
        return tuple(lits)

    def statement(self) -> Any:
        tok = self.toks[self.i]
        kind = tok[0]
        if kind == ":-":
            self.i += 1
            body = self.body()
            dot = self.expect(".")
            return Rule(None, body, _new(Location, (self.begin(tok), self.end(dot))))
        if kind == "DIR":
            return self.directive(tok)
        head = self.atom()
        nxt = self.toks[self.i][0]
        if nxt == ".":
            dot = self.toks[self.i]
            self.i += 1
            return Rule(head, (), _new(Location, (head.loc.begin, self.end(dot))))
        if nxt != ":-":
            raise Fallback
        self.i += 1
        if self.toks[self.i][0] == ".":
            body: tuple[Literal, ...] = ()
        else:
            body = self.body()
        dot = self.expect(".")
        return Rule(head, body, _new(Location, (head.loc.begin, self.end(dot))))

    def directive(self, tok: tuple[str, str, int, int]) -> Any:
        self.i += 1
        word = tok[1]
        if word == "#show":
            name = self.expect("IDENT")
            self.expect("/")
            arity = self.expect("INT")
            if len(arity[1]) > MAX_NUMBER_DIGITS:
                raise Fallback
            dot = self.expect(".")
            return Show(name[1], int(arity[1]), _new(Location, (self.begin(tok), self.end(dot))))
        if word == "#pred":
            atom = self.atom()
            self.expect("::")
            text_tok = self.toks[self.i]
            self.i += 1
            if text_tok[0] == "SQ":
                text = unescape_quoted(text_tok[1][1:-1])
            elif text_tok[0] == "STR":
                value = unescape_string(text_tok[1][1:-1])
                if value is None:
                    raise Fallback
                text = value
            else:
                raise Fallback
            dot = self.expect(".")
            if dot[2] != tok[2]:
                raise Fallback  # an annotation over several lines: the grammar reports it
            return Pred(atom, text, _new(Location, (self.begin(tok), self.end(dot))))
        path = unescape_string(self.expect("STR")[1][1:-1])
        if path is None:
            raise Fallback
        dot = self.expect(".")
        return Include(path, _new(Location, (self.begin(tok), self.end(dot))))

    def program(self) -> list[Any]:
        """Every statement; Fallback at the first the reader leaves to Lark."""
        out, failed = self.statements()
        if failed is not None:
            raise Fallback
        return out

    def statements(self, start: int = 0) -> tuple[list[Any], int | None]:
        """Statements from token ``start`` on, and the index of the first statement that falls back
        (None when the reader reaches the end)."""
        out: list[Any] = []
        toks, scanner = self.toks, self.scanner
        self.i = start
        grow = 0  # a statement longer than the tokens scanned: scan twice as much each time it is read again
        while True:
            begin = self.i
            while len(toks) - begin < _AHEAD and not scanner.done:
                scanner.more()
            if toks[begin][0] == "$END":
                return out, None
            self.level = 0
            try:
                out.append(self.statement())
            except (Fallback, RecursionError):
                if scanner.done or self.i < len(toks) - 2:
                    return out, begin
                grow = 2 * grow or _CHUNK  # the statement runs past the tokens scanned so far: scan on, read it again
                scanner.more(grow)
                self.i = begin


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


def _comment(raw: tuple[str, int, int, int, int], file: str) -> Comment:
    value, line, col, end_line, end_col = raw
    loc = _new(Location, (_new(Position, (file, line, col)), _new(Position, (file, end_line, end_col))))
    if value.startswith("%*"):
        return Comment(value[2:-2], True, loc)
    return Comment(value[1:].rstrip("\r"), False, loc)


def fast_parse(text: str, file: str) -> list[Any]:
    """Statements and comments of ``text`` in source order; raises `Fallback` when unsure."""
    reader = Reader(text, file, Scanner(text))
    statements = reader.program()
    if not reader.comments:
        return statements
    merged = statements + [_comment(c, file) for c in reader.comments]
    merged.sort(key=lambda s: (s.loc.begin.line, s.loc.begin.column))
    return merged


def _finish(reader: Reader) -> None:
    toks = reader.toks
    if toks[reader.i][0] == ".":
        reader.i += 1
    if toks[reader.i][0] != "$END":
        raise Fallback


def fast_query(text: str, file: str) -> tuple[Literal, ...]:
    """The literals of a query ``a(X), not b(X)`` (final ``.`` optional); raises `Fallback` when unsure."""
    reader = Reader(text, file)
    body = reader.body()
    _finish(reader)
    return body


def fast_atom(text: str, file: str) -> Atom:
    """One atom (final ``.`` optional); raises `Fallback` when unsure."""
    reader = Reader(text, file)
    atom = reader.atom()
    _finish(reader)
    return atom
