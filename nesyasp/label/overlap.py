"""One filter's activation against one image's concept masks: norms, overlap, per-image scores.

The building blocks of :mod:`nesyasp.label.scores` (numpy only): the activation
norms that rank images for a filter, and how one feature map, upsampled to the
mask size and kept above its median, meets each concept mask, as a soft
intersection and union (``"iou"``) or as the share of activation mass inside
the mask (``"mass"``).

Examples
--------
>>> maps = np.zeros((1, 2, 2, 2)); maps[0, 1] = [[3.0, 0.0], [0.0, 4.0]]
>>> filter_norms(maps, "fro").tolist()
[[0.0, 5.0]]
"""

from __future__ import annotations

import numpy as np

from nesyasp.errors import DataError
from nesyasp.label.resample import upsample

__all__ = ["NORMS", "SCORES", "filter_norms", "concept_overlap", "image_concept_scores"]

NORMS = ("spectral", "fro", "l1mean")
SCORES = ("iou", "lift", "mass")


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


def _kept_activation(fmap: np.ndarray, size: tuple[int, int], upsampling: str) -> np.ndarray:
    """The upsampled map with the activation below its median (and below 0) set to 0."""
    big = upsample(fmap, size, upsampling)
    tau = np.median(big)
    return np.where(big >= tau, np.maximum(big, 0.0), 0.0)  # overshoot below 0 carries no mass


def concept_overlap(fmap: np.ndarray, masks: np.ndarray, upsampling: str = "bicubic") -> tuple[np.ndarray, np.ndarray]:
    """Soft intersection and union of one map's kept activation with each concept mask.

    The activation above the median, divided by its maximum, is a fuzzy set
    ``a`` in ``[0, 1]``; with the mask ``m`` the intersection is
    ``sum(min(a, m))`` (the mass inside the mask) and the union
    ``sum(max(a, m))`` (the mask's area plus the mass outside it).

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
    tuple of ndarray
        ``(intersection, union)``, each ``(K,)`` in pixels; a map without
        mass has intersection 0 and union the mask areas.

    Examples
    --------
    >>> fmap = np.array([[2.0, 1.0], [0.0, 0.0]])
    >>> masks = np.zeros((2, 2, 2), bool); masks[0, 0, 0] = True; masks[1, 1] = True
    >>> [x.tolist() for x in concept_overlap(fmap, masks, "nearest")]
    [[1.0, 0.0], [1.5, 3.5]]
    """
    masks = np.asarray(masks, dtype=bool)
    flat = masks.reshape(masks.shape[0], -1).astype(np.float64)
    area = flat.sum(axis=1)
    big = _kept_activation(fmap, masks.shape[-2:], upsampling)
    top = big.max()
    if top <= 0:
        return np.zeros(masks.shape[0]), area
    a = big.ravel() / top
    inter = flat @ a
    return inter, area + (a.sum() - inter)


def image_concept_scores(fmap: np.ndarray, masks: np.ndarray, upsampling: str = "bicubic",
                         score: str = "mass") -> np.ndarray:
    """One map's score for each concept mask.

    Parameters
    ----------
    fmap : ndarray
        One filter's feature map ``(h, w)``.
    masks : ndarray
        Boolean concept masks ``(K, H, W)`` of the same image.
    upsampling : str
        Interpolation mode, see :func:`upsample`.
    score : str
        ``"mass"``: share of the above-median activation mass inside each
        mask (NeSyFOLD); ``"iou"``: soft intersection over union
        (:func:`concept_overlap`).

    Returns
    -------
    ndarray
        ``(K,)`` scores in ``[0, 1]``; all zero when the map has no mass.
    """
    masks = np.asarray(masks, dtype=bool)
    if score == "iou":
        inter, union = concept_overlap(fmap, masks, upsampling)
        return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    if score != "mass":
        raise DataError(f"unknown score {score!r}; choose one of {', '.join(SCORES)}")
    big = _kept_activation(fmap, masks.shape[-2:], upsampling)
    total = big.sum()
    if total <= 0:
        return np.zeros(masks.shape[0])
    return masks.reshape(masks.shape[0], -1).astype(np.float64) @ big.ravel() / total
