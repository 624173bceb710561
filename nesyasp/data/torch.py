"""A torch ``Dataset`` over an :class:`~nesyasp.data.ImageSet` (torch-only module).

Items are ``(image, label, masks)``: a float tensor ``(3, H, W)`` in [0, 1], the
label as an int, and the masks as an int64 tensor ``(L, H, W)`` of mask layers
(or, with ``mask_stack=True``, a bool tensor ``(K, H, W)``, one per concept).
:meth:`TorchImageSet.load` makes the set by name and keeps it in an on-disk
cache only when a cache folder is passed.

Examples
--------
>>> from nesyasp.data import load_dataset
>>> ds = TorchImageSet(load_dataset("scenes", classes=2, per_class=2, size=16))
>>> x, y, m = ds[0]
>>> tuple(x.shape), y, tuple(m.shape)
((3, 16, 16), 0, (2, 16, 16))
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from nesyasp.data.datasets import load_dataset
from nesyasp.data.imageset import ImageSet

__all__ = ["TorchImageSet", "GENERATOR_VERSION"]

logger = logging.getLogger(__name__)

#: Part of every cache key: raise it whenever generated images change.
GENERATOR_VERSION = 1


class TorchImageSet(Dataset):
    """``(image, label, masks)`` items of an image set.

    Parameters
    ----------
    imageset : ImageSet
        The images, labels and masks.
    mask_stack : bool
        Yield one boolean mask per concept ``(K, H, W)`` instead of the mask layers ``(L, H, W)``.
    """

    def __init__(self, imageset: ImageSet, mask_stack: bool = False) -> None:
        self.imageset = imageset
        self.mask_stack = mask_stack
        self._images = torch.from_numpy(np.ascontiguousarray(imageset.images))

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.imageset.class_names

    def __len__(self) -> int:
        return len(self.imageset)

    def __getitem__(self, i: int):
        x = self._images[i].permute(2, 0, 1).float().div_(255.0)
        if self.mask_stack:
            masks = torch.from_numpy(self.imageset.mask_stack(i))
        else:
            masks = torch.from_numpy(self.imageset.masks[i].astype(np.int64))
        return x, int(self.imageset.labels[i]), masks

    @classmethod
    def load(cls, name: str, split: str = "train", classes=None, per_class: int = 100, size: int = 64,
             seed: int = 0, cache_dir: str | Path | None = None, mask_stack: bool = False) -> "TorchImageSet":
        """Load a data set by name (see :func:`nesyasp.data.load_dataset`), through a cache when asked.

        With ``cache_dir`` the set is read from ``<cache_dir>/<key>.npz`` when it is
        there and written there otherwise; the key hashes the generator version and
        every argument; a leading ``~`` is the home folder. Without it nothing is written.
        """
        if cache_dir is None:
            return cls(load_dataset(name, split, classes, per_class, size, seed), mask_stack)
        key = json.dumps([GENERATOR_VERSION, str(name), split, classes if not isinstance(classes, tuple)
                          else list(classes), per_class, size, seed], sort_keys=True)
        path = Path(cache_dir).expanduser() / f"{Path(str(name)).name}-{split}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
        if path.is_file():
            logger.info("reading cached %s", path)
            return cls(ImageSet.load(path), mask_stack)
        imageset = load_dataset(name, split, classes, per_class, size, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        imageset.save(path)
        logger.info("cached %s", path)
        return cls(imageset, mask_stack)
