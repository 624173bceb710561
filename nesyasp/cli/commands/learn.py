"""``nesyasp learn``: learn a stratified ASP rule set from a CSV table (FOLD-SE-M)."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]

NAME = "learn"
HELP = "learn rules from a CSV table (FOLD-SE-M)"
DESCRIPTION = """\
Learn default rules with exceptions from a CSV table and print them as a
stratified ASP program.

Column kinds default to inference (numeric when at least 90% of the non-empty
cells are numbers); the inferred kinds are summarized on stderr. Without
--test, the rows are split with random.seed(SEED); random.shuffle(rows) and
the first SPLIT fraction is used for training.

Columns that only identify a row are left out: a column named id, ID or
ending in _id whose every value is distinct (say so on stderr). --ignore
leaves out more columns; naming an id column in --numeric or --categorical
keeps it.

examples:
  nesyasp learn heart.csv --target label -o rules.lp
  nesyasp learn train.csv --test test.csv --target class --json
  nesyasp learn data.csv --target y --numeric age,fare --categorical sex --split 0.8 --seed 3
  nesyasp learn data.csv --target y --ignore name,ticket
"""


def _names(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nesyasp learn``."""
    parser.add_argument("train", help="training table (CSV with a header line)")
    parser.add_argument("--target", "--label", dest="target", required=True, help="the class column")
    parser.add_argument("--numeric", help="comma-separated numeric columns (cells that do not parse stay strings)")
    parser.add_argument("--categorical", help="comma-separated categorical columns")
    parser.add_argument("--ignore", help="comma-separated columns to leave out")
    parser.add_argument("--test", help="test table (default: split the training table)")
    parser.add_argument("--split", type=float, default=None,
                        help="fraction of rows for training when there is no --test (default: 0.8)")
    parser.add_argument("--test-fraction", type=float, default=None, help="same as --split 1-FRACTION")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    parser.add_argument("--ratio", type=float, default=0.5, help="exception ratio (default: 0.5)")
    parser.add_argument("--tail", type=float, default=0.005, help="tail cut (default: 0.005)")
    parser.add_argument("--heuristic", choices=("sharp_gini", "gini", "ig"), default="sharp_gini",
                        help="literal score: sharp_gini (default: Gini impurity to the power 1/ln 4), gini (plain "
                             "weighted Gini, FOLD-SE's reading) or ig (information gain, FOLD-R++/FOLD-RM)")
    parser.add_argument("--head", default="target", help="head predicate (default: target)")
    parser.add_argument("-o", "--out", help="write the rules to this file")
    parser.add_argument("--json", action="store_true", help="print figures as JSON instead of the rules")


def _split(n: int, args: argparse.Namespace):
    import numpy as np

    from nesyasp.errors import DataError

    fraction = args.split if args.split is not None else (
        1.0 - args.test_fraction if args.test_fraction is not None else 0.8)
    if not 0.0 < fraction <= 1.0:
        raise DataError(f"the training fraction must be in (0, 1], not {fraction}")
    order = list(range(n))
    random.seed(args.seed)
    random.shuffle(order)
    cut = max(1, int(n * fraction))
    return np.asarray(order[:cut]), np.asarray(order[cut:], dtype=np.int64)


def _check_options(args: argparse.Namespace) -> None:
    """Bad learner options and an output file that is an input fail before anything is read."""
    from nesyasp.errors import DataError

    if args.ratio < 0 or not 0.0 <= args.tail <= 1.0:
        raise DataError(f"--ratio must be 0 or more and --tail in [0, 1], got {args.ratio} and {args.tail}")
    if args.out:
        out = Path(args.out)
        for given in (args.train, args.test):
            if given and out.exists() and out.resolve() == Path(given).resolve():
                raise DataError(f"{args.out}: -o names an input table; the rules would overwrite it")
        if out.is_dir():
            raise DataError(f"{args.out}: -o names a folder; give a file such as {out / 'rules.lp'}")
        if not out.parent.is_dir():
            raise DataError(f"{args.out}: no folder {out.parent} to write the rules into")


def _features(table: Any, args: argparse.Namespace) -> list[str]:
    """The feature columns: all but the target, the --ignore'd and unnamed row identifiers."""
    ignore = set(_names(args.ignore) or [])
    unknown = sorted(ignore - set(table.columns))
    if unknown:
        from nesyasp.errors import DataError

        raise DataError(f"{table.source}: --ignore names no column {unknown[0]!r}; "
                        f"the columns are {', '.join(table.columns)}")
    named = set(_names(args.numeric) or []) | set(_names(args.categorical) or [])
    for col in table.columns:
        lowered = col.lower()
        if (col not in named and col != args.target and (lowered == "id" or lowered.endswith("_id"))
                and len(set(table.column(col))) == table.n_rows):
            print(f"ignored column: {col} (a distinct value in every row: an identifier)", file=sys.stderr)
            ignore.add(col)
    return [c for c in table.columns if c != args.target and c not in ignore]


def run(args: argparse.Namespace) -> int:
    """Learn, report, and write the rules; return the exit status."""
    import numpy as np

    from nesyasp.errors import DataError
    from nesyasp.learn import FoldSEM, read_csv, split_target

    _check_options(args)
    table = read_csv(args.train)
    table.index(args.target)  # a missing target column is the first error to report
    X, y, names = split_target(table, args.target, _features(table, args))
    if args.test:
        Xtr, ytr = X, y
        Xte, yte, _ = split_target(read_csv(args.test), args.target, names)
    else:
        tr, te = _split(len(y), args)
        Xtr, ytr, Xte, yte = X[tr], y[tr], X[te], y[te]
    est = FoldSEM(ratio=args.ratio, tail=args.tail, heuristic=args.heuristic, numeric=_names(args.numeric),
                  categorical=_names(args.categorical), feature_names=names, head=args.head)
    start = time.perf_counter()
    try:
        est.fit(Xtr, ytr)
    except DataError as exc:
        raise DataError(f"{args.train}: {exc.message}") from None
    seconds = time.perf_counter() - start
    kinds: dict[str, list[str]] = {}
    for f in est.features_:
        kinds.setdefault(f.kind, []).append(f.name)
    for kind, cols in kinds.items():
        print(f"{kind} columns: {', '.join(cols)}", file=sys.stderr)
    Xacc, yacc = (Xte, yte) if len(yte) else (Xtr, ytr)
    accuracy = float(np.mean(est.predict(Xacc) == yacc))
    text = str(est.rules_)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    if args.json:
        print(json.dumps({"accuracy": accuracy, "n_rules": est.n_rules_, "n_literals": est.rule_set_size_,
                          "fit_seconds": seconds, "n_train": int(len(ytr)), "n_test": int(len(yte))}))
    else:
        if not args.out:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        where = "test" if len(yte) else "training"
        print(f"% {est.n_rules_} rules, {est.rule_set_size_} literals, {where} accuracy {accuracy:.4f}, "
              f"fit {seconds:.3f} s", file=sys.stderr)
    return 0
