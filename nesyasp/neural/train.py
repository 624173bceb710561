"""The training runner: strategies TS1-TS5 and NE, atomic checkpoints, resume, metrics.

A run folder (:mod:`nesyasp.neural.runfolder`) holds ``config.json``,
``checkpoint.pt`` (written atomically after every epoch: weights, optimiser,
scheduler, P matrix, thresholds, history), ``metrics.json`` and ``train.log``.
``resume=True`` continues from the last checkpoint; since each epoch's data order
is seeded by ``(seed, epoch)``, an interrupted and resumed run ends with exactly
the weights of an uninterrupted one.

Examples
--------
Train TS3 for two epochs on the embedded scenes and keep nothing on disk::

    from nesyasp.neural import TrainConfig, strategy, train
    result = train(TrainConfig(strategy=strategy("ts3"), epochs=2))
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nesyasp.errors import DataError, NesyaspError, expect_type
from nesyasp.neural.config import StrategyConfig, TrainConfig, optimiser_settings
from nesyasp.neural.data import Split, load_splits, pretrain_class_names, split_from_imageset
from nesyasp.neural import distributed as ddp
from nesyasp.neural.ebp import EBPLoss, ebp_p_matrix
from nesyasp.neural.models import FeatureModel, build_model, default_layer, load_backbone, load_weights
from nesyasp.neural.progress import announce, epoch_text
from nesyasp.neural.runfolder import (CHECKPOINT, RUN_NAMES, portable_config, read_checkpoint, read_config,
                                      save_checkpoint, start_run, undo_start, write_json)
from nesyasp.neural.runtime import data_on_device, make_optimizer, prepare_model, set_lr, use_amp, warmup_hook
from nesyasp.neural.sparsity import (CrossEntropyLoss, SparsityLoss, class_filter_sums, filter_norms, mean_abs,
                                     p_matrix_method1, p_matrix_method2, thresholds)

__all__ = ["TrainResult", "train", "read_config", "read_checkpoint", "pretrain_backbone", "compute_statistics",
           "check_k", "calibrate_batchnorm", "class_weights", "make_model", "evaluate_accuracy", "CHECKPOINT",
           "RUN_NAMES", "portable_config"]

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a training run gives: the model, its P matrix and thresholds, and the history."""

    config: TrainConfig
    model: FeatureModel
    class_names: tuple[str, ...]
    p: torch.Tensor | None
    thresholds: torch.Tensor | None
    history: list[dict[str, float]] = field(default_factory=list)
    run_dir: Path | None = None


def make_model(config: TrainConfig, n_classes: int, head: str = "gap") -> FeatureModel:
    """Build the seeded model of ``config`` (loading ``config.weights`` when set; ``head``: see build_model)."""
    net = build_model(config.model, n_classes, seed=config.seed, head=head)
    if config.weights:
        load_weights(net, config.weights)
    return FeatureModel(net, config.layer or default_layer(config.model))


