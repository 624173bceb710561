"""The immutable abstract syntax tree of the rule language.

Every node is a frozen, slotted dataclass whose fields are tuples or other
nodes. ``str(node)`` prints canonical clingo syntax. Every node carries a
``loc`` (:class:`~nesyasp.errors.Location`) that takes no part in
equality or hashing, so a parsed program equals the program parsed from its
printed text. Change nodes with :func:`dataclasses.replace`. The term nodes
(``Variable``, ``Function``, ...) are defined in :mod:`nesyasp.lang.terms` and
re-exported here.

Examples
--------
>>> from nesyasp.lang.ast import Atom, Variable, Constant, Literal, Rule
>>> head = Atom("target", (Variable("X"), Constant("bedroom")))
>>> body = (Literal(Atom("bed1", (Variable("X"),))), Literal(Atom("ab1", (Variable("X"),)), negated=True))
>>> print(Rule(head, body))
target(X,bedroom) :- bed1(X), not ab1(X).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Union

from nesyasp.errors import NO_LOCATION, Location
from nesyasp.lang import terms
from nesyasp.lang.terms import (BinaryOperation, Constant, Function, Integer, Real, String, UnaryOperation, Variable,
                                is_identifier, term_variables)

__all__ = [
    "Variable",
    "Constant",
    "Integer",
    "Real",
    "String",
    "Function",
    "BinaryOperation",
    "UnaryOperation",
    "Term",
    "Atom",
    "Comparison",
    "Literal",
    "Unsupported",
    "Rule",
    "Show",
    "Pred",
    "Include",
    "Comment",
    "Statement",
    "Program",
    "COMPARISON_OPERATORS",
    "NEGATED_COMPARISON",
    "term_variables",
    "is_identifier",
]

_LOC = field(default=NO_LOCATION, compare=False, repr=False)

#: Any term: variable, constant, number, string, function or arithmetic operation
#: (the term nodes live in :mod:`nesyasp.lang.terms`).
Term = terms.Term

# ------------------------------------------------------------- atoms, literals

COMPARISON_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
NEGATED_COMPARISON = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True, slots=True)
class Atom:
    """A predicate applied to terms: ``target(X,bedroom)``; ``p`` has no arguments."""

    predicate: str
    arguments: tuple[Term, ...] = ()
    loc: Location = _LOC

    @property
    def signature(self) -> tuple[str, int]:
        """``(name, arity)``."""
        return (self.predicate, len(self.arguments))

    def variables(self) -> Iterator[str]:
        """Yield the variable names of the atom's arguments."""
        for arg in self.arguments:
            yield from term_variables(arg)

    def __str__(self) -> str:
        if not self.arguments:
            return self.predicate
        return f"{self.predicate}({','.join(map(str, self.arguments))})"


@dataclass(frozen=True, slots=True)
class Comparison:
    """A built-in comparison ``left op right``, ``op`` one of ``= != < <= > >=``."""

    operator: str
    left: Term
    right: Term
    loc: Location = _LOC

    def variables(self) -> Iterator[str]:
        """Yield the variable names on both sides."""
        yield from term_variables(self.left)
        yield from term_variables(self.right)

    def __str__(self) -> str:
        return f"{self.left}{self.operator}{self.right}"


