"""The files ``nesyasp learn`` writes, and running them on hand-written facts.

``nesyasp learn ... -o rules.lp`` writes :func:`plain_rules`: plain ASP that
clingo grounds alone. clingo has no decimals and 32-bit integers only, so the
rules compare *order codes* (:mod:`nesyasp.learn.asp`), and every coded
comparison is preceded by the learned rule as people read it::

    % target(X,"2") :- thal(X,N1), N1>4.5, not ab1(X).
    target(X,"2") :- thal(X,N1), N1>3, N1<"", not ab1(X).

The file's header holds, as comments clingo ignores, one ``nesyasp-column``
line per column the rules use (its predicate, name, kind and, for numeric
columns, the cut points in the table's own numbers) and the ``#pred``
annotations. ``--facts-out facts.lp`` writes the facts of a table in the same
codes (:func:`plain_facts`): ``clingo rules.lp facts.lp`` derives exactly the
classes of ``FoldSEM.predict``.

Facts written by hand, in the table's own units (``age(p1,63).
oldpeak(p1,2.3). sex(p1,"1").``), go through :func:`predict_facts`
(``nesyasp learn --predict patient.lp --rules rules.lp [--explain]``): it
reads the header, turns every number of a numeric column into its code, runs
the rules through :class:`nesyasp.reason.Reasoner`, and explains in the
original numbers. A CSV table with the original column names works the same
way (:func:`table_facts`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import clingo
import numpy as np

from nesyasp.errors import DataError
from nesyasp.lang.ast import Atom, Comment, Integer, Literal, Pred, Program, Real, Rule, String, UnaryOperation
from nesyasp.learn.asp import as_columns, code_values, coded_rules, cut_points, example_symbols
from nesyasp.learn.emit import number_term
from nesyasp.learn.encode import BACKGROUND, NUMERIC, Feature

if TYPE_CHECKING:
    from nesyasp.learn.foldsem import FoldSEM

__all__ = ["plain_rules", "plain_facts", "PlainRules", "read_plain", "hand_facts", "predict_facts", "table_facts", "example_ids"]

_MARK = "nesyasp-column "
_HEAD = "nesyasp-head "


def plain_rules(est: FoldSEM) -> str:
    """The learned program as plain ASP: coded comparisons, each learned rule as a comment above its form."""
    features = est.features_
    cuts = cut_points(est.rules_, [f.pred for f in features if f.kind == NUMERIC])
    used = {lit.atom.predicate for r in est.rules_.rules for lit in r.body if isinstance(lit.atom, Atom)}
    lines = ["% Learned by nesyasp (FOLD-SE-M). Plain ASP: clingo grounds it with the facts of",
             "% `nesyasp learn --facts-out`; hand-written facts in the table's own units go through",
             "% `nesyasp learn --predict FACTS --rules THIS_FILE`.",
             "% A number v of a numeric column is written as its order code among the column's cut points",
             "% c_0 < c_1 < ... (below): 2 * (how many cut points are below v), plus 1 when v is one.",
             f"% {_HEAD}{est.head}"]
    for f in features:
        if f.pred in used and f.kind != BACKGROUND:
            entry = {"pred": f.pred, "column": f.name, "kind": f.kind}
            if f.kind == NUMERIC:
                entry["cuts"] = [str(number_term(c)) for c in cuts.get(f.pred, np.zeros(0)).tolist()]
            lines.append(f"% {_MARK}{json.dumps(entry, ensure_ascii=False)}")
    lines.extend(_comment(str(p)) for p in est.rules_.preds)
    for stmt in est.rules_.statements:
        if isinstance(stmt, Comment):
            lines.append(str(stmt))
        elif isinstance(stmt, Rule):
            if any(lit.is_comparison for lit in stmt.body if isinstance(lit, Literal)):
                lines.append(f"% {stmt}")
            lines.extend(str(r) for r in coded_rules(stmt, cuts))
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    """A ``#pred`` annotation as clingo reads it: a comment (``%#pred ...``), which nesyasp reads back."""
    return text if text.startswith("%") else "%" + text


