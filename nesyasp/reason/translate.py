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
* **Decimals** are exact scaled integers (:mod:`nesyasp.reason.decimals`):
  ``N > 30.25`` is ground as ``N*100 > 3025``, ``oldpeak(p1,1.2)`` as
  ``oldpeak(p1,12)`` when that argument position holds one decimal. What has
  no exact encoding is rejected by ``nesyasp check`` already.
* **Integers** outside clingo's 32-bit range are rejected (clingo would wrap).
* Each anonymous variable ``_`` of a positive body atom gets its own name
  (``_Anon1``, same meaning), so a justification can show the value it
  matched; justifications print it as ``_`` again.
* **Integrity constraints** ``:- body.`` become ``_violated(k,v(X,...)) :- body.``,
  so that a violated constraint is reported with its ground atoms and
  position instead of a bare "no model".
* Quoted constants, numeric predicate names and Prolog operators were already
  normalized by the parser; ``#pred``, ``#show`` and comments are not sent.

Each rule is printed on its own line, so a clingo message about line ``n``
maps back to the rule's file:line:col (:attr:`Translation.locations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from nesyasp.lang.ast import (Atom, Comparison, Function, Literal, Pred, Program, Real,
                              Rule, UnaryOperation, Variable)
from nesyasp.lang.checks import DOMAIN_PREDICATE, check_program
from nesyasp.lang.domain import add_domain_guard, has_domain_guard
from nesyasp.errors import Location, expect_type
from nesyasp.reason.decimals import Encoding, violation_head
from nesyasp.reason.division import trap_free_rule

__all__ = ["DOMAIN_PREDICATE", "Translation", "translate", "scale_comparison", "PredTable", "ANONYMOUS_PREFIX",
           "clingo_text", "name_anonymous"]

#: Names given to the anonymous variables of positive body atoms (shown as ``_``).
ANONYMOUS_PREFIX = "_Anon"


