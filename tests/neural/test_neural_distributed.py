"""Two gloo processes on CPU (torchrun): shared P and thresholds, the same binarization table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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
