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

from dataclasses import replace
from typing import Iterable, Iterator

from nesyasp.errors import Diagnostic, Location, expect_type
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
        name = _linear_variable(term)
        if name is not None:  # linear terms such as X+1, 2*X-1 or -X are inverted by gringo
            yield name


def _linear_variable(term: Term) -> str | None:
    """The one variable of a term that gringo inverts: built from it by ``+ c``, ``- c``, ``c -``, ``* c``
    (``c`` variable-free and not 0) and unary ``-``; None for anything else (``X/2``, ``X\\2``, ``2**X``,
    ``X+X``, ``X*0``)."""
    while True:
        t = type(term)
        if t is Variable:
            return term.name  # type: ignore[union-attr]
        if t is UnaryOperation:
            term = term.argument  # type: ignore[union-attr]
            continue
        if t is Function:  # f(X)+1: gringo binds X (no value matches)
            names = set(term_variables(term))
            return names.pop() if len(names) == 1 and next(_binding_variables(term), None) else None
        if t is not BinaryOperation or term.operator not in ("+", "-", "*"):  # type: ignore[union-attr]
            return None
        left, right = term.left, term.right  # type: ignore[union-attr]
        left_ground = next(term_variables(left), None) is None
        if left_ground == (next(term_variables(right), None) is None):
            return None  # both sides hold variables, or neither
        if term.operator == "*" and _is_zero(left if left_ground else right):  # type: ignore[union-attr]
            return None
        term = right if left_ground else left


