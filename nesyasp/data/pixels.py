"""One image or mask file as pixels: upright, 8-bit RGB, resized (the reading :mod:`nesyasp.data.folder` does).

Examples
--------
>>> from PIL import Image
>>> to_rgb(Image.new("I;16", (2, 1), 65535)).getpixel((0, 0))
(255, 255, 255)
"""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

from nesyasp.errors import DataError

__all__ = ["UNREADABLE", "WIDE_MODES", "exif_orientation", "upright_size", "to_rgb", "read_image", "read_mask",
           "open_image", "unreadable_reason", "is_huge", "frame_count"]

#: What PIL raises for a file it cannot read: not an image, truncated, broken chunks, or too many pixels.
UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)

#: The first bytes of a macOS AppleDouble file (``._name``: a file's metadata, written beside it on other disks).
_APPLEDOUBLE = b"\x00\x05\x16\x07"


@contextmanager
def open_image(path: str | Path) -> Iterator[Image.Image]:
    """``Image.open(path)`` without PIL's DecompressionBombWarning on stderr (a large image is read; see
    :func:`is_huge`); an image over twice that many pixels still raises ``DecompressionBombError``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            yield im


def is_huge(size: tuple[int, int]) -> bool:
    """Whether an image of ``(width, height)`` is over PIL's decompression-bomb warning limit (read, but slowly)."""
    limit = Image.MAX_IMAGE_PIXELS
    return limit is not None and size[0] * size[1] > limit


def frame_count(im: Image.Image) -> int:
    """Frames of an animated (GIF, PNG, WebP) or multi-page (TIFF) image; only the first is read."""
    try:
        return int(getattr(im, "n_frames", 1))
    except UNREADABLE:  # a broken later frame: the first one is still read
        return 1


def unreadable_reason(path: str | Path, exc: BaseException) -> str:
    """Why the file at ``path`` could not be read as an image (``exc``: what PIL or the OS raised), in words.

    Examples
    --------
    >>> unreadable_reason("/no/such.png", FileNotFoundError(2, "No such file or directory"))
    'FileNotFoundError: [Errno 2] No such file or directory'
    """
    path = Path(path)
    if isinstance(exc, PermissionError):
        return "permission denied: check its permissions"
    if isinstance(exc, Image.DecompressionBombError):
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        return (f"too large: {pixels}, over the {2 * (Image.MAX_IMAGE_PIXELS or 0):,} that PIL reads (its guard "
                f"against decompression bombs); make it smaller first")
    head = None
    if path.is_file():  # not a pipe: reading it could wait forever
        try:
            with open(path, "rb") as handle:
                head = handle.read(4)
        except OSError:
            pass
    if head == b"":
        return "an empty file (0 bytes), not an image"
    if path.name.startswith("._") and head == _APPLEDOUBLE:
        return (f"a macOS AppleDouble file (the metadata macOS writes beside {path.name[2:]!r} on other disks), "
                f"not an image")
    return f"{type(exc).__name__}: {exc}"


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
    if im.mode == "RGB":  # no copy: a 64-megapixel photo is 192 MB more while it is resized
        im.load()
        return im
    return im.convert("RGB")


def read_image(path: Path, size: int | None) -> np.ndarray:
    """The image file as 8-bit RGB ``(H, W, 3)`` (see :func:`to_rgb`), resized (bilinear) to ``size`` x ``size``."""
    with open_image(path) as im:
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
    with open_image(path) as im:
        if im.mode not in ("L", "P", "I", "I;16", "1"):
            raise DataError(f"{path}: mask mode {im.mode} is not single-channel (use L, P, I or I;16)")
        arr = np.asarray(im)
        if size is not None and im.size != (size, size):
            arr = np.asarray(Image.fromarray(arr.astype(np.int32)).resize((size, size), Image.NEAREST))
        return arr.astype(np.uint16)