class PredTable(dict):
    """``#pred`` annotations: a dict ``(name, arity) -> Pred`` (the last one given) that keeps them all.

    ``#pred target(X,bedroom) :: '@(X) is a bedroom'.`` and ``#pred target(X,kitchen) ::
    '@(X) is a kitchen'.`` are both kept in :attr:`by_signature`; the renderers use the most
    specific annotation that matches an atom, and none when none matches.
    """

    def __init__(self, preds: tuple[Pred, ...] = ()):
        super().__init__((p.atom.signature, p) for p in preds)
        self.by_signature: dict[tuple[str, int], list[Pred]] = {}
        for pred in preds:
            self.by_signature.setdefault(pred.atom.signature, []).append(pred)


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
        ``#pred`` annotations by ``(name, arity)`` (a :class:`PredTable`, which keeps every
        annotation of a signature).
    guarded:
        Indices into ``rules`` of the rules that received the domain atom.
    max_scale:
        The largest scale ``10**k`` used in a comparison (1 when there are no decimals).
    encoding:
        The scaled clingo form of the rules (:class:`~nesyasp.reason.decimals.Encoding`), from
        the program alone; facts given later with more decimals give a new one.
    """

    rules: tuple[Rule, ...]
    facts: tuple[Rule, ...]
    text: str
    locations: tuple[Location, ...]
    preds: dict[tuple[str, int], Pred] = field(default_factory=dict)
    guarded: frozenset[int] = frozenset()
    max_scale: int = 1
    encoding: Encoding | None = None


def scale_comparison(cmp: Comparison) -> tuple[Comparison, int]:
    """The integer comparison clingo grounds for ``cmp`` (variables holding integers), and its scale ``10**k``.

    >>> from nesyasp.lang.ast import Comparison, Variable, Real
    >>> c, s = scale_comparison(Comparison(">", Variable("N"), Real("30.25")))
    >>> str(c), s
    ('N*100>3025', 100)
    """
    expect_type(cmp, Comparison, "a Comparison")
    encoding = Encoding.build([Rule(None, (Literal(cmp),), cmp.loc)])
    scaled = encoding.rules[0].body[0].atom
    return scaled, max(encoding.max_scale, _scale_of(cmp))  # type: ignore[return-value]


def _scale_of(cmp: Comparison) -> int:
    from nesyasp.reason.decimals import real_places

    places = [real_places(t.value) for t in (cmp.left, cmp.right) if type(t) is Real]
    places += [real_places(t.argument.value) for t in (cmp.left, cmp.right)
               if type(t) is UnaryOperation and type(t.argument) is Real]
    return 10 ** max(places, default=0)


def _guard(rule: Rule) -> tuple[Rule, bool]:
    guarded = add_domain_guard(rule)
    return guarded, guarded is not rule or has_domain_guard(rule)


def name_anonymous(rule: Rule) -> Rule:
    """Give each ``_`` of a positive body atom or ``=`` comparison its own name (``_Anon1``), so
    justifications can show the value it stood for; ``_`` under ``not`` keeps its meaning (no matching atom)."""
    counter = [0]

    def rename(term: object) -> object:
        if type(term) is Variable and term.name == "_":
            counter[0] += 1
            return Variable(f"{ANONYMOUS_PREFIX}{counter[0]}", term.loc)
        if type(term) is Function:
            return replace(term, arguments=tuple(rename(a) for a in term.arguments))
        return term

    body = []
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated:
            lit = replace(lit, atom=replace(lit.atom, arguments=tuple(rename(a) for a in lit.atom.arguments)))
        elif isinstance(lit, Literal) and isinstance(lit.atom, Comparison) and lit.atom.operator == "=" \
                and not lit.negated:  # S = circle(_) matches S, as gringo does
            lit = replace(lit, atom=replace(lit.atom, left=rename(lit.atom.left), right=rename(lit.atom.right)))
        body.append(lit)
    return replace(rule, body=tuple(body)) if counter[0] else rule


def clingo_text(translation: Translation, encoding: Encoding, facts: bool = True) -> str:
    """The clingo program of ``translation`` under ``encoding``: one statement a line, constraints as
    ``_violated`` rules (see :func:`~nesyasp.reason.decimals.violation_head`), divisions written so that
    clingo cannot trap on them (:mod:`nesyasp.reason.division`)."""
    lines = []
    for k, rule in enumerate(encoding.rules):
        if rule.head is None:
            rule = Rule(violation_head(k, rule), rule.body, rule.loc)
        lines.append(str(trap_free_rule(rule)))
    if facts:
        lines.extend(str(trap_free_rule(Rule(_encoded_fact(encoding, f.head), (), f.loc))) for f in translation.facts)
    return "".join(line + "\n" for line in lines)


def _encoded_fact(encoding: Encoding, head: Atom) -> Atom:
    if encoding.trivial:
        return head
    from nesyasp.reason.terms import ground_atom, symbol_term

    symbol = encoding.encode_atom(ground_atom(head, {}))
    return Atom(symbol.name, tuple(symbol_term(a) for a in symbol.arguments), head.loc)


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
        For decimals that have no exact encoding or do not fit 32 bits.
    """
    if check:
        check_program(program, example_guard=True)
    rules, facts, rule_locations, fact_locations, guarded = [], [], [], [], set()
    for rule in program.rules:
        if rule.is_fact and not list(rule.head.variables()):
            facts.append(rule)
            fact_locations.append(rule.loc)
            continue
        rule, was_guarded = _guard(name_anonymous(rule))
        if was_guarded:
            guarded.add(len(rules))
        rules.append(rule)
        rule_locations.append(rule.loc)
    encoding = Encoding.build(rules, facts)
    partial = Translation(tuple(rules), tuple(facts), "", (), {}, frozenset(guarded), encoding.max_scale, encoding)
    return replace(partial, text=clingo_text(partial, encoding), locations=tuple(rule_locations + fact_locations),
                   preds=PredTable(program.preds))
