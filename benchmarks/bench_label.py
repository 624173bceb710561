"""Bar (issue 7): labelling a run's filters is interactive on a CPU.

Labels 10 rule-set filters of the default small CNN over 100 mask-annotated
images of 64x64 pixels with 80 concepts (the size of the embedded scenes'
concept list), the way ``nesyasp label`` does, in three timed phases:

* maps:     the CNN's filter maps on the 100 images (one thread);
* scores:   top-10 images per filter, bicubic upsampling, median threshold,
            concept scores (soft IoU, the default), margin selection, naming and the
            AST transform of the rule set;
* files:    labelled_rules.lp, labels.json, 11 PNG pictures and report.html.

Bars: maps + scores under 1 s, and the whole (files included) under 10 s,
each the median of ``--repeat`` runs. Exits 1 when a bar is missed.

    .venv/bin/python benchmarks/bench_label.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from nesyasp.lang import parse_program
from nesyasp.label.run import annotated_set, feature_maps, label_run, write_labels
from nesyasp.label.runreport import write_run_report
from nesyasp.neural.config import TrainConfig
from nesyasp.neural.run import Run
from nesyasp.neural.train import make_model

BAR_COMPUTE = 1.0
BAR_TOTAL = 10.0
N, SIZE, K, FILTERS = 100, 64, 80, 10


def _annotated(seed: int = 0) -> SimpleNamespace:
    """Random images; each holds 6 random rectangles of random concepts over a wall and a floor."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 255, (N, SIZE, SIZE, 3), dtype=np.uint8)
    masks = np.zeros((N, K, SIZE, SIZE), bool)
    masks[:, 0, : SIZE // 2] = True
    masks[:, 1, SIZE // 2:] = True
    for i in range(N):
        for c in rng.choice(np.arange(2, K), 6, replace=False):
            r, q = rng.integers(0, SIZE - 16, 2)
            h, w = rng.integers(8, 16, 2)
            masks[i, c, r:r + h, q:q + w] = True
    return SimpleNamespace(images=images, labels=np.repeat(np.arange(2), N // 2), class_names=("a", "b"),
                           ids=[f"img_{i:03d}" for i in range(N)], concept_names=[f"c{k}" for k in range(K)],
                           masks=masks)


def _rules() -> str:
    ks = [3 * j + 1 for j in range(FILTERS)]
    half = FILTERS // 2
    return "".join([f"target(X,a) :- f{ks[j]}(X), not ab1(X).\n" for j in range(half)]
                   + [f"target(X,b) :- f{ks[j]}(X).\n" for j in range(half, FILTERS - 1)]
                   + [f"ab1(X) :- f{ks[-1]}(X).\n"])


def _once(run: Run, data: SimpleNamespace, program) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    ann = annotated_set(data, "benchmark")
    feature_maps(run.model, ann.images)
    t1 = time.perf_counter()
    labels = label_run(run, ann, program=program)  # maps again + scores
    t2 = time.perf_counter()
    write_labels(labels, run.path)
    write_run_report(run.path, n_examples=0)
    t3 = time.perf_counter()
    return t1 - t0, (t2 - t1) - (t1 - t0), t3 - t2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (median taken)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = _annotated()
    program = parse_program(_rules())
    cfg = TrainConfig(size=SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "rules.lp").write_text(_rules(), encoding="utf-8")
        run = Run(Path(tmp), cfg, make_model(cfg, 2).eval(), ("a", "b"), None, None, 0)
        _once(run, data, program)  # warm up (imports, matplotlib fonts)
        times = [_once(run, data, program) for _ in range(args.repeat)]
    maps, scores, files = (statistics.median(t[i] for t in times) for i in range(3))
    compute, total = maps + scores, maps + scores + files
    print(f"label {FILTERS} filters over {N} images of {SIZE} px, {K} concepts, 1 thread "
          f"(median of {args.repeat}):")
    print(f"  maps {maps:.3f} s   scores {scores:.3f} s   files {files:.3f} s")
    print(f"  maps + scores {compute:.3f} s (bar {BAR_COMPUTE} s)   total {total:.3f} s (bar {BAR_TOTAL} s)")
    ok = compute < BAR_COMPUTE and total < BAR_TOTAL
    print("bar met" if ok else "BAR MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
