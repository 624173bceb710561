"""Turn Lark parse events into AST nodes (the one Transformer of the parser).

The transformer runs inside Lark's LALR parser (no parse tree is built), and
computes every node's :class:`~nesyasp.errors.Location` from its first and
last token or child. Dialect normalization happens here: quoted constants,
numeric predicate names, ``=<``/``\\=``/``==``/``<>`` and negated comparisons.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lark import Token, Transformer

from nesyasp.lang._depth import TOO_DEEP, Heights, Parens
from nesyasp.lang._lexer import MAX_NUMBER_DIGITS
from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Constant, Function, Include, Integer,
                              Literal, Pred, Real, Rule, Show, String, UnaryOperation, Unsupported,
                              Variable, is_identifier)
from nesyasp.errors import Location, NesyaspError, ParseError, Position

__all__ = ["Builder", "BadTerm", "COMPARISON_SPELLINGS", "unescape_string", "unescape_quoted"]


# Every accepted spelling of a comparison operator, and its canonical form.
COMPARISON_SPELLINGS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "\\=": "!=", "<": "<",
                        "<=": "<=", "=<": "<=", ">": ">", ">=": ">="}

_STRING_ESCAPE = re.compile(r"\\(.)")
_STRING_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
_QUOTED_ESCAPE = re.compile(r"\\([\\'])")


def unescape_string(body: str) -> str | None:
    """Undo clingo's string escapes (``\\\\``, ``\\"``, ``\\n``); None on an unknown escape."""
    if "\\" not in body:
        return body
    bad = False

    def sub(m: re.Match[str]) -> str:
        nonlocal bad
        if m.group(1) not in _STRING_ESCAPES:
            bad = True
            return m.group(0)
        return _STRING_ESCAPES[m.group(1)]

    out = _STRING_ESCAPE.sub(sub, body)
    return None if bad else out


def unescape_quoted(body: str) -> str:
    """Undo ``\\'`` and ``\\\\`` in single-quoted text; other backslashes stay."""
    return _QUOTED_ESCAPE.sub(lambda m: m.group(1), body) if "\\" in body else body


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


def _kind(term: Any) -> str:
    names = {Variable: "variable", Integer: "integer", Real: "number", String: "string",
             BinaryOperation: "arithmetic term", UnaryOperation: "arithmetic term"}
    return names.get(type(term), "term")


