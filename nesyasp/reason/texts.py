"""Literals, atoms and rule instances under a binding, as clingo text.

Atoms show their arguments evaluated (``succ(X+1)`` with ``X = 1`` is
``succ(2)``); comparisons show their sides with the values put in but not
computed (``Y = X+1`` is ``2=1+1``), so a reader sees what was compared.
Variables without a value keep their name; the names the translation gives
to anonymous variables (``_Anon1``) read ``_`` again.
"""

from __future__ import annotations

from typing import Mapping

import clingo

from nesyasp.lang.ast import Atom, Comparison, Literal, Rule, Term, Variable, term_variables
from nesyasp.reason.answers import _substitute
from nesyasp.reason.terms import ground_term
from nesyasp.reason.translate import ANONYMOUS_PREFIX

__all__ = ["literal_text", "atom_text", "instance_text", "term_text", "rule_text"]

Binding = Mapping[str, clingo.Symbol]


def _shown(name: str) -> str:
    return "_" if name.startswith(ANONYMOUS_PREFIX) else name


def _values(term: Term, binding: Binding) -> dict[str, str]:
    out = {}
    for name in term_variables(term):
        value = binding.get(name)
        out[name] = str(value) if value is not None else _shown(name)
    return out


def term_text(term: Term, binding: Binding) -> str:
    """A term with its values put in, evaluated when it is ground (``X+1`` -> ``2``)."""
    value = ground_term(term, binding)
    if value is not None:
        return str(value)
    if type(term) is Variable:
        return _shown(term.name)
    return _substitute(term, _values(term, binding))


def atom_text(atom: Atom, binding: Binding) -> str:
    """An atom under a binding, free variables kept by name (``_`` for anonymous ones)."""
    if not atom.arguments:
        return atom.predicate
    return f"{atom.predicate}({','.join(term_text(a, binding) for a in atom.arguments)})"


def literal_text(lit: Literal, binding: Binding) -> str:
    """A body literal under a binding; comparisons show their sides with values put in, not computed.

    >>> from nesyasp.lang import parse_program
    >>> rule = parse_program("next(X,Y) :- num(X), Y = X+1.").rules[0]
    >>> literal_text(rule.body[1], {"X": clingo.Number(1), "Y": clingo.Number(2)})
    '2=1+1'
    """
    if isinstance(lit.atom, Comparison):
        cmp = lit.atom
        text = f"{_side(cmp.left, binding)}{cmp.operator}{_side(cmp.right, binding)}"
    else:
        text = atom_text(lit.atom, binding)
    return f"not {text}" if lit.negated else text


def _side(term: Term, binding: Binding) -> str:
    if type(term) is Variable:
        value = binding.get(term.name)
        return str(value) if value is not None else _shown(term.name)
    return _substitute(term, _values(term, binding))


def instance_text(rule: Rule, binding: Binding) -> str:
    """The (ground, as far as ``binding`` goes) instance of ``rule``, as clingo text."""
    head = atom_text(rule.head, binding) if isinstance(rule.head, Atom) else ""
    body = ", ".join(literal_text(lit, binding) for lit in rule.body if isinstance(lit, Literal))
    if not body:
        return f"{head}."
    return f"{head} :- {body}." if head else f":- {body}."


def rule_text(rule: Rule) -> str:
    """A program rule as written (anonymous variables as ``_``)."""
    return instance_text(rule, {})
