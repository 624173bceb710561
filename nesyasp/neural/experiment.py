"""The paper's Tables 1 and 2 for our data: strategies x class counts x seeds.

Every cell (strategy, number of classes, seed) is one run folder under the
experiment folder (``ts3-c3-s0``...), trained, extracted and evaluated; a
cell with an ``evaluation.json`` is reused, so an interrupted experiment
continues where it stopped. :func:`tables_markdown` writes

* Table 1: NeSy accuracy (%) and rule-set size,
* Table 2: CNN accuracy (%) and fidelity (%),

averaged over seeds (rounded to integers as in the paper), with an ``MS``
column (mean over class counts).

``cells`` selects cells by folder-name patterns (``ts3-c10-*``), so that
machines can share a grid: each runs its cells into its own copy of the
folder, the cell folders are gathered into one, and a last run without
``cells`` reuses them all and writes the tables. Backbones are deterministic,
so every machine pretrains the same ones. With ``jobs > 1`` the data of each
(class count, seed) is rendered once, into ``OUT/data/``, and read by the
cells' worker processes; on GPUs the cells are spread over the devices.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from nesyasp.data.datasets import check_source
from nesyasp.errors import DataError
from nesyasp.neural.config import TrainConfig, strategy
from nesyasp.neural.data import load_splits
from nesyasp.neural.nesy import NesyMetrics
from nesyasp.neural.progress import labelled, listening, step_lines
from nesyasp.neural.run import evaluate_run, extract_run, load_run
from nesyasp.neural.train import CHECKPOINT, pretrain_backbone, train

__all__ = ["Cell", "run_experiment", "summarize", "tables_markdown", "plot_cells", "cell_name", "select_cells",
           "auto_jobs", "check_experiment_folder", "SUMMARY_FILES"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cell:
    """One run of the experiment and its metrics."""

    strategy: str
    classes: int
    seed: int
    metrics: NesyMetrics


def cell_name(name: str, classes: int, seed: int) -> str:
    """The folder of a cell: ``<strategy>-c<classes>-s<seed>``."""
    return f"{name}-c{classes}-s{seed}"


def select_cells(grid: Sequence[tuple[str, int, int]], patterns: Sequence[str]) -> list[tuple[str, int, int]]:
    """The cells of ``grid`` whose folder name matches one of the shell ``patterns`` (all when there are none).

    Raises
    ------
    DataError
        When a pattern matches no cell of the grid.
    """
    if not patterns:
        return list(grid)
    names = {key: cell_name(*key) for key in grid}
    for pat in patterns:
        if not any(fnmatch.fnmatchcase(n, pat) for n in names.values()):
            raise DataError(f"--cells: {pat!r} matches no cell of the grid ({', '.join(list(names.values())[:6])}"
                            f"{' ...' if len(names) > 6 else ''})")
    return [key for key, n in names.items() if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def _backbone_path(base: TrainConfig, out: Path, seed: int) -> Path:
    return out / ("backbone-generic.pt" if base.pretrain == "generic" else f"backbone-s{seed}.pt")


def _cell(base: TrainConfig, name: str, classes: int, seed: int, out: Path, progress: bool,
          overrides: dict[str, Any], data_cache: Path | None = None, device: str | None = None) -> Cell:
    cfg = dataclasses.replace(base, strategy=strategy(name, **overrides), classes=classes, seed=seed)
    if cfg.pretrain_epochs > 0:
        cfg = dataclasses.replace(cfg, weights=str(_backbone_path(base, out, seed)), pretrain_epochs=0)
    if device is not None:
        cfg = dataclasses.replace(cfg, device=device)
    run_dir = out / cell_name(name, classes, seed)
    done = run_dir / "evaluation.json"
    if done.is_file():
        return Cell(cfg.strategy.name, classes, seed, NesyMetrics(**json.loads(done.read_text(encoding="utf-8"))))
    resume = (run_dir / CHECKPOINT).is_file()
    splits = load_splits(cfg, data_cache) if data_cache is not None else None
    with labelled(run_dir.name):
        train(cfg, run_dir, resume=resume, progress=progress, splits=splits)
    run = load_run(run_dir)
    extract_run(run, splits)
    return Cell(cfg.strategy.name, classes, seed, evaluate_run(run, splits))


def _backbone(base: TrainConfig, seed: int, path: Path, threads: int = 0) -> Path:
    """Pretrain the backbone of ``seed`` into ``path`` (once; an existing file is reused)."""
    if not path.is_file():
        import torch

        from nesyasp.neural.backbones import save_backbone

        if threads:
            torch.set_num_threads(threads)
        state = pretrain_backbone(dataclasses.replace(base, seed=seed), progress=False)
        save_backbone(state, {"pretrain": base.pretrain, "seed": seed}, path)
    return path


def _backbones(base: TrainConfig, classes: Sequence[int], seeds: Sequence[int], out: Path, jobs: int,
               threads: int) -> dict[int, Path]:
    """The pretrained backbones of ``seeds``, shared by every strategy and class count (the paper's ImageNet
    weights): one per seed on the data set's spare classes, or the one generic backbone."""
    if base.pretrain_epochs <= 0:
        return {}
    base = dataclasses.replace(base, classes=max(classes))
    if base.pretrain == "generic":
        path = _backbone(base, 0, _backbone_path(base, out, 0), threads)
        return {seed: path for seed in seeds}
    paths = {seed: _backbone_path(base, out, seed) for seed in seeds}
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
              overrides: dict[str, Any], threads: int, device: str | None = None, lines: bool = False) -> Cell:
    """One cell in a worker process (``threads`` torch threads, no progress bars, data from ``OUT/data``;
    epoch lines on stdout when the parent printed them)."""
    import torch

    torch.set_num_threads(max(1, threads))
    with step_lines(force=lines):
        return _cell(base, name, classes, seed, out, False, overrides, out / "data", device)


