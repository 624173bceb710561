"""Two gloo processes on CPU (torchrun): shared P and thresholds, the same binarization table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from nesyasp.neural.binarize import FilterTable
from nesyasp.neural.extract import filter_tables
from nesyasp.neural.run import load_run

HERE = Path(__file__).resolve().parent


def test_two_gloo_processes_share_statistics_and_binarize_like_one(tmp_path, toy_splits):
    out = tmp_path / "ddp"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(HERE.parent.parent))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           str(HERE / "ddp_worker.py"), str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    s0 = torch.load(out / "stats_rank0.pt", weights_only=True)
    s1 = torch.load(out / "stats_rank1.pt", weights_only=True)
    assert torch.equal(s0["p"], s1["p"]) and torch.equal(s0["thresholds"], s1["thresholds"])
    run = load_run(out)
    assert run.epochs_done == 2 and torch.equal(run.p, s0["p"])
    single, _ = filter_tables(run.model, {"train": toy_splits[0]}, run.config.strategy, run.thresholds)
    sharded = FilterTable.from_npz(out / "ddp_train.npz")
    assert np.array_equal(single["train"].values, sharded.values)
    assert sharded.ids == single["train"].ids


@pytest.mark.slow
def test_torchrun_runs_the_train_command(tmp_path):
    """``torchrun --nproc_per_node 2 -m nesyasp train`` on a user folder: one run folder, written once."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for c in ("a", "b"):
        for k in range(8):
            img = rng.integers(0, 80, (16, 16, 3), dtype=np.uint8)
            img[:8 if c == "a" else 16, 8 if c == "b" else 0:] = 220
            (tmp_path / "data" / c).mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(tmp_path / "data" / c / f"{k}.png")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(HERE.parent.parent))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "nesyasp",
           "train", "--data", str(tmp_path / "data"), "--size", "16", "--epochs", "2", "--batch-size", "4",
           "--pretrain-epochs", "0", "--out", str(tmp_path / "run")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("TS3 on ") == 1  # only rank 0 reports
    run = load_run(tmp_path / "run")
    assert run.epochs_done == 2 and run.p is not None and run.class_names == ("a", "b")
