"""Bar (issue 6): the sparsity loss adds at most 10% to an epoch's time over cross-entropy alone.

Same model (the default small CNN), same data (300 images of 32x32 pixels, 3
classes), same batches: an epoch with ``CE`` against an epoch with
``alpha*CE + beta*L_sparsity`` (TS3: Method-2 P, thresholds from the initial
model). Epochs alternate and the median of several is compared, so that
other load on the machine hits both alike. Exits 1 when the bar is missed.

    .venv/bin/python benchmarks/bench_sparsity.py [--epochs 7] [--norm fro|spectral]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import torch

from nesyasp.neural.config import TrainConfig, strategy
from nesyasp.neural.data import Split
from nesyasp.neural.train import _loss_fn, _run_epoch, class_weights, compute_statistics, make_model

BAR = 0.10


def _data(n_per_class: int = 100, size: int = 32, seed: int = 0) -> Split:
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((3 * n_per_class, 3, size, size)).astype(np.float32))
    y = torch.arange(3).repeat_interleave(n_per_class)
    return Split(x, y, ("a", "b", "c"), tuple(f"img_{i}" for i in range(len(y))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=7, help="timed epochs per loss (median taken)")
    ap.add_argument("--norm", default="fro", choices=("fro", "spectral"))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    split = _data()
    cfg = TrainConfig(epochs=args.epochs, batch_size=32, strategy=strategy("ts3", norm=args.norm))
    model = make_model(cfg, 3)
    p, thresh = compute_statistics(model, split, cfg)
    w = class_weights(split.y, 3)
    losses = {"ce": _loss_fn(TrainConfig(strategy=strategy("ce")), None, None, w),
              "sparsity": _loss_fn(cfg, p, thresh, w)}
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times: dict[str, list[float]] = {"ce": [], "sparsity": []}
    for epoch in range(args.epochs + 1):
        for name, loss in losses.items():
            t0 = time.perf_counter()
            _run_epoch(model, loss, opt, split, cfg, epoch, progress=False)
            if epoch:  # the first round warms up
                times[name].append(time.perf_counter() - t0)
    ce, sp = statistics.median(times["ce"]), statistics.median(times["sparsity"])
    overhead = sp / ce - 1.0
    print(f"epoch (300 images, 32 px, batch 32, {args.threads} thread(s), norm={args.norm}): "
          f"CE {ce:.3f} s, CE+sparsity {sp:.3f} s, overhead {100 * overhead:+.1f}% (bar: <= {100 * BAR:.0f}%)")
    ok = overhead <= BAR
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
