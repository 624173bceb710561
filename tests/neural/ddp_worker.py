"""Worker for test_neural_distributed: train and binarize under torchrun (gloo, CPU)."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from conftest import tiny_config, toy_imageset
from nesyasp.neural.data import split_from_imageset
from nesyasp.neural.distributed import is_distributed, maybe_distributed, rank
from nesyasp.neural.extract import filter_tables
from nesyasp.neural.train import train


def main(out: Path) -> None:
    torch.set_num_threads(1)
    splits = (split_from_imageset(toy_imageset(12, seed=0)), split_from_imageset(toy_imageset(6, seed=1)))
    with maybe_distributed():
        assert is_distributed()
        result = train(tiny_config("ts2", epochs=2), out, splits=splits, progress=False)
        tables, _ = filter_tables(result.model, {"train": splits[0], "test": splits[1]},
                                  result.config.strategy, result.thresholds)
        torch.save({"p": result.p, "thresholds": result.thresholds}, out / f"stats_rank{rank()}.pt")
        if rank() == 0:
            tables["train"].to_npz(out / "ddp_train.npz")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
