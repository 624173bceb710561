"""Query answers as a table: one row per answer, one column per query variable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterator

import numpy as np

from nesyasp.errors import ReasoningError
from nesyasp.lang.ast import (Atom, BinaryOperation, Constant, Function, Integer, Literal, Rule, UnaryOperation,
                              Variable)
from nesyasp.lang.checks import unsafe_variables

__all__ = ["Answers", "query_variables", "check_query_safe", "sorted_table"]


def query_variables(literals: tuple[Literal, ...]) -> tuple[str, ...]:
    """The named variables of a query, in first-seen order (``_`` excluded)."""
    seen: dict[str, None] = {}
    for lit in literals:
        for name in lit.variables():
            if name != "_":
                seen[name] = None
    return tuple(seen)


def check_query_safe(query: str, literals: tuple[Literal, ...]) -> None:
    """Raise :class:`ReasoningError` when a variable of ``query`` occurs only under ``not`` or in comparisons."""
    unsafe = unsafe_variables(Rule(None, literals))
    if unsafe:
        names = ", ".join(unsafe)
        raise ReasoningError(f"query {query!r}: {names} occur{'s' if len(unsafe) == 1 else ''} only under "
                             "'not' or in comparisons, so the answers would be every value there is; "
                             "bind it with a positive literal first (class(X), not target(img,X)), "
                             "or use '_' to ask whether no value exists (not target(img,_))")


@dataclass(frozen=True)
class Answers:
    """The answers of a query.

    Attributes
    ----------
    query:
        The query as text.
    variables:
        The query's variables, the table's columns.
    table:
        A ``(n_answers, n_variables)`` array of ``str`` (clingo syntax: ``bathroom``,
        ``"Living room"``, ``42``), rows sorted. A ground query has 0 columns and
        one row when it holds, none when it does not.

    Examples
    --------
    >>> from nesyasp.lang import parse_atom
    >>> a = Answers("target(img,X)", ("X",), np.array([["bathroom"]], dtype=object), parse_atom("target(img,X)"))
    >>> len(a), a.bindings(0), a.atoms()
    (1, {'X': 'bathroom'}, ['target(img,bathroom)'])
    """

    query: str
    variables: tuple[str, ...]
    table: np.ndarray
    pattern: Atom | None = None
    literals: tuple[Literal, ...] = ()

    def __len__(self) -> int:
        return int(self.table.shape[0])

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[dict[str, str]]:
        for i in range(len(self)):
            yield self.bindings(i)

    def bindings(self, i: int) -> dict[str, str]:
        """The variable bindings of answer ``i``."""
        return {v: str(x) for v, x in zip(self.variables, self.table[i])}

    @cached_property
    def _template(self) -> str | None:
        """``target({0},{1})`` for a pattern of plain variables and constants (fast answers), else None."""
        if self.pattern is None or not self.pattern.arguments:
            return None
        parts = []
        for arg in self.pattern.arguments:
            if isinstance(arg, Variable) and arg.name in self.variables:
                parts.append("{%d}" % self.variables.index(arg.name))
            elif isinstance(arg, (Constant, Integer)):
                parts.append(str(arg).replace("{", "{{").replace("}", "}}"))
            else:
                return None
        return f"{self.pattern.predicate}({','.join(parts)})"

    def atom(self, i: int) -> str:
        """Answer ``i`` as a ground atom (single-atom queries) or the query with its bindings."""
        if self._template is not None:
            return self._template.format(*self.table[i])
        binding = self.bindings(i)
        if self.pattern is not None:
            return _instance(self.pattern, binding)
        if self.literals:
            return ", ".join(_literal_instance(lit, binding) for lit in self.literals)
        return ", ".join(f"{v}={x}" for v, x in binding.items()) or self.query

    def atoms(self) -> list[str]:
        """Every answer as text (see :meth:`atom`)."""
        return [self.atom(i) for i in range(len(self))]

    def column(self, variable: str) -> np.ndarray:
        """The values of one variable, one per answer."""
        return self.table[:, self.variables.index(variable)]


def _instance(atom: Atom, binding: dict[str, str]) -> str:
    args = [_substitute(a, binding) for a in atom.arguments]
    return f"{atom.predicate}({','.join(args)})" if args else atom.predicate


def _literal_instance(lit: Literal, binding: dict[str, str]) -> str:
    """A query literal with its variables replaced (comparisons as ``left op right``)."""
    if isinstance(lit.atom, Atom):
        text = _instance(lit.atom, binding)
    else:
        cmp = lit.atom
        text = f"{_substitute(cmp.left, binding)}{cmp.operator}{_substitute(cmp.right, binding)}"
    return f"not {text}" if lit.negated else text


@dataclass(frozen=True)
class _Value:
    """A bound variable's value inside a term being printed."""

    text: str

    def __str__(self) -> str:
        return self.text


def _replaced(term: object, binding: dict[str, str], arithmetic: bool = False) -> object:
    if isinstance(term, Variable):
        if term.name not in binding:
            return term
        text = binding[term.name]
        return _Value(f"({text})" if arithmetic and text.startswith("-") else text)
    if isinstance(term, Function):
        return replace(term, arguments=tuple(_replaced(a, binding) for a in term.arguments))
    if isinstance(term, BinaryOperation):
        return replace(term, left=_replaced(term.left, binding, True), right=_replaced(term.right, binding, True))
    if isinstance(term, UnaryOperation):
        return replace(term, argument=_replaced(term.argument, binding, True))
    return term


def _substitute(term: object, binding: dict[str, str]) -> str:
    """``term`` printed with its bound variables replaced, term by term (``X`` never matches inside ``XX``)."""
    return str(_replaced(term, binding))


def sorted_table(rows: list[tuple[str, ...]], width: int) -> np.ndarray:
    """Rows as a sorted object array of shape (n, width)."""
    unique = sorted(set(rows))
    table = np.empty((len(unique), width), dtype=object)
    if width and unique:
        table[:] = unique
    return table
