"""FoldSEM embedded in a user's code: a grid search, a pickled estimator read back by a fresh
interpreter, two estimators and several threads in one process."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from nesyasp.errors import WrongTypeError
from nesyasp.learn import FoldSEM, read_csv

ROOT = Path(__file__).resolve().parents[2]
HEART = ROOT / "examples" / "tables" / "heart.csv"


def _heart():
    table = read_csv(HEART)
    features = [c for c in table.columns if c not in ("label", "id")]
    return features, table.take(features).cells, table.labels("label")


def test_grid_search_then_explain_one_row():
    features, rows, y = _heart()
    search = GridSearchCV(FoldSEM(feature_names=features), {"ratio": [0.3, 0.5], "heuristic": ["gini", "ig"]}, cv=3)
    best = search.fit(rows, y).best_estimator_
    text = best.explain_text(rows[0])
    assert text.startswith(f"x is of class {best.predict(rows[:1])[0]}")
    assert best.explain(rows[0]).literal == f"target(x,{best.predict(rows[:1])[0]})"


def test_a_pickled_estimator_predicts_and_explains_alike_in_a_fresh_interpreter(tmp_path):
    features, rows, y = _heart()
    est = FoldSEM(feature_names=features).fit(rows, y)
    (tmp_path / "est.pkl").write_bytes(pickle.dumps(est))
    np.save(tmp_path / "rows.npy", rows[:30].astype(str))
    code = ("import pickle, numpy as np\n"
            "est = pickle.load(open('est.pkl', 'rb')); rows = np.load('rows.npy')\n"
            "print(' '.join(est.predict(rows))); print(str(est.rules_)); print(est.explain_text(rows[3]))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True)
    here = " ".join(est.predict(rows[:30])) + "\n" + str(est.rules_) + "\n" + est.explain_text(rows[3]) + "\n"
    assert done.stdout == here


def test_two_estimators_and_threads_in_one_process_keep_their_own_results(in_threads):
    features, rows, y = _heart()
    params = [{"ratio": 0.5, "heuristic": "gini"}, {"ratio": 0.3, "heuristic": "ig"}]
    alone = [FoldSEM(feature_names=features, **p).fit(rows, y) for p in params]
    want = [(str(e.rules_), list(e.predict(rows))) for e in alone]
    together = [None, None]

    def fit(k: int) -> None:
        e = FoldSEM(feature_names=features, **params[k]).fit(rows, y)
        together[k] = (str(e.rules_), list(e.predict(rows)))

    assert in_threads(fit, [0, 1]) == [] and together == want and want[0] != want[1]
    texts: dict[int, str] = {}

    def explain(part: range) -> None:
        for i in part:
            texts[i] = alone[0].explain_text(rows[i])

    assert in_threads(explain, [range(k, 24, 3) for k in range(3)]) == []
    assert texts == {i: alone[0].explain_text(rows[i]) for i in range(24)}


def test_explain_and_trace_of_a_wrong_argument_name_what_they_take():
    features, rows, y = _heart()
    est = FoldSEM(feature_names=features).fit(rows[:120], y[:120])
    for call, expected in [(lambda: est.explain(rows[0], name=3), "an example name"),
                           (lambda: est.explain_text(rows[0], name=None), "an example name"),
                           (lambda: est.explain_text(None), "one example"),
                           (lambda: est.explain(7), "one example"),
                           (lambda: est.trace("63,1,1"), "one example")]:
        with pytest.raises(WrongTypeError, match=expected):
            call()
