"""The generated *scenes*: indoor rooms whose classes are compositions of object concepts.

Ten classes after the Places subsets of NeSyFOLD (P2 = the first two, P3.1 =
the first three, P5 = the first five, P10 = all). Each class draws its own
objects with fixed probabilities (at least one anchor always), every class
draws the same shared objects and distractors, and a small chance puts
another class's anchor in the room, so rules need exceptions. Colours and
textures are class-agnostic: every object gets random colours that contrast
with what is behind it, so colour statistics do not predict the class.

An image is a pure function of ``(seed, split, class, j)`` (``j``: its index
within the class), see :func:`render_scene`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from nesyasp.data._objects import PARTS, RECIPES, Pen
from nesyasp.data._paint import Box, Canvas, contrasting, finish, palette, random_colour, texture

__all__ = ["CLASSES", "OBJECTS", "PARTS", "CONCEPTS", "COMPOSITION", "SHARED", "class_concepts",
           "render_scene", "render_concept", "scene_rng"]

#: Scene classes in label order (P2 = first 2, P3 = first 3, P5 = first 5, P10 = all).
CLASSES = ("bathroom", "bedroom", "kitchen", "dining_room", "living_room",
           "home_office", "office", "waiting_room", "conference_room", "hotel_room")

#: Object concepts (mask layer 0), in mask-value order.
OBJECTS = ("wall", "floor") + tuple(RECIPES) + ("clutter",)
#: All concepts: objects (layer 0) then parts (layer 1); mask value k = CONCEPTS[k - 1].
CONCEPTS = OBJECTS + PARTS
_ID = {name: k + 1 for k, name in enumerate(CONCEPTS)}

# class -> {object: (probability, min copies, max copies)}; the first two objects are the anchors.
COMPOSITION: dict[str, dict[str, tuple[float, int, int]]] = {
    "bathroom": {"toilet": (0.75, 1, 1), "bathtub": (0.45, 1, 1), "sink": (0.6, 1, 1),
                 "mirror": (0.55, 1, 1), "towel": (0.4, 1, 2), "cabinet": (0.15, 1, 1)},
    "bedroom": {"bed": (0.85, 1, 1), "wardrobe": (0.45, 1, 1), "nightstand": (0.55, 1, 2),
                "lamp": (0.5, 1, 1), "mirror": (0.15, 1, 1), "rug": (0.2, 1, 1)},
    "kitchen": {"stove": (0.7, 1, 1), "fridge": (0.55, 1, 1), "sink": (0.45, 1, 1),
                "cabinet": (0.5, 1, 2), "counter": (0.5, 1, 1)},
    "dining_room": {"table": (0.85, 1, 1), "chandelier": (0.5, 1, 1), "chair": (0.85, 2, 4),
                    "cabinet": (0.2, 1, 1)},
    "living_room": {"sofa": (0.8, 1, 1), "fireplace": (0.45, 1, 1), "tv": (0.55, 1, 1),
                    "table": (0.25, 1, 1), "lamp": (0.3, 1, 1), "rug": (0.4, 1, 1)},
    "home_office": {"desk": (0.85, 1, 1), "bookshelf": (0.55, 1, 2), "computer": (0.75, 1, 1),
                    "chair": (0.5, 1, 1), "lamp": (0.3, 1, 1)},
    "office": {"filing_cabinet": (0.6, 1, 2), "whiteboard": (0.5, 1, 1), "desk": (0.8, 1, 1),
               "computer": (0.85, 1, 1), "chair": (0.6, 1, 1)},
    "waiting_room": {"chair": (0.95, 3, 5), "clock": (0.6, 1, 1), "table": (0.3, 1, 1),
                     "tv": (0.2, 1, 1)},
    "conference_room": {"table": (0.9, 1, 1), "whiteboard": (0.55, 1, 1), "chair": (0.9, 2, 4),
                        "tv": (0.3, 1, 1), "clock": (0.2, 1, 1)},
    "hotel_room": {"suitcase": (0.7, 1, 2), "bed": (0.8, 1, 2), "tv": (0.5, 1, 1),
                   "nightstand": (0.45, 1, 1), "lamp": (0.4, 1, 1)},
}
#: Objects every class draws with the same probability (distractors).
SHARED = {"window": 0.45, "door": 0.3, "plant": 0.3, "picture": 0.35, "rug": 0.15, "lamp": 0.08,
          "mirror": 0.06, "clock": 0.06}
CROSS_ANCHOR_P = 0.04

# object -> (placement, width range as a fraction of the canvas, aspect h/w range)
_GEOMETRY: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {
    "toilet": ("floor", (0.17, 0.22), (0.95, 1.05)), "bathtub": ("floor", (0.4, 0.52), (0.42, 0.5)),
    "sink": ("floor", (0.14, 0.19), (1.5, 1.7)), "mirror": ("wall", (0.12, 0.17), (1.2, 1.4)),
    "towel": ("wall", (0.08, 0.12), (1.3, 1.6)), "bed": ("floor", (0.5, 0.62), (0.45, 0.55)),
    "nightstand": ("floor", (0.1, 0.13), (1.0, 1.15)), "lamp": ("on", (0.08, 0.11), (1.3, 1.6)),
    "wardrobe": ("floor", (0.22, 0.3), (1.6, 1.9)), "stove": ("floor", (0.2, 0.26), (1.0, 1.1)),
    "fridge": ("floor", (0.2, 0.25), (1.9, 2.2)), "cabinet": ("floor", (0.22, 0.32), (0.6, 0.75)),
    "counter": ("floor", (0.3, 0.45), (0.45, 0.55)), "table": ("floor", (0.38, 0.5), (0.4, 0.5)),
    "chair": ("floor", (0.11, 0.14), (1.6, 1.8)), "chandelier": ("ceiling", (0.18, 0.24), (0.6, 0.75)),
    "sofa": ("floor", (0.42, 0.55), (0.45, 0.52)), "tv": ("floor", (0.2, 0.26), (0.95, 1.05)),
    "fireplace": ("back", (0.26, 0.34), (0.8, 0.9)), "desk": ("floor", (0.38, 0.5), (0.48, 0.55)),
    "computer": ("on", (0.14, 0.18), (0.85, 0.95)), "bookshelf": ("floor", (0.2, 0.28), (1.2, 1.5)),
    "filing_cabinet": ("floor", (0.12, 0.15), (1.5, 1.7)), "whiteboard": ("wall", (0.3, 0.4), (0.55, 0.6)),
    "clock": ("wall", (0.07, 0.1), (1.0, 1.0)), "suitcase": ("floor", (0.1, 0.13), (1.1, 1.2)),
    "window": ("wall", (0.14, 0.2), (1.0, 1.2)), "door": ("back", (0.14, 0.19), (2.0, 2.2)),
    "plant": ("floor", (0.1, 0.15), (1.3, 1.5)), "picture": ("wall", (0.11, 0.17), (0.7, 0.85)),
    "rug": ("rug", (0.35, 0.55), (0.16, 0.22)),
}
# objects that stand on others when one of these is in the room
_ON = {"lamp": ("nightstand", "desk", "table", "cabinet"), "computer": ("desk", "table", "counter")}
_DOMAIN_CODE = 1
_FLOOR_SCALE = 1.25


def class_concepts(name: str) -> tuple[str, ...]:
    """The objects the generator draws for scene class ``name`` (anchors first)."""
    return tuple(COMPOSITION[name])


def scene_rng(seed: int, stream: str, key: int, j: int) -> np.random.Generator:
    """The random stream of one image: ``stream`` is a split or set name, ``key`` a class or set index."""
    return np.random.default_rng([_DOMAIN_CODE, int(seed), zlib.crc32(stream.encode()), int(key), int(j)])


@dataclass
class _Placed:
    name: str
    box: Box
    depth: float
    layer: int  # 0 wall/ceiling, 1 back, 2 rug, 3 floor


def _sample_objects(cls: str, rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    comp = COMPOSITION[cls]
    for obj, (p, lo, hi) in comp.items():
        if rng.random() < p:
            names += [obj] * int(rng.integers(lo, hi + 1))
    anchors = list(comp)[:2]
    if not any(a in names for a in anchors):
        names.append(anchors[int(rng.integers(2))])
    for obj, p in SHARED.items():
        if rng.random() < p and obj not in names:
            names.append(obj)
    if rng.random() < CROSS_ANCHOR_P:
        other = [c for c in CLASSES if c != cls]
        names.append(list(COMPOSITION[other[int(rng.integers(len(other)))]])[0])
    return names


def _place(name: str, s: int, horizon: float, rng: np.random.Generator, scale: float = 1.0,
           centre: bool = False) -> _Placed:
    kind, (w0, w1), (a0, a1) = _GEOMETRY[name]
    w = rng.uniform(w0, w1) * s * scale
    aspect = rng.uniform(a0, a1)
    if kind == "on":  # a stand-alone 'on' object stands on the floor (lamps become floor lamps)
        kind = "floor"
        if name == "lamp":
            aspect *= 2.3
    if kind in ("floor", "rug"):
        lo = horizon + (0.35 if centre else 0.2) * (s - horizon)
        bottom = rng.uniform(lo, s * (0.97 if centre else 1.0))
        w *= _FLOOR_SCALE * (0.7 + 0.45 * (bottom - horizon) / max(s - horizon, 1))
        if centre:
            w = min(w, 0.9 * s)
        h = w * aspect
        if h > bottom - 0.02 * s:
            w, h = w * (bottom - 0.02 * s) / h, bottom - 0.02 * s
        top, layer = bottom - h, 3 if kind == "floor" else 2
    elif kind == "back":
        bottom = horizon + rng.uniform(0.02, 0.1) * s
        w *= _FLOOR_SCALE
        h = w * aspect
        if h > bottom - 0.02 * s:
            w, h = w * (bottom - 0.02 * s) / h, bottom - 0.02 * s
        top, layer = bottom - h, 1
    elif kind == "ceiling":
        h = w * aspect
        top, layer = -rng.uniform(0.0, 0.15) * h, 0
    else:  # wall
        h = w * aspect
        room = horizon - 0.08 * s
        if h > room:
            w, h = w * max(room, 0.1 * s) / h, max(room, 0.1 * s)
        top, layer = rng.uniform(0.04 * s, max(0.04 * s, horizon - h - 0.03 * s)), 0
    if centre:
        x0 = s / 2 - w / 2 + rng.uniform(-0.12, 0.12) * s
    else:
        x0 = rng.uniform(-0.05 * w, s - 0.95 * w)
    return _Placed(name, Box(x0, top, w, h), top + h, layer)


def _spread(placed: list[_Placed], s: int, rng: np.random.Generator) -> None:
    """Move objects sideways (best of 6 tries) so that objects of one layer overlap less."""
    taken: dict[int, list[tuple[float, float]]] = {}
    for k, p in enumerate(placed):
        if _GEOMETRY[p.name][0] in ("on", "ceiling"):
            continue
        group = 3 if p.layer in (1, 3) else p.layer
        spans = taken.setdefault(group, [])
        tries = [p.box.x0] + list(rng.uniform(-0.05 * p.box.w, s - 0.95 * p.box.w, 5))
        cost = [sum(max(0.0, min(x + p.box.w, b) - max(x, a)) for a, b in spans) for x in tries]
        x0 = tries[int(np.argmin(cost))]
        spans.append((x0, x0 + p.box.w))
        placed[k] = _Placed(p.name, Box(x0, p.box.y0, p.box.w, p.box.h), p.depth, p.layer)


def _on_support(name: str, support: Box, rng: np.random.Generator, s: int) -> Box:
    _, (w0, w1), (a0, a1) = _GEOMETRY[name]
    w = min(rng.uniform(w0, w1) * s * (support.w / (0.44 * s)) ** 0.5, 0.7 * support.w)
    h = w * rng.uniform(a0, a1)
    x0 = support.x0 + rng.uniform(0.05, 0.95) * (support.w - w)
    return Box(x0, support.y0 - h + 0.01 * support.h, w, h)


def _background(rng: np.random.Generator, s: int, horizon: int) -> tuple[Canvas, np.ndarray, np.ndarray]:
    wall_c = random_colour(rng)
    floor_c = contrasting(rng, [wall_c], 60.0)
    rgb = np.empty((s, s, 3), np.uint8)
    if horizon:
        np.clip(texture(rng, horizon, s, wall_c), 0, 255, out=rgb[:horizon], casting="unsafe")
    if horizon < s:
        np.clip(texture(rng, s - horizon, s, floor_c), 0, 255, out=rgb[horizon:], casting="unsafe")
    objects = np.full((s, s), _ID["floor"], np.uint8)
    objects[:horizon] = _ID["wall"]
    canvas = Canvas(rgb, objects)
    return canvas, wall_c, floor_c


def _draw(canvas: Canvas, placed: _Placed, behind: list[np.ndarray], rng: np.random.Generator) -> tuple:
    pal = palette(rng, behind)
    pen = Pen(canvas, placed.box, _ID[placed.name], _ID)
    RECIPES[placed.name](pen, pal, rng)
    return _ID[placed.name], pal


def _clutter(canvas: Canvas, rng: np.random.Generator, s: int, n: int, behind: list[np.ndarray]) -> list:
    drawn = []
    for _ in range(n):
        r = rng.uniform(0.015, 0.035) * s
        x, y = rng.uniform(0, s), rng.uniform(0, s)
        col = tuple(int(v) for v in contrasting(rng, behind, 90.0))
        kind = int(rng.integers(3))
        if kind == 0:
            canvas.draw("ellipse", [x - r, y - r, x + r, y + r], col, _ID["clutter"])
        elif kind == 1:
            canvas.draw("rect", [x - r, y - r, x + r, y + r], col, _ID["clutter"])
        else:
            canvas.draw("poly", [(x, y - r), (x + r, y + r), (x - r, y + r)], col, _ID["clutter"])
        drawn.append(col)
    return drawn


def render_scene(cls: str, rng: np.random.Generator, size: int = 64, supersample: int = 2,
                 raw: bool = False):
    """Render one scene of class ``cls``.

    Returns ``(image uint8 (size, size, 3), masks uint16 (2, size, size))``: layer 0
    holds object values, layer 1 part values (see :data:`CONCEPTS`). With
    ``raw=True`` it returns the supersampled canvas before the photometric steps
    ``(rgb, objects, parts, colours)``, ``colours`` mapping each drawn object value
    to the colours it was painted with (for tests).
    """
    s = size * supersample
    horizon = int(rng.uniform(0.35, 0.6) * s)
    canvas, wall_c, floor_c = _background(rng, s, horizon)
    names = _sample_objects(cls, rng)
    placed = [_place(n, s, horizon, rng, 1.1 if n in list(COMPOSITION[cls])[:2] else 1.0) for n in names]
    _spread(placed, s, rng)
    placed.sort(key=lambda p: (p.layer, p.depth))
    carried: dict[int, list[_Placed]] = {}
    for p in placed:
        if p.name in _ON:
            host = next((h for h in placed if h.name in _ON[p.name]), None)
            if host is not None:
                carried.setdefault(id(host), []).append(p)
    on_top = {id(p) for ps in carried.values() for p in ps}
    colours: dict[int, set] = {_ID["wall"]: set(), _ID["floor"]: set()}
    for p in placed:
        if id(p) in on_top:
            continue
        behind = [wall_c] if p.layer <= 1 and p.box.bottom <= horizon else [wall_c, floor_c]
        oid, pal = _draw(canvas, p, behind, rng)
        colours.setdefault(oid, set()).update(pal.colours)
        for on in carried.get(id(p), []):
            oid, pal = _draw(canvas, _Placed(on.name, _on_support(on.name, p.box, rng, s), 0, 3),
                             [wall_c, floor_c], rng)
            colours.setdefault(oid, set()).update(pal.colours)
    colours[_ID["clutter"]] = set(_clutter(canvas, rng, s, int(rng.integers(1, 5)), [wall_c, floor_c]))
    rgb, obj, part = canvas.arrays()
    if raw:
        return rgb, obj, part, colours
    return finish(rgb, [obj, part], size, rng)


def render_concept(concept: str, rng: np.random.Generator, size: int = 64, supersample: int = 2):
    """An image of one concept alone on a random wall and floor: ``(image, masks)``.

    Floor objects are drawn 1.4 times their scene size near the centre, wall
    objects twice their size on a taller wall; a part is cut out of a random
    host object that has it; ``wall`` and ``floor`` fill the image.
    """
    if concept not in _ID:
        raise KeyError(concept)
    s = size * supersample
    horizon = {"wall": s, "floor": 0}.get(concept, int(rng.uniform(0.4, 0.6) * s))
    canvas, wall_c, floor_c = _background(rng, s, horizon)
    behind = [wall_c, floor_c]
    if concept == "clutter":
        _clutter(canvas, rng, s, int(rng.integers(3, 7)), behind)
    elif concept in RECIPES:
        wall = _GEOMETRY[concept][0] in ("wall", "ceiling")
        if wall:  # more wall, so that the object can be drawn large
            canvas, wall_c, floor_c = _background(rng, s, int(rng.uniform(0.75, 0.9) * s))
            behind = [wall_c, floor_c]
        _draw(canvas, _place(concept, s, _canvas_horizon(canvas, s), rng, 2.0 if wall else 1.4, centre=True),
              behind, rng)
    elif concept in PARTS:
        base_rgb, base_obj, base_part = (a.copy() for a in canvas.arrays())
        hosts = _hosts(concept)
        _draw(canvas, _place(hosts[int(rng.integers(len(hosts)))], s, horizon, rng, 2.0, centre=True),
              behind, rng)
        rgb, obj, part = canvas.arrays()
        keep = part == _ID[concept]
        canvas = Canvas(np.where(keep[..., None], rgb, base_rgb), np.where(keep, obj, base_obj),
                        np.where(keep, part, base_part))
    rgb, obj, part = canvas.arrays()
    return finish(rgb, [obj, part], size, rng)


def _canvas_horizon(canvas: Canvas, s: int) -> int:
    """Row where the floor starts on a fresh background canvas."""
    col = np.asarray(canvas.obj)[:, 0]
    rows = np.flatnonzero(col == _ID["floor"])
    return int(rows[0]) if len(rows) else s


_HOSTS: dict[str, tuple[str, ...]] = {}


def _hosts(part: str) -> tuple[str, ...]:
    """Objects whose recipe draws ``part`` (found once by drawing each object)."""
    if not _HOSTS:
        rng = np.random.default_rng(0)
        for name in RECIPES:
            canvas, _, _ = _background(rng, 256, 128)
            _draw(canvas, _place(name, 256, 128, rng, 1.4, centre=True), [np.zeros(3)], rng)
            for v in np.unique(canvas.arrays()[2]):
                if v:
                    key = CONCEPTS[v - 1]
                    _HOSTS[key] = _HOSTS.get(key, ()) + (name,)
    return _HOSTS[part]
