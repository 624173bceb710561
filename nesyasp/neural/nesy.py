"""The NeSy model: CNN filter features plus a rule set in place of the CNN's head.

Predictions come from the rule set evaluated on binarized filter tables, two
ways that agree: :func:`predict_table` (vectorized, numpy) and
:func:`predict_clingo` (clingo computes the stable model). An image gets the
class of the first ``target(X,c)`` rule (program order) that derives a class
for it, or ``-1`` when no rule applies (counted as a wrong prediction).

Metrics follow the paper: NeSy accuracy, CNN accuracy, fidelity (share of
test images where the NeSy prediction equals the CNN's) and rule-set size
(the feature predicates over all rules; ``abK``/``ruleK`` references do not count).

Examples
--------
>>> import numpy as np
>>> from nesyasp.lang.ast import Atom, Literal, Program, Rule, Variable, Constant
>>> X = Variable("X")
>>> p = Program((Rule(Atom("target", (X, Constant("a"))), (Literal(Atom("f1", (X,))),)),
...              Rule(Atom("target", (X, Constant("b"))), (Literal(Atom("f1", (X,)), negated=True),))))
>>> predict_table(p, np.array([[0, 1], [1, 0]], np.uint8), ("a", "b")).tolist()
[0, 1]
>>> rule_set_size(p), count_rules(p)
(2, 2)
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from nesyasp.lang.ast import Atom, Literal, Program, Rule
from nesyasp.errors import DataError, ReasoningError

__all__ = ["predict_table", "predict_clingo", "rule_set_size", "count_rules", "NesyMetrics", "nesy_metrics",
           "class_index", "check_rules", "NesyModel"]

_INTERNAL = re.compile(r"(ab|rule)\d+\Z")
_DOMAIN = "_example"
_FILTER = re.compile(r"f(\d+)\Z")  # the predicate of filter j: fj


def class_index(term: object, class_names: Sequence[str]) -> int:
    """Index of a head's class term among ``class_names`` (quotes ignored), ``-1`` if absent."""
    text = str(term).strip('"').strip("'")
    names = [str(c) for c in class_names]
    return names.index(text) if text in names else -1


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


def _evaluator(program: Program, values: np.ndarray, head: str):
    defs: dict[str, list[Rule]] = {}
    for r in program.rules:
        if isinstance(r.head, Atom) and r.head.predicate != head:
            defs.setdefault(r.head.predicate, []).append(r)
    memo: dict[str, np.ndarray] = {}
    n = values.shape[0]

    def atom_value(atom: Atom, visiting: frozenset[str]) -> np.ndarray:
        name = atom.predicate
        if name == _DOMAIN:
            return np.ones(n, dtype=bool)
        if name in defs:
            if name in visiting:
                raise DataError(f"predicate {name} is recursive; rule sets of filters are not")
            if name not in memo:
                memo[name] = np.any([body_value(r, visiting | {name}) for r in defs[name]], axis=0)
            return memo[name]
        m = _FILTER.match(name)
        if m and int(m.group(1)) < values.shape[1]:
            return values[:, int(m.group(1))].astype(bool)
        return np.zeros(n, dtype=bool)

    def body_value(rule: Rule, visiting: frozenset[str]) -> np.ndarray:
        out = np.ones(n, dtype=bool)
        for lit in rule.body:
            if not isinstance(lit, Literal) or not isinstance(lit.atom, Atom) or len(lit.atom.arguments) != 1:
                raise DataError(f"rule '{rule}' has a body element that is not a filter atom: {lit}",
                                getattr(rule, "loc", None))
            v = atom_value(lit.atom, visiting)
            out &= ~v if lit.negated else v
        return out

    return body_value


def _target_rules(program: Program, head: str) -> list[Rule]:
    return [r for r in program.rules if isinstance(r.head, Atom) and r.head.predicate == head
            and len(r.head.arguments) == 2]


