"""The run folder as training writes it: file names, the config and checkpoint, atomic writes.

A run folder holds ``config.json`` (the :class:`~nesyasp.neural.config.TrainConfig`),
``checkpoint.pt`` (weights, optimiser, scheduler, P matrix, thresholds, history),
``metrics.json`` and ``train.log``; later commands add the files of :data:`RUN_NAMES`.
:func:`start_run` decides whether a folder may take a new run or be resumed; a run
never overwrites files it did not write. :mod:`nesyasp.neural.train` re-exports
the public names, and :mod:`nesyasp.neural.run` reads a finished run back.

Examples
--------
>>> CHECKPOINT, "labels.json" in RUN_NAMES
('checkpoint.pt', True)
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import torch

from nesyasp._paths import real_path
from nesyasp.errors import DataError
from nesyasp.neural.config import TrainConfig, config_from_dict, config_to_dict

__all__ = ["CHECKPOINT", "RUN_NAMES", "portable_config", "read_config", "read_checkpoint", "start_run",
           "undo_start",
           "save_checkpoint", "write_json"]

CHECKPOINT = "checkpoint.pt"
# What train, extract, evaluate, label and report write into a run folder, besides config.json and the checkpoint.
RUN_NAMES = ("metrics.json", "train.log", "rules.lp", "facts", "tables", "evaluation.json", "labelled_rules.lp",
             "labels.json", "pictures", "report.html")


def portable_config(config: TrainConfig, out: Path | None) -> TrainConfig:
    """``config`` with a data folder's absolute path, and its path relative to the run folder ``out``.

    A run trained on ``--data my_images`` can then be extracted, evaluated and
    labelled from any working directory (:func:`nesyasp.neural.run.load_run`).
    """
    from nesyasp.data import DATASETS

    data = str(config.data)
    if data.strip().lower() in DATASETS or not Path(data).is_dir():
        return config
    path = real_path(data)
    rel = os.path.relpath(path, real_path(out)) if out is not None else ""
    return dataclasses.replace(config, data=str(path), data_from_run=rel)


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``path`` with torch, atomically (a temporary file, then a rename)."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` as indented JSON, atomically (a temporary file, then a rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_config(path: Path) -> TrainConfig:
    """The :class:`TrainConfig` of a run's ``config.json``; DataError naming the file when it is broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the run configuration ({exc})") from None
    try:
        return config_from_dict(data)
    except DataError as exc:
        raise DataError(f"{path}: {exc.message}") from None


def read_checkpoint(path: Path, keys: tuple[str, ...] = ("model", "epoch")) -> dict[str, Any]:
    """A run's checkpoint (``weights_only``); DataError when it is unreadable or lacks ``keys``."""
    from nesyasp.neural.torchfile import load_torch_file

    state = load_torch_file(path, "checkpoint")
    missing = [k for k in keys if k not in state] if isinstance(state, dict) else list(keys)
    if missing:
        raise DataError(f"{path}: not a nesyasp checkpoint (no {', '.join(missing)})")
    return state


def start_run(config: TrainConfig, out: Path | None, resume: bool,
              write: bool = True) -> tuple[TrainConfig, dict[str, Any] | None]:
    """The config to train with and the checkpoint to resume from (None for a new run) in the run folder ``out``.

    A new run refuses a folder that holds a run or files of a run's names it did not write, and writes
    ``config.json`` there when ``write``; ``resume`` reads the folder's config (``epochs`` may grow) and checkpoint.
    """
    if out is None:
        return config, None
    ckpt = out / CHECKPOINT
    if resume:
        if not ckpt.is_file():
            raise DataError(f"{out}: nothing to resume (no {CHECKPOINT}); start without --resume")
        saved = read_config(out / "config.json")
        if saved.epochs < config.epochs:
            saved = dataclasses.replace(saved, epochs=config.epochs)
        return saved, read_checkpoint(ckpt, ("model", "optimizer", "scheduler", "epoch", "history"))
    if ckpt.is_file():
        raise DataError(f"{out}: already holds a run; pass --resume to continue it or choose another --out")
    if (out / "config.json").is_file():
        try:  # a run that failed before its first checkpoint may be started again, nothing else is overwritten
            read_config(out / "config.json")
        except DataError:
            raise DataError(f"{out}: holds a config.json that is not a nesyasp run's; choose another --out") from None
    else:  # no run here: files of a run folder's names are the user's, and train or extract would overwrite them
        taken = [name for name in RUN_NAMES if (out / name).exists()]
        if taken:
            raise DataError(f"{out}: holds {', '.join(taken)} but no nesyasp run; choose another --out "
                            "(a run never overwrites files it did not write)")
    if write:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "config.json", config_to_dict(config))
    return config, None


def undo_start(out: Path, created: bool) -> None:
    """Take back what :func:`start_run` wrote for a new run that failed before its first epoch.

    Its ``config.json`` goes, and the folder too when the run created it and nothing else is there, so a
    run whose data was refused leaves no half-made run folder behind.
    """
    (out / "config.json").unlink(missing_ok=True)
    if created:
        try:
            out.rmdir()
        except OSError:  # not empty: something else is in it
            pass