def class_weights(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """NeSyFOLD's class weights ``1 - n_c/n`` (uniform data gives equal weights)."""
    counts = torch.bincount(labels.long(), minlength=n_classes).float()
    return 1.0 - counts / counts.sum()


@torch.no_grad()
def calibrate_batchnorm(model: nn.Module, x: torch.Tensor, batch_size: int) -> None:
    """Re-estimate every BatchNorm's running statistics as the average over ``x`` (no weights change)."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for i in range(0, len(x), batch_size):
        model(x[i:i + batch_size].to(_device_of(model)))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    model.eval()


@torch.no_grad()
def _maps_stats(model: FeatureModel, x: torch.Tensor, norm: str, batch_size: int) -> tuple[torch.Tensor, ...]:
    model.eval()
    norms, means = [], []
    for i in range(0, len(x), batch_size):
        _, maps = model(x[i:i + batch_size].to(_device_of(model)))
        norms.append(filter_norms(maps, norm).cpu())
        means.append(mean_abs(maps).cpu())
    return torch.cat(norms), torch.cat(means)


def check_k(model: FeatureModel, split: Split, config: TrainConfig) -> None:
    """Refuse a K (``--k``) larger than the filter layer's filters before training starts.

    The default K (5, or 20 from ten classes on) is cut to the filters a layer has (logged).

    Raises
    ------
    DataError
        When ``config.strategy.k`` exceeds the filters of the model's filter layer.
    """
    s = config.strategy
    if s.loss == "ce" or len(split.x) == 0:
        return
    was_training = model.training
    model.eval()
    with torch.no_grad():
        n_filters = model(split.x[:1])[1].shape[1]
    model.train(was_training)
    k = s.k_for(len(split.class_names))
    if s.k and k > n_filters:
        raise DataError(f"K={k} filters per class (--k) is more than the {n_filters} filters of the filter layer "
                        f"{model.layer!r}; give --k {n_filters} or less")
    if k > n_filters:
        logger.warning("K=%d is more than the %d filters of the filter layer; K=%d is used", k, n_filters, n_filters)


def compute_statistics(model: FeatureModel, split: Split, config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """P matrix and thresholds of ``config.strategy`` from ``model`` on the training split.

    Method 1 (and EBP) rank filters by summed mean absolute activation per class;
    Method 2 draws K filters per class with ``config.seed``. Thresholds are
    ``h1*mean + h2*std`` of the filter norms (zeros when the strategy uses none).
    """
    s = config.strategy
    n_classes = len(split.class_names)
    calibrate_batchnorm(model, split.x, config.batch_size)
    norms, means = _maps_stats(model, split.x, s.norm, config.batch_size)
    k = min(s.k_for(n_classes), norms.shape[1])
    sums = class_filter_sums(means, split.y, n_classes)
    if s.loss == "ebp":
        p = ebp_p_matrix(sums, k)
    elif s.p_method == 1:
        p = p_matrix_method1(sums, k)
    else:
        p = p_matrix_method2(n_classes, norms.shape[1], k, seed=config.seed)
    thresh = thresholds(norms, s.h1, s.h2) if s.use_thresholds else torch.zeros(norms.shape[1])
    return p, thresh


def _loss_fn(config: TrainConfig, p: torch.Tensor | None, thresh: torch.Tensor | None,
             weights: torch.Tensor) -> nn.Module:
    s = config.strategy
    if p is None or s.loss == "ce":
        return CrossEntropyLoss(weights)
    if s.loss == "ebp":
        return EBPLoss(p, s.ebp_lambda, class_weights=weights)
    return SparsityLoss(p, thresh, s.alpha, s.beta, s.norm, class_weights=weights)


@torch.no_grad()
def evaluate_accuracy(model: FeatureModel, split: Split, batch_size: int = 64) -> float:
    """Share of images of ``split`` whose argmax logit is the label."""
    model.eval()
    right = 0
    for i in range(0, len(split.x), batch_size):
        logits, _ = model(split.x[i:i + batch_size].to(_device_of(model)))
        right += int((logits.argmax(1).cpu() == split.y[i:i + batch_size]).sum())
    return right / max(1, len(split.x))


def _forward(model: nn.Module, x: torch.Tensor, amp: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and maps, the forward pass under bf16 autocast when ``amp``; both come back as fp32."""
    if not amp:
        return model(x)
    with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16):
        logits, maps = model(x)
    return logits.float(), maps.float()


