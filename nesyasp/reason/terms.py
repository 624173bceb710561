"""Ground terms as clingo symbols: conversion, arithmetic, matching and comparisons.

Ground terms and atoms are :class:`clingo.Symbol` values everywhere in the
reasoner (hashable, ordered exactly as clingo orders them, printed in
canonical clingo syntax). Non-ground terms stay AST terms; a substitution maps
variable names to symbols.

Arithmetic follows clingo: ``/`` truncates towards zero, ``\\`` takes the sign
of the dividend, a negative exponent gives 0 (for every base but 0, whose
negative powers are undefined), results wrap to 32 bits, and division by zero
is *undefined*: the rule instance does not exist. Comparisons with a decimal (:class:`~nesyasp.lang.ast.Real`) compare
exact decimal values; a decimal compared with a value that is not a number is
undefined too, as in the translated program (see :mod:`nesyasp.reason.translate`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

import clingo

from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Constant, Function, Integer, Real, String, Term,
                              UnaryOperation, Variable, is_identifier, term_variables)
from nesyasp.errors import ReasoningError

__all__ = ["INT_MIN", "INT_MAX", "Subst", "to_symbol", "value_symbol", "ground_term", "ground_atom", "match_term",
           "match_atom", "compare", "evaluate_comparison", "symbol_text", "NUMBER", "decimal_symbol",
           "symbol_decimal", "symbol_term", "invert"]

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
NUMBER = clingo.SymbolType.Number

#: A substitution: variable name -> the clingo symbol it is bound to.
Subst = Mapping[str, clingo.Symbol]

_UNDEFINED = None
_DECIMAL = re.compile(r"-?\d+\.\d+\Z")


def decimal_symbol(value: Decimal) -> clingo.Symbol:
    """The symbol a decimal is shown as: ``Number`` when integral, else a constant named by its digits.

    clingo has no decimals; inside the reasoner they are scaled integers (see
    :mod:`nesyasp.reason.decimals`). Outside (answers, justifications) a
    decimal reads as written, without trailing zeros.

    >>> decimal_symbol(Decimal("1.20")), decimal_symbol(Decimal("140.0"))
    (Function('1.2', [], True), Number(140))
    """
    value = value.normalize()
    if value == value.to_integral_value():
        return clingo.Number(int(value))
    return clingo.Function(format(value, "f"))


def symbol_decimal(symbol: clingo.Symbol) -> Decimal | None:
    """The value of a decimal shown by :func:`decimal_symbol`, or None for any other symbol."""
    if symbol.type == clingo.SymbolType.Function and not symbol.arguments and _DECIMAL.match(symbol.name):
        return Decimal(symbol.name)
    return None


def symbol_term(symbol: clingo.Symbol) -> Term:
    """The AST term of a ground symbol (the inverse of :func:`ground_term` on ground terms)."""
    if symbol.type == NUMBER:
        return Integer(symbol.number)
    if symbol.type == clingo.SymbolType.String:
        return String(symbol.string)
    value = symbol_decimal(symbol)
    if value is not None:
        return Real(symbol.name)
    term: Term = Constant(symbol.name) if not symbol.arguments else \
        Function(symbol.name, tuple(symbol_term(a) for a in symbol.arguments))
    return term if symbol.positive else UnaryOperation("-", term)  # clingo's -a, -f(1)


def _wrap(value: int) -> int:
    return (value - INT_MIN) % (2 ** 32) + INT_MIN


def value_symbol(value: Any, what: str = "value") -> clingo.Symbol:
    """Turn a Python value into a clingo symbol, the way the parser reads constants.

    ``int`` becomes a number (range-checked: clingo would silently wrap past
    2**31), a ``str`` that is a valid identifier a constant, a ``'quoted'``
    identifier the same constant (as FOLD prints them), any other ``str`` a
    string. Booleans and floats are rejected.

    >>> value_symbol("img1"), value_symbol("'bedroom'"), value_symbol("Living room"), value_symbol(7)
    (Function('img1', [], True), Function('bedroom', [], True), String('Living room'), Number(7))
    """
    if isinstance(value, clingo.Symbol):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, str)) and not hasattr(value, "__index__"):
        raise ReasoningError(f"{what} {value!r}: use an int or a str (clingo has no floats or booleans)")
    if not isinstance(value, str):
        number = int(value)
        if not INT_MIN <= number <= INT_MAX:
            raise ReasoningError(f"{what} {number} is outside clingo's 32-bit integers "
                                 f"[{INT_MIN}, {INT_MAX}] (clingo would silently wrap it)")
        return clingo.Number(number)
    text = value
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    if is_identifier(text):
        return clingo.Function(text)
    return clingo.String(text)


def to_symbol(term: Term) -> clingo.Symbol:
    """The symbol of a ground term without arithmetic (raises on variables and decimals)."""
    symbol = ground_term(term, {})
    if symbol is None:
        raise ReasoningError(f"term {term} is not ground or not defined")
    return symbol


def _arith(op: str, a: int, b: int) -> int | None:
    if op == "+":
        return _wrap(a + b)
    if op == "-":
        return _wrap(a - b)
    if op == "*":
        return _wrap(a * b)
    if op in ("/", "\\"):
        if b == 0:
            return _UNDEFINED
        q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return _wrap(q) if op == "/" else _wrap(a - q * b)
    if op == "**":
        if b < 0:  # as clingo grounds it (even 1**-1 and (-1)**-1 are 0); 0**-1 is undefined
            return _UNDEFINED if a == 0 else 0
        return _wrap(pow(a, b, 2 ** 32))
    return _UNDEFINED


def ground_term(term: Term, subst: Subst) -> clingo.Symbol | None:
    """The symbol of ``term`` under ``subst``; None when undefined or a variable is unbound.

    Decimals are not symbols (clingo has none): a :class:`Real` gives None here;
    comparisons evaluate them with :func:`evaluate_comparison`.
    """
    kind = type(term)
    if kind is Variable:
        return subst.get(term.name)
    if kind is Constant:
        return clingo.Function(term.name)
    if kind is Integer:
        return clingo.Number(term.value)
    if kind is String:
        return clingo.String(term.value)
    if kind is Real:
        return decimal_symbol(term.value)
    if kind is Function:
        args = [ground_term(a, subst) for a in term.arguments]
        return None if any(a is None for a in args) else clingo.Function(term.name, args)
    if kind is BinaryOperation:
        left, right = ground_term(term.left, subst), ground_term(term.right, subst)
        if left is None or right is None:
            return None
        if left.type != NUMBER or right.type != NUMBER:
            return _decimal_arith(term.operator, left, right)
        value = _arith(term.operator, left.number, right.number)
        return None if value is None else clingo.Number(value)
    if kind is UnaryOperation:
        inner = ground_term(term.argument, subst)
        if inner is None:
            return None
        if inner.type != NUMBER:
            value = symbol_decimal(inner)
            if value is not None:
                return decimal_symbol(-value)
            if inner.type == clingo.SymbolType.Function and inner.name:  # -a and -f(1) are symbols to clingo
                return clingo.Function(inner.name, inner.arguments, not inner.positive)
            return None
        return clingo.Number(_wrap(-inner.number))
    return None


def _decimal_arith(op: str, left: clingo.Symbol, right: clingo.Symbol) -> clingo.Symbol | None:
    """Exact ``+ - *`` on shown decimals (a justification read back); anything else is undefined."""
    values = []
    for side in (left, right):
        value = Decimal(side.number) if side.type == NUMBER else symbol_decimal(side)
        if value is None:
            return None
        values.append(value)
    a, b = values
    if op == "+":
        return decimal_symbol(a + b)
    if op == "-":
        return decimal_symbol(a - b)
    if op == "*":
        return decimal_symbol(a * b)
    return None


def ground_atom(atom: Atom, subst: Subst) -> clingo.Symbol | None:
    """The ground atom as a symbol, or None when an argument is unbound or undefined."""
    args = []
    for arg in atom.arguments:
        value = ground_term(arg, subst)
        if value is None:
            return None
        args.append(value)
    return clingo.Function(atom.predicate, args)


def match_term(term: Term, symbol: clingo.Symbol, subst: dict[str, clingo.Symbol], *, head: bool = False) -> bool:
    """Extend ``subst`` (in place) so that ``term`` equals ``symbol``; False if impossible.

    Arithmetic terms are matched by value when their variables are bound, and
    otherwise rejected here (callers check them after the body binds them).
    ``head``: ``term`` is a rule head's argument (see :func:`invert`).
    """
    kind = type(term)
    if kind is Variable:
        if term.name == "_":
            return True
        bound = subst.get(term.name)
        if bound is None:
            subst[term.name] = symbol
            return True
        return bound == symbol
    if kind is Function:
        if symbol.type != clingo.SymbolType.Function or symbol.name != term.name \
                or len(symbol.arguments) != len(term.arguments):
            return False
        return all(match_term(t, s, subst, head=head) for t, s in zip(term.arguments, symbol.arguments))
    value = ground_term(term, subst)
    if value is None and kind is UnaryOperation and symbol.type == clingo.SymbolType.Function:
        # -X against -a: X = a (clingo negates a constant or function term by its sign, as -f(1))
        return match_term(term.argument, clingo.Function(symbol.name, symbol.arguments, not symbol.positive), subst,
                          head=head)
    if value is None and kind in (BinaryOperation, UnaryOperation):
        inverted = invert(term, symbol, subst, head=head)
        if inverted is None:
            return False
        subst.update(inverted)
        return True
    return value is not None and value == symbol


def invert(term: Term, value: clingo.Symbol, binding: Subst, *, head: bool = False) -> dict[str, clingo.Symbol] | None:
    """The binding of the one unbound variable of a linear term (``Y+1``, ``2*Y``, ``-Y``) that makes it ``value``.

    None when the term is not linear in one unbound variable or no integer does it.
    Only the new variable is returned. Values are clingo's 32-bit integers, which
    wrap: ``Y+1`` is ``-2147483648`` for ``Y = 2147483647``. In a body atom
    (``head=False``) ``k*Y`` is inverted as gringo binds it, by exact division;
    a rule head computes ``k*Y`` with wrapping, so ``2*Y`` is ``-2`` for ``Y = -1``
    and for ``Y = 2147483647``: with ``head=True`` a product is inverted only by
    an odd ``k`` that divides the value, else None (the body binds ``Y``).

    >>> from nesyasp.lang.ast import BinaryOperation, Integer, Variable
    >>> invert(BinaryOperation("+", Variable("Y"), Integer(1)), clingo.Number(5), {})
    {'Y': Number(4)}
    """
    free = [v for v in term_variables(term) if v not in binding]
    if len(free) != 1 or free[0] == "_" or value.type != NUMBER:
        return None
    n = value.number
    while type(term) is not Variable:
        if type(term) is UnaryOperation and term.operator == "-":
            term, n = term.argument, _wrap(-n)
            continue
        if type(term) is not BinaryOperation or term.operator not in ("+", "-", "*"):
            return None
        left, right = ground_term(term.left, binding), ground_term(term.right, binding)
        known = right if left is None else left
        if known is None or known.type != NUMBER:
            return None
        k, on_left = known.number, left is None
        if term.operator == "+":
            n = _wrap(n - k)
        elif term.operator == "-":
            n = _wrap(n + k if on_left else k - n)
        elif k == 0 or n % k or (head and k % 2 == 0):
            return None
        else:
            n = _wrap(n // k)
        term = term.left if on_left else term.right
    return {term.name: clingo.Number(n)}


def match_atom(atom: Atom, symbol: clingo.Symbol, subst: dict[str, clingo.Symbol]) -> bool:
    """Extend ``subst`` so that ``atom`` matches the ground atom ``symbol``."""
    if symbol.name != atom.predicate or len(symbol.arguments) != len(atom.arguments):
        return False
    return all(match_term(t, s, subst) for t, s in zip(atom.arguments, symbol.arguments))


def _decimal(term: Term, subst: Subst) -> Decimal | clingo.Symbol | None:
    if type(term) is Real:
        return term.value
    if type(term) is UnaryOperation and type(term.argument) is Real:
        return -term.argument.value
    value = ground_term(term, subst)
    if value is not None and value.type == clingo.SymbolType.Function:
        shown = symbol_decimal(value)
        return value if shown is None else shown
    return value


def compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` for two symbols or two numbers (clingo's total order on symbols)."""
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left < right or left == right
    if op == ">":
        return right < left
    if op == ">=":
        return right < left or left == right
    raise ReasoningError(f"unknown comparison operator {op!r}")


def evaluate_comparison(cmp: Comparison, subst: Subst) -> bool | None:
    """Truth of a comparison under ``subst``: True, False, or None when undefined.

    With a decimal on either side both sides must be numbers; they are
    compared exactly (this is what the scaled-integer translation computes).
    """
    left, right = _decimal(cmp.left, subst), _decimal(cmp.right, subst)
    if left is None or right is None:
        return None
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        values = []
        for side in (left, right):
            if isinstance(side, clingo.Symbol):
                if side.type != NUMBER:
                    return None
                side = Decimal(side.number)
            values.append(side)
        return compare(cmp.operator, values[0], values[1])
    return compare(cmp.operator, left, right)


def symbol_text(symbol: clingo.Symbol) -> str:
    """A symbol as the user reads it (strings without quotes, other terms as clingo prints them).

    The empty string stays ``""``: a blank would read as a missing word (a learned table's missing cell);
    so does a string with a line break, a tab or another unprintable character (``"line\\nbreak"``), which
    would break the lines of an explanation.
    """
    if symbol.type == clingo.SymbolType.String and symbol.string and symbol.string.isprintable():
        return symbol.string
    return str(symbol)

