"""Running a ``nesyasp learn -o`` file on facts in the table's own units (``nesyasp learn --predict``).

:func:`predict_facts` runs the file through :class:`nesyasp.reason.Reasoner`
on hand-written facts (:func:`hand_facts`) or a CSV table with the column
names (:func:`table_facts`): the path of ``nesyasp query``, except that a
number the reasoner cannot hold exactly (an integer past 32 bits, a decimal
with too many digits) is turned into its order code first.
:func:`given_values` reads the numbers a ``--facts-out`` file gives as
comments beside its codes, for explanations. Split from
:mod:`nesyasp.learn.plain` (which writes the files and re-exports these).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import clingo
import numpy as np

from nesyasp.errors import DataError, expect_type
from nesyasp.lang.ast import Atom, Comment, Function, Integer, Program, Real, Rule, String, Term, UnaryOperation
from nesyasp.lang.checks import DOMAIN_PREDICATE, INT_MAX, INT_MIN
from nesyasp.learn.asp import as_columns, code_values
from nesyasp.learn.bridge import CODE, undecided
from nesyasp.learn.brief import number_text as _number
from nesyasp.learn.emit import readable_number, value_term
from nesyasp.learn.encode import BINARY, NUMERIC, feature_column
from nesyasp.learn.plain import PlainRules

if TYPE_CHECKING:
    from nesyasp.learn.brief import ValueOf

__all__ = ["hand_facts", "predict_facts", "table_facts", "given_values"]

#: The most decimals nesyasp's reasoner holds in one argument position (:mod:`nesyasp.reason.decimals`).
_REASONER_DIGITS = 9


def _decimal(term: object) -> Decimal | None:
    """The value of a number term (``63``, ``2.3``, ``-5``), else None."""
    if isinstance(term, Integer):
        return Decimal(term.value)
    if isinstance(term, Real):
        return Decimal(term.text)
    if isinstance(term, UnaryOperation) and term.operator == "-":
        inner = _decimal(term.argument)
        return None if inner is None else -inner
    return None


def _reasoner_holds(values: Sequence[Decimal]) -> bool:
    """Whether nesyasp's reasoner holds every value of one argument position exactly (scaled 32-bit integers)."""
    places = max((max(0, -int(v.as_tuple().exponent)) for v in values), default=0)
    return places <= _REASONER_DIGITS and all(abs(v.scaleb(places)) <= INT_MAX for v in values)


def hand_facts(plain: PlainRules, facts: Program) -> Program:
    """Hand-written facts (table units) for the reasoner: the numbers of a column it cannot hold become codes.

    A numeric column whose numbers the reasoner holds exactly (integers of
    32 bits, decimals whose scaled form fits) and the written rules compare
    exactly keeps them as written, so that explanations show them; any other
    column's numbers become ``code(C)`` against the rules' cut points (exact
    for any magnitude), each followed on its line by a comment with the number
    (as :func:`plain_facts` writes them), which explanations show.

    Parameters
    ----------
    plain:
        The rules of :func:`read_plain`.
    facts:
        The facts, in the table's units.

    Returns
    -------
    Program
        The facts the reasoner reads.
    """
    expect_type(plain, PlainRules, "the rules of read_plain (a PlainRules)")
    expect_type(facts, Program, "the facts (a Program: parse_file or parse_program gives one)")
    facts = _unit_facts(plain, facts)
    numeric = {f.pred for f in plain.features if f.kind == NUMERIC}
    values: dict[str, list[Decimal]] = {}
    for rule in facts.rules:
        if not rule.is_fact or not isinstance(rule.head, Atom):
            raise DataError("a facts file holds facts only (such as age(p1,63).)", rule.loc)
        args = rule.head.arguments
        if rule.head.predicate in numeric and len(args) == 2 and _decimal(args[1]) is not None:
            values.setdefault(rule.head.predicate, []).append(_decimal(args[1]))  # type: ignore[arg-type]
    coded = {pred for pred, vs in values.items()
             if not _reasoner_holds(vs) or any(undecided(v, plain.cuts[pred]) for v in vs)}
    if not coded:
        return facts
    out = []
    for stmt in facts.statements:
        if isinstance(stmt, Rule) and isinstance(stmt.head, Atom) and stmt.head.predicate in coded \
                and len(stmt.head.arguments) == 2 and _decimal(stmt.head.arguments[1]) is not None:
            pred, (example, value) = stmt.head.predicate, stmt.head.arguments
            number = float(_decimal(value))  # type: ignore[arg-type]
            code = int(code_values(np.asarray([number]), plain.cuts[pred])[0])
            out.append(Rule(Atom(pred, (example, Function(CODE, (Integer(code),))), stmt.head.loc), (), stmt.loc))
            stmt = Comment(f" {readable_number(number)}", loc=stmt.loc)  # what explanations show, as --facts-out
        out.append(stmt)
    return Program(tuple(out), facts.source)