def _run_epoch(model, loss_fn, opt, split: Split, config: TrainConfig, epoch: int,
               progress: bool, amp: bool = False, lr_at=None) -> dict[str, float]:
    from tqdm import tqdm

    model.train()
    gen = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
    order = torch.randperm(len(split.x), generator=gen)
    flips = torch.rand(len(split.x), generator=gen) < 0.5 if config.augment else None
    batches = [order[i:i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    sums = {"loss": 0.0, "ce": 0.0, "extra": 0.0}
    right = seen = 0
    bar = tqdm(batches, desc=f"{config.strategy.name} epoch {epoch + 1}/{config.epochs}", leave=False,
               disable=None if progress and ddp.is_main() else True)
    world, rank = ddp.world_size(), ddp.rank()
    for step, idx in enumerate(bar):
        if world > 1:
            if len(idx) < world:
                continue
            idx = idx.tensor_split(world)[rank]
        x = split.x[idx]
        if flips is not None:  # batched on the data's device (the GPU when the data lives there)
            x = torch.where(flips[idx].to(x.device).view(-1, 1, 1, 1), x.flip(3), x)
        logits, maps = _forward(model, x.to(_device_of(model), non_blocking=True), amp)
        y = split.y[idx].to(logits.device)
        terms = loss_fn(logits, maps, y)
        opt.zero_grad(set_to_none=True)
        terms.total.backward()
        if lr_at is not None:
            lr_at(step, len(batches))
        opt.step()
        n = len(idx)
        seen += n
        sums["loss"] += float(terms.total.detach()) * n
        sums["ce"] += float(terms.ce) * n
        sums["extra"] += float(terms.extra) * n
        right += int((logits.argmax(1) == y).sum())
        bar.set_postfix(loss=f"{sums['loss'] / seen:.3f}", ce=f"{sums['ce'] / seen:.3f}",
                        extra=f"{sums['extra'] / seen:.3f}", acc=f"{right / seen:.2f}")
    if world > 1:
        packed = torch.tensor([sums["loss"], sums["ce"], sums["extra"], float(right), float(seen)],
                              dtype=torch.float64, device=ddp.comm_device())
        torch.distributed.all_reduce(packed)
        packed = packed.cpu()
        sums = dict(zip(("loss", "ce", "extra"), packed[:3].tolist()))
        right, seen = int(packed[3]), int(packed[4])
    total = max(1, seen)
    return {k: v / total for k, v in sums.items()} | {"train_accuracy": right / total}


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def _cosine_lr(lr: float, epochs: int, epoch: int) -> float:
    """Learning rate of ``epoch`` (0-based of ``epochs``) under the cosine schedule from ``lr``."""
    return lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def train(config: TrainConfig, out: str | Path | None = None, resume: bool = False,
          splits: tuple[Split, Split] | None = None, progress: bool = True,
          stop_after: int | None = None) -> TrainResult:
    """Train a CNN with ``config`` (optionally into the run folder ``out``).

    Parameters
    ----------
    config:
        The run's settings and strategy.
    out:
        Run folder; nothing is written when None.
    resume:
        Continue the run in ``out`` from its last checkpoint (its config wins; ``epochs`` may grow).
    splits:
        ``(train, test)`` data; loaded from ``config.data`` when None.
    progress:
        Show tqdm bars (on a terminal).
    stop_after:
        Stop after this many epochs in this call (a staged or interrupted run).

    Raises
    ------
    DataError
        Missing run to resume, an occupied run folder, bad weights or data.
    """
    expect_type(config, TrainConfig, "a TrainConfig (nesyasp.neural.TrainConfig(data=..., strategy='ts3', ...))")
    out = Path(out) if out is not None else None
    created = out is not None and not out.exists()
    config, state = start_run(portable_config(config, out), out, resume, write=ddp.is_main())
    try:
        train_split, test_split = splits if splits is not None else load_splits(config)
        n_classes = len(train_split.class_names)
        # a resumed run takes its weights from its checkpoint: the --weights file it started from may be gone
        model = make_model(config if state is None else dataclasses.replace(config, weights=""), n_classes)
        check_k(model, train_split, config)
    except (NesyaspError, OSError):  # OSError: a file the system would not read (permissions, I/O)
        if out is not None and state is None and ddp.is_main():
            undo_start(out, created)  # refused data, weights or K: no half-made run folder
        raise
    device = ddp.resolve_device(config.device)
    if state is None and config.pretrain_epochs > 0:
        load_backbone(model.model, pretrain_backbone(config, progress))
    model = prepare_model(model, device)
    settings = optimiser_settings(config)
    opt = make_optimizer(model, settings)
    train_split, test_split, amp = data_on_device(train_split, device), data_on_device(test_split, device), \
        use_amp(config, device)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=config.patience)
    weights = class_weights(train_split.y, n_classes)
    p, thresh, start, history = _resume(state, model, opt, sched, out)
    net = _parallel(model)
    for epoch in range(start, config.epochs):
        if stop_after is not None and epoch - start >= stop_after:
            break
        if p is None and config.strategy.loss != "ce" and epoch >= config.warmup_epochs:
            p, thresh = _shared_statistics(model, train_split, config)
            logger.info("P matrix and thresholds computed before epoch %d", epoch + 1)
        loss_fn = _loss_fn(config, p, thresh, weights).to(device)
        history.append(_epoch(net, model, loss_fn, opt, sched, (train_split, test_split), config, epoch, progress,
                              amp))
        if out is not None and ddp.is_main():
            _save_epoch(out, {"model": model.model.state_dict(), "optimizer": opt.state_dict(),
                              "scheduler": sched.state_dict(), "epoch": epoch + 1, "p": p, "thresholds": thresh,
                              "history": json.dumps(history), "class_names": list(train_split.class_names)},
                        history)
    return TrainResult(config, model, tuple(train_split.class_names), p, thresh, history, out)


def _epoch(net: nn.Module, model: FeatureModel, loss_fn: nn.Module, opt: torch.optim.Optimizer, sched: Any,
           splits: tuple[Split, Split], config: TrainConfig, epoch: int, progress: bool,
           amp: bool) -> dict[str, float]:
    """One epoch of :func:`train`: the learning rate of its schedule, the pass over the data, the test accuracy.

    ``net`` is ``model`` as trained (wrapped for several processes); the statistics are logged and announced.
    """
    settings = optimiser_settings(config)
    if config.schedule == "cosine":
        set_lr(opt, _cosine_lr(settings.lr, config.epochs, epoch))
    lr_at, restore_lr = warmup_hook(opt, settings.lr_warmup, epoch)
    stats = _run_epoch(net, loss_fn, opt, splits[0], config, epoch, progress, amp, lr_at)
    restore_lr()
    if config.schedule == "plateau":
        sched.step(stats["loss"])
    stats |= {"test_accuracy": evaluate_accuracy(model, splits[1], config.batch_size),
              "epoch": epoch + 1, "lr": opt.param_groups[0]["lr"]}
    logger.info("epoch %d: loss %.4f, train %.3f, test %.3f", epoch + 1, stats["loss"],
                stats["train_accuracy"], stats["test_accuracy"])
    if ddp.is_main():
        announce(epoch_text(config.strategy.name, config.epochs, stats))  # a line where no bar shows
    return stats


def _resume(state: dict[str, Any] | None, model: FeatureModel, opt: torch.optim.Optimizer, sched: Any,
            out: Path | None) -> tuple[torch.Tensor | None, torch.Tensor | None, int, list[dict[str, float]]]:
    """Load a checkpoint's weights, optimiser and scheduler; its P matrix, thresholds, epoch and history.

    A fresh run (``state`` None) starts at epoch 0 with no P matrix, thresholds or history.
    """
    if state is None:
        return None, None, 0, []
    try:
        model.model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{out / CHECKPOINT}: the weights do not fit the model of config.json "
                        f"({str(exc).splitlines()[0]} ...; an edited config.json?)") from None
    return state.get("p"), state.get("thresholds"), int(state["epoch"]), json.loads(state["history"])