class Builder(Transformer):  # type: ignore[type-arg]
    """Callbacks for Lark's embedded transformer; `reset` before each parse."""

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
        return Constant(c[0].value, self.tloc(c[0]))

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

    # ---------------------------------------------------- atoms and literals

    def to_atom(self, term: Any, where: Location | None = None) -> Atom | Unsupported:
        """Read a term at an atom's place as an atom (``f(X)`` -> ``f(X)``)."""
        t = type(term)
        if t is Function:
            return Atom(term.name, term.arguments, term.loc)
        if t is Constant:
            return Atom(term.name, (), term.loc)
        if t is Atom or t is Unsupported:
            return term
        if t is BadTerm:
            return Unsupported(term.construct, self.unsupported("", where or term.whole).text, term.loc)
        if t is UnaryOperation and type(term.argument) in (Constant, Function):
            return self.unsupported("classical negation '-p'", term.loc)
        shown = str(term)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        self.fail(ParseError(f"expected an atom, found {_kind(term)} '{shown}'", term.loc, self.text))
        return Atom("_", (), term.loc)

    def numpred(self, c: list[Any]) -> Atom | Unsupported:
        name = "f" + c[0].value
        args = tuple(c[2:-1])
        loc = self.span(c[0], c[-1])
        if self.bad:
            for a in args:
                if type(a) is BadTerm:
                    return Unsupported(a.construct, self.unsupported("", loc).text, a.loc)
        return Atom(name, args, loc)

    def _literal(self, term: Any, negated: bool, loc: Location) -> Literal | Unsupported:
        atom = self.to_atom(term, loc)
        if type(atom) is Unsupported:
            return atom
        return Literal(atom, negated, loc)

    def _comparison(self, left: Any, op: Token, right: Any, negated: bool, loc: Location
                    ) -> Literal | Unsupported:
        if self.bad:
            for side in (left, right):
                if type(side) is BadTerm:
                    return Unsupported(side.construct, self.unsupported("", loc).text, side.loc)
        cmp = Comparison(COMPARISON_SPELLINGS[op.value], left, right, self.span(left, right))
        return Literal(cmp, negated, loc)

    def lit_term(self, c: list[Any]) -> Literal | Unsupported:
        return self._literal(c[0], False, c[0].loc)

    def lit_numpred(self, c: list[Any]) -> Literal | Unsupported:
        if type(c[0]) is Unsupported:
            return c[0]
        return Literal(c[0], False, c[0].loc)

    def lit_not_term(self, c: list[Any]) -> Literal | Unsupported:
        return self._literal(c[1], True, self.span(c[0], c[1]))

    def lit_not_numpred(self, c: list[Any]) -> Literal | Unsupported:
        if type(c[1]) is Unsupported:
            return Unsupported(c[1].construct, "not " + c[1].text, c[1].loc)
        return Literal(c[1], True, self.span(c[0], c[1]))

    def lit_cmp(self, c: list[Any]) -> Literal | Unsupported:
        return self._comparison(c[0], c[1], c[2], False, self.span(c[0], c[2]))

    def lit_not_cmp(self, c: list[Any]) -> Literal | Unsupported:
        return self._comparison(c[1], c[2], c[3], True, self.span(c[0], c[3]))

    def lit_not_cmp_paren(self, c: list[Any]) -> Literal | Unsupported:
        return self._comparison(c[2], c[3], c[4], True, self.span(c[0], c[5]))

    def lit_double_not(self, c: list[Any]) -> Unsupported:
        return self.unsupported("double negation 'not not'", self.span(c[0], c[-1]))

    def lit_bool(self, c: list[Any]) -> Unsupported:
        return self.unsupported("#true/#false literal", self.tloc(c[0]))

    def aggregate(self, c: list[Any]) -> Unsupported:
        return self.unsupported("aggregate", self.span(c[0], c[-1]))

    def negated_aggregate(self, c: list[Any]) -> Unsupported:
        return self.unsupported("aggregate", self.span(c[0], c[-1]))

    def body(self, c: list[Any]) -> tuple[Any, ...]:
        return tuple(x for x in c if type(x) is not Token)

    # ---------------------------------------------------------------- heads

    def head_term(self, c: list[Any]) -> Atom | Unsupported:
        return self.to_atom(c[0])

    def disjunction(self, c: list[Any]) -> Unsupported:
        return self.unsupported("disjunction", self.span(c[0], c[-1]))

    def choice(self, c: list[Any]) -> Unsupported:
        return self.unsupported("choice rule", self.span(c[0], c[-1]))

    # ----------------------------------------------------------- statements

    def _rule(self, rule: Rule) -> Rule | None:
        if not self.heights.deep:
            return self._done(rule)
        terms: list[Any] = list(rule.head.arguments) if type(rule.head) is Atom else []
        for lit in rule.body:
            if type(lit) is Literal:
                atom = lit.atom
                terms.extend(atom.arguments if type(atom) is Atom else (atom.left, atom.right))
        return self._done(rule, terms)

    def fact(self, c: list[Any]) -> Rule | None:
        return self._rule(Rule(c[0], (), self.span(c[0], c[-1])))

    def rule(self, c: list[Any]) -> Rule | None:
        return self._rule(Rule(c[0], c[2], self.span(c[0], c[-1])))

    def constraint(self, c: list[Any]) -> Rule | None:
        return self._rule(Rule(None, c[1], self.span(c[0], c[-1])))

    def show(self, c: list[Any]) -> Show | None:
        arity = int(c[3].value) if self._number(c[3]) else 0
        return self._done(Show(c[1].value, arity, self.span(c[0], c[-1])))

    def pred(self, c: list[Any]) -> Pred | None:
        atom = self.to_atom(c[1])
        if type(atom) is not Atom:
            self.fail(ParseError("#pred annotates a plain atom such as p(X,Y)", atom.loc, self.text))
            return self._done(None)
        tok = c[3]
        if tok.type == "STRING":
            text = unescape_string(tok.value[1:-1])
            if text is None:
                self.fail(ParseError("unknown escape sequence in string", self.tloc(tok), self.text))
                text = ""
        else:
            text = unescape_quoted(tok.value[1:-1])
        if c[-1].line != c[0].line:
            self.fail(ParseError("a #pred annotation must be on one line (nesyasp prints it as a '%#pred' comment, "
                                 "which clingo reads up to the end of the line)", self.span(c[0], c[-1]), self.text))
        return self._done(Pred(atom, text, self.span(c[0], c[-1])), atom.arguments)

    def include(self, c: list[Any]) -> Include | None:
        path = unescape_string(c[1].value[1:-1])
        if path is None:
            self.fail(ParseError("unknown escape sequence in string", self.tloc(c[1]), self.text))
            path = ""
        return self._done(Include(path, self.span(c[0], c[-1])))

    def _directive(self, construct: str, c: list[Any]) -> Rule | None:
        loc = self.span(c[0], c[-1])
        return self._done(Rule(self.unsupported(construct, loc, strip_dot=True), (), loc))

    def show_unsupported(self, c: list[Any]) -> Rule:
        return self._directive("#show without a plain name/arity", c)

    def include_system(self, c: list[Any]) -> Rule:
        return self._directive("#include <...> of a clingo library", c)

    def weak_constraint(self, c: list[Any]) -> Rule:
        return self._directive("weak constraint ':~'", c)

    def optimize(self, c: list[Any]) -> Rule:
        return self._directive(f"{c[0].value} statement", c)

    def const(self, c: list[Any]) -> Rule:
        return self._directive("#const definition", c)

    def external(self, c: list[Any]) -> Rule:
        return self._directive("#external directive", c)

    def program(self, c: list[Any]) -> Rule:
        return self._directive("#program directive", c)

    def defined(self, c: list[Any]) -> Rule:
        return self._directive("#defined directive", c)

    def script(self, c: list[Any]) -> Rule:
        return self._directive("#script block", c)

    def start(self, c: list[Any]) -> list[Any]:
        return [stmt for stmt in c if stmt is not None]

    def query(self, c: list[Any]) -> tuple[Any, ...]:
        terms = [t for lit in c[0] if type(lit) is Literal
                 for t in (lit.atom.arguments if type(lit.atom) is Atom else (lit.atom.left, lit.atom.right))]
        return self._done(c[0], terms)

    def single_atom(self, c: list[Any]) -> Atom | Unsupported:
        atom = self.to_atom(c[0])
        return self._done(atom, atom.arguments if type(atom) is Atom else ())
