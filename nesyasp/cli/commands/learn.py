"""``nesyasp learn``: learn a stratified ASP rule set from a CSV table (FOLD-SE-M), or run one on facts."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any
from nesyasp._paths import real_path

__all__ = ["NAME", "HELP", "DESCRIPTION", "FACTS_TAG", "TABLE_SUFFIXES", "add_arguments", "run"]

NAME = "learn"
HELP = "learn rules from a CSV table (FOLD-SE-M), or run learned rules on facts"
DESCRIPTION = """\
Learn default rules with exceptions from a CSV table and print them as a
stratified ASP program (in the table's own numbers, with each rule's training
confidence as a comment).

-o writes the rules as plain ASP that clingo grounds alone, for facts in the
table's own units (age(p1,63). oldpeak(p1,2.3).): each comparison is an atom
(oldpeak_gt(X,"0.5")) that rules at the end of the file derive from the facts,
and the learned rule in the table's numbers is the comment above each rule.
--facts-out writes the facts of the table's rows (a number that is not a 32-bit
integer as code(C), its order code among the cut points), so `clingo rules.lp
facts.lp` and `nesyasp query rules.lp facts.lp` derive exactly the learner's
classes. Hand-written facts run with `nesyasp query rules.lp patient.lp
--explain` (decimals too), with plain clingo (integers of 32 bits), or with
--predict FACTS --rules RULES (any number; a CSV table with the column names
works too).

The separator (comma, semicolon, tab or vertical bar) is detected from the
first lines unless --sep gives it; when it is not a comma, columns whose
numbers are all written with decimal commas (3,14) read them as numbers
(both are said on stderr).

Columns of ISO dates (2024-03-05), date-times (2024-03-05T10:20:00, with or
without a zone), money ($1,234.50, -€3.10) or percentages (12%) are read as
numbers (days, seconds since 1970-01-01, the amount, the number) when every
non-missing cell of the column has the same form; comments, #pred lines and
explanations show their thresholds in that form (date <= 2024-03-05).

Column kinds default to inference (numeric when at least 90% of the non-empty
cells are numbers); the inferred kinds are summarized on stderr. Without
--test, the rows are split with random.seed(SEED); random.shuffle(rows) and
the first SPLIT fraction is used for training (--split 1: every row, in file
order).

Columns that only identify a row are left out: a column named id, ID or
ending in _id whose every value is distinct (say so on stderr); its values
name the examples in --facts-out. --ignore leaves out more columns; naming an
id column in --numeric or --categorical keeps it.

--background FILE gives hand-written rules over the column predicates
(adult(X) :- age(X,A), A >= 18.); their unary predicates become candidate
literals, and the learned program carries them.

examples:
  nesyasp learn heart.csv --target label -o rules.lp --facts-out facts.lp
  clingo rules.lp facts.lp
  nesyasp query rules.lp patient.lp -q "target(X,C)" --explain
  nesyasp learn --predict patient.lp --rules rules.lp --explain
  nesyasp learn train.csv --test test.csv --target class --json
  nesyasp learn data.csv --target y --numeric age,fare --categorical sex --split 0.8 --seed 3
  nesyasp learn data.csv --target y --ignore name,ticket --background knowledge.lp
  nesyasp learn excel_export.csv --target y --sep ';'
