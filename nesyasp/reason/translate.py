"""From the rule language to the exact clingo program the reasoner grounds.

What changes on the way, and why (nothing else does):

* **Domain atom.** A rule whose head's first argument is a variable that no
  positive body atom binds (learned rules such as
  ``target(X,bathroom) :- not f398(X), not ab1(X).``) gets the domain atom
  ``_example(X)`` (:data:`DOMAIN_PREDICATE`) as its first body literal. Every
  example's facts include ``_example(id)``: the reasoner adds it for every
  table row and dict or tuple example, and for the first argument of every
  fact (see :mod:`nesyasp.reason.facts`). Any other unsafe variable is a
  :class:`~nesyasp.errors.SafetyError`.
* **Decimals.** clingo has no floats. A comparison that contains decimals is
  scaled by ``10**k``, ``k`` the largest number of decimals among *its* decimals:
  a decimal ``d`` becomes the integer ``d*10**k`` and the other side ``t``
  becomes ``(t)*10**k``. ``N > 30.25`` is ground as ``N*100 > 3025``, which is
  exactly ``N > 30.25`` for every integer ``N`` with ``|N|*10**k`` below 2**31
  (the reasoner rejects integer facts past that bound). A value that is not a
  number makes such a comparison undefined, so the rule instance does not
  exist (also under ``not``); justifications say the same. Decimals anywhere
  else (in atoms, inside arithmetic) are rejected.
* **Integers** outside clingo's 32-bit range are rejected (clingo would wrap).
* Each anonymous variable ``_`` of a positive body atom gets its own name
  (``_Anon1``, same meaning), so a justification can show the value it matched.
* Quoted constants, numeric predicate names and Prolog operators were already
  normalized by the parser; ``#pred``, ``#show`` and comments are not sent.

Each rule is printed on its own line, so a clingo message about line ``n``
maps back to the rule's file:line:col (:attr:`Translation.locations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Function, Integer, Literal, Pred, Program, Real,
                              Rule, UnaryOperation, Unsupported, Variable)
from nesyasp.lang.checks import DOMAIN_PREDICATE, check_program
from nesyasp.lang.domain import add_domain_guard, has_domain_guard
from nesyasp.errors import Location, ReasoningError
from nesyasp.reason.terms import INT_MAX

__all__ = ["DOMAIN_PREDICATE", "Translation", "translate", "scale_comparison"]


@dataclass(frozen=True)
class Translation:
    """A program ready for clingo.

    Attributes
    ----------
    rules:
        The rules with a body and the constraints, domain atoms added, decimals kept
        (the justifier reads these; their ground instances are the ones clingo uses).
    facts:
        The program's own ground facts.
    text:
        The clingo text of ``rules`` and ``facts``, decimals scaled, one statement a line.
    locations:
        ``locations[n-1]`` is the source location of line ``n`` of ``text``.
    preds:
        ``#pred`` annotations by ``(name, arity)``.
    guarded:
        Indices into ``rules`` of the rules that received the domain atom.
    max_scale:
        The largest scale ``10**k`` used in a comparison (1 when there are no decimals).
    """

    rules: tuple[Rule, ...]
    facts: tuple[Rule, ...]
    text: str
    locations: tuple[Location, ...]
    preds: dict[tuple[str, int], Pred] = field(default_factory=dict)
    guarded: frozenset[int] = frozenset()
    max_scale: int = 1


def _decimals(real: Real) -> int:
    exponent = real.value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _reals(term: object) -> list[Real]:
    if type(term) is Real:
        return [term]
    if type(term) is UnaryOperation:
        return _reals(term.argument)
    if type(term) is BinaryOperation:
        return _reals(term.left) + _reals(term.right)
    if type(term) is Function:
        return [r for a in term.arguments for r in _reals(a)]
    return []


def _scaled_side(term: object, scale: int, loc: Location) -> object:
    value: Decimal | None = None
    if type(term) is Real:
        value = term.value
    elif type(term) is UnaryOperation and type(term.argument) is Real:
        value = -term.argument.value
    elif _reals(term):
        raise ReasoningError(f"decimal inside the term {term}: clingo has no floats; decimals may only be "
                             "compared directly (as in N > 30.5)", loc)
    if value is None:
        return BinaryOperation("*", term, Integer(scale)) if scale != 1 else term
    scaled = value * scale
    if abs(scaled) > INT_MAX:
        raise ReasoningError(f"decimal {value} scaled by {scale} does not fit clingo's 32-bit integers", loc)
    return Integer(int(scaled))


def scale_comparison(cmp: Comparison) -> tuple[Comparison, int]:
    """The integer comparison clingo grounds for ``cmp``, and its scale ``10**k``.

    >>> from nesyasp.lang.ast import Comparison, Variable, Real
    >>> c, s = scale_comparison(Comparison(">", Variable("N"), Real("30.25")))
    >>> str(c), s
    ('N*100>3025', 100)
    """
    reals = _reals(cmp.left) + _reals(cmp.right)
    if not reals:
        return cmp, 1
    scale = 10 ** max(_decimals(r) for r in reals)
    left = _scaled_side(cmp.left, scale, cmp.loc)
    right = _scaled_side(cmp.right, scale, cmp.loc)
    return Comparison(cmp.operator, left, right, cmp.loc), scale


def _reject_reals_in_atom(atom: Atom) -> None:
    for arg in atom.arguments:
        if _reals(arg):
            raise ReasoningError(f"decimal in the atom {atom}: clingo has no floats; compare decimals in the body "
                                 "(N > 30.5) and keep atom arguments integers or constants", atom.loc)


def _guard(rule: Rule) -> tuple[Rule, bool]:
    guarded = add_domain_guard(rule)
    return guarded, guarded is not rule or has_domain_guard(rule)


def _name_anonymous(rule: Rule) -> Rule:
    """Give each ``_`` of a positive body atom its own name (``_Anon1``), so justifications can show
    the value it stood for; ``_`` under ``not`` keeps its meaning (no matching atom)."""
    counter = [0]

    def rename(term: object) -> object:
        if type(term) is Variable and term.name == "_":
            counter[0] += 1
            return Variable(f"_Anon{counter[0]}", term.loc)
        if type(term) is Function:
            return replace(term, arguments=tuple(rename(a) for a in term.arguments))
        return term

    body = []
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated:
            lit = replace(lit, atom=replace(lit.atom, arguments=tuple(rename(a) for a in lit.atom.arguments)))
        body.append(lit)
    return replace(rule, body=tuple(body)) if counter[0] else rule


def _clingo_rule(rule: Rule) -> tuple[Rule, int]:
    body, top = [], 1
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Comparison):
            cmp, scale = scale_comparison(lit.atom)
            top = max(top, scale)
            body.append(replace(lit, atom=cmp))
        else:
            if isinstance(lit, Literal):
                _reject_reals_in_atom(lit.atom)
            body.append(lit)
    return replace(rule, body=tuple(body)), top


def translate(program: Program, check: bool = True) -> Translation:
    """Translate a parsed program (``#include`` already resolved) for clingo.

    Parameters
    ----------
    program:
        The program; it is checked first (``example_guard=True``) unless ``check`` is False.
    check:
        Run :func:`nesyasp.lang.check_program` (raises its first error).

    Raises
    ------
    ReasoningError
        For decimals outside comparisons or decimals that do not fit 32 bits.
    """
    if check:
        check_program(program, example_guard=True)
    rules, facts, lines, locations, guarded, top = [], [], [], [], set(), 1
    for rule in program.rules:
        if rule.head is not None and not isinstance(rule.head, Unsupported):
            _reject_reals_in_atom(rule.head)
        if rule.is_fact and not list(rule.head.variables()):
            facts.append(rule)
            lines.append(str(rule))
            locations.append(rule.loc)
            continue
        rule, was_guarded = _guard(_name_anonymous(rule))
        if was_guarded:
            guarded.add(len(rules))
        rules.append(rule)
        clingo_rule, scale = _clingo_rule(rule)
        top = max(top, scale)
        lines.append(str(clingo_rule))
        locations.append(rule.loc)
    preds = {p.atom.signature: p for p in program.preds}
    return Translation(tuple(rules), tuple(facts), "".join(line + "\n" for line in lines), tuple(locations),
                       preds, frozenset(guarded), top)