def _unit_facts(plain: PlainRules, facts: Program) -> Program:
    """Facts whose value is a string in the form of its column's unit (``date(p1,"2024-03-05")``) with the
    number instead (``date(p1,19787)``), as the learner reads such a cell."""
    units = {f.pred: f.unit for f in plain.features if f.kind == NUMERIC and f.unit is not None}
    if not units:
        return facts
    out = []
    for stmt in facts.statements:
        if isinstance(stmt, Rule) and stmt.is_fact and isinstance(stmt.head, Atom) and stmt.head.predicate in units \
                and len(stmt.head.arguments) == 2 and isinstance(stmt.head.arguments[1], String):
            value = units[stmt.head.predicate].parse(stmt.head.arguments[1].value)  # type: ignore[union-attr]
            if np.isfinite(value):
                pred, (example, _) = stmt.head.predicate, stmt.head.arguments
                term = _number_term(value, plain.cuts.get(pred))
                stmt = Rule(Atom(pred, (example, term), stmt.head.loc), (), stmt.loc)
        out.append(stmt)
    return Program(tuple(out), facts.source)


def table_facts(plain: PlainRules, X, names: Sequence[str], ids: Sequence[clingo.Symbol]) -> Program:
    """Facts (as hand-written facts are) of a table whose columns carry the original column names.

    Every row is an example (``_example(id).``), also a row with no other fact
    (every 0/1 cell 0), as in :func:`plain_facts`. Numbers are as a person
    would write them (``ts(r2,1650000000000.0)``, ``inf`` as its code);
    :func:`predict_facts` (or :func:`hand_facts`) turns those the reasoner
    cannot hold into codes.
    """
    from nesyasp.reason.terms import symbol_term

    missing = [f.name for f in plain.features if f.name not in names]
    if missing:
        where = f"{X.source}: " if isinstance(getattr(X, "source", None), str) else ""
        raise DataError(f"{where}the table has no column {missing[0]!r}, which the rules use "
                        f"(columns: {', '.join(names)})")
    columns = as_columns(X)
    examples = [symbol_term(e) for e in ids]
    out: list[Rule | Comment] = [_fact(DOMAIN_PREDICATE, e) for e in examples]
    for f in plain.features:
        parsed = feature_column(columns, names.index(f.name), f)
        if f.kind == BINARY:
            out.extend(_fact(f.pred, examples[i]) for i in np.flatnonzero(parsed.num == 1.0).tolist())
            continue
        vocab = [value_term(f, text) for text in parsed.vocab]
        for i, number in enumerate(parsed.num.tolist()):
            value = vocab[parsed.code[i]] if np.isnan(number) else _number_term(number, plain.cuts.get(f.pred))
            out.append(_fact(f.pred, examples[i], value))
            if np.isinf(number):  # its code, and what explanations show (as --facts-out writes it)
                out.append(Comment(f" {readable_number(number)}"))
    return Program(tuple(out), "<table>")


def _number_term(value: float, cuts: np.ndarray | None) -> Term:
    """A double as the term a person would write: an integer, else its shortest decimal (inf: its code)."""
    if not np.isfinite(value):
        code = code_values(np.asarray([value]), cuts if cuts is not None else np.zeros(0))[0]
        return Function(CODE, (Integer(int(code)),))
    if value.is_integer() and INT_MIN <= value <= INT_MAX:
        return Integer(int(value))
    text = np.format_float_positional(value, trim="-")
    return Real(text if "." in text else text + ".0")


def _shown(plain: PlainRules, facts: Program) -> dict[tuple[str, str], list[str]]:
    """The numbers of the numeric columns' facts as explanations show them, by (column predicate, example): a
    number as given, and the comment on the line of a ``code(C)`` fact (``% 2.3``, as --facts-out writes)."""
    numeric = {f.pred for f in plain.features if f.kind == NUMERIC}
    out: dict[tuple[str, str], list[str]] = {}
    coded = None
    for stmt in facts.statements:
        if isinstance(stmt, Comment) and coded is not None and stmt.loc.begin.line == coded[2] \
                and _number(stmt.text.strip()) is not None:
            out.setdefault(coded[:2], []).append(stmt.text.strip())
        coded = None
        head = stmt.head if isinstance(stmt, Rule) and stmt.is_fact else None
        if isinstance(head, Atom) and head.predicate in numeric and len(head.arguments) == 2:
            key, value = (head.predicate, str(head.arguments[0])), head.arguments[1]
            number = _decimal(value)
            if number is not None:
                out.setdefault(key, []).append(readable_number(float(number)))
            elif isinstance(value, Function) and value.name == CODE:
                coded = (*key, stmt.loc.begin.line)
    return out


