"""Ctrl-C that is never lost: deferred over code that would swallow it or leave processes behind.

Two places lose a Ctrl-C when it lands inside them: ``import torch`` (its
import machinery catches ``KeyboardInterrupt`` in places, and the program
then runs on), and a process pool that is starting or working (the parent
dies, forked workers are left holding the output pipes, or shutting down
raises ``RuntimeError: cannot join thread before it is started``). Inside
:func:`deferred_interrupt` a Ctrl-C is only noted; it is raised as
``KeyboardInterrupt`` when the block ends.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["NEURAL_EXTRA", "deferred_interrupt", "import_torch"]


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Note a Ctrl-C (SIGINT) inside the block and raise ``KeyboardInterrupt`` after it.

    Outside the main thread, or where SIGINT is not Python's default handler
    (ignored, or handled by the caller), the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    noted: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if noted:
        raise KeyboardInterrupt


NEURAL_EXTRA = "pip install 'nesyasp[neural]'"


def import_torch():
    """``import torch`` with a Ctrl-C during the import raised after it, not swallowed by torch.

    Raises
    ------
    MissingDependencyError
        When torch is not installed (nesyasp installed without its ``neural`` extra).
    """
    with deferred_interrupt():
        try:
            import torch
        except ModuleNotFoundError as exc:
            if exc.name != "torch":
                raise
            from nesyasp.errors import MissingDependencyError

            raise MissingDependencyError("torch is not installed here; the neural commands (train, extract, "
                                         f"evaluate, label, explain, lth, ...) need it: {NEURAL_EXTRA}") from None
    return torch