def example_ids(columns, id_column: int | None, lines: Sequence[int] | None = None) -> list[clingo.Symbol]:
    """Example names for facts: the values of an identifier column, else ``r<LINE>`` (file line) or ``e<i>``."""
    from nesyasp.reason.facts import id_text, text_symbol

    n = columns.n_rows
    if id_column is not None:
        parsed = columns.parsed(id_column, True, "id")
        out = []
        for i in range(n):
            v = parsed.num[i]
            text = parsed.vocab[parsed.code[i]] if np.isnan(v) else \
                (int(v) if float(v).is_integer() and abs(v) < 2 ** 31 else np.format_float_positional(v, trim="-"))
            out.append(text_symbol(id_text(text)))
        return out
    if lines is not None and len(lines):
        return [clingo.Function(f"r{int(k)}") for k in lines]
    return [clingo.Function(f"e{i}") for i in range(n)]


def plain_facts(est: FoldSEM, X, ids: Sequence[clingo.Symbol] | None = None) -> str:
    """The facts of the rows of ``X`` (array or table of the fitted columns) in :func:`plain_rules`' codes."""
    cuts = cut_points(est.rules_, [f.pred for f in est.features_ if f.kind == NUMERIC])
    symbols = example_symbols(X, est.features_, cuts, ids)
    return "".join(f"{s}.\n" for s in symbols)


@dataclass(frozen=True)
class PlainRules:
    """A rules file written by :func:`plain_rules`, read back.

    ``program`` is its rules (the clingo form), ``features`` the columns of the
    header (numeric ones with their cut points in ``cuts``), ``preds`` the
    annotations, ``head`` the class predicate, ``notes`` the comment above each
    rule (its training confidence) by the rule's line.
    """

    program: Program
    features: tuple[Feature, ...]
    cuts: dict[str, np.ndarray]
    preds: tuple[Pred, ...]
    head: str
    notes: dict[int, str]


def read_plain(path: str | Path) -> PlainRules:
    """Read a rules file of :func:`plain_rules` (a :class:`DataError` for any other file)."""
    from nesyasp.lang import parse_file, parse_program

    program = parse_file(path)
    features, cuts, preds, head, notes, last = [], {}, [], None, {}, ""
    for stmt in program.statements:
        if isinstance(stmt, Comment):
            text = stmt.text.strip()
            if text.startswith(_MARK):
                entry = json.loads(text[len(_MARK):])
                features.append(Feature(entry["column"], entry["pred"], entry["kind"]))
                if entry["kind"] == NUMERIC:
                    cuts[entry["pred"]] = np.asarray([float(c) for c in entry["cuts"]], dtype=np.float64)
            elif text.startswith(_HEAD):
                head = text[len(_HEAD):].strip()
            elif text.startswith("#pred "):
                preds.extend(parse_program(text, str(path)).preds)
            elif text.startswith(("rule ", "catch-all rule ")):
                last = _confidence(text)
        elif isinstance(stmt, Pred):  # a parser that reads %#pred as the annotation itself
            preds.append(stmt)
        elif isinstance(stmt, Rule) and isinstance(stmt.head, Atom) and head and stmt.head.predicate == head:
            notes[stmt.loc.begin.line] = last
    if head is None:
        raise DataError(f"{path}: not a rules file written by `nesyasp learn -o` (no '% {_HEAD.strip()}' line); "
                        "run other programs with `nesyasp query`")
    rules = Program(tuple(s for s in program.statements if isinstance(s, Rule)), str(path))
    return PlainRules(rules, tuple(features), cuts, tuple(preds), head, notes)


def _confidence(comment: str) -> str:
    """``rule 3, class x: right on 23 of 23 training rows (precision 1.000)`` as explanations word it."""
    head, _, rest = comment.partition(":")
    head = head.split(", class ")[0]
    return f"{head}:{rest.replace(' (precision', ', precision').rstrip(')')}"


def _value(term: object) -> float | None:
    if isinstance(term, Integer):
        return float(term.value)
    if isinstance(term, Real):
        return float(term.text)
    if isinstance(term, UnaryOperation) and term.operator == "-":
        inner = _value(term.argument)
        return None if inner is None else -inner
    return None


