"""The FOLD-SE-M rule learner as a scikit-learn classifier."""

from __future__ import annotations

import logging
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from nesyasp.errors import DataError, NesyaspError, NotFittedError
from nesyasp.lang.ast import Program, is_identifier
from nesyasp.learn._cells import is_missing
from nesyasp.learn.core import (Params, RuleStats, count_literals, count_rules, covers, fold_sem, rule_stats,
                                simplify)
from nesyasp.learn.emit import to_program
from nesyasp.learn.encode import (BACKGROUND, CATEGORICAL, NUMERIC, ArrayColumns, Columns, Encoded, FitDataError,
                                  encode, fit_features)
from nesyasp.learn.explain import Explanation, explain, explain_text, one_row, trace
from nesyasp.learn.prune import prune as prune_rules
from nesyasp.learn.search import SearchSpace
from nesyasp.learn.table import Table

if TYPE_CHECKING:
    from nesyasp.reason.node import Node

__all__ = ["FoldSEM", "Explanation", "FitDataError", "FoldNotFittedError"]

logger = logging.getLogger(__name__)


class FoldNotFittedError(NotFittedError, SklearnNotFittedError):
    """``predict`` before ``fit``: nesyasp's and scikit-learn's ``NotFittedError`` at once."""


def _check_labels(y: np.ndarray | None) -> None:
    """A missing label (``None``, NaN, ``pandas.NA``) is a :class:`FitDataError` naming its row (it was a
    ``TypeError`` from sorting the classes, or 'Unknown label type')."""
    if y is None or y.dtype.kind != "O":
        return
    for i, label in enumerate(y.tolist()):
        if is_missing(label):
            raise FitDataError(f"the label of row {i} is missing ({label!r}): every training row needs a class "
                               "(leave such rows out, or give them one)")


