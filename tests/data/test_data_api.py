"""The ImageSet contract of nesyasp.data: shapes, ids, splits, classes, subsets, masks."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nesyasp.data import ImageSet, concept_images, load_dataset, random_images
from nesyasp.errors import DataError


@pytest.fixture(scope="module")
def scenes3():
    return load_dataset("scenes", "train", classes=3, per_class=6, size=32, seed=0)


def test_scenes_imageset_contract(scenes3):
    s = scenes3
    assert isinstance(s, ImageSet) and len(s) == 18
    assert s.images.dtype == np.uint8 and s.images.shape == (18, 32, 32, 3)
    assert s.labels.dtype == np.int64 and s.labels.tolist() == [0] * 6 + [1] * 6 + [2] * 6
    assert s.class_names == ("bathroom", "bedroom", "kitchen")
    assert s.ids[0] == "train_0000" and len(set(s.ids)) == 18
    assert s.masks.dtype == np.uint16 and s.masks.shape == (18, 2, 32, 32)
    assert int(s.masks.max()) <= len(s.concept_names)
    assert "toilet" in s.class_concepts["bathroom"] and "bed" in s.class_concepts["bedroom"]
    assert {"wall", "floor", "bed", "pillow", "knob"} <= set(s.concept_names)


def test_mask_stack_matches_mask_of_and_label_scores(scenes3):
    from nesyasp.label.scores import image_concept_scores

    stack = scenes3.mask_stack(3)
    assert stack.dtype == bool and stack.shape == (len(scenes3.concept_names), 32, 32)
    for k, name in enumerate(scenes3.concept_names):
        assert np.array_equal(stack[k], scenes3.mask_of(3, name))
    # objects tile the image (layer 0 is never empty), so object scores of a map sum to one
    from nesyasp.data.scenes import OBJECTS

    assert (scenes3.masks[:, 0] > 0).all() and scenes3.concept_names[:len(OBJECTS)] == OBJECTS
    scores = image_concept_scores(np.random.default_rng(0).random((4, 4)), stack, "bilinear")
    assert scores.shape == (len(scenes3.concept_names),)
    assert scores[:len(OBJECTS)].sum() == pytest.approx(1.0)
    assert set(scenes3.present(3)) == {n for k, n in enumerate(scenes3.concept_names) if stack[k].any()}


def test_splits_are_disjoint_and_deterministic():
    a = load_dataset("scenes", "train", classes=2, per_class=4, size=24, seed=3)
    b = load_dataset("scenes", "train", classes=2, per_class=4, size=24, seed=3)
    t = load_dataset("scenes", "test", classes=2, per_class=4, size=24, seed=3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.masks, b.masks)
    assert not set(a.ids) & set(t.ids)
    assert not any(np.array_equal(x, y) for x in a.images for y in t.images)
    other = load_dataset("scenes", "train", classes=2, per_class=4, size=24, seed=4)
    assert not np.array_equal(a.images, other.images)


def test_an_image_does_not_depend_on_the_class_subset_or_count():
    full = load_dataset("scenes", classes=3, per_class=5, size=24)
    one = load_dataset("scenes", classes=["kitchen"], per_class=2, size=24)
    assert one.class_names == ("kitchen",) and one.labels.tolist() == [0, 0]
    assert np.array_equal(one.images, full.images[10:12])


def test_parallel_generation_equals_serial():
    serial = load_dataset("scenes", classes=2, per_class=3, size=16, workers=1)
    from nesyasp.data.datasets import render_items

    items = [(k, j) for k in range(2) for j in range(3)]
    images, masks = render_items("scenes", 0, "train", items, 16, workers=2)
    assert np.array_equal(images, serial.images) and np.array_equal(masks, serial.masks)


def test_subset_keeps_names_and_order(scenes3):
    sub = scenes3.subset([5, 0, 12])
    assert len(sub) == 3 and sub.ids == (scenes3.ids[5], scenes3.ids[0], scenes3.ids[12])
    assert np.array_equal(sub.images[2], scenes3.images[12]) and sub.labels.tolist() == [0, 0, 2]
    assert sub.concept_names == scenes3.concept_names and sub.class_concepts == scenes3.class_concepts
    assert len(scenes3.subset(scenes3.labels == 1)) == 6


@pytest.mark.parametrize("bad", [dict(split="val"), dict(classes=11), dict(classes=["attic"]),
                                 dict(per_class=0), dict(size=2), dict(name="nonexistent")])
def test_bad_requests_raise_data_error(bad):
    args = dict(name="scenes", split="train", classes=2, per_class=2, size=16) | bad
    with pytest.raises(DataError):
        load_dataset(args.pop("name"), **args)
    with pytest.raises(DataError):
        scenes = load_dataset("scenes", classes=1, per_class=1, size=16)
        scenes.mask_of(0, "unicorn")


def test_digits_and_parity():
    d = load_dataset("digits", "train", per_class=500, size=16)
    t = load_dataset("digits", "test", per_class=500, size=16)
    assert d.class_names[:3] == ("zero", "one", "two") and d.concept_names == d.class_names
    assert 1200 < len(d) < 1300 and 500 < len(t) < 560  # all available: ~70 % / 30 % of 1,797
    assert d.masks.shape == (len(d), 1, 16, 16)
    assert all(set(np.unique(d.masks[i])) <= {0, d.labels[i] + 1} for i in range(0, len(d), 50))
    p = load_dataset("digits-parity", "train", per_class=50, size=12, seed=1)
    assert p.class_names == ("even", "odd") and len(p) == 100
    assert p.class_concepts["even"] == ("zero", "two", "four", "six", "eight")
    digit = [p.present(i)[0] for i in range(len(p))]
    assert all((p.concept_names.index(dg) % 2) == p.labels[i] for i, dg in enumerate(digit))
    small = load_dataset("digits", "train", classes=["three"], per_class=5, size=8)
    assert len(small) == 5 and small.images.shape == (5, 8, 8, 3)


def test_signs_classes_and_masks():
    s = load_dataset("signs", "train", classes=None, per_class=1, size=32)
    assert len(s.class_names) == 43 and len(set(s.class_names)) == 43 and s.class_names[0] == "stop"
    speed = s.class_names.index("speed_limit")
    assert s.class_concepts["speed_limit"] == ("circle", "digits")
    assert s.mask_of(speed, "circle").sum() > 20 and s.mask_of(speed, "digits").sum() > 5
    for i, name in enumerate(s.class_names):
        shape = s.class_concepts[name][0]
        assert s.mask_of(i, shape).sum() > 20, name


def test_concept_and_random_sets():
    for domain, concepts in (("scenes", ("bed", "knob", "wall", "clutter")), ("signs", ("circle", "arrow_left")),
                             ("digits", ("seven",))):
        for c in concepts:
            x = concept_images(domain, c, n=3, size=24, seed=1)
            assert x.shape == (3, 24, 24, 3) and x.dtype == np.uint8
            assert np.array_equal(x, concept_images(domain, c, n=3, size=24, seed=1))
        r0 = random_images(domain, n=4, size=24, seed=1, index=0)
        r1 = random_images(domain, n=4, size=24, seed=1, index=1)
        assert r0.shape == (4, 24, 24, 3) and not np.array_equal(r0, r1)
    with pytest.raises(DataError):
        concept_images("scenes", "unicorn", n=2)
    with pytest.raises(DataError):
        random_images("places", n=2)


def test_importing_the_data_package_does_not_import_torch():
    code = "import sys, nesyasp.data; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["nesyasp.data", "nesyasp.data.imageset", "nesyasp.data.check", "nesyasp.data.ids",
                                    "nesyasp.data.corpus",
                                    "nesyasp.data.preview", "nesyasp.data.torch"])
def test_doctests(module):
    import doctest
    import importlib

    if module.endswith("torch"):
        pytest.importorskip("torch")
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


def test_wrong_argument_types_are_refused_by_name():
    from nesyasp.data import concept_images, load_dataset, random_images
    from nesyasp.errors import WrongTypeError

    for kwargs, words in (({"per_class": "2"}, "per_class must be an integer"), ({"size": 8.5}, "size must be"),
                          ({"seed": "a"}, "seed must be"), ({"classes": 2.5}, "classes must be None, a count")):
        with pytest.raises(WrongTypeError, match=words):
            load_dataset("scenes", **{"per_class": 2, "size": 8, **kwargs})
    with pytest.raises(WrongTypeError, match="a data set name or a folder"):
        load_dataset(None)
    with pytest.raises(WrongTypeError, match="n must be an integer"):
        concept_images("scenes", "bed", n="2", size=8)
    with pytest.raises(DataError, match="index >= 0"):
        random_images("scenes", n=2, size=8, index=-1)
    assert load_dataset("scenes", classes=("kitchen", "bed" + "room"), per_class=np.int64(1), size=8).class_names \
        == ("kitchen", "bedroom")