"""


def _names(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nesyasp learn``."""
    parser.add_argument("train", nargs="?", help="training table (CSV with a header line)")
    parser.add_argument("--target", "--label", dest="target", help="the class column (required to learn)")
    parser.add_argument("--numeric", help="comma-separated numeric columns (cells that do not parse stay strings)")
    parser.add_argument("--categorical", help="comma-separated categorical columns")
    parser.add_argument("--ignore", help="comma-separated columns to leave out")
    parser.add_argument("--sep", help="the character between cells: ',', ';', 'tab' or '|' (default: detected from "
                                      "the first lines; an ambiguous file is an error naming the candidates)")
    parser.add_argument("--test", help="test table (default: split the training table)")
    parser.add_argument("--split", type=float, default=None,
                        help="fraction of rows for training when there is no --test (default: 0.8)")
    parser.add_argument("--test-fraction", type=float, default=None, help="same as --split 1-FRACTION")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    parser.add_argument("--ratio", type=float, default=0.5, help="exception ratio (default: 0.5)")
    parser.add_argument("--tail", type=float, default=0.005, help="tail cut (default: 0.005)")
    parser.add_argument("--heuristic", choices=("sharp_gini", "gini", "ig"), default=None,
                        help="literal score (default: the estimator's, see docs/learning.md): gini (weighted Gini "
                             "impurity), sharp_gini (Gini impurity to the power 1/ln 4) or ig (information gain, "
                             "FOLD-R++/FOLD-RM)")
    parser.add_argument("--head", default="target", help="head predicate (default: target)")
    parser.add_argument("--background", help="background rules (.lp) whose unary predicates the learner may use")
    parser.add_argument("-o", "--out", help="write the rules as plain ASP (clingo grounds it) to this file")
    parser.add_argument("--facts-out", help="write the facts of the training table's rows (for -o's rules) to this file")
    parser.add_argument("--json", action="store_true", help="print figures as JSON instead of the rules")
    parser.add_argument("--predict", metavar="FACTS",
                        help="run the rules of --rules on hand-written facts (.lp, original units) or a table "
                             "(.csv, .tsv, .txt, .tab, .psv, .dat, .data: any separator)")
    parser.add_argument("--rules", help="with --predict: a rules file written by `nesyasp learn -o`")
    parser.add_argument("--explain", action="store_true", help="with --predict: explain every answer in English")


def _split(n: int, args: argparse.Namespace):
    import numpy as np

    from nesyasp.errors import DataError

    fraction = args.split if args.split is not None else (
        1.0 - args.test_fraction if args.test_fraction is not None else 0.8)
    if not 0.0 < fraction <= 1.0:
        raise DataError(f"the training fraction must be in (0, 1], not {fraction}")
    if fraction == 1.0:  # every row trains: no shuffle (a million-row shuffle in Python costs seconds)
        return np.arange(n), np.zeros(0, dtype=np.int64)
    order = list(range(n))
    random.seed(args.seed)
    random.shuffle(order)
    cut = max(1, int(n * fraction))
    return np.asarray(order[:cut]), np.asarray(order[cut:], dtype=np.int64)


#: The first line of a --facts-out file (a rules file starts with plain_rules' header): files that begin
#: otherwise are not nesyasp's, and are never written over. Facts files of earlier versions began with _example(.
FACTS_TAG = "% Facts written by nesyasp learn --facts-out, one line per example and cell the rules use\n"
_OURS = {"rules": ("% Learned by nesyasp",), "facts": (FACTS_TAG.strip(), "_example(")}


def _written_by_us(out: Path, what: str) -> bool:
    """Whether an existing file is empty or begins as ``nesyasp learn`` writes the ``what`` (rules, facts)."""
    try:
        with open(out, "rb") as handle:
            start = handle.read(200)
    except OSError:
        return False
    return not start.strip() or start.decode("utf-8", "replace").startswith(_OURS[what])


def _check_out(path: str | None, inputs: tuple[str | None, ...], what: str, flag: str) -> None:
    from nesyasp.errors import DataError

    if not path:
        return
    out = Path(path)
    for given in inputs:
        if given and out.exists() and real_path(out) == real_path(given):
            raise DataError(f"{path}: {flag} names an input file; the {what} would overwrite it")
    if out.is_dir():
        raise DataError(f"{path}: {flag} names a folder; give a file such as {out / (what + '.lp')}")
    if (out.exists() or out.is_symlink()) and not _written_by_us(out, what):
        raise DataError(f"{path}: exists and is not a {what} file nesyasp learn {flag} wrote, so it is left as it "
                        "is; name a new file, or delete this one first")
    if not out.parent.is_dir():
        raise DataError(f"{path}: no folder {out.parent} to write the {what} into")


