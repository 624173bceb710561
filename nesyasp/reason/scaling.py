"""Rewriting rules in clingo's integers once every position and variable has its decimal exponent.

:mod:`nesyasp.reason.decimals` chooses the exponents (``k`` per argument
position ``(predicate, arity, index)``, and per rule variable); this module
multiplies: an argument at exponent ``k`` holding a term of exponent ``e``
becomes ``term*10**(k-e)``, ``+``/``-`` align both sides, ``*`` adds the
exponents, and a comparison aligns both sides to the larger exponent, dividing
out a common factor so that ``V*10 > 50`` is ground as ``V*1 > 5`` (no
overflow for large ``V``). A comparison with an integer past 32 bits once
scaled is decided outright, as clingo orders every number before every other term.

Examples
--------
>>> from nesyasp.lang.parser import parse_program
>>> rules = parse_program("p(X) :- q(X,N), N > 30.25.  p(X) :- q(X,N), N > 3.").rules
>>> for rule in rules:  # q/2's second argument, and so N, at exponent 1
...     print(scale_rule(rule, {("q", 2, 1): 1}, {"N": 1}, [1]))
p(X) :- q(X,N), N*10>3025.
p(X) :- q(X,N), N>30.
>>> real_places(Decimal("140.0"))
1
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Mapping

from nesyasp.errors import ReasoningError
from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Constant, Function, Integer, Literal, Real, Rule,
                              String, Term, UnaryOperation, Variable)
from nesyasp.reason.terms import INT_MAX, INT_MIN

__all__ = ["Position", "real_places", "scale_rule"]

#: An argument position: ``(predicate, arity, index)``.
Position = tuple[str, int, int]


def real_places(value: Decimal) -> int:
    """The number of decimals of a decimal as written (``1.25`` -> 2, ``140.0`` -> 1)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0



def _times(term: Term, k: int, top: list[int] | None = None) -> Term:
    if k <= 0:
        return term
    if type(term) is Integer:
        value = term.value * 10 ** k
        if abs(value) > INT_MAX:
            raise ReasoningError(f"{term} scaled by 10**{k} for exact decimals does not fit clingo's 32-bit integers",
                                 term.loc)
        return Integer(value, term.loc)
    if top is not None:
        top[0] = max(top[0], 10 ** k)
    return BinaryOperation("*", term, Integer(10 ** k), term.loc)


def _encode(term: Term, exps: Mapping[str, int], top: list[int]) -> tuple[Term, int]:
    kind = type(term)
    if kind is Variable:
        return term, exps.get(term.name, 0)
    if kind is Real:
        k = real_places(term.value)
        return _times(Integer(int(term.value.scaleb(k)), term.loc), 0), k
    if kind is UnaryOperation:
        inner, k = _encode(term.argument, exps, top)
        if type(inner) is Integer:
            return Integer(-inner.value, term.loc), k
        return replace(term, argument=inner), k
    if kind is BinaryOperation:
        left, kl = _encode(term.left, exps, top)
        right, kr = _encode(term.right, exps, top)
        if term.operator in ("+", "-"):
            k = max(kl, kr)
            return replace(term, left=_times(left, k - kl, top), right=_times(right, k - kr, top)), k
        if term.operator == "*":
            return replace(term, left=left, right=right), kl + kr
        return replace(term, left=left, right=right), 0
    return term, 0


def _scale_argument(term: Term, k: int, exps: Mapping[str, int], top: list[int]) -> Term:
    if type(term) in (Constant, String, Function):
        return term
    encoded, e = _encode(term, exps, top)
    if e > k and type(encoded) is Integer:  # a query's 2.5 or 2.0 where the position holds integers
        exact = Decimal(encoded.value).scaleb(k - e)
        # 2.0 is 2; 2.5 is no value the position holds: kept as a decimal, it matches nothing
        return Integer(int(exact), term.loc) if exact == exact.to_integral_value() else term
    return _times(encoded, k - e, top)


