"""Image sets as tensors for training: one :class:`Split` per train/test part.

The embedded data sets come from :func:`nesyasp.data.load_dataset`; any object
with ``images`` (uint8 ``[N, H, W, 3]``), ``labels``, ``class_names`` and
``ids`` works (:func:`split_from_imageset`). Pixels are scaled to
``(x/255 - 0.5) / 0.25``, channels first; with ``pixels=True`` (what
:func:`load_splits` gives) ``x`` keeps the uint8 pixels, a quarter of the
memory, and :class:`~nesyasp.neural.models.FeatureModel` scales each batch
on its device to the very same floats.

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

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nesyasp._paths import real_path
from nesyasp.errors import DataError
from nesyasp.neural.config import TrainConfig

__all__ = ["Split", "split_from_imageset", "load_splits", "pretrain_class_names"]

#: Part of the key of :func:`load_splits`' files: raise it whenever generated images change.
GENERATOR_KEY = 1


@dataclass(frozen=True)
class Split:
    """Images ``x [N, 3, H, W]`` (scaled floats, or uint8 pixels), labels ``y [N]``, class names and image ids."""

    x: torch.Tensor
    y: torch.Tensor
    class_names: tuple[str, ...]
    ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.y)


def split_from_imageset(imageset: Any, pixels: bool = False) -> Split:
    """Turn an image set (uint8 NHWC images, labels, class names, ids) into a :class:`Split`.

    ``pixels=True`` keeps ``x`` as uint8 pixels (channels first) instead of scaled floats.

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
    raw_ids = getattr(imageset, "ids", None)
    if raw_ids is None or len(raw_ids) != len(labels):
        raw_ids = [f"img_{i:04d}" for i in range(len(labels))]
    ids = tuple(str(i) for i in raw_ids)
    if pixels:
        x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.uint8)).permute(0, 3, 1, 2).contiguous()
        return Split(x, torch.from_numpy(labels), tuple(imageset.class_names), ids)
    x = torch.from_numpy(images.astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
    return Split((x - 0.5) / 0.25, torch.from_numpy(labels), tuple(imageset.class_names), ids)


_CACHE: dict[tuple, tuple[Split, Split]] = {}
_CACHE_SIZE = 2


def _folder_signature(path: Path) -> tuple[int, int, int]:
    """Files, total bytes and newest modification time under ``path`` (a changed folder is read again)."""
    n = size = newest = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:  # a dangling symlink or a loop: no image, but its change still counts
                try:
                    st = os.lstat(full)
                except OSError:  # a folder that can be listed but not entered: reading it says so
                    n += 1
                    continue
            n, size, newest = n + 1, size + st.st_size, max(newest, st.st_mtime_ns)
    return n, size, newest


def _data_key(config: TrainConfig) -> tuple:
    import nesyasp.data as data_module

    name = str(config.data).strip().lower()
    source: Any = name if name in getattr(data_module, "DATASETS", {}) else None
    if source is None:
        path = real_path(config.data)
        source = (str(path), _folder_signature(path)) if path.is_dir() else str(config.data)
    return source, config.classes or None, config.size, config.seed, config.per_class, config.test_per_class


def _npz_path(cache_dir: Path, key: tuple) -> Path:
    digest = hashlib.sha256(json.dumps([GENERATOR_KEY, *map(str, key)]).encode()).hexdigest()[:16]
    return cache_dir / f"{Path(str(key[0])).name if isinstance(key[0], str) else 'folder'}-{digest}.npz"


def _read_npz(path: Path) -> tuple[Split, Split] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            return tuple(Split(torch.from_numpy(z[f"{p}_x"]), torch.from_numpy(z[f"{p}_y"]),
                               tuple(z["class_names"].tolist()), tuple(z[f"{p}_ids"].tolist()))
                         for p in ("train", "test"))  # type: ignore[return-value]
    except (OSError, KeyError, ValueError):
        return None


def _write_npz(path: Path, splits: tuple[Split, Split]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"class_names": np.array(splits[0].class_names, dtype=str)}
    for prefix, split in zip(("train", "test"), splits):
        arrays |= {f"{prefix}_x": split.x.numpy(), f"{prefix}_y": split.y.numpy(),
                   f"{prefix}_ids": np.array(split.ids, dtype=str)}
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_splits(config: TrainConfig, cache_dir: str | Path | None = None) -> tuple[Split, Split]:
    """Load ``(train, test)`` of ``config.data`` with :func:`nesyasp.data.load_dataset` (``x`` as uint8 pixels).

    The last two data sets are kept in memory, so that training, extraction
    and evaluation in one process (``nesyasp experiment``, the Python API)
    render or read the images once; a changed image folder (files, sizes,
    times) is read again. With ``cache_dir`` the splits are also kept there
    as one uncompressed ``.npz`` per data set and read back by other
    processes (``nesyasp experiment --jobs`` shares one rendering between its
    cells); nothing is written without it.

    Raises
    ------
    DataError
        When the data package is missing or the data set cannot be loaded.
    """
    try:
        from nesyasp.data import load_dataset
    except ImportError as exc:  # pragma: no cover - only while the data package is absent
        raise DataError(f"the data sets are not available ({exc})") from None
    key = _data_key(config)
    if key in _CACHE:
        return _CACHE[key]
    npz = _npz_path(Path(cache_dir).expanduser(), key) if cache_dir is not None else None
    splits = _read_npz(npz) if npz is not None and npz.is_file() else None
    if splits is None:
        common = dict(classes=config.classes or None, size=config.size, seed=config.seed)
        train = load_dataset(config.data, split="train", per_class=config.per_class, **common)
        test = load_dataset(config.data, split="test", per_class=config.test_per_class, **common)
        splits = split_from_imageset(train, pixels=True), split_from_imageset(test, pixels=True)
        if npz is not None:
            _write_npz(npz, splits)
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
    pretrain = tuple(info.classes[-config.pretrain_classes:])
    if isinstance(config.classes, tuple):
        shared = [c for c in config.classes if c in pretrain]
        if shared:
            raise DataError(f"the task's class {shared[0]!r} is among the last {config.pretrain_classes} classes of "
                            f"{info.name}, which pretraining takes ({', '.join(pretrain)}); use --pretrain generic")
        return pretrain
    task = config.classes or len(info.classes)
    if task + config.pretrain_classes > len(info.classes):
        raise DataError(f"{info.name} has {len(info.classes)} classes: {task} for the task and "
                        f"{config.pretrain_classes} for pretraining would overlap")
    return pretrain
