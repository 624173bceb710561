"""Running a learned program in clingo, exactly: facts and an integer encoding.

clingo has integers only, so numbers are encoded per feature: with ``k`` the
largest number of decimals of the feature's thresholds in the program, a
threshold ``t`` becomes the integer ``t * 10**k`` and a cell value ``v``
becomes ``ceil(v * 10**k)`` (``v`` read as its shortest decimal, the text
that reads back as the same float). For an integer ``T``, ``v*10**k <= T``
holds exactly when ``ceil(v*10**k) <= T``, so every comparison is the
learner's own. Values are clamped to ``±(2**31-2)``; a threshold outside that
range raises :class:`~nesyasp.errors.ReasoningError`.

The string cells of numeric columns are clingo strings, which clingo orders
after every integer. ``N<=T`` and ``not N<=T`` are therefore already exact;
``N>T`` becomes ``N>T, N<""`` (false on strings) and ``not N>T`` (true on
strings) becomes two rules, one with ``N<=T`` and one with ``N>=""``.

Every example is a constant ``e<i>`` with a fact ``_example(e<i>)``; the
domain atom ``_example(X)`` starts the body of every translated rule, which
makes rules such as ``ab1(X) :- not f12(X).`` safe.

The same rules and facts, parsed back, are what :class:`nesyasp.reason.Reasoner`
grounds to justify one prediction (:func:`example_reasoner`,
``FoldSEM.explain``): the tree is about exactly the atoms clingo derives, so
numbers in it are the scaled integers; the ``#pred`` annotations of
:func:`reasoner_program` say so (``the age of x, times 10, is 305``).
"""

from __future__ import annotations

import itertools
from decimal import Decimal, ROUND_CEILING
from typing import Sequence

import numpy as np

from nesyasp.lang.ast import Atom, Comparison, Integer, Literal, Pred, Program, Real, Rule, String, Variable
from nesyasp.errors import ReasoningError
from nesyasp.learn.emit import value_term
from nesyasp.learn.encode import BINARY, NUMERIC, Feature, parse_column

__all__ = ["scales", "clingo_rules", "example_facts", "clingo_predict", "reasoner_program", "example_reasoner",
           "DOMAIN"]

DOMAIN = "_example"
_LIMIT = 2**31 - 2
_EMPTY = String("")


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def scales(program: Program) -> dict[str, int]:
    """Decimals per numeric predicate: the most of its thresholds in ``program``."""
    out: dict[str, int] = {}
    for rule in program.rules:
        bound = _bindings(rule)
        for lit in rule.body:
            if isinstance(lit, Literal) and isinstance(lit.atom, Comparison):
                pred = bound[str(lit.atom.left)]
                out[pred] = max(out.get(pred, 0), _decimals(str(lit.atom.right)))
    return out


def _bindings(rule: Rule) -> dict[str, str]:
    return {str(l.atom.arguments[1]): l.atom.predicate for l in rule.body
            if isinstance(l, Literal) and isinstance(l.atom, Atom) and not l.negated
            and len(l.atom.arguments) == 2 and isinstance(l.atom.arguments[1], Variable)}


def _scaled(term: Integer | Real, k: int) -> Integer:
    value = Decimal(str(term)) * (Decimal(10) ** k)
    if value != value.to_integral_value() or abs(value) > _LIMIT:
        raise ReasoningError(f"threshold {term} does not fit clingo's integers at scale 10^{k}")
    return Integer(int(value))


def _alternatives(lit: Literal, k: int) -> list[list[Literal]]:
    if not (isinstance(lit, Literal) and isinstance(lit.atom, Comparison)):
        return [[lit]]
    cmp = lit.atom
    t = _scaled(cmp.right, k)
    var = cmp.left
    if cmp.operator == "<=":
        return [[Literal(Comparison("<=", var, t), lit.negated)]]
    if not lit.negated:
        return [[Literal(Comparison(">", var, t)), Literal(Comparison("<", var, _EMPTY))]]
    return [[Literal(Comparison("<=", var, t))], [Literal(Comparison(">=", var, _EMPTY))]]


def clingo_rules(program: Program) -> str:
    """The program as plain clingo text (integers only, domain atoms, no ``#pred``)."""
    k_of = scales(program)
    lines = []
    domain = Literal(Atom(DOMAIN, (Variable("X"),)))
    for rule in program.rules:
        bound = _bindings(rule)
        options = [_alternatives(l, k_of.get(bound.get(str(getattr(l.atom, "left", "")), ""), 0))
                   for l in rule.body]
        for combo in itertools.product(*options):
            body = (domain,) + tuple(x for part in combo for x in part)
            lines.append(str(Rule(rule.head, body)))
    return "\n".join(lines) + "\n"


