"""A finished round of an LTH run folder as a network: the ticket, its mask, its rewinding point.

``checkpoints/round_R.pt`` holds plain tensors (read with
``torch.load(path, weights_only=True)``): the trained weights of round R
(pruned weights are zero), the mask, the initial weights and the rewinding
point. :func:`load_round` rebuilds the network from the run's
``metrics.json`` and loads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nesyasp.errors import DataError, expect_path
from nesyasp.lth.config import config_from_dict
from nesyasp.lth.mask import Mask
from nesyasp.lth.models import build_model
from nesyasp.neural.torchfile import load_failure

__all__ = ["read_checkpoint", "load_round"]

_KEYS = ("model", "mask", "rewind", "init", "gradcam")


def read_checkpoint(path: Path, r: int) -> dict[str, Any]:
    """The tensors of round ``r``'s checkpoint ``path`` (``weights_only``); one line that says what to do if not."""
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - why torch refused the file, in one sentence
            raise DataError(load_failure(exc)) from None
        missing = [k for k in _KEYS if k not in state] if isinstance(state, Mapping) else list(_KEYS)
        if missing:
            raise DataError(f"not an LTH round's checkpoint: no {', '.join(missing)} in it")
        return dict(state)
    except DataError as exc:
        raise DataError(f"{path}: the checkpoint of LTH round {r} cannot be read ({exc.message}); "
                        f"delete it, and the checkpoints of the later rounds, then run the same command with "
                        f"--resume to redo round {r} onward (or start anew with another --out)") from None


def load_round(out: str | Path, r: int) -> tuple[nn.Module, Mask]:
    """Round ``r`` of the run folder ``out``: its trained network (in eval mode) and its mask.

    Parameters
    ----------
    out:
        A folder written by ``nesyasp lth`` (or :func:`nesyasp.lth.run_lth` with ``out``).
    r:
        A finished round (0 is the dense network).

    Raises
    ------
    DataError
        When ``out`` holds no LTH run, or round ``r`` did not finish there.
    """
    out = expect_path(out, "a run folder path")
    try:
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        config = config_from_dict(metrics["config"])
        n_classes = len(metrics["class_names"])
        done = [int(x["round"]) for x in metrics["rounds"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, DataError) as exc:
        raise DataError(f"{out}: not a run folder of 'nesyasp lth' ({type(exc).__name__}: {exc})") from None
    path = out / "checkpoints" / f"round_{r}.pt"
    if r not in done or not path.is_file():
        raise DataError(f"{out}: round {r} did not finish there (finished: {', '.join(map(str, done)) or 'none'})")
    state = read_checkpoint(path, r)
    model = build_model(config.model_name, n_classes, config.image_size, seed=config.seed)
    try:
        model.load_state_dict(state["model"])
        mask = Mask.from_state_dict(state["mask"])
    except (RuntimeError, DataError) as exc:
        raise DataError(f"{path}: does not fit the run's {config.model_name} network "
                        f"({str(exc).splitlines()[0][:200]})") from None
    return model.eval(), mask
