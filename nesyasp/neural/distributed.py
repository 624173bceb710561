"""Running under ``torchrun``: process group, sharding, broadcast and gather helpers.

``nesyasp train`` started by ``torchrun --nproc_per_node N`` joins a process
group (NCCL on GPUs, gloo on CPU). Every rank takes its share of each
batch and DistributedDataParallel averages the gradients; the P matrix and
thresholds are computed once on rank 0 and broadcast; only rank 0 writes the
run folder; filter norms for binarization are computed on shards of the
images and gathered in dataset order (:func:`sharded_norm_table`).
Outside ``torchrun`` all of this reduces to the single-process path.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

import numpy as np
import torch
import torch.distributed as dist

__all__ = ["resolve_device", "comm_device", "maybe_distributed", "is_distributed", "rank", "world_size", "is_main",
           "broadcast_tensor", "sync_buffers", "sharded_norm_table"]


def resolve_device(name: str = "auto") -> torch.device:
    """The training device: ``auto`` picks this rank's GPU when there is one, else the CPU."""
    if name == "auto":
        if not torch.cuda.is_available():
            return torch.device("cpu")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    from nesyasp.errors import DataError

    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise DataError(f"unknown device {name!r}: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DataError(f"device {name!r}: no CUDA GPU is available here; use --device cpu or auto")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise DataError(f"device {name!r}: there are {torch.cuda.device_count()} CUDA GPUs")
    return device


def comm_device() -> torch.device:
    """Where collective tensors must live: this rank's GPU under NCCL, else the CPU."""
    if is_distributed() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def is_distributed() -> bool:
    """True inside an initialised process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank (0 outside a process group)."""
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    """Number of processes (1 outside a process group)."""
    return dist.get_world_size() if is_distributed() else 1


def is_main() -> bool:
    """True on rank 0 (and in a single process)."""
    return rank() == 0


@contextlib.contextmanager
def maybe_distributed() -> Iterator[None]:
    """Join a process group when started by ``torchrun`` (``WORLD_SIZE`` > 1), and leave it afterwards."""
    wanted = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if not wanted or dist.is_initialized():
        yield
        return
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    try:
        yield
        # every rank finishes its work (rank 0 writes files after the last collective) before the
        # group is torn down: gloo aborts ("terminate called without an active exception") when a
        # peer destroys the group while another still uses its connections
        dist.barrier()
    finally:
        dist.destroy_process_group()


def broadcast_tensor(value: torch.Tensor | None, shape: tuple[int, ...]) -> torch.Tensor:
    """Rank 0's ``value`` on every rank (others pass None or a placeholder)."""
    if not is_distributed():
        assert value is not None
        return value
    dev = comm_device()
    buf = value.float().to(dev).contiguous() if is_main() and value is not None else torch.zeros(shape, device=dev)
    dist.broadcast(buf, src=0)
    return buf.cpu()


def sync_buffers(model: torch.nn.Module) -> None:
    """Give every rank rank 0's buffers (BatchNorm statistics), as DDP does before each forward."""
    if is_distributed():
        for buf in model.buffers():
            dist.broadcast(buf.data, src=0)


def sharded_norm_table(compute, n: int) -> np.ndarray:
    """Rows ``0..n-1`` computed in shards, one per rank, and gathered in order.

    ``compute(indices)`` returns the ``[len(indices), F]`` rows of those images.
    """
    if not is_distributed():
        return compute(np.arange(n))
    idx = np.array_split(np.arange(n), world_size())[rank()]
    dev = comm_device()
    part = torch.as_tensor(compute(idx), dtype=torch.float64)
    sizes = [len(s) for s in np.array_split(np.arange(n), world_size())]
    width = torch.tensor([part.shape[1] if part.ndim == 2 else 0], device=dev)
    dist.all_reduce(width, op=dist.ReduceOp.MAX)
    padded = torch.zeros(max(sizes), int(width), dtype=torch.float64)
    padded[:len(idx)] = part.reshape(len(idx), int(width))
    padded = padded.to(dev)
    gathered = [torch.zeros_like(padded) for _ in range(world_size())]
    dist.all_gather(gathered, padded)
    return torch.cat([g[:s].cpu() for g, s in zip(gathered, sizes)]).numpy()
