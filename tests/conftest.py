"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile("ci")

# Torch on 2 cores: one thread per test process keeps xdist workers from fighting.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED
