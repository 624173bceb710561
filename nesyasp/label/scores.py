"""Concept scores of CNN filters from segmentation masks (numpy only).

This is NeSyFOLD's semantic-labelling algorithm: for every filter that a rule
set uses, take the ``top_m`` images that activate it most (by the norm of its
feature map), upsample the feature map to the mask size, keep the activation
above the map's median, and score each concept by the activation mass that
falls inside its mask over the total mass. Scores are summed over the top
images, the ``max_concepts`` best are normalized to sum to one, and the
concepts within ``margin`` of the best are kept.

Examples
--------
>>> import numpy as np
>>> maps = np.zeros((2, 1, 4, 4)); maps[0, 0, :2, :2] = 1.0
>>> masks = np.zeros((2, 2, 8, 8), bool); masks[:, 0, :4, :4] = True; masks[:, 1, 4:, 4:] = True
>>> [r.concepts for r in label_filters(maps, masks, ["lamp", "rug"], [0], top_m=1)]
[('lamp',)]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence, Union

import numpy as np

from nesyasp.lang.errors import DataError

__all__ = [
    "LabelConfig",
    "FilterConcepts",
    "MaskSource",
    "UPSAMPLING",
    "NORMS",
    "upsample",
    "filter_norms",
    "image_concept_scores",
    "select_concepts",
    "label_filter",
    "label_filters",
]

logger = logging.getLogger(__name__)

UPSAMPLING = ("bicubic", "bilinear", "nearest")
NORMS = ("spectral", "fro", "l1mean")

#: Masks of the annotated set: an array ``(N, K, H, W)`` of booleans, or a
#: function from an image index to its ``(K, H, W)`` boolean stack.
MaskSource = Union[np.ndarray, Callable[[int], np.ndarray]]


@dataclass(frozen=True, slots=True)
class LabelConfig:
    """Parameters of semantic labelling, with NeSyFOLD's defaults.

    Parameters
    ----------
    top_m : int
        Number of most-activating images per filter (NeSyFOLD: 10).
    margin : float
        Keep the concepts whose normalized score is at least the best
        score minus ``margin`` (NeSyFOLD: 0.05).
    upsampling : str
        Interpolation of the feature map to the mask size: ``"bicubic"``
        (NeSyFOLD, OpenCV's kernel with a=-0.75), ``"bilinear"`` or ``"nearest"``.
    max_concepts : int
        Number of best concepts normalized to sum to one (NeSyFOLD: 10).
    norm : str
        Activation norm used to rank images: ``"spectral"`` (largest singular
        value, NeSyFOLD), ``"fro"`` or ``"l1mean"``.
    ignore : tuple of str
        Concepts that may not name a filter (for example background such as
        ``("wall", "floor")``); their masks still take their share of the
        activation mass. Empty by default, as in NeSyFOLD.
    """

    top_m: int = 10
    margin: float = 0.05
    upsampling: str = "bicubic"
    max_concepts: int = 10
    norm: str = "spectral"
    ignore: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.top_m < 1:
            raise DataError(f"top_m must be at least 1, got {self.top_m}")
        if not 0.0 <= self.margin <= 1.0:
            raise DataError(f"margin must lie in [0, 1], got {self.margin}")
        if self.upsampling not in UPSAMPLING:
            raise DataError(f"unknown upsampling {self.upsampling!r}; choose one of {', '.join(UPSAMPLING)}")
        if self.max_concepts < 1:
            raise DataError(f"max_concepts must be at least 1, got {self.max_concepts}")
        if self.norm not in NORMS:
            raise DataError(f"unknown norm {self.norm!r}; choose one of {', '.join(NORMS)}")
        object.__setattr__(self, "ignore", tuple(str(c) for c in self.ignore))


@dataclass(frozen=True, slots=True)
class FilterConcepts:
    """What one filter responds to.

    Attributes
    ----------
    filter : int
        Filter index in the last convolutional layer.
    concepts : tuple of str
        Kept concepts, best first; empty when the filter's activation never
        falls inside any mask.
    scores : dict
        Normalized score of each of the ``max_concepts`` best concepts (sum 1),
        best first; empty when there is no mask overlap.
    raw_scores : dict
        Activation-mass fractions summed over the top images, for every concept.
    top_images : tuple of int
        Indices of the top images, most activating first.
    """

    filter: int
    concepts: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)
    raw_scores: dict[str, float] = field(default_factory=dict)
    top_images: tuple[int, ...] = ()

    @property
    def best(self) -> str | None:
        """The best concept, or ``None`` without mask overlap."""
        return self.concepts[0] if self.concepts else None


# ---------------------------------------------------------------- upsampling


def _cubic_weights(t: np.ndarray, a: float = -0.75) -> np.ndarray:
    """Keys' cubic kernel weights for offsets -1, 0, 1, 2 around ``floor(src)``."""
    d = np.stack([t + 1, t, 1 - t, 2 - t], axis=-1)
    w = np.where(d <= 1, ((a + 2) * d - (a + 3)) * d * d + 1, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a)
    return np.where(d < 2, w, 0.0)


def _interp_matrix(n_in: int, n_out: int, mode: str) -> np.ndarray:
    """Matrix ``(n_out, n_in)`` that resamples a 1-D signal (half-pixel centres)."""
    scale = n_in / n_out
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    mat = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode == "nearest":
        idx = np.clip(np.floor(np.arange(n_out) * scale).astype(int), 0, n_in - 1)
        mat[rows, idx] = 1.0
        return mat
    if mode == "bilinear":
        src = np.clip(src, 0, None)
        lo = np.floor(src).astype(int)
        t = src - lo
        np.add.at(mat, (rows, np.clip(lo, 0, n_in - 1)), 1 - t)
        np.add.at(mat, (rows, np.clip(lo + 1, 0, n_in - 1)), t)
        return mat
    lo = np.floor(src).astype(int)
    weights = _cubic_weights(src - lo)
    for j, off in enumerate((-1, 0, 1, 2)):
        np.add.at(mat, (rows, np.clip(lo + off, 0, n_in - 1)), weights[:, j])
    return mat


def upsample(fmap: np.ndarray, size: tuple[int, int], mode: str = "bicubic") -> np.ndarray:
    """Resample feature maps ``(..., h, w)`` to ``(..., H, W)``.

    Parameters
    ----------
    fmap : ndarray
        Maps with the two spatial axes last.
    size : tuple of int
        Target ``(H, W)``.
    mode : str
        ``"bicubic"`` (a=-0.75, as OpenCV and torch), ``"bilinear"`` (as torch
        with ``align_corners=False``) or ``"nearest"``.

    Examples
    --------
    >>> upsample(np.array([[0.0, 1.0]]), (1, 4), "bilinear").round(2).tolist()
    [[0.0, 0.25, 0.75, 1.0]]
    """
    if mode not in UPSAMPLING:
        raise DataError(f"unknown upsampling {mode!r}; choose one of {', '.join(UPSAMPLING)}")
    fmap = np.asarray(fmap, dtype=np.float64)
    rows = _interp_matrix(fmap.shape[-2], size[0], mode)
    cols = _interp_matrix(fmap.shape[-1], size[1], mode)
    return rows @ fmap @ cols.T


# --------------------------------------------------------------- the scores


def filter_norms(maps: np.ndarray, norm: str = "spectral") -> np.ndarray:
    """Per-image, per-filter activation norms ``(N, F)`` of maps ``(N, F, h, w)``.

    ``"spectral"`` is the matrix 2-norm (largest singular value) that
    NeSyFOLD uses; ``"fro"`` the Frobenius norm; ``"l1mean"`` the mean
    absolute activation.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 4:
        raise DataError(f"feature maps must have shape (N, F, h, w), got {maps.shape}")
    if norm == "spectral":
        return np.linalg.norm(maps, ord=2, axis=(-2, -1))
    if norm == "fro":
        return np.sqrt((maps**2).sum(axis=(-2, -1)))
    if norm == "l1mean":
        return np.abs(maps).mean(axis=(-2, -1))
    raise DataError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)}")


def image_concept_scores(fmap: np.ndarray, masks: np.ndarray, upsampling: str = "bicubic") -> np.ndarray:
    """Share of one map's above-median activation mass inside each concept mask.

    Parameters
    ----------
    fmap : ndarray
        One filter's feature map ``(h, w)``.
    masks : ndarray
        Boolean concept masks ``(K, H, W)`` of the same image.
    upsampling : str
        Interpolation mode, see :func:`upsample`.

    Returns
    -------
    ndarray
        ``(K,)`` scores in ``[0, 1]``; all zero when the map has no mass.
    """
    masks = np.asarray(masks, dtype=bool)
    big = upsample(fmap, masks.shape[-2:], upsampling)
    tau = np.median(big)
    big = np.where(big >= tau, np.maximum(big, 0.0), 0.0)  # overshoot below 0 carries no mass
    total = big.sum()
    if total <= 0:
        return np.zeros(masks.shape[0])
    return masks.reshape(masks.shape[0], -1).astype(np.float64) @ big.ravel() / total


def select_concepts(raw: dict[str, float], config: LabelConfig) -> tuple[tuple[str, ...], dict[str, float]]:
    """Normalize the best concepts and keep those within the margin of the best.

    Returns the kept concepts (best first) and the normalized scores of the
    ``max_concepts`` best; both empty when no concept has a positive score.
    Concepts in ``config.ignore`` are left out before ranking.
    Ties are broken by concept name so the result is deterministic.
    """
    ranked = sorted(((s, c) for c, s in raw.items() if s > 0 and c not in config.ignore),
                    key=lambda sc: (-sc[0], sc[1]))
    ranked = ranked[: config.max_concepts]
    total = sum(s for s, _ in ranked)
    if not ranked or total <= 0:
        return (), {}
    norm = {c: s / total for s, c in ranked}
    best = ranked[0][0] / total
    kept = []
    for s, c in ranked:
        if s / total < best - config.margin - 1e-12:
            break
        kept.append(c)
    return tuple(kept), norm


def _mask_getter(masks: MaskSource, n_images: int) -> Callable[[int], np.ndarray]:
    if callable(masks):
        return masks
    arr = np.asarray(masks)
    if arr.ndim != 4 or arr.shape[0] != n_images:
        raise DataError(f"masks must have shape (N={n_images}, K, H, W), got {arr.shape}")
    return lambda i: arr[i]


def label_filter(
    k: int,
    maps: np.ndarray,
    norms: np.ndarray,
    masks: MaskSource,
    concept_names: Sequence[str],
    config: LabelConfig = LabelConfig(),
) -> FilterConcepts:
    """Label one filter ``k``; see :func:`label_filters` for the arguments."""
    if not 0 <= k < maps.shape[1]:
        raise DataError(f"filter {k} is out of range: the layer has {maps.shape[1]} filters")
    get = _mask_getter(masks, maps.shape[0])
    order = np.argsort(-norms[:, k], kind="stable")[: config.top_m]
    total = np.zeros(len(concept_names))
    for i in order:
        stack = get(int(i))
        if stack.shape[0] != len(concept_names):
            raise DataError(f"image {i} has {stack.shape[0]} concept masks, expected {len(concept_names)}")
        total += image_concept_scores(maps[i, k], stack, config.upsampling)
    raw = {c: float(s) for c, s in zip(concept_names, total)}
    concepts, scores = select_concepts(raw, config)
    if not concepts:
        logger.info("filter %d: no activation inside any concept mask", k)
    return FilterConcepts(k, concepts, scores, raw, tuple(int(i) for i in order))


def label_filters(
    maps: np.ndarray,
    masks: MaskSource,
    concept_names: Sequence[str],
    filters: Iterable[int],
    *,
    norms: np.ndarray | None = None,
    config: LabelConfig | None = None,
    **overrides: object,
) -> list[FilterConcepts]:
    """Find the concepts each filter responds to.

    Parameters
    ----------
    maps : ndarray
        Feature maps of the last convolutional layer, ``(N, F, h, w)``, on a
        mask-annotated image set.
    masks : ndarray or callable
        Concept masks ``(N, K, H, W)`` (bool), or a function ``i -> (K, H, W)``.
    concept_names : sequence of str
        The K concept names, in mask order.
    filters : iterable of int
        The filters to label (those used by the rule set).
    norms : ndarray, optional
        Precomputed ``(N, F)`` activation norms used to rank images;
        computed from ``maps`` with ``config.norm`` when omitted.
    config : LabelConfig, optional
        Parameters; keyword ``overrides`` (``top_m=5``, ...) replace fields.

    Returns
    -------
    list of FilterConcepts
        One record per filter, in ascending filter order.
    """
    from dataclasses import replace

    config = replace(config or LabelConfig(), **overrides)  # type: ignore[arg-type]
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 4:
        raise DataError(f"feature maps must have shape (N, F, h, w), got {maps.shape}")
    if norms is None:
        norms = filter_norms(maps, config.norm)
    elif np.shape(norms) != maps.shape[:2]:
        raise DataError(f"norms must have shape {maps.shape[:2]}, got {np.shape(norms)}")
    return [label_filter(k, maps, np.asarray(norms), masks, concept_names, config)
            for k in sorted(set(int(f) for f in filters))]
