"""Background knowledge: hand-written rules whose predicates the learner may use.

``FoldSEM(background=program)`` (``nesyasp learn --background rules.lp``)
takes a program over the table's column predicates (the sanitized column
names: ``age(X,A)`` for a numeric or categorical column ``age``, ``f12(X)``
for a 0/1 column), for example::

    adult(X) :- age(X,A), A >= 18.
    senior_smoker(X) :- age(X,A), A > 60, smoker(X,yes).

Every predicate ``p/1`` that a rule of it defines (head ``p(V)`` with a
variable ``V``) becomes a candidate literal ``p(X)`` / ``not p(X)``, scored
like a 0/1 column; other predicates may help define them. The learned
program carries the background rules after its own, so it stands alone, and
explanations justify ``adult(x)`` through them.

The background is evaluated by :class:`nesyasp.reason.Reasoner` on the
clingo form of :mod:`nesyasp.learn.asp`: facts for the columns it uses
(numbers as order codes against the constants the rules compare them with,
which keeps every comparison exact), then one query per candidate
predicate. As for learned rules, a cell that is not a number (``?``, a
missing cell) satisfies no comparison, and ``not`` of a comparison holds for
it. A comparison must compare a numeric column's value with a number
(``A >= 18``); arithmetic on it, or sharing it with another atom
(``a(X,V), b(X,V)``), is a :class:`~nesyasp.errors.DataError`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from nesyasp.errors import DataError
from nesyasp.lang.ast import Atom, Comparison, Integer, Literal, Program, Real, Rule, Variable
from nesyasp.lang.checks import INT_MAX, INT_MIN
from nesyasp.learn.encode import BACKGROUND, NUMERIC, Columns, Feature

__all__ = ["load_background", "background_predicates", "background_features", "evaluate_background"]


def load_background(background: Program | str | Path) -> Program:
    """A checked background program from a :class:`Program`, rule text or a path.

    A string of one line without a parenthesis (``"knowledge.lp"``) is a path: rule text that defines a
    predicate ``p(X)`` has one.
    """
    from nesyasp.lang import check_program, parse_file, parse_program

    if isinstance(background, str) and "(" not in background and "\n" not in background.strip():
        background = Path(background.strip())
    if isinstance(background, Program):
        program = background
    elif isinstance(background, Path):
        program = parse_file(background)
    else:
        program = parse_program(str(background), "<background>")
    program = _wide_constants(program)
    check_program(program, example_guard=True)
    return program


def _wide(term: object) -> Real | None:
    """An integer constant outside clingo's 32 bits as the decimal ``N.0``, else None."""
    if isinstance(term, Integer) and not INT_MIN <= term.value <= INT_MAX:
        return Real(f"{term.value}.0", term.loc)
    return None


def _wide_constants(program: Program) -> Program:
    """``program`` with every integer past 32 bits that a variable is compared with (``T > 1600500000000``, a
    timestamp) as a decimal (``1600500000000.0``), as learned thresholds are: the learner compares a column's
    values with it through order codes, so its size does not matter, and clingo never sees it."""
    statements, changed = [], False
    for stmt in program.statements:
        if isinstance(stmt, Rule):
            body = []
            for lit in stmt.body:
                cmp = lit.atom if isinstance(lit, Literal) else None
                if isinstance(cmp, Comparison) and (isinstance(cmp.left, Variable) or isinstance(cmp.right, Variable)):
                    left, right = _wide(cmp.left), _wide(cmp.right)
                    if left or right:
                        lit = replace(lit, atom=replace(cmp, left=left or cmp.left, right=right or cmp.right))
                        changed = True
                body.append(lit)
            stmt = replace(stmt, body=tuple(body))
        statements.append(stmt)
    return replace(program, statements=tuple(statements)) if changed else program


def background_predicates(program: Program) -> list[str]:
    """The candidate predicates: ``p`` of every rule head ``p(V)`` with a variable ``V``, in order."""
    out: dict[str, None] = {}
    for rule in program.rules:
        head = rule.head
        if isinstance(head, Atom) and len(head.arguments) == 1 and isinstance(head.arguments[0], Variable) \
                and rule.body:
            out[head.predicate] = None
    return list(out)


def background_features(program: Program, columns: Sequence[Feature], reserved: Sequence[str]) -> list[Feature]:
    """One ``background`` feature per candidate predicate; a clash with a column or reserved name is an error."""
    taken = {f.pred: f.name for f in columns}
    defined = {r.head.predicate for r in program.rules if isinstance(r.head, Atom)}
    out = []
    for pred in background_predicates(program):
        if pred in taken:
            raise DataError(f"background predicate {pred!r} is also the column {taken[pred]!r}; rename the rule")
        if pred in reserved or pred.startswith(("ab", "rule")) and pred[2 if pred.startswith("ab") else 4:].isdigit():
            raise DataError(f"background predicate {pred!r} is a name the learned program uses; rename it")
        out.append(Feature(pred, pred, BACKGROUND, (), ("1",)))
    for pred in defined & taken.keys():
        raise DataError(f"background rules define {pred!r}, which is the column {taken[pred]!r}")
    if not out:
        raise DataError("the background program defines no predicate p(X) the learner could use "
                        "(write rules such as adult(X) :- age(X,A), A >= 18.)")
    return out


def _used(program: Program) -> set[str]:
    return {lit.atom.predicate for rule in program.rules for lit in rule.body
            if isinstance(lit, Literal) and isinstance(lit.atom, Atom)}


def evaluate_background(program: Program, columns: Columns, features: Sequence[Feature]) -> np.ndarray:
    """Truth of every background feature on every row: a boolean ``(n_rows, n_background)`` array.

    ``features`` are the fitted features, table columns first (in ``columns``'
    order) and the background features after them.
    """
    from nesyasp.learn.asp import clingo_program, cut_points, example_symbols
    from nesyasp.reason import Reasoner

    table = [f for f in features if f.kind != BACKGROUND]
    derived = [f for f in features if f.kind == BACKGROUND]
    used = _used(program)
    view = _Subset(columns, [j for j, f in enumerate(table) if f.pred in used])
    chosen = [table[j] for j in view.keep]
    numeric = [f.pred for f in chosen if f.kind == NUMERIC]
    n = columns.n_rows
    ids = [f"e{i}" for i in range(n)]
    reasoner = Reasoner(clingo_program(program, numeric),
                        example_symbols(view, chosen, cut_points(program, numeric), ids), engine="clingo")
    row_of = {e: i for i, e in enumerate(ids)}
    out = np.zeros((n, len(derived)), dtype=bool)
    for k, f in enumerate(derived):
        for (example,) in reasoner.query(f"{f.pred}(X)").table.tolist():
            if example in row_of:
                out[row_of[example], k] = True
    return out


class _Subset:
    """Some columns of a :class:`~nesyasp.learn.encode.Columns`, renumbered from 0."""

    def __init__(self, columns: Columns, keep: list[int]):
        self.columns = columns
        self.keep = keep

    @property
    def n_rows(self) -> int:
        return self.columns.n_rows

    def parsed(self, j: int, numeric: bool, name: str):
        return self.columns.parsed(self.keep[j], numeric, name)
