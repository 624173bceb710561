"""Training under a mask, evaluation, and weight rewinding.

Pruned weights stay exactly zero: before every optimizer step their
gradients are zeroed (so Adam's moments never see them) and after every step
the mask is multiplied in again (so weight decay, momentum or any other
update cannot move them). Nothing is frozen for its sign: a surviving
negative weight trains like any other (the upstream LTH code froze every
weight below a small epsilon, negative ones included; this module does not).

Examples
--------
>>> import torch
>>> from torch import nn
>>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> from nesyasp.lth.mask import Mask
>>> mask = Mask.for_model(net)
>>> state = snapshot(net)
>>> x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
>>> result = train_masked(net, mask, x, y, epochs=1, batch_size=8, seed=0)
>>> result.iterations
2
>>> rewind(net, state, mask)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from nesyasp.errors import DataError
from nesyasp.lth.mask import Mask

__all__ = ["TrainResult", "train_masked", "evaluate", "snapshot", "rewind"]


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What one masked training run did."""

    iterations: int
    final_loss: float
    rewind_state: dict[str, Tensor] | None


def snapshot(model: nn.Module) -> dict[str, Tensor]:
    """A detached copy of ``model.state_dict()`` (the rewinding point)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@torch.no_grad()
def rewind(model: nn.Module, state: Mapping[str, Tensor], mask: Mask) -> None:
    """Load ``state`` into ``model`` (all parameters and buffers), then zero the pruned weights."""
    model.load_state_dict(dict(state))
    mask.apply(model)


def train_masked(
    model: nn.Module,
    mask: Mask,
    images: Tensor,
    labels: Tensor,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    seed: int = 0,
    capture_at: int | None = None,
    optimizer: Callable[..., torch.optim.Optimizer] = torch.optim.Adam,
    progress: Callable[[int], None] | None = None,
    schedule: str = "constant",
    on_epoch: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train ``model`` with cross-entropy while ``mask`` keeps pruned weights at zero.

    Parameters
    ----------
    model, mask:
        The network and the mask over some of its weights.
    images, labels:
        Float inputs ``(N, C, H, W)`` and integer class labels ``(N,)``.
    epochs, batch_size, lr, weight_decay:
        Optimisation settings; a fresh optimizer is made for every call.
    seed:
        Seeds the order of the mini-batches.
    capture_at:
        If given, return a :func:`snapshot` taken after this many iterations
        (0 = before the first step), the "late rewinding" point.
    optimizer:
        Optimizer class, called as ``optimizer(params, lr=..., weight_decay=...)``.
    progress:
        Called with the number of finished iterations after every step.
    schedule:
        ``"constant"`` learning rate, or ``"cosine"``: decayed from ``lr`` to 0
        over the call's iterations (per step), so the weights a round ends
        with are not those of one arbitrary late mini-batch.
    on_epoch:
        Called after every epoch with its number (from 1) and its mean mini-batch loss.
    """
    if len(images) != len(labels) or len(images) == 0:
        raise DataError(f"need as many labels as images and at least one of each ({len(images)}, {len(labels)})")
    was_training = model.training
    model.train()
    mask.apply(model)
    opt, sched = _optimiser(model, optimizer, lr, weight_decay, schedule, epochs * -(-len(images) // batch_size))
    gen = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss()
    captured = snapshot(model) if capture_at == 0 else None
    step, loss = 0, torch.tensor(float("nan"))
    for epoch in range(epochs):
        order = torch.randperm(len(images), generator=gen)
        epoch_loss, batches = torch.zeros(()), 0
        for start in range(0, len(images), batch_size):
            idx = order[start:start + batch_size]
            loss = _masked_step(model, mask, opt, sched, loss_fn, images[idx], labels[idx])
            step += 1
            if capture_at is not None and step == capture_at:
                captured = snapshot(model)
            if progress is not None:
                progress(step)
            if on_epoch is not None:
                epoch_loss, batches = epoch_loss + loss.detach().cpu(), batches + 1
        if on_epoch is not None:
            on_epoch(epoch + 1, float(epoch_loss) / max(1, batches))
    if capture_at is not None and captured is None:
        raise DataError(f"rewind iteration {capture_at} lies beyond round 0's {step} iterations")
    model.train(was_training)
    if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
        raise DataError(f"training diverged: the weights became infinite or NaN (last loss "
                        f"{float(loss.detach()):.4g}); use a smaller learning rate than {lr:g}")
    return TrainResult(step, float(loss.detach()), captured)


def _optimiser(model: nn.Module, optimizer: Callable[..., torch.optim.Optimizer], lr: float, weight_decay: float,
               schedule: str, total: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None]:
    """A fresh optimizer for ``model`` and the scheduler of ``schedule`` over ``total`` steps (None: constant)."""
    opt = optimizer(model.parameters(), lr=lr, weight_decay=weight_decay)
    if schedule not in ("constant", "cosine"):
        raise DataError(f"unknown learning-rate schedule {schedule!r} (constant or cosine)")
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(total, 1)) if schedule == "cosine" else None
    return opt, sched


def _masked_step(model: nn.Module, mask: Mask, opt: torch.optim.Optimizer,
                 sched: torch.optim.lr_scheduler.LRScheduler | None, loss_fn: nn.Module,
                 x: Tensor, y: Tensor) -> Tensor:
    """One optimiser step on the mini-batch ``(x, y)``, the pruned weights kept at zero; the batch's loss."""
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    mask.zero_grads(model)
    opt.step()
    if sched is not None:
        sched.step()
    mask.apply(model)
    return loss


@torch.no_grad()
def evaluate(model: nn.Module, images: Tensor, labels: Tensor, batch_size: int = 256) -> float:
    """Accuracy of ``model`` on ``images`` (eval mode; the mode is restored afterwards)."""
    was_training = model.training
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        pred = model(images[start:start + batch_size]).argmax(dim=1)
        correct += int((pred == labels[start:start + batch_size]).sum())
    model.train(was_training)
    return correct / max(len(images), 1)
