"""Generate 3,000 scenes at 64x64 with object and part masks in under 15 s on 2 cores.

Runs ``load_dataset("scenes", classes=3, per_class=1000, size=64)`` with
``--workers`` processes (default 2, the bar's two cores) and reports the best
wall time of ``--repeat`` runs, plus the CPU time of one serial image batch
(ms per image, which does not depend on other load on the machine). Imports
and the worker start-up are inside the timed region.

Bar (issue 5): < 15 s wall. Exit 1 when missed.
``python benchmarks/bench_data.py [--images 3000] [--size 64] [--workers 2] [--repeat 2] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BAR_SECONDS = 15.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=3000)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from nesyasp.data import load_dataset
    from nesyasp.data.datasets import render_items

    per_class = args.images // 3
    walls = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        s = load_dataset("scenes", "train", classes=3, per_class=per_class, size=args.size, workers=args.workers)
        walls.append(time.perf_counter() - start)
    assert len(s) == 3 * per_class and s.masks.shape == (len(s), 2, args.size, args.size)
    items = [(k, j) for k in range(3) for j in range(100)]
    cpu0 = time.process_time()
    render_items("scenes", 0, "train", items, args.size, workers=1)
    cpu_ms = (time.process_time() - cpu0) / len(items) * 1000
    best = min(walls)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    result = {"images": len(s), "size": args.size, "workers": args.workers, "best_wall_s": round(best, 2),
              "walls_s": [round(w, 2) for w in walls], "cpu_ms_per_image": round(cpu_ms, 2),
              "load_average_1min": round(load, 2), "bar_s": BAR_SECONDS, "ok": best < BAR_SECONDS}
    print(f"scenes: {len(s)} images {args.size}x{args.size} with masks, {args.workers} workers: "
          f"best {best:.2f} s of {[round(w, 2) for w in walls]} (bar {BAR_SECONDS:.0f} s); "
          f"{cpu_ms:.2f} ms CPU per image serial; load average {load:.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
