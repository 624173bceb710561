"""Two gloo processes on CPU (torchrun): shared P and thresholds, the same binarization table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from nesyasp.neural.binarize import FilterTable
from nesyasp.neural.extract import filter_tables
from nesyasp.neural.run import load_run

HERE = Path(__file__).resolve().parent
GLOO_TEARDOWN = "terminate called without an active exception"


def _torchrun(args: list[str], out: Path, timeout: int) -> subprocess.CompletedProcess:
    """``torchrun --nproc_per_node 2 ARGS``, run a second time if gloo aborted one rank at teardown.

    Gloo on CPU now and then aborts a rank while the peers close their connections
    ("terminate called without an active exception"; about 1 run in 100 on a loaded
    2-core machine, not reproduced in 85 runs alone). That race is in the library's
    teardown, not in what these tests check, so one such failure is retried in a clean
    folder; any other failure, or a second one, fails the test.
    """
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(HERE.parent.parent))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 and GLOO_TEARDOWN in done.stderr:
        warnings.warn(f"gloo aborted a rank at teardown; retrying once:\n{done.stderr[-1500:]}")
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_two_gloo_processes_share_statistics_and_binarize_like_one(tmp_path, toy_splits):
    out = tmp_path / "ddp"
    _torchrun([str(HERE / "ddp_worker.py"), str(out)], out, timeout=180)
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
    done = _torchrun(["-m", "nesyasp", "train", "--data", str(tmp_path / "data"), "--size", "16", "--epochs", "2",
                      "--batch-size", "4", "--pretrain-epochs", "0", "--out", str(tmp_path / "run")],
                     tmp_path / "run", timeout=300)
    assert done.stdout.count("TS3 on ") == 1  # only rank 0 reports
    run = load_run(tmp_path / "run")
    assert run.epochs_done == 2 and run.p is not None and run.class_names == ("a", "b")
