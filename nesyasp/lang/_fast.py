"""A fast reader for the common core of the language, checked against the Lark grammar.

Lark's pure-Python LALR lexer and parser handle about 0.5 MB/s, too slow for
large learned rule sets. This module reads the core language (facts, rules,
constraints, literals, comparisons, arithmetic, ``#show``, ``#pred``,
``#include``, comments) with one regular expression and a recursive-descent
parser (terms in :mod:`nesyasp.lang._fast_terms`, statements here), and
builds exactly the AST, locations included, that the Lark grammar builds. On anything else (a syntax error, a construct outside the
language, a rare spelling) it raises :class:`Fallback`, and the caller parses
the whole text with Lark, which owns every error message and every
``Unsupported`` node. Tests compare both readers on the corpus and on
generated programs.
"""

from __future__ import annotations

from typing import Any

from nesyasp.lang._fast_terms import _ADD, _CONTINUES, _MUL, TermReader, _new
from nesyasp.lang._lexer import CHUNK as _CHUNK
from nesyasp.lang._lexer import MAX_NUMBER_DIGITS, Fallback, Scanner, gc_paused
from nesyasp.lang._spelling import COMPARISON_SPELLINGS, unescape_quoted, unescape_string
from nesyasp.lang.ast import Atom, Comment, Comparison, Include, Literal, Pred, Rule, Show
from nesyasp.errors import Location, Position

__all__ = ["Fallback", "Reader", "fast_parse", "fast_query", "fast_atom", "gc_paused"]

_CMP = frozenset(COMPARISON_SPELLINGS)
# Tokens scanned ahead of each statement (a longer statement is scanned on when it is reached).
_AHEAD = 64


class Reader(TermReader):
    """Recursive descent over the token list, statements on top of :class:`TermReader`'s terms;
    any surprise raises `Fallback`.

    Tokens are scanned a chunk at a time (:class:`~nesyasp.lang._lexer.Scanner`),
    so that a text that leaves the core language early is not scanned to its end.
    """

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
