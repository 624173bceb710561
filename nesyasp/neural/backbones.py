"""The generic pretrained backbone: our ImageNet weights, trained on the generated corpus and cached.

The paper starts every CNN from ImageNet weights; nothing here downloads
them. Instead a backbone is trained with cross-entropy on the ``generic``
corpus (:mod:`nesyasp.data.corpus`: scene objects alone and the sign plate x
glyph pairs no sign class uses, none of them a class of any task), with the
model's own optimiser defaults, ``seed`` 0, 100 images per class. It depends
only on the model, the image size and the epochs, so every data set, class
count and seed of a model shares it, as the paper's runs share the ImageNet
weights.

``nesyasp pretrain`` builds it and writes it to the cache (and to ``--out``);
``nesyasp train`` and ``nesyasp experiment`` read it from the cache when they
use the generic backbone, and otherwise train the same weights in memory
(the cache only saves time; the weights are the same either way, for a
deterministic build). The cache is the folder ``$NESYASP_CACHE_DIR``, else
``$XDG_CACHE_HOME/nesyasp``, else ``~/.cache/nesyasp``; backbones live in its
``backbones/`` folder. Nothing is written there except by ``nesyasp pretrain``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable

import torch

from nesyasp.errors import DataError
from nesyasp.neural.config import StrategyConfig, TrainConfig, optimiser_settings

__all__ = ["GENERIC_PER_CLASS", "RECIPE_VERSION", "generic_config", "cache_dir", "cache_path",
           "build_generic", "save_backbone", "read_backbone", "generic_backbone"]

logger = logging.getLogger(__name__)

#: Training images per corpus class (test: a tenth).
GENERIC_PER_CLASS = 100
#: Part of the cache key: raise it whenever the corpus or the recipe changes.
RECIPE_VERSION = 2  # 2: the VGGs have a global-average-pool head

Trainer = Callable[..., Any]
_MEMO: dict[Path, dict[str, torch.Tensor]] = {}


def generic_config(model: str, size: int, epochs: int, device: str = "auto",
                   per_class: int | None = None) -> TrainConfig:
    """The run that trains the generic backbone of ``model`` at ``size`` px for ``epochs`` epochs
    (``per_class`` corpus images per class, default :data:`GENERIC_PER_CLASS`)."""
    per_class = GENERIC_PER_CLASS if per_class is None else per_class  # 0 is TrainConfig's error, not 100
    return TrainConfig(data="generic", classes=0, per_class=per_class, test_per_class=max(1, per_class // 10),
                       size=size, model=model, epochs=epochs, seed=0, device=device,
                       strategy=StrategyConfig("pretrain"))


def cache_dir() -> Path:
    """``$NESYASP_CACHE_DIR``, else ``$XDG_CACHE_HOME/nesyasp``, else ``~/.cache/nesyasp``."""
    env = os.environ.get("NESYASP_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "nesyasp"


def _recipe(config: TrainConfig) -> dict[str, Any]:
    opt = optimiser_settings(config)
    return {"version": RECIPE_VERSION, "model": config.model, "size": config.size, "epochs": config.epochs,
            "per_class": config.per_class, "batch_size": config.batch_size, "seed": config.seed,
            "optimizer": opt.optimizer, "lr": opt.lr, "weight_decay": opt.weight_decay, "lr_warmup": opt.lr_warmup,
            "layer": config.layer}


def cache_path(config: TrainConfig) -> Path:
    """The cache file of the generic backbone trained by ``config`` (:func:`generic_config`)."""
    digest = hashlib.sha256(json.dumps(_recipe(config), sort_keys=True).encode()).hexdigest()[:12]
    return cache_dir() / "backbones" / f"{config.model}-{config.size}px-e{config.epochs}-{digest}.pt"


def build_generic(config: TrainConfig, trainer: Trainer, progress: bool = True) -> tuple[dict[str, torch.Tensor],
                                                                                       dict[str, Any]]:
    """Train the generic backbone of ``config`` with ``trainer`` (:func:`nesyasp.neural.train.train`).

    Returns the state dict (on the CPU) and a record of the recipe and the
    corpus test accuracy.
    """
    from nesyasp.neural.data import load_splits

    splits = load_splits(config)
    logger.info("training the generic backbone: %s at %d px, %d epochs on %d corpus images",
                config.model, config.size, config.epochs, len(splits[0]))
    result = trainer(config, None, splits=splits, progress=progress)
    state = {k: v.detach().cpu().clone() for k, v in result.model.model.state_dict().items()}
    info = _recipe(config) | {"classes": len(splits[0].class_names),
                              "test_accuracy": result.history[-1]["test_accuracy"] if result.history else None}
    return state, info


def save_backbone(state: dict[str, torch.Tensor], info: dict[str, Any], path: Path) -> Path:
    """Write ``{"model": state, "info": json}`` to ``path`` (atomically); ``--weights`` reads it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    torch.save({"model": state, "info": json.dumps(info)}, tmp)
    os.replace(tmp, path)
    return path


def read_backbone(path: Path) -> dict[str, torch.Tensor]:
    """The state dict of a backbone file (``weights_only``).

    Raises
    ------
    DataError
        When the file is not a backbone written by :func:`save_backbone`.
    """
    from nesyasp.neural.torchfile import load_torch_file

    try:
        data = load_torch_file(path, "backbone")
    except DataError as exc:
        raise DataError(f"{exc}; delete it and run 'nesyasp pretrain' again") from None
    if not isinstance(data, dict) or not isinstance(data.get("model"), dict):
        raise DataError(f"{path}: not a nesyasp backbone file")
    return data["model"]


def generic_backbone(config: TrainConfig, trainer: Trainer, progress: bool = True) -> dict[str, torch.Tensor]:
    """The generic backbone for a run: ``config.model`` at ``config.size`` px, ``config.pretrain_epochs`` epochs.

    Read from the cache when ``nesyasp pretrain`` wrote it, else trained in
    memory (and kept for the process); never written here.
    """
    corpus = generic_config(config.model, config.size, config.pretrain_epochs, config.device)
    path = cache_path(corpus)
    if path not in _MEMO:
        if path.is_file():
            logger.info("generic backbone from the cache: %s", path)
            _MEMO[path] = read_backbone(path)
        else:
            logger.warning("no cached generic backbone for %s at %d px (%s); training it now, in memory "
                           "('nesyasp pretrain --model %s --size %d --epochs %d' caches it)", config.model,
                           config.size, path, config.model, config.size, config.pretrain_epochs)
            _MEMO.clear()
            _MEMO[path] = build_generic(corpus, trainer, progress)[0]
    return _MEMO[path]
