"""Turn Lark parse events into AST nodes (the one Transformer of the parser).

The transformer runs inside Lark's LALR parser (no parse tree is built), and
computes every node's :class:`~nesyasp.errors.Location` from its first and
last token or child. Dialect normalization happens here: quoted constants,
numeric predicate names, ``=<``/``\\=``/``==``/``<>`` and negated comparisons.
Terms, locations and the per-parse state are :class:`~nesyasp.lang._build_terms.TermBuilder`'s;
this module adds atoms, literals, heads and statements.
"""

from __future__ import annotations

from typing import Any

from lark import Token

from nesyasp.lang._build_terms import BadTerm, TermBuilder, term_kind
from nesyasp.lang._spelling import COMPARISON_SPELLINGS, unescape_quoted, unescape_string
from nesyasp.lang.ast import (Atom, Comparison, Constant, Function, Include, Literal, Pred, Rule, Show,
                              UnaryOperation, Unsupported)
from nesyasp.errors import Location, ParseError

__all__ = ["Builder"]


class Builder(TermBuilder):
    """Callbacks for Lark's embedded transformer: :class:`TermBuilder`'s terms, and atoms up to statements."""

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
        self.fail(ParseError(f"expected an atom, found {term_kind(term)} '{shown}'", term.loc, self.text))
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
