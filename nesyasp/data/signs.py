"""The generated *signs*: GTSRB-like traffic signs, a class being a plate shape x glyph.

43 classes (like GTSRB's GT43). The first eight carry traffic names (``stop``,
``yield``, ...); the rest are named ``<shape>_<glyph>``. Four of the first
eight share the circle, so the shape alone never decides the class. Plate,
border and glyph colours are random and contrasting for every class, and signs
are never mirrored (arrows keep their direction).

Mask layer 0 holds the shape concepts (and ``post``, ``clutter``), layer 1 the
``border`` ring and the glyph concepts.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from nesyasp.data._paint import Canvas, contrasting, finish, random_colour

__all__ = ["CLASSES", "SHAPES", "GLYPHS", "OBJECTS", "PARTS", "CONCEPTS", "class_concepts",
           "render_scene", "render_concept", "scene_rng"]

SHAPES = ("circle", "triangle_up", "triangle_down", "octagon", "square", "diamond")
GLYPHS = ("bar", "slash", "cross", "exclamation", "arrow_up", "arrow_left", "arrow_right", "digits",
          "dot", "chevron", "wave")
OBJECTS = ("post", "clutter") + SHAPES
PARTS = ("border",) + GLYPHS
CONCEPTS = OBJECTS + PARTS
_ID = {name: k + 1 for k, name in enumerate(CONCEPTS)}

_NAMED = {"stop": ("octagon", None), "yield": ("triangle_down", None), "no_entry": ("circle", "bar"),
          "speed_limit": ("circle", "digits"), "warning": ("triangle_up", "exclamation"),
          "direction": ("circle", "arrow_up"), "priority": ("diamond", None), "no_parking": ("circle", "slash")}


def _class_table() -> dict[str, tuple[str, str | None]]:
    """The eight named classes, then shape x glyph pairs round-robin over the glyphs (43 in all)."""
    table = dict(_NAMED)
    used = set(table.values())
    for r in range(len(SHAPES)):
        for g, glyph in enumerate(GLYPHS + (None,)):
            free = [s for s in SHAPES[r + g:] + SHAPES[:r + g] if (s, glyph) not in used]
            if len(table) < 43 and free:
                table[f"{free[0]}_{glyph or 'plain'}"] = (free[0], glyph)
                used.add((free[0], glyph))
    return table


#: class -> (shape, glyph or None), in label order.
TABLE = _class_table()
CLASSES = tuple(TABLE)
_DOMAIN_CODE = 2
_INRADIUS = {"circle": 1.0, "octagon": 0.92, "square": 0.707, "diamond": 0.707,
             "triangle_up": 0.62, "triangle_down": 0.62}


def class_concepts(name: str) -> tuple[str, ...]:
    """The shape and glyph of sign class ``name``."""
    shape, glyph = TABLE[name]
    return (shape,) if glyph is None else (shape, glyph)


def scene_rng(seed: int, stream: str, key: int, j: int) -> np.random.Generator:
    """The random stream of one image (see :func:`nesyasp.data.scenes.scene_rng`)."""
    return np.random.default_rng([_DOMAIN_CODE, int(seed), zlib.crc32(stream.encode()), int(key), int(j)])


def _ngon(n: int, start_deg: float, radius: float = 1.0) -> list[tuple[float, float]]:
    return [(radius * math.cos(math.radians(start_deg + 360 * k / n)),
             radius * math.sin(math.radians(start_deg + 360 * k / n))) for k in range(n)]


def _plate(shape: str) -> list[tuple[float, float]]:
    return {"circle": _ngon(32, 0), "octagon": _ngon(8, 22.5), "square": _ngon(4, 45),
            "diamond": _ngon(4, -90), "triangle_up": _ngon(3, -90, 1.2), "triangle_down": _ngon(3, 90, 1.2)}[shape]


def _thick(points, width: float) -> list[list[tuple[float, float]]]:
    polys = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        dx, dy = x1 - x0, y1 - y0
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n * width / 2, dx / n * width / 2
        polys.append([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)])
    return polys


def _box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


_SEGMENTS = {"a": (0, 0, 1, 0), "b": (1, 0, 1, 1), "c": (1, 1, 1, 2), "d": (0, 2, 1, 2),
             "e": (0, 1, 0, 2), "f": (0, 0, 0, 1), "g": (0, 1, 1, 1)}
_DIGIT_SEGS = ["abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"]


def _glyph(name: str, rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    """Polygons of a glyph in unit coordinates (inside a circle of radius ~0.65)."""
    arrow = [_box(-0.11, -0.05, 0.11, 0.62), [(-0.42, 0.0), (0.42, 0.0), (0.0, -0.6)]]
    if name == "bar":
        return [_box(-0.62, -0.15, 0.62, 0.15)]
    if name == "slash":
        return _thick([(-0.5, 0.5), (0.5, -0.5)], 0.22)
    if name == "cross":
        return _thick([(-0.45, 0.45), (0.45, -0.45)], 0.2) + _thick([(-0.45, -0.45), (0.45, 0.45)], 0.2)
    if name == "exclamation":
        return [_box(-0.09, -0.6, 0.09, 0.22), _box(-0.1, 0.36, 0.1, 0.56)]
    if name.startswith("arrow"):
        turn = {"arrow_up": 0.0, "arrow_left": -math.pi / 2, "arrow_right": math.pi / 2}[name]
        c, s = math.cos(turn), math.sin(turn)
        return [[(x * c - y * s, x * s + y * c) for x, y in poly] for poly in arrow]
    if name == "digits":
        polys = []
        number = (int(rng.integers(1, 10)), int(rng.choice([0, 5])))
        for k, d in enumerate(number):
            x0 = -0.5 + 0.58 * k
            for seg in _DIGIT_SEGS[d]:
                a, b, c2, e = _SEGMENTS[seg]
                polys += _thick([(x0 + 0.36 * a, -0.5 + 0.5 * b), (x0 + 0.36 * c2, -0.5 + 0.5 * e)], 0.11)
        return polys
    if name == "dot":
        return [_ngon(20, 0, 0.3)]
    if name == "chevron":
        return _thick([(-0.25, -0.45), (0.25, 0.0), (-0.25, 0.45)], 0.2)
    if name == "wave":
        return _thick([(-0.6, 0.12), (-0.3, -0.15), (0.0, 0.12), (0.3, -0.15), (0.6, 0.12)], 0.14)
    raise KeyError(name)


def _background(rng: np.random.Generator, s: int) -> tuple[Canvas, list[np.ndarray]]:
    top, bottom = random_colour(rng), random_colour(rng)
    t = np.linspace(0.0, 1.0, s)[:, None, None]
    rgb = np.broadcast_to(top * (1 - t) + bottom * t, (s, s, 3)).copy()
    if rng.random() < 0.5:
        small = rng.normal(0.0, 14.0, (s // 16 + 1, s // 16 + 1, 1))
        rgb += np.kron(small, np.ones((16, 16, 1)))[:s, :s]
    canvas = Canvas(np.clip(rgb, 0, 255).astype(np.uint8), np.zeros((s, s), np.uint8))
    if rng.random() >= 0.5:
        for _ in range(int(rng.integers(2, 5))):
            x, y, w, h = rng.uniform(0, s, 4) * np.array([1, 1, 0.4, 0.4])
            canvas.draw("rect", [x, y, x + w + 1, y + h + 1], tuple(int(v) for v in random_colour(rng)), 0)
    return canvas, [top, bottom]


def _draw_sign(canvas: Canvas, rng, s: int, shape: str | None, glyph: str | None, behind,
               post: bool = True, scale: float = 1.0) -> None:
    cx, cy = s * (0.5 + rng.uniform(-0.08, 0.08)), s * (0.44 + rng.uniform(-0.06, 0.06))
    r = s * rng.uniform(0.26, 0.36) * scale
    rot, squash = rng.normal(0.0, 0.08), rng.uniform(0.8, 1.0)
    c, sn = math.cos(rot), math.sin(rot)

    def tf(poly, k):
        return [(cx + k * r * squash * (x * c - y * sn), cy + k * r * (x * sn + y * c)) for x, y in poly]

    plate_c = contrasting(rng, list(behind))
    border_c = contrasting(rng, [plate_c], 110.0)
    glyph_c = contrasting(rng, [plate_c], 110.0)
    if post:
        pc = tuple(int(v) for v in contrasting(rng, list(behind), 80.0))
        canvas.draw("rect", [cx - 0.035 * s, cy, cx + 0.035 * s, s], pc, _ID["post"])
    if shape is not None:
        outline = _plate(shape)
        border = rng.uniform(0.14, 0.24)
        sid = _ID[shape]
        canvas.draw("poly", tf(outline, 1.0), tuple(int(v) for v in border_c), sid, _ID["border"])
        canvas.draw("poly", tf(outline, 1.0 - border), tuple(int(v) for v in plate_c), sid, 0)
        k = _INRADIUS[shape] * (1.0 - border) * 0.95
        obj = sid
    else:
        k, obj = 1.0, 0
    if glyph is not None:
        for poly in _glyph(glyph, rng):
            canvas.draw("poly", tf(poly, k), tuple(int(v) for v in glyph_c), obj, _ID[glyph])


def _clutter(canvas: Canvas, rng, s: int, behind) -> None:
    for _ in range(int(rng.integers(1, 4))):
        r = rng.uniform(0.02, 0.05) * s
        x, y = rng.uniform(0, s), rng.uniform(0, s)
        col = tuple(int(v) for v in contrasting(rng, list(behind), 90.0))
        canvas.draw("ellipse", [x - r, y - r, x + r, y + r], col, _ID["clutter"])


def render_scene(cls: str, rng: np.random.Generator, size: int = 64, supersample: int = 2):
    """Render one sign of class ``cls``: ``(image uint8 (size, size, 3), masks uint16 (2, size, size))``."""
    s = size * supersample
    shape, glyph = TABLE[cls]
    canvas, behind = _background(rng, s)
    _draw_sign(canvas, rng, s, shape, glyph, behind)
    _clutter(canvas, rng, s, behind)
    rgb, obj, part = canvas.arrays()
    return finish(rgb, [obj, part], size, rng, flip=False)


def render_concept(concept: str, rng: np.random.Generator, size: int = 64, supersample: int = 2):
    """One concept alone: a bare plate of a shape, a glyph without a plate, a post, a border or clutter."""
    if concept not in _ID:
        raise KeyError(concept)
    s = size * supersample
    canvas, behind = _background(rng, s)
    if concept in SHAPES:
        _draw_sign(canvas, rng, s, concept, None, behind, post=False, scale=1.15)
    elif concept in GLYPHS:
        _draw_sign(canvas, rng, s, None, concept, behind, post=False, scale=1.3)
    elif concept == "border":
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        base_rgb, base_obj, base_part = (a.copy() for a in canvas.arrays())
        _draw_sign(canvas, rng, s, shape, None, behind, post=False, scale=1.15)
        rgb, obj, part = canvas.arrays()
        keep = part == _ID["border"]
        canvas = Canvas(np.where(keep[..., None], rgb, base_rgb), np.where(keep, obj, base_obj),
                        np.where(keep, part, base_part))
    elif concept == "post":
        _draw_sign(canvas, rng, s, None, None, behind, post=True)
    else:
        _clutter(canvas, rng, s, behind)
    rgb, obj, part = canvas.arrays()
    return finish(rgb, [obj, part], size, rng, flip=False)
