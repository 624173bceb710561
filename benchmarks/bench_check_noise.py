"""``nesyasp check`` on 5 MB of random tokens: a clear count, in little time and memory.

The file is generated (seeded) from a vocabulary of rule-language tokens and
stray characters, so nearly every statement is broken. ``nesyasp check`` runs
as a user runs it (a fresh process); the figures are its CPU time (user +
system; the bar is on it, as the machine may be shared), its wall time and
its peak memory (maximum resident set size). Its last lines must say how many errors
it showed and that it stopped reading ("more than 20 errors (20 shown)").

Bar (issue 18; before: 17 s and 204 MB on the issue's machine): under 3 s of
CPU and under 150 MB. Exit 1 when missed.
``python benchmarks/bench_check_noise.py [--mb 5] [--root DIR] [--json PATH]``
(``--root`` checks another checkout's nesyasp with the same file.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAR_SECONDS, BAR_MB = 3.0, 150
VOCABULARY = ["p", "q(X)", "(", ")", "X", "Y", ":-", ".", ",", "not", "1", "2.5", '"s"', "'a'", "f(", "=", "<",
              "+", "#show", "%c\n", "\n", "foo", "_", "{", "}", ";", "|"]


def noise(size: int, seed: int = 1) -> str:
    """About ``size`` characters of random tokens separated by spaces."""
    rng = random.Random(seed)
    out, n = [], 0
    while n < size:
        token = rng.choice(VOCABULARY)
        out.append(token)
        n += len(token) + 1
    return " ".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="size of the file in MB (default 5)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose nesyasp runs (default: this one)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "noise.lp"
        path.write_text(noise(int(args.mb * 1_000_000)), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(args.root.resolve()))
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "nesyasp", "check", str(path)], capture_output=True, text=True,
                              env=env, cwd=tmp)
        seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    shown = sum(": error: " in line for line in lines)
    said = summary.startswith("checked 1 file: more than 20 errors (20 shown)") and shown == 20
    ok = done.returncode == 1 and said and cpu < BAR_SECONDS and peak_mb < BAR_MB
    print(f"nesyasp check on {args.mb:g} MB of random tokens: {cpu:.2f} s CPU ({seconds:.2f} s wall), "
          f"{peak_mb:.0f} MB peak, "
          f"{shown} errors shown; summary: {summary!r}")
    print(f"bar < {BAR_SECONDS:g} s CPU and < {BAR_MB} MB, summary 'more than 20 errors (20 shown)': "
          f"{'met' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"cpu_seconds": cpu, "wall_seconds": seconds, "peak_mb": peak_mb,
                                         "summary": summary}) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
