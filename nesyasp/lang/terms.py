"""The terms of the rule language: variables, constants, numbers, strings, functions, arithmetic.

Each term is a frozen, slotted dataclass; ``str(term)`` prints canonical clingo
syntax, with the parentheses clingo needs and no more. A term's ``loc`` takes
no part in equality or hashing. :mod:`nesyasp.lang.ast` re-exports every name,
so ``from nesyasp.lang.ast import Variable`` keeps working.

Examples
--------
>>> from nesyasp.lang.terms import BinaryOperation, Integer, Variable
>>> print(BinaryOperation("*", BinaryOperation("+", Variable("X"), Integer(1)), Integer(2)))
(X+1)*2
>>> sorted(term_variables(BinaryOperation("-", Variable("Y"), Variable("X"))))
['X', 'Y']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator, Union

from nesyasp.errors import NO_LOCATION, Location, expect_type

__all__ = [
    "INT_MIN",
    "INT_MAX",
    "integers_out_of_range",
    "range_message",
    "Variable",
    "Constant",
    "Integer",
    "Real",
    "String",
    "Function",
    "BinaryOperation",
    "UnaryOperation",
    "Term",
    "term_variables",
    "is_identifier",
]

_LOC = field(default=NO_LOCATION, compare=False, repr=False)

_IDENTIFIER = re.compile(r"_*[a-z][A-Za-z0-9_']*\Z")


def is_identifier(name: str) -> bool:
    """True when ``name`` is a valid clingo constant or predicate name.

    Parameters
    ----------
    name:
        A candidate name.

    Returns
    -------
    bool
        Whether clingo reads ``name`` as a constant: ``_`` s, a lowercase letter, then letters, digits, ``_`` or ``'``.

    >>> is_identifier("bed1"), is_identifier("Bed"), is_identifier("295")
    (True, False, False)
    """
    expect_type(name, str, "a name (a str)")
    return bool(_IDENTIFIER.match(name)) and name not in ("not",)


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable such as ``X``; ``_`` is the anonymous variable."""

    name: str
    loc: Location = _LOC

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Constant:
    """A symbolic constant such as ``bedroom`` (a valid clingo identifier)."""

    name: str
    loc: Location = _LOC

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Integer:
    """An integer; clingo holds 32-bit integers, which the reasoner checks."""

    value: int
    loc: Location = _LOC

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Real:
    """A decimal number such as ``30.5`` (FOLD-SE thresholds).

    clingo has no floats: the reasoner encodes reals exactly as scaled
    integers before solving, so the printed rule keeps its readable value.
    ``text`` is the decimal as written (``142.0`` stays ``142.0``).
    """

    text: str
    loc: Location = _LOC

    @property
    def value(self) -> Decimal:
        """The exact decimal value."""
        return Decimal(self.text)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class String:
    """A string constant such as ``"Living Room"``."""

    value: str
    loc: Location = _LOC

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'


@dataclass(frozen=True, slots=True)
class Function:
    """A compound term ``name(arg, ...)`` with at least one argument."""

    name: str
    arguments: tuple[Term, ...]
    loc: Location = _LOC

    def __str__(self) -> str:
        return f"{self.name}({','.join(map(str, self.arguments))})"


# Binding strength of arithmetic operators, as in clingo (higher binds tighter).
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "\\": 2, "**": 3}


@dataclass(frozen=True, slots=True)
class BinaryOperation:
    """An arithmetic term ``left op right`` with ``op`` in ``+ - * / \\ **``."""

    operator: str
    left: Term
    right: Term
    loc: Location = _LOC

    def __str__(self) -> str:
        prec = _PRECEDENCE[self.operator]
        left, right = str(self.left), str(self.right)
        if _needs_parens(self.left, prec, right_side=self.operator == "**"):
            left = f"({left})"
        if _needs_parens(self.right, prec, right_side=self.operator != "**"):
            right = f"({right})"
        return f"{left}{self.operator}{right}"


def _needs_parens(term: Term, prec: int, right_side: bool) -> bool:
    if not isinstance(term, BinaryOperation):
        return False
    inner = _PRECEDENCE[term.operator]
    return inner < prec or (inner == prec and right_side)


@dataclass(frozen=True, slots=True)
class UnaryOperation:
    """Unary minus ``-term`` (a negative integer literal is an :class:`Integer`)."""

    operator: str
    argument: Term
    loc: Location = _LOC

    def __str__(self) -> str:
        inner = str(self.argument)
        if isinstance(self.argument, (BinaryOperation, UnaryOperation)) or inner.startswith("-"):
            inner = f"({inner})"
        return f"{self.operator}{inner}"


#: Any term: variable, constant, number, string, function or arithmetic operation.
Term = Union[Variable, Constant, Integer, Real, String, Function, BinaryOperation, UnaryOperation]


def term_variables(term: Term) -> Iterator[str]:
    """Yield the names of the variables in ``term`` (``_`` included).

    Parameters
    ----------
    term:
        A term (constants, variables, numbers, function terms, arithmetic).

    Yields
    ------
    str
        Each variable's name, left to right, repeats included.
    """
    if isinstance(term, Variable):
        yield term.name
    elif isinstance(term, Function):
        for arg in term.arguments:
            yield from term_variables(arg)
    elif isinstance(term, BinaryOperation):
        yield from term_variables(term.left)
        yield from term_variables(term.right)
    elif isinstance(term, UnaryOperation):
        yield from term_variables(term.argument)


#: clingo's integers: 32 bits.
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1


def integers_out_of_range(term: Term) -> Iterator[Integer]:
    """Yield the integers of ``term`` (inside function terms and arithmetic too) outside clingo's 32 bits."""
    stack = [term]
    while stack:
        t = stack.pop()
        if isinstance(t, Integer) and not INT_MIN <= t.value <= INT_MAX:
            yield t
        elif isinstance(t, (Function, BinaryOperation, UnaryOperation)):
            inner = t.arguments if isinstance(t, Function) else \
                (t.left, t.right) if isinstance(t, BinaryOperation) else (t.argument,)
            stack.extend(reversed(inner))


def range_message(number: Integer) -> str:
    """The error for an integer outside clingo's 32 bits (``nesyasp check`` and queries say the same)."""
    return f"integer {number.value} is outside clingo's 32-bit range [{INT_MIN}, {INT_MAX}]; " \
        "use a smaller value or a string"
