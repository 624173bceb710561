"""The NeSy model's symbolic side: CNN filter tables in, classes and the paper's metrics out.

Predictions go through the reasoner (:mod:`nesyasp.reason`), the one engine
of the toolkit: the binarized filter table becomes the reasoner's fact table
(filter ``j`` is the predicate ``fj``, every row an example), and the class
of an image is read from the answers of ``target(X,C)``. The reasoner takes
its compiled numpy path for learned (per-example, non-recursive) rule sets
and clingo otherwise, or either one when asked (``engine``).

**Class choice.** An image gets the class of the earliest ``target(X,c)``
rule, in program order, whose body holds for it; ``-1`` when no rule
applies (counted as a wrong prediction). FOLD-SE-M's rule sets derive at
most one class per image; where a hand-written one derives several, the
reasoner's justification of each names the rule that derives it (the first
of its class whose body holds), and the earliest of those rules wins.

Metrics follow the paper: NeSy accuracy, CNN accuracy, fidelity (share of
test images where the NeSy prediction equals the CNN's) and rule-set size
(the feature predicates over all rules; ``abK``/``ruleK`` references do not count).

The model itself (CNN + thresholds + rules, images in) is
:class:`nesyasp.neural.nesymodel.NesyModel`.

Examples
--------
>>> import numpy as np
>>> from nesyasp.lang import parse_program
>>> p = parse_program("target(X,a) :- f1(X).  target(X,b) :- not f1(X).")
>>> predict_classes(p, np.array([[0, 1], [1, 0]], np.uint8), ("a", "b")).tolist()
[0, 1]
>>> rule_set_size(p), count_rules(p)
(2, 2)
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from nesyasp.errors import DataError
from nesyasp.lang.ast import Atom, Literal, Program, String

__all__ = ["predict_classes", "reasoner_classes", "rule_set_size", "count_rules", "NesyMetrics", "nesy_metrics",
           "class_index", "check_rules", "filter_columns"]

_INTERNAL = re.compile(r"(ab|rule)\d+\Z")
_DOMAIN = "_example"
_FILTER = re.compile(r"f(\d+)\Z")  # the predicate of filter j: fj


def class_index(term: object, class_names: Sequence[str]) -> int:
    """Index of a head's class term among ``class_names`` (quotes ignored), ``-1`` if absent.

    ``term`` is an AST term or its clingo text; a string term is compared by
    its value, so a class named ``a "b"`` matches ``"a \\"b\\""`` (escapes undone).

    >>> class_index('"Living Room"', ("kitchen", "Living Room"))
    1
    """
    names = [str(c) for c in class_names]
    if isinstance(term, String):
        text = term.value
    else:
        text = str(term)
        quoted = [str(String(c)) for c in names]  # clingo's text of each name as a string term
        if text in quoted:
            return quoted.index(text)
        text = text.strip('"').strip("'")
    return names.index(text) if text in names else -1


def filter_columns(n_filters: int) -> list[str]:
    """The predicates of a filter table's columns: ``f0``, ``f1``, ..."""
    return [f"f{j}" for j in range(n_filters)]


def check_rules(program: Program, n_filters: int, class_names: Sequence[str], head: str = "target") -> None:
    """Refuse a rule set that names a class or a filter the run does not have (a hand edit gone wrong).

    Without this check such rules would silently never fire, and the NeSy
    accuracy would drop with no word of why.

    Raises
    ------
    DataError
        At the first such rule (with its file:line:col).
    """
    defined = {r.head.predicate for r in program.rules if isinstance(r.head, Atom)}
    for rule in program.rules:
        if not isinstance(rule.head, Atom):
            continue
        args = rule.head.arguments
        if rule.head.predicate == head and len(args) == 2 and class_index(args[1], class_names) < 0:
            raise DataError(f"class {args[1]} is not a class of this run ({', '.join(map(str, class_names))})",
                            rule.loc)
        for lit in rule.body:
            if not isinstance(lit, Literal) or not isinstance(lit.atom, Atom):
                continue
            name = lit.atom.predicate
            m = _FILTER.match(name)
            if name not in defined and name != _DOMAIN and (m is None or int(m.group(1)) >= n_filters):
                raise DataError(f"'{name}' is not a filter of this run (f0 to f{n_filters - 1}) nor defined by a rule",
                                lit.loc)


