"""Synthetic images with planted objects and their concept masks (numpy only, no data package)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import numpy as np
import pytest

CONCEPTS = ("obj", "lamp", "floor")


def planted_set(n_per_class: int = 6, seed: int = 0, size: int = 16) -> SimpleNamespace:
    """Class a: a red 6x6 square (obj) at a random place; class b: a blue one (lamp); both: a grey floor.

    The result has the attributes of :class:`nesyasp.data.ImageSet` that labelling reads.
    """
    rng = np.random.default_rng(seed)
    images, labels, masks = [], [], []
    for c in range(2):
        for _ in range(n_per_class):
            img = rng.integers(0, 30, (size, size, 3)).astype(np.uint8)
            m = np.zeros((len(CONCEPTS), size, size), bool)
            r, q = rng.integers(0, size - 9, 2)
            img[r:r + 6, q:q + 6, 2 * c] = 230
            m[c, r:r + 6, q:q + 6] = True
            img[-3:] = 120
            m[2, -3:] = True
            images.append(img)
            labels.append(c)
            masks.append(m)
    ids = [f"img_{i:03d}" for i in range(len(labels))]
    return SimpleNamespace(images=np.stack(images), labels=np.array(labels), class_names=("a", "b"), ids=ids,
                           concept_names=CONCEPTS, masks=np.stack(masks),
                           class_concepts={"a": ("obj",), "b": ("lamp",)})


@pytest.fixture(scope="session")
def planted_factory() -> Callable[..., SimpleNamespace]:
    """``planted_factory(n_per_class=6, seed=0, size=16)`` builds a planted image set."""
    return planted_set


def trained_planted_run(out, planted_factory, test_per_class: int):
    """A TS3 run trained for two epochs on planted images into ``out``, extracted and evaluated;
    returns its (train, test) splits."""
    import torch

    from nesyasp.neural.config import TrainConfig, strategy
    from nesyasp.neural.data import split_from_imageset
    from nesyasp.neural.run import evaluate_run, extract_run, load_run
    from nesyasp.neural.train import train

    torch.set_num_threads(1)
    splits = (split_from_imageset(planted_factory(8, seed=0)),
              split_from_imageset(planted_factory(test_per_class, seed=1)))
    cfg = TrainConfig(data="planted", classes=2, per_class=8, size=16, epochs=2, batch_size=8, lr=3e-3,
                      strategy=strategy("ts3", k=2))
    train(cfg, out, splits=splits, progress=False)
    run = load_run(out)
    extract_run(run, splits)
    evaluate_run(run, splits)
    return splits
