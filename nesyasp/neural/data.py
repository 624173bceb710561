"""Image sets as tensors for training: one :class:`Split` per train/test part.

The embedded data sets come from :func:`nesyasp.data.load_dataset`; any object
with ``images`` (uint8 ``[N, H, W, 3]``), ``labels``, ``class_names`` and
``ids`` works (:func:`split_from_imageset`). Pixels are scaled to
``(x/255 - 0.5) / 0.25``, channels first.

Examples
--------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> s = SimpleNamespace(images=np.zeros((2, 8, 8, 3), np.uint8), labels=np.array([0, 1]),
...                     class_names=("a", "b"), ids=("img_0", "img_1"))
>>> split = split_from_imageset(s)
>>> tuple(split.x.shape), split.y.tolist(), split.ids
((2, 3, 8, 8), [0, 1], ('img_0', 'img_1'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from nesyasp.errors import DataError
from nesyasp.neural.config import TrainConfig

__all__ = ["Split", "split_from_imageset", "load_splits", "pretrain_class_names"]


@dataclass(frozen=True)
class Split:
    """Images as a float tensor ``x [N, 3, H, W]``, labels ``y [N]``, class names and image ids."""

    x: torch.Tensor
    y: torch.Tensor
    class_names: tuple[str, ...]
    ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.y)


def split_from_imageset(imageset: Any) -> Split:
    """Turn an image set (uint8 NHWC images, labels, class names, ids) into a :class:`Split`.

    Raises
    ------
    DataError
        When the images are not ``[N, H, W, 3]`` or do not match the labels.
    """
    images = np.asarray(imageset.images)
    labels = np.asarray(imageset.labels, dtype=np.int64)
    if images.ndim != 4 or images.shape[-1] != 3 or len(images) != len(labels):
        raise DataError(f"expected [N, H, W, 3] images with one label each, got {images.shape} "
                        f"and {labels.shape}")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
    raw_ids = getattr(imageset, "ids", None)
    if raw_ids is None or len(raw_ids) != len(labels):
        raw_ids = [f"img_{i:04d}" for i in range(len(labels))]
    ids = tuple(str(i) for i in raw_ids)
    return Split((x - 0.5) / 0.25, torch.from_numpy(labels), tuple(imageset.class_names), ids)


_CACHE: dict[tuple, tuple[Split, Split]] = {}
_CACHE_SIZE = 2


def load_splits(config: TrainConfig) -> tuple[Split, Split]:
    """Load ``(train, test)`` of ``config.data`` with :func:`nesyasp.data.load_dataset`.

    The last two generated data sets are kept in memory, so that training,
    extraction and evaluation in one process (``nesyasp experiment``, the
    Python API) render the images once. Image folders are always read again.

    Raises
    ------
    DataError
        When the data package is missing or the data set cannot be loaded.
    """
    try:
        import nesyasp.data as data_module
        from nesyasp.data import load_dataset
    except ImportError as exc:  # pragma: no cover - only while the data package is absent
        raise DataError(f"the data sets are not available ({exc})") from None
    classes = config.classes or None
    key = (config.data, classes, config.size, config.seed, config.per_class, config.test_per_class)
    if key in _CACHE:
        return _CACHE[key]
    common = dict(classes=classes, size=config.size, seed=config.seed)
    train = load_dataset(config.data, split="train", per_class=config.per_class, **common)
    test = load_dataset(config.data, split="test", per_class=config.test_per_class, **common)
    splits = split_from_imageset(train), split_from_imageset(test)
    if str(config.data).strip().lower() in getattr(data_module, "DATASETS", {}):
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = splits
    return splits


def pretrain_class_names(config: TrainConfig) -> tuple[str, ...]:
    """The last ``config.pretrain_classes`` classes of an embedded data set, disjoint from the task's.

    Raises
    ------
    DataError
        When ``config.data`` is not an embedded data set or the two class sets would overlap.
    """
    from nesyasp.data import DATASETS

    info = DATASETS.get(str(config.data).strip().lower())
    if info is None:
        raise DataError(f"pretraining needs an embedded data set (scenes, signs, digits), not {config.data!r}; "
                        "pass a backbone with --weights instead")
    task = config.classes or len(info.classes)
    if task + config.pretrain_classes > len(info.classes):
        raise DataError(f"{info.name} has {len(info.classes)} classes: {task} for the task and "
                        f"{config.pretrain_classes} for pretraining would overlap")
    return tuple(info.classes[-config.pretrain_classes:])
