"""Absolute paths without surprises (a symlink loop is a path that does not exist, not an error), and paths as shell words."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

__all__ = ["real_path", "shell_path", "said_command"]


def real_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with symlinks followed, like :meth:`Path.resolve`.

    Unlike ``Path.resolve`` (which raises ``RuntimeError`` on a symlink
    loop in Python 3.11), a loop is left as it is, so the caller's own
    "does not exist" / "is not a folder" checks report it.
    """
    return Path(os.path.realpath(path))


def shell_path(path: str | os.PathLike[str]) -> str:
    """``path`` as one shell word, quoted only when it needs to be, for the commands nesyasp prints.

    >>> shell_path("runs/ts3"), shell_path("my runs/ts3")
    ('runs/ts3', "'my runs/ts3'")
    """
    return shlex.quote(os.fspath(path))


def said_command(*words: str | os.PathLike[str]) -> str:
    """A command for a message, quoted as the messages quote commands: its paths as shell words.

    Single quotes around it as usual; double quotes when a word needed quoting
    (so the words' own quotes are not confused with the message's).

    >>> print(said_command("nesyasp", "extract", "runs/ts3"))
    'nesyasp extract runs/ts3'
    >>> print(said_command("nesyasp", "extract", "my runs/ts3"))
    "nesyasp extract 'my runs/ts3'"
    """
    cmd = " ".join(shell_path(w) for w in words)
    return f'"{cmd}"' if "'" in cmd else f"'{cmd}'"