def predict_classes(program: Program, values: np.ndarray, class_names: Sequence[str], head: str = "target",
                    engine: str = "auto") -> np.ndarray:
    """NeSy predictions on an ``[N, F]`` 0/1 filter table, computed by the reasoner (``-1``: no rule applies).

    Parameters
    ----------
    program:
        The rule set (heads ``target(X,class)``, filter ``j`` the predicate ``fj``).
    values:
        The binarized filter table, one row per image.
    class_names:
        Names of the class indices.
    head:
        The class predicate.
    engine:
        The reasoner's engine: ``auto`` (compiled numpy path where it applies), ``compiled`` or ``clingo``.
    """
    from nesyasp.reason import Reasoner

    values = np.asarray(values)
    ids = [f"e{i}" for i in range(values.shape[0])]
    reasoner = Reasoner(program, check=False, engine=engine)
    reasoner.add_table(values.astype(bool), filter_columns(values.shape[1]), ids)
    return reasoner_classes(reasoner, ids, class_names, head)


def reasoner_classes(reasoner: Any, ids: Sequence[str], class_names: Sequence[str],
                     head: str = "target") -> np.ndarray:
    """The class index of each example of ``ids`` in a reasoner's model (``-1``: none), earliest rule first.

    ``ids`` are the examples' clingo texts, as the reasoner's answers print them.
    """
    row = {str(e): i for i, e in enumerate(ids)}
    found: dict[int, list[str]] = {}
    answers = reasoner.query(f"{head}(X,C)")
    for example, cls in answers.table.tolist():
        i = row.get(str(example))
        if i is not None:
            found.setdefault(i, []).append(str(cls))
    pred = np.full(len(ids), -1, dtype=np.int64)
    for i, classes in found.items():
        chosen = classes[0] if len(classes) == 1 else earliest_class(reasoner, str(ids[i]), classes, head)
        pred[i] = class_index(chosen, class_names)
    return pred


def earliest_class(reasoner: Any, example: str, classes: Sequence[str], head: str = "target") -> str:
    """Of several classes derived for ``example``, the one whose deriving rule comes first in the program.

    The rule deriving ``head(example,c)`` is the one the reasoner's justification
    uses: the first rule of class ``c``, in program order, whose body holds.
    """
    order = {id(rule): k for k, rule in enumerate(reasoner.translation.rules)}

    def rank(cls: str) -> int:
        node = reasoner.explain(f"{head}({example},{cls})")
        return order.get(id(node.source), -1) if node.source is not None else -1

    return min(classes, key=rank)


def rule_set_size(program: Program) -> int:
    """Feature literals over all rules (``abK``, ``ruleK`` and domain atoms not counted)."""
    return sum(1 for r in program.rules for lit in r.body
               if isinstance(lit, Literal) and isinstance(lit.atom, Atom)
               and not _INTERNAL.match(lit.atom.predicate) and lit.atom.predicate != _DOMAIN)


def count_rules(program: Program, head: str = "target") -> int:
    """Class rules (a catch-all included) plus exception rules (``ruleK`` helper definitions not counted)."""
    return sum(1 for r in program.rules if isinstance(r.head, Atom)
               and (r.head.predicate == head or re.fullmatch(r"ab\d+", r.head.predicate)))


@dataclass(frozen=True, slots=True)
class NesyMetrics:
    """The paper's metrics on a test set (shares in [0, 1])."""

    nesy_accuracy: float
    cnn_accuracy: float
    fidelity: float
    rule_set_size: int
    n_rules: int
    n_test: int

    def to_dict(self) -> dict[str, float | int]:
        """A JSON-ready dict with the six fields."""
        return asdict(self)


def nesy_metrics(program: Program, nesy_pred: np.ndarray, cnn_pred: np.ndarray, labels: np.ndarray) -> NesyMetrics:
    """Accuracy of both models, fidelity, rule-set size and rule count."""
    nesy_pred, cnn_pred, labels = map(np.asarray, (nesy_pred, cnn_pred, labels))
    if not len(labels) == len(nesy_pred) == len(cnn_pred):
        raise DataError("predictions and labels differ in length")
    n = max(1, len(labels))
    return NesyMetrics(float((nesy_pred == labels).sum() / n), float((cnn_pred == labels).sum() / n),
                       float((nesy_pred == cnn_pred).sum() / n), rule_set_size(program),
                       count_rules(program), int(len(labels)))
