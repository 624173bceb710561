"""Drawing recipes of the scene objects: a few primitives each, in box-relative coordinates.

A recipe ``f(pen, pal, rng)`` draws one object into its box. Every primitive
names the part it belongs to (or ``None``), so the object and part masks come
with the pixels. Objects are seen from the front or the side, as a child
would draw them: a bed is a headboard, a mattress, a blanket and a pillow on legs.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from nesyasp.data._paint import Box, Canvas, Palette

__all__ = ["Pen", "RECIPES", "PARTS"]

#: Part concepts, in mask-value order (after the objects).
PARTS = ("tank", "bowl", "seat", "rim", "faucet", "basin", "leg", "headboard", "mattress", "blanket",
         "pillow", "drawer", "knob", "top", "handle", "shade", "stem", "panel", "burner", "controls",
         "oven_door", "glass", "frame", "cloth", "rail", "backrest", "cushion", "armrest", "mantel",
         "hearth", "fire", "screen", "stand", "keyboard", "shelf", "book", "board", "face", "hand",
         "strap", "wheel", "pane", "pot", "leaf", "canvas", "chain", "arm", "bulb")


class Pen:
    """Draws primitives of one object (mask value ``oid``) into a box of a canvas."""

    def __init__(self, canvas: Canvas, box: Box, oid: int, part_ids: dict[str, int]) -> None:
        self.c, self.b, self.oid, self.parts = canvas, box, oid, part_ids

    def _p(self, part: str | None) -> int:
        return self.parts[part] if part else 0

    def rect(self, part, col, x0, y0, x1, y1) -> None:
        self.c.draw("rect", self.b.rect(x0, y0, x1, y1), col, self.oid, self._p(part))

    def rrect(self, part, col, x0, y0, x1, y1, r: float = 0.2) -> None:
        xy = self.b.rect(x0, y0, x1, y1)
        radius = max(1, int(r * min(xy[2] - xy[0], xy[3] - xy[1])))
        self.c.draw("rrect", xy, col, self.oid, self._p(part), radius=radius)

    def ellipse(self, part, col, x0, y0, x1, y1) -> None:
        self.c.draw("ellipse", self.b.rect(x0, y0, x1, y1), col, self.oid, self._p(part))

    def chord(self, part, col, x0, y0, x1, y1, start: float, end: float) -> None:
        self.c.draw("chord", self.b.rect(x0, y0, x1, y1), col, self.oid, self._p(part), start=start, end=end)

    def poly(self, part, col, pts) -> None:
        self.c.draw("poly", [self.b.pt(x, y) for x, y in pts], col, self.oid, self._p(part))

    def line(self, part, col, pts, width: float = 0.05) -> None:
        w = max(1, int(round(width * self.b.w)))
        self.c.draw("line", [self.b.pt(x, y) for x, y in pts], col, self.oid, self._p(part), width=w)


def _toilet(p: Pen, c: Palette, rng) -> None:
    p.poly(None, c.main, [(0.4, 0.6), (0.84, 0.6), (0.74, 1.0), (0.46, 1.0)])
    p.rrect("tank", c.main, 0.0, 0.02, 0.3, 0.55, 0.15)
    p.rect("tank", c.dark, -0.03, 0.0, 0.33, 0.07)
    p.rect("handle", c.accent, 0.2, 0.12, 0.3, 0.17)
    p.chord("bowl", c.main, 0.22, 0.2, 1.0, 0.8, 0, 180)
    p.rrect("seat", c.accent, 0.22, 0.44, 1.02, 0.53, 0.4)


def _bathtub(p: Pen, c: Palette, rng) -> None:
    p.line("faucet", c.accent, [(0.1, 0.25), (0.1, -0.08), (0.22, -0.08), (0.22, 0.02)], 0.035)
    p.ellipse("leg", c.dark, 0.08, 0.78, 0.2, 1.0)
    p.ellipse("leg", c.dark, 0.8, 0.78, 0.92, 1.0)
    p.chord(None, c.main, 0.0, -0.4, 1.0, 0.9, 0, 180)
    p.rect("rim", c.light, -0.03, 0.16, 1.03, 0.3)


def _sink(p: Pen, c: Palette, rng) -> None:
    p.poly(None, c.main, [(0.38, 0.45), (0.62, 0.45), (0.58, 1.0), (0.42, 1.0)])
    p.line("faucet", c.accent, [(0.5, 0.3), (0.5, 0.06), (0.66, 0.06), (0.66, 0.14)], 0.07)
    p.chord("basin", c.main, 0.0, 0.0, 1.0, 0.58, 0, 180)
    p.ellipse("rim", c.light, 0.0, 0.22, 1.0, 0.36)
    p.ellipse("basin", c.dark, 0.12, 0.25, 0.88, 0.33)


def _mirror(p: Pen, c: Palette, rng) -> None:
    if rng.random() < 0.5:
        p.ellipse("frame", c.main, 0, 0, 1, 1)
        p.ellipse("glass", c.light, 0.1, 0.08, 0.9, 0.92)
    else:
        p.rect("frame", c.main, 0, 0, 1, 1)
        p.rect("glass", c.light, 0.1, 0.08, 0.9, 0.92)
    p.line("glass", c.accent, [(0.28, 0.42), (0.5, 0.2)], 0.06)
    p.line("glass", c.accent, [(0.36, 0.56), (0.66, 0.26)], 0.06)


def _towel(p: Pen, c: Palette, rng) -> None:
    p.rect("cloth", c.main, 0.06, 0.04, 0.94, 1.0)
    p.rect("cloth", c.light, 0.06, 0.04, 0.94, 0.16)
    p.rect("cloth", c.accent, 0.06, 0.72, 0.94, 0.82)
    p.line("rail", c.dark, [(-0.15, 0.05), (1.15, 0.05)], 0.07)


def _bed(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.dark, 0.08, 0.75, 0.14, 1.0)
    p.rect("leg", c.dark, 0.9, 0.75, 0.96, 1.0)
    p.rect(None, c.main, 0.04, 0.6, 1.0, 0.8)
    p.rrect("headboard", c.dark, 0.0, 0.0, 0.1, 1.0, 0.3)
    p.rrect("mattress", c.light, 0.08, 0.42, 1.0, 0.64, 0.3)
    p.rrect("blanket", c.accent, 0.4, 0.36, 1.01, 0.7, 0.2)
    p.ellipse("pillow", c.main, 0.1, 0.24, 0.36, 0.48)


def _nightstand(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.dark, 0.05, 0.85, 0.15, 1.0)
    p.rect("leg", c.dark, 0.85, 0.85, 0.95, 1.0)
    p.rect(None, c.main, 0.0, 0.06, 1.0, 0.86)
    p.rect("top", c.dark, -0.05, 0.0, 1.05, 0.08)
    for y0 in (0.14, 0.5):
        p.rect("drawer", c.light, 0.1, y0, 0.9, y0 + 0.3)
        p.ellipse("knob", c.dark, 0.43, y0 + 0.11, 0.57, y0 + 0.19)


def _lamp(p: Pen, c: Palette, rng) -> None:
    tall = p.b.h > 2.2 * p.b.w
    top = 0.22 if tall else 0.42
    p.ellipse("stem", c.dark, 0.22, 0.93, 0.78, 1.0)
    p.line("stem", c.dark, [(0.5, 0.96), (0.5, top * 0.6)], 0.1)
    p.poly("shade", c.main, [(0.22, 0.0), (0.78, 0.0), (1.0, top), (0.0, top)])


def _wardrobe(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.dark, 0.04, 0.95, 0.12, 1.0)
    p.rect("leg", c.dark, 0.88, 0.95, 0.96, 1.0)
    p.rect(None, c.main, 0.0, 0.03, 1.0, 0.96)
    p.rect("top", c.dark, -0.04, 0.0, 1.04, 0.05)
    p.rect("panel", c.light, 0.05, 0.08, 0.48, 0.92)
    p.rect("panel", c.light, 0.52, 0.08, 0.95, 0.92)
    p.rect("handle", c.dark, 0.4, 0.42, 0.44, 0.58)
    p.rect("handle", c.dark, 0.56, 0.42, 0.6, 0.58)


def _stove(p: Pen, c: Palette, rng) -> None:
    p.rect(None, c.main, 0.0, 0.06, 1.0, 1.0)
    p.ellipse("burner", c.dark, 0.08, -0.04, 0.42, 0.05)
    p.ellipse("burner", c.dark, 0.58, -0.04, 0.92, 0.05)
    p.rect("top", c.accent, -0.02, 0.02, 1.02, 0.08)
    p.rect("controls", c.light, 0.0, 0.1, 1.0, 0.24)
    for k in range(4):
        x = 0.14 + 0.24 * k
        p.ellipse("knob", c.dark, x - 0.06, 0.12, x + 0.06, 0.22)
    p.rect("oven_door", c.light, 0.08, 0.3, 0.92, 0.95)
    p.rect("glass", c.dark, 0.2, 0.46, 0.8, 0.8)
    p.rect("handle", c.dark, 0.15, 0.34, 0.85, 0.39)


def _fridge(p: Pen, c: Palette, rng) -> None:
    p.rrect(None, c.main, 0.0, 0.0, 1.0, 1.0, 0.1)
    p.rrect("panel", c.light, 0.04, 0.02, 0.96, 0.32, 0.1)
    p.rrect("panel", c.light, 0.04, 0.35, 0.96, 0.98, 0.06)
    p.rect("handle", c.dark, 0.8, 0.14, 0.86, 0.29)
    p.rect("handle", c.dark, 0.8, 0.39, 0.86, 0.6)


def _cabinet(p: Pen, c: Palette, rng) -> None:
    n = int(rng.integers(2, 4))
    p.rect(None, c.main, 0.0, 0.06, 1.0, 1.0)
    p.rect("top", c.dark, -0.03, 0.0, 1.03, 0.08)
    for k in range(n):
        x0 = 0.05 + 0.9 * k / n
        x1 = 0.05 + 0.9 * (k + 1) / n - 0.03
        p.rect("panel", c.light, x0, 0.15, x1, 0.93)
        kx = x1 - 0.07 if k % 2 == 0 else x0 + 0.07
        p.ellipse("knob", c.dark, kx - 0.03, 0.48, kx + 0.03, 0.58)


def _counter(p: Pen, c: Palette, rng) -> None:
    n = int(rng.integers(2, 5))
    p.rect(None, c.main, 0.0, 0.08, 1.0, 1.0)
    p.rect("top", c.accent, -0.03, 0.0, 1.03, 0.1)
    for k in range(n):
        x0 = 0.04 + 0.92 * k / n
        x1 = 0.04 + 0.92 * (k + 1) / n - 0.02
        p.rect("drawer", c.light, x0, 0.15, x1, 0.38)
        p.rect("panel", c.light, x0, 0.44, x1, 0.95)
        xm = (x0 + x1) / 2
        p.rect("handle", c.dark, xm - 0.05, 0.24, xm + 0.05, 0.29)


def _table(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.dark, 0.05, 0.1, 0.11, 1.0)
    p.rect("leg", c.dark, 0.89, 0.1, 0.95, 1.0)
    p.rect(None, c.dark, 0.04, 0.1, 0.96, 0.2)
    p.rect("top", c.main, -0.02, 0.0, 1.02, 0.12)


def _chair(p: Pen, c: Palette, rng) -> None:
    p.line("leg", c.dark, [(0.06, 0.58), (0.06, 1.0)], 0.1)
    p.line("leg", c.dark, [(0.92, 0.58), (0.92, 1.0)], 0.1)
    p.rect("backrest", c.main, 0.0, 0.0, 0.14, 0.6)
    p.rrect("backrest", c.accent, 0.0, 0.04, 0.2, 0.4, 0.3)
    p.rect("seat", c.main, 0.0, 0.52, 1.0, 0.62)


def _chandelier(p: Pen, c: Palette, rng) -> None:
    p.line("chain", c.dark, [(0.5, 0.0), (0.5, 0.42)], 0.035)
    for x in (0.08, 0.3, 0.7, 0.92):
        p.line("arm", c.main, [(0.5, 0.55), (x, 0.72), (x, 0.55)], 0.05)
        p.ellipse("bulb", c.light, x - 0.07, 0.36, x + 0.07, 0.56)
    p.ellipse(None, c.main, 0.38, 0.4, 0.62, 0.68)


def _sofa(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.dark, 0.06, 0.86, 0.1, 1.0)
    p.rect("leg", c.dark, 0.9, 0.86, 0.94, 1.0)
    p.rrect("backrest", c.main, 0.04, 0.0, 0.96, 0.55, 0.25)
    p.rect(None, c.main, 0.0, 0.5, 1.0, 0.88)
    n = int(rng.integers(2, 4))
    for k in range(n):
        x0 = 0.13 + 0.74 * k / n
        p.rrect("cushion", c.light, x0 + 0.01, 0.4, x0 + 0.74 / n - 0.01, 0.6, 0.3)
    p.rrect("armrest", c.dark, 0.0, 0.26, 0.13, 0.88, 0.3)
    p.rrect("armrest", c.dark, 0.87, 0.26, 1.0, 0.88, 0.3)


def _tv(p: Pen, c: Palette, rng) -> None:
    p.rect("stand", c.main, 0.05, 0.7, 0.95, 1.0)
    p.rect("drawer", c.light, 0.12, 0.77, 0.88, 0.93)
    p.rect("stand", c.dark, 0.44, 0.55, 0.56, 0.72)
    p.rrect("frame", c.dark, 0.0, 0.0, 1.0, 0.6, 0.06)
    p.rect("screen", c.accent, 0.05, 0.05, 0.95, 0.53)
    p.line("screen", c.light, [(0.12, 0.45), (0.35, 0.1)], 0.03)


def _fireplace(p: Pen, c: Palette, rng) -> None:
    p.rect(None, c.main, 0.0, 0.08, 1.0, 1.0)
    p.rect("mantel", c.dark, -0.06, 0.0, 1.06, 0.1)
    p.rect("hearth", c.dark, 0.2, 0.48, 0.8, 1.0)
    p.ellipse("hearth", c.dark, 0.2, 0.3, 0.8, 0.66)
    xs = np.sort(rng.uniform(0.3, 0.7, 3))
    for x in xs:
        p.poly("fire", c.accent, [(x - 0.1, 0.94), (x + 0.1, 0.94), (x + 0.02, 0.55), (x - 0.03, 0.7)])
    p.rect("hearth", c.light, -0.02, 0.94, 1.02, 1.0)


def _desk(p: Pen, c: Palette, rng) -> None:
    p.rect("leg", c.main, 0.02, 0.08, 0.08, 1.0)
    p.rect(None, c.main, 0.6, 0.08, 0.98, 1.0)
    for k in range(3):
        y0 = 0.14 + 0.28 * k
        p.rect("drawer", c.light, 0.63, y0, 0.95, y0 + 0.24)
        p.ellipse("knob", c.dark, 0.76, y0 + 0.09, 0.82, y0 + 0.15)
    p.rect("top", c.dark, -0.02, 0.0, 1.02, 0.09)


def _computer(p: Pen, c: Palette, rng) -> None:
    p.poly("stand", c.dark, [(0.44, 0.68), (0.56, 0.68), (0.6, 0.88), (0.4, 0.88)])
    p.rect("stand", c.dark, 0.28, 0.86, 0.72, 0.92)
    p.rrect(None, c.main, 0.0, 0.0, 1.0, 0.7, 0.08)
    p.rect("screen", c.accent, 0.07, 0.07, 0.93, 0.62)
    p.rect("keyboard", c.light, -0.2, 0.92, 0.62, 1.0)


def _bookshelf(p: Pen, c: Palette, rng) -> None:
    p.rect("frame", c.main, 0.0, 0.0, 1.0, 1.0)
    n = int(rng.integers(3, 5))
    cols = (c.accent, c.light, c.dark)
    for k in range(n):
        y0 = 0.05 + 0.9 * k / n
        y1 = 0.05 + 0.9 * (k + 1) / n - 0.04
        p.rect(None, c.dark, 0.07, y0, 0.93, y1)
        x = 0.08
        while x < 0.86:
            w = rng.uniform(0.05, 0.1)
            top = y0 + (y1 - y0) * rng.uniform(0.05, 0.35)
            p.rect("book", cols[int(rng.integers(2))], x, top, min(x + w - 0.01, 0.92), y1)
            x += w
        p.rect("shelf", c.light, 0.04, y1, 0.96, y1 + 0.04)


def _filing_cabinet(p: Pen, c: Palette, rng) -> None:
    p.rect(None, c.main, 0.0, 0.0, 1.0, 1.0)
    for k in range(4):
        y0 = 0.03 + 0.24 * k
        p.rect("drawer", c.light, 0.07, y0, 0.93, y0 + 0.21)
        p.rect("handle", c.dark, 0.35, y0 + 0.05, 0.65, y0 + 0.08)
        p.rect("drawer", c.accent, 0.4, y0 + 0.12, 0.6, y0 + 0.17)


def _whiteboard(p: Pen, c: Palette, rng) -> None:
    p.rect("frame", c.main, 0.0, 0.0, 1.0, 0.9)
    p.rect("board", c.light, 0.04, 0.07, 0.96, 0.83)
    for _ in range(int(rng.integers(2, 5))):
        pts = [(rng.uniform(0.1, 0.9), rng.uniform(0.15, 0.75)) for _ in range(3)]
        p.line("board", c.accent, pts, 0.015)
    p.rect("frame", c.dark, 0.1, 0.86, 0.9, 0.94)


def _clock(p: Pen, c: Palette, rng) -> None:
    p.ellipse("frame", c.main, 0.0, 0.0, 1.0, 1.0)
    p.ellipse("face", c.light, 0.12, 0.12, 0.88, 0.88)
    for a in (0, 90, 180, 270):
        x, y = 0.5 + 0.3 * math.cos(math.radians(a)), 0.5 + 0.3 * math.sin(math.radians(a))
        p.rect("face", c.dark, x - 0.04, y - 0.04, x + 0.04, y + 0.04)
    for length, width in ((0.32, 0.07), (0.22, 0.1)):
        a = rng.uniform(0, 2 * math.pi)
        p.line("hand", c.dark, [(0.5, 0.5), (0.5 + length * math.cos(a), 0.5 + length * math.sin(a))], width)


def _suitcase(p: Pen, c: Palette, rng) -> None:
    p.rect("handle", c.dark, 0.35, 0.0, 0.65, 0.05)
    p.rect("handle", c.dark, 0.35, 0.0, 0.41, 0.14)
    p.rect("handle", c.dark, 0.59, 0.0, 0.65, 0.14)
    p.ellipse("wheel", c.dark, 0.08, 0.9, 0.22, 1.0)
    p.ellipse("wheel", c.dark, 0.78, 0.9, 0.92, 1.0)
    p.rrect(None, c.main, 0.0, 0.12, 1.0, 0.94, 0.15)
    p.rect("strap", c.accent, 0.24, 0.12, 0.32, 0.94)
    p.rect("strap", c.accent, 0.68, 0.12, 0.76, 0.94)


def _window(p: Pen, c: Palette, rng) -> None:
    p.rect("frame", c.main, 0.0, 0.0, 1.0, 0.94)
    p.rect("pane", c.light, 0.08, 0.07, 0.92, 0.88)
    p.rect("frame", c.main, 0.47, 0.07, 0.53, 0.88)
    p.rect("frame", c.main, 0.08, 0.45, 0.92, 0.51)
    p.rect("frame", c.dark, -0.06, 0.9, 1.06, 1.0)


def _door(p: Pen, c: Palette, rng) -> None:
    p.rect("frame", c.dark, -0.07, -0.04, 1.07, 1.0)
    p.rect(None, c.main, 0.0, 0.0, 1.0, 1.0)
    p.rect("panel", c.light, 0.16, 0.07, 0.84, 0.42)
    p.rect("panel", c.light, 0.16, 0.5, 0.84, 0.93)
    p.ellipse("knob", c.accent, 0.74, 0.47, 0.88, 0.53)


def _plant(p: Pen, c: Palette, rng) -> None:
    n = int(rng.integers(5, 8))
    for k in range(n):
        a = math.radians(200 + 140 * (k + rng.uniform(0.2, 0.8)) / n)
        r = rng.uniform(0.45, 0.62)
        tip = (0.5 + r * math.cos(a), 0.66 + r * 1.1 * math.sin(a))
        mid = ((0.5 + tip[0]) / 2, (0.66 + tip[1]) / 2)
        nx, ny = -(tip[1] - 0.66) * 0.3, (tip[0] - 0.5) * 0.3
        p.poly("leaf", c.accent if k % 2 else c.light,
               [(0.5, 0.66), (mid[0] + nx, mid[1] + ny), tip, (mid[0] - nx, mid[1] - ny)])
    p.poly("pot", c.main, [(0.25, 0.68), (0.75, 0.68), (0.66, 1.0), (0.34, 1.0)])
    p.rect("pot", c.dark, 0.22, 0.65, 0.78, 0.71)


def _picture(p: Pen, c: Palette, rng) -> None:
    p.rect("frame", c.main, 0.0, 0.0, 1.0, 1.0)
    p.rect("canvas", c.light, 0.1, 0.1, 0.9, 0.9)
    p.ellipse("canvas", c.dark, 0.6, 0.18, 0.78, 0.36)
    peak = rng.uniform(0.3, 0.6)
    p.poly("canvas", c.accent, [(0.1, 0.9), (0.1, 0.7), (peak, 0.35), (0.9, 0.75), (0.9, 0.9)])


def _rug(p: Pen, c: Palette, rng) -> None:
    if rng.random() < 0.5:
        p.ellipse(None, c.main, 0, 0, 1, 1)
        p.ellipse(None, c.accent, 0.08, 0.15, 0.92, 0.85)
        p.ellipse(None, c.main, 0.18, 0.3, 0.82, 0.7)
    else:
        p.rect(None, c.main, 0, 0, 1, 1)
        p.rect(None, c.accent, 0.05, 0.15, 0.95, 0.85)
        p.rect(None, c.main, 0.12, 0.32, 0.88, 0.68)


RECIPES: dict[str, Callable[[Pen, Palette, np.random.Generator], None]] = {
    "toilet": _toilet, "bathtub": _bathtub, "sink": _sink, "mirror": _mirror, "towel": _towel,
    "bed": _bed, "nightstand": _nightstand, "lamp": _lamp, "wardrobe": _wardrobe, "stove": _stove,
    "fridge": _fridge, "cabinet": _cabinet, "counter": _counter, "table": _table, "chair": _chair,
    "chandelier": _chandelier, "sofa": _sofa, "tv": _tv, "fireplace": _fireplace, "desk": _desk,
    "computer": _computer, "bookshelf": _bookshelf, "filing_cabinet": _filing_cabinet,
    "whiteboard": _whiteboard, "clock": _clock, "suitcase": _suitcase, "window": _window,
    "door": _door, "plant": _plant, "picture": _picture, "rug": _rug,
}
