"""Masks line up with the pixels: each object's mask area is painted in that object's colours."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nesyasp.data import scenes, signs
from nesyasp.data._paint import finish


@pytest.mark.parametrize("cls", scenes.CLASSES)
def test_object_mask_areas_are_drawn_in_the_objects_colours(cls):
    for j in range(3):
        rgb, obj, part, colours = scenes.render_scene(cls, scenes.scene_rng(5, "train", 0, j), 48, raw=True)
        drawn = [v for v in np.unique(obj) if scenes.CONCEPTS[v - 1] not in ("wall", "floor")]
        assert drawn, "a scene has objects"
        for v in drawn:
            pixels = {tuple(p) for p in rgb[obj == v].tolist()}
            assert pixels <= colours[v], (cls, scenes.CONCEPTS[v - 1], pixels - colours[v])
        # parts lie inside objects, and the part layer only holds part values
        assert np.all(obj[part > 0] > 0)
        assert np.all((part == 0) | (part > len(scenes.OBJECTS)))


def test_final_masks_are_the_canvas_masks_downsampled_with_the_image():
    rng_a, rng_b = scenes.scene_rng(1, "test", 2, 7), scenes.scene_rng(1, "test", 2, 7)
    rgb, obj, part, _ = scenes.render_scene("kitchen", rng_a, 32, raw=True)
    image, masks = scenes.render_scene("kitchen", rng_b, 32)
    small = np.stack([np.asarray(Image.fromarray(m).resize((32, 32), Image.NEAREST)) for m in (obj, part)])
    assert np.array_equal(masks, small) or np.array_equal(masks, small[:, :, ::-1])
    flipped = not np.array_equal(masks, small)
    ref = np.asarray(Image.fromarray(rgb).resize((32, 32), Image.BILINEAR, reducing_gap=None)).astype(float)
    if flipped:
        ref = ref[:, ::-1]
    # the final image is the canvas after gain, cast and noise: strongly correlated pixel for pixel
    assert np.corrcoef(ref.ravel(), image.astype(float).ravel())[0, 1] > 0.9


def test_generation_is_a_pure_function_of_seed_split_and_index():
    a = scenes.render_scene("bedroom", scenes.scene_rng(0, "train", 1, 42), 32)
    b = scenes.render_scene("bedroom", scenes.scene_rng(0, "train", 1, 42), 32)
    c = scenes.render_scene("bedroom", scenes.scene_rng(0, "test", 1, 42), 32)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_finish_keeps_masks_and_image_flipped_together():
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[:, :4] = 255
    mask = np.zeros((8, 8), np.uint8)
    mask[:, :4] = 1
    for seed in range(8):
        img, m = finish(rgb, [mask], 8, np.random.default_rng(seed))
        bright = img.mean(axis=(0, 2)) > 128
        assert np.array_equal(bright, m[0].any(axis=0))


def test_sign_glyph_masks_sit_on_their_plate():
    for k, cls in enumerate(signs.CLASSES[:12]):
        image, masks = signs.render_scene(cls, signs.scene_rng(0, "train", k, 0), 48)
        shape, *glyph = signs.class_concepts(cls)
        on_shape = masks[0] == signs.CONCEPTS.index(shape) + 1
        assert on_shape.sum() > 50
        for g in glyph:
            g_mask = masks[1] == signs.CONCEPTS.index(g) + 1
            assert g_mask.sum() > 3 and on_shape[g_mask].mean() > 0.95, cls


@pytest.mark.parametrize("module", [scenes, signs], ids=["scenes", "signs"])
def test_every_concept_image_shows_its_concept(module):
    missing = []
    for k, concept in enumerate(module.CONCEPTS):
        seen = 0
        for j in range(2):
            _, masks = module.render_concept(concept, module.scene_rng(0, "concept", k, j), 40)
            seen += bool((masks == k + 1).any())
        if seen == 0:
            missing.append(concept)
    assert missing == []
