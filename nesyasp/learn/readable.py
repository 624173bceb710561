"""A learned prediction's justification in the table's own numbers and column names.

The tree that :meth:`FoldSEM.explain` returns is the reasoner's, about the
atoms clingo derives: numbers there are the order codes of
:mod:`nesyasp.learn.asp` (``age(x,5)``, ``5>3``). For reading,
:func:`readable_tree` turns every comparison into a sentence about the
column, with the example's own value and the learned threshold
(``the age of x (63) is greater than 54``), always stating what is true of
the value (``greater than`` where ``less than or equal to`` fails); a cell
that is not a number reads ``the age of x is "?", not a number``. The
binding atom ``age(x,5)`` that a comparison repeats is left out, and so is
the guard ``N<""`` where the cell is a number; so is the false pattern
``age(x,N1)`` of a refuted rule (no value other than the example's own,
which the sentence states). The tree it returns is for
rendering only; check the original with
:func:`nesyasp.reason.check_justification`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Mapping, Sequence

import clingo
import numpy as np

from nesyasp.lang.ast import Atom, Comparison, Integer, Literal, Pred, Program, Rule, String, Variable
from nesyasp.lang.checks import INT_MAX
from nesyasp.learn.asp import _bindings, as_columns, cut_points
from nesyasp.learn.emit import readable_number
from nesyasp.learn.encode import NUMERIC, Feature, feature_column
from nesyasp.learn.units import Unit

if TYPE_CHECKING:
    from nesyasp.reason.node import Node

__all__ = ["readable_tree", "readable_preds", "row_values", "program_cuts", "with_note", "Value", "unit_tree",
           "unit_aliases"]

#: An example's value of a numeric column: a number, or the text of a string cell.
Value = float | str

_WORDS = {">": "greater than", ">=": "greater than or equal to", "<": "less than",
          "<=": "less than or equal to", "=": "equal to", "!=": "not equal to"}
_COMPLEMENT = {"<=": ">", ">": "<=", "<": ">=", ">=": "<", "=": "!=", "!=": "="}
_TEST = {"<=": np.less_equal, ">": np.greater, "<": np.less, ">=": np.greater_equal, "=": np.equal,
         "!=": np.not_equal}


def row_values(row, features: Sequence[Feature]) -> dict[str, Value]:
    """The numeric cells of one example by predicate: numbers, or the text of string cells."""
    columns = as_columns(np.asarray([list(row)], dtype=object) if not hasattr(row, "parsed") else row)
    out: dict[str, Value] = {}
    for j, f in enumerate(features):
        if f.kind == NUMERIC:
            parsed = feature_column(columns, j, f)
            out[f.pred] = float(parsed.num[0]) if not np.isnan(parsed.num[0]) else parsed.vocab[parsed.code[0]]
    return out


def _show(value: Value, unit: Unit | None = None) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if unit is not None:
        return unit.format(value)
    return readable_number(value)


def _threshold(value: float, unit: Unit | None) -> str:
    return unit.format(value) if unit is not None else readable_number(value)


def readable_tree(node: Node, cuts: Mapping[str, np.ndarray], values: Mapping[str, Value],
                  names: Mapping[str, str], example: str = "x", units: Mapping[str, Unit] | None = None) -> Node:
    """``node`` with its numeric comparisons as sentences in the example's own values.

    Parameters
    ----------
    node:
        A tree over the clingo form (:meth:`FoldSEM.explain`) for one example.
    cuts:
        The cut points per numeric predicate (:func:`nesyasp.learn.asp.cut_points`):
        the code ``2i+1`` in a comparison is ``cuts[pred][i]``.
    values:
        The example's values per numeric predicate (:func:`row_values`).
    names:
        Column names per predicate, for the sentences.
    example:
        The example's name.
    units:
        The unit of each numeric predicate that has one: its values and
        thresholds are shown in the column's form (``2024-03-05``, ``$1,234.50``).
    """
    return _walk(node, dict(cuts), dict(values), dict(names), {}, example, dict(units or {}))


def _walk(node: Node, cuts: dict, values: dict, names: dict, bound: dict[str, str], example: str,
          units: dict) -> Node:
    own = _bindings(node.source) if isinstance(node.source, Rule) else {}
    here = {**bound, **own}
    compared = _compared(node, here, values)
    children = tuple(_walk(c, cuts, values, names, here, example, units) for c in node.children
                     if not _redundant(c, here, values, compared))
    if node.because == "comparison" and isinstance(node.comparison, Comparison):
        sentence = _sentence(node.comparison, here, cuts, values, names, example, units)
        if sentence is not None:
            return replace(node, literal=sentence, holds=True, negated=False, comparison=None, note="",
                           children=children)
    atom = node.atom
    if atom is not None and len(atom.arguments) == 2 and atom.name in values \
            and atom.arguments[1].type == clingo.SymbolType.Number:
        shown = clingo.String(_show(values[atom.name], units.get(atom.name)))
        atom = clingo.Function(atom.name, [atom.arguments[0], shown])
        literal = ("not " if node.negated else "") + f"{atom.name}({atom.arguments[0]},{shown.string})"
        return replace(node, atom=atom, literal=literal, children=children)
    return replace(node, children=children)


def _compared(node: Node, bound: dict[str, str], values: dict) -> set[str]:
    """Predicates whose bound value a comparison child of ``node`` states."""
    out = set()
    for c in node.children:
        if c.because == "comparison" and isinstance(c.comparison, Comparison):
            # a failing comparison of a refuted rule binds its variables in the rule it refutes (its source)
            here = {**bound, **_bindings(c.source)} if isinstance(c.source, Rule) else bound
            for name in c.comparison.variables():
                if here.get(name) in values:
                    out.add(here[name])
    return out


def _redundant(child: Node, bound: dict[str, str], values: dict, compared: set[str]) -> bool:
    """A binding atom that a comparison sentence repeats, the false pattern ``age(x,N1)`` that says the example
    has no *other* value than the one the sentence states (in order codes), or a holding number guard ``N<""``."""
    atom = child.atom
    if child.holds and not child.negated and atom is not None and len(atom.arguments) == 2 \
            and atom.name in compared and child.because == "fact":
        return True
    if not child.holds and not child.negated and atom is None and child.because == "no_rule" \
            and child.exceptions and child.literal.partition("(")[0] in values:
        return True
    cmp = child.comparison
    if child.because == "comparison" and isinstance(cmp, Comparison) and cmp.operator == "<" \
            and cmp.right == String("") and isinstance(cmp.left, Variable) and child.holds != child.negated:
        value = values.get(bound.get(cmp.left.name, ""))
        return value is not None and not isinstance(value, str)
    return False


def _sentence(cmp: Comparison, bound: dict[str, str], cuts: dict, values: dict, names: dict,
              example: str, units: dict) -> str | None:
    if not isinstance(cmp.left, Variable) or cmp.left.name not in bound:
        return None
    pred = bound[cmp.left.name]
    if pred not in values:
        return None
    subject = f"the {names.get(pred, pred)} of {example}"
    value, unit = values[pred], units.get(pred)
    if cmp.right == String(""):
        return f'{subject} is "{value}", not a number' if isinstance(value, str) else \
            f"{subject} ({_show(value, unit)}) is a number"
    if not isinstance(cmp.right, Integer) or pred not in cuts or cmp.right.value % 2 == 0:
        return None
    threshold = float(cuts[pred][(cmp.right.value - 1) // 2])
    if isinstance(value, str):
        return f'{subject} is "{value}", not a number, so not {_WORDS[cmp.operator]} {_threshold(threshold, unit)}'
    op = cmp.operator if bool(_TEST[cmp.operator](value, threshold)) else _COMPLEMENT[cmp.operator]
    return f"{subject} ({_show(value, unit)}) is {_WORDS[op]} {_threshold(threshold, unit)}"


def readable_preds(preds: Sequence[Pred], features: Sequence[Feature]) -> list[Pred]:
    """``#pred`` annotations for :func:`readable_tree`: numeric features read ``the age of @(X) is @(N)``."""
    numeric = {f.pred: f for f in features if f.kind == NUMERIC}
    out = []
    for pred in preds:
        f = numeric.get(pred.atom.predicate)
        if f is not None and len(pred.atom.arguments) == 2:
            out.append(Pred(pred.atom, f"the {f.name} of @(X) is @(N)"))
        else:
            out.append(pred)
    return out


