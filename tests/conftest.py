"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# `make test` (and CI) runs the same examples every time, so that a rare example cannot make a landing
# flaky; `NESYASP_HYPOTHESIS=random make test` draws new ones (run it when hunting bugs; a failure
# prints the blob that reproduces it).
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True, database=None)
settings.register_profile("random", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("NESYASP_HYPOTHESIS", "ci"))

# Torch on 2 cores: one thread per test process keeps xdist workers from fighting.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


# Plain clingo in a fresh interpreter that imports clingo and nothing of nesyasp: what a user without
# nesyasp gets from the files nesyasp writes.
_PLAIN_CLINGO = """
import json, sys
import clingo
control = clingo.Control(["--warn=none"])
for path in sys.argv[2:]:
    control.load(path)
control.ground([("base", [])])
with control.solve(yield_=True) as handle:
    model = next(iter(handle), None)
    atoms = [] if model is None else [str(s) for s in model.symbols(atoms=True) if s.name == sys.argv[1]]
assert not any(name.startswith("nesyasp") for name in sys.modules), "nesyasp was imported"
print(json.dumps(None if model is None else sorted(atoms)))
"""


def plain_clingo_atoms(predicate: str, *files: Path) -> list[str] | None:
    """The atoms of ``predicate`` in the stable model that plain clingo computes from ``files``
    (None when there is none); clingo's errors fail the test with its message."""
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", _PLAIN_CLINGO, predicate, *map(str, files)],
                          capture_output=True, text=True, env=env, cwd=Path(files[0]).parent)
    assert done.returncode == 0, f"plain clingo refused {', '.join(map(str, files))}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def plain_clingo():
    """``plain_clingo(predicate, *files)``: see :func:`plain_clingo_atoms`."""
    return plain_clingo_atoms


@pytest.fixture
def in_threads():
    """``in_threads(work, parts)``: run ``work(part)`` in one thread per part, wait for all, and
    return the exceptions they raised (an empty list when none did)."""
    import threading

    def run(work, parts) -> list[BaseException]:
        errors: list[BaseException] = []

        def guarded(part) -> None:
            try:
                work(part)
            except BaseException as exc:  # noqa: BLE001 - returned to the test
                errors.append(exc)

        threads = [threading.Thread(target=guarded, args=(part,)) for part in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return errors

    return run
