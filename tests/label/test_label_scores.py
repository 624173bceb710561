"""Semantic labelling on synthetic images with planted objects."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.label.naming import fallback_name, name_filters, sanitize_concept
from nesyasp.label.scores import (SCORES, FilterConcepts, LabelConfig, concept_overlap, concept_presence, filter_norms,
                                  image_concept_scores, label_filters, select_concepts, upsample)
from nesyasp.lang.ast import is_identifier
from nesyasp.errors import DataError

CONCEPTS = ["obj", "floor", "lamp"]
N, H, W, h, w = 12, 32, 32, 8, 8


def _planted(seed: int = 0):
    """Images whose masks hold a planted object at a random place; filters 0, 1 fire on it,
    filter 2 fires on the lamp, filter 3 fires where no mask is, filter 4 never fires."""
    rng = np.random.default_rng(seed)
    masks = np.zeros((N, len(CONCEPTS), H, W), bool)
    maps = rng.uniform(0, 0.01, (N, 5, h, w))
    maps[:, 4] = 0.0
    for i in range(N):
        r, c = rng.integers(0, 3, size=2) * 2  # object occupies a 4x4 cell block on the map grid
        masks[i, 0, r * 4:(r + 4) * 4, c * 4:(c + 4) * 4] = True
        masks[i, 1, 24:, :] = ~masks[i, 0, 24:, :]
        masks[i, 2, :4, 28:] = True
        maps[i, 0, r + 1:r + 3, c + 1:c + 3] = 1.0 + i
        maps[i, 1, r:r + 4, c:c + 4] = 0.5 + 0.1 * i
        maps[i, 2, 0, 7] = 2.0
    masks[:, :, 2:22, 2:22] = False  # a hole that no concept covers
    maps[:, 3] = 0.0
    maps[:, 3, 2:4, 2:4] = 3.0
    return maps, masks


@pytest.mark.parametrize("score", SCORES)
def test_filter_on_planted_object_is_labelled_with_it(score):
    maps, masks = _planted()
    recs = label_filters(maps, masks, CONCEPTS, [0, 2], score=score)
    assert recs[0].concepts == ("obj",)
    assert recs[0].scores["obj"] > 0.9
    assert recs[1].concepts == ("lamp",)


@pytest.mark.parametrize("score", SCORES)
def test_two_filters_on_same_object_get_obj1_obj2(score):
    maps, masks = _planted()
    recs = label_filters(maps, masks, CONCEPTS, [1, 0], score=score)
    assert [r.filter for r in recs] == [0, 1]
    assert name_filters(recs) == {0: "obj1", 1: "obj2"}


def _background_and_object(n: int = 4):
    """A wall (top half), a floor and a small object on it; the filter fires on the object and weakly
    but everywhere on the wall, so most of its above-median mass lies on the wall."""
    masks = np.zeros((n, 3, 32, 32), bool)
    maps = np.zeros((n, 1, 8, 8))
    for i in range(n):
        masks[i, 0, :16] = True  # wall: half the image
        r, c = 4 + (i % 2), 1 + 2 * i
        masks[i, 2, r * 4:(r + 2) * 4, c * 4:(c + 2) * 4] = True  # obj: 2x2 map cells
        masks[i, 1] = ~masks[i, 0] & ~masks[i, 2]  # floor: the rest
        maps[i, 0, :4] = 0.2
        maps[i, 0, r:r + 2, c:c + 2] = 1.0
    return maps, masks, ["wall", "floor", "obj"]


def test_large_background_no_longer_beats_small_object_the_filter_fires_on():
    maps, masks, names = _background_and_object()
    (mass,) = label_filters(maps, masks, names, [0], score="mass")
    (iou,) = label_filters(maps, masks, names, [0], score="iou")
    assert mass.best == "wall"  # NeSyFOLD's score: the wall holds most of the mass
    assert iou.concepts == ("obj",)  # the wall pays for its area the filter barely lights
    assert iou.raw_scores["obj"] > 2 * iou.raw_scores["wall"]
    assert LabelConfig().score == "iou"
    assert label_filters(maps, masks, names, [0])[0].concepts == ("obj",)


def test_uniform_activation_gives_lift_one_and_iou_the_area_share():
    masks = np.zeros((1, 3, 16, 16), bool)
    masks[0, 0, :8] = True
    masks[0, 1, 8:, :4] = True
    masks[0, 2, 8:, 4:] = True
    maps = np.ones((1, 1, 4, 4))
    (lift,) = label_filters(maps, masks, ["a", "b", "c"], [0], score="lift")
    assert list(lift.raw_scores.values()) == pytest.approx([1.0, 1.0, 1.0])  # chance, whatever the size
    inter, union = concept_overlap(maps[0, 0], masks[0], "bilinear")
    assert inter.tolist() == pytest.approx([128.0, 32.0, 96.0])
    assert union.tolist() == pytest.approx([256.0] * 3)  # the whole image is activated
    assert image_concept_scores(maps[0, 0], masks[0], "bilinear", "iou").tolist() == pytest.approx(
        [0.5, 0.125, 0.375])
    with pytest.raises(DataError, match="unknown score"):
        image_concept_scores(maps[0, 0], masks[0], "bilinear", "dice")


@pytest.mark.parametrize("score", SCORES)
def test_filter_without_mask_overlap_gets_fallback_name(score):
    maps, masks = _planted()
    recs = label_filters(maps, masks, CONCEPTS, [3, 4], score=score)
    assert all(r.concepts == () and r.scores == {} for r in recs)
    assert all(r.best is None for r in recs)
    names = name_filters(recs)
    assert names == {3: fallback_name(3), 4: "unlabelled_f4"}
    assert all(is_identifier(n) for n in names.values())


def test_top_images_are_the_most_activating():
    maps, masks = _planted()
    (rec,) = label_filters(maps, masks, CONCEPTS, [0], top_m=3)
    assert rec.top_images == (11, 10, 9)  # filter 0's peak grows with the image index


def test_margin_keeps_close_concepts_in_score_order():
    cfg = LabelConfig(margin=0.05)
    kept, norm = select_concepts({"wall": 0.40, "cabinet": 0.37, "sink": 0.23, "rug": 0.0}, cfg)
    assert kept == ("wall", "cabinet")
    assert sum(norm.values()) == pytest.approx(1.0)
    assert "rug" not in norm
    kept, _ = select_concepts({"wall": 0.40, "cabinet": 0.37}, LabelConfig(margin=0.0))
    assert kept == ("wall",)
    assert select_concepts({"wall": 0.0}, cfg) == ((), {})


def test_ignored_concepts_do_not_name_filters():
    raw = {"wall": 0.5, "bed": 0.3, "pillow": 0.28, "rug": 0.0}
    kept, norm = select_concepts(raw, LabelConfig(ignore=("wall",)))
    assert kept == ("bed", "pillow") and "wall" not in norm
    assert sum(norm.values()) == pytest.approx(1.0)
    assert select_concepts({"wall": 1.0}, LabelConfig(ignore=["wall"])) == ((), {})
    maps, masks = _planted()
    (rec,) = label_filters(maps, masks, CONCEPTS, [0], ignore=("obj",))
    assert rec.best != "obj" and rec.raw_scores["obj"] > 0  # still scored, not chosen


def test_max_concepts_limits_normalisation():
    raw = {f"c{i}": 1.0 for i in range(12)}
    kept, norm = select_concepts(raw, LabelConfig(max_concepts=10))
    assert len(norm) == 10 and len(kept) == 10
    assert norm["c0"] == pytest.approx(0.1)


def test_image_score_is_activation_mass_fraction_above_median():
    fmap = np.zeros((2, 2))
    fmap[0, 0] = 3.0
    fmap[1, 1] = 1.0
    masks = np.zeros((2, 2, 2), bool)
    masks[0, 0, 0] = True
    masks[1, 1, 1] = True
    got = image_concept_scores(fmap, masks, "nearest")
    assert got.tolist() == pytest.approx([0.75, 0.25])
    assert image_concept_scores(np.zeros((2, 2)), masks, "bilinear").tolist() == [0.0, 0.0]


def test_upsample_preserves_constants_and_shapes():
    x = np.full((3, 4, 4), 2.5)
    for mode in ("bicubic", "bilinear", "nearest"):
        y = upsample(x, (16, 12), mode)
        assert y.shape == (3, 16, 12)
        assert np.allclose(y, 2.5)
    with pytest.raises(DataError):
        upsample(x, (8, 8), "lanczos")


def test_norms():
    maps = np.zeros((1, 2, 2, 2))
    maps[0, 0] = [[3.0, 0.0], [0.0, 4.0]]
    maps[0, 1] = [[1.0, 1.0], [1.0, 1.0]]
    assert filter_norms(maps, "spectral")[0].tolist() == pytest.approx([4.0, 2.0])
    assert filter_norms(maps, "fro")[0].tolist() == pytest.approx([5.0, 2.0])
    assert filter_norms(maps, "l1mean")[0].tolist() == pytest.approx([1.75, 1.0])


def test_masks_as_callable_and_precomputed_norms():
    maps, masks = _planted()
    norms = filter_norms(maps, "fro")
    a = label_filters(maps, lambda i: masks[i], CONCEPTS, [0], norms=norms)
    b = label_filters(maps, masks, CONCEPTS, [0], norm="fro")
    assert a == b


@pytest.mark.parametrize("kwargs", [{"top_m": 0}, {"margin": 2.0}, {"upsampling": "x"}, {"norm": "l3"},
                                    {"score": "dice"}])
def test_bad_config_is_a_data_error(kwargs):
    with pytest.raises(DataError):
        LabelConfig(**kwargs)


def test_bad_shapes_are_data_errors():
    maps, masks = _planted()
    with pytest.raises(DataError, match="out of range"):
        label_filters(maps, masks, CONCEPTS, [9])
    with pytest.raises(DataError, match="masks must have shape"):
        label_filters(maps, masks[:3], CONCEPTS, [0])
    with pytest.raises(DataError, match="concept masks"):
        label_filters(maps, masks, CONCEPTS[:2], [0])
    with pytest.raises(DataError, match="feature maps"):
        label_filters(maps[0], masks, CONCEPTS, [0])


def test_naming_counters_follow_ascending_filter_order_like_figure_3():
    recs = [FilterConcepts(398, ("wall", "cabinet")), FilterConcepts(295, ("bed",)),
            FilterConcepts(209, ("wall",)), FilterConcepts(145, ("sink",)),
            FilterConcepts(134, ("sink", "toilet")), FilterConcepts(38, ("wall", "cabinet"))]
    assert name_filters(recs) == {38: "wall1_cabinet1", 134: "sink1_toilet1", 145: "sink2",
                                  209: "wall2", 295: "bed1", 398: "wall3_cabinet2"}


def test_names_are_sanitized_and_avoid_reserved():
    recs = [FilterConcepts(1, ("Kitchen Island",)), FilterConcepts(2, ("3D box", "ab")),
            FilterConcepts(3, ("target",))]
    names = name_filters(recs, reserved={"ab1", "target1"})
    assert names[1] == "kitchen_island1"
    assert names[2] == "c_3d_box1_ab1"
    assert names[3] == "target1_f3"
    assert all(is_identifier(n) for n in names.values())
    assert sanitize_concept("  ") == "concept"


@pytest.mark.parametrize("mode", ["bicubic", "bilinear", "nearest"])
def test_upsample_equals_torch_interpolate(mode):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((3, 7, 7))
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    ref = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(64, 48), mode=mode, **kwargs)[0].numpy()
    assert np.abs(upsample(x, (64, 48), mode) - ref).max() < 1e-12


def test_a_concept_in_every_image_does_not_name_a_filter_that_fires_on_an_object():
    """A 'bathtub' filter whose blob also lights the floor it stands on: by pixels the floor wins,
    but the floor is in every image and the bathtub only in the images that make the filter fire."""
    from nesyasp.label.scores import concept_presence

    n, names = 12, ["floor", "bathtub", "bed"]
    masks = np.zeros((n, 3, 32, 32), bool)
    masks[:, 0, 16:, :] = True  # floor: the lower half of every image
    maps = np.zeros((n, 1, 8, 8))
    for i in range(n):
        if i % 3 == 0:  # a bathroom: a bathtub on the floor, the filter fires over it and around
            masks[i, 1, 18:24, 8:16] = True
            maps[i, 0, 3:8, 0:8] = 1.0 + 0.01 * i
        else:  # a bedroom: no bathtub, the filter is silent
            masks[i, 2, 4:12, 4:12] = True
            maps[i, 0] = 0.01
    assert concept_presence(masks, n, 3).tolist() == [1.0, 4 / 12, 8 / 12]
    plain = label_filters(maps, masks, names, [0], top_m=4, enriched=False)[0]
    assert plain.best == "floor"  # what pixels alone say
    assert label_filters(maps, masks, names, [0], top_m=4)[0].best == "bathtub"
    # when no concept is more frequent in the top images than overall, every concept may name the filter
    even = np.ones((n, 1, 8, 8))
    assert label_filters(even, masks[:, :1], names[:1], [0], top_m=4)[0].best == "floor"


def test_images_without_any_concept_do_not_make_a_wall_look_enriched():
    """Enrichment compares shares of annotated images: ten mask-less images change nothing."""
    n, h = 20, 8
    masks = np.zeros((n, 2, h, h), bool)
    masks[:10, 0] = True  # wall: the whole of every annotated image
    masks[:10:2, 1, 2:6, 2:6] = True  # lamp: in half of them
    maps = np.zeros((n, 1, h, h))
    maps[:10, 0] = 0.5
    maps[:10:2, 0, 2:6, 2:6] = 1.0  # the filter fires on the lamps
    assert concept_presence(masks, n, 2).tolist() == [1.0, 0.5]
    assert label_filters(maps[:10], masks[:10], ["wall", "lamp"], [0], top_m=5)[0].concepts == ("lamp",)
    for m in (masks, lambda i: masks[i]):
        assert label_filters(maps, m, ["wall", "lamp"], [0], top_m=5)[0].concepts == ("lamp",)


def test_a_label_is_never_the_raw_name_of_a_filter():
    """A concept ``f`` on filter 3 was named ``f1``: in labelled facts, which keep ``f1`` for
    filter 1 outside the rule set, filter 1 firing made the rules see filter 3."""
    from nesyasp.label.files import relabel_facts
    from nesyasp.label.transform import image_facts
    from nesyasp.lang import parse_program

    names = name_filters([FilterConcepts(3, ("f",)), FilterConcepts(5, ("F",))], reserved={"target", "f3", "f5"})
    assert names == {3: "f1_f3", 5: "f2_f5"}
    facts = relabel_facts(parse_program("_example(i). f1(i). f2(i)."), names)  # was DataError: labels clash
    assert str(facts).split() == ["_example(i).", "f1(i).", "f2(i)."]
    assert "f1_f3(i)." not in str(image_facts("i", [1], names))


def test_repeated_concept_names_are_refused():
    """concepts.txt naming two mask values 'thing' was labelled with one of them silently dropped
    (scores are keyed by name); ``data check`` already called it an error."""
    maps, masks = np.ones((2, 1, 2, 2)), np.ones((2, 2, 4, 4), bool)
    with pytest.raises(DataError, match="repeated concept names: thing"):
        label_filters(maps, masks, ["thing", "thing"], [0])