def program_cuts(program: Program, features: Sequence[Feature]) -> dict[str, np.ndarray]:
    """:func:`~nesyasp.learn.asp.cut_points` of a learned program over its numeric features."""
    return cut_points(program, [f.pred for f in features if f.kind == NUMERIC])


def with_note(text: str, note: str) -> str:
    """A rendered explanation with ``note`` (the rule's confidence) in parentheses on its first line."""
    if not note:
        return text
    first, sep, rest = text.partition("\n")
    ending = ", because" if first.endswith(", because") else "."
    return first[: len(first) - len(ending)] + f" ({note})" + ending + sep + rest


def unit_aliases(program: Program, units: Mapping[str, Unit]) -> dict[str, str]:
    """Predicates that carry a unit column's value under another name in a written rules file
    (``when_number(X,V) :- when(X,V), V<=2147483647.``): ``{"when_number": "when", "when": "when"}``."""
    out = {pred: pred for pred in units}
    for rule in program.rules:
        head, body = rule.head, rule.body
        if isinstance(head, Atom) and len(head.arguments) == 2 and body and isinstance(body[0], Literal) \
                and isinstance(body[0].atom, Atom) and not body[0].negated and body[0].atom.predicate in units \
                and body[0].atom.arguments == head.arguments and head.predicate not in out:
            out[head.predicate] = body[0].atom.predicate
    return out


