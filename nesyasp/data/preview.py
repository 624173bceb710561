"""A picture of an image set: each image beside its mask layers, concepts coloured and named.

Examples
--------
>>> from nesyasp.data import load_dataset
>>> grid = preview_grid(load_dataset("scenes", classes=2, per_class=1, size=16), per_class=1, scale=2)
>>> grid.mode, grid.size[1] > 32
('RGB', True)
"""

from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nesyasp.data.imageset import ImageSet
from nesyasp.data.pngtag import has_png_tag, save_tagged_png
from nesyasp.errors import DataError

__all__ = ["concept_colours", "colour_masks", "preview_grid", "is_preview_picture", "refuse_foreign_file",
           "write_preview"]

_MARGIN = 96
_GAP = 4
_TAG = "nesyasp data preview"  # the PNG text chunk that marks the previews nesyasp writes


def is_preview_picture(path: str | Path) -> bool:
    """True when ``path`` is a PNG that :func:`write_preview` wrote (so it may be written again)."""
    return has_png_tag(path, _TAG)


def refuse_foreign_file(path: str | Path) -> None:
    """Raise :class:`DataError` when ``path`` exists (a link included) and is not a preview nesyasp wrote.

    A user's own image (a photo) of that name is never written over.
    """
    path = Path(path)
    if (path.exists() or path.is_symlink()) and not path.is_dir() and not is_preview_picture(path):
        raise DataError(f"{path}: exists and is not a preview nesyasp wrote, so it is left as it is; "
                        "name a new file, or delete this one first")


def write_preview(grid: Image.Image, path: str | Path) -> None:
    """Write a :func:`preview_grid` picture as a tagged PNG; never over a file that is not a preview.

    Raises
    ------
    DataError
        When ``path`` holds another file (see :func:`refuse_foreign_file`) or cannot be written.
    """
    refuse_foreign_file(path)
    save_tagged_png(grid, path, _TAG)


def concept_colours(n: int) -> np.ndarray:
    """``(n + 1, 3)`` uint8 colours: black for 0 (no concept), well-spread hues for values 1..n."""
    out = np.zeros((n + 1, 3), np.uint8)
    for k in range(1, n + 1):
        h = (k * 0.618033988749895) % 1.0
        s = 0.55 + 0.4 * ((k * 7) % 3) / 2
        v = 0.65 + 0.35 * ((k * 5) % 2)
        out[k] = np.array(colorsys.hsv_to_rgb(h, s, v)) * 255
    return out


def colour_masks(layer: np.ndarray, n_concepts: int) -> np.ndarray:
    """A mask layer ``(H, W)`` as an RGB picture ``(H, W, 3)``."""
    return concept_colours(n_concepts)[np.clip(layer.astype(np.intp), 0, n_concepts)]


def _label_regions(draw: ImageDraw.ImageDraw, layer: np.ndarray, names: tuple[str, ...], x0: int, y0: int,
                   scale: int, font, skip: set[int]) -> None:
    """Name the larger regions of a mask layer at a pixel near their centre, without overlapping names."""
    values, counts = np.unique(layer, return_counts=True)
    min_area = max(6, layer.size // 100)
    boxes: list[tuple[float, float, float, float]] = []
    for v, c in sorted(zip(values.tolist(), counts.tolist()), key=lambda t: -t[1]):
        if v == 0 or v in skip or c < min_area:
            continue
        ys, xs = np.nonzero(layer == v)
        k = int(np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2))  # a pixel of the region near its centre
        x, y = x0 + int(xs[k]) * scale, y0 + int(ys[k]) * scale
        text = names[v - 1] if v - 1 < len(names) else str(v)
        box = draw.textbbox((x, y), text, font=font, anchor="mm", stroke_width=1)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        draw.text((x, y), text, fill=(255, 255, 255), font=font, anchor="mm", stroke_width=1,
                  stroke_fill=(0, 0, 0))


def preview_grid(imageset: ImageSet, per_class: int = 4, scale: int = 2, names: bool = True) -> Image.Image:
    """One row per class: ``per_class`` images, each followed by its coloured mask layers.

    Parameters
    ----------
    imageset : ImageSet
        The set to show (the first ``per_class`` images of each class).
    scale : int
        Pixel magnification.
    names : bool
        Write concept names on the mask regions (objects larger than a few pixels).
    """
    h, w = imageset.size
    layers = imageset.masks.shape[1]
    n_concepts = len(imageset.concept_names)
    tile_w, tile_h = w * scale, h * scale
    rows = [np.flatnonzero(imageset.labels == c)[:per_class] for c in range(len(imageset.class_names))]
    per_class = max(1, max((len(r) for r in rows), default=0))  # a small folder has fewer images than asked
    cols = per_class * (1 + layers)
    width = _MARGIN + cols * (tile_w + _GAP) + per_class * _GAP
    height = len(rows) * (tile_h + _GAP) + _GAP
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=max(9, min(14, tile_w // 9)))
    shared = {imageset.concept_names.index(c) + 1 for c in ("wall", "floor") if c in imageset.concept_names}
    for r, idx in enumerate(rows):
        y0 = _GAP + r * (tile_h + _GAP)
        draw.text((6, y0 + tile_h // 2), imageset.class_names[r], fill=(0, 0, 0), font=font, anchor="lm")
        x = _MARGIN
        for i in idx:
            tiles = [imageset.images[i]] + [colour_masks(m, n_concepts) for m in imageset.masks[i]]
            for t, tile in enumerate(tiles):
                big = Image.fromarray(tile).resize((tile_w, tile_h), Image.NEAREST)
                canvas.paste(big, (x, y0))
                if names and t > 0:
                    _label_regions(draw, imageset.masks[i, t - 1], imageset.concept_names, x, y0, scale, font,
                                   shared)
                x += tile_w + _GAP
            x += _GAP
    return canvas
