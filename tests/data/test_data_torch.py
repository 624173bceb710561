"""The torch Dataset over an ImageSet, and its on-disk cache (only when a folder is given)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nesyasp.data import load_dataset  # noqa: E402
from nesyasp.data.torch import TorchImageSet  # noqa: E402


def test_items_are_chw_floats_labels_and_masks():
    s = load_dataset("scenes", classes=2, per_class=3, size=16)
    ds = TorchImageSet(s)
    x, y, m = ds[4]
    assert len(ds) == 6 and x.shape == (3, 16, 16) and x.dtype == torch.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0 and y == 1
    assert torch.equal(x, torch.from_numpy(s.images[4]).permute(2, 0, 1).float() / 255)
    assert m.shape == (2, 16, 16) and torch.equal(m, torch.from_numpy(s.masks[4].astype(np.int64)))
    xb, yb, mb = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 3, 16, 16) and yb.tolist() == [0, 0, 0, 1] and mb.shape == (4, 2, 16, 16)
    stacked = TorchImageSet(s, mask_stack=True)[0][2]
    assert stacked.dtype == torch.bool and stacked.shape == (len(s.concept_names), 16, 16)


def test_cache_is_written_only_when_a_folder_is_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plain = TorchImageSet.load("digits", per_class=3, size=8)
    assert len(plain) == 30 and list(tmp_path.iterdir()) == []
    cache = tmp_path / "cache"
    first = TorchImageSet.load("scenes", "test", classes=2, per_class=2, size=16, cache_dir=cache)
    files = list(cache.glob("*.npz"))
    assert len(files) == 1 and files[0].name.startswith("scenes-test-")
    again = TorchImageSet.load("scenes", "test", classes=2, per_class=2, size=16, cache_dir=cache)
    assert np.array_equal(first.imageset.images, again.imageset.images)
    assert again.imageset.ids == first.imageset.ids and again.imageset.class_concepts == first.imageset.class_concepts
    TorchImageSet.load("scenes", "test", classes=2, per_class=3, size=16, cache_dir=cache)
    assert len(list(cache.glob("*.npz"))) == 2


def test_a_cache_folder_under_the_home_folder_is_expanded(tmp_path, monkeypatch):
    """docs/data.md passes cache_dir="~/.cache/nesyasp": that is the home folder, not a folder named '~'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    TorchImageSet.load("scenes", "test", classes=2, per_class=2, size=8, cache_dir="~/.cache/nesyasp")
    assert not (tmp_path / "~").exists()
    assert len(list((tmp_path / "home" / ".cache" / "nesyasp").glob("scenes-test-*.npz"))) == 1
