"""Division and remainder in the clingo text, without the one case that kills the process.

clingo (5.8) evaluates ``A / B`` and ``A \\ B`` with the machine's integer
division, which traps on ``-2147483648 / -1`` (the quotient does not fit 32
bits): the process dies with SIGFPE, no error, no output, whether the values
are written in the program or meet during grounding. Everywhere else clingo
wraps what does not fit (``2147483647+1`` is ``-2147483648``), and so does
nesyasp's own arithmetic (:func:`nesyasp.reason.terms.ground_term`).

So the clingo text nesyasp sends writes

* ``A \\ B`` as ``A \\ |B|`` (a remainder takes the sign of ``A`` and depends on ``B``
  only through its size), and
* ``A / B`` as ``(A / |B|) * (B / |B|)`` (truncating division: ``A / B = -(A / -B)``),

which are the same values for every ``A`` and ``B``, undefined where ``B = 0``,
and wrap ``-2147483648 / -1`` to ``-2147483648`` as a multiplication does:
no division by ``-1`` is left (``|B|`` is never ``-1``; ``|-2147483648|`` wraps
to itself, and ``B / |B|`` is then ``1``, as it should be). The program's
rules, the justifications and the printed text keep the division as written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nesyasp.lang.ast import Atom, BinaryOperation, Comparison, Function, Literal, Rule, Term, UnaryOperation

__all__ = ["trap_free_rule"]


@dataclass(frozen=True, slots=True)
class _Absolute:
    """``|term|``, which clingo reads and the rule language has no node for (clingo text only)."""

    argument: object

    def __str__(self) -> str:
        return f"|{self.argument}|"


def _term(term: Term) -> Term:
    kind = type(term)
    if kind is BinaryOperation:
        left, right = _term(term.left), _term(term.right)
        if term.operator == "\\":
            return BinaryOperation("\\", left, _Absolute(right), term.loc)  # type: ignore[arg-type]
        if term.operator == "/":
            size = _Absolute(right)
            return BinaryOperation("*", BinaryOperation("/", left, size, term.loc),  # type: ignore[arg-type]
                                   BinaryOperation("/", right, size, term.loc), term.loc)  # type: ignore[arg-type]
        return replace(term, left=left, right=right)
    if kind is UnaryOperation:
        return replace(term, argument=_term(term.argument))
    if kind is Function:
        return replace(term, arguments=tuple(_term(a) for a in term.arguments))
    return term


def _atom(atom: object) -> object:
    if isinstance(atom, Atom):
        return replace(atom, arguments=tuple(_term(a) for a in atom.arguments))
    if isinstance(atom, Comparison):
        return replace(atom, left=_term(atom.left), right=_term(atom.right))
    return atom


def _divides(term: object) -> bool:
    if type(term) is BinaryOperation:
        return term.operator in ("/", "\\") or _divides(term.left) or _divides(term.right)
    if type(term) is UnaryOperation:
        return _divides(term.argument)
    if type(term) is Function:
        return any(_divides(a) for a in term.arguments)
    return False


def _terms_of(atom: object) -> tuple:
    if isinstance(atom, Atom):
        return atom.arguments
    if isinstance(atom, Comparison):
        return (atom.left, atom.right)
    return ()


def trap_free_rule(rule: Rule) -> Rule:
    """``rule`` with every ``/`` and ``\\`` written so that clingo never divides by ``-1`` (see the module)."""
    parts = ([rule.head] if rule.head is not None else []) + \
        [lit.atom for lit in rule.body if isinstance(lit, Literal)]
    if not any(_divides(t) for part in parts for t in _terms_of(part)):
        return rule
    body = tuple(replace(lit, atom=_atom(lit.atom)) if isinstance(lit, Literal) else lit for lit in rule.body)
    return replace(rule, head=_atom(rule.head) if rule.head is not None else None, body=body)
