"""Users' image folders: an ImageFolder tree, optional masks and concept names, checked with PIL.

Layout (``images/`` may be left out, and then the class folders sit in ``DATA``;
the split level is optional)::

    DATA/
      images/<split>/<class>/<name>.{png,jpg,jpeg,ppm,bmp,gif,tif,tiff,webp}
      masks/<split>/<class>/<name>.png    # optional; same relative path, matched by stem
      concepts.txt                        # mask value k -> concept on line k (0 = none)
      concepts/<concept>/*.png            # optional TCAV concept sets

A mask is a single-channel PNG (mode L, P, I or I;16) of the image's size whose
pixel value ``k`` means concept ``k`` (line ``k`` of ``concepts.txt``) and 0 no concept.
Class folders and files are read in sorted order and never shuffled. Without
split folders, every fifth image of a class (sorted order, 5th, 10th, ...) is
the ``test`` split and the others ``train``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from nesyasp.data.classes import resolve_classes
from nesyasp.data.imageset import ImageSet
from nesyasp.errors import DataError

__all__ = ["IMAGE_SUFFIXES", "load_image_folder", "load_folder_split", "read_concepts", "RESERVED",
           "folder_concept_images", "folder_random_images"]

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".ppm", ".bmp", ".gif", ".tif", ".tiff", ".webp")
_NAME = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_SPLITS = ("train", "test", "val")
#: Folder names of a data folder that are never classes.
RESERVED = frozenset({"images", "masks", "concepts", "labelling"})


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not p.name.startswith("."))


def _class_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_concepts(path: Path) -> tuple[str, ...]:
    """Concept names of ``concepts.txt``: one per line, line k = mask value k; blank lines and ``#`` skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the concept names: {exc}") from None
    names = tuple(line.split("#", 1)[0].strip() for line in lines)
    return tuple(n for n in names if n)


def _layout(path: Path) -> tuple[Path, Path | None, Path | None]:
    """``(image root, mask root or None, concepts.txt or None)`` of a data folder."""
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: not a folder")
    images = path / "images" if (path / "images").is_dir() else path
    masks = path / "masks" if (path / "masks").is_dir() else None
    concepts = path / "concepts.txt" if (path / "concepts.txt").is_file() else None
    return images, masks, concepts


def _read_image(path: Path, size: int | None) -> np.ndarray:
    with Image.open(path) as im:
        im = im.convert("RGB")
        if size is not None and im.size != (size, size):
            im = im.resize((size, size), Image.BILINEAR)
        return np.asarray(im, dtype=np.uint8)


def _read_mask(path: Path, size: int | None = None) -> np.ndarray:
    with Image.open(path) as im:
        if im.mode not in ("L", "P", "I", "I;16", "1"):
            raise DataError(f"{path}: mask mode {im.mode} is not single-channel (use L, P, I or I;16)")
        arr = np.asarray(im)
        if size is not None and im.size != (size, size):
            arr = np.asarray(Image.fromarray(arr.astype(np.int32)).resize((size, size), Image.NEAREST))
        return arr.astype(np.uint16)


def _select_classes(names: list[str], classes) -> list[str]:
    return list(resolve_classes(names, classes))


def load_image_folder(path: str | Path, size: int = 64, masks_dir: str | Path | None = None,
                      concepts_file: str | Path | None = None, classes=None,
                      per_class: int | None = None, files: Sequence[Path] | None = None,
                      skip: frozenset[str] = frozenset()) -> ImageSet:
    """Read an ImageFolder tree (one folder per class) into an :class:`ImageSet`.

    Parameters
    ----------
    path : path
        Folder of class folders.
    size : int
        Images (and masks, nearest neighbour) are resized to ``size`` x ``size``.
    masks_dir : path, optional
        Folder parallel to ``path`` holding ``<class>/<stem>.png`` masks.
    concepts_file : path, optional
        Concept names (default: ``concepts.txt`` next to or inside ``masks_dir``).
    files : sequence of paths, optional
        Only these image files (used for the split of a folder without split folders).
    skip : set of str
        Sub-folder names that are not classes.
    classes : None, int or names
        Which class folders (see :func:`nesyasp.data.load_dataset`).
    per_class : int, optional
        At most this many images per class, the first in sorted order.

    Raises
    ------
    DataError
        For a missing folder, no classes, an empty class, unreadable images or
        masks, masks of the wrong size, or mask values outside the concept list.
    """
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    all_classes = [d.name for d in _class_dirs(root) if d.name not in skip]
    if not all_classes:
        raise DataError(f"{root}: no class folders")
    try:
        names = _select_classes(all_classes, classes)
    except DataError as exc:  # say which folder (and what it holds)
        raise DataError(f"{root}: {exc.message} (its class folders: {', '.join(all_classes)})") from None
    mroot = Path(masks_dir) if masks_dir is not None else None
    concepts: tuple[str, ...] = ()
    if mroot is not None:
        cfile = Path(concepts_file) if concepts_file else next(
            (p for p in (mroot.parent / "concepts.txt", mroot / "concepts.txt") if p.is_file()), None)
        if cfile is None:
            raise DataError(f"{mroot}: masks need a concepts.txt (one concept name per line)")
        concepts = read_concepts(cfile)
    images, labels, ids, masks = [], [], [], []
    for label, name in enumerate(names):
        found = _images_in(root / name)
        if files is not None:
            found = [f for f in found if f in files]
        if per_class is not None:
            found = found[:per_class]
        if not found:
            raise DataError(f"{root / name}: class {name!r} has no images")
        for f in found:
            try:
                images.append(_read_image(f, size))
            except (OSError, UnidentifiedImageError) as exc:
                raise DataError(f"{f}: cannot read the image: {exc}") from None
            labels.append(label)
            ids.append(f"{name}/{f.stem}")
            if mroot is not None:
                masks.append(_folder_mask(mroot / name / f"{f.stem}.png", f, size, len(concepts)))
    mask_arr = np.stack(masks)[:, None] if masks else None
    return ImageSet(np.stack(images), np.array(labels), tuple(names), tuple(ids), concepts, mask_arr)


