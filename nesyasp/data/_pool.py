"""How many worker processes read or render images, and how they start (shared by the loaders)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from nesyasp.interrupt import deferred_interrupt
from nesyasp.errors import DataError

__all__ = ["worker_count", "pool_context", "worker_pool"]


def worker_count(n_items: int, workers: int | None, per_worker: int = 200) -> int:
    """Processes for ``n_items``: ``workers`` or ``NESYASP_DATA_WORKERS`` or the CPU count (at most 8),
    at least ``per_worker`` items each; 1 inside a daemonic process (which may not have children).

    Raises
    ------
    DataError
        When ``NESYASP_DATA_WORKERS`` is not a number.
    """
    if mp.current_process().daemon:
        return 1
    if workers is None:
        env = os.environ.get("NESYASP_DATA_WORKERS", "").strip()
        if env and not env.isdigit():
            raise DataError(f"NESYASP_DATA_WORKERS must be a number of processes, got {env!r}")
        workers = int(env) if env else min(os.cpu_count() or 1, 8)
    return max(1, min(int(workers), n_items // per_worker or 1))


def pool_context():
    """``fork`` where the platform has it (fast, no re-import), else ``spawn``."""
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


@contextmanager
def worker_pool(n_workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``n_workers`` processes that leave Ctrl-C to the main process.

    A Ctrl-C while the pool lives is raised in the main process when the
    workers are done (:func:`nesyasp.interrupt.deferred_interrupt`): one
    line, no ``BrokenProcessPool`` traceback from each worker, no worker
    left behind holding the terminal's pipes.
    """
    with deferred_interrupt(), ProcessPoolExecutor(n_workers, mp_context=pool_context(),
                                                   initializer=signal.signal,
                                                   initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
        yield pool
