"""Answer rows: the bindings of a query pattern in a model's atoms or a compiled model's arrays."""

from __future__ import annotations

from typing import Any, Iterable

import clingo
import numpy as np

from nesyasp.lang.ast import Atom, Constant, Integer, Variable
from nesyasp.reason.model import TableModel
from nesyasp.reason.terms import ground_atom, ground_term, match_atom

__all__ = ["pattern_rows", "table_rows"]


def pattern_rows(pattern: Atom, variables: tuple[str, ...], atoms: Iterable[clingo.Symbol]) -> list[tuple[str, ...]]:
    """The bindings of ``pattern`` in ``atoms`` as text rows.

    A ground pattern is looked up. Flat patterns over flat atoms (the common ``target(X,C)``,
    also ``reach(0,X)``) are matched on the atoms' text, one conversion per atom; anything else
    goes through :func:`match_atom`.
    """
    args = pattern.arguments
    ground = ground_atom(pattern, {})
    if ground is not None:  # reach(0,300): one comparison of symbols per atom, no text
        return [()] if ground in atoms else []
    flat = all(isinstance(a, (Variable, Constant, Integer)) for a in args) and len(args) > 0
    names = [a.name if isinstance(a, Variable) else None for a in args]
    wanted = [names.index(v) for v in variables] if flat and len(set(n for n in names if n)) == \
        sum(1 for n in names if n and n != "_") else None
    constants = [(k, str(a)) for k, a in enumerate(args) if isinstance(a, (Constant, Integer))]
    prefix, rows = pattern.predicate + "(", []
    for atom in atoms:
        text = str(atom) if wanted is not None else ""
        if wanted is not None and text.startswith(prefix) and text.count("(") == 1 and '"' not in text:
            parts = text[len(prefix):-1].split(",")
            if len(parts) == len(args):
                if all(parts[k] == c for k, c in constants):
                    rows.append(tuple(parts[k] for k in wanted))
                continue
        binding: dict[str, clingo.Symbol] = {}
        if match_atom(pattern, atom, binding):
            rows.append(tuple(str(binding[v]) for v in variables))
    return rows


def table_rows(model: TableModel, pattern: Atom, variables: tuple[str, ...]) -> np.ndarray | None:
    """Answers straight from the arrays when the pattern's arguments are variables or constants."""
    args = pattern.arguments
    if not args or any(not isinstance(a, (Variable, Constant)) and ground_term(a, {}) is None for a in args):
        return None
    if len({a.name for a in args if isinstance(a, Variable) and a.name != "_"}) != \
            sum(1 for a in args if isinstance(a, Variable) and a.name != "_"):
        return None
    ids = np.array(model.ids, dtype=object)
    blocks = []
    for key, array in model.arrays.items():
        if key[0] != pattern.predicate or len(key[1]) + 1 != len(args):
            continue
        binding: dict[str, clingo.Symbol] = {}
        if not all(_bind(a, v, binding) for a, v in zip(args[1:], key[1])):
            continue
        rows = np.flatnonzero(array)
        first = args[0]
        if isinstance(first, Variable):
            columns = {first.name: ids[rows]}
        else:
            symbol = ground_term(first, {})
            row = model.index.get(str(symbol))
            if row is None or not array[row]:
                continue
            columns = {}
            rows = np.array([row])
        block = np.empty((len(rows), len(variables)), dtype=object)
        for k, v in enumerate(variables):
            block[:, k] = columns[v] if v in columns else str(binding[v])
        blocks.append(block)
    if not blocks:
        return np.empty((0, len(variables)), dtype=object)
    table = np.concatenate(blocks)
    if len(variables) == 0:
        return table[:1]
    if any(isinstance(a, Variable) and a.name == "_" for a in args):  # target(X,_): one row per X
        table = np.array(sorted(set(map(tuple, table))), dtype=object).reshape(-1, len(variables))
    order = np.lexsort(tuple(table[:, k].astype(str) for k in reversed(range(len(variables)))))
    return table[order]


def _bind(term: Any, value: clingo.Symbol, binding: dict[str, clingo.Symbol]) -> bool:
    if isinstance(term, Variable):
        if term.name == "_":
            return True
        if term.name in binding:
            return binding[term.name] == value
        binding[term.name] = value
        return True
    return ground_term(term, {}) == value
