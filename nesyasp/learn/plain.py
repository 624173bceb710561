"""The files ``nesyasp learn`` writes, and running them on facts in the table's own units.

``nesyasp learn ... -o rules.lp`` writes :func:`plain_rules`: plain ASP that
clingo grounds alone, and that gives the learner's classes on facts in the
table's own units, whoever runs it (plain clingo, ``nesyasp query``,
``nesyasp learn --predict``). Every comparison of a learned rule is an atom
derived by bridge rules at the end of the file (:mod:`nesyasp.learn.bridge`),
and every such rule is preceded by the learned rule as people read it::

    % rule3(X) :- oldpeak(X,N1), N1>0.5, not ab3(X).
    rule3(X) :- oldpeak_gt(X,"0.5"), not ab3(X).

The header holds, as comments clingo ignores, one ``nesyasp-column`` line per
column the rules use (its predicate, name, kind and, for numeric columns, the
cut points in the table's own numbers), the class head and the ``#pred``
annotations (``%#pred``, which nesyasp reads). ``--facts-out facts.lp``
writes the facts of a table (:func:`plain_facts`): numbers as they are when
they are 32-bit integers, else as ``code(C)``, their order code, exact for
any magnitude.

``nesyasp learn --predict FACTS --rules rules.lp`` (:func:`predict_facts`)
runs the file through :class:`nesyasp.reason.Reasoner` on hand-written facts
(:func:`hand_facts`) or a CSV table with the column names
(:func:`table_facts`): the path of ``nesyasp query``, except that a number
the reasoner cannot hold exactly (an integer past 32 bits, a decimal with too
many digits) is turned into its order code first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import clingo
import numpy as np

from nesyasp.errors import DataError
from nesyasp.lang.ast import (Atom, Comment, Function, Integer, Literal, Pred, Program, Real, Rule, String, Term,
                              UnaryOperation)
from nesyasp.lang.checks import DOMAIN_PREDICATE, INT_MAX, INT_MIN
from nesyasp.learn.asp import as_columns, code_values, cut_points
from nesyasp.learn.bridge import CODE, Bridge, program_preds, undecided
from nesyasp.learn.brief import number_text as _number
from nesyasp.learn.emit import number_term, readable_number, value_term
from nesyasp.learn.encode import BACKGROUND, BINARY, NUMERIC, Feature, feature_column
from nesyasp.learn.units import unit_of_json

if TYPE_CHECKING:
    from nesyasp.learn.brief import ValueOf
    from nesyasp.learn.foldsem import FoldSEM

__all__ = ["plain_rules", "plain_facts", "PlainRules", "read_plain", "hand_facts", "predict_facts", "table_facts",
           "example_ids", "written_columns", "given_values"]

_MARK = "nesyasp-column "
_HEAD = "nesyasp-head "
#: The most decimals nesyasp's reasoner holds in one argument position (:mod:`nesyasp.reason.decimals`).
_REASONER_DIGITS = 9

_HEADER = """\
% Learned by nesyasp (FOLD-SE-M). Plain ASP: clingo grounds it as it is.
% Facts: one per example and column the rules use, in the table's own units:
%   blood_pressure(p1,145). oldpeak(p1,2.3). sex(p1). (a 0/1 column: a fact when 1)
%   oldpeak(p1,"?") for a cell that is not a number (it satisfies no comparison), or
%   oldpeak(p1,code(C)) with C the value's order code among the column's cut points (below):
%   2 * (how many cut points are below the value), plus 1 when it is one (--facts-out
%   writes this for a number that is not a 32-bit integer).
% Run it with `nesyasp query THIS_FILE FACTS --explain` (decimals such as 2.3 too),
% `nesyasp learn --predict FACTS --rules THIS_FILE` (any number), or plain clingo
% (integers only: clingo reads no decimals, and wraps an integer past 32 bits).
% Each learned rule is preceded by its form in the table's units; its comparisons are
% atoms (oldpeak_gt(X,"0.5")) that the rules at the end derive from the facts."""


def written_columns(est: FoldSEM) -> list[Feature]:
    """The table columns the learned program uses (rules and background rules), in table order."""
    used = program_preds(est.rules_)
    return [f for f in est.features_ if f.kind != BACKGROUND and f.pred in used]


def plain_rules(est: FoldSEM) -> str:
    """The learned program as plain ASP (module docstring)."""
    features = est.features_
    cuts = cut_points(est.rules_, [f.pred for f in features if f.kind == NUMERIC])
    bridge = Bridge(features, cuts, program_preds(est.rules_) | {est.head})
    body: list[str] = []
    for stmt in est.rules_.statements:
        if isinstance(stmt, Comment):
            body.append(str(stmt))
        elif isinstance(stmt, Rule):
            if any(lit.is_comparison for lit in stmt.body if isinstance(lit, Literal)):
                body.append(f"% {stmt}")
            body.append(str(bridge.rewrite(stmt)))
    columns = written_columns(est)
    lines = _HEADER.splitlines() + [f"% {_HEAD}{est.head}"]
    for f in columns:
        entry: dict[str, object] = {"pred": f.pred, "column": f.name, "kind": f.kind}
        if f.kind == NUMERIC:
            entry["cuts"] = [str(number_term(c)) for c in cuts.get(f.pred, np.zeros(0)).tolist()]
            if f.unit is not None:
                entry["unit"] = f.unit.to_json()
        lines.append(f"% {_MARK}{json.dumps(entry, ensure_ascii=False)}")
    lines.extend(str(p) for p in est.rules_.preds)
    lines.extend(body)
    statements = bridge.bridge_statements()
    if statements:
        lines.append("% ---- the comparisons, from the facts (a number, a string, or code(C))")
        lines.extend(str(s) for s in statements)
    lines.append("% ---- every example with a fact for a column the rules use is an example")
    lines.extend(str(r) for r in bridge.domain_rules({f.pred for f in columns}))
    return "\n".join(lines) + "\n"


def example_ids(columns, id_column: int | None, lines: Sequence[int] | None = None) -> list[clingo.Symbol]:
    """Example names for facts: the values of an identifier column, else ``r<LINE>`` (file line) or ``e<i>``.

    An identifier column read with its texts kept (``read_csv(keep_text=...)``) names the examples by its
    texts: a 20-digit id stays that id (as a string), not the nearest double. Should two rows get the same
    name (two ids that are the same double), the rows are named by their lines instead.
    """
    from nesyasp.reason.facts import id_text, text_symbol

    n = columns.n_rows
    if id_column is not None:
        parsed = columns.parsed(id_column, True, "id")
        out = []
        for i in range(n):
            v = parsed.num[i]
            text = parsed.vocab[parsed.code[i]] if np.isnan(v) else \
                (int(v) if float(v).is_integer() and abs(v) < 2 ** 31 else np.format_float_positional(v, trim="-"))
            if not isinstance(text, int) and getattr(columns.data[id_column], "texts", False):
                text = columns.data[id_column].text(i)  # as written
            out.append(text_symbol(id_text(text)))
        if len(set(out)) == n:
            return out
    if lines is not None and len(lines):
        return [clingo.Function(f"r{int(k)}") for k in lines]
    return [clingo.Function(f"e{i}") for i in range(n)]
    if lines is not None and len(lines):
        return [clingo.Function(f"r{int(k)}") for k in lines]
    return [clingo.Function(f"e{i}") for i in range(n)]


def _integers(num: np.ndarray) -> np.ndarray:
    """Which cells are integers that clingo holds (32 bits)."""
    with np.errstate(invalid="ignore"):
        return ~np.isnan(num) & (num == np.floor(num)) & (num >= INT_MIN) & (num <= INT_MAX)


def plain_facts(est: FoldSEM, X, ids: Sequence[clingo.Symbol] | None = None) -> str:
    """The facts of the rows of ``X`` (array or table of the fitted columns) for :func:`plain_rules`.

    ``_example(e).`` per row, then per column the rules use: a 0/1 column's
    atom where the cell is 1; a categorical value; a numeric cell as the
    integer when it is a 32-bit integer, ``code(C)`` for any other number (with
    the number as a comment on its line, ``oldpeak(r1,code(2)).  % 2.3``, which
    explanations show), the string for a cell that is not a number.
    """
    features = est.features_
    cuts = cut_points(est.rules_, [f.pred for f in features if f.kind == NUMERIC])
    used = {f.pred for f in written_columns(est)}
    columns = as_columns(X)
    n = columns.n_rows
    names = list(ids) if ids is not None else [clingo.Function(f"e{i}") for i in range(n)]
    out = [f"{DOMAIN_PREDICATE}({e}).\n" for e in names]
    for j, f in enumerate(features):
        if f.kind == BACKGROUND or f.pred not in used:
            continue
        parsed = feature_column(columns, j, f)
        if f.kind == BINARY:
            out.extend(f"{f.pred}({names[i]}).\n" for i in np.flatnonzero(parsed.num == 1.0).tolist())
            continue
        vocab = [str(value_term(f, text)) for text in parsed.vocab]
        is_num = ~np.isnan(parsed.num)
        whole = _integers(parsed.num)
        codes = code_values(np.where(is_num, parsed.num, 0.0), cuts.get(f.pred, np.zeros(0)))
        for i in range(n):
            if is_num[i] and not whole[i]:
                out.append(f"{f.pred}({names[i]},{CODE}({int(codes[i])})).  % {_readable(parsed.num[i])}\n")
                continue
            value = str(int(parsed.num[i])) if is_num[i] else vocab[parsed.code[i]]
            out.append(f"{f.pred}({names[i]},{value}).\n")
    return "".join(out)


def _readable(value: float) -> str:
    """:func:`readable_number`, faster for the common case (``repr`` without an exponent is its text)."""
    text = repr(float(value))
    if "e" in text or "n" in text or value == 0.0:  # 1e-05, 1e+16, inf, -0.0
        return readable_number(value)
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class PlainRules:
    """A rules file written by :func:`plain_rules`, read back.

    ``program`` is the whole file (rules, bridge rules, ``%#pred`` annotations),
    ``features`` the columns of the header (numeric ones with their cut points
    in ``cuts``), ``preds`` the annotations, ``head`` the class predicate,
    ``notes`` the comment above each default rule (its training confidence) by
    the line of the rule that derives the class.
    """

    program: Program
    features: tuple[Feature, ...]
    cuts: dict[str, np.ndarray]
    preds: tuple[Pred, ...]
    head: str
    notes: dict[int, str]


def read_plain(path: str | Path) -> PlainRules:
    """Read a rules file of :func:`plain_rules` (a :class:`DataError` for any other file)."""
    from nesyasp.lang import parse_file

    program = parse_file(path)
    features, cuts, head, notes, last = [], {}, None, {}, ""
    for stmt in program.statements:
        if isinstance(stmt, Comment):
            text = stmt.text.strip()
            if text.startswith(_MARK):
                entry = json.loads(text[len(_MARK):])
                unit = unit_of_json(entry["unit"]) if "unit" in entry else None
                features.append(Feature(entry["column"], entry["pred"], entry["kind"], unit=unit))
                if entry["kind"] == NUMERIC:
                    cuts[entry["pred"]] = np.asarray([float(c) for c in entry["cuts"]], dtype=np.float64)
            elif text.startswith(_HEAD):
                head = text[len(_HEAD):].strip()
            elif text.startswith(("rule ", "catch-all rule ")):
                last = _confidence(text)
        elif isinstance(stmt, Rule) and isinstance(stmt.head, Atom) and head and stmt.head.predicate == head:
            notes[stmt.loc.begin.line] = last
    if head is None:
        raise DataError(f"{path}: not a rules file written by `nesyasp learn -o` (no '% {_HEAD.strip()}' line); "
                        "run other programs with `nesyasp query`")
    preds = tuple(s for s in program.statements if isinstance(s, Pred))
    return PlainRules(program, tuple(features), cuts, preds, head, notes)


def _confidence(comment: str) -> str:
    """``rule 3, class x: right on 23 of 23 training rows (precision 1.000)`` as explanations word it."""
    head, _, rest = comment.partition(":")
    head = head.split(", class ")[0]
    return f"{head}:{rest.replace(' (precision', ', precision').rstrip(')')}"


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
    """
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
    """
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
