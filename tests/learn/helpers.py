"""Helpers of the learner's tests: plain clingo on written files, seeded samples of the shipped tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nesyasp.learn import FoldSEM, read_csv, split_target


def clingo_alone(*sources: str | Path) -> dict[str, str]:
    """Ground files (paths) or program texts with the plain clingo Python API (no nesyasp here): ``target/2``
    per example, one class each."""
    import clingo

    ctl = clingo.Control(["--warn=none"])
    for source in sources:
        if isinstance(source, Path):
            ctl.load(str(source))
        else:
            ctl.add("base", [], source)
    ctl.ground([("base", [])])
    found: dict[str, str] = {}

    def on_model(model):
        for sym in model.symbols(atoms=True):
            if sym.name == "target" and len(sym.arguments) == 2:
                assert str(sym.arguments[0]) not in found, "two classes for one example"
                found[str(sym.arguments[0])] = str(sym.arguments[1])

    assert ctl.solve(on_model=on_model).satisfiable
    return found


def shipped_sample(root: Path, name: str, rows: int, seed: int = 0):
    """A seeded sample of a shipped table, learned on its first 80%: ``(est, X, meta, features)``.

    The sample holds one row of every class, so that no training part has a single class; ``X`` is
    the training rows, then the held-out ones.
    """
    meta = json.loads((root / "datasets.json").read_text())[name]
    features = meta["numeric"] + meta["categorical"]
    X, y, names = split_target(read_csv(root / name / meta["files"][0], ragged="fit"), meta["label"], features)
    order = np.random.default_rng(seed).permutation(len(y))
    _, first = np.unique(y[order], return_index=True)
    train = np.unique(np.r_[order[: rows * 4 // 5], order[first]])
    sample = np.r_[train, np.setdiff1d(order[:rows], train)]
    est = FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=names,
                  min_gain=1).fit(X[sample[: len(train)]], y[sample[: len(train)]])
    return est, X[sample], meta, features


def cli_fit(path: Path, target: str = "label", id_column: str = "id"):
    """The fit ``nesyasp learn PATH --target TARGET`` makes (seed-0 shuffle, 80% trains): ``(est, table, names)``."""
    import random

    table = read_csv(path)
    names = [c for c in table.columns if c not in (id_column, target)]
    order = list(range(table.n_rows))
    random.seed(0)
    random.shuffle(order)
    train = np.asarray(order[: int(table.n_rows * 0.8)])
    return FoldSEM().fit(table.take(names).select(train), table.labels(target)[train]), table, names
