"""PNG plots of an LTH experiment (the figures of Ghosh & Ravi).

* ``accuracy.png``: test accuracy against remaining weights (Figures 2-3);
* ``tcav.png``: TCAV score per round, one panel per class, one line per
  concept, filled markers where the score is significant (Figures 4-5);
* ``gradcam.png``: Grad-CAM maps over the test images, one row per round
  (Figure 6).

Matplotlib's Agg back-end is used, so no display is needed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nesyasp.lth.runner import LTHResult  # noqa: E402

__all__ = ["plot_accuracy", "plot_tcav", "plot_gradcam", "write_plots"]


def plot_accuracy(result: LTHResult, path: Path) -> Path:
    """Accuracy against the share of remaining weights (x axis from 100 % down, log scale)."""
    xs = [100 * r.density for r in result.rounds]
    ys = [100 * r.accuracy for r in result.rounds]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(xs, ys, marker="o")
    for r, x, y in zip(result.rounds, xs, ys):
        ax.annotate(str(r.round), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("remaining weights (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"{result.config.data}: accuracy per pruning round")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_tcav(result: LTHResult, path: Path) -> Path:
    """TCAV score per round for every class and concept."""
    classes = sorted({s.target for r in result.rounds for s in r.tcav})
    fig, axes = plt.subplots(1, max(len(classes), 1), figsize=(5 * max(len(classes), 1), 3.8), squeeze=False)
    for ax, cls in zip(axes[0], classes):
        concepts = list(dict.fromkeys(s.concept for r in result.rounds for s in r.tcav if s.target == cls))
        for concept in concepts:
            pts = [(r.round, s) for r in result.rounds for s in r.tcav if s.target == cls and s.concept == concept]
            line, = ax.plot([p[0] for p in pts], [p[1].score for p in pts], label=concept, linewidth=1)
            sig = [p for p in pts if p[1].significant]
            ax.scatter([p[0] for p in sig], [p[1].score for p in sig], color=line.get_color(), s=14)
        ax.set_title(f"class {result.class_names[cls]}")
        ax.set_xlabel("round")
        ax.set_ylabel("TCAV score")
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_gradcam(result: LTHResult, path: Path) -> Path | None:
    """Grad-CAM overlays: rows are rounds, columns the chosen test images; ``None`` without maps."""
    rounds = sorted(result.gradcam)
    n = len(result.gradcam_images)
    if not rounds or n == 0:
        return None
    fig, axes = plt.subplots(len(rounds), n, figsize=(1.3 * n, 1.3 * len(rounds)), squeeze=False)
    images = result.gradcam_images.permute(0, 2, 3, 1).clamp(0, 1).numpy()
    for i, r in enumerate(rounds):
        maps = result.gradcam[r][:, 0].numpy()
        for j in range(n):
            ax = axes[i][j]
            ax.imshow(images[j].squeeze(), cmap="gray")
            ax.imshow(maps[j], cmap="jet", alpha=0.5, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(f"round {r}", fontsize=7)
            if i == 0:
                ax.set_title(result.class_names[int(result.gradcam_labels[j])], fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_plots(result: LTHResult, out: Path) -> list[Path]:
    """Write the three plots into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [plot_accuracy(result, out / "accuracy.png"), plot_tcav(result, out / "tcav.png"),
             plot_gradcam(result, out / "gradcam.png")]
    return [p for p in paths if p is not None]
