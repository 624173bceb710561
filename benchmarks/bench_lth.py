"""Bar (issue 8): the digits LTH experiment runs 8 rounds on 2 CPU cores in under 10 minutes.

Runs what ``nesyasp lth --data digits-parity --rounds 8 --prune 0.2`` runs
(default settings: LeNet on the 28-pixel digits, even vs odd, 20 % of the
remaining weights pruned per round, rewinding to initialisation, TCAV of the
ten digit concepts against 20 random sets, Grad-CAM, facts and plots) into a
temporary folder, on two cores (the process is pinned to two CPUs where the
OS allows it, and torch uses two threads). Loading the data is included in
the time. Prints the accuracy curve, the rounds ``programs/lth.lp`` calls
winning tickets and the time; exits 1 when the run takes 10 minutes or more.

On a machine that other jobs keep busy the wall-clock time measures the
other jobs too. The process's CPU time (all its threads) bounds the time the
run takes on two dedicated cores from above (at every moment at least one of
its threads computes; it does no other waiting), so the bar is checked on
the smaller of the two, and both are printed.

    .venv/bin/python benchmarks/bench_lth.py [--rounds 8] [--prune 0.2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BAR_SECONDS = 600.0


def _pin_two_cores() -> str:
    """Restrict this process to two CPUs (Linux) and torch to two threads; say what was done."""
    import torch

    torch.set_num_threads(2)
    if hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > 2:
            os.sched_setaffinity(0, cpus[:2])
        return f"CPUs {sorted(os.sched_getaffinity(0))}, torch threads {torch.get_num_threads()}"
    return f"torch threads {torch.get_num_threads()} (CPU pinning not available)"


def _winning_tickets(facts: Path) -> list[int]:
    from nesyasp.reason import Reasoner
    from nesyasp.shipped import shipped_program

    reasoner = Reasoner([shipped_program("lth"), facts])
    return sorted(int(r) for r in reasoner.query("winning_ticket(R)").column("R"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--prune", type=float, default=0.2)
    ap.add_argument("--keep", type=Path, help="write the run here instead of a temporary folder")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    pinned = _pin_two_cores()

    from nesyasp.lth.config import LTHConfig, PruneConfig
    from nesyasp.lth.runner import run_lth

    config = LTHConfig(data="digits-parity", rounds=args.rounds, prune=PruneConfig(fraction=args.prune))
    with tempfile.TemporaryDirectory(prefix="bench_lth_") as tmp:
        out = args.keep or Path(tmp)
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run_lth(config, out=out, progress=False)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        tickets = _winning_tickets(out / "facts.lp")
    print(f"digits-parity, {args.rounds} rounds at {args.prune:.0%} per round, {pinned}")
    print("round  weights  accuracy  seconds")
    for r in result.rounds:
        print(f"{r.round:>5}  {100 * r.density:6.1f}%  {100 * r.accuracy:7.2f}%  {r.seconds:7.1f}")
    print(f"winning tickets (programs/lth.lp): {', '.join(map(str, tickets)) or 'none'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    seconds = min(wall, cpu)
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s (load average at the end {load:.1f}); "
          f"time on two dedicated cores at most {seconds:.1f} s (bar: < {BAR_SECONDS:.0f} s)")
    ok = seconds < BAR_SECONDS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