def given_values(values: ValueOf, paths: Sequence[str | Path]) -> ValueOf:
    """``values``, with a ``code(C)`` fact of the files ``paths`` read as the number in the comment on its
    line (``price(r2,code(2)).  % 1999.99``, as --facts-out writes); the files are read once, when an
    explanation first shows a code (``nesyasp query``, whose reasoner may hold large facts files unparsed)."""
    shown: dict[tuple[str, str], list[str]] = {}
    read = False

    def given(pred: str, example: str) -> Sequence[str]:
        nonlocal read
        found = values(pred, example)
        if not read and any(v.startswith(f"{CODE}(") for v in found):
            read = True
            for path in paths:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
                for m in _CODE_COMMENT.finditer(text):
                    if _number(m.group(3)) is not None:
                        shown.setdefault((m.group(1), m.group(2)), []).append(m.group(3))
        return _values(values, shown)(pred, example)
    return given


_CODE_COMMENT = re.compile(r"^(\w+)\((.+?),code\(-?\d+\)\)\.[ \t]*%[ \t]*(\S+)[ \t]*$", re.MULTILINE)


def _values(values: ValueOf, shown: dict[tuple[str, str], list[str]]) -> ValueOf:
    """``values``, with an order code that :func:`hand_facts` made of a given number read as that number."""
    def given(pred: str, example: str) -> Sequence[str]:
        found = values(pred, example)
        known = shown.get((pred, example))
        if known and len(known) == len(found) and any(v.startswith(f"{CODE}(") for v in found):
            return known
        return found
    return given


def _fact(pred: str, example: Term, value: Term | None = None) -> Rule:
    return Rule(Atom(pred, (example,) if value is None else (example, value)))


def predict_facts(plain: PlainRules, facts: Program, explain: bool = False) -> list[tuple[str, str, str]]:
    """Run the rules on facts through the reasoner: ``(example, class atom, explanation)`` per answer.

    ``facts`` are hand-written facts, or a table's (:func:`table_facts`), in
    the table's units; the numbers the reasoner cannot hold become order codes
    here (:func:`hand_facts`), and explanations show them as given.

    The explanation (empty unless ``explain``) is the English of the
    justification tree, as ``nesyasp query --explain`` prints it (each
    comparison of a column in one sentence, :mod:`nesyasp.learn.brief`),
    headed by the confidence of the rule that fired.

    Parameters
    ----------
    plain, facts:
        As for :func:`hand_facts`.
    explain:
        Also explain each answer.

    Returns
    -------
    list of tuple
        ``(example, class atom, explanation)`` per answer.
    """
    expect_type(plain, PlainRules, "the rules of read_plain (a PlainRules)")
    expect_type(facts, Program, "the facts (a Program: parse_file or parse_program gives one)")
    from nesyasp.learn.brief import brief_tree, comparisons_of, reasoner_values
    from nesyasp.learn.readable import unit_aliases, unit_tree, with_note
    from nesyasp.reason import Reasoner, render_text

    facts = _unit_facts(plain, facts)
    shown = _shown(plain, facts)
    reasoner = Reasoner(plain.program, hand_facts(plain, facts))
    comparisons, values = comparisons_of(plain.program, plain.features), _values(reasoner_values(reasoner), shown)
    units = {f.pred: f.unit for f in plain.features if f.kind == NUMERIC and f.unit is not None}
    aliases = unit_aliases(plain.program, units)
    names = {f.pred: f.name for f in plain.features}
    out = []
    for example, label in reasoner.query(f"{plain.head}(X,C)").table.tolist():
        atom = f"{plain.head}({example},{label})"
        text = ""
        if explain:
            node = reasoner.explain(atom)
            note = plain.notes.get(node.source.loc.begin.line, "") if isinstance(node.source, Rule) else ""
            node = brief_tree(node, comparisons, values)
            node = unit_tree(node, units, aliases, names) if units else node
            text = with_note(render_text(node, reasoner.translation.preds), note)
        out.append((example, atom, text))
    return out
