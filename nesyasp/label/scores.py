"""Concept scores of CNN filters from segmentation masks (numpy only).

This is NeSyFOLD's semantic-labelling algorithm: for every filter that a rule
set uses, take the ``top_m`` images that activate it most (by the norm of its
feature map), upsample the feature map to the mask size, keep the activation
above the map's median, score each concept against it, aggregate over the top
images, normalize the ``max_concepts`` best to sum to one, and keep the
concepts within ``margin`` of the best. Two scores (``LabelConfig.score``):

``"iou"`` (the default)
    The soft intersection over union of the kept activation, scaled to
    ``[0, 1]`` by the map's maximum (a fuzzy set ``a``), and the mask ``m``:
    ``sum(min(a, m)) / sum(max(a, m))`` = mass inside the mask over (mask
    area + mass outside the mask). Intersections and unions are summed over
    the top images before dividing, as Network Dissection's IoU does. The
    union charges a concept for the part of its mask that the filter leaves
    dark, so a large background mask (wall, floor) no longer wins merely by
    covering much of every image.
``"lift"``
    The activation-mass share inside the mask over the mask's area share,
    both summed over the top images before dividing: how many times more
    activation the concept gets than an evenly firing filter would give it
    (1 = chance, whatever the concept's size).
``"mass"`` (NeSyFOLD exactly)
    The activation mass inside the mask over the total mass, summed over
    the top images. A filter that fires evenly gives every concept its area
    share, so the largest masks win unless the filter is very focused.

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

from nesyasp.errors import DataError
from nesyasp.label.overlap import NORMS, SCORES, concept_overlap, filter_norms, image_concept_scores
from nesyasp.label.resample import UPSAMPLING, upsample

__all__ = [
    "LabelConfig",
    "FilterConcepts",
    "MaskSource",
    "UPSAMPLING",
    "NORMS",
    "SCORES",
    "upsample",
    "filter_norms",
    "image_concept_scores",
    "concept_overlap",
    "select_concepts",
    "concept_presence",
    "check_concept_names",
    "label_filter",
    "label_filters",
]

logger = logging.getLogger(__name__)

#: Masks of the annotated set: an array ``(N, K, H, W)`` of booleans, or a
#: function from an image index to its ``(K, H, W)`` boolean stack.
MaskSource = Union[np.ndarray, Callable[[int], np.ndarray]]


@dataclass(frozen=True, slots=True)
class LabelConfig:
    """Parameters of semantic labelling, with NeSyFOLD's defaults except the score.

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
    score : str
        ``"iou"`` (default): soft intersection over union of activation and
        mask; ``"mass"``: NeSyFOLD's activation-mass share (use it to
        reproduce the paper). See the module docstring.
    enriched : bool
        Only a concept that is present in a larger share of the filter's top
        images than of all annotated images may name it (when at least one
        concept is); a concept in every image (wall, floor) says nothing
        about which images make the filter fire. True by default; False
        (with ``score="mass"``) reproduces NeSyFOLD.
    """

    top_m: int = 10
    margin: float = 0.05
    upsampling: str = "bicubic"
    max_concepts: int = 10
    norm: str = "spectral"
    ignore: tuple[str, ...] = ()
    score: str = "iou"
    enriched: bool = True

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
        if self.score not in SCORES:
            raise DataError(f"unknown score {self.score!r}; choose one of {', '.join(SCORES)}")
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
        Every concept's score before normalization: the aggregated IoU
        (``score="iou"``) or the activation-mass fractions summed over the top
        images (``score="mass"``).
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


# ------------------------------------------------------------ the aggregate


def select_concepts(raw: dict[str, float], config: LabelConfig,
                    exclude: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], dict[str, float]]:
    """Normalize the best concepts and keep those within the margin of the best.

    Returns the kept concepts (best first) and the normalized scores of the
    ``max_concepts`` best; both empty when no concept has a positive score.
    Concepts in ``config.ignore`` and in ``exclude`` are left out before ranking.
    Ties are broken by concept name so the result is deterministic.
    """
    ranked = sorted(((s, c) for c, s in raw.items() if s > 0 and c not in config.ignore and c not in exclude),
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


def check_concept_names(concept_names: Sequence[str], where: str = "the annotated set") -> None:
    """Refuse repeated concept names: scores are keyed by name, so a repeated one would lose a mask's score.

    Raises
    ------
    DataError
        Naming the repeated names and ``where`` they come from.
    """
    seen: set[str] = set()
    repeated = sorted({c for c in map(str, concept_names) if c in seen or seen.add(c)})
    if repeated:
        raise DataError(f"{where}: repeated concept names: {', '.join(repeated)} (each mask value needs a "
                        "concept name of its own)")


def _mask_getter(masks: MaskSource, n_images: int) -> Callable[[int], np.ndarray]:
    if callable(masks):
        return masks
    arr = np.asarray(masks)
    if arr.ndim != 4 or arr.shape[0] != n_images:
        raise DataError(f"masks must have shape (N={n_images}, K, H, W), got {arr.shape}")
    return lambda i: arr[i]


def concept_presence(masks: MaskSource, n_images: int, n_concepts: int) -> np.ndarray:
    """Share of the annotated images in which each concept's mask is not empty, ``(K,)``.

    An image with no concept at all counts as not annotated and is left out,
    so unannotated images do not make a concept of every annotated image (a
    wall) look rare; :func:`label_filter` counts its top images alike.
    """
    get = _mask_getter(masks, n_images)
    seen = np.zeros(n_concepts)
    annotated = 0
    for i in range(n_images):
        stack = np.asarray(get(i), dtype=bool)
        if stack.shape[0] != n_concepts:
            raise DataError(f"image {i} has {stack.shape[0]} concept masks, expected {n_concepts}")
        present = stack.reshape(stack.shape[0], -1).any(axis=1)
        seen += present
        annotated += bool(present.any())
    return seen / max(annotated, 1)


def _not_enriched(present_top: np.ndarray, presence: np.ndarray | None,
                  concept_names: Sequence[str]) -> frozenset[str]:
    """Concepts no more frequent in the top images than overall (none when no concept is)."""
    if presence is None:
        return frozenset()
    enriched = present_top > presence + 1e-12
    if not enriched.any():
        return frozenset()
    return frozenset(c for c, e in zip(concept_names, enriched) if not e)


def label_filter(
    k: int,
    maps: np.ndarray,
    norms: np.ndarray,
    masks: MaskSource,
    concept_names: Sequence[str],
    config: LabelConfig = LabelConfig(),
    presence: np.ndarray | None = None,
) -> FilterConcepts:
    """Label one filter ``k``; see :func:`label_filters` for the arguments.

    ``presence`` (:func:`concept_presence` over all annotated images) turns
    on the enrichment rule of ``LabelConfig.enriched``.
    """
    if not 0 <= k < maps.shape[1]:
        raise DataError(f"filter {k} is out of range: the layer has {maps.shape[1]} filters")
    get = _mask_getter(masks, maps.shape[0])
    order = np.argsort(-norms[:, k], kind="stable")[: config.top_m]
    total = np.zeros(len(concept_names))
    union = np.zeros(len(concept_names))
    present_top = np.zeros(len(concept_names))
    annotated_top = 0
    for i in order:
        stack = np.asarray(get(int(i)), dtype=bool)
        if stack.shape[0] != len(concept_names):
            raise DataError(f"image {i} has {stack.shape[0]} concept masks, expected {len(concept_names)}")
        present = stack.reshape(stack.shape[0], -1).any(axis=1)
        present_top += present
        annotated_top += bool(present.any())
        if config.score == "iou":
            inter, uni = concept_overlap(maps[i, k], stack, config.upsampling)
            total += inter
            union += uni
        elif config.score == "lift":
            total += image_concept_scores(maps[i, k], stack, config.upsampling, "mass")
            union += stack.reshape(stack.shape[0], -1).mean(axis=1)
        else:
            total += image_concept_scores(maps[i, k], stack, config.upsampling, "mass")
    if config.score != "mass":  # summed before dividing, as Network Dissection
        total = np.divide(total, union, out=np.zeros_like(total), where=union > 0)
    raw = {c: float(s) for c, s in zip(concept_names, total)}
    exclude = _not_enriched(present_top / max(annotated_top, 1), presence, concept_names)
    concepts, scores = select_concepts(raw, config, exclude)
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
    check_concept_names(concept_names)
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 4:
        raise DataError(f"feature maps must have shape (N, F, h, w), got {maps.shape}")
    if norms is None:
        norms = filter_norms(maps, config.norm)
    elif np.shape(norms) != maps.shape[:2]:
        raise DataError(f"norms must have shape {maps.shape[:2]}, got {np.shape(norms)}")
    presence = concept_presence(masks, maps.shape[0], len(concept_names)) if config.enriched else None
    return [label_filter(k, maps, np.asarray(norms), masks, concept_names, config, presence)
            for k in sorted(set(int(f) for f in filters))]
