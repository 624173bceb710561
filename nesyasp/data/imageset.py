"""The :class:`ImageSet` record every loader of :mod:`nesyasp.data` returns.

Images are uint8 ``(N, H, W, 3)``; labels int64 ``(N,)``; masks uint16
``(N, L, H, W)`` with ``L`` mask *layers* (objects may overlap their parts, so
every layer holds one value per pixel: 0 = no concept, ``k`` =
``concept_names[k - 1]``). For the generated scenes layer 0 holds objects and
layer 1 their parts.

Examples
--------
>>> import numpy as np
>>> masks = np.zeros((1, 2, 4, 4), np.uint16); masks[0, 0, :2] = 1; masks[0, 1, 0, 0] = 2
>>> s = ImageSet(np.zeros((1, 4, 4, 3), np.uint8), np.array([0]), ("room",), ("train_0000",),
...              ("bed", "pillow"), masks)
>>> int(s.mask_of(0, "bed").sum()), s.mask_stack(0).shape
(8, (2, 4, 4))
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from nesyasp.errors import DataError

__all__ = ["ImageSet"]


@dataclass(frozen=True, eq=False)
class ImageSet:
    """Images with labels, ids and per-pixel concept masks.

    Attributes
    ----------
    images : ndarray
        uint8 ``(N, H, W, 3)``.
    labels : ndarray
        int64 ``(N,)``, indices into ``class_names``.
    class_names : tuple of str
        Class names in label order.
    ids : tuple of str
        One id per image, unique within the set (generated sets: ``"<split>_<i:04d>"``).
    concept_names : tuple of str
        Concept names; mask value ``k`` means ``concept_names[k - 1]``.
    masks : ndarray
        uint16 ``(N, L, H, W)``; ``L`` is 0 for sets without masks.
    class_concepts : mapping
        Class name -> concept names the generator draws for that class (its
        own objects; shared objects and distractors are not listed).
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    ids: tuple[str, ...]
    concept_names: tuple[str, ...] = ()
    masks: np.ndarray | None = None
    class_concepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        images = np.asarray(self.images)
        labels = np.asarray(self.labels, dtype=np.int64)
        n = len(labels)
        if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8 or len(images) != n:
            raise DataError(f"images must be uint8 (N, H, W, 3) with N={n}, got {images.dtype} {images.shape}")
        masks = self.masks
        if masks is None:
            masks = np.zeros((n, 0) + images.shape[1:3], np.uint16)
        masks = np.asarray(masks)
        if masks.ndim != 4 or masks.shape[0] != n or masks.shape[2:] != images.shape[1:3]:
            raise DataError(f"masks must be (N, L, H, W) = ({n}, L, {images.shape[1]}, {images.shape[2]}), "
                            f"got {masks.shape}")
        if len(self.ids) != n or len(set(self.ids)) != n:
            raise DataError("ids must be unique, one per image")
        if n and (labels.min() < 0 or labels.max() >= len(self.class_names)):
            raise DataError("labels must index class_names")
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "masks", masks.astype(np.uint16, copy=False))
        object.__setattr__(self, "class_names", tuple(self.class_names))
        object.__setattr__(self, "ids", tuple(str(i) for i in self.ids))
        object.__setattr__(self, "concept_names", tuple(self.concept_names))
        object.__setattr__(self, "class_concepts", {k: tuple(v) for k, v in dict(self.class_concepts).items()})

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        h, w = self.images.shape[1:3]
        return (f"ImageSet({len(self)} images {h}x{w}, {len(self.class_names)} classes, "
                f"{len(self.concept_names)} concepts, {self.masks.shape[1]} mask layers)")

    @property
    def size(self) -> tuple[int, int]:
        """Image height and width."""
        return int(self.images.shape[1]), int(self.images.shape[2])

    def concept_index(self, concept: str) -> int:
        """Mask value of ``concept`` (1-based).

        Raises
        ------
        DataError
            For a name that is not a concept of this set.
        """
        try:
            return self.concept_names.index(concept) + 1
        except ValueError:
            raise DataError(f"unknown concept {concept!r}; this set has {len(self.concept_names)} "
                            f"concepts: {', '.join(self.concept_names[:12])}...") from None

    def mask_of(self, i: int, concept: str) -> np.ndarray:
        """Boolean ``(H, W)`` mask of ``concept`` in image ``i`` (union over layers)."""
        return np.any(self.masks[i] == self.concept_index(concept), axis=0)

    def mask_stack(self, i: int) -> np.ndarray:
        """Boolean ``(K, H, W)`` masks of image ``i``, one per concept in ``concept_names`` order.

        This is the shape :func:`nesyasp.label.scores.label_filters` takes for one image.
        """
        k = len(self.concept_names)
        out = np.zeros((k + 1,) + self.size, bool)
        rows, cols = np.indices(self.size)
        for layer in self.masks[i]:
            out[layer.astype(np.intp), rows, cols] = True
        return out[1:]

    def present(self, i: int) -> tuple[str, ...]:
        """Names of the concepts visible in image ``i``."""
        values = np.unique(self.masks[i])
        return tuple(self.concept_names[v - 1] for v in values if v)

    def save(self, path: str | Path) -> Path:
        """Write the set to one compressed ``.npz`` file (written to a temporary name, then renamed)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        cc = json.dumps({k: list(v) for k, v in self.class_concepts.items()})
        np.savez_compressed(tmp, images=self.images, labels=self.labels, masks=self.masks,
                            class_names=np.array(self.class_names, dtype=str), ids=np.array(self.ids, dtype=str),
                            concept_names=np.array(self.concept_names, dtype=str), class_concepts=np.array(cc))
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "ImageSet":
        """Read a set written by :meth:`save`.

        Raises
        ------
        DataError
            When the file is missing or not such a set.
        """
        try:
            with np.load(Path(path), allow_pickle=False) as z:
                return cls(z["images"], z["labels"], tuple(z["class_names"].tolist()), tuple(z["ids"].tolist()),
                           tuple(z["concept_names"].tolist()), z["masks"],
                           json.loads(str(z["class_concepts"])))
        except (OSError, KeyError, ValueError) as exc:
            raise DataError(f"{path}: not a saved image set ({exc})") from None

    def subset(self, indices: Sequence[int] | np.ndarray) -> "ImageSet":
        """A new set with the images at ``indices`` (in that order); names are kept."""
        idx = np.asarray(indices)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.intp)
        return ImageSet(self.images[idx], self.labels[idx], self.class_names,
                        tuple(self.ids[j] for j in idx), self.concept_names, self.masks[idx],
                        self.class_concepts)