def _scale_comparison(cmp: Comparison, exps: Mapping[str, int], top: list[int]) -> Comparison:
    left, kl = _encode(cmp.left, exps, top)
    right, kr = _encode(cmp.right, exps, top)
    k = max(kl, kr)
    if k and k == kl and type(right) is Integer:  # only where decimals scale the comparison
        exact = _against_integer(cmp, left, cmp.operator, right.value * 10 ** (k - kr))
    elif k and k == kr and type(left) is Integer:
        exact = _against_integer(cmp, right, _FLIP[cmp.operator], left.value * 10 ** (k - kl))
    else:
        exact = None
    if exact is not None:
        return exact
    return replace(cmp, left=_times(left, k - kl, top), right=_times(right, k - kr, top))


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def _against_integer(cmp: Comparison, term: Term, op: str, value: int) -> Comparison | None:
    """``term op value`` (``value`` the other side, already scaled) in integers clingo computes exactly, or None.

    * ``X*m op value``: both sides are divided by their common factor, so ``V*10 > 5`` with ``V`` at
      exponent 1 is ground as ``V*1 > 5``, not as ``V*10 > 50``, which overflows for ``V`` past
      ``2**31/10`` (``*1`` keeps the comparison undefined on a value that is not a number).
    * ``V op value`` (or ``V*1 op value``) with ``value`` past 32 bits once scaled: every number ``V``
      holds is on one side of it, and clingo orders every other term after every integer, so the
      comparison is decided: ``V*1 = V`` (``V`` is a number), ``V > 2147483647`` (it is not),
      ``V = V`` or ``V != V``.

    None leaves the comparison to the plain scaling (which rejects a value that does not fit).
    """
    if type(term) is BinaryOperation and term.operator == "*":
        side = "right" if type(term.right) is Integer and term.right.value > 0 else \
            "left" if type(term.left) is Integer and term.left.value > 0 else None
        if side is not None:
            factor = getattr(term, side).value
            common = math.gcd(factor, value)
            term, value = replace(term, **{side: Integer(factor // common, term.loc)}), value // common
    if INT_MIN <= value <= INT_MAX:
        return Comparison(op, term, Integer(value, cmp.loc), cmp.loc)
    if not (type(term) is Variable or type(term) is BinaryOperation and type(term.left) is Variable
            and term.right == Integer(1)):
        return None  # V*1 (after a common factor went) stays undefined on a value that is not a number
    holds = {"<": value > 0, "<=": value > 0, ">": value < 0, ">=": value < 0, "=": False, "!=": True}[op]
    if value > 0 and op in (">", ">="):  # true of every term clingo orders after the integers
        return Comparison(">", term, Integer(INT_MAX, cmp.loc), cmp.loc)
    if value > 0 and op in ("<", "<="):  # true of every number: V*1 = V (V <= 2147483647 next to a lower
        variable = term if type(term) is Variable else term.left  # bound near it hangs gringo's interval loop)
        return Comparison("=", BinaryOperation("*", variable, Integer(1, cmp.loc), cmp.loc), variable, cmp.loc)
    return Comparison("=" if holds else "!=", term, term, cmp.loc)


def _scale_atom(atom: Atom, exponents: Mapping[Position, int], exps: Mapping[str, int], top: list[int]) -> Atom:
    arity = len(atom.arguments)
    args = tuple(_scale_argument(a, exponents.get((atom.predicate, arity, i), 0), exps, top)
                 for i, a in enumerate(atom.arguments))
    return atom if args == atom.arguments else replace(atom, arguments=args)


def scale_rule(rule: Rule, exponents: Mapping[Position, int], exps: Mapping[str, int], top: list[int]) -> Rule:
    """``rule`` in clingo's integers: each argument scaled to its position's exponent, each comparison aligned.

    ``exponents`` holds the exponent of every position with decimals, ``exps`` that of each of the rule's
    variables; ``top[0]`` is raised to the largest factor a variable gets multiplied by.
    """
    head = _scale_atom(rule.head, exponents, exps, top) if isinstance(rule.head, Atom) else rule.head
    body = []
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Comparison):
            lit = replace(lit, atom=_scale_comparison(lit.atom, exps, top))
        elif isinstance(lit, Literal):
            lit = replace(lit, atom=_scale_atom(lit.atom, exponents, exps, top))
        body.append(lit)
    return replace(rule, head=head, body=tuple(body))