def _folder_mask(mpath: Path, image: Path, size: int, n_concepts: int) -> np.ndarray:
    if not mpath.is_file():
        logger.info("%s: no mask; treated as all background", image)
        return np.zeros((size, size), np.uint16)
    try:
        with Image.open(image) as im:
            isize = im.size
        with Image.open(mpath) as m:
            msize = m.size
        if isize != msize:
            raise DataError(f"{mpath}: mask is {msize[0]}x{msize[1]}, its image is {isize[0]}x{isize[1]}")
        mask = _read_mask(mpath, size)
    except (OSError, UnidentifiedImageError) as exc:
        raise DataError(f"{mpath}: cannot read the mask: {exc}") from None
    if mask.size and int(mask.max()) > n_concepts:
        raise DataError(f"{mpath}: mask value {int(mask.max())} has no concept (concepts.txt lists {n_concepts})")
    return mask


def load_folder_split(path: Path, split: str, classes, per_class: int, size: int, seed: int) -> ImageSet:
    """The ``split`` of a data folder (see the module docs); ``seed`` is not used (fixed order)."""
    images, masks, concepts = _layout(path)
    split_dirs = [s for s in _SPLITS if (images / s).is_dir()]
    mask_root = masks
    if split_dirs:
        if split not in split_dirs:
            raise DataError(f"{images}: no {split!r} folder (found {', '.join(split_dirs)})")
        root = images / split
        mask_root = masks / split if masks is not None else None
        files = None
    else:
        root = images
        files = []
        for d in _class_dirs(images):
            if images == Path(path) and d.name in RESERVED:
                continue
            found = _images_in(d)
            files += [f for k, f in enumerate(found) if (k % 5 == 4) == (split == "test")]
    return load_image_folder(root, size=size, masks_dir=mask_root, concepts_file=concepts, classes=classes,
                             per_class=per_class, files=files,
                             skip=RESERVED if images == Path(path) else frozenset())


def _read_many(files: list[Path], n: int, size: int) -> np.ndarray:
    picked = [files[k % len(files)] for k in range(n)]
    out = []
    for f in picked:
        try:
            out.append(_read_image(f, size))
        except (OSError, UnidentifiedImageError) as exc:
            raise DataError(f"{f}: cannot read the image: {exc}") from None
    return np.stack(out)


def folder_concept_images(path: Path, concept: str, n: int, size: int) -> np.ndarray:
    """``n`` images of ``DATA/concepts/<concept>/`` in sorted order (repeated when fewer)."""
    folder = Path(path) / "concepts" / concept
    files = _images_in(folder) if folder.is_dir() else []
    if not files:
        raise DataError(f"{folder}: no images for concept {concept!r} (put them in concepts/{concept}/)")
    return _read_many(files, n, size)


def folder_random_images(path: Path, n: int, size: int, seed: int, index: int) -> np.ndarray:
    """``DATA/concepts/random_<index>/`` when present, else ``n`` seeded random training images."""
    folder = Path(path) / "concepts" / f"random_{index}"
    if folder.is_dir() and _images_in(folder):
        return _read_many(_images_in(folder), n, size)
    images, _, _ = _layout(Path(path))
    split_root = images / "train" if (images / "train").is_dir() else images
    skip = RESERVED if split_root == Path(path) else frozenset()
    files = [f for d in _class_dirs(split_root) if d.name not in skip for f in _images_in(d)]
    if not files:
        raise DataError(f"{path}: no images to draw random sets from")
    rng = np.random.default_rng([int(seed), int(index), len(files)])
    order = rng.permutation(len(files))
    return _read_many([files[k] for k in order], n, size)
