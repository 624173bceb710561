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
import matplotlib.ticker  # noqa: E402,F401

from nesyasp.lth.results import LTHResult  # noqa: E402

__all__ = ["plot_accuracy", "plot_tcav", "plot_gradcam", "write_plots"]


def _pct_label(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def plot_accuracy(result: LTHResult, path: Path) -> Path:
    """Accuracy against the share of remaining weights (log x axis from 100 % down, one tick per round)."""
    xs = [100 * r.density for r in result.rounds]
    ys = [100 * r.accuracy for r in result.rounds]
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(xs, ys, marker="o")
    for r, x, y in zip(result.rounds, xs, ys):
        ax.annotate(f"r{r.round}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_xticks(xs, [_pct_label(x) for x in xs], fontsize=7)
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.invert_xaxis()
    low = min(ys) if ys else 0.0
    ax.set_ylim(max(0.0, min(low - 2.0, 100.0 - 5.0)), 100.5)
    ax.axhline(ys[0], color="grey", linestyle=":", linewidth=1, label="round 0 (dense)")
    ax.set_xlabel("remaining weights (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"{result.config.data}: accuracy per pruning round", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_tcav(result: LTHResult, path: Path) -> Path:
    """TCAV score per round for every class and concept.

    One panel per class; solid lines are the concepts the data set ties to the
    class, dashed lines the others; dots mark significant scores; the dotted
    line is the score from which ``programs/lth.lp`` says a round relies on a concept.
    """
    classes = sorted({s.target for r in result.rounds for s in r.tcav})
    n = max(len(classes), 1)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n + 1.6, 3.9), squeeze=False)
    rounds = [r.round for r in result.rounds]
    labels = [f"{r.round}\n{_pct_label(100 * r.density)}%" for r in result.rounds]
    cmap = plt.get_cmap("tab10" if len({s.concept for r in result.rounds for s in r.tcav}) <= 10 else "tab20")
    for ax, cls in zip(axes[0], classes):
        name = result.class_names[cls]
        relevant = set(result.relevant.get(name, ()))
        concepts = list(dict.fromkeys(s.concept for r in result.rounds for s in r.tcav if s.target == cls))
        for i, concept in enumerate(concepts):
            pts = [(r.round, s) for r in result.rounds for s in r.tcav if s.target == cls and s.concept == concept]
            style = "-" if concept in relevant or not relevant else "--"
            ax.plot([p[0] for p in pts], [p[1].score for p in pts], style, color=cmap(i % cmap.N), linewidth=1.2,
                    label=concept + ("" if concept in relevant or not relevant else " (other)"))
            sig = [p for p in pts if p[1].significant]
            ax.scatter([p[0] for p in sig], [p[1].score for p in sig], color=cmap(i % cmap.N), s=16, zorder=3)
        ax.axhline(result.config.min_score / 100, color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"class {name}", fontsize=10)
        ax.set_xticks(rounds, labels, fontsize=7)
        ax.set_xlabel("round / remaining weights", fontsize=8)
        ax.set_ylabel("TCAV score", fontsize=8)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle(f"TCAV on layer {result.layer} per round: solid = concepts of the class, dashed = others, "
                 f"dots = significant, dotted line = {result.config.min_score}%", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_gradcam(result: LTHResult, path: Path) -> Path | None:
    """Grad-CAM overlays: the inputs, then one row per round; ``None`` without maps."""
    rounds = sorted(result.gradcam)
    n = len(result.gradcam_images)
    if not rounds or n == 0:
        return None
    density = {r.round: r.density for r in result.rounds}
    fig, axes = plt.subplots(len(rounds) + 1, n, figsize=(1.25 * n + 0.6, 1.25 * (len(rounds) + 1) + 0.3),
                             squeeze=False)
    images = result.gradcam_images.permute(0, 2, 3, 1).clamp(0, 1).numpy()
    grey = images.shape[-1] == 1 or bool((images.std(axis=-1) < 1e-6).all())
    shown = images.mean(axis=-1) if grey else images
    for j in range(n):
        axes[0][j].imshow(shown[j], cmap="gray" if grey else None, vmin=0, vmax=1)
        axes[0][j].set_title(result.class_names[int(result.gradcam_labels[j])], fontsize=8)
    axes[0][0].set_ylabel("input", fontsize=8)
    for i, r in enumerate(rounds, start=1):
        maps = result.gradcam[r][:, 0].numpy()
        for j in range(n):
            ax = axes[i][j]
            ax.imshow(shown[j], cmap="gray" if grey else None, vmin=0, vmax=1)
            ax.imshow(maps[j], cmap="jet", alpha=0.45, vmin=0, vmax=1)
        pct = f" ({_pct_label(100 * density[r])}%)" if r in density else ""
        axes[i][0].set_ylabel(f"round {r}{pct}", fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"Grad-CAM of the true class (layer {result.cam_layer}) per round", fontsize=8)
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
