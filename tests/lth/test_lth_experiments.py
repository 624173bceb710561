"""The embedded experiments: data loading and per-data-set defaults."""

from __future__ import annotations

import pytest
import torch

from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig, TCAVConfig
from nesyasp.lth.experiments import load_experiment_data, used_concepts

SMALL = TCAVConfig(n_concept=4, n_random_sets=2, n_inputs=4)


def test_digits_parity_data() -> None:
    cfg = LTHConfig(size=16, tcav=SMALL)
    data = load_experiment_data(cfg)
    assert data.class_names == ("even", "odd")
    assert data.train_images.shape[1:] == (3, 16, 16) and data.train_images.dtype == torch.float32
    assert 0.0 <= float(data.train_images.min()) and float(data.train_images.max()) <= 1.0
    # every bundled image: about 70 % of 1,797 for training, the rest for testing, disjoint
    assert len(data.train_images) + len(data.test_images) == 1797
    assert set(data.train_labels.tolist()) == {0, 1} and set(data.test_labels.tolist()) == {0, 1}
    assert list(data.concepts) == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    assert all(x.shape == (4, 3, 16, 16) for x in data.concepts.values())
    assert len(data.random_sets) == 2 and not torch.equal(data.random_sets[0], data.random_sets[1])
    assert data.relevant["even"] == ("zero", "two", "four", "six", "eight")


def test_defaults_depend_on_the_data_set() -> None:
    digits, scenes = LTHConfig(), LTHConfig(data="scenes")
    assert (digits.image_size, digits.class_count, digits.model_name) == (28, 2, "lenet")
    assert (scenes.image_size, scenes.class_count, scenes.images_per_class, scenes.model_name) == (32, 3, 200, "cnn")
    assert (digits.epochs_per_round, scenes.epochs_per_round, LTHConfig(epochs=3).epochs_per_round) == (10, 30, 3)
    assert LTHConfig(data="scenes", size=24, per_class=7).images_per_class == 7
    with pytest.raises(DataError):
        LTHConfig(per_class=-1)


def test_used_concepts_keeps_relevant_ones_and_controls() -> None:
    names = tuple(f"c{i}" for i in range(20))
    relevant = {"a": ("c5", "c7"), "b": ("c7", "c12")}
    assert used_concepts(names, relevant, extra=2) == ("c0", "c1", "c5", "c7", "c12")
    assert used_concepts(names[:10], relevant) == names[:10]
