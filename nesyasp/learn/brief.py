"""Short explanations of a written rules file: each comparison of a column in one sentence.

A rules file of ``nesyasp learn -o`` (:mod:`nesyasp.learn.plain`) compares
nothing in its learned rules: ``oldpeak_gt(X,"0.5")`` is an atom that bridge
rules derive from the facts (:mod:`nesyasp.learn.bridge`). Their justification
is exact but reads like the machinery it is::

    the oldpeak of p1 is greater than 0.5, because
       the oldpeak of p1 is the number 2.3, because ...
       2.3 is greater than or equal to 1

:func:`brief_tree` states each such atom in one sentence about the column,
with the example's value and the cut point, always saying what is true of
the value, as :meth:`FoldSEM.explain_text` does::

    the oldpeak of p1 (2.3) is greater than 0.5
    the chest_pain of p1 (4) is greater than 3      (where chest_pain_le(p1,3) fails)

The tree it returns is for reading (``nesyasp query --explain`` and
``nesyasp learn --predict --explain`` print it); the JSON and DOT forms keep
the full tree, which :func:`nesyasp.reason.check_justification` checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import clingo

from nesyasp.lang.ast import Atom, Program, Rule
from nesyasp.learn.bridge import OP_NAMES
from nesyasp.learn.emit import readable_number
from nesyasp.learn.encode import CATEGORICAL, NUMERIC, Feature
from nesyasp.learn.units import Unit

if TYPE_CHECKING:
    from nesyasp.reason.node import Node

__all__ = ["Comparisons", "comparisons_of", "brief_tree", "category_tree", "reasoner_values", "ValueOf",
           "number_text"]

_WORDS = {"<=": "less than or equal to", "<": "less than", ">": "greater than", ">=": "greater than or equal to",
          "=": "equal to", "!=": "not equal to"}
_COMPLEMENT = {"<=": ">", ">": "<=", "<": ">=", ">=": "<", "=": "!=", "!=": "="}
_SUFFIX = re.compile(r"(le|lt|gt|ge|eq|ne)(?:_\d+)?")
_OPS = {name: op for op, name in OP_NAMES.items()}

#: The values of a column predicate for an example: ``values("oldpeak", "p1") == ["2.3"]`` (clingo text).
ValueOf = Callable[[str, str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Comparisons:
    """The comparison predicates of a rules file.

    Attributes
    ----------
    ops:
        Comparison predicate -> (column predicate, operator): ``{"oldpeak_gt": ("oldpeak", ">")}``.
    names:
        Column predicate -> the column's name in the table.
    units:
        Column predicate -> its unit, for columns of dates, money or percentages.
    categories:
        Categorical column predicate -> the column's name in the table.
    """

    ops: Mapping[str, tuple[str, str]]
    names: Mapping[str, str]
    units: Mapping[str, Unit]
    categories: Mapping[str, str] = field(default_factory=dict)


def comparisons_of(program: Program, features: Sequence[Feature]) -> Comparisons:
    """The comparison predicates of a rules file (``program`` and ``features`` of
    :func:`nesyasp.learn.plain.read_plain`): heads ``p_le``, ``p_gt_2``, ... of rules over column ``p``."""
    numeric = {f.pred: f for f in features if f.kind == NUMERIC}
    ops: dict[str, tuple[str, str]] = {}
    for rule in program.rules:
        if not isinstance(rule.head, Atom) or len(rule.head.arguments) != 2:
            continue
        name = rule.head.predicate
        for pred in numeric:
            suffix = name[len(pred) + 1:] if name.startswith(pred + "_") else ""
            match = _SUFFIX.fullmatch(suffix)
            if match and _over(rule, pred):
                ops[name] = (pred, _OPS[match.group(1)])
    return Comparisons(ops, {p: f.name for p, f in numeric.items()},
                       {p: f.unit for p, f in numeric.items() if f.unit is not None},
                       {f.pred: f.name for f in features if f.kind == CATEGORICAL})


def _over(rule: Rule, pred: str) -> bool:
    """Whether a body atom of ``rule`` is of column ``pred`` (or of its ``pred_number``)."""
    return any(getattr(lit, "atom", None) is not None and isinstance(lit.atom, Atom)
               and lit.atom.predicate in (pred, f"{pred}_number") for lit in rule.body)


def brief_tree(node: Node, comparisons: Comparisons, values: ValueOf) -> Node:
    """``node`` with every comparison atom of ``comparisons`` (true or false, also where a shared node
    repeats it) as one sentence about the column; everything else as it is.

    Parameters
    ----------
    node:
        A justification tree of the rules file (:meth:`nesyasp.reason.Reasoner.explain`).
    comparisons:
        The file's comparison predicates (:func:`comparisons_of`).
    values:
        The example's values of a column predicate, as clingo text (from the facts the tree is about).
    """
    atom = node.atom
    sentence = None
    if atom is not None and atom.name in comparisons.ops and len(atom.arguments) == 2:
        sentence = _sentence(atom, node.holds != node.negated, comparisons, values)
    elif atom is not None and atom.name in comparisons.names and len(atom.arguments) == 2 and node.holds \
            and not node.negated and node.because == "fact":  # price(X,_): the value, not its order code
        sentence = _value_sentence(atom, comparisons, values)
    else:
        sentence = _category_sentence(node, comparisons.categories, values)
    if sentence is not None:
        return replace(node, literal=sentence, holds=True, negated=False, because="comparison", comparison=None,
                       children=(), note="", exceptions=(), ref=0, ident=0, repeated=False, holding=())
    return replace(node, children=tuple(brief_tree(c, comparisons, values) for c in node.children),
                   holding=tuple(brief_tree(c, comparisons, values) for c in node.holding))


def _category_sentence(node: Node, categories: Mapping[str, str], values: ValueOf) -> str | None:
    """``the colour of p1 is blue, not red`` where ``colour(p1,red)`` is false and the example has one value."""
    atom = node.atom
    if atom is None or atom.name not in categories or len(atom.arguments) != 2 or node.holds != node.negated:
        return None
    found = list(values(atom.name, str(atom.arguments[0])))
    if len(found) != 1:
        return None
    has = clingo.parse_term(found[0]) if found[0].startswith('"') else found[0]
    shown = _text(has) or '""'  # a missing cell: 'the colour of p1 is "", not red' (was 'is , not red')
    return f"the {categories[atom.name]} of {atom.arguments[0]} is {shown}, not {_text(atom.arguments[1])}"


def _text(value: clingo.Symbol | str) -> str:
    """A value as #pred annotations show it: a string without its quotes."""
    return value.string if isinstance(value, clingo.Symbol) and value.type == clingo.SymbolType.String else str(value)