class FoldSEM(ClassifierMixin, BaseEstimator):
    """FOLD-SE-M: default rules with exceptions, learned as a stratified ASP program.

    Parameters
    ----------
    ratio : float, default=0.5
        The default part of a rule stops once its covered negatives are at
        most ``ratio`` times its covered positives; exceptions are then
        learned for those negatives (roles swapped, recursively).
    tail : float, default=0.005
        The tail cut. With ``n_c`` the training examples of the class being
        learned and ``m = max(min_gain, tail * n_c)``: a literal must hold on
        at least ``m`` positives; a set of exception rules stops at its first
        rule covering fewer than ``m`` more positives than negatives (its net
        gain). In the class loop, a rule for the most frequent remaining class
        needs a net gain of ``m``; when it fails, the other classes are tried
        with ``max(min_gain, 4 * tail * n_samples)``; when all fail, the rest
        goes to a catch-all rule.
    heuristic : {"gini", "sharp_gini", "ig"}, default="gini"
        Literal score: the plain weighted Gini impurity (our reading of
        FOLD-SE's, whose exact "magic" variant is not public; the default,
        chosen by the nested protocol of docs/learning.md), the Gini impurity
        sharpened near purity (:func:`~nesyasp.learn.search.sharp_gini`, each
        side's impurity to the power 1/ln 4), or FOLD-R++/FOLD-RM's
        information gain (to reproduce them).
    numeric, categorical : list of str or int, default=None
        Columns (names or indices) declared numeric (mixed: cells that do not
        parse stay strings) or categorical; others are inferred (numeric when
        at least 90% of the non-missing cells are numbers).
    feature_names : list of str, default=None
        Column names; default ``f0, f1, ...``.
    head : str, default="target"
        The head predicate of the learned rules, ``head(X,class)``.
    max_depth : int, default=20
        Maximal nesting of exceptions.
    min_gain : int, default=3
        Absolute floor of the tail cut (rules that fix one or two examples are
        noise on small tables).
    prune : bool, default=True
        After learning, drop every literal and exception whose removal costs
        no training accuracy (:func:`nesyasp.learn.prune.prune`; greedy
        search leaves some behind). Training accuracy never drops, and
        the rule set never grows.
    max_thresholds : int or None, default=65536
        A numeric column with more distinct training numbers than this
        considers this many of them as thresholds, at evenly spaced ranks
        (quantiles), as gradient-boosting libraries bin large columns; it
        bounds the search's time and memory on tables of millions of rows.
        ``None`` considers every distinct number (FOLD's exact search). Every
        table with fewer training rows than the cap is searched exactly.
    background : Program, str or path, default=None
        Background knowledge: rules over the column predicates whose unary
        heads become candidate literals (:mod:`nesyasp.learn.background`).
        The learned program carries them. A string is rule text, or a path
        when it is one line without a parenthesis (``"knowledge.lp"``).

    Attributes
    ----------
    rules_ : Program
        The learned stratified program.
    learned_ : list of LearnedRule
        The ordered default rules (internal form).
    features_ : list of Feature
        Kinds, predicate names, thresholds and values of the columns.
    classes_ : ndarray
        The class labels.
    n_rules_ : int
        Default rules plus exception rules.
    rule_set_size_ : int
        Body literals of the printed program (default rules and distinct
        exception rules), counted as REFERENCE.md does: each comparison or
        feature atom counts 1 (the ``attr(X,N)`` binding atom does not),
        ``not abK``/``not ruleK`` references do not count.
    rule_stats_ : list of RuleStats
        Per default rule, in order: the training rows it decides (support)
        and the share of them it classifies right (precision, CON-FOLD's
        confidence); also printed as a comment above each rule of ``rules_``.
    background_ : Program or None
        The checked background program.

    Examples
    --------
    >>> X = [[1, "red"], [0, "red"], [1, "blue"], [0, "blue"]] * 3
    >>> y = ["yes", "no", "no", "no"] * 3
    >>> est = FoldSEM(min_gain=1, feature_names=["f12", "color"]).fit(X, y)
    >>> est.predict([[1, "red"], [1, "blue"]]).tolist()
    ['yes', 'no']
    >>> print(est.rules_.rules[0])
    rule1(X) :- not f12(X).
    >>> est.n_rules_, est.rule_set_size_
    (3, 2)
    """

    _parameter_constraints: dict = {
        "ratio": [Interval(Real, 0, None, closed="left")],
        "tail": [Interval(Real, 0, 1, closed="both")],
        "heuristic": [StrOptions({"sharp_gini", "gini", "ig"})],
        "numeric": [list, tuple, None],
        "categorical": [list, tuple, None],
        "feature_names": [list, tuple, None],
        "head": [str],
        "max_depth": [Interval(Integral, 0, None, closed="left")],
        "min_gain": [Interval(Integral, 0, None, closed="left")],
        "prune": ["boolean"],
        "max_thresholds": [Interval(Integral, 2, None, closed="left"), None],
        "background": [Program, str, Path, None],
    }

    def __init__(self, ratio: float = 0.5, tail: float = 0.005, heuristic: str = "gini",
                 numeric: Sequence[str | int] | None = None, categorical: Sequence[str | int] | None = None,
                 feature_names: Sequence[str] | None = None, head: str = "target", max_depth: int = 20,
                 min_gain: int = 3, prune: bool = True, max_thresholds: int | None = 65536,
                 background: Program | str | Path | None = None):
        self.ratio = ratio
        self.tail = tail
        self.heuristic = heuristic
        self.numeric = numeric
        self.categorical = categorical
        self.feature_names = feature_names
        self.head = head
        self.max_depth = max_depth
        self.min_gain = min_gain
        self.prune = prune
        self.max_thresholds = max_thresholds
        self.background = background

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    # ------------------------------------------------------------------ fit

    def _names(self, n: int, given: Sequence[str] | None = None) -> list[str]:
        if self.feature_names is not None:
            if len(self.feature_names) != n:
                raise DataError(f"feature_names has {len(self.feature_names)} names for {n} columns")
            return [str(c) for c in self.feature_names]
        if given is not None:
            return [str(c) for c in given]
        if hasattr(self, "feature_names_in_"):
            return [str(c) for c in self.feature_names_in_]
        return [f"f{i}" for i in range(n)]

    def _kinds(self, names: list[str]) -> dict[int, str]:
        kinds: dict[int, str] = {}
        for role, cols in ((NUMERIC, self.numeric), (CATEGORICAL, self.categorical)):
            for c in cols or ():
                if isinstance(c, (int, np.integer)) and 0 <= c < len(names):
                    kinds[int(c)] = role
                elif str(c) in names:
                    kinds[names.index(str(c))] = role
                else:
                    raise DataError(f"{role} column {c!r} is not a column (columns: {', '.join(names)})")
        return kinds

    def _columns(self, X, y=None, reset: bool = True) -> tuple[Columns, np.ndarray | None, list[str] | None]:
        """The cells as :class:`Columns` (a :class:`Table` stays columnar), validated as scikit-learn does."""
        if isinstance(X, Table):
            if not X.columns:
                raise FitDataError("the table has no columns (give the feature columns: table.take(names))")
            if reset:
                self.n_features_in_ = len(X.columns)
                if y is None or len(y) != X.n_rows:
                    raise FitDataError(f"the table has {X.n_rows} rows but there are "
                                       f"{'no' if y is None else len(y)} labels")
            elif len(X.columns) != self.n_features_in_:
                raise FitDataError(f"the table has {len(X.columns)} columns; the estimator was fitted on "
                                   f"{self.n_features_in_}")
            return X, (None if y is None else np.asarray(y)), list(X.columns)
        try:
            if y is not None:
                X, y = validate_data(self, X, y, dtype=None, ensure_all_finite=False, ensure_min_samples=1)
            else:
                X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        except ValueError as exc:  # scikit-learn's checks (a 1-D X, X and y of other lengths): its message, our error
            raise exc if isinstance(exc, NesyaspError) else FitDataError(str(exc)) from None
        return ArrayColumns(np.asarray(X)), y, None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y) -> FoldSEM:
        """Learn the rules from ``X`` (numbers, strings or both, or a :class:`Table`) and labels ``y``."""
        from nesyasp.learn.background import background_features, load_background

        if not is_identifier(self.head):
            raise DataError(f"head {self.head!r} is not a valid ASP predicate name")
        columns, y, given = self._columns(X, y)
        _check_labels(y)
        try:
            check_classification_targets(y)
        except ValueError as exc:  # continuous labels: scikit-learn's message, our error
            raise FitDataError(str(exc)) from None
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise FitDataError(f"the target has a single class ({str(self.classes_[0])!r}): 1 class, at least two "
                               "are needed")
        names = self._names(self.n_features_in_, given)
        parsed: list = []
        self.features_ = fit_features(columns, names, self._kinds(names), [self.head], parsed, self.max_thresholds)
        # categorical columns whose cells were read as written (arrays; kept texts of a table), so that a table
        # given to `nesyasp learn --predict` is read the same way (a zip code 02134 is not the number 2134)
        kept = [getattr(c, "texts", False) for c in columns.data] if isinstance(columns, Table) else None
        self._as_written = frozenset(f.name for j, f in enumerate(self.features_)
                                     if f.kind == CATEGORICAL and (kept is None or kept[j]))
        self.background_ = None if self.background is None else load_background(self.background)
        if self.background_ is not None:
            self.features_ += background_features(self.background_, self.features_, [self.head])
        data = self._encoded(columns, parsed)
        params = Params(ratio=self.ratio, tail=self.tail, min_gain=self.min_gain, heuristic=self.heuristic,
                        max_depth=self.max_depth)
        rules = fold_sem(SearchSpace(data, self.features_), y_idx, len(self.classes_), params)
        self.learned_ = [simplify(r) for r in rules]
        if self.prune:
            self.learned_ = [simplify(r) for r in prune_rules(self.learned_, data, y_idx)]
        self.rule_stats_: list[RuleStats] = rule_stats(self.learned_, data, y_idx)
        self.rules_: Program = to_program(self.learned_, self.features_, self.classes_.tolist(), self.head,
                                          self.rule_stats_, self.background_)
        self.n_rules_ = count_rules(self.learned_)
        self.rule_set_size_ = count_literals(self.learned_)
        logger.info("learned %d rules with %d literals", self.n_rules_, self.rule_set_size_)
        return self

    def _encoded(self, columns: Columns, parsed: list | None = None) -> Encoded:
        """The cells encoded against ``features_``, background predicates evaluated by the reasoner."""
        from nesyasp.learn.background import evaluate_background

        data = encode(columns, self.features_, parsed)
        derived = [j for j, f in enumerate(self.features_) if f.kind == BACKGROUND]
        if derived:
            truth = evaluate_background(self.background_, columns, self.features_)
            data.code[:, derived] = np.where(truth, 0, -2)
        return data

    # -------------------------------------------------------------- predict

    def _encode(self, X) -> Encoded:
        if not hasattr(self, "learned_"):
            raise FoldNotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")
        columns, _, _ = self._columns(X, reset=False)
        return self._encoded(columns)

    def _example(self, x) -> np.ndarray:
        """One example to explain (:func:`~nesyasp.learn.explain.one_row`) as a ``(1, n_features_in_)`` array."""
        if not hasattr(self, "learned_"):
            raise FoldNotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")
        names = [f.name for f in self.features_ if f.kind != BACKGROUND]
        frame = getattr(self, "feature_names_in_", None)
        row = one_row(x, names, None if frame is None else [str(c) for c in frame])
        if row.shape[1] != self.n_features_in_:
            raise DataError(f"the example has {row.shape[1]} cell{'' if row.shape[1] == 1 else 's'}; the estimator "
                            f"was fitted on {self.n_features_in_} columns ({', '.join(names)})")
        return row

    def _encode_row(self, row: np.ndarray) -> Encoded:
        """:meth:`_example`'s row encoded (its names, if any, were checked there: no scikit-learn warning)."""
        return self._encoded(ArrayColumns(row))

    def _decide(self, data: Encoded) -> np.ndarray:
        n = data.num.shape[0]
        rule_of = np.full(n, -1, dtype=np.int64)
        rows = np.arange(n)
        for k, rule in enumerate(self.learned_):
            if rows.size == 0:
                break
            hit = covers(rule, data, rows)
            rule_of[rows[hit]] = k
            rows = rows[~hit]
        return rule_of

    def decision_rule(self, X) -> np.ndarray:
        """Index of the default rule (in ``learned_``) that decides each example."""
        return self._decide(self._encode(X))

    def predict(self, X) -> np.ndarray:
        """The class of each row: that of the first default rule that covers it.

        This evaluates the fitted decision list on the encoded table directly
        (vectorized, exactly the rules of ``rules_``); ``clingo_predict`` and
        ``explain`` run the same rules through :mod:`nesyasp.reason`, and a
        test checks that they agree on every row.
        """
        rule_of = self.decision_rule(X)
        labels = np.asarray([r.label for r in self.learned_])[rule_of]
        return self.classes_[labels]

    def explain(self, x, name: str = "x") -> Node:
        """The reasoner's justification tree of the prediction for one example ``x`` (a row).

        The emitted program (in the clingo form of :mod:`nesyasp.learn.asp`)
        and the example's facts, named ``name``, go to a
        :class:`nesyasp.reason.Reasoner`; the tree's root is the predicted
        atom ``target(name,class)`` (head as fitted), which holds, and its
        ``note`` gives the training support and precision of the rule that
        fired (``rule_stats_``). An example that no learned rule covers gets
        the class of the final catch-all rule: its tree says that every
        earlier rule of another class fails (``not ruleK(x)``). Numbers in
        the tree are order codes; :meth:`explain_text` reads it in the
        table's own numbers.

        Raises
        ------
        ReasoningError
            If the reasoner does not derive the learner's class (a bug).
        """
        return explain(self, x, name)

    def explain_text(self, x, name: str = "x") -> str:
        """:meth:`explain`'s tree in English: column names, the example's values, the learned thresholds.

        The first line gives the confidence of the rule that fired
        (:func:`nesyasp.learn.readable.readable_tree` for the wording).
        """
        return explain_text(self, x, name)

    def trace(self, x) -> Explanation:
        """The learner's own trace for one example ``x``: which rule decides, literal by literal."""
        return trace(self, x)
