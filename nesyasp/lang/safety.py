"""Safety of rules: which variables no positive body atom binds, and the example domain.

A variable is safe when a positive body atom binds it, as gringo decides:
linear arithmetic such as ``X+1`` is inverted, ``V = term`` assigns. The
reasoner accepts one exception, FOLD-style rules whose head's first argument
occurs only under ``not`` (:mod:`nesyasp.lang.domain`). :mod:`nesyasp.lang.checks`
turns the findings into diagnostics and re-exports the public names.

Examples
--------
>>> from nesyasp.lang.parser import parse_program
>>> unsafe_variables(parse_program("p(X,Y) :- q(X), Y = X+1, not r(Z).").rules[0])
['Z']
>>> needs_domain_guard(parse_program("target(X,c) :- not ab1(X).").rules[0])
True
"""

from __future__ import annotations

from typing import Iterable, Iterator

from nesyasp.errors import Diagnostic, Location
from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Constant, Function, Integer, Literal, Real, Rule,
                              String, Term, UnaryOperation, Unsupported, Variable, term_variables)

__all__ = ["unsafe_variables", "needs_domain_guard", "DOMAIN_PREDICATE", "LEAF_TERMS", "safety_errors",
           "domain_note"]


#: The term classes that hold no variable.
LEAF_TERMS = frozenset((Constant, Integer, Real, String))


def _binding_variables(term: Term) -> Iterator[str]:
    """Variables that a positive atom argument binds (as gringo does)."""
    if isinstance(term, Variable):
        yield term.name
    elif isinstance(term, Function):
        for arg in term.arguments:
            yield from _binding_variables(arg)
    elif isinstance(term, (BinaryOperation, UnaryOperation)):
        names = list(term_variables(term))
        if len(names) == 1:  # linear terms such as X+1 or -X are inverted by gringo
            yield names[0]


def _note(terms: Iterable[Term], seen: dict[str, None], bound: set[str] | None, skip_anonymous: bool) -> None:
    """Record the variables of ``terms`` in ``seen``; those they bind in ``bound`` (when given)."""
    for term in terms:
        t = type(term)
        if t is Variable:
            name = term.name
            if skip_anonymous and name == "_":
                continue
            seen[name] = None
            if bound is not None:
                bound.add(name)
        elif t not in LEAF_TERMS:
            for name in term_variables(term):
                if not (skip_anonymous and name == "_"):
                    seen[name] = None
            if bound is not None:
                bound.update(_binding_variables(term))


def _assign(bound: set[str], assignments: list[Comparison]) -> None:
    """Extend ``bound`` with the variables that ``V = term`` assignments bind, to a fixpoint."""
    changed = True
    while changed and assignments:
        changed = False
        for cmp in list(assignments):
            for one, other in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
                if all(v in bound for v in term_variables(other)):
                    free = {v for v in term_variables(one) if v not in bound}
                    if free and free <= set(_binding_variables(one)):  # X = f(1,Y), f(_,Y) = X, Y = X+1
                        bound.update(free)
                        assignments.remove(cmp)
                        changed = True
                        break


def unsafe_variables(rule: Rule, example_guard: bool = False) -> list[str]:
    """Names of the variables of ``rule`` that no positive body atom binds, in first-seen order.

    A variable is safe when it occurs in a positive body atom (or is assigned by
    ``V = term`` from safe variables). The anonymous variable ``_`` under
    ``not`` is always safe (clingo projects it away).

    Parameters
    ----------
    rule:
        The rule to inspect.
    example_guard:
        When True, the variable that is the head's first argument counts as
        safe: the reasoner adds a domain atom for it (FOLD-style rules such as
        ``target(X,c) :- not ab1(X).``).

    Examples
    --------
    >>> from nesyasp.lang.parser import parse_program
    >>> rule = parse_program("target(X,c) :- not ab1(X), N > 3.").rules[0]
    >>> unsafe_variables(rule), unsafe_variables(rule, example_guard=True)
    (['X', 'N'], ['N'])
    """
    seen: dict[str, None] = {}
    bound: set[str] = set()
    assignments: list[Comparison] = []
    head = rule.head
    if type(head) is Atom:
        _note(head.arguments, seen, None, False)
        if example_guard and head.arguments and type(head.arguments[0]) is Variable:
            bound.add(head.arguments[0].name)
    for lit in rule.body:
        if type(lit) is not Literal:
            continue
        atom = lit.atom
        if type(atom) is Atom:
            _note(atom.arguments, seen, None if lit.negated else bound, lit.negated)
        else:
            _note((atom.left, atom.right), seen, None, False)
            if not lit.negated and atom.operator == "=":
                assignments.append(atom)
    if assignments:
        _assign(bound, assignments)
    return [name for name in seen if name not in bound]