def hand_facts(plain: PlainRules, facts: Program) -> tuple[list[clingo.Symbol], dict[str, dict[str, object]]]:
    """Hand-written facts with numbers coded, and each example's original numeric values."""
    from nesyasp.reason.terms import ground_atom

    numeric = {f.pred for f in plain.features if f.kind == NUMERIC}
    out, values = [], {}
    for rule in facts.rules:
        if not rule.is_fact or not isinstance(rule.head, Atom):
            raise DataError("a facts file holds facts only (such as age(p1,63).)", rule.loc)
        atom = rule.head
        if atom.predicate in numeric and len(atom.arguments) == 2:
            example = ground_atom(Atom("e", atom.arguments[:1]), {})
            number = _value(atom.arguments[1])
            if number is not None:
                code = int(code_values(np.asarray([number]), plain.cuts[atom.predicate])[0])
                values.setdefault(str(example.arguments[0]), {})[atom.predicate] = number
                out.append(clingo.Function(atom.predicate, [example.arguments[0], clingo.Number(code)]))
                continue
            if isinstance(atom.arguments[1], String):
                values.setdefault(str(example.arguments[0]), {})[atom.predicate] = atom.arguments[1].value
        symbol = ground_atom(atom, {})
        if symbol is None:
            raise DataError(f"the fact {atom} has a value clingo cannot hold", rule.loc)
        out.append(symbol)
    return out, values


def table_facts(plain: PlainRules, X, names: Sequence[str], ids: Sequence[clingo.Symbol]) \
        -> tuple[list[clingo.Symbol], dict[str, dict[str, object]]]:
    """Facts, in the rules' codes, of a table whose columns carry the original column names."""
    from nesyasp.learn.readable import row_values

    by_name = {f.name: f for f in plain.features}
    missing = [f.name for f in plain.features if f.name not in names]
    if missing:
        raise DataError(f"the table has no column {missing[0]!r}, which the rules use "
                        f"(columns: {', '.join(names)})")
    order = [names.index(f.name) for f in plain.features]
    columns = as_columns(X)
    view = _Reordered(columns, order)
    features = [by_name[names[j]] for j in order]
    symbols = example_symbols(view, features, plain.cuts, ids)
    values = {str(e): row_values(_RowView(view, i), features) for i, e in enumerate(ids)}
    return symbols, values


class _Reordered:
    def __init__(self, columns, order: list[int]):
        self.columns, self.order = columns, order

    @property
    def n_rows(self) -> int:
        return self.columns.n_rows

    def parsed(self, j: int, numeric: bool, name: str):
        return self.columns.parsed(self.order[j], numeric, name)


class _RowView:
    def __init__(self, columns, row: int):
        self.columns, self.row = columns, row

    @property
    def n_rows(self) -> int:
        return 1

    def parsed(self, j: int, numeric: bool, name: str):
        from nesyasp.learn.encode import Parsed

        p = self.columns.parsed(j, numeric, name)
        return Parsed(p.num[self.row: self.row + 1], p.code[self.row: self.row + 1], p.vocab)


def predict_facts(plain: PlainRules, facts: list[clingo.Symbol], values: dict[str, dict[str, object]],
                  explain: bool = False) -> list[tuple[str, str, str]]:
    """Run the rules on coded facts through the reasoner: ``(example, class atom, explanation)`` per answer.

    The explanation (empty unless ``explain``) is the English of the
    justification tree in the facts' own numbers, headed by the confidence of
    the rule that fired.
    """
    from nesyasp.learn.readable import readable_tree, with_note
    from nesyasp.reason import Reasoner, render_text

    reasoner = Reasoner(plain.program, facts)
    preds = {p.atom.signature: p for p in plain.preds}
    names = {f.pred: f.name for f in plain.features}
    out = []
    for example, label in reasoner.query(f"{plain.head}(X,C)").table.tolist():
        atom = f"{plain.head}({example},{label})"
        text = ""
        if explain:
            node = reasoner.explain(atom)
            tree = readable_tree(node, plain.cuts, values.get(example, {}), names, example)
            note = plain.notes.get(node.source.loc.begin.line, "") if isinstance(node.source, Rule) else ""
            text = with_note(render_text(tree, preds), note)
        out.append((example, atom, text))
    return out
