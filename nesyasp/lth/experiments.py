"""The embedded LTH experiments as :class:`~nesyasp.lth.results.ExperimentData`.

* ``digits-parity``: scikit-learn's bundled digits, even vs odd, with the ten
  digit identities (``zero`` ... ``nine``) as concepts; a digit's concept is
  relevant to its parity class.
* ``scenes``: the generated scenes (first three classes by default) with the
  object concepts the generator draws for them, plus three concepts of none
  of them as controls.

Images come from :mod:`nesyasp.data` (generated or bundled, never downloaded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig
from nesyasp.lth.results import ExperimentData

__all__ = ["load_experiment_data", "to_tensor", "used_concepts"]

_DOMAIN = {"digits-parity": "digits", "scenes": "scenes"}


def to_tensor(images: Any) -> Tensor:
    """uint8 images ``(N, H, W, 3)`` (or an object with ``.images``) -> float ``(N, 3, H, W)`` in [0, 1]."""
    arr = np.asarray(getattr(images, "images", images))
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3):
        raise DataError(f"expected images shaped (N, H, W, C), got {arr.shape}")
    scale = 255.0 if arr.dtype == np.uint8 else 1.0
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(0, 3, 1, 2).float() / scale


def load_experiment_data(config: LTHConfig) -> ExperimentData:
    """Load train/test images, concept sets and random sets for ``config.data``."""
    try:
        from nesyasp.data import concept_images, load_dataset, random_images
    except ImportError as exc:  # pragma: no cover - the data package is part of nesyasp
        raise DataError(f"the embedded data sets are not available: {exc}") from None
    if config.data not in _DOMAIN:
        raise DataError(f"unknown LTH data set {config.data!r}; choose one of {sorted(_DOMAIN)}")
    size, seed, tc = config.image_size, config.seed, config.tcav
    kw = {"classes": config.class_count, "per_class": config.images_per_class, "size": size, "seed": seed}
    train = load_dataset(config.data, split="train", **kw)
    test = load_dataset(config.data, split="test", **kw)
    relevant = {cls: tuple(cs) for cls, cs in dict(getattr(train, "class_concepts", {}) or {}).items()}
    names = used_concepts(tuple(train.concept_names), relevant)
    concepts = {c: to_tensor(concept_images(config.data, c, n=tc.n_concept, size=size, seed=seed)) for c in names}
    randoms = tuple(to_tensor(random_images(config.data, n=tc.n_concept, size=size, seed=seed, index=k))
                    for k in range(tc.n_random_sets))
    return ExperimentData(
        train_images=to_tensor(train), train_labels=torch.as_tensor(np.asarray(train.labels), dtype=torch.long),
        test_images=to_tensor(test), test_labels=torch.as_tensor(np.asarray(test.labels), dtype=torch.long),
        class_names=tuple(train.class_names), concepts=concepts, random_sets=randoms, relevant=relevant)


def used_concepts(names: Sequence[str], relevant: Mapping[str, Sequence[str]], extra: int = 3,
                  limit: int = 12) -> tuple[str, ...]:
    """The concepts scored each round.

    All of them when there are at most ``limit``; otherwise those relevant to
    the chosen classes plus the first ``extra`` others (controls that no class
    should rely on), in the data set's order.

    >>> used_concepts(("wall", "bed", "sink", "sofa"), {"bedroom": ("bed",)}, extra=1, limit=2)
    ('wall', 'bed')
    """
    if len(names) <= limit:
        return tuple(names)
    wanted = {c for cs in relevant.values() for c in cs}
    others = [c for c in names if c not in wanted][:extra]
    keep = wanted | set(others)
    return tuple(c for c in names if c in keep)