def _save_epoch(out: Path, state: dict[str, Any], history: list[dict[str, float]]) -> None:
    """After an epoch: the checkpoint ``state``, ``metrics.json`` and the epoch's line in ``train.log``."""
    save_checkpoint(out / CHECKPOINT, state)
    write_json(out / "metrics.json", {"history": history})
    with open(out / "train.log", "a", encoding="utf-8") as log:
        log.write(json.dumps(history[-1]) + "\n")


_BACKBONES: dict[tuple, dict[str, torch.Tensor]] = {}


def pretrain_backbone(config: TrainConfig, progress: bool = True) -> dict[str, torch.Tensor]:
    """Weights of ``config.model`` trained with cross-entropy before the run (our "ImageNet").

    ``pretrain="generic"``: the generic backbone (:mod:`nesyasp.neural.backbones`).
    ``pretrain="classes"``: ``config.pretrain_epochs`` epochs on the data set's last
    ``config.pretrain_classes`` classes (:func:`nesyasp.neural.data.pretrain_class_names`),
    ``per_class`` images each, with the run's size, seed and optimiser settings. The
    last result is kept in memory, so the strategies of one experiment share it.
    """
    from nesyasp.data import load_dataset

    if config.pretrain == "generic":
        from nesyasp.neural.backbones import generic_backbone

        return generic_backbone(config, train, progress)
    names = pretrain_class_names(config)
    key = (config.data, names, config.size, config.seed, config.per_class, config.test_per_class, config.model,
           config.layer, config.weights, config.pretrain_epochs, config.batch_size, optimiser_settings(config),
           config.schedule, config.augment)
    if key not in _BACKBONES:
        common = dict(classes=names, size=config.size, seed=config.seed)
        splits = (split_from_imageset(load_dataset(config.data, split="train", per_class=config.per_class, **common),
                                      pixels=True),
                  split_from_imageset(load_dataset(config.data, split="test", per_class=config.test_per_class,
                                                   **common), pixels=True))
        pre = dataclasses.replace(config, epochs=config.pretrain_epochs, pretrain_epochs=0,
                                  strategy=StrategyConfig("pretrain"))
        logger.info("pretraining on %s for %d epochs", ", ".join(names), config.pretrain_epochs)
        result = train(pre, None, splits=splits, progress=progress)
        if result.history:
            logger.info("pretraining: test accuracy %.3f", result.history[-1]["test_accuracy"])
        _BACKBONES.clear()
        _BACKBONES[key] = {k: v.detach().cpu().clone() for k, v in result.model.model.state_dict().items()}
    return _BACKBONES[key]


def _parallel(model: FeatureModel) -> nn.Module:
    if not ddp.is_distributed():
        return model
    from torch.nn.parallel import DistributedDataParallel

    param = next(model.parameters())
    ids = [param.device.index] if param.device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def _shared_statistics(model: FeatureModel, split: Split, config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`compute_statistics` once, on rank 0, broadcast to every rank."""
    if not ddp.is_distributed():
        return compute_statistics(model, split, config)
    with torch.no_grad():
        n_filters = model(split.x[:1].to(_device_of(model)))[1].shape[1]
    p = thresh = None
    if ddp.is_main():
        p, thresh = compute_statistics(model, split, config)
    p = ddp.broadcast_tensor(p, (len(split.class_names), n_filters))
    return p, ddp.broadcast_tensor(thresh, (n_filters,))
