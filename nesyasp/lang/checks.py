"""Static checks of a parsed program: language, safety, stratification, definitions.

:func:`diagnose` returns every finding as a :class:`~nesyasp.errors.Diagnostic`;
:func:`check_program` raises the first error as its exception class and
returns the warnings. A diagnostic's ``code`` is the exception class name for
errors (``SafetyError``, ...) and a short tag for warnings. Safety itself
(:func:`unsafe_variables`, the example domain) lives in :mod:`nesyasp.lang.safety`.

Examples
--------
>>> from nesyasp.lang.parser import parse_program
>>> check_program(parse_program("p(X) :- q(X), not r(X). q(1). r(2)."))
[]
>>> unsafe_variables(parse_program("p(X) :- not q(X).").rules[0])
['X']
"""

from __future__ import annotations

from typing import Iterator

from nesyasp.lang._fast import gc_paused
from nesyasp.lang._graph import dependency_graph, negative_cycles, stratification_diagnostics
from nesyasp.lang.ast import (Atom, BinaryOperation, Function, Include, Integer, Literal, Program, Real, Rule, Term,
                              UnaryOperation, Unsupported)
from nesyasp.lang.terms import INT_MAX, INT_MIN, integers_out_of_range, range_message
from nesyasp.lang.safety import (DOMAIN_PREDICATE, domain_note, needs_domain_guard, safety_errors,
                                 unsafe_variables)
from nesyasp.errors import (Diagnostic, Location, NesyaspError, ParseError, SafetyError, StratificationError,
                            UnsupportedConstructError, expect_type)

__all__ = ["check_program", "diagnose", "unsafe_variables", "dependency_graph", "negative_cycles",
           "INT_MIN", "INT_MAX", "ERROR_CLASSES", "DOMAIN_PREDICATE", "needs_domain_guard", "decimal_problems",
           "unsupported_diagnostic"]


ERROR_CLASSES: dict[str, type[NesyaspError]] = {
    "ParseError": ParseError,
    "UnsupportedConstructError": UnsupportedConstructError,
    "SafetyError": SafetyError,
    "StratificationError": StratificationError,
}

# What to write instead, keyed by a word of the construct's name.
_ADVICE = {
    "choice": "write one normal rule per alternative, or learn the choice away",
    "disjunction": "write one rule per head atom (the language has no disjunctive heads)",
    "aggregate": "count or sum in Python before reasoning, and pass the result as a fact",
    "classical": "use a positive predicate such as not_p(X) or default negation 'not p(X)'",
    "interval": "write one fact per value",
    "tuple": "use a function term such as pair(A,B)",
    "@-term": "compute the value in Python and pass it as a fact",
    "#sup": "use an explicit integer bound",
    "double": "use a helper predicate: q :- not p.  r :- not q.",
    "#true": "drop the literal (#true) or the rule (#false)",
    "#const": "write the value where it is used",
    "weak": "optimization is outside the language; filter answers in Python",
    "#minimize": "optimization is outside the language; filter answers in Python",
    "#maximize": "optimization is outside the language; filter answers in Python",
    "#external": "pass the atom as a fact instead",
    "#program": "put everything in one program",
    "#defined": "remove it; undefined predicates are only warnings",
    "#script": "compute in Python and pass facts",
    "#show": "write '#show name/arity.'",
    "#include <": "include a file by its path in double quotes",
}


def _advice(construct: str) -> str:
    for key, text in _ADVICE.items():
        if key in construct:
            return text
    return "rewrite it with facts, normal rules and 'not'"


# ------------------------------------------------------- language, integers


def _rule_terms(rule: Rule) -> Iterator[Term]:
    if isinstance(rule.head, Atom):
        yield from rule.head.arguments
    for lit in rule.body:
        if isinstance(lit, Literal):
            if isinstance(lit.atom, Atom):
                yield from lit.atom.arguments
            else:
                yield lit.atom.left
                yield lit.atom.right


def _out_of_range(rule: Rule) -> Iterator[Integer]:
    for term in _rule_terms(rule):
        yield from integers_out_of_range(term)


def unsupported_diagnostic(part: Unsupported) -> Diagnostic:
    """The error for a construct outside the language: what it is, where, and what to write instead."""
    return Diagnostic("error", f"{part.construct} is not supported: {_advice(part.construct)}",
                      part.loc, "UnsupportedConstructError")


def _real_misuse(term: Term, inside: str | None) -> Iterator[tuple[str, Real]]:
    """``(message template, decimal)`` for each decimal of ``term`` that lies where ``inside`` says it may not."""
    t = type(term)
    if t is Real and inside is not None:
        yield inside, term  # type: ignore[misc]
    elif t is Function:
        for arg in term.arguments:  # type: ignore[union-attr]
            yield from _real_misuse(arg, f"decimal {{}} inside the compound term {term}: clingo has no floats, and "
                                    "decimals are encoded exactly only as atom arguments, in comparisons and in "
                                    "arithmetic with + - *")
    elif t is BinaryOperation:
        what = inside
        if term.operator in ("/", "\\", "**"):  # type: ignore[union-attr]
            what = (f"decimal {{}} in '{term.operator}' ({term}): clingo's integers cannot compute it "  # type: ignore[union-attr]
                    "exactly; compute the value in Python and pass it as a fact")
        yield from _real_misuse(term.left, what)  # type: ignore[union-attr]
        yield from _real_misuse(term.right, what)  # type: ignore[union-attr]
    elif t is UnaryOperation:
        yield from _real_misuse(term.argument, inside)  # type: ignore[union-attr]


def decimal_problems(rule: Rule) -> Iterator[tuple[str, Location]]:
    """What the reasoner's exact decimal encoding cannot run, as ``(message, location)`` pairs.

    Decimals are fine as atom arguments (``oldpeak(p1,1.2)``), in comparisons
    and in arithmetic with ``+ - *``; a decimal inside a compound term
    (``f(1.5)``) or in ``/``, ``\\`` or ``**`` has no exact integer encoding.

    >>> from nesyasp.lang.parser import parse_program
    >>> [m.split(":")[0] for m, _ in decimal_problems(parse_program("p(X) :- q(X,N), N/2.5 > 1.").rules[0])]
    ["decimal 2.5 in '/' (N/2.5)"]
    """
    for term in _rule_terms(rule):
        for template, real in _real_misuse(term, None):
            yield template.format(real), real.loc


def _language(rule: Rule) -> Iterator[Diagnostic]:
    if type(rule.head) is Unsupported:
        yield unsupported_diagnostic(rule.head)
    for part in rule.body:
        if type(part) is Unsupported:
            yield unsupported_diagnostic(part)
    for message, loc in decimal_problems(rule):
        yield Diagnostic("error", message, loc, "UnsupportedConstructError")
    for number in _out_of_range(rule):
        yield Diagnostic("error", range_message(number), number.loc, "UnsupportedConstructError")


def _merge_includes(program: Program, found: list[Diagnostic]) -> Program:
    """The program with its ``#include``d files in place; each broken ``#include`` becomes an error."""
    if not any(isinstance(stmt, Include) for stmt in program.statements):
        return program
    from nesyasp.lang.parser import resolve_includes

    return resolve_includes(program, lambda e: found.append(Diagnostic("error", e.message, e.location, "ParseError")))


# ---------------------------------------------------------- definitions


def _definitions(program: Program, whole: Program | None = None) -> Iterator[Diagnostic]:
    defined: set[tuple[str, int]] = {(r.head.predicate, len(r.head.arguments)) for r in (whole or Program()).rules
                                     if type(r.head) is Atom}
    used: dict[tuple[str, int], Location] = {}  # body signature -> first use
    first_use: dict[tuple[str, int], Location] = {}
    for rule in program.rules:
        head = rule.head
        if type(head) is Atom:
            sig = (head.predicate, len(head.arguments))
            defined.add(sig)
            if sig not in first_use:
                first_use[sig] = head.loc
        for lit in rule.body:
            if type(lit) is Literal and type(lit.atom) is Atom:
                atom = lit.atom
                sig = (atom.predicate, len(atom.arguments))
                if sig not in used:
                    used[sig] = atom.loc
    for sig, loc in used.items():
        first_use.setdefault(sig, loc)
        if sig not in defined:
            yield Diagnostic("warning", f"predicate {sig[0]}/{sig[1]} is used but never defined "
                             "(no rule or fact has it as head; supply it as facts)", loc, "undefined-predicate")
    arities: dict[str, list[tuple[str, int]]] = {}
    for sig in first_use:
        arities.setdefault(sig[0], []).append(sig)
    for name, sigs in arities.items():
        if len(sigs) > 1:
            sigs.sort(key=lambda s: (first_use[s].begin.line, first_use[s].begin.column))
            listed = ", ".join(f"{name}/{n}" for _, n in sigs)
            yield Diagnostic("warning", f"predicate {name} is used with different arities: {listed}",
                             first_use[sigs[1]], "arity-clash")


