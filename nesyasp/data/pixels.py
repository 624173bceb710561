"""One image or mask file as pixels: upright, 8-bit RGB, resized (the reading :mod:`nesyasp.data.folder` does).

Examples
--------
>>> from PIL import Image
>>> to_rgb(Image.new("I;16", (2, 1), 65535)).getpixel((0, 0))
(255, 255, 255)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from nesyasp.errors import DataError

__all__ = ["UNREADABLE", "WIDE_MODES", "exif_orientation", "upright_size", "to_rgb", "read_image", "read_mask"]

#: What PIL raises for a file it cannot read: not an image, truncated, broken chunks, or too many pixels.
UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)

#: PIL modes of 16-bit (and 32-bit integer) single-channel images.
WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


#: EXIF orientations (tag 0x0112) that turn an image by 90 degrees: its upright size is its size swapped.
_TURNED = frozenset({5, 6, 7, 8})


def exif_orientation(im: Image.Image) -> int:
    """The image's EXIF orientation (1: as stored; 2-8: mirrored and/or turned; 1 when there is none)."""
    try:
        value = im.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):  # a broken EXIF block: the pixels as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright_size(im: Image.Image) -> tuple[int, int]:
    """``(width, height)`` of ``im`` as shown upright (its EXIF orientation applied)."""
    return (im.size[1], im.size[0]) if exif_orientation(im) in _TURNED else im.size


def to_rgb(im: Image.Image) -> Image.Image:
    """An 8-bit RGB copy of ``im``: upright (EXIF orientation applied, as photo viewers show it),
    16-bit values scaled by 1/257, 32-bit integers by their largest value, floats (mode ``F``) as
    values in [0, 1] (in [0, 255] when any is above 1), alpha (and a palette's transparency) dropped, grey
    repeated."""
    if exif_orientation(im) != 1:
        from PIL import ImageOps

        im = ImageOps.exif_transpose(im)
    if im.mode in WIDE_MODES or im.mode == "F":
        arr = np.nan_to_num(np.asarray(im).astype(np.float64))
        top = float(arr.max()) if arr.size else 0.0
        if im.mode == "F":
            arr = arr * 255.0 if top <= 1.0 else arr
        elif im.mode.startswith("I;16") or 255 < top <= 65535:
            arr = arr / 257.0
        elif top > 65535:  # 32-bit integers: the image's own range
            arr = arr * (255.0 / top)
        im = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))
    if im.mode == "P" and "transparency" in im.info:  # the same pixels, without PIL's UserWarning on stderr
        im = im.convert("RGBA")
    return im.convert("RGB")


def read_image(path: Path, size: int | None) -> np.ndarray:
    """The image file as 8-bit RGB ``(H, W, 3)`` (see :func:`to_rgb`), resized (bilinear) to ``size`` x ``size``."""
    with Image.open(path) as im:
        im = to_rgb(im)
        if size is not None and im.size != (size, size):
            im = im.resize((size, size), Image.BILINEAR)
        return np.asarray(im, dtype=np.uint8)


def read_mask(path: Path, size: int | None = None) -> np.ndarray:
    """A single-channel mask file as uint16 ``(H, W)``, resized (nearest) to ``size`` x ``size``.

    Raises
    ------
    DataError
        When the mask is not single-channel.
    """
    with Image.open(path) as im:
        if im.mode not in ("L", "P", "I", "I;16", "1"):
            raise DataError(f"{path}: mask mode {im.mode} is not single-channel (use L, P, I or I;16)")
        arr = np.asarray(im)
        if size is not None and im.size != (size, size):
            arr = np.asarray(Image.fromarray(arr.astype(np.int32)).resize((size, size), Image.NEAREST))
        return arr.astype(np.uint16)
