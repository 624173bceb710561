"""Reading images for a trained model: files, folders, PIL images and arrays, resized as in training.

Images are converted to RGB and resized to the run's ``size x size`` with
bilinear filtering, as user image folders are for training
(:mod:`nesyasp.data.folder`); an image of that size is used as it is. A folder
is read in sorted order (sub-folders included, hidden files and names
without an image suffix left out).

Examples
--------
>>> import numpy as np
>>> to_uint8(np.zeros((10, 20, 3), np.uint8), 8).shape
(8, 8, 3)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from nesyasp._paths import real_path
from nesyasp.data.folder import IMAGE_SUFFIXES, UNREADABLE, to_rgb
from nesyasp.data.layout import is_system_file
from nesyasp.data.pixels import open_image, unreadable_reason
from nesyasp.errors import DataError, WrongTypeError

__all__ = ["read_image", "to_uint8", "image_paths"]

logger = logging.getLogger(__name__)


def read_image(path: str | Path, size: int | None) -> np.ndarray:
    """The image file at ``path`` as ``(size, size, 3)`` uint8 (``size`` None: as it is).

    Raises
    ------
    DataError
        When the file is missing or not an image PIL can read (the message names the path and says why).
    """
    path = Path(path)
    try:
        is_file = path.is_file()
    except OSError as exc:  # in a folder that can be listed but not entered
        raise DataError(f"{path}: cannot read the image ({unreadable_reason(path, exc)})") from None
    if not is_file:
        if path.is_dir() and not os.access(path, os.R_OK | os.X_OK):
            raise DataError(f"{path}: a folder that cannot be read (permission denied: check its permissions); "
                            f"its images are left out")
        what = "a folder" if path.is_dir() else "a device or a pipe" if path.exists() else \
            "a broken symbolic link (its target is missing or a loop)" if path.is_symlink() else "no such file"
        raise DataError(f"{path}: {what}, not an image")
    try:
        with open_image(path) as im:
            im.load()
            return to_uint8(im, size)
    except UNREADABLE as exc:
        raise DataError(f"{path}: cannot read the image ({unreadable_reason(path, exc)})") from None


def to_uint8(image: Any, size: int | None) -> np.ndarray:
    """A PIL image or an ``(H, W, 3)`` / ``(H, W)`` array as ``(size, size, 3)`` uint8 (``size`` None: as it is).

    PIL images are converted as user folders are for training
    (:func:`nesyasp.data.folder.to_rgb`: 16-bit values scaled by 1/257, alpha
    dropped). Float arrays are read as values in [0, 1], uint16 arrays as
    16-bit values (scaled by 1/257), bool arrays as black and white (as PIL's
    1-bit images), other integer arrays as 8-bit values (0 to 255). ``(H, W)``
    and ``(H, W, 1)`` arrays are grey, ``(H, W, 2)`` grey with alpha and
    ``(H, W, 4)`` RGBA (alpha dropped).

    Raises
    ------
    DataError
        For an array of another shape or of values that are not pixels (a float array with values
        outside [0, 1], NaN or infinite; integers outside 0..255, other than uint16's), or a PIL
        image whose file cannot be decoded (truncated).
    WrongTypeError
        For something that is not an image, a nested list or an array (``None``, a number, a tensor).
    """
    from PIL import Image

    if isinstance(image, Image.Image):
        try:
            im = to_rgb(image)
        except UNREADABLE as exc:  # a lazily loaded image decodes here
            raise DataError(f"{getattr(image, 'filename', '') or 'the PIL image'}: cannot read the image "
                            f"({type(exc).__name__}: {exc})") from None
    else:
        im = Image.fromarray(_rgb_array(image), "RGB")
    if size is not None and im.size != (size, size):
        im = im.resize((size, size), Image.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def _rgb_array(image: Any) -> np.ndarray:
    """An image array (or nested list) as ``(H, W, 3)`` uint8 (see :func:`to_uint8`)."""
    if not isinstance(image, (np.ndarray, list, tuple)):
        raise WrongTypeError(f"expected an image (a path, a PIL image or an (H, W, 3) array), "
                             f"got {type(image).__name__}")
    try:
        arr = np.asarray(image)
    except ValueError as exc:  # a ragged nested list
        raise DataError(f"an image must be (H, W, 3) pixels, got a ragged sequence ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"an image array holds numbers (uint8, other integers, floats or bools), got dtype {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] in (1, 2):  # grey, grey with alpha
        arr = arr[..., :1]
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4) or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"an image must be (H, W, 3) pixels, got shape {np.shape(image)}")
    arr = np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr[..., :3]
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise DataError("a float image holds values in [0, 1], got NaN or infinite values")
        low, high = float(arr.min()), float(arr.max())
        if low < -1e-6 or high > 1 + 1e-6:
            raise DataError(f"a float image holds values in [0, 1], got values from {low:g} to {high:g}"
                            + ("; divide by 255, or pass uint8 pixels" if high > 1 else ""))
        return np.clip(np.round(arr.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * np.uint8(255)  # as PIL's 1-bit images read: black and white
    if arr.dtype == np.uint16:
        return np.clip(np.round(arr / 257.0), 0, 255).astype(np.uint8)
    if arr.dtype != np.uint8 and (int(arr.min()) < 0 or int(arr.max()) > 255):
        raise DataError(f"an integer image holds 8-bit values 0 to 255, got values from {int(arr.min())} to "
                        f"{int(arr.max())}; pass 16-bit values as uint16, or floats in [0, 1]")
    return np.ascontiguousarray(arr, dtype=np.uint8)


def image_paths(inputs: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Files and folders to a list of image paths: files as given, folders' images in sorted order.

    A path that does not exist is kept (reading it reports it), and so is a
    broken symbolic link with an image suffix inside a folder, and a folder
    that cannot be listed (permissions: reading it says its images are left out). Symbolic links
    to folders are followed, as training reads class folders (each folder once). A file named
    twice (``a.png`` and ``./a.png``, or a file and its folder) is kept once.
    Folders in ``exclude`` (an output folder inside an input folder) are not read, unless one is
    the input folder itself.
    """
    skip = [real_path(e) for e in exclude]  # realpath: a symlink loop is not an error
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if not path.is_dir():
            out.append(path)
            continue
        inner = [s for s in skip if s != real_path(path)]  # an output folder that is the input folder is read
        unreadable: list[Path] = []  # kept: reading one says that its images are left out
        walked = [p for p in _walk(path, unreadable) if not _inside(real_path(p), inner)]
        found = [p for p in walked if p.suffix.lower() in IMAGE_SUFFIXES]
        _warn_not_read([p for p in walked if p.suffix.lower() not in IMAGE_SUFFIXES and not is_system_file(p.name)],
                       path)
        out.extend(sorted(found + unreadable, key=lambda p: p.relative_to(path).parts))
    seen: set[str] = set()
    unique = []
    for p in out:
        key = os.path.normpath(os.path.abspath(p))  # symlinks not followed: a link is a name of its own
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _warn_not_read(others: list[Path], folder: Path) -> None:
    """Say which files of ``folder`` are not read as images (their suffix), so that no photo is left out unseen."""
    if others:
        others = sorted(others)
        suffixes = ", ".join(sorted({p.suffix.lower() or "(none)" for p in others})[:8])
        shown = ", ".join(str(p) for p in others[:3]) + (" ..." if len(others) > 3 else "")
        logger.warning("%s: %d file%s not read (suffix %s; images are %s files): %s", folder, len(others),
                       "s" * (len(others) != 1), suffixes, "/".join(IMAGE_SUFFIXES), shown)


def _inside(real: Path, folders: list[Path]) -> bool:
    return any(f == real.parent or f in real.parents for f in folders)


def _walk(root: Path, unreadable: list[Path]) -> Iterator[Path]:
    """Files (and broken links) below ``root``, symbolic links to folders followed once each (a loop is
    not walked twice); hidden files and folders left out. Folders that cannot be listed are added to
    ``unreadable``; files whose kind cannot be told (a folder without x permission) are yielded."""
    visited = {real_path(root)}
    for top, dirs, files in os.walk(root, followlinks=True, onerror=lambda e: unreadable.append(Path(e.filename))):
        kept = []
        for name in sorted(dirs):
            real = real_path(Path(top) / name)
            if not name.startswith(".") and real not in visited:
                visited.add(real)
                kept.append(name)
        dirs[:] = kept
        for name in files:
            p = Path(top) / name
            if not name.startswith(".") and _file_or_link(p):
                yield p


def _file_or_link(path: Path) -> bool:
    """A file or a broken link (a folder's entry that cannot be looked at counts: reading it says why)."""
    try:
        return path.is_file() or (path.is_symlink() and not path.is_dir())
    except OSError:
        return True
