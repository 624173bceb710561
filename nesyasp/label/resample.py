"""Resampling of feature maps to the mask size (numpy only), as torch's ``interpolate``.

Bicubic uses Keys' kernel with a=-0.75 (OpenCV's and torch's, NeSyFOLD's
choice); bilinear uses half-pixel centres (``align_corners=False``).
"""

from __future__ import annotations

import numpy as np

from nesyasp.errors import DataError

__all__ = ["UPSAMPLING", "upsample"]

UPSAMPLING = ("bicubic", "bilinear", "nearest")


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
