"""Turn a raw rule set (``f295(X)``) into a labelled one (``bed1(X)``) on the AST.

The raw rule set that rule extraction writes uses one unary predicate per
filter, ``f<k>``. Labelling renames those predicates with
:func:`dataclasses.replace` on the atoms (never by editing text), keeps the
mapping from each label back to its filter, and adds s(CASP)-style ``#pred``
annotations so that justifications read in concept words.

Examples
--------
>>> from nesyasp.lang.ast import Atom, Literal, Program, Rule, Variable, Constant
>>> X = Variable("X")
>>> raw = Program((Rule(Atom("target", (X, Constant("bedroom"))), (Literal(Atom("f295", (X,))),)),))
>>> lab = label_program(raw, {295: "bed1"}, {295: ("bed",)})
>>> print(lab.program, end="")
%#pred bed1(X) :: 'a bed is visible in @(X)'.
target(X,bedroom) :- bed1(X).
>>> lab.mapping
{'bed1': 295}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from nesyasp.lang.ast import (Atom, Comment, Constant, Literal, Pred, Program, Rule, Show, Statement,
                              String, Term, Variable, is_identifier)
from nesyasp.errors import DataError
from nesyasp.label.naming import concept_phrase, sanitize_concept

__all__ = [
    "LabelledProgram",
    "filter_index",
    "filter_predicate",
    "rule_filters",
    "program_predicates",
    "pred_text",
    "label_program",
    "image_facts",
    "class_of_head",
    "class_top_filters",
    "image_term",
    "filter_uses",
    "check_names",
]


def filter_index(predicate: str, prefix: str = "f") -> int | None:
    """The filter index of a raw filter predicate name, else ``None``.

    >>> filter_index("f295"), filter_index("ab1"), filter_index("f12x")
    (295, None, None)
    """
    if not predicate.startswith(prefix):
        return None
    rest = predicate[len(prefix):]
    return int(rest) if rest.isdigit() else None


def filter_predicate(k: int, prefix: str = "f") -> str:
    """The raw predicate name of filter ``k``: ``f295``."""
    return f"{prefix}{k}"


def _atoms(program: Program) -> Iterable[Atom]:
    for st in program.statements:
        if isinstance(st, Rule):
            if isinstance(st.head, Atom):
                yield st.head
            for lit in st.body:
                if isinstance(lit, Literal) and isinstance(lit.atom, Atom):
                    yield lit.atom


def rule_filters(program: Program, prefix: str = "f") -> list[int]:
    """The filters used by a raw rule set, in order of first appearance.

    A filter is a unary predicate ``<prefix><digits>`` in a rule head or body.
    """
    seen: dict[int, None] = {}
    for atom in _atoms(program):
        k = filter_index(atom.predicate, prefix)
        if k is not None and len(atom.arguments) == 1:
            seen.setdefault(k, None)
    return list(seen)


def program_predicates(program: Program) -> set[str]:
    """Every predicate name used in the rules of ``program``."""
    return {atom.predicate for atom in _atoms(program)}


@dataclass(frozen=True, slots=True)
class LabelledProgram:
    """A labelled rule set and the way back to filters.

    Attributes
    ----------
    program : Program
        The rules with filter predicates renamed, plus ``#pred`` annotations.
    mapping : dict
        Label (predicate name) to filter index.
    """

    program: Program
    mapping: dict[str, int]

    def filter_of(self, label: str) -> int:
        """The filter index behind ``label``."""
        try:
            return self.mapping[label]
        except KeyError:
            raise DataError(f"{label!r} is not a filter label of this rule set") from None


def pred_text(concepts: tuple[str, ...], k: int, label: str | None = None) -> str:
    """The ``#pred`` sentence of a labelled filter; ``label`` is named in it when given.

    >>> pred_text(("wall", "cabinet"), 38)
    'a wall and a cabinet are visible in @(X)'
    >>> pred_text(("wall",), 209, "wall2")
    'a wall (wall2) is visible in @(X)'
    >>> pred_text((), 12)
    'filter 12 (no labelled concept) is active in @(X)'
    """
    if not concepts:
        return f"filter {k} (no labelled concept) is active in @(X)"
    verb = "is" if len(concepts) == 1 else "are"
    named = f" ({label})" if label else ""
    return f"{concept_phrase(concepts)}{named} {verb} visible in @(X)"


def check_names(names: Mapping[int, str], prefix: str = "f") -> None:
    """Check that filter labels can stand for their filters: valid, one filter each, no raw name.

    Raises
    ------
    DataError
        When a label is not an ASP predicate name, two filters share a label
        (renaming would merge them), or a label is another filter's raw name
        (``f7`` for filter 13: facts that keep ``f7`` for filter 7 would fire it).
    """
    owner: dict[str, int] = {}
    for k, name in sorted(names.items()):
        if not is_identifier(name):
            raise DataError(f"label {name!r} of filter {k} is not a valid ASP predicate name")
        if name in owner:
            raise DataError(f"filters {owner[name]} and {k} have the same label {name!r}; "
                            "each filter needs a label of its own")
        other = filter_index(name, prefix)
        if other is not None and other != k:
            raise DataError(f"label {name!r} of filter {k} is the raw name of filter {other}")
        owner[name] = k


def _rename_atom(atom: Atom, names: Mapping[str, str]) -> Atom:
    new = names.get(atom.predicate) if len(atom.arguments) == 1 else None
    return replace(atom, predicate=new) if new else atom


def _rename(st: Statement, names: Mapping[str, str]) -> Statement | None:
    if isinstance(st, Rule):
        head = _rename_atom(st.head, names) if isinstance(st.head, Atom) else st.head
        body = tuple(replace(lit, atom=_rename_atom(lit.atom, names))
                     if isinstance(lit, Literal) and isinstance(lit.atom, Atom) else lit
                     for lit in st.body)
        return replace(st, head=head, body=body)
    if isinstance(st, Show) and st.arity == 1 and st.predicate in names:
        return replace(st, predicate=names[st.predicate])
    if isinstance(st, Pred):
        return replace(st, atom=_rename_atom(st.atom, names))
    return st


def label_program(
    program: Program,
    names: Mapping[int, str],
    concepts: Mapping[int, tuple[str, ...]] | None = None,
    *,
    prefix: str = "f",
    annotate: bool = True,
) -> LabelledProgram:
    """Rename filter predicates to their labels.

    Parameters
    ----------
    program : Program
        The raw rule set with predicates ``f<k>``.
    names : mapping
        Filter index to label (from :func:`~nesyasp.label.naming.name_filters`).
        Filters of the program without a name keep their raw predicate.
    concepts : mapping, optional
        Filter index to its kept concepts, for the ``#pred`` sentences.
    prefix : str
        Prefix of raw filter predicates.
    annotate : bool
        Add a ``#pred`` annotation per label (replacing any ``#pred`` of the
        raw filter predicate), after the program's leading comments. When
        several labels have the same concepts (``wall1_cabinet1``,
        ``wall3_cabinet2``), their sentences name the label so that
        justifications tell them apart.

    Returns
    -------
    LabelledProgram
    """
    check_names(names, prefix)
    used = rule_filters(program, prefix)
    renames = {filter_predicate(k, prefix): names[k] for k in used if k in names}
    clash = program_predicates(program) & (set(renames.values()) - set(renames))
    if clash:
        raise DataError(f"labels clash with predicates of the rule set: {', '.join(sorted(clash))}")
    statements = []
    for st in program.statements:
        if annotate and isinstance(st, Pred) and st.atom.predicate in renames:
            continue
        statements.append(_rename(st, renames))
    if annotate:
        X = Variable("X")
        labelled = sorted(k for k in used if k in names)
        words = {k: tuple((concepts or {}).get(k, ())) for k in labelled}
        # labels that read alike in English (Door and door, tv-set and tv set too) also name themselves
        alike = {k: tuple(sanitize_concept(c) for c in words[k]) for k in labelled}
        shared = Counter(alike.values())
        preds = [Pred(Atom(names[k], (X,)), pred_text(words[k], k, names[k] if shared[alike[k]] > 1 else None))
                 for k in labelled]
        at = next((i for i, st in enumerate(statements) if not isinstance(st, Comment)), len(statements))
        statements[at:at] = preds
    mapping = {names[k]: k for k in used if k in names}
    return LabelledProgram(Program(tuple(statements), program.source), mapping)


def class_of_head(head: object, target: str = "target") -> str | None:
    """The class name of a rule head ``target(X, c)``, else ``None``."""
    if not isinstance(head, Atom) or head.predicate != target or len(head.arguments) != 2:
        return None
    cls = head.arguments[1]
    if isinstance(cls, Constant):
        return cls.name
    if isinstance(cls, String):
        return cls.value
    return str(cls)


def _filters_under(pred: str, program: Program, prefix: str, seen: set[str],
                   positive: bool = True) -> list[tuple[int, bool]]:
    """Filters reached from ``pred``'s rules, depth first in rule order, each with its sign.

    The sign is ``True`` when the path to the filter passes an even number of ``not``.
    """
    seen.add(pred)
    found: list[tuple[int, bool]] = []
    for rule in program.rules:
        if not isinstance(rule.head, Atom) or rule.head.predicate != pred:
            continue
        for lit in rule.body:
            if not isinstance(lit, Literal) or not isinstance(lit.atom, Atom):
                continue
            sign = positive != lit.negated
            k = filter_index(lit.atom.predicate, prefix)
            if k is not None:
                found.append((k, sign))
            elif lit.atom.predicate not in seen:
                found.extend(_filters_under(lit.atom.predicate, program, prefix, seen, sign))
    return found


def _not_target(program: Program, target: str) -> Program:
    return Program(tuple(r for r in program.rules if not (isinstance(r.head, Atom) and r.head.predicate == target)))


def class_top_filters(program: Program, target: str = "target", prefix: str = "f") -> dict[str, int]:
    """Each class's top filter, as the paper picks it for its Figure 2.

    The top filter is the first non-negated filter predicate in the first
    rule of the class (searching later rules of the class when the first has
    none). For a class whose rules use filters only under ``not`` or through
    other predicates (``ab1``, ``rule1``), it is the first filter reached
    depth first that is evidence *for* the class (an even number of ``not``
    on the way), else the first filter reached. Classes whose rules reach no
    filter are left out.

    >>> from nesyasp.lang.ast import Variable
    >>> X = Variable("X")
    >>> r = Rule(Atom("target", (X, Constant("bed"))), (Literal(Atom("f9", (X,)), True), Literal(Atom("f4", (X,)))))
    >>> class_top_filters(Program((r,)))
    {'bed': 4}
    """
    rules_of: dict[str, list[Rule]] = {}
    for rule in program.rules:
        cls = class_of_head(rule.head, target)
        if cls is not None:
            rules_of.setdefault(cls, []).append(rule)
    top: dict[str, int] = {}
    for cls, rules in rules_of.items():
        positive = [filter_index(lit.atom.predicate, prefix) for rule in rules for lit in rule.body
                    if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated]
        positive = [k for k in positive if k is not None]
        if positive:
            top[cls] = positive[0]
            continue
        reached = _filters_under(target, Program(tuple(rules)) + _not_target(program, target), prefix, set())
        if reached:
            top[cls] = next((k for k, sign in reached if sign), reached[0][0])
    return top


def image_term(image_id: str) -> Term:
    """The term of an image id: a constant when it is an identifier, else a string."""
    return Constant(image_id) if is_identifier(image_id) else String(image_id)


def image_facts(
    image_id: str,
    active: Iterable[int],
    names: Mapping[int, str] | None = None,
    *,
    prefix: str = "f",
) -> Program:
    """Facts for one image's active (binarized 1) filters, in raw or labelled names.

    Parameters
    ----------
    image_id : str
        The image's constant (a string term when it is no identifier).
    active : iterable of int
        Filters whose binarized output is 1.
    names : mapping, optional
        Filter index to label; filters without a label keep the raw name.
        Without it, all facts use raw names (``f295(img)``).
    prefix : str
        Prefix of raw filter predicates.

    >>> print(image_facts("img", [295, 7], {295: "bed1"}), end="")
    f7(img).
    bed1(img).
    """
    term = image_term(image_id)
    names = names or {}
    check_names(names, prefix)
    return Program(tuple(Rule(Atom(names.get(k, filter_predicate(k, prefix)), (term,)))
                         for k in sorted(set(int(k) for k in active))))


def filter_uses(program: Program, target: str = "target", prefix: str = "f",
                own: bool = False) -> dict[int, set[tuple[str, bool]]]:
    """Which classes' rules use each filter, and with which sign.

    A class uses filter ``k`` when one of its ``target(X, class)`` rules
    reaches ``f<k>`` through its body, directly or through helper predicates
    (``ab1``, ``rule1``). The sign is ``True`` when the path passes an even
    number of ``not`` (the filter is evidence *for* the class) and ``False``
    otherwise (evidence against it).

    With ``own``, a class's rules are not followed into helper predicates
    that are the body of *another* class's rule: in FOLD-SE-M's ordered rule
    sets (``target(X,b) :- rule2(X), not rule1(X).``, ``rule1`` being the
    kitchen rule) ``not rule1`` says "the kitchen rule does not apply", and
    its filters are then used by the kitchen class only.

    >>> from nesyasp.lang import parse_program
    >>> uses = filter_uses(parse_program(
    ...     "target(X,a) :- f1(X), not ab1(X).  ab1(X) :- f2(X).  target(X,b) :- not f1(X)."))
    >>> sorted(uses[1]), sorted(uses[2])
    ([('a', True), ('b', False)], [('a', False)])
    >>> ordered = parse_program("rule1(X) :- f1(X).  target(X,a) :- rule1(X).  target(X,b) :- f2(X), not rule1(X).")
    >>> filter_uses(ordered)[1] == {("a", True), ("b", False)}, filter_uses(ordered, own=True)[1]
    (True, {('a', True)})
    """
    defs: dict[str, list[Rule]] = {}
    for rule in program.rules:
        if isinstance(rule.head, Atom):
            defs.setdefault(rule.head.predicate, []).append(rule)
    uses: dict[int, set[tuple[str, bool]]] = {}
    owner: dict[str, set[str]] = {}
    if own:
        for rule in program.rules:
            cls = class_of_head(rule.head, target)
            for lit in rule.body if cls is not None else ():
                if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated:
                    owner.setdefault(lit.atom.predicate, set()).add(cls)

    def walk(body: tuple, cls: str, positive: bool, path: frozenset[str]) -> None:
        for lit in body:
            if not isinstance(lit, Literal) or not isinstance(lit.atom, Atom):
                continue
            sign = positive != lit.negated
            k = filter_index(lit.atom.predicate, prefix)
            if k is not None and len(lit.atom.arguments) == 1:
                uses.setdefault(k, set()).add((cls, sign))
            elif lit.atom.predicate != target and lit.atom.predicate not in path and \
                    cls in owner.get(lit.atom.predicate, {cls}):
                for rule in defs.get(lit.atom.predicate, ()):
                    walk(rule.body, cls, sign, path | {lit.atom.predicate})

    for rule in program.rules:
        cls = class_of_head(rule.head, target)
        if cls is not None:
            walk(rule.body, cls, True, frozenset())
    return uses
