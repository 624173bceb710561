"""How the learner's default heuristic is chosen: a nested protocol that never looks at reported figures.

The protocol (fixed before it was run; docs/learning.md):

1. Candidates: ``gini`` (plain weighted Gini impurity, FOLD-SE's score as we
   read it), ``sharp_gini`` and ``ig`` (information gain, FOLD-R++/FOLD-RM),
   every other parameter at its default.
2. Outer splits: the benchmark's own (``learn_tabular.runs``: five seeded
   80/20 splits, or the given train/test files), on all 32 shared tables.
3. For every outer split ``k`` and every table, 5-fold cross-validation
   *inside the training rows of split k* (folds from ``random.seed(1000 + k)``;
   a fold whose training part has a single class is skipped) gives each
   candidate's inner accuracy on that table.
4. The choice for split ``k``: ``gini`` unless another candidate has a
   higher inner accuracy on more tables than a lower one and a two-sided sign
   test over the tables gives p < 0.05 (ties left out); among several such
   candidates, the one with the largest wins minus losses.
5. The reported figures of split ``k`` are the test accuracy and size of the
   candidate chosen for split ``k``, on split k's test rows, which no choice
   for split k saw. The shipped default is the choice of the majority of the
   splits; the script says whether every split chose the same.

Run: ``OMP_NUM_THREADS=1 python benchmarks/_learn_protocol.py [--only a,b] [--json out.json]``
(minutes: 32 tables x 5 splits x 3 candidates x 5 folds). Not part of
``make bench`` (its name starts with ``_``). Exit 1 when the shipped default
differs from the protocol's choice.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from math import comb
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from learn_tabular import DATA, runs  # noqa: E402

from nesyasp.errors import DataError  # noqa: E402
from nesyasp.learn import FoldSEM  # noqa: E402

CANDIDATES = ("gini", "sharp_gini", "ig")
BASE = "gini"
FOLDS = 5


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test p-value."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2 ** n)


def inner_accuracy(X, y, names, meta, heuristic: str, seed: int) -> float:
    order = list(range(len(y)))
    random.seed(seed)
    random.shuffle(order)
    folds = np.array_split(np.asarray(order), FOLDS)
    scores = []
    for i in range(FOLDS):
        test = folds[i]
        train = np.concatenate([folds[j] for j in range(FOLDS) if j != i])
        est = FoldSEM(heuristic=heuristic, numeric=meta["numeric"], categorical=meta["categorical"],
                      feature_names=names)
        try:
            est.fit(X[train], y[train])
        except DataError:
            continue  # a single class in this fold's training part
        scores.append(float(np.mean(est.predict(X[test]) == y[test])))
    return float(np.mean(scores)) if scores else float("nan")


def choose(inner: dict[str, dict[str, float]]) -> tuple[str, dict]:
    """The decision rule of step 4 over one split's inner accuracies ``inner[table][heuristic]``."""
    record = {}
    best, best_margin = BASE, 0
    for h in CANDIDATES:
        if h == BASE:
            continue
        diffs = [inner[t][h] - inner[t][BASE] for t in inner if np.isfinite(inner[t][h] - inner[t][BASE])]
        wins = sum(d > 1e-12 for d in diffs)
        losses = sum(d < -1e-12 for d in diffs)
        p = sign_test(wins, losses)
        record[h] = {"wins": wins, "losses": losses, "ties": len(diffs) - wins - losses, "p": p}
        if wins > losses and p < 0.05 and wins - losses > best_margin:
            best, best_margin = h, wins - losses
    return best, record


def per_table(names: list[str], meta_all: dict, inner: list[dict], outer: list[dict]) -> None:
    """The alternative of choosing inside every fit: per table and split, the candidate with the best inner
    accuracy (ties to ``gini``), evaluated on the split's test rows (which that choice never saw)."""
    for pool in ((BASE, "ig"), CANDIDATES):
        total, rows = 0.0, []
        for name in names:
            ks = range(len(runs(name, meta_all[name]))) if "train" in meta_all[name] else range(5)
            picks = [max(pool, key=lambda h: (inner[k][name][h], h == BASE)) for k in ks]
            accs = [outer[k][name][h]["acc"] for k, h in zip(ks, picks)]
            total += float(np.mean([outer[k][name][h]["literals"] for k, h in zip(ks, picks)]))
            rows.append(f"{name} {np.mean(accs):.4f}")
        print(f"\nper-table choice among {', '.join(pool)} (inner CV inside each fit): "
              f"total literals {total:.1f}; " + ", ".join(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated dataset names")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    args = ap.parse_args(argv)
    meta_all = json.loads((DATA / "datasets.json").read_text())
    names = sorted(meta_all) if not args.only else args.only.split(",")
    inner: list[dict] = [{} for _ in range(5)]
    outer: list[dict] = [{} for _ in range(5)]
    for name in names:
        meta = meta_all[name]
        splits = runs(name, meta)
        for k in range(5):
            Xtr, ytr, Xte, yte, cols = splits[min(k, len(splits) - 1)]
            inner[k][name] = {h: inner_accuracy(Xtr, ytr, cols, meta, h, 1000 + k) for h in CANDIDATES}
            outer[k][name] = {}
            for h in CANDIDATES:
                est = FoldSEM(heuristic=h, numeric=meta["numeric"], categorical=meta["categorical"],
                              feature_names=cols).fit(Xtr, ytr)
                outer[k][name][h] = {"acc": float(np.mean(est.predict(Xte) == yte)), "literals": est.rule_set_size_}
        print(f"{name}: inner " + ", ".join(
            f"{h} {np.mean([inner[k][name][h] for k in range(5)]):.4f}" for h in CANDIDATES), flush=True)
    choices, records = [], []
    for k in range(5):
        chosen, record = choose(inner[k])
        choices.append(chosen)
        records.append(record)
        print(f"split {k}: chose {chosen}; " + "; ".join(
            f"{h} vs {BASE}: {r['wins']} wins, {r['ties']} ties, {r['losses']} losses, p = {r['p']:.3f}"
            for h, r in record.items()))
    default = max(set(choices), key=choices.count)
    print(f"\nshipped default by the protocol: {default} (splits: {', '.join(choices)})")
    print("\n| dataset | nested acc (chosen per split) | literals |")
    print("|---|---|---|")
    total = 0.0
    for name in names:
        runs_k = range(len(runs(name, meta_all[name]))) if "train" in meta_all[name] else range(5)
        accs = [outer[k][name][choices[k]]["acc"] for k in runs_k]
        lits = [outer[k][name][choices[k]]["literals"] for k in runs_k]
        total += float(np.mean(lits))
        print(f"| {name} | {np.mean(accs):.3f} | {np.mean(lits):.1f} |")
    print(f"\ntotal literals {total:.1f}")
    per_table(names, meta_all, inner, outer)
    if args.json:
        args.json.write_text(json.dumps({"inner": inner, "outer": outer, "choices": choices, "records": records,
                                         "default": default}, indent=1))
    shipped = FoldSEM().heuristic
    if shipped != default:
        print(f"MISSED: the estimator's default heuristic is {shipped}, the protocol chose {default}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
