"""Pictures of what filters see, saved as PNG (matplotlib, no pyplot state).

* :func:`plot_top_activations`: for each class's top filter, its top images
  with the upsampled activation overlaid (the paper's Figure 2);
* :func:`plot_concept_scores`: a bar chart of one filter's normalized
  concept scores, with the kept concepts highlighted.

Both take the path to write and return it; nothing is written otherwise.
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path
from typing import Any, Callable, Collection, Mapping, Sequence, TypeVar

import numpy as np

from nesyasp.errors import DataError
from nesyasp.label.scores import FilterConcepts, upsample

__all__ = ["overlay", "plot_top_activations", "plot_concept_scores"]

logger = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])


def _plain_text(draw: _F) -> _F:
    """Draw names as they are written: a ``$`` in a concept or class name is no mathtext
    (``a$b$`` was drawn with an italic b, and ``$\\frac{$`` stopped labelling with a
    ValueError), and a letter the font lacks is logged once, not warned about on stderr."""
    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}), warnings.catch_warnings(record=True) as caught:
            warnings.filterwarnings("always", message=r"Glyph .* missing from font", category=UserWarning)
            result = draw(*args, **kwargs)
        missing = [w for w in caught if "missing from font" in str(w.message)]
        if missing:
            logger.info("%s: %d letters of names are not in the font and drawn as boxes (%s)", result,
                        len(missing), missing[0].message)
        for w in caught:
            if w not in missing:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result
    return wrapper  # type: ignore[return-value]


def _figure(width: float, height: float):  # noqa: ANN202 - matplotlib Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def overlay(image: np.ndarray, fmap: np.ndarray, upsampling: str = "bicubic", alpha: float = 0.5,
            strength: float = 1.0) -> np.ndarray:
    """Blend an activation map over an image.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` uint8 (or floats in [0, 1]).
    fmap : ndarray
        ``(h, w)`` feature map; upsampled to ``(H, W)``, values below its
        median zeroed (as in labelling), scaled to [0, 1] and coloured with
        the ``jet`` colour map.
    upsampling : str
        Interpolation mode, see :func:`~nesyasp.label.scores.upsample`.
    alpha : float
        Weight of the heat map.
    strength : float
        Scales the heat map's colour and weight (1: the map's peak in full
        colour; a filter at 30% of its threshold can be drawn at 0.3).

    Returns
    -------
    ndarray
        ``(H, W, 3)`` floats in [0, 1].
    """
    from matplotlib import colormaps

    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 3 or img.shape[2] != 3:
        raise DataError(f"image must have shape (H, W, 3), got {img.shape}")
    if img.max() > 1.0:
        img = img / 255.0
    big = upsample(fmap, img.shape[:2], upsampling)
    big = np.where(big >= np.median(big), np.maximum(big, 0.0), 0.0)
    peak = big.max()
    scaled = (big / peak if peak > 0 else big) * float(np.clip(strength, 0.0, 1.0))
    heat = colormaps["jet"](scaled)[..., :3]
    weight = alpha * scaled[..., None]
    return np.clip((1 - weight) * img + weight * heat, 0.0, 1.0)


@_plain_text
def plot_top_activations(
    path: str | Path,
    images: np.ndarray,
    maps: np.ndarray,
    class_filters: Mapping[str, int],
    records: Mapping[int, FilterConcepts],
    names: Mapping[int, str] | None = None,
    *,
    n_top: int = 3,
    upsampling: str = "bicubic",
    against: Collection[str] = (),
) -> Path:
    """Save the paper's Figure 2 for one model: a row per class.

    Parameters
    ----------
    path : str or Path
        PNG file to write.
    images : ndarray
        The annotated images ``(N, H, W, 3)``.
    maps : ndarray
        Their feature maps ``(N, F, h, w)``.
    class_filters : mapping
        Class name to its top filter (see
        :func:`~nesyasp.label.transform.class_top_filters`).
    records : mapping
        Filter index to its labelling record (gives the top images).
    names : mapping, optional
        Filter index to label, shown in the row titles.
    n_top : int
        Images per class.
    upsampling : str
        Interpolation mode.
    against : collection of str
        Classes whose top filter is evidence against them (used under
        ``not``); their row title reads ``not f<k>``.

    Returns
    -------
    Path
        ``path``.
    """
    if not class_filters:
        raise DataError("no class has a filter to picture")
    names = names or {}
    rows = list(class_filters.items())
    fig = _figure(2.0 * n_top, 2.2 * len(rows))
    for r, (cls, k) in enumerate(rows):
        rec = records.get(k)
        if rec is None:
            raise DataError(f"filter {k} of class {cls!r} has no labelling record")
        label = names.get(k, f"f{k}")
        for c in range(n_top):
            ax = fig.add_subplot(len(rows), n_top, r * n_top + c + 1)
            ax.set_axis_off()
            if c < len(rec.top_images):
                i = rec.top_images[c]
                ax.imshow(overlay(images[i], maps[i, k], upsampling), interpolation="nearest")
            if c == 0:
                neg = "not " if cls in against else ""
                ax.set_title(f"{cls}: {neg}f{k} = {neg}{label}", fontsize=8, loc="left")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="png")
    logger.info("wrote %s", path)
    return path


@_plain_text
def plot_concept_scores(
    path: str | Path,
    record: FilterConcepts,
    label: str | None = None,
    *,
    margin: float | None = None,
) -> Path:
    """Save a bar chart of one filter's normalized concept scores.

    Kept concepts are drawn in a strong colour, the others pale; a dashed
    line marks ``best - margin`` when ``margin`` is given. A filter without
    mask overlap gets an empty chart that says so.
    """
    fig = _figure(4.0, 2.6)
    ax = fig.add_subplot(1, 1, 1)
    title = f"filter {record.filter}" + (f" = {label}" if label else "")
    ax.set_title(title, fontsize=9)
    if record.scores:
        concepts: Sequence[str] = list(record.scores)
        values = [record.scores[c] for c in concepts]
        colours = ["tab:blue" if c in record.concepts else "lightsteelblue" for c in concepts]
        ax.bar(range(len(concepts)), values, color=colours)
        ax.set_xticks(range(len(concepts)), concepts, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("normalized score", fontsize=8)
        if margin is not None:
            ax.axhline(max(values) - margin, color="grey", linestyle="--", linewidth=0.8)
    else:
        ax.text(0.5, 0.5, "no activation inside any concept mask", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="png")
    logger.info("wrote %s", path)
    return path
