"""Absolute paths without surprises: a symlink loop is a path that does not exist, not an error."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["real_path"]


def real_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with symlinks followed, like :meth:`Path.resolve`.

    Unlike ``Path.resolve`` (which raises ``RuntimeError`` on a symlink
    loop in Python 3.11), a loop is left as it is, so the caller's own
    "does not exist" / "is not a folder" checks report it.
    """
    return Path(os.path.realpath(path))