# ----------------------------------------------------------------- entry


def diagnose(program: Program, example_guard: bool = True, whole: Program | None = None) -> list[Diagnostic]:
    """Every error and warning of ``program``, errors first within each rule, in source order.

    Parameters
    ----------
    program:
        A parsed program.
    example_guard:
        Accept an unsafe head first-argument variable (see :func:`unsafe_variables` and
        :mod:`nesyasp.lang.domain`) with one note for the program, as the reasoner runs such rules;
        False reports them as errors, as plain clingo does.
    whole:
        When ``program`` is one of several files run together (``nesyasp check rules.lp facts.lp``,
        ``clingo rules.lp facts.lp``): all of them, ``#include`` s resolved. What any of them defines
        is defined, and a cycle through ``not`` of the whole is reported with the file of its ``not``
        (so checking each file with the same ``whole`` reports it once). Only ``program``'s own
        syntax and safety are checked.

    Returns
    -------
    list of Diagnostic
        The errors, warnings and notes; nothing is raised.
    """
    expect_type(program, Program, "a parsed Program (parse_program(text) or parse_file(path) gives one)")
    found: list[Diagnostic] = []
    domain: list[Rule] = []
    with gc_paused():
        program = _merge_includes(program, found)  # included rules are checked with the program's
        for rule in program.rules:
            language = list(_language(rule))
            found.extend(language)
            if not language:
                found.extend(safety_errors(rule, example_guard))
                if example_guard and needs_domain_guard(rule):
                    domain.append(rule)
        if domain:
            found.append(domain_note(domain))
        found.extend(_stratification(program, whole))
        found.extend(_definitions(program, whole))
        found.extend(_annotations(program))
    return found


def _stratification(program: Program, whole: Program | None) -> Iterator[Diagnostic]:
    """Cycles through ``not`` in ``program``, or those of ``whole`` whose ``not`` is in ``program``'s files."""
    if whole is None:
        yield from stratification_diagnostics(program)
        return
    own = {stmt.loc.begin.file for stmt in program.statements if getattr(stmt, "loc", None) is not None}
    for diag in stratification_diagnostics(whole):
        if diag.location is None or diag.location.begin.file in own:
            yield diag


def _annotations(program: Program) -> Iterator[Diagnostic]:
    """A warning for each ``#pred`` whose text names a variable its atom does not have (``@(Y)`` in
    ``#pred cold(X) :: '@(Y) is cold'.``): explanations use the default wording for it."""
    for pred in program.preds:
        unknown = pred.unknown_placeholders()
        if unknown:
            listed = ", ".join(f"@({name})" for name in dict.fromkeys(unknown))
            yield Diagnostic("warning", f"#pred {pred.atom}: {listed} is no variable of {pred.atom}; explanations "
                             "use the default wording for it", pred.loc, "pred-placeholder")


def check_program(program: Program, example_guard: bool = True, text: str | None = None
                  ) -> list[Diagnostic]:
    """Check ``program``; raise its first error, return its warnings.

    Parameters
    ----------
    program:
        A parsed program.
    example_guard:
        Accept an unsafe head first-argument variable, as :func:`diagnose` does (the default);
        False raises :class:`SafetyError` for it, as plain clingo refuses it.
    text:
        The program's source text, for the caret line of the error message
        (read from the file named in the location when omitted).

    Returns
    -------
    list of Diagnostic
        The warnings (and notes), in source order.

    Raises
    ------
    UnsupportedConstructError, SafetyError, StratificationError
        The first error found, with its location and the program's source line.
    """
    found = diagnose(program, example_guard)
    for diag in found:
        if diag.severity == "error":
            if diag.code == "StratificationError":
                cycles = negative_cycles(program)
                cycle = cycles[0][0] if cycles else ()
                raise StratificationError(diag.message, cycle, diag.location, text)
            raise ERROR_CLASSES.get(diag.code, NesyaspError)(diag.message, diag.location, text)
    return [d for d in found if d.severity != "error"]