def category_tree(node: Node, categories: Mapping[str, str], values: ValueOf) -> Node:
    """``node`` with every false value of a categorical column (``not colour(p1,red)``, or a refuted
    ``colour(p1,red)``) stated with the value the example has (:func:`brief_tree` does this too)."""
    sentence = _category_sentence(node, categories, values)
    if sentence is not None:
        return replace(node, literal=sentence, holds=True, negated=False, because="comparison", comparison=None,
                       children=(), note="", exceptions=(), ref=0, ident=0, repeated=False, holding=())
    return replace(node, children=tuple(category_tree(c, categories, values) for c in node.children),
                   holding=tuple(category_tree(c, categories, values) for c in node.holding))


def reasoner_values(reasoner) -> ValueOf:
    """The :data:`ValueOf` of the facts a :class:`nesyasp.reason.Reasoner` holds (answers of ``p(p1,V)``, each
    asked once however many comparisons of the tree state it)."""
    seen: dict[tuple[str, str], list[str]] = {}

    def values(pred: str, example: str) -> list[str]:
        if (pred, example) not in seen:
            seen[pred, example] = [str(row[0]) for row in reasoner.query(f"{pred}({example},V)").table.tolist()]
        return seen[pred, example]
    return values


def _sentence(atom: clingo.Symbol, true: bool, comparisons: Comparisons, values: ValueOf) -> str:
    pred, op = comparisons.ops[atom.name]
    example, cut = atom.arguments
    unit = comparisons.units.get(pred)
    subject = f"the {comparisons.names.get(pred, pred)} of {_text(example)}"  # ID-5, as #pred shows "ID-5"
    threshold = cut.string if cut.type == clingo.SymbolType.String else str(cut)
    if unit is None and _number(threshold) is not None:  # "1650000000000.0", a 300-digit 5e-324: as people write it
        threshold = readable_number(float(threshold))
    found = list(values(pred, str(example)))
    if len(found) != 1:
        have = "has no value among the facts" if not found else f"has {len(found)} values ({', '.join(found)})"
        return f"{subject} {have}, so it is {'' if true else 'not '}{_WORDS[op]} {threshold}"
    value = found[0]
    number = _number(value)
    if number is None and value.startswith("code("):  # an order code: the cut points decide, as the file says
        return f"{subject} ({value}) is {'' if true else 'not '}{_WORDS[op]} {threshold}"
    if number is None:
        return f"{subject} is {value}, not a number, so {'' if true else 'not '}{_WORDS[op]} {threshold}"
    shown = unit.format(float(number)) if unit is not None else value
    return f"{subject} ({shown}) is {_WORDS[op if true else _COMPLEMENT[op]]} {threshold}"


def _value_sentence(atom: clingo.Symbol, comparisons: Comparisons, values: ValueOf) -> str | None:
    """``the price of r2 is $1,893.51`` for a fact of a numeric column (None where only its code is known)."""
    pred, (example, term) = atom.name, atom.arguments
    found = list(values(pred, str(example)))
    value = found[0] if len(found) == 1 else str(term)
    number, unit = _number(value), comparisons.units.get(pred)
    if number is None and value.startswith("code("):
        return None
    shown = value if number is None else unit.format(float(number)) if unit is not None else value
    return f"the {comparisons.names.get(pred, pred)} of {_text(example)} is {shown}"


def number_text(text: str) -> Decimal | None:
    """The number of clingo text ``2.3`` or ``-4`` (or of a value shown for an order code: ``1e-300``,
    ``-inf``); None for a string, a constant or ``code(C)``."""
    try:
        return Decimal(text) if re.fullmatch(r"-?(\d+(\.\d+)?(e[-+]?\d+)?|inf)", text) else None
    except InvalidOperation:
        return None


_number = number_text
