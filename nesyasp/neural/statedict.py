"""The tensors of a user's weights file, however the file wraps them.

Files saved by plain torch come in a few shapes: a state dict; a checkpoint
dict holding it under ``model`` (nesyasp's own runs and backbones),
``state_dict`` (PyTorch Lightning, many training scripts) or
``model_state_dict`` (PyTorch's tutorials); keys prefixed by ``module.``
(``DataParallel``, ``DistributedDataParallel``), ``_orig_mod.``
(``torch.compile``) or ``model.`` (a wrapping module such as
:class:`~nesyasp.neural.models.FeatureModel` or a Lightning module).
:func:`state_dict_of` and :func:`strip_prefixes` find the state dict in each.

Examples
--------
>>> import torch
>>> state = state_dict_of({"state_dict": {"module.w": torch.zeros(1)}, "epoch": 3}, "f.pt")
>>> sorted(strip_prefixes(state, {"w"}))
['w']
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Collection

import torch

from nesyasp.errors import DataError

__all__ = ["WRAPPERS", "PREFIXES", "state_dict_of", "strip_prefixes"]

logger = logging.getLogger(__name__)

#: Checkpoint entries that hold the state dict, tried in this order.
WRAPPERS = ("model", "state_dict", "model_state_dict")
#: Key prefixes that wrappers add to every key.
PREFIXES = ("module.", "_orig_mod.", "model.")


def _all_tensors(obj: dict) -> bool:
    return all(isinstance(v, torch.Tensor) for v in obj.values())


def state_dict_of(obj: Any, path: str | Path) -> dict[str, torch.Tensor]:
    """The state dict in what ``torch.load`` read from ``path``: ``obj`` itself or its ``model``,
    ``state_dict`` or ``model_state_dict`` entry (nested ones too).

    Raises
    ------
    DataError
        When ``obj`` is not a dict of tensors and holds none under those names.
    """
    for _ in range(len(WRAPPERS) + 1):
        if not isinstance(obj, dict) or _all_tensors(obj):
            break
        inner = next((obj[k] for k in WRAPPERS if isinstance(obj.get(k), dict)), None)
        if inner is None:
            break
        obj = inner
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a state dict, got {type(obj).__name__}")
    odd = [str(k) for k, v in obj.items() if not isinstance(v, torch.Tensor)]
    if odd:
        raise DataError(f"{path}: not a state dict of tensors (entries {', '.join(odd[:5])} are not tensors), nor "
                        f"a checkpoint holding one under {', '.join(repr(w) for w in WRAPPERS)}")
    return {str(k): v for k, v in obj.items()}


def strip_prefixes(state: dict[str, torch.Tensor], own: Collection[str],
                   path: str | Path = "") -> dict[str, torch.Tensor]:
    """``state`` without the ``module.`` / ``_orig_mod.`` / ``model.`` prefixes that every one of its keys
    carries, when none of its keys is a key of the model (``own``); as it is otherwise."""
    own = set(own)
    while state and not own & state.keys():
        prefix = next((p for p in PREFIXES if all(k.startswith(p) for k in state)), None)
        if prefix is None:
            break
        logger.info("%s: every key starts with %r (a wrapped model's state dict); read without it", path, prefix)
        state = {k[len(prefix):]: v for k, v in state.items()}
    return state