def _encode_number(value: float, k: int) -> int:
    text = np.format_float_positional(value, trim="-")
    scaled = (Decimal(text) * (Decimal(10) ** k)).to_integral_value(rounding=ROUND_CEILING)
    return int(max(-_LIMIT, min(_LIMIT, scaled)))


def example_facts(X: np.ndarray, features: Sequence[Feature], program: Program,
                  ids: Sequence[str] | None = None) -> list[str]:
    """clingo facts for the rows of ``X``, one value per feature and row.

    Binary features give ``f12(e3).`` where the cell is 1; other features give
    ``attr(e3,value)``, numbers encoded as described in the module docstring.
    """
    X = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
    ids = list(ids) if ids is not None else [f"e{i}" for i in range(X.shape[0])]
    k_of = scales(program)
    lines = [f"{DOMAIN}({e})." for e in ids]
    for j, f in enumerate(features):
        num, strings = parse_column(X[:, j], numeric=f.kind in (NUMERIC, BINARY))
        if f.kind == BINARY:
            lines.extend(f"{f.pred}({ids[i]})." for i in np.flatnonzero(num == 1.0))
            continue
        k = k_of.get(f.pred, 0)
        for i in range(X.shape[0]):
            if not np.isnan(num[i]):
                term: object = _encode_number(float(num[i]), k)
            else:
                term = value_term(f, str(strings[i]))
            lines.append(f"{f.pred}({ids[i]},{term}).")
    return lines


def clingo_predict(program: Program, X: np.ndarray, features: Sequence[Feature], classes: Sequence[object],
                   head: str = "target") -> list[list[object]]:
    """Classes that clingo derives for every row of ``X`` (a list per row)."""
    import clingo

    from nesyasp.learn.emit import class_term

    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], clingo_rules(program) + "\n".join(example_facts(X, features, program)))
    ctl.ground([("base", [])])
    by_text = {str(class_term(c)): c for c in classes}
    out: list[list[object]] = [[] for _ in range(np.asarray(X).shape[0])]
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            for sym in model.symbols(atoms=True):
                if sym.name == head and len(sym.arguments) == 2:
                    out[int(sym.arguments[0].name[1:])].append(by_text[str(sym.arguments[1])])
            break
    return out


def reasoner_program(program: Program, features: Sequence[Feature], X: np.ndarray | None = None) -> Program:
    """The clingo form of a learned program (:func:`clingo_rules`) as a :class:`Program`, annotated.

    The ``#pred`` annotations are the learned program's, except for numeric
    features whose thresholds are scaled (``the age of @(X), times 10, is
    @(N)``) or, with ``X`` given, where a cell of ``X`` is not a whole number
    at its scale and is rounded up (``..., rounded up, is @(N)``).
    """
    from nesyasp.lang.parser import parse_program

    k_of = scales(program)
    inexact = set()
    if X is not None:
        X = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
        for j, f in enumerate(features):
            if f.kind == NUMERIC:
                num, _ = parse_column(X[:, j], numeric=True)
                k = k_of.get(f.pred, 0)
                if any(_encode_number(float(v), k) != Decimal(np.format_float_positional(float(v), trim="-"))
                       * 10 ** k for v in num[~np.isnan(num)]):
                    inexact.add(f.pred)
    numeric = {f.pred: f for f in features if f.kind == NUMERIC}
    preds = []
    for pred in program.preds:
        f = numeric.get(pred.atom.predicate)
        if f is not None and len(pred.atom.arguments) == 2:
            k = k_of.get(f.pred, 0)
            how = [f"times {10 ** k}"] if k else []
            how += ["rounded up"] if f.pred in inexact else []
            preds.append(Pred(pred.atom, f"the {f.name} of @(X){''.join(', ' + h for h in how)}"
                                         f"{',' if how else ''} is @(N)"))
        else:
            preds.append(pred)
    rules = parse_program(clingo_rules(program), "<learned, clingo form>")
    return Program(tuple(preds) + rules.statements, "<learned, clingo form>")


def example_reasoner(program: Program, X: np.ndarray, features: Sequence[Feature], ids: Sequence[str]):
    """A :class:`nesyasp.reason.Reasoner` over the clingo form of ``program`` and the facts of the rows of ``X``.

    ``ids`` name the rows (ASP constants). The facts are :func:`example_facts`,
    the rules :func:`reasoner_program`: the same encoding that
    :func:`clingo_predict` runs.
    """
    from nesyasp.reason import Reasoner

    return Reasoner(reasoner_program(program, features, X), "\n".join(example_facts(X, features, program, ids)))
