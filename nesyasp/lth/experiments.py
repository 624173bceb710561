"""The embedded LTH experiments as :class:`~nesyasp.lth.runner.ExperimentData`.

* ``digits-parity``: scikit-learn's bundled digits, even vs odd, with the ten
  digit identities (``zero`` ... ``nine``) as concepts; a digit's concept is
  relevant to its parity class.
* ``scenes``: the generated scenes with their object concepts.

Images come from :mod:`nesyasp.data` (generated or bundled, never downloaded).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from nesyasp.lang.errors import DataError
from nesyasp.lth.config import LTHConfig
from nesyasp.lth.runner import ExperimentData

__all__ = ["load_experiment_data", "to_tensor"]

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
    domain, size, seed, tc = _DOMAIN[config.data], config.size, config.seed, config.tcav
    train = load_dataset(config.data, split="train", size=size, seed=seed)
    test = load_dataset(config.data, split="test", size=size, seed=seed)
    concepts = {c: to_tensor(concept_images(domain, c, n=tc.n_concept, size=size, seed=seed))
                for c in train.concept_names}
    randoms = tuple(to_tensor(random_images(domain, n=tc.n_concept, size=size, seed=seed, index=k))
                    for k in range(tc.n_random_sets))
    relevant = {cls: tuple(cs) for cls, cs in dict(getattr(train, "class_concepts", {}) or {}).items()}
    return ExperimentData(
        train_images=to_tensor(train), train_labels=torch.as_tensor(np.asarray(train.labels), dtype=torch.long),
        test_images=to_tensor(test), test_labels=torch.as_tensor(np.asarray(test.labels), dtype=torch.long),
        class_names=tuple(train.class_names), concepts=concepts, random_sets=randoms, relevant=relevant)
