"""Running a learned program in clingo, exactly: numbers as order codes.

clingo has 32-bit integers only, and a table's numbers can be anything a
double holds (``1e-6`` next to ``1e12``, epoch milliseconds, 64-bit ids,
``inf``). The clingo form of a program therefore writes every number of a
numeric column as its **order code** among that column's *cut points*, the
numbers the program compares the column with (learned thresholds and the
constants of background rules), sorted ``c_0 < c_1 < ... < c_{m-1}``:

* the cut point ``c_i`` is the code ``2i+1``;
* a cell value ``v`` is ``2·|{c : c < v}|``, plus 1 when ``v`` is a cut point.

Codes are strictly increasing in ``v`` relative to the cut points, so every
comparison of a value with a cut point (``< <= = != >= >``) has the same
truth value on the codes; codes are at most ``2m``, far inside clingo's
integers. Nothing is rounded or clamped. A comparison between two column
values, one inside arithmetic, or a value shared by two atoms (an equality) is
not kept by the codes: such a rule is a :class:`~nesyasp.errors.DataError`.

The string cells of numeric columns (``"?"``, missing cells) are clingo
strings, which clingo orders after every integer. The learner's reading of a
string is that it satisfies no comparison, and ``not`` of a comparison holds
for it; ``N<=T``, ``N<T``, ``N=T`` and their negations already behave so in
clingo; ``N>T``, ``N>=T``, ``N!=T`` get the guard ``N<""`` (the cell is a
number) and their negations become two rules, one with the complementary
comparison and one with ``N>=""`` (the cell is a string).

Every example is a constant with a fact ``_example(e)``; the domain atom
``_example(X)`` starts the body of every rule that needs it
(:func:`nesyasp.lang.add_domain_guard`), which makes rules such as
``ab1(X) :- not f12(X).`` safe in plain clingo.

:func:`clingo_predict` and :func:`example_reasoner` run the clingo form
through :class:`nesyasp.reason.Reasoner` (one engine); the readable
numbers are put back for people by :mod:`nesyasp.learn.readable`.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import clingo
import numpy as np

from nesyasp.errors import DataError, expect_type
from nesyasp.lang.ast import (Atom, Comparison, Integer, Literal, Program, Real, Rule, String, UnaryOperation,
                              Variable)
from nesyasp.lang.checks import DOMAIN_PREDICATE
from nesyasp.lang.domain import add_domain_guard
from nesyasp.learn.emit import value_term
from nesyasp.learn.encode import BACKGROUND, BINARY, NUMERIC, Feature, as_columns, feature_column

__all__ = ["cut_points", "code_values", "coded_rules", "clingo_program", "clingo_rules", "example_symbols", "example_facts",
           "as_columns", "DOMAIN"]

DOMAIN = DOMAIN_PREDICATE
_EMPTY = String("")
_COMPLEMENT = {"<=": ">", ">": "<=", "<": ">=", ">=": "<", "=": "!=", "!=": "="}
_GUARDED = (">", ">=", "!=")  # true on strings in clingo's order: need N<"" positive, a split under not
_FLIP = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "=": "=", "!=": "!="}


def _number(term: object) -> float | None:
    """The value of a numeric constant term, else None."""
    if type(term) is Integer:
        return float(term.value)
    if type(term) is Real:
        return float(term.text)
    if type(term) is UnaryOperation and term.operator == "-":
        inner = _number(term.argument)
        return None if inner is None else -inner
    return None


def _bindings(rule: Rule) -> dict[str, str]:
    """Variables bound by a positive ``pred(X,V)`` body atom: ``V -> pred``."""
    return {str(l.atom.arguments[1]): l.atom.predicate for l in rule.body
            if isinstance(l, Literal) and isinstance(l.atom, Atom) and not l.negated
            and len(l.atom.arguments) == 2 and isinstance(l.atom.arguments[1], Variable)}


def _oriented(cmp: Comparison) -> tuple[str, str, float] | None:
    """``(variable, operator, number)`` for ``V op n`` or ``n op V``, else None."""
    if isinstance(cmp.left, Variable) and _number(cmp.right) is not None:
        return cmp.left.name, cmp.operator, _number(cmp.right)  # type: ignore[return-value]
    if isinstance(cmp.right, Variable) and _number(cmp.left) is not None:
        return cmp.right.name, _FLIP[cmp.operator], _number(cmp.left)  # type: ignore[return-value]
    return None


def cut_points(program: Program, numeric: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Per predicate, the sorted distinct numbers its bound values are compared with.

    ``numeric`` names predicates that are numeric columns even when the
    program compares them with nothing (their cut points are empty).

    Parameters
    ----------
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).
    numeric:
        Predicates of numeric columns.

    Returns
    -------
    dict of str to numpy.ndarray
        Per predicate, its cut points (sorted floats).

    Raises
    ------
    DataError
        A comparison on a numeric column's value that is not ``value op number``.
    """
    expect_type(program, Program, "a Program (a fitted FoldSEM's rules_, or parse_file's)")
    found: dict[str, set[float]] = {p: set() for p in numeric}
    for rule in program.rules:
        bound = _bindings(rule)
        for lit in rule.body:
            if not (isinstance(lit, Literal) and isinstance(lit.atom, Comparison)):
                continue
            oriented = _oriented(lit.atom)
            if oriented is not None and oriented[0] in bound:
                found.setdefault(bound[oriented[0]], set()).add(oriented[2])
    out = {p: np.asarray(sorted(v), dtype=np.float64) for p, v in found.items()}
    for rule in program.rules:  # every other comparison on a numeric column cannot be coded
        bound = _bindings(rule)
        _check_joins(rule, out)
        for lit in rule.body:
            if isinstance(lit, Literal) and isinstance(lit.atom, Comparison) and _oriented(lit.atom) is None:
                names = [v for v in lit.atom.variables() if v in bound and bound[v] in out]
                if names and not _string_comparison(lit.atom):
                    raise DataError(f"{rule}: the comparison {lit.atom} uses the value of the numeric column "
                                    f"{bound[names[0]]!r} other than as 'value op number'; the learner codes "
                                    "numbers by their order, which keeps only such comparisons", rule.loc)
    return out


