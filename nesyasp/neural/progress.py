"""One line per finished epoch where no progress bar shows (CI, ``make demo``, a redirect).

Training loops call :func:`announce` with a finished step's line (an epoch
of :func:`~nesyasp.neural.train.train`, an LTH round); nothing happens
unless a listener is active. The command line activates one with
:func:`step_lines`, which prints the lines on stdout when stdout is not a
terminal; on a terminal the tqdm bars and the final table do the job.
:func:`labelled` prefixes the lines of a part of the work (an experiment's cell).

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> with step_lines(out, force=True, times=False):
...     with labelled("ts3-c3-s0"):
...         announce("epoch 1/2: loss 0.5000")
>>> out.getvalue()
'ts3-c3-s0 epoch 1/2: loss 0.5000\\n'
"""

from __future__ import annotations

import contextlib
import sys
import time
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Mapping, TextIO

__all__ = ["announce", "listening", "step_lines", "labelled", "epoch_text", "EPOCH_HEADER", "epoch_row"]

_listeners: list[Callable[[str], None]] = []
_label: ContextVar[str] = ContextVar("nesyasp_progress_label", default="")

#: Header of the epoch table ``nesyasp train`` prints, and one row of it (:func:`epoch_row`).
EPOCH_HEADER = "epoch    loss      ce   extra  train  test"


def listening() -> bool:
    """Whether some listener takes the lines (a loop may skip work that only feeds them)."""
    return bool(_listeners)


def announce(text: str) -> None:
    """Hand a finished step's line to the active listeners (none: nothing happens)."""
    if not _listeners:
        return
    label = _label.get()
    line = f"{label} {text}" if label else text
    for listener in list(_listeners):
        listener(line)


@contextlib.contextmanager
def labelled(label: str) -> Iterator[None]:
    """Prefix the lines announced inside the block with ``label``."""
    token = _label.set(label)
    try:
        yield
    finally:
        _label.reset(token)


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


@contextlib.contextmanager
def step_lines(stream: TextIO | None = None, force: bool | None = None, times: bool = True) -> Iterator[bool]:
    """Print every announced line on ``stream`` (default stdout) while the block runs.

    By default only when ``stream`` is not a terminal; ``force`` decides
    instead. With ``times`` each line ends with the seconds since the block
    began. Yields whether the lines are printed.
    """
    stream = stream if stream is not None else sys.stdout
    active = force if force is not None else not _is_terminal(stream)
    if not active:
        yield False
        return

    start = time.monotonic()

    def write(line: str) -> None:
        stream.write(line + (f"  ({time.monotonic() - start:.0f} s)" if times else "") + "\n")
        stream.flush()

    _listeners.append(write)
    try:
        yield True
    finally:
        _listeners.remove(write)


def epoch_row(stats: Mapping[str, float]) -> str:
    """One row of the epoch table: epoch, loss, ce, extra, train and test accuracy."""
    return (f"{int(stats['epoch']):>5} {stats['loss']:7.4f} {stats['ce']:7.4f} {stats['extra']:7.4f} "
            f"{100 * stats['train_accuracy']:5.1f}% {100 * stats['test_accuracy']:5.1f}%")


def epoch_text(name: str, epochs: int, stats: Mapping[str, float]) -> str:
    """The line of a finished training epoch: ``TS3 epoch 3/30: loss 1.8080, ce 0.8107, ...``."""
    return (f"{name} epoch {int(stats['epoch'])}/{epochs}: loss {stats['loss']:.4f}, ce {stats['ce']:.4f}, "
            f"extra {stats['extra']:.4f}, train {100 * stats['train_accuracy']:.1f}%, "
            f"test {100 * stats['test_accuracy']:.1f}%")
