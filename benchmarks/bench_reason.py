"""The reasoner on 100,000 examples: clingo end to end, the compiled path, and one justification.

Data: a seeded numpy table of 100,000 rows × 64 boolean features (about a
third true) and a 30-rule FOLD-style program (default rules with ``ab``
exceptions, some whose example variable occurs only under ``not``).

Bars (issue 3), each a best of ``--repeat`` runs in one process:

* clingo, end to end (table in, ``target(X,C)`` answer table out): < 8 s;
* the compiled numpy path, the same: < 0.5 s, with exactly clingo's answers;
* justifying one answer: median < 1 ms over 1,000 answers of different examples.

``python benchmarks/bench_reason.py [--rows 100000] [--repeat 2] [--json PATH]``; exit 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nesyasp.reason import Reasoner  # noqa: E402

BARS = {"clingo_s": 8.0, "compiled_s": 0.5, "justify_median_ms": 1.0}
FEATURES = 64


def program(seed: int = 0) -> str:
    """A 30-rule learned-style program over f0..f63: 6 classes, 12 exception rules."""
    rng = np.random.default_rng(seed)
    rules = []
    for k in range(6):
        a, b, c, d, e, f, g = (int(x) for x in rng.choice(FEATURES, 7, replace=False))
        rules.append(f"target(X,class{k}) :- f{a}(X), not f{b}(X), not ab{k}(X).")
        if k % 2:
            rules.append(f"target(X,class{k}) :- not f{c}(X), not f{d}(X), not ab{k}(X).")
        else:
            rules.append(f"target(X,class{k}) :- f{c}(X), f{d}(X), not ab{k}(X).")
        rules.append(f"ab{k}(X) :- f{e}(X), not f{f}(X).")
        rules.append(f"ab{k}(X) :- f{g}(X), f{e}(X), not ab{k + 6}(X).")
        rules.append(f"ab{k + 6}(X) :- f{b}(X), not f{a}(X).")
    assert len(rules) == 30
    return "\n".join(rules) + "\n"


def _run(engine: str, text: str, table: np.ndarray, ids: list[str]) -> tuple[float, np.ndarray, Reasoner]:
    start = time.perf_counter()
    reasoner = Reasoner(text, engine=engine)
    reasoner.add_table(table, ids=ids)
    answers = reasoner.query("target(X,C)")
    return time.perf_counter() - start, answers.table, reasoner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    table = np.random.default_rng(1).random((args.rows, FEATURES)) < 0.33
    ids = [f"img{i}" for i in range(args.rows)]
    text = program()
    figures: dict[str, float] = {}
    results = {}
    for engine in ("clingo", "compiled"):
        times = []
        for _ in range(args.repeat):
            seconds, answers, reasoner = _run(engine, text, table, ids)
            times.append(seconds)
        figures[f"{engine}_s"] = min(times)
        results[engine] = (answers, reasoner)
    same = results["clingo"][0].tolist() == results["compiled"][0].tolist()
    answers, reasoner = results["compiled"]
    justifier = reasoner.justifier()
    rng = np.random.default_rng(2)
    picks = rng.choice(len(answers), size=min(1000, len(answers)), replace=False)
    symbols = [reasoner._ground(f"target({answers[i, 0]},{answers[i, 1]})") for i in picks]
    durations = []
    for symbol in symbols:
        start = time.perf_counter()
        justifier.explain(symbol)
        durations.append(time.perf_counter() - start)
    figures["justify_median_ms"] = statistics.median(durations) * 1000
    figures["answers"] = len(answers)
    report = {"rows": args.rows, "features": FEATURES, "rules": 30, "same_answers": same, **figures,
              "bars": BARS}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    missed = [k for k, bar in BARS.items() if figures[k] >= bar]
    if missed or not same:
        print(f"MISSED: {missed or 'compiled answers differ from clingo'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