def _check_joins(rule: Rule, numeric: dict[str, np.ndarray]) -> None:
    """Refuse a numeric column's value shared with another body atom (``a(X,V), b(X,V)``).

    Such a join compares two values by equality, which order codes (per
    column, against its own cut points) do not keep: it would hold or fail on
    the codes, not on the numbers.
    """
    atoms = [l.atom for l in rule.body if isinstance(l, Literal) and isinstance(l.atom, Atom)]
    for atom in atoms:
        if atom.predicate not in numeric or len(atom.arguments) != 2 or not isinstance(atom.arguments[1], Variable):
            continue
        name = str(atom.arguments[1])
        others = [a for a in atoms if a is not atom and name in a.variables()]
        if others:
            raise DataError(f"{rule}: the value {name} of the numeric column {atom.predicate!r} also occurs in "
                            f"{others[0]}; the learner codes numbers by their order within each column, which "
                            f"cannot tell whether two values are equal: compare {name} with numbers instead",
                            rule.loc)


def _string_comparison(cmp: Comparison) -> bool:
    return isinstance(cmp.left, String) or isinstance(cmp.right, String)


def code_values(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Order codes of numbers against sorted cut points (see the module docstring).

    Parameters
    ----------
    values:
        Numbers (float array).
    cuts:
        Sorted cut points.

    Returns
    -------
    numpy.ndarray
        Per value, the number of cut points below it, doubled, plus one when it equals one (an integer array).

    >>> code_values(np.array([-np.inf, 0.5, 1.0, 2.0, 1e12]), np.array([1.0, 1e12])).tolist()
    [0, 0, 1, 2, 3]
    """
    values = np.asarray(values, dtype=np.float64)
    i = np.searchsorted(cuts, values, side="left")
    exact = np.zeros(values.shape, dtype=bool)
    inside = i < len(cuts)
    exact[inside] = cuts[i[inside]] == values[inside]
    return 2 * i.astype(np.int64) + exact


def _cut_code(cuts: np.ndarray, value: float) -> Integer:
    i = int(np.searchsorted(cuts, value))
    assert i < len(cuts) and cuts[i] == value
    return Integer(2 * i + 1)


def _alternatives(lit: Literal | object, bound: dict[str, str], cuts: dict[str, np.ndarray]) -> list[list]:
    if not (isinstance(lit, Literal) and isinstance(lit.atom, Comparison)):
        return [[lit]]
    oriented = _oriented(lit.atom)
    if oriented is None or oriented[0] not in bound or bound[oriented[0]] not in cuts:
        return [[lit]]
    name, op, value = oriented
    var, code = Variable(name), _cut_code(cuts[bound[name]], value)
    if not lit.negated:
        guard = [Literal(Comparison("<", var, _EMPTY))] if op in _GUARDED else []
        return [[Literal(Comparison(op, var, code))] + guard]
    if op not in _GUARDED:
        return [[Literal(Comparison(op, var, code), negated=True)]]
    return [[Literal(Comparison(_COMPLEMENT[op], var, code))], [Literal(Comparison(">=", var, _EMPTY))]]


def coded_rules(rule: Rule, cuts: dict[str, np.ndarray]) -> list[Rule]:
    """The clingo form of one rule, given the program's cut points (one rule, or two for a negated ``>``)."""
    if rule.head is None or not rule.body:
        return [add_domain_guard(rule)]
    bound = _bindings(rule)
    options = [_alternatives(lit, bound, cuts) for lit in rule.body]
    return [add_domain_guard(Rule(rule.head, tuple(x for part in combo for x in part), rule.loc))
            for combo in itertools.product(*options)]


def clingo_program(program: Program, numeric: Sequence[str] = ()) -> Program:
    """The clingo form of ``program``: rules only, numbers as order codes, the domain atom where needed.

    A rule with a negated ``>``, ``>=`` or ``!=`` on a numeric value becomes
    two rules (module docstring). ``numeric`` as in :func:`cut_points`.

    Parameters
    ----------
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).
    numeric:
        Predicates of numeric columns, as in :func:`cut_points`.

    Returns
    -------
    Program
        Rules only, numbers compared as order codes.
    """
    cuts = cut_points(program, numeric)
    return Program(tuple(r for rule in program.rules for r in coded_rules(rule, cuts)), "<learned, clingo form>")


def clingo_rules(program: Program) -> str:
    """:func:`clingo_program` as clingo text.

    Parameters
    ----------
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).

    Returns
    -------
    str
        The rules of :func:`clingo_program`, one statement a line.
    """
    return "\n".join(str(r) for r in clingo_program(program).rules) + "\n"


def _term_symbol(term: object) -> clingo.Symbol:
    if isinstance(term, String):
        return clingo.String(term.value)
    if isinstance(term, Integer):
        return clingo.Number(term.value)
    return clingo.Function(str(term))


def _id_symbol(name: str) -> clingo.Symbol:
    return clingo.Function(name)


def example_symbols(X, features: Sequence[Feature], cuts: dict[str, np.ndarray],
                    ids: Sequence[str | clingo.Symbol] | None = None) -> list[clingo.Symbol]:
    """The facts of the rows of ``X`` as clingo symbols: ``_example(e)`` and one value per feature and row.

    Binary features give ``f12(e3)`` where the cell is 1; background features
    give nothing (their rules derive them); other features give
    ``attr(e3,value)``, numbers as order codes against ``cuts``
    (:func:`cut_points`; module docstring). ``ids`` name the rows
    (constants, or symbols), ``e0, e1, ...`` by default.
    """
    columns = as_columns(X)
    n = columns.n_rows
    ids = list(ids) if ids is not None else [f"e{i}" for i in range(n)]
    names = [e if isinstance(e, clingo.Symbol) else _id_symbol(e) for e in ids]
    out = [clingo.Function(DOMAIN, [e]) for e in names]
    for j, f in enumerate(features):
        if f.kind == BACKGROUND:
            continue
        parsed = feature_column(columns, j, f)
        if f.kind == BINARY:
            out.extend(clingo.Function(f.pred, [names[i]]) for i in np.flatnonzero(parsed.num == 1.0).tolist())
            continue
        vocab = [_term_symbol(value_term(f, text)) for text in parsed.vocab]
        is_num = ~np.isnan(parsed.num)
        codes = code_values(np.where(is_num, parsed.num, 0.0), cuts.get(f.pred, np.zeros(0)))
        for i in range(n):
            value = clingo.Number(int(codes[i])) if is_num[i] else vocab[parsed.code[i]]
            out.append(clingo.Function(f.pred, [names[i], value]))
    return out


def example_facts(X, features: Sequence[Feature], program: Program, ids: Sequence[str] | None = None) -> list[str]:
    """The facts of the rows of ``X`` for ``program``'s clingo form, as lines (``age(e3,5).``).

    Parameters
    ----------
    X:
        The rows (array or table of the fitted columns).
    features:
        The fitted features (``FoldSEM.features_``).
    program:
        A learned program (``FoldSEM.rules_``, or a rules file parsed).
    ids:
        The rows' ASP constants (default ``e0, e1, ...``).

    Returns
    -------
    list of str
        One fact a line.
    """
    expect_type(program, Program, "a Program (a fitted FoldSEM's rules_, or parse_file's)")
    cuts = cut_points(program, [f.pred for f in features if f.kind == NUMERIC])
    return [f"{s}." for s in example_symbols(X, features, cuts, ids)]
