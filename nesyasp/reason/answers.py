"""Query answers as a table: one row per answer, one column per query variable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from nesyasp.lang.ast import Atom, Literal, Variable, term_variables

__all__ = ["Answers", "query_variables", "sorted_table"]


def query_variables(literals: tuple[Literal, ...]) -> tuple[str, ...]:
    """The named variables of a query, in first-seen order (``_`` excluded)."""
    seen: dict[str, None] = {}
    for lit in literals:
        for name in lit.variables():
            if name != "_":
                seen[name] = None
    return tuple(seen)


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

    def atom(self, i: int) -> str:
        """Answer ``i`` as a ground atom (single-atom queries) or the query with its bindings."""
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
    args = [_substitute(str(a), a, binding) for a in atom.arguments]
    return f"{atom.predicate}({','.join(args)})" if args else atom.predicate


def _literal_instance(lit: Literal, binding: dict[str, str]) -> str:
    """A query literal with its variables replaced (comparisons as ``left op right``)."""
    if isinstance(lit.atom, Atom):
        text = _instance(lit.atom, binding)
    else:
        cmp = lit.atom
        text = f"{_substitute(str(cmp.left), cmp.left, binding)}{cmp.operator}" \
               f"{_substitute(str(cmp.right), cmp.right, binding)}"
    return f"not {text}" if lit.negated else text


def _substitute(text: str, term: object, binding: dict[str, str]) -> str:
    if isinstance(term, Variable) and term.name in binding:
        return binding[term.name]
    names = [n for n in term_variables(term) if n in binding]  # type: ignore[arg-type]
    for name in names:
        text = text.replace(name, binding[name])
    return text


def sorted_table(rows: list[tuple[str, ...]], width: int) -> np.ndarray:
    """Rows as a sorted object array of shape (n, width)."""
    unique = sorted(set(rows))
    table = np.empty((len(unique), width), dtype=object)
    if width and unique:
        table[:] = unique
    return table
