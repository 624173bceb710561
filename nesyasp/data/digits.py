"""scikit-learn's bundled 8x8 digits (1,797 images, no download), upsampled to RGB.

The split is fixed: within each digit, a fixed permutation puts the first 70 %
(about 125 images) in ``train`` and the rest (about 54) in ``test``. ``seed``
only chooses which images are taken when ``per_class`` is smaller than what a
split holds; with a larger ``per_class`` every available image is returned
(fewer than asked, logged at INFO).

Concepts are the digit identities ``zero`` ... ``nine``: mask layer 0 marks the
stroke pixels (upsampled intensity above 30 %) with the digit's concept.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
from PIL import Image

__all__ = ["DIGIT_NAMES", "digit_pool", "digit_images", "select"]

logger = logging.getLogger(__name__)

DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TRAIN_SHARE = 0.7


@functools.lru_cache(maxsize=1)
def _raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images.astype(np.float32) / 16.0, d.target.astype(np.int64)


def digit_pool(digit: int, split: str) -> np.ndarray:
    """Indices into the digits table of one digit's ``train`` or ``test`` part (fixed order)."""
    _, target = _raw()
    idx = np.flatnonzero(target == digit)
    idx = idx[np.random.default_rng([7, digit]).permutation(len(idx))]
    cut = int(round(_TRAIN_SHARE * len(idx)))
    return idx[:cut] if split == "train" else idx[cut:]


def digit_images(indices: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Upsampled images ``(n, size, size, 3)`` uint8 and concept masks ``(n, 1, size, size)`` uint16."""
    images, target = _raw()
    n = len(indices)
    out = np.empty((n, size, size, 3), np.uint8)
    masks = np.zeros((n, 1, size, size), np.uint16)
    for k, i in enumerate(np.asarray(indices, dtype=np.intp)):
        small = Image.fromarray(images[i], mode="F")
        big = np.asarray(small.resize((size, size), Image.BICUBIC), dtype=np.float32)
        big = np.clip(big, 0.0, 1.0)
        out[k] = (big * 255.0 + 0.5).astype(np.uint8)[..., None]
        masks[k, 0][big > 0.3] = target[i] + 1
    return out, masks


def select(pool: np.ndarray, n: int, rng: np.random.Generator, what: str) -> np.ndarray:
    """``n`` items of ``pool`` in a seeded order; all of them (logged) when fewer are available."""
    if n >= len(pool):
        if n > len(pool):
            logger.info("%s: %d images available, %d asked; returning all", what, len(pool), n)
        return pool
    return pool[np.sort(rng.permutation(len(pool))[:n])]