#: The example domain predicate (arity 1); see :mod:`nesyasp.lang.domain`.
DOMAIN_PREDICATE = "_example"


def needs_domain_guard(rule: Rule) -> bool:
    """True when the head's first argument is a variable that no positive body atom binds."""
    head = rule.head
    if type(head) is not Atom or not head.arguments or type(head.arguments[0]) is not Variable:
        return False
    name = head.arguments[0].name
    return name != "_" and name in unsafe_variables(rule)


def safety_errors(rule: Rule, example_guard: bool) -> Iterator[Diagnostic]:
    """The :class:`SafetyError` diagnostic of ``rule`` when it has unsafe variables (see :func:`unsafe_variables`)."""
    unsafe = unsafe_variables(rule, example_guard)
    if not unsafe:
        return
    names = ", ".join(unsafe)
    plural = "s" if len(unsafe) > 1 else ""
    hint = "add a positive body atom that binds " + ("them" if plural else "it")
    head = rule.head
    if (not example_guard and len(unsafe) == 1 and type(head) is Atom and head.arguments
            and head.arguments[0] == Variable(unsafe[0])):
        hint += (f" (a FOLD-style rule on the example variable: plain clingo needs "
                 f"{DOMAIN_PREDICATE}({unsafe[0]}) in the body)")
    yield Diagnostic("error", f"unsafe variable{plural} {names} in rule: {hint}",
                     _first_occurrence(rule, unsafe[0]), "SafetyError")


def domain_note(rules: list[Rule]) -> Diagnostic:
    """The one ``example-domain`` note for the FOLD-style ``rules`` whose head's example variable is unbound."""
    first = rules[0]
    name = str(first.head.arguments[0])
    more = f" (and {len(rules) - 1} more rule{'s' * (len(rules) > 2)})" if len(rules) > 1 else ""
    return Diagnostic("note", f"{name} occurs only under 'not' in this rule{more}: it ranges over the examples, "
                      f"the {DOMAIN_PREDICATE}/1 atoms that nesyasp's facts hold and the reasoner adds; plain "
                      f"clingo needs {DOMAIN_PREDICATE}({name}) in the body ('nesyasp fmt --portable' adds it)",
                      _first_occurrence(first, name), "example-domain")


def _first_occurrence(rule: Rule, name: str) -> Location:
    parts: list[Atom | Literal | Unsupported] = [rule.head] if isinstance(rule.head, Atom) else []
    parts.extend(rule.body)
    for part in parts:
        if isinstance(part, Unsupported):
            continue
        terms = part.arguments if isinstance(part, Atom) else (
            part.atom.arguments if isinstance(part.atom, Atom) else (part.atom.left, part.atom.right))
        for loc in _variable_locations(terms, name):
            return loc
    return rule.loc


def _variable_locations(terms: Iterable[Term], name: str) -> Iterator[Location]:
    for term in terms:
        if isinstance(term, Variable) and term.name == name:
            yield term.loc
        elif isinstance(term, Function):
            yield from _variable_locations(term.arguments, name)
        elif isinstance(term, BinaryOperation):
            yield from _variable_locations((term.left, term.right), name)
        elif isinstance(term, UnaryOperation):
            yield from _variable_locations((term.argument,), name)
