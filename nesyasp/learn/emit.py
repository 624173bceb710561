"""Turning learned rules into a stratified :class:`~nesyasp.lang.ast.Program`.

Shape of the emitted program (head predicate ``target`` by default)::

    target(X,bedroom) :- f295(X), not ab1(X).
    target(X,"1") :- age(X,N1), N1<=30.5, not color(X,red), not rule1(X).
    ab1(X) :- f12(X), not f7(X).

* Exceptions become ``abK(X)`` predicates, numbered in post-order (nested
  exceptions get the lower numbers) and shared when identical.
* The default rules form an ordered list: an example gets the class of the
  first rule that covers it. A rule that follows rules of *other* classes gets
  ``not ruleK(X)`` for each of them, and such a ``ruleK`` is defined once as
  ``ruleK(X) :- <body of rule K>.``; a rule preceded only by rules of its own
  class needs no guard. This keeps the program stratified.
* A numeric literal binds the value once per rule (``age(X,N1)``) and
  compares it: ``N1<=t``, ``N1>t``, ``not N1<=t``, ``not N1>t``. Thresholds are
  :class:`~nesyasp.lang.ast.Integer` when whole, else :class:`~nesyasp.lang.ast.Real`
  with the shortest decimal that reads back as the same float.
* Values are constants when they are valid ASP identifiers, else strings;
  the string cells of numeric columns are always strings (``pcv(X,"?")``).
* ``#pred`` annotations describe every predicate for explanations.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nesyasp.lang.ast import (Atom, Comment, Comparison, Constant, Integer, Literal, Pred, Program, Real, Rule, String,
                              Variable, is_identifier)
from nesyasp.learn.core import LearnedRule, RuleStats
from nesyasp.lang.checks import INT_MAX, INT_MIN
from nesyasp.learn.encode import BACKGROUND, NUMERIC, Feature, is_unary
from nesyasp.learn.search import Lit

__all__ = ["to_program", "value_term", "class_term", "number_term", "readable_number", "literal_nodes",
           "threshold_text", "unit_comment"]

X = Variable("X")


def readable_number(value: float) -> str:
    """A number for people (explanations, traces): as :func:`number_term` prints it, except that a whole
    number is an integer also past 32 bits (``1650000000000``, where the program has ``1650000000000.0``), and
    a magnitude of 1e16 or more, or below 1e-6, is in scientific notation (``1e-300``,
    ``1.2345678901293568e+19``) rather than hundreds of digits.

    >>> readable_number(30.5), readable_number(1650000000000.5), readable_number(1e-300), readable_number(-1e300)
    ('30.5', '1650000000000.5', '1e-300', '-1e+300')
    >>> readable_number(1650000000000.0), readable_number(-0.0)
    ('1650000000000', '0')
    """
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value != 0.0 and not 1e-6 <= abs(value) < 1e16:
        return repr(value)
    if value.is_integer():  # a whole number as people write it, 32-bit or not (a timestamp: no '.0')
        return str(int(value))
    return str(number_term(value))


def threshold_text(feature: Feature, value: float) -> str:
    """A number of ``feature`` for people: in its unit's form (``2024-03-05``, ``$1,234.50``), else
    :func:`readable_number`."""
    return feature.unit.format(value) if feature.unit is not None else readable_number(value)


def unit_comment(lits: Sequence[Lit], features: Sequence[Feature]) -> list[Comment]:
    """A comment that reads a rule's comparisons of columns with a unit in their own form (none without)."""
    words = []
    for lit in lits:
        f = features[lit.feature]
        if f.unit is not None and f.kind == NUMERIC and lit.op not in ("==", "!="):
            text = f"{f.name} {lit.op.lstrip('!')} {f.unit.format(float(lit.value))}"
            words.append(f"not {text}" if lit.op.startswith("!") else text)
    return [Comment(f" in the column's form: {' and '.join(words)}")] if words else []


def number_term(value: float) -> Integer | Real:
    """The AST term of a threshold: an integer when whole and inside clingo's 32-bit range, else a decimal.

    The decimal is the shortest that reads back as the same double; a whole
    number outside ``[-2**31, 2**31-1]`` prints with ``.0``
    (``1600345600095.0``), since clingo cannot hold it as an integer.

    >>> str(number_term(30.5)), str(number_term(42.0)), str(number_term(1600345600095.0))
    ('30.5', '42', '1600345600095.0')
    """
    value = float(value)
    if value.is_integer() and INT_MIN <= value <= INT_MAX:
        return Integer(int(value))
    text = np.format_float_positional(value, trim="-")
    return Real(text if "." in text else text + ".0")


def value_term(feature: Feature, value: str) -> Constant | String:
    """The AST term of a string value of ``feature`` (see the module docstring)."""
    if feature.kind != NUMERIC and is_identifier(value):
        return Constant(value)
    return String(value)


def class_term(label: object) -> Constant | String:
    """The AST term of a class label."""
    text = str(label)
    return Constant(text) if is_identifier(text) else String(text)


def literal_nodes(lit: Lit, feature: Feature, var: Variable | None) -> list[Literal]:
    """The body literals of one learned literal (binding atom first when ``var`` is new)."""
    if is_unary(feature):
        return [Literal(Atom(feature.pred, (X,)), negated=lit.op == "!=")]
    if lit.op in ("==", "!="):
        term = value_term(feature, feature.values[int(lit.value)])
        return [Literal(Atom(feature.pred, (X, term)), negated=lit.op == "!=")]
    assert var is not None
    op = lit.op.lstrip("!")
    return [Literal(Comparison(op, var, number_term(float(lit.value))), negated=lit.op.startswith("!"))]