def _gpus(base: TrainConfig) -> int:
    """CUDA devices the cells may spread over (0 on the CPU or with a fixed ``cuda:N``)."""
    import torch

    if base.device not in ("auto", "cuda") or not torch.cuda.is_available():
        return 0
    return torch.cuda.device_count()


def auto_jobs(base: TrainConfig, n_cells: int, per_gpu: int = 6) -> int:
    """Worker processes when ``--jobs`` is not given: 1 on the CPU; on GPUs ``per_gpu`` cells each
    (small jobs leave a GPU mostly idle), at most one per CPU core and one per cell."""
    import os

    import torch

    gpus = _gpus(base) or int(base.device.startswith("cuda:") and torch.cuda.is_available())
    return 1 if not gpus else max(1, min(n_cells, per_gpu * gpus, os.cpu_count() or 1))


def _render_data(base: TrainConfig, keys: Sequence[tuple[str, int, int]], out: Path) -> None:
    """Render (or read) each (class count, seed)'s data once into ``OUT/data`` for the worker processes."""
    for c, seed in dict.fromkeys((c, seed) for _, c, seed in keys):
        load_splits(dataclasses.replace(base, classes=c, seed=seed), out / "data")


SUMMARY_FILES = ("tables.md", "results.json", "accuracy_vs_size.png")


def check_experiment_folder(out: Path) -> None:
    """Refuse an ``out`` whose tables, results or plot an experiment did not write (they would be overwritten).

    An experiment's ``results.json`` is a JSON object with ``runs`` and
    ``summary``; without one, a ``tables.md`` or ``accuracy_vs_size.png`` there is
    the user's.

    Raises
    ------
    DataError
        Naming the files.
    """
    results = out / "results.json"
    try:
        ours = set(json.loads(results.read_text(encoding="utf-8"))) >= {"runs", "summary"}
    except (OSError, UnicodeDecodeError, ValueError, TypeError):
        ours = False
    taken = [name for name in SUMMARY_FILES if (out / name).exists()]
    if taken and not ours:
        raise DataError(f"{out}: holds {', '.join(taken)}, not written by 'nesyasp experiment', which it would "
                        "overwrite; choose another --out")


def run_experiment(base: TrainConfig, strategies: Sequence[str], classes: Sequence[int], seeds: int,
                   out: str | Path, progress: bool = True,
                   on_cell: Callable[[Cell], None] | None = None,
                   overrides: dict[str, Any] | None = None, jobs: int = 1, threads: int = 1,
                   cells: Sequence[str] = ()) -> list[Cell]:
    """Train, extract and evaluate every (strategy, classes, seed) cell into ``out``.

    ``overrides`` changes fields of every strategy (for example ``{"k": 8}``).
    With ``jobs > 1`` that many worker processes (``threads`` torch threads
    each) run cells side by side (on GPUs spread round-robin over the
    devices); every cell is seeded, so the results are those of a serial run.
    ``cells`` keeps only the cells whose folder names match these patterns
    (:func:`select_cells`). The cells come back in grid order; a strategy or
    class count given twice counts once.
    """
    out = Path(out)
    check_experiment_folder(out)
    # a strategy or class count named twice is one cell, not two runs of it in the means and stds
    strategies, classes = list(dict.fromkeys(strategies)), list(dict.fromkeys(classes))
    grid = select_cells([(name, c, seed) for c in classes for name in strategies for seed in range(seeds)], cells)
    for c in classes:  # a missing folder or an unknown class fails now, not after pretraining
        check_source(base.data, c or None)
    out.mkdir(parents=True, exist_ok=True)
    backbones = _backbones(base, classes, sorted({seed for _, _, seed in grid}), out, jobs, threads)
    if backbones:
        logger.info("backbones: %s", ", ".join(sorted({str(p) for p in backbones.values()})))
    if jobs <= 1:
        done_cells = []
        for name, c, seed in grid:
            cell = _cell(base, name, c, seed, out, progress, overrides or {})
            done_cells.append(cell)
            if on_cell is not None:
                on_cell(cell)
        return done_cells
    todo = [key for key in grid if not (out / cell_name(*key) / "evaluation.json").is_file()]
    _render_data(base, todo, out)
    gpus = _gpus(base)
    devices = {key: (f"cuda:{k % gpus}" if gpus else None) for k, key in enumerate(grid)}
    done: dict[tuple[str, int, int], Cell] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = {pool.submit(_cell_job, base, name, c, seed, out, overrides or {}, threads,
                               devices[(name, c, seed)], listening()): (name, c, seed)
                   for name, c, seed in grid}
        for fut in as_completed(futures):
            cell = fut.result()
            done[futures[fut]] = cell
            if on_cell is not None:
                on_cell(cell)
    return [done[key] for key in grid]


def summarize(cells: Sequence[Cell]) -> dict[str, dict[str, dict[str, float]]]:
    """Mean and population std (``ddof=0``) over seeds.

    ``{strategy: {"c3": {"nesy_accuracy": .., "nesy_accuracy_std": ..}}}``.
    """
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
        # the mean over every column, as the paper's MS; a row missing a column gets none (a mean over its
        # easier columns alone was compared with full rows)
        ms = f"{np.mean(a_all):.0f}, {np.mean(b_all):.0f}" if len(a_all) == len(cols) else "–"
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
