"""The example domain: what makes FOLD-style rules plain, safe ASP.

Rules learned by FOLD-SE-M (and by nesyasp) often use their example variable
only under ``not``: ``target(X,bathroom) :- not f398(X), not ab1(X).`` clingo
refuses such a rule (``X`` is unsafe). nesyasp reads it as ranging over the
*examples*, the atoms of the domain predicate ``_example/1``
(:data:`DOMAIN_PREDICATE`):

* every facts file nesyasp writes holds ``_example(id).`` for each example
  (image, table row), also for examples with no other fact;
* every rule file nesyasp writes carries the domain atom where it is needed,
  ``target(X,bathroom) :- _example(X), not f398(X), not ab1(X).``, so the
  files ground in plain clingo with the same answers
  (:func:`add_domain_guards`);
* hand-written and pasted rules may leave it out: ``nesyasp check`` notes it,
  and the reasoner adds the same atom, with ``_example(c)`` for the first
  argument ``c`` of every fact.

Only a variable that is the head's first argument gets the domain atom; any
other unsafe variable is an error.

>>> from nesyasp.lang.parser import parse_program
>>> print(add_domain_guards(parse_program("target(X,b) :- not f1(X). p(X) :- q(X).")), end="")
target(X,b) :- _example(X), not f1(X).
p(X) :- q(X).
"""

from __future__ import annotations

from dataclasses import replace

from nesyasp.errors import expect_type
from nesyasp.lang.ast import Atom, Literal, Program, Rule, Variable
from nesyasp.lang.checks import DOMAIN_PREDICATE, needs_domain_guard

__all__ = ["DOMAIN_PREDICATE", "needs_domain_guard", "add_domain_guard", "add_domain_guards", "has_domain_guard"]


def _example_variable(rule: Rule) -> str | None:
    head = rule.head
    if type(head) is not Atom or not head.arguments or type(head.arguments[0]) is not Variable:
        return None
    name = head.arguments[0].name
    return None if name == "_" else name


def has_domain_guard(rule: Rule) -> bool:
    """True when a positive ``_example(X)`` on the head's first argument ``X`` is in the body."""
    name = _example_variable(rule)
    return name is not None and any(
        type(lit) is Literal and not lit.negated and type(lit.atom) is Atom
        and lit.atom.predicate == DOMAIN_PREDICATE and lit.atom.arguments == (Variable(name),)
        for lit in rule.body)


def add_domain_guard(rule: Rule) -> Rule:
    """``rule`` with ``_example(X)`` as its first body literal where it needs one, else ``rule`` itself.

    Parameters
    ----------
    rule:
        A rule of a parsed program (a ground fact or a constraint is returned as it is).

    Returns
    -------
    Rule
        The guarded rule, or ``rule`` itself when it needs no guard.
    """
    if not needs_domain_guard(rule):
        return rule
    name = _example_variable(rule)
    domain = Literal(Atom(DOMAIN_PREDICATE, (Variable(name),), rule.loc), False, rule.loc)
    return replace(rule, body=(domain,) + rule.body)


def add_domain_guards(program: Program) -> Program:
    """``program`` with every rule that needs the domain atom guarded (what nesyasp writes).

    Parameters
    ----------
    program:
        A parsed program; its facts, comments and directives are kept as they are.

    Returns
    -------
    Program
        The guarded program, or ``program`` itself when no rule needs a guard.
    """
    expect_type(program, Program, "a Program (parse_program or parse_file gives one)")
    statements = tuple(add_domain_guard(s) if isinstance(s, Rule) else s for s in program.statements)
    if all(a is b for a, b in zip(statements, program.statements)):
        return program
    return replace(program, statements=statements)