def _is_zero(term: Term) -> bool:
    """True when a variable-free term is the integer 0 (``0``, ``1-1``, ``-(2*0)``)."""
    def value(t: Term) -> int | None:
        if type(t) is Integer:
            return t.value  # type: ignore[union-attr]
        if type(t) is UnaryOperation:
            inner = value(t.argument)  # type: ignore[union-attr]
            return None if inner is None else -inner
        if type(t) is BinaryOperation and t.operator in ("+", "-", "*"):  # type: ignore[union-attr]
            a, b = value(t.left), value(t.right)  # type: ignore[union-attr]
            if a is None or b is None:
                return None
            return a + b if t.operator == "+" else a - b if t.operator == "-" else a * b  # type: ignore
        return None
    return value(term) == 0


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
    ``V = term`` from safe variables). Each anonymous variable ``_`` is a variable
    of its own, as in clingo: never safe in the head, safe in a positive atom where
    it is bound, and under ``not`` as an argument or inside a function term
    (clingo projects it away: ``not q(X,_)``), not inside arithmetic
    (``not q(_+1)``). An unsafe ``_`` is listed once, as ``_``.

    Parameters
    ----------
    rule:
        The rule to inspect.
    example_guard:
        When True, the variable that is the head's first argument counts as
        safe: the reasoner adds a domain atom for it (FOLD-style rules such as
        ``target(X,c) :- not ab1(X).``).

    Returns
    -------
    list of str
        The unsafe variables' names; empty for a safe rule.

    Examples
    --------
    >>> from nesyasp.lang.parser import parse_program
    >>> rule = parse_program("target(X,c) :- not ab1(X), N > 3.").rules[0]
    >>> unsafe_variables(rule), unsafe_variables(rule, example_guard=True)
    (['X', 'N'], ['N'])
    """
    expect_type(rule, Rule, "a Rule (parse_program(text).rules has them)")
    return list(dict.fromkeys(_ANONYMOUS if name.startswith(_ANONYMOUS) else name
                              for name in _unsafe(_fresh_anonymous(rule), example_guard)))


def _unsafe(rule: Rule, example_guard: bool) -> list[str]:
    seen: dict[str, None] = {}
    bound: set[str] = set()
    assignments: list[Comparison] = []
    head = rule.head
    if type(head) is Atom:
        _note(head.arguments, seen, None, False)
        if example_guard and head.arguments and type(head.arguments[0]) is Variable \
                and not head.arguments[0].name.startswith(_ANONYMOUS):
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


#: Each ``_`` that is not projected away gets the name ``_#k`` (no variable is spelled so) for the analysis.
_ANONYMOUS = "_"


def _fresh_anonymous(rule: Rule) -> Rule:
    """``rule`` with each ``_`` renamed ``_#1``, ``_#2``, ... but those that clingo projects away (under ``not``,
    as an argument or inside a function term), which stay ``_``; locations are kept."""
    count = [0]

    def rename(term: Term, projected: bool) -> Term:
        t = type(term)
        if t is Variable:
            if term.name != "_" or projected:  # type: ignore[union-attr]
                return term
            count[0] += 1
            return Variable(f"_#{count[0]}", term.loc)
        if t is Function:
            return replace(term, arguments=tuple(rename(a, projected) for a in term.arguments))  # type: ignore
        if t is BinaryOperation:
            return replace(term, left=rename(term.left, False), right=rename(term.right, False))  # type: ignore
        if t is UnaryOperation:
            return replace(term, argument=rename(term.argument, False))  # type: ignore[union-attr]
        return term

    if not any("_" in lit.variables() for lit in rule.body if type(lit) is Literal) and not (
            type(rule.head) is Atom and "_" in rule.head.variables()):
        return rule
    head = rule.head
    if type(head) is Atom:
        head = replace(head, arguments=tuple(rename(a, False) for a in head.arguments))
    body = []
    for lit in rule.body:
        if type(lit) is Literal:
            atom = lit.atom
            if type(atom) is Atom:
                negated = lit.negated
                atom = replace(atom, arguments=tuple(rename(a, negated) for a in atom.arguments))
            else:
                atom = replace(atom, left=rename(atom.left, False), right=rename(atom.right, False))
            lit = replace(lit, atom=atom)
        body.append(lit)
    return replace(rule, head=head, body=tuple(body))


#: The example domain predicate (arity 1); see :mod:`nesyasp.lang.domain`.
DOMAIN_PREDICATE = "_example"


def needs_domain_guard(rule: Rule) -> bool:
    """True when the head's first argument is a variable that no positive body atom binds.

    Parameters
    ----------
    rule:
        A rule of a parsed program (ground facts and constraints need no guard).

    Returns
    -------
    bool
        Whether :func:`add_domain_guard` adds ``_example(X)`` to it.
    """
    expect_type(rule, Rule, "a Rule (parse_program(text).rules has them)")
    head = rule.head
    if type(head) is not Atom or not head.arguments or type(head.arguments[0]) is not Variable:
        return False
    name = head.arguments[0].name
    return name != "_" and name in unsafe_variables(rule)


def safety_errors(rule: Rule, example_guard: bool) -> Iterator[Diagnostic]:
    """The :class:`SafetyError` diagnostic of ``rule`` when it has unsafe variables (see :func:`unsafe_variables`)."""
    fresh = _fresh_anonymous(rule)
    raw = _unsafe(fresh, example_guard)
    if not raw:
        return
    unsafe = list(dict.fromkeys(_ANONYMOUS if name.startswith(_ANONYMOUS) else name for name in raw))
    names = ", ".join(unsafe)
    plural = "s" if len(unsafe) > 1 else ""
    hint = "add a positive body atom that binds " + ("them" if plural else "it")
    head = rule.head
    if (not example_guard and len(unsafe) == 1 and type(head) is Atom and head.arguments
            and head.arguments[0] == Variable(unsafe[0])):
        hint += (f" (a FOLD-style rule on the example variable: plain clingo needs "
                 f"{DOMAIN_PREDICATE}({unsafe[0]}) in the body)")
    yield Diagnostic("error", f"unsafe variable{plural} {names} in rule: {hint}",
                     _first_occurrence(fresh, raw[0]), "SafetyError")


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