def _check_options(args: argparse.Namespace) -> None:
    """Bad options and an output file that is an input fail before anything is read."""
    from nesyasp.errors import DataError
    from nesyasp.learn._separator import separator_option

    if args.sep is not None:
        separator_option(args.sep)
    if args.predict or args.rules:
        if not (args.predict and args.rules):
            raise DataError("--predict FACTS needs --rules RULES (a file written by `nesyasp learn -o`), and back")
        learning = [name for name, given in (("a training table", args.train), ("--target", args.target),
                                             ("--test", args.test), ("--background", args.background),
                                             ("-o", args.out), ("--facts-out", args.facts_out), ("--json", args.json))
                    if given]
        if learning:
            raise DataError(f"--predict runs written rules and learns nothing: {', '.join(learning)} would be "
                            "ignored (learn first, then run --predict FACTS --rules RULES)")
        return
    if args.explain:
        raise DataError("--explain explains the answers of --predict FACTS --rules RULES; to explain a learned "
                        "program, write it with -o and run --predict on facts or a table")
    if not args.train or not args.target:
        raise DataError("give a training table and --target COLUMN (or --predict FACTS --rules RULES)")
    if not (0.0 <= args.ratio < float("inf") and 0.0 <= args.tail <= 1.0):  # NaN fails both
        raise DataError(f"--ratio must be a finite number >= 0 and --tail in [0, 1], got {args.ratio} and {args.tail}")
    inputs = (args.train, args.test, args.background)
    _check_out(args.out, inputs, "rules", "-o")
    _check_out(args.facts_out, inputs + (args.out,), "facts", "--facts-out")
    if args.out and args.facts_out and real_path(args.out) == real_path(args.facts_out):
        raise DataError("-o and --facts-out name the same file")


def _is_id(name: str) -> bool:
    return name.lower() == "id" or name.lower().endswith("_id")


def _read(path: str, keep: list[str], sep: str | None = None) -> Any:
    """``read_csv(path)`` with the texts of ``keep`` and of the identifier-named columns kept as written (a
    20-digit id is not the nearest double, so two ids one apart stay two ids); says on stderr which separator
    and decimal commas were read, when not plain commas."""
    from nesyasp.learn.table import csv_header, read_csv
    from nesyasp.learn._separator import separator_word

    header, used = csv_header(path, sep)
    table = read_csv(path, keep_text=keep + [c for c in header if _is_id(c) and c not in keep], sep=used)
    if sep is not None or table.sep != ",":
        print(f"{path}: cells separated by {separator_word(table.sep)} ({'given' if sep else 'detected'})",
              file=sys.stderr)
    if table.decimal_comma:
        print(f"{path}: decimal commas read as numbers in column{'s' if len(table.decimal_comma) > 1 else ''} "
              f"{', '.join(table.decimal_comma)}", file=sys.stderr)
    return table