def unit_tree(node: Node, units: Mapping[str, Unit], aliases: Mapping[str, str], names: Mapping[str, str],
              bound: Mapping[str, str] | None = None, values: Mapping[str, clingo.Symbol] | None = None) -> Node:
    """A tree of a written rules file (``nesyasp learn --predict --explain``) with the values of columns with
    a unit in their form: a comparison ``V op c`` of such a value with a number reads ``the when of p1
    (2024-01-05) is less than or equal to 2024-06-18`` (what is true of the value), and the column's facts
    show the value so (``the price of p1 is $12.00``). Other comparisons (``V*10>1005``) stay as they are.
    ``bound`` and ``values``: the variables of the enclosing rule (their predicates and values)."""
    here, known = dict(bound or {}), dict(values or {})
    if isinstance(node.source, Rule):
        here.update(_bindings(node.source))
        known.update(node.binding)
    children = tuple(unit_tree(c, units, aliases, names, here, known) for c in node.children)
    cmp = node.comparison
    if node.because == "comparison" and isinstance(cmp, Comparison) and isinstance(cmp.left, Variable) \
            and isinstance(cmp.right, Integer) and cmp.operator in _TEST:
        pred = aliases.get(here.get(cmp.left.name, ""), "")
        value = known.get(cmp.left.name)
        if pred in units and value is not None and value.type == clingo.SymbolType.Number:
            unit, number, cut = units[pred], float(value.number), float(cmp.right.value)
            op = cmp.operator if bool(_TEST[cmp.operator](number, cut)) else _COMPLEMENT[cmp.operator]
            example = known.get("X")
            subject = f"the {names.get(pred, pred)}" + (f" of {example}" if example is not None else "")
            said = "a number" if cmp.right.value == INT_MAX and cmp.operator == "<=" and op == "<=" else \
                f"{_WORDS[op]} {unit.format(cut)}"  # V<=2147483647: the guard that V is a number
            return replace(node, literal=f"{subject} ({unit.format(number)}) is {said}", holds=True, negated=False,
                           comparison=None, children=children)
    atom = node.atom
    if atom is not None and len(atom.arguments) == 2 and aliases.get(atom.name) in units \
            and atom.arguments[1].type == clingo.SymbolType.Number:
        shown = clingo.String(units[aliases[atom.name]].format(atom.arguments[1].number))
        literal = ("not " if node.negated else "") + f"{atom.name}({atom.arguments[0]},{shown.string})"
        return replace(node, atom=clingo.Function(atom.name, [atom.arguments[0], shown]), literal=literal,
                       children=children)
    if node.exceptions and aliases.get(node.literal.partition("(")[0]) in units:  # "any V other than 19727"
        unit = units[aliases[node.literal.partition("(")[0]]]
        return replace(node, exceptions=tuple(_unit_atom(e, unit) for e in node.exceptions), children=children)
    return replace(node, children=children)


def _unit_atom(text: str, unit: Unit) -> str:
    """``when(p2,19727)`` as ``when(p2,"2024-01-05")``; any other text as it is."""
    try:
        atom = clingo.parse_term(text)
    except (RuntimeError, ValueError):
        return text
    if atom.type != clingo.SymbolType.Function or len(atom.arguments) != 2 \
            or atom.arguments[1].type != clingo.SymbolType.Number:
        return text
    return str(clingo.Function(atom.name, [atom.arguments[0], clingo.String(unit.format(atom.arguments[1].number))]))
