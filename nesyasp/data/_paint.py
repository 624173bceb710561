"""Drawing helpers shared by the generators: a canvas with mask layers, colours, textures.

Every primitive is drawn into the RGB image and into each mask layer at once,
so the masks record exactly the visible pixels of each concept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["Canvas", "Box", "Palette", "random_colour", "contrasting", "palette", "texture", "finish"]

Colour = tuple[int, int, int]


class Canvas:
    """An RGB image of side ``s`` with an object layer and a part layer (mode ``L``)."""

    def __init__(self, rgb: np.ndarray, objects: np.ndarray, parts: np.ndarray | None = None) -> None:
        self.s = rgb.shape[0]
        self.rgb = Image.fromarray(rgb, "RGB")
        self.obj = Image.fromarray(objects.astype(np.uint8), "L")
        self.part = Image.fromarray(np.zeros_like(objects, np.uint8) if parts is None else parts.astype(np.uint8), "L")
        self._d = (ImageDraw.Draw(self.rgb), ImageDraw.Draw(self.obj), ImageDraw.Draw(self.part))

    def draw(self, kind: str, xy, colour: Colour, obj: int, part: int = 0, **kw) -> None:
        """Draw one primitive (``rect``, ``rrect``, ``ellipse``, ``poly``, ``chord``, ``line``, ``pie``)."""
        for d, fill in zip(self._d, (colour, obj, part)):
            if kind == "rect":
                d.rectangle(xy, fill=fill)
            elif kind == "rrect":
                d.rounded_rectangle(xy, radius=kw["radius"], fill=fill)
            elif kind == "ellipse":
                d.ellipse(xy, fill=fill)
            elif kind == "poly":
                d.polygon(xy, fill=fill)
            elif kind == "chord":
                d.chord(xy, kw["start"], kw["end"], fill=fill)
            elif kind == "pie":
                d.pieslice(xy, kw["start"], kw["end"], fill=fill)
            elif kind == "line":
                d.line(xy, fill=fill, width=kw["width"])
            else:  # pragma: no cover - programming error
                raise ValueError(kind)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rgb uint8 (s, s, 3), objects uint8 (s, s), parts uint8 (s, s))``."""
        return np.asarray(self.rgb), np.asarray(self.obj), np.asarray(self.part)


@dataclass(frozen=True, slots=True)
class Box:
    """An object's box in canvas pixels; drawing coordinates are fractions of it."""

    x0: float
    y0: float
    w: float
    h: float

    def pt(self, fx: float, fy: float) -> tuple[float, float]:
        return (self.x0 + fx * self.w, self.y0 + fy * self.h)

    def rect(self, fx0: float, fy0: float, fx1: float, fy1: float) -> list[float]:
        x0, y0 = self.pt(fx0, fy0)
        x1, y1 = self.pt(fx1, fy1)
        return [min(x0, x1), min(y0, y1), max(x0, x1, min(x0, x1) + 1), max(y0, y1, min(y0, y1) + 1)]

    @property
    def bottom(self) -> float:
        return self.y0 + self.h


def _hsv_rows(u: np.ndarray) -> np.ndarray:
    """RGB rows (0-255) from rows of three uniforms: any hue, s 0-0.85, v 0.15-0.95."""
    h, s, v = u[:, 0], u[:, 1] * 0.85, 0.15 + u[:, 2] * 0.8
    i = (h * 6).astype(np.intp) % 6
    f = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    table = np.stack([np.stack(c, 1) for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))])
    return table[i, np.arange(len(u))] * 255.0


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """A colour from the one class-agnostic HSV palette (any hue, s 0-0.85, v 0.15-0.95)."""
    return _hsv_rows(rng.random((1, 3)))[0]


def contrasting(rng: np.random.Generator, against: list[np.ndarray], min_dist: float = 110.0) -> np.ndarray:
    """A palette colour at least ``min_dist`` RGB units from every colour in ``against``.

    Candidates are drawn eight at a time; after five rounds the farthest one is taken.
    """
    refs = np.asarray(against, dtype=np.float64).reshape(-1, 3)
    best, best_d = None, -1.0
    for _ in range(5):
        cands = _hsv_rows(rng.random((8, 3)))
        if len(refs) == 0:
            return cands[0]
        d = np.sqrt(((cands[:, None, :] - refs[None]) ** 2).sum(-1)).min(1)
        ok = np.flatnonzero(d >= min_dist)
        if len(ok):
            return cands[ok[0]]
        k = int(np.argmax(d))
        if d[k] > best_d:
            best, best_d = cands[k], float(d[k])
    return best


