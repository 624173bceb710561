"""What a training run does with its hardware: optimiser and warm-up, data on the device, bf16 autocast.

On the CPU every helper here leaves the run as it was (the data stays where
it is, no autocast, no change of memory format). On a CUDA GPU:

* the whole split moves to the GPU once per run as uint8 pixels (a quarter of
  the float size), so batches, flips and scaling happen on the device; when
  it does not fit, it stays in pinned host memory and batches are copied
  asynchronously;
* the model uses channels-last memory and cuDNN picks its fastest kernels;
* the training forward pass runs under bf16 autocast (``precision="auto"``);
  losses, P, thresholds and binarization work on fp32 values.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

import torch
from torch import nn

from nesyasp.neural.config import ModelDefaults, TrainConfig
from nesyasp.neural.data import Split

__all__ = ["make_optimizer", "set_lr", "warmup_hook", "data_on_device", "use_amp", "prepare_model", "WIDE_FAN_IN"]

logger = logging.getLogger(__name__)


#: Linear layers with more inputs than this learn at ``lr * (WIDE_FAN_IN / fan_in) ** WIDE_POWER``.
WIDE_FAN_IN = 512
WIDE_POWER = 1.0


def _param_groups(model: nn.Module, lr: float) -> list[dict] | None:
    """Parameter groups when a linear layer has more than :data:`WIDE_FAN_IN` inputs, else None.

    A step of Adam moves every weight by about ``lr``, so a unit of a linear
    layer with ``n`` inputs moves by about ``lr * n``: VGG16's first head
    layer (25,088 inputs) moves 50 times as far as a 512-input layer, and its
    logits blow up at a rate that suits the convolutions. Scaling its rate by
    ``512 / n`` (as muP does for wide layers) evens this out. Models whose
    linear layers are narrow (``small``, ``resnet18``) keep one group, as before.
    """
    wide = [m for m in model.modules() if isinstance(m, nn.Linear) and m.in_features > WIDE_FAN_IN]
    if not wide:
        return None
    taken = {id(p) for m in wide for p in m.parameters()}
    rest = [p for p in model.parameters() if id(p) not in taken]
    groups = [{"params": rest, "lr": lr, "lr_scale": 1.0}]
    for m in wide:
        scale = (WIDE_FAN_IN / m.in_features) ** WIDE_POWER
        groups.append({"params": list(m.parameters()), "lr": lr * scale, "lr_scale": scale})
    return groups


def make_optimizer(model: nn.Module, settings: ModelDefaults) -> torch.optim.Optimizer:
    """Adam, or SGD with Nesterov momentum 0.9, with the settings' learning rate and weight decay.

    Wide linear layers get a smaller rate (:func:`_param_groups`); group 0 holds every other parameter.
    """
    params = _param_groups(model, settings.lr) or model.parameters()
    if settings.optimizer == "sgd":
        return torch.optim.SGD(params, lr=settings.lr, momentum=0.9, nesterov=True,
                               weight_decay=settings.weight_decay)
    return torch.optim.Adam(params, lr=settings.lr, weight_decay=settings.weight_decay)


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    """Set the rate of every group: ``lr`` times the group's scale (1 without wide layers)."""
    for group in opt.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)


def warmup_hook(opt: torch.optim.Optimizer, warmup_epochs: int,
                epoch: int) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A per-step learning-rate hook for the warm-up epochs, and the call that restores the epoch's rate.

    During the first ``warmup_epochs`` epochs the rate of step ``s`` (counted
    from the run's first step) is ``lr * (0.1 + 0.9 * (s + 1) / steps)``, with
    ``lr`` the schedule's rate of the epoch. Outside the warm-up the hook is None.
    """
    base = [group["lr"] for group in opt.param_groups]

    def restore() -> None:
        for group, lr in zip(opt.param_groups, base):
            group["lr"] = lr

    if epoch >= warmup_epochs:
        return None, restore

    def hook(step: int, steps_per_epoch: int) -> None:
        done = (epoch * steps_per_epoch + step + 1) / (warmup_epochs * steps_per_epoch)
        for group, lr in zip(opt.param_groups, base):
            group["lr"] = lr * (0.1 + 0.9 * min(1.0, done))

    return hook, restore


def data_on_device(split: Split, device: torch.device) -> Split:
    """``split`` with ``x`` on a CUDA device (or in pinned host memory when it does not fit); unchanged on the CPU.

    Labels stay on the CPU (metrics and statistics are computed there).
    """
    if device.type != "cuda" or split.x.device == device:
        return split
    try:
        return dataclasses.replace(split, x=split.x.to(device, non_blocking=True))
    except torch.cuda.OutOfMemoryError:
        logger.warning("%d images do not fit on %s; they stay in pinned host memory", len(split), device)
        return dataclasses.replace(split, x=split.x.pin_memory())


def use_amp(config: TrainConfig, device: torch.device) -> bool:
    """Whether the training forward pass runs under bf16 autocast (``auto``: on a GPU that has bf16)."""
    if config.precision == "fp32":
        return False
    if config.precision == "bf16":
        return True
    return device.type == "cuda" and torch.cuda.is_bf16_supported()


def prepare_model(model: nn.Module, device: torch.device) -> nn.Module:
    """Move ``model`` to ``device``; on a GPU also channels-last memory and cuDNN autotuning."""
    model = model.to(device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        model = model.to(memory_format=torch.channels_last)
    return model
