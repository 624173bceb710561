"""The *generic* corpus: generated classes that no evaluation task uses, our stand-in for ImageNet.

The paper starts every CNN from ImageNet weights. Without downloads, nesyasp
pretrains a backbone on this corpus instead (:mod:`nesyasp.neural.backbones`):

* the scenes' **objects drawn alone** (``bed``, ``toilet``, ``chair``, ...,
  31 classes; wall, floor and clutter left out), from their own random
  streams, so never an image of a scene or of a TCAV concept set;
* **signs of the other plate x glyph pairs**: the 6 plates x 12 glyphs
  (none included) that are *not* among the 43 sign classes (29 classes,
  named ``sign_<plate>_<glyph>``).

None of its classes is a scene class (a room) or a sign class, so a backbone
trained on it has seen objects and sign parts, as an ImageNet backbone has,
but never the task's classes: it is shared by P2-P10, GT43 and users' folders.
No masks (the corpus is for pretraining only).

Examples
--------
>>> len(CLASSES), CLASSES[0], CLASSES[-1]
(60, 'toilet', 'sign_square_plain')
>>> from nesyasp.data import load_dataset
>>> load_dataset("generic", classes=2, per_class=1, size=16).images.shape
(2, 16, 16, 3)
"""

from __future__ import annotations

import numpy as np

from nesyasp.data import scenes, signs
from nesyasp.data._paint import finish

__all__ = ["CLASSES", "CONCEPTS", "class_concepts", "render_scene", "scene_rng"]

_OBJECTS = tuple(o for o in scenes.OBJECTS if o not in ("wall", "floor", "clutter"))
_USED = set(signs.TABLE.values())
_SIGNS = {f"sign_{shape}_{glyph or 'plain'}": (shape, glyph)
          for glyph in signs.GLYPHS + (None,) for shape in signs.SHAPES if (shape, glyph) not in _USED}

#: Corpus classes in label order: objects, then the unused plate x glyph pairs.
CLASSES = _OBJECTS + tuple(_SIGNS)
#: No concepts: the corpus has no masks.
CONCEPTS: tuple[str, ...] = ()


def class_concepts(name: str) -> tuple[str, ...]:
    """The object, or the plate and glyph, a corpus class shows."""
    if name in _SIGNS:
        shape, glyph = _SIGNS[name]
        return (shape,) if glyph is None else (shape, glyph)
    return (name,)


def scene_rng(seed: int, stream: str, key: int, j: int) -> np.random.Generator:
    """The random stream of one corpus image (streams ``generic/<split>``, apart from every other set)."""
    return scenes.scene_rng(seed, f"generic/{stream}", key, j)


def render_scene(cls: str, rng: np.random.Generator, size: int = 64, supersample: int = 2):
    """One image of corpus class ``cls``: ``(image uint8 (size, size, 3), masks uint16 (0, size, size))``."""
    if cls in _SIGNS:
        shape, glyph = _SIGNS[cls]
        s = size * supersample
        canvas, behind = signs._background(rng, s)
        signs._draw_sign(canvas, rng, s, shape, glyph, behind)
        signs._clutter(canvas, rng, s, behind)
        rgb, obj, part = canvas.arrays()
        image, _ = finish(rgb, [obj, part], size, rng, flip=False)
    else:
        image, _ = scenes.render_concept(cls, rng, size, supersample)
    return image, np.zeros((0, size, size), np.uint16)
