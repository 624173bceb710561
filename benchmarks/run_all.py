"""Run every benchmark script in ``benchmarks/`` in turn (``make bench``).

Each script prints its own figures and exits non-zero when its bar is missed.
Pass names to run a subset: ``python benchmarks/run_all.py parse reason``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    # docs_tour.py is no benchmark: it runs the README tour (minutes of training) and is run on its own
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in ("run_all.py", "docs_tour.py")
                     and not p.name.startswith("_"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    failed = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.name}: {'ok' if rc == 0 else f'FAILED ({rc})'} in {time.perf_counter() - start:.1f} s\n",
              flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print("benchmarks that missed their bar: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
