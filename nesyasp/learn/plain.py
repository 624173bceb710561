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

``nesyasp learn --predict FACTS --rules rules.lp`` runs the file on facts
in the table's units: :mod:`nesyasp.learn.plain_predict`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import clingo
import numpy as np

from nesyasp.errors import DataError, NotFittedError, WrongTypeError
from nesyasp.lang.ast import (Atom, Comment, Literal, Pred, Program, Rule)
from nesyasp.lang.checks import DOMAIN_PREDICATE, INT_MAX, INT_MIN
from nesyasp.learn.asp import as_columns, code_values, cut_points
from nesyasp.learn.bridge import CODE, Bridge, program_preds
from nesyasp.learn.emit import number_term, readable_number, value_term
from nesyasp.learn.encode import BACKGROUND, BINARY, NUMERIC, Feature, feature_column
from nesyasp.learn.units import unit_of_json

if TYPE_CHECKING:
    from nesyasp.learn.foldsem import FoldSEM

__all__ = ["plain_rules", "plain_facts", "PlainRules", "read_plain", "example_ids", "written_columns"]

_MARK = "nesyasp-column "
_HEAD = "nesyasp-head "

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


def _fitted(est: object) -> None:
    """Raise NotFittedError for a FoldSEM before ``fit``, WrongTypeError for anything else that is no FoldSEM."""
    if not hasattr(est, "learned_"):
        if hasattr(est, "fit") and hasattr(est, "get_params"):
            raise NotFittedError(f"this {type(est).__name__} is not fitted yet; call fit first")
        raise WrongTypeError(f"expected a fitted FoldSEM, got {type(est).__name__}")


def plain_rules(est: FoldSEM) -> str:
    """The learned program as plain ASP (module docstring).

    Parameters
    ----------
    est:
        A fitted :class:`~nesyasp.learn.FoldSEM`.

    Returns
    -------
    str
        The rules file's text.
    """
    _fitted(est)
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
        if f.name in getattr(est, "_as_written", ()):
            entry["as_written"] = True  # --predict TABLE keeps its texts (007 is not 7)
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

    Parameters
    ----------
    est:
        A fitted :class:`~nesyasp.learn.FoldSEM`.
    X:
        The rows (array or table of the fitted columns).
    ids:
        The rows' constants (default: from the row numbers).

    Returns
    -------
    str
        The facts file's text.
    """
    _fitted(est)
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
    the line of the rule that derives the class, ``as_written`` the categorical
    columns whose cells the learner read as written (a table's cells of such a
    column are read the same way: ``007`` is not ``7``).
    """

    program: Program
    features: tuple[Feature, ...]
    cuts: dict[str, np.ndarray]
    preds: tuple[Pred, ...]
    head: str
    notes: dict[int, str]
    as_written: tuple[str, ...] = ()


def read_plain(path: str | Path) -> PlainRules:
    """Read a rules file of :func:`plain_rules` (a :class:`DataError` for any other file).

    Parameters
    ----------
    path:
        A rules file written by :func:`plain_rules`.

    Returns
    -------
    PlainRules
        The program and the columns, cut points, annotations and head it was written with.
    """
    from nesyasp.lang import parse_file

    program = parse_file(path)
    features, cuts, head, notes, last, written = [], {}, None, {}, "", []
    for stmt in program.statements:
        if isinstance(stmt, Comment):
            text = stmt.text.strip()
            if text.startswith(_MARK):
                entry = json.loads(text[len(_MARK):])
                unit = unit_of_json(entry["unit"]) if "unit" in entry else None
                features.append(Feature(entry["column"], entry["pred"], entry["kind"], unit=unit))
                if entry.get("as_written"):
                    written.append(entry["column"])
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
    return PlainRules(program, tuple(features), cuts, preds, head, notes, tuple(written))


def _confidence(comment: str) -> str:
    """``rule 3, class x: right on 23 of 23 training rows (precision 1.000)`` as explanations word it."""
    head, _, rest = comment.partition(":")
    head = head.split(", class ")[0]
    return f"{head}:{rest.replace(' (precision', ', precision').rstrip(')')}"
