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
