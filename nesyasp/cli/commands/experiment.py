"""``nesyasp experiment``: the paper's Tables 1 and 2 for the embedded data."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from nesyasp.cli.commands._neural_args import _pretrain_epochs, add_train_options, config_from_args, pretrain_choice

NAME = "experiment"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
INTERRUPTED = "finished cells and epochs are kept: run the same command again to continue"
HELP = "train, extract and evaluate strategies x class counts x seeds; write Tables 1 and 2"
DESCRIPTION = """\
For every strategy, number of classes and seed: train into OUT/<strategy>-c<k>-s<seed>,
extract the rule set and evaluate it. Finished cells are reused, so the
command can be run again after an interruption. Writes OUT/tables.md (Table 1:
NeSy accuracy and rule-set size; Table 2: CNN accuracy and fidelity),
OUT/results.json (every run, and means and stds) and OUT/accuracy_vs_size.png.

The backbones (the paper's ImageNet weights) are pretrained once per seed on
the data set's spare classes, or, when the largest class count leaves none
(P10, GT43), the generic backbone is used for every cell (--pretrain).

--cells selects cells by folder name (shell patterns), so that a grid can be
spread over machines: run each machine's share into its own folder, copy
the cell folders into one, and run the full command there once more: every
finished cell is reused and the tables cover them all.

examples:
  nesyasp experiment --strategies ne,ts1,ts2,ts3,ts4,ts5 --data scenes --classes 3,5 --seeds 3
  nesyasp experiment --strategies ne,ts3 --classes 2,3,5,10 --seeds 3 --out runs/p          (P2-P10)
  nesyasp experiment --strategies ne,ts3 --data signs --classes 43 --seeds 3 --out runs/gt43
  nesyasp experiment --strategies ne,ts3 --classes 3 --seeds 1 --epochs 6 --out runs/quick
  nesyasp experiment --jobs 8 --threads 2        (16 cores: eight cells at a time)
  nesyasp experiment --classes 3,5 --cells 'ts3-*' --out runs/machine1     (this machine's share)
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "INTERRUPTED", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Grid options plus the training options."""
    parser.add_argument("--strategies", default="ne,ts1,ts2,ts3,ts4,ts5",
                        help="comma-separated strategies (default: ne,ts1,ts2,ts3,ts4,ts5)")
    parser.add_argument("--classes", default="3,5", help="comma-separated class counts (default: 3,5)")
    parser.add_argument("--seeds", type=int, default=3, help="runs per cell, seeds 0..N-1 (default: 3)")
    parser.add_argument("--out", type=Path, default=Path("runs/experiment"),
                        help="experiment folder (default: runs/experiment)")
    parser.add_argument("--jobs", default="auto",
                        help="cells trained side by side in worker processes; auto: 1 on the CPU, on GPUs six "
                             "cells per GPU spread over the GPUs, at most one per CPU core (default: auto)")
    parser.add_argument("--cells", default="",
                        help="only these cells: comma-separated shell patterns of cell folder names, "
                             "e.g. 'ts3-c10-*,ne-c3-s0' (default: the whole grid)")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads per cell (default: 2 with --jobs 1, else 1)")
    add_train_options(parser, single=False)


def _ints(text: str) -> list[int]:
    from nesyasp.errors import DataError

    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise DataError(f"--classes wants comma-separated integers, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    """Run the grid and write the tables."""
    import torch

    from nesyasp.errors import DataError
    from nesyasp.neural.config import strategy
    from nesyasp.neural.experiment import (auto_jobs, plot_cells, run_experiment, select_cells, summarize,
                                           tables_markdown)

    if args.jobs != "auto" and (not str(args.jobs).isdigit() or int(args.jobs) < 1) or args.threads < 0:
        raise DataError("--jobs must be auto or >= 1, and --threads >= 0")
    if args.seeds < 1:
        raise DataError(f"--seeds must be >= 1, got {args.seeds}")
    names = list(dict.fromkeys(s.strip().lower() for s in args.strategies.split(",") if s.strip()))
    if not names:
        raise DataError("--strategies names no strategy")
    for n in names:
        strategy(n)  # unknown names fail before any training
    class_counts = list(dict.fromkeys(_ints(args.classes)))  # '3,3' is one class count
    if not class_counts:
        raise DataError("--classes names no class count")
    if any(c < 0 or c == 1 for c in class_counts):
        raise DataError(f"--classes: each count must be 0 (all) or at least 2, got {args.classes!r}")
    base = config_from_args(args, strategy_name=names[0])
    widest = 0 if 0 in class_counts else max(class_counts)  # 0: all classes, none to spare
    base = dataclasses.replace(base, pretrain_epochs=_pretrain_epochs(args, widest),
                               pretrain=pretrain_choice(args, widest))
    patterns = [p.strip() for p in args.cells.split(",") if p.strip()]
    n_cells = len(select_cells([(n, c, s) for c in class_counts for n in names for s in range(args.seeds)],
                               patterns))
    jobs = auto_jobs(base, n_cells) if args.jobs == "auto" else int(args.jobs)
    threads = args.threads or (2 if jobs == 1 else 1)
    torch.set_num_threads(max(1, min(torch.get_num_threads(), threads)))

    def show(cell):
        m = cell.metrics
        print(f"{cell.strategy:>4} classes={cell.classes} seed={cell.seed}: NeSy {100 * m.nesy_accuracy:5.1f}% "
              f"CNN {100 * m.cnn_accuracy:5.1f}% fidelity {100 * m.fidelity:5.1f}% size {m.rule_set_size}",
              flush=True)

    overrides = {k: getattr(args, k) for k in ("k", "h1", "h2", "alpha", "beta", "norm")
                 if getattr(args, k, None) is not None}
    from nesyasp.neural.progress import step_lines

    with step_lines():  # one line per epoch (each cell's) when stdout is not a terminal
        cells = run_experiment(base, names, class_counts, args.seeds, args.out, on_cell=show,
                               overrides=overrides, jobs=jobs, threads=threads, cells=patterns)
    md = tables_markdown(cells)
    (args.out / "tables.md").write_text(md, encoding="utf-8")
    runs = [{"strategy": c.strategy, "classes": c.classes, "seed": c.seed, **c.metrics.to_dict()} for c in cells]
    (args.out / "results.json").write_text(json.dumps({"runs": runs, "summary": summarize(cells)}, indent=2) + "\n",
                                           encoding="utf-8")
    plot_cells(cells, args.out / "accuracy_vs_size.png")
    print(md)
    print(f"wrote {args.out}/tables.md, results.json, accuracy_vs_size.png")
    return 0