def _features(table: Any, args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The feature columns (all but the target, the --ignore'd and unnamed row identifiers), and the id column."""
    from nesyasp.errors import DataError

    ignore = set(_names(args.ignore) or [])
    unknown = sorted(ignore - set(table.columns))
    if unknown:
        raise DataError(f"{table.source}: --ignore names no column {unknown[0]!r}; "
                        f"the columns are {', '.join(table.columns)}")
    named = set(_names(args.numeric) or []) | set(_names(args.categorical) or [])
    id_column = None
    for col in table.columns:
        if (col not in named and col != args.target and _is_id(col)
                and table.n_distinct(col) == table.n_rows):
            print(f"ignored column: {col} (a distinct value in every row: an identifier)", file=sys.stderr)
            ignore.add(col)
            id_column = id_column or col
    # a repeated header name is its first column (read_csv warns): one feature, not the same column twice
    features = [c for c in dict.fromkeys(table.columns) if c != args.target and c not in ignore]
    if not features:  # was 'the table has 0 rows but there are N labels'
        left = sorted(ignore)
        raise DataError(f"{table.source}: no column to learn from: the table's columns are "
                        f"{', '.join(map(repr, table.columns))}, and {args.target!r} is the target"
                        + (f" ({', '.join(map(repr, left))} left out)" if left else ""))
    return features, id_column


def run(args: argparse.Namespace) -> int:
    """Learn, report, and write the rules (or run rules on facts); return the exit status."""
    _check_options(args)
    if args.predict:
        return _predict(args)
    return _learn(args)


def _learn(args: argparse.Namespace) -> int:
    import numpy as np

    from nesyasp.errors import DataError
    from nesyasp.learn import FoldSEM
    from nesyasp.learn.plain import example_ids, plain_facts, plain_rules

    keep = (_names(args.categorical) or []) + [args.target]  # class labels as written: 007 stays 007, not 7
    table = _read(args.train, keep, args.sep)
    table.index(args.target)  # a missing target column is the first error to report
    names, id_column = _features(table, args)
    y = table.labels(args.target)
    X = table.take(names)
    if args.test:
        test = _read(args.test, keep, args.sep)
        Xtr, ytr, Xte, yte = X, y, test.take(names), test.labels(args.target)
    else:
        tr, te = _split(len(y), args)
        Xtr, ytr, Xte, yte = X.select(tr), y[tr], X.select(te), y[te]
    options = {} if args.heuristic is None else {"heuristic": args.heuristic}
    est = FoldSEM(ratio=args.ratio, tail=args.tail, numeric=_names(args.numeric), categorical=_names(args.categorical),
                  head=args.head, background=Path(args.background) if args.background else None, **options)
    start = time.perf_counter()
    try:
        est.fit(Xtr, ytr)
    except DataError as exc:
        raise DataError(f"{args.train}: {exc.message}", exc.location) from None
    seconds = time.perf_counter() - start
    kinds: dict[str, list[str]] = {}
    for f in est.features_:
        kinds.setdefault(f.kind, []).append(f"{f.name} ({f.unit.describe()})" if f.unit is not None else f.name)
    for kind, cols in kinds.items():
        print(f"{kind} columns: {', '.join(cols)}", file=sys.stderr)
    Xacc, yacc = (Xte, yte) if len(yte) else (Xtr, ytr)
    accuracy = float(np.mean(est.predict(Xacc) == yacc))
    text = str(est.rules_)
    if args.out:
        Path(args.out).write_text(plain_rules(est), encoding="utf-8")
    if args.facts_out:
        ids = example_ids(table, table.index(id_column) if id_column else None, table.lines)
        Path(args.facts_out).write_text(FACTS_TAG + plain_facts(est, X, ids), encoding="utf-8")
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


#: --predict reads a file of one of these suffixes as a table (as a training table of any name is read), any
#: other as facts (a .tsv table was parsed as ASP: "unexpected character")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".psv", ".txt", ".dat", ".data")


def _predict(args: argparse.Namespace) -> int:
    from nesyasp.lang import parse_file
    from nesyasp.lang.ast import Atom
    from nesyasp.learn.plain import example_ids, read_plain
    from nesyasp.learn.plain_predict import predict_facts, table_facts

    plain = read_plain(args.rules)
    if Path(args.predict).suffix.lower() in TABLE_SUFFIXES:
        table = _read(args.predict, list(plain.as_written), args.sep)  # as the learner read them
        id_column = next((c for c in table.columns if _is_id(c) and table.n_distinct(c) == table.n_rows), None)
        ids = example_ids(table, table.index(id_column) if id_column else None, table.lines)
        facts = table_facts(plain, table, list(table.columns), ids)
    else:
        facts = parse_file(args.predict)
    answers = predict_facts(plain, facts, args.explain)
    used = {f.pred: f.name for f in plain.features if f.kind != "binary"}
    given: dict[str, set[str]] = {}
    for rule in facts.rules:
        if isinstance(rule.head, Atom) and rule.head.arguments:
            given.setdefault(str(rule.head.arguments[0]), set()).add(rule.head.predicate)
    for example in sorted(given):
        absent = [name for pred, name in used.items() if pred not in given[example]]
        if absent:
            print(f"note: {example} has no fact for {', '.join(absent)} (read as no value: rules that need one "
                  "do not apply)", file=sys.stderr)
    for example, atom, text in answers:
        print(text if args.explain else atom)
    return 0
