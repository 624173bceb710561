"""FoldSEM as a scikit-learn estimator."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from nesyasp.errors import NotFittedError
from nesyasp.learn import FoldSEM

# Every check runs and passes; none is marked as an expected failure. scikit-learn
# itself skips two in this environment: the array-API check (SCIPY_ARRAY_API
# unset) and the pandas-input check (pandas is not installed).
@parametrize_with_checks([FoldSEM()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 10, size=(n, 3)).astype(float)
    y = np.where(X[:, 0] > 4, "hi", "lo")
    return X, y


def test_clone_pipeline_and_cross_val_score():
    X, y = _data()
    est = FoldSEM(ratio=0.3, heuristic="ig")
    assert clone(est).get_params() == est.get_params()
    assert est.set_params(tail=0.01).tail == 0.01
    pipe = Pipeline([("id", FunctionTransformer()), ("fold", FoldSEM())])
    assert pipe.fit(X, y).score(X, y) == 1.0
    scores = cross_val_score(FoldSEM(), X, y, cv=3)
    assert scores.min() > 0.9


def test_unfitted_predict_raises():
    with pytest.raises(NotFittedError):
        FoldSEM().predict([[1.0]])


def test_bad_parameters_are_rejected():
    X, y = _data()
    with pytest.raises(ValueError):
        FoldSEM(heuristic="entropy").fit(X, y)
    with pytest.raises(ValueError):
        FoldSEM(ratio=-1).fit(X, y)
