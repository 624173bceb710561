"""Tiny deterministic image sets for the neural tests (no data package needed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from nesyasp.neural.config import TrainConfig, strategy
from nesyasp.neural.data import Split, split_from_imageset


def toy_imageset(n_per_class: int = 12, size: int = 16, n_classes: int = 3, seed: int = 0) -> SimpleNamespace:
    """Class c draws a bright square in quadrant c (plus noise): easy and deterministic."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    half = size // 2
    for c in range(n_classes):
        for _ in range(n_per_class):
            img = rng.integers(0, 60, size=(size, size, 3)).astype(np.uint8)
            r, q = divmod(c % 4, 2)
            img[r * half:(r + 1) * half, q * half:(q + 1) * half, c % 3] = 230
            images.append(img)
            labels.append(c)
    ids = [f"img_{i:04d}" for i in range(len(labels))]
    return SimpleNamespace(images=np.stack(images), labels=np.array(labels), ids=ids,
                           class_names=tuple(f"class{c}" for c in range(n_classes)))


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)
    yield


@pytest.fixture(scope="session")
def toy_splits() -> tuple[Split, Split]:
    return (split_from_imageset(toy_imageset(12, seed=0)), split_from_imageset(toy_imageset(6, seed=1)))


def tiny_config(name: str = "ts3", epochs: int = 2, **changes) -> TrainConfig:
    return TrainConfig(data="toy", classes=3, per_class=12, size=16, epochs=epochs, batch_size=8,
                       lr=3e-3, seed=0, strategy=strategy(name, **changes))


@pytest.fixture(scope="session")
def make_config():
    """``make_config(strategy, epochs, **changes)`` builds a tiny TrainConfig."""
    return tiny_config


@pytest.fixture
def toy_data(monkeypatch, toy_splits):
    """Serve the tiny image set whatever --data names (the CLI's data loading is tested elsewhere)."""
    import importlib

    for name in ("nesyasp.neural.run", "nesyasp.neural.train"):
        monkeypatch.setattr(importlib.import_module(name), "load_splits", lambda config, *rest: toy_splits)
    monkeypatch.setattr(importlib.import_module("nesyasp.neural.experiment"), "check_source",
                        lambda name, classes=None: None)