def predict_table(program: Program, values: np.ndarray, class_names: Sequence[str],
                  head: str = "target") -> np.ndarray:
    """Vectorized NeSy predictions on a ``[N, F]`` 0/1 table (``-1``: no rule applies)."""
    values = np.asarray(values)
    body_value = _evaluator(program, values, head)
    pred = np.full(values.shape[0], -1, dtype=np.int64)
    for rule in _target_rules(program, head):
        hit = body_value(rule, frozenset()) & (pred == -1)
        pred[hit] = class_index(rule.head.arguments[1], class_names)
    return pred


def predict_clingo(program: Program, values: np.ndarray, class_names: Sequence[str],
                   head: str = "target") -> np.ndarray:
    """NeSy predictions computed by clingo from the rules and the table's facts.

    Where clingo derives several classes for an image, the class of the
    earliest ``target`` rule among them is taken (the learner's programs derive one).
    """
    import clingo

    from nesyasp.learn.asp import clingo_rules

    values = np.asarray(values)
    lines = [f"{_DOMAIN}(e{i})." for i in range(values.shape[0])]
    rows, cols = np.nonzero(values)
    lines.extend(f"f{j}(e{i})." for i, j in zip(rows.tolist(), cols.tolist()))
    ctl = clingo.Control(["--warn=none"])
    try:
        ctl.add("base", [], clingo_rules(program) + "\n".join(lines) + "\n")
        ctl.ground([("base", [])])
    except RuntimeError as exc:
        raise ReasoningError(f"clingo rejected the rule set: {exc}") from None
    order = [class_index(r.head.arguments[1], class_names) for r in _target_rules(program, head)]
    rank = {c: i for i, c in reversed(list(enumerate(order)))}
    found: list[list[int]] = [[] for _ in range(values.shape[0])]
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            for sym in model.symbols(atoms=True):
                if sym.name == head and len(sym.arguments) == 2:
                    found[int(sym.arguments[0].name[1:])].append(class_index(sym.arguments[1], class_names))
            break
    return np.array([min(f, key=lambda c: rank.get(c, len(rank))) if f else -1 for f in found], dtype=np.int64)


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


class NesyModel:
    """CNN filter features + rule set: images in, classes out.

    Parameters
    ----------
    model:
        The trained :class:`~nesyasp.neural.models.FeatureModel`.
    thresholds:
        Per-filter binarization thresholds.
    norm:
        Filter norm (``fro`` or ``spectral``).
    program:
        The rule set (heads ``target(X,class)``).
    class_names:
        Names of the class indices.
    """

    def __init__(self, model, thresholds: np.ndarray, norm: str, program: Program,
                 class_names: Sequence[str]):
        self.model, self.thresholds, self.norm = model, np.asarray(thresholds, dtype=np.float64), norm
        self.program, self.class_names = program, tuple(class_names)

    @classmethod
    def from_run(cls, run) -> "NesyModel":
        """The NeSy model of an extracted run folder (rules.lp and tables/binarization.json)."""
        import json

        from nesyasp.lang import parse_file

        info_path = run.tables_dir / "binarization.json"
        if not info_path.is_file() or not run.rules_path.is_file():
            raise DataError(f"{run.path}: not extracted yet; run 'nesyasp extract {run.path}' first")
        info = json.loads(info_path.read_text(encoding="utf-8"))
        return cls(run.model, np.asarray(info["thresholds"]), info["norm"], parse_file(run.rules_path),
                   run.class_names)

    def binarize(self, x) -> np.ndarray:
        """The ``[N, F]`` 0/1 filter table of images ``x`` (a float tensor ``[N, 3, H, W]``)."""
        import torch

        from nesyasp.neural.binarize import binarize
        from nesyasp.neural.sparsity import filter_norms

        self.model.eval()
        with torch.no_grad():
            norms = filter_norms(self.model(x)[1], self.norm).cpu().numpy()
        return binarize(norms, self.thresholds)

    def predict(self, x, engine: str = "numpy") -> np.ndarray:
        """Class indices of images ``x`` (``-1`` where no rule applies); ``engine`` numpy or clingo."""
        values = self.binarize(x)
        if engine == "clingo":
            return predict_clingo(self.program, values, self.class_names)
        return predict_table(self.program, values, self.class_names)