def _tuple(c: np.ndarray) -> Colour:
    return tuple(min(255, max(0, int(round(float(v))))) for v in c)


@dataclass(frozen=True, slots=True)
class Palette:
    """An object's colours: ``main``, ``dark`` and ``light`` shades of it, and ``accent``."""

    main: Colour
    dark: Colour
    light: Colour
    accent: Colour

    @property
    def colours(self) -> tuple[Colour, ...]:
        return (self.main, self.dark, self.light, self.accent)


def palette(rng: np.random.Generator, behind: list[np.ndarray]) -> Palette:
    """Random class-agnostic colours for one object, contrasting with what is ``behind`` it."""
    main = contrasting(rng, behind)
    dark = main * rng.uniform(0.3, 0.5)
    light = main + (255.0 - main) * rng.uniform(0.45, 0.7)
    accent = contrasting(rng, [main, dark], 90.0)
    return Palette(_tuple(main), _tuple(dark), _tuple(light), _tuple(accent))


def texture(rng: np.random.Generator, h: int, w: int, base: np.ndarray) -> np.ndarray:
    """A random texture ``(h, w, 3)`` float around colour ``base``: flat, noise, stripes, checker or tiles."""
    kind = int(rng.integers(6))
    amp = np.float32(rng.uniform(10, 28))
    ys, xs = np.ogrid[:h, :w]
    if kind == 0:
        pattern = np.zeros((1, 1), np.float32)
    elif kind == 1:
        small = rng.standard_normal((h // 8 + 1, w // 8 + 1), dtype=np.float32) * np.float32(0.6)
        pattern = np.repeat(np.repeat(small, 8, 0), 8, 1)[:h, :w]
    elif kind == 2:
        period = int(rng.integers(6, 16))
        pattern = (((ys // period) % 2) * 2.0 - 1).astype(np.float32)
    elif kind == 3:
        period = int(rng.integers(6, 16))
        pattern = (((xs // period) % 2) * 2.0 - 1).astype(np.float32)
    elif kind == 4:
        period = int(rng.integers(8, 20))
        pattern = ((((ys // period) + (xs // period)) % 2) * 2.0 - 1).astype(np.float32)
    else:
        period = int(rng.integers(10, 22))
        grout = ((ys % period) < 2) | ((xs % period) < 2)
        pattern = np.where(grout, np.float32(-2.0), np.float32(0.0))
    out = np.asarray(base, np.float32)[None, None, :] + amp * pattern[..., None]
    return np.broadcast_to(out, (h, w, 3))


def finish(rgb: np.ndarray, masks: list[np.ndarray], size: int, rng: np.random.Generator,
           flip: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Photometric steps and downsampling: gain, colour cast, resize to ``size``, pixel noise, flip.

    Returns ``(image uint8 (size, size, 3), masks uint16 (L, size, size))``.
    """
    gain = np.float32(rng.uniform(0.7, 1.2))
    cast = rng.normal(0.0, 12.0, 3).astype(np.float32)
    img = rgb
    if img.shape[0] != size:  # linear steps commute with the (linear) downsampling, so do them after it
        img = np.asarray(Image.fromarray(img).resize((size, size), Image.BILINEAR, reducing_gap=None))
        masks = [np.asarray(Image.fromarray(m).resize((size, size), Image.NEAREST)) for m in masks]
    sigma = np.float32(rng.uniform(2.0, 8.0))
    noisy = img.astype(np.float32) * gain + cast + rng.standard_normal(img.shape, dtype=np.float32) * sigma
    img = np.clip(noisy, 0, 255).astype(np.uint8)
    stack = np.stack(masks).astype(np.uint16)
    if flip and rng.random() < 0.5:
        img, stack = img[:, ::-1], stack[:, :, ::-1]
    return np.ascontiguousarray(img), np.ascontiguousarray(stack)