def _body(lits: Sequence[Lit], features: Sequence[Feature]) -> list[Literal]:
    body: list[Literal] = []
    bound: dict[int, Variable] = {}
    for lit in lits:
        feature = features[lit.feature]
        var = None
        if lit.op not in ("==", "!=") and feature.kind == NUMERIC:
            var = bound.get(lit.feature)
            if var is None:
                var = bound[lit.feature] = Variable(f"N{len(bound) + 1}")
                body.append(Literal(Atom(feature.pred, (X, var))))
        body.extend(literal_nodes(lit, feature, var))
    return body


class _Namer:
    """Post-order ``abK`` numbering with sharing of identical exceptions."""

    def __init__(self, features: Sequence[Feature]):
        self.features = features
        self.names: dict[tuple, str] = {}
        self.rules: list[Rule | Comment] = []

    def name(self, rule: LearnedRule) -> str:
        key = (rule.lits, rule.exceptions)
        if key not in self.names:
            refs = [self.name(e) for e in rule.exceptions]
            name = f"ab{len(self.names) + 1}"
            self.names[key] = name
            self.rules.extend(unit_comment(rule.lits, self.features))
            self.rules.append(Rule(Atom(name, (X,)), tuple(self.body(rule, refs))))
        return self.names[key]

    def body(self, rule: LearnedRule, refs: Sequence[str]) -> list[Literal]:
        return _body(rule.lits, self.features) + [Literal(Atom(r, (X,)), negated=True) for r in refs]


def to_program(rules: Sequence[LearnedRule], features: Sequence[Feature], classes: Sequence[object],
               head: str = "target", stats: Sequence[RuleStats] | None = None,
               background: Program | None = None) -> Program:
    """The stratified program of an ordered list of learned rules.

    Parameters
    ----------
    rules:
        The ordered default rules (``label`` is an index into ``classes``).
    features:
        The fitted features (their ``pred`` names are used).
    classes:
        The class labels.
    head:
        The head predicate, ``head(X,class)``.
    stats:
        Training support and precision per default rule: each default rule is
        preceded by a comment that gives them.
    background:
        The background program; its rules and annotations follow the learned rules.

    Returns
    -------
    Program
        The default rules with their exceptions (``ab`` predicates), then the background program.
    """
    namer = _Namer(features)
    bodies = []
    for rule in rules:
        refs = [namer.name(e) for e in rule.exceptions]
        bodies.append(namer.body(rule, refs))
    guards, defined = _guards(rules)
    defaults: list[Rule | Comment] = []
    for k, (rule, body) in enumerate(zip(rules, bodies)):
        if stats is not None:
            defaults.append(Comment(" " + stats[k].describe(classes)))
        hd = Atom(head, (X, class_term(classes[rule.label])))
        refs = [Literal(Atom(f"rule{j + 1}", (X,)), negated=True) for j in guards[k]]
        defaults.extend(unit_comment(rule.lits, features))
        if k in defined:
            defaults.append(Rule(Atom(f"rule{k + 1}", (X,)), tuple(body)))
            body = [Literal(Atom(f"rule{k + 1}", (X,)))]
        defaults.append(Rule(hd, tuple(body + refs)))
    # the columns the rules compare, and those the carried background rules read (their explanations name them)
    read = {lit.atom.predicate for r in (background.rules if background is not None else ()) for lit in r.body
            if isinstance(lit, Literal) and isinstance(lit.atom, Atom)}
    used = sorted({lit.feature for r in _walk(rules) for lit in r.lits}
                  | {i for i, f in enumerate(features) if f.kind != BACKGROUND and f.pred in read})
    preds = _annotations([features[i] for i in used], head, sorted(namer.names.values(), key=lambda s: int(s[2:])),
                         defined)
    extra: tuple = ()
    if background is not None and background.statements:
        extra = (Comment(" background knowledge (given, not learned)"),) + tuple(
            s for s in background.statements if isinstance(s, (Rule, Pred)))
    return Program(tuple(preds + defaults + namer.rules) + extra, source="<learned>")


def _walk(rules: Sequence[LearnedRule]):
    for r in rules:
        yield r
        yield from _walk(r.exceptions)


def _guards(rules: Sequence[LearnedRule]) -> tuple[list[list[int]], set[int]]:
    """For each rule, the earlier rules of other classes that pre-empt it."""
    guards, defined = [], set()
    for k, rule in enumerate(rules):
        earlier = [j for j in range(k) if rules[j].label != rule.label]
        guards.append(earlier)
        defined.update(earlier)
    return guards, defined


def _annotations(features: Sequence[Feature], head: str, abs_: Sequence[str], defined: set[int]) -> list[Pred]:
    C, N = Variable("C"), Variable("N")
    out = [Pred(Atom(head, (X, C)), "@(X) is of class @(C)")]
    for f in features:
        if f.kind == BACKGROUND:
            continue  # the background program's own annotations, if any
        if is_unary(f):
            out.append(Pred(Atom(f.pred, (X,)), f"@(X) has {f.name}"))
        else:
            unit = f" ({f.unit.describe()})" if f.unit is not None else ""
            out.append(Pred(Atom(f.pred, (X, N)), f"the {f.name} of @(X) is @(N){unit}"))
    out.extend(Pred(Atom(a, (X,)), f"@(X) is an exception ({a})") for a in abs_)
    out.extend(Pred(Atom(f"rule{k + 1}", (X,)), f"rule {k + 1} applies to @(X)") for k in sorted(defined))
    return out
