"""The paper's Tables 1 and 2 for our data: strategies x class counts x seeds.

Every cell (strategy, number of classes, seed) is one run folder under the
experiment folder (``ts3-c3-s0``...), trained, extracted and evaluated; a
cell with an ``evaluation.json`` is reused, so an interrupted experiment
continues where it stopped. :func:`tables_markdown` writes

* Table 1: NeSy accuracy (%) and rule-set size,
* Table 2: CNN accuracy (%) and fidelity (%),

averaged over seeds (rounded to integers as in the paper), with an ``MS``
column (mean over class counts).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from nesyasp.neural.config import TrainConfig, strategy
from nesyasp.neural.nesy import NesyMetrics
from nesyasp.neural.progress import labelled, listening, step_lines
from nesyasp.neural.run import evaluate_run, extract_run, load_run
from nesyasp.neural.train import CHECKPOINT, pretrain_backbone, train

__all__ = ["Cell", "run_experiment", "summarize", "tables_markdown", "plot_cells"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cell:
    """One run of the experiment and its metrics."""

    strategy: str
    classes: int
    seed: int
    metrics: NesyMetrics


def _cell(base: TrainConfig, name: str, classes: int, seed: int, out: Path, progress: bool,
          overrides: dict[str, Any]) -> Cell:
    cfg = dataclasses.replace(base, strategy=strategy(name, **overrides), classes=classes, seed=seed)
    if cfg.pretrain_epochs > 0:
        cfg = dataclasses.replace(cfg, weights=str(out / f"backbone-s{seed}.pt"), pretrain_epochs=0)
    run_dir = out / f"{name}-c{classes}-s{seed}"
    done = run_dir / "evaluation.json"
    if done.is_file():
        return Cell(cfg.strategy.name, classes, seed, NesyMetrics(**json.loads(done.read_text(encoding="utf-8"))))
    resume = (run_dir / CHECKPOINT).is_file()
    with labelled(run_dir.name):
        train(cfg, run_dir, resume=resume, progress=progress)
    run = load_run(run_dir)
    extract_run(run)
    return Cell(cfg.strategy.name, classes, seed, evaluate_run(run))


def _backbone(base: TrainConfig, seed: int, path: Path, threads: int = 0) -> Path:
    """Pretrain the backbone of ``seed`` into ``path`` (once; an existing file is reused)."""
    if not path.is_file():
        import torch

        if threads:
            torch.set_num_threads(threads)
        state = pretrain_backbone(dataclasses.replace(base, seed=seed), progress=False)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(state, tmp)
        tmp.replace(path)
    return path


def _backbones(base: TrainConfig, classes: Sequence[int], seeds: int, out: Path, jobs: int,
               threads: int) -> dict[int, Path]:
    """One pretrained backbone per seed, shared by every strategy and class count (the paper's ImageNet weights)."""
    if base.pretrain_epochs <= 0:
        return {}
    base = dataclasses.replace(base, classes=max(classes))
    paths = {seed: out / f"backbone-s{seed}.pt" for seed in range(seeds)}
    todo = [seed for seed, path in paths.items() if not path.is_file()]
    if jobs <= 1 or len(todo) <= 1:
        for seed in todo:
            _backbone(base, seed, paths[seed])
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
            for fut in [pool.submit(_backbone, base, seed, paths[seed], threads) for seed in todo]:
                fut.result()
    return paths


def _cell_job(base: TrainConfig, name: str, classes: int, seed: int, out: Path,
              overrides: dict[str, Any], threads: int, lines: bool = False) -> Cell:
    """One cell in a worker process (``threads`` torch threads, no progress bars; epoch lines on stdout
    when the parent printed them)."""
    import torch

    torch.set_num_threads(max(1, threads))
    with step_lines(force=lines):
        return _cell(base, name, classes, seed, out, False, overrides)


def run_experiment(base: TrainConfig, strategies: Sequence[str], classes: Sequence[int], seeds: int,
                   out: str | Path, progress: bool = True,
                   on_cell: Callable[[Cell], None] | None = None,
                   overrides: dict[str, Any] | None = None, jobs: int = 1, threads: int = 1) -> list[Cell]:
    """Train, extract and evaluate every (strategy, classes, seed) cell into ``out``.

    ``overrides`` changes fields of every strategy (for example ``{"k": 8}``).
    With ``jobs > 1`` that many worker processes (``threads`` torch threads
    each) run cells side by side; every cell is seeded, so the results are
    those of a serial run. The cells come back in grid order.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    backbones = _backbones(base, classes, seeds, out, jobs, threads)
    if backbones:
        logger.info("backbones: %s", ", ".join(str(p) for p in backbones.values()))
    grid = [(name, c, seed) for c in classes for name in strategies for seed in range(seeds)]
    if jobs <= 1:
        cells = []
        for name, c, seed in grid:
            cell = _cell(base, name, c, seed, out, progress, overrides or {})
            cells.append(cell)
            if on_cell is not None:
                on_cell(cell)
        return cells
    done: dict[tuple[str, int, int], Cell] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = {pool.submit(_cell_job, base, name, c, seed, out, overrides or {}, threads, listening()):
                   (name, c, seed) for name, c, seed in grid}
        for fut in as_completed(futures):
            cell = fut.result()
            done[futures[fut]] = cell
            if on_cell is not None:
                on_cell(cell)
    return [done[key] for key in grid]


def summarize(cells: Sequence[Cell]) -> dict[str, dict[str, dict[str, float]]]:
    """Mean and std over seeds: ``{strategy: {"c3": {"nesy_accuracy": .., "nesy_accuracy_std": ..}}}``."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    keys = ("nesy_accuracy", "cnn_accuracy", "fidelity", "rule_set_size", "n_rules")
    for s in dict.fromkeys(c.strategy for c in cells):
        out[s] = {}
        for k in sorted({c.classes for c in cells}):
            group = [c.metrics for c in cells if c.strategy == s and c.classes == k]
            if not group:
                continue
            row: dict[str, float] = {"runs": float(len(group))}
            for key in keys:
                vals = np.array([getattr(m, key) for m in group], dtype=float)
                row[key], row[f"{key}_std"] = float(vals.mean()), float(vals.std())
            out[s][f"c{k}"] = row
    return out


def _table(summary: dict, first: str, second: str, scale2: float, title: str) -> str:
    cols = sorted({k for rows in summary.values() for k in rows}, key=lambda k: int(k[1:]))
    lines = [f"**{title}**", "", "| | " + " | ".join(f"{c[1:]} classes" for c in cols) + " | MS |",
             "|---" * (len(cols) + 2) + "|"]
    for s, rows in summary.items():
        cells, a_all, b_all = [], [], []
        for c in cols:
            if c not in rows:
                cells.append("–")
                continue
            a, b = 100 * rows[c][first], scale2 * rows[c][second]
            a_all.append(a)
            b_all.append(b)
            cells.append(f"{a:.0f}, {b:.0f}")
        ms = f"{np.mean(a_all):.0f}, {np.mean(b_all):.0f}" if a_all else "–"
        lines.append(f"| {s} | " + " | ".join(cells) + f" | {ms} |")
    return "\n".join(lines) + "\n"


def tables_markdown(cells: Sequence[Cell]) -> str:
    """Tables 1 and 2 as markdown."""
    summary = summarize(cells)
    t1 = _table(summary, "nesy_accuracy", "rule_set_size", 1.0,
                "Table 1: NeSy accuracy (%), rule-set size")
    t2 = _table(summary, "cnn_accuracy", "fidelity", 100.0, "Table 2: CNN accuracy (%), fidelity (%)")
    return t1 + "\n" + t2


def plot_cells(cells: Sequence[Cell], path: str | Path) -> None:
    """Scatter NeSy accuracy against rule-set size, one marker per strategy and class count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = summarize(cells)
    fig, ax = plt.subplots(figsize=(6, 4))
    for s, rows in summary.items():
        xs = [r["rule_set_size"] for r in rows.values()]
        ys = [100 * r["nesy_accuracy"] for r in rows.values()]
        ax.scatter(xs, ys, label=s)
        for k, x, y in zip(rows, xs, ys):
            ax.annotate(k[1:], (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("rule-set size (predicates)")
    ax.set_ylabel("NeSy accuracy (%)")
    ax.set_title("accuracy vs. rule-set size (labels: classes)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