@dataclass(frozen=True, slots=True)
class Literal:
    """A body literal: an atom or a comparison, possibly under default negation.

    A negated comparison (FOLD-SE's ``not(N=<0.6)``) is kept as it is: on a
    mixed column it is not the same as the opposite comparison, because a
    string value satisfies neither ``N=<0.6`` nor ``N>0.6``.
    """

    atom: Atom | Comparison
    negated: bool = False
    loc: Location = _LOC

    @property
    def is_comparison(self) -> bool:
        """True for a comparison literal."""
        return isinstance(self.atom, Comparison)

    def variables(self) -> Iterator[str]:
        """Yield the variable names of the literal."""
        return self.atom.variables()

    def __str__(self) -> str:
        return f"not {self.atom}" if self.negated else str(self.atom)


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A construct that parses but lies outside the language (choice rule, aggregate, ...).

    It may stand as a rule head or a body element; ``lang.checks`` rejects it
    with an :class:`~nesyasp.errors.UnsupportedConstructError` naming
    ``construct``. ``text`` is the source text, printed as is.
    """

    construct: str
    text: str
    loc: Location = _LOC

    def __str__(self) -> str:
        return self.text


# ------------------------------------------------------------------ statements


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule ``head :- body.``; a fact has an empty body, a constraint no head."""

    head: Atom | Unsupported | None
    body: tuple[Literal | Unsupported, ...] = ()
    loc: Location = _LOC

    @property
    def is_fact(self) -> bool:
        """True for a rule with a head and no body."""
        return self.head is not None and not self.body

    @property
    def is_constraint(self) -> bool:
        """True for an integrity constraint ``:- body.``."""
        return self.head is None

    def __str__(self) -> str:
        body = ", ".join(map(str, self.body))
        if self.head is None:
            return f":- {body}."
        if not self.body:
            if type(self.head) is Unsupported and self.head.text.endswith("]"):
                return self.head.text  # a weak constraint ':~ body. [w@p]' ends without a dot
            return f"{self.head}."
        return f"{self.head} :- {body}."


@dataclass(frozen=True, slots=True)
class Show:
    """``#show name/arity.``"""

    predicate: str
    arity: int
    loc: Location = _LOC

    def __str__(self) -> str:
        return f"#show {self.predicate}/{self.arity}."


#: ``@(X)`` or ``@(X:kind)`` in a ``#pred`` text.
_PLACEHOLDER = re.compile(r"@\((\w+)(?::(\w+))?\)")


@dataclass(frozen=True, slots=True)
class Pred:
    """An s(CASP)-style annotation ``#pred p(X,Y) :: 'text with @(X)'.``

    Kept for explanations; it does not change the model. Both spellings are
    read: ``#pred ...`` (s(CASP)) and ``%#pred ...``, the same annotation
    inside a line comment. It prints as ``%#pred ...``, so that every printed
    program is a valid clingo program (clingo has no ``#pred``).
    """

    atom: Atom
    text: str
    loc: Location = _LOC

    def unknown_placeholders(self) -> list[str]:
        """The names of ``@(Name)`` placeholders in the text that are no variable of the atom, in order."""
        names = {a.name for a in self.atom.arguments if isinstance(a, Variable)}
        return [m.group(1) for m in _PLACEHOLDER.finditer(self.text) if m.group(1) not in names]

    def __str__(self) -> str:
        if "\n" in self.text:  # one line (clingo reads the comment to its end): a string with \n
            escaped = self.text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            return f'%#pred {self.atom} :: "{escaped}".'
        escaped = self.text.replace("\\", "\\\\").replace("'", "\\'")
        return f"%#pred {self.atom} :: '{escaped}'."


@dataclass(frozen=True, slots=True)
class Include:
    """``#include "file.lp".``, resolved relative to the including file."""

    path: str
    loc: Location = _LOC

    def __str__(self) -> str:
        return f"#include {String(self.path)}."


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment, kept so that formatting a file loses nothing.

    ``text`` excludes the ``%`` or ``%* *%`` delimiters; ``block`` tells which.
    """

    text: str
    block: bool = False
    loc: Location = _LOC

    def __str__(self) -> str:
        return f"%*{self.text}*%" if self.block else f"%{self.text}"


#: Any top-level statement of a program: rule, ``#show``, ``#pred``, ``#include`` or comment.
Statement = Union[Rule, Show, Pred, Include, Comment]


@dataclass(frozen=True, slots=True)
class Program:
    """A sequence of statements, in source order."""

    statements: tuple[Statement, ...] = ()
    source: str = field(default="<string>", compare=False)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, facts and constraints."""
        return tuple(s for s in self.statements if isinstance(s, Rule))

    @property
    def shows(self) -> tuple[Show, ...]:
        """The ``#show`` directives."""
        return tuple(s for s in self.statements if isinstance(s, Show))

    @property
    def preds(self) -> tuple[Pred, ...]:
        """The ``#pred`` annotations."""
        return tuple(s for s in self.statements if isinstance(s, Pred))

    def __add__(self, other: Program) -> Program:
        return Program(self.statements + other.statements, self.source)

    def __str__(self) -> str:
        return "".join(f"{s}\n" for s in self.statements)
