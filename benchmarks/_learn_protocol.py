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

The same protocol decides any other default of the estimator: ``--param
min_gain=1,2`` makes the candidates the shipped value (the base, as ``gini``
above) and the values given, every other parameter at its default; the
sign-test rule of step 4 is the same. Each candidate's mean test literals are
printed next to its accuracy: among candidates the protocol cannot tell apart
on accuracy, the smaller rule set is the better default.

Run: ``OMP_NUM_THREADS=1 python benchmarks/_learn_protocol.py [--param NAME=V1,V2] [--only a,b] [--jobs 2]
[--json out.json]`` (minutes: 32 tables x 5 splits x 3 candidates x 5 folds;
``--jobs`` tables at a time). Not part of ``make bench`` (its name starts with
``_``). Exit 1 when the shipped default differs from the protocol's choice.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from math import comb
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from learn_tabular import DATA, runs  # noqa: E402

from nesyasp.errors import DataError  # noqa: E402
from nesyasp.learn import FoldSEM  # noqa: E402

FOLDS = 5


def heuristic_candidates() -> tuple[str, dict[str, dict]]:
    """The base and the candidates of step 1: the three literal scores."""
    return "gini", {h: {"heuristic": h} for h in ("gini", "sharp_gini", "ig")}


def param_candidates(spec: str) -> tuple[str, dict[str, dict]]:
    """``NAME=V1,V2``: the shipped value of NAME (the base) and the values given."""
    name, _, values = spec.partition("=")
    shipped = FoldSEM().get_params()
    if name not in shipped or not values:
        raise SystemExit(f"--param wants NAME=V1,V2 with NAME one of {', '.join(sorted(shipped))}")
    kind = type(shipped[name])
    base = f"{name}={shipped[name]}"
    out = {base: {name: shipped[name]}}
    for v in values.split(","):
        value = v.lower() in ("1", "true", "yes") if kind is bool else kind(v)  # bool("False") is True
        out[f"{name}={v}"] = {name: value}
    return base, out


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test p-value."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2 ** n)


def inner_accuracy(X, y, names, meta, params: dict, seed: int) -> float:
    order = list(range(len(y)))
    random.seed(seed)
    random.shuffle(order)
    folds = np.array_split(np.asarray(order), FOLDS)
    scores = []
    for i in range(FOLDS):
        test = folds[i]
        train = np.concatenate([folds[j] for j in range(FOLDS) if j != i])
        est = FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=names, **params)
        try:
            est.fit(X[train], y[train])
        except DataError:
            continue  # a single class in this fold's training part
        scores.append(float(np.mean(est.predict(X[test]) == y[test])))
    return float(np.mean(scores)) if scores else float("nan")


def choose(inner: dict[str, dict[str, float]], base: str, candidates) -> tuple[str, dict]:
    """The decision rule of step 4 over one split's inner accuracies ``inner[table][candidate]``."""
    record = {}
    best, best_margin = base, 0
    for h in candidates:
        if h == base:
            continue
        diffs = [inner[t][h] - inner[t][base] for t in inner if np.isfinite(inner[t][h] - inner[t][base])]
        wins = sum(d > 1e-12 for d in diffs)
        losses = sum(d < -1e-12 for d in diffs)
        p = sign_test(wins, losses)
        record[h] = {"wins": wins, "losses": losses, "ties": len(diffs) - wins - losses, "p": p}
        if wins > losses and p < 0.05 and wins - losses > best_margin:
            best, best_margin = h, wins - losses
    return best, record


def per_table(names: list[str], meta_all: dict, inner: list[dict], outer: list[dict], base: str,
              candidates) -> None:
    """The alternative of choosing inside every fit: per table and split, the candidate with the best inner
    accuracy (ties to the base), evaluated on the split's test rows (which that choice never saw)."""
    pools = [tuple(candidates)] if len(candidates) < 3 else [(base, "ig"), tuple(candidates)]
    for pool in [p for p in pools if all(h in candidates for h in p)]:
        total, rows = 0.0, []
        for name in names:
            ks = range(len(runs(name, meta_all[name]))) if "train" in meta_all[name] else range(5)
            picks = [max(pool, key=lambda h: (inner[k][name][h], h == base)) for k in ks]
            accs = [outer[k][name][h]["acc"] for k, h in zip(ks, picks)]
            total += float(np.mean([outer[k][name][h]["literals"] for k, h in zip(ks, picks)]))
            rows.append(f"{name} {np.mean(accs):.4f}")
        print(f"\nper-table choice among {', '.join(pool)} (inner CV inside each fit): "
              f"total literals {total:.1f}; " + ", ".join(rows))


def one_table(job: tuple[str, dict, dict]) -> tuple[str, list[dict], list[dict]]:
    """Inner accuracies and outer test figures of every candidate on one table's five splits."""
    name, meta, candidates = job
    splits = runs(name, meta)
    inner, outer = [], []
    for k in range(5):
        Xtr, ytr, Xte, yte, cols = splits[min(k, len(splits) - 1)]
        inner.append({h: inner_accuracy(Xtr, ytr, cols, meta, ps, 1000 + k) for h, ps in candidates.items()})
        outer.append({})
        for h, ps in candidates.items():
            est = FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=cols,
                          **ps).fit(Xtr, ytr)
            outer[k][h] = {"acc": float(np.mean(est.predict(Xte) == yte)), "literals": est.rule_set_size_}
    return name, inner, outer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated dataset names")
    ap.add_argument("--param", metavar="NAME=V1,V2",
                    help="decide this parameter's default among its shipped value and these (default: the heuristic)")
    ap.add_argument("--jobs", type=int, default=1, help="tables run at a time (processes)")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    args = ap.parse_args(argv)
    base, candidates = param_candidates(args.param) if args.param else heuristic_candidates()
    meta_all = json.loads((DATA / "datasets.json").read_text())
    names = sorted(meta_all) if not args.only else args.only.split(",")
    inner: list[dict] = [{} for _ in range(5)]
    outer: list[dict] = [{} for _ in range(5)]
    jobs = [(name, meta_all[name], candidates) for name in names]
    with Pool(max(1, args.jobs)) as pool:
        for name, tin, tout in pool.imap(one_table, jobs):
            for k in range(5):
                inner[k][name], outer[k][name] = tin[k], tout[k]
            print(f"{name}: inner " + ", ".join(
                f"{h} {np.mean([tin[k][h] for k in range(5)]):.4f}" for h in candidates), flush=True)
    choices, records = [], []
    for k in range(5):
        chosen, record = choose(inner[k], base, candidates)
        choices.append(chosen)
        records.append(record)
        print(f"split {k}: chose {chosen}; " + "; ".join(
            f"{h} vs {base}: {r['wins']} wins, {r['ties']} ties, {r['losses']} losses, p = {r['p']:.3f}"
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
    for h in candidates:
        lits = sum(float(np.mean([outer[k][n][h]["literals"] for k in range(5)])) for n in names)
        acc = float(np.mean([outer[k][n][h]["acc"] for k in range(5) for n in names]))
        inn = float(np.mean([inner[k][n][h] for k in range(5) for n in names]))
        print(f"{h}: inner accuracy {inn:.4f}, test accuracy {acc:.4f}, literals {lits:.1f}")
    per_table(names, meta_all, inner, outer, base, candidates)
    if args.json:
        args.json.write_text(json.dumps({"inner": inner, "outer": outer, "choices": choices, "records": records,
                                         "default": default}, indent=1))
    if default != base:
        print(f"MISSED: the estimator's default is {base}, the protocol chose {default}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
