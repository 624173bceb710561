"""Users' image folders: an ImageFolder tree, optional masks and concept names, checked with PIL.

Layout (``images/`` may be left out, and then the class folders sit in ``DATA``;
the split level is optional)::

    DATA/
      images/<split>/<class>/<name>.{png,jpg,jpeg,jfif,ppm,pgm,pbm,pnm,bmp,gif,tif,tiff,webp}
      masks/<split>/<class>/<name>.png    # optional; same relative path, matched by stem
      concepts.txt                        # mask value k -> concept on line k (0 = none)
      concepts/<concept>/*.png            # optional TCAV concept sets

A mask is a single-channel PNG (mode L, P, I or I;16) of the image's size whose
pixel value ``k`` means concept ``k`` (line ``k`` of ``concepts.txt``) and 0 no concept.
Class folders and files are read in sorted order and never shuffled. Without
split folders, every fifth image of a class (sorted order, 5th, 10th, ...) is
the ``test`` split and the others ``train``. Image ids are ASP constants made
from each file's path below ``images/`` (``cat_im01``, ``train_cat_im01``;
see :mod:`nesyasp.data.ids`): unique and the same in every run. Grey, palette,
RGBA, 16-bit and float images are converted to 8-bit RGB (16-bit values
scaled by 1/257, alpha dropped), and photos are turned upright by their EXIF
orientation. Many images are read by worker processes, with a progress bar on
a terminal.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import as_completed
from pathlib import Path
from typing import Sequence

import numpy as np

from nesyasp.data._pool import worker_count, worker_pool
from nesyasp.data.classes import resolve_classes
from nesyasp.data.ids import folder_ids
from nesyasp.data.imageset import ImageSet
from nesyasp.data.layout import (IGNORED_FOLDERS, IMAGE_SUFFIXES, _class_dirs, _images_in, broken_class_links,
                                 broken_class_problem, ignored_folders, is_ignored_folder, loose_images_problem,
                                 mask_file, no_classes_problem, readable_folder, split_folders)
from nesyasp.data.pixels import (UNREADABLE, WIDE_MODES, exif_orientation, open_image, read_image, read_mask,
                                 to_rgb, unreadable_reason, upright_size)
from nesyasp.errors import DataError, expect_path

__all__ = ["IMAGE_SUFFIXES", "UNREADABLE", "WIDE_MODES", "RESERVED", "IGNORED_FOLDERS", "is_ignored_folder",
           "broken_class_links", "broken_class_problem", "mask_file",
           "ignored_folders", "load_image_folder", "load_folder_split",
           "read_concepts", "concept_folders", "folder_concept_images", "folder_random_images", "read_images",
           "to_rgb",
           "exif_orientation", "upright_size", "split_folders", "no_classes_problem",
           "loose_images_problem"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
#: Why a small class of a folder without split folders has no test image.
_FIFTH = ("without split folders every fifth image of a class (sorted order) is the test split, so a class "
          "needs 5 images or more (or make train/ and test/ folders)")
#: Folder names of a data folder that are never classes.
RESERVED = frozenset({"images", "masks", "concepts", "labelling"})


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
    readable_folder(path)
    images = path / "images" if (path / "images").is_dir() else path
    readable_folder(images)
    masks = path / "masks" if (path / "masks").is_dir() else None
    concepts = path / "concepts.txt" if (path / "concepts.txt").is_file() else None
    return images, masks, concepts


def _select_classes(names: list[str], classes) -> list[str]:
    return list(resolve_classes(names, classes))


def load_image_folder(path: str | Path, size: int = 64, masks_dir: str | Path | None = None,
                      concepts_file: str | Path | None = None, classes=None,
                      per_class: int | None = None, files: Sequence[Path] | None = None,
                      skip: frozenset[str] = frozenset(), id_root: str | Path | None = None,
                      workers: int | None = None) -> ImageSet:
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
    id_root : path, optional
        Folder the image ids are made relative to (default ``path``; a split
        folder's parent, so that ids name the split).
    workers : int, optional
        Processes reading the images (default: ``NESYASP_DATA_WORKERS`` or the
        CPU count, from 200 images on).

    Returns
    -------
    ImageSet
        The images ``(n, size, size, 3)`` uint8 with their labels, class names, ids, and the masks and concepts when the folder has them.

    Raises
    ------
    DataError
        For a missing folder, no classes, an empty class, unreadable images or
        masks, masks of the wrong size, mask values outside the concept list,
        or two files that would get the same id.
    """
    root = expect_path(path, "an image folder path")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    readable_folder(root)
    all_classes = [d.name for d in _class_dirs(root) if d.name not in skip]
    if broken := broken_class_links(root, skip):
        raise DataError(broken_class_problem(broken[0]))
    if not all_classes:
        raise DataError(no_classes_problem(root))
    if (problem := loose_images_problem(root, all_classes)) is not None:
        raise DataError(problem)
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
    chosen: list[Path] = []
    labels: list[int] = []
    wanted = set(files) if files is not None else None
    for label, name in enumerate(names):
        found = every = _images_in(root / name)
        if wanted is not None:
            found = [f for f in found if f in wanted]
        if per_class is not None:
            found = found[:per_class]
        if not found and every:
            raise DataError(f"{root / name}: class {name!r} has {len(every)} image{'s' * (len(every) != 1)}, none "
                            f"in this split: {_FIFTH}")
        if not found:
            raise DataError(f"{root / name}: class {name!r} has no images")
        chosen += found
        labels += [label] * len(found)
    ids = folder_ids(Path(id_root) if id_root is not None else root, chosen, IMAGE_SUFFIXES)
    jobs = [(str(f), str(mask_file(mroot / f.parent.name, f.stem)) if mroot is not None else None) for f in chosen]
    images, masks = read_images(jobs, size, len(concepts), workers)
    return ImageSet(images, np.array(labels), tuple(names), ids, concepts, masks)


def _read_one(image: str, mask: str | None, size: int, n_concepts: int):
    """``(pixels, mask or None)``, or ``(the file that cannot be read, why)`` (exceptions need not pickle)."""
    try:
        pixels = read_image(Path(image), size)
    except UNREADABLE as exc:
        return image, f"{image}: cannot read the image: {unreadable_reason(image, exc)}"
    try:
        return pixels, (_folder_mask(Path(mask), Path(image), size, n_concepts) if mask is not None else None)
    except DataError as exc:
        return mask, str(exc)


def _read_chunk(jobs: list[tuple[str, str | None]], size: int, n_concepts: int) -> list:
    """Read a chunk in a worker (see :func:`_read_one`)."""
    return [_read_one(image, mask, size, n_concepts) for image, mask in jobs]


def _unreadable_error(errors: list[tuple[int, str, str]]) -> DataError:
    """One error for every file that could not be read: the first in folder order in full, the others named."""
    errors.sort()
    first = errors[0][2]
    if len(errors) == 1:
        return DataError(first)
    others = [image for _, image, _ in errors[1:]]
    shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
    return DataError(f"{first} (and {len(others)} more file{'s' * (len(others) != 1)} that cannot be read: {shown}; "
                     f"nesyasp data check on the data folder says why for each)")


def read_images(jobs: Sequence[tuple[str, str | None]], size: int, n_concepts: int = 0,
                workers: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Images ``(N, size, size, 3)`` and masks ``(N, 1, size, size)`` (None without masks) of ``jobs``.

    ``jobs`` are ``(image file, mask file or None)`` pairs. From 200 images on they
    are read by worker processes, in chunks, with a tqdm bar on a terminal; the
    arrays are the same as a serial read's.

    Raises
    ------
    DataError
        For unreadable images or unusable masks: the first (in the order of ``jobs``) in full, the
        others named (every file is read first).
    """
    from tqdm import tqdm

    n = len(jobs)
    images = np.empty((n, size, size, 3), np.uint8)
    with_masks = n > 0 and jobs[0][1] is not None
    masks = np.empty((n, 1, size, size), np.uint16) if with_masks else None
    n_workers = worker_count(n, workers)
    step = 64
    chunks = [list(jobs[i:i + step]) for i in range(0, n, step)]
    bar = tqdm(total=n, desc="reading images", unit="img", leave=False, disable=None if n >= 200 else True)

    errors: list[tuple[int, str, str]] = []

    def put(k: int, part) -> None:
        for j, (first, second) in enumerate(part):
            if isinstance(second, str):  # (the file, why it cannot be read)
                errors.append((k * step + j, first, second))
                continue
            images[k * step + j] = first
            if masks is not None:
                masks[k * step + j, 0] = second
        bar.update(len(part))

    try:
        if n_workers == 1:
            for k, chunk in enumerate(chunks):
                put(k, _read_chunk(chunk, size, n_concepts))
        else:
            with worker_pool(n_workers) as pool:
                futures = {pool.submit(_read_chunk, chunk, size, n_concepts): k for k, chunk in enumerate(chunks)}
                for fut in as_completed(futures):
                    put(futures[fut], fut.result())
    finally:
        bar.close()
    if errors:
        raise _unreadable_error(errors)
    return images, masks


def _folder_mask(mpath: Path, image: Path, size: int, n_concepts: int) -> np.ndarray:
    if not mpath.is_file():
        logger.info("%s: no mask; treated as all background", image)
        return np.zeros((size, size), np.uint16)
    try:
        with open_image(image) as im:
            isize = upright_size(im)
        with open_image(mpath) as m:
            msize = m.size
        if isize != msize:
            raise DataError(f"{mpath}: mask is {msize[0]}x{msize[1]}, its image is {isize[0]}x{isize[1]}"
                            f"{_upright_hint(image)}")
        mask = read_mask(mpath, size)
    except UNREADABLE as exc:
        raise DataError(f"{mpath}: cannot read the mask: {unreadable_reason(mpath, exc)}") from None
    if mask.size and int(mask.max()) > n_concepts:
        raise DataError(f"{mpath}: mask value {int(mask.max())} has no concept (concepts.txt lists {n_concepts})")
    return mask


def _upright_hint(image: Path) -> str:
    """For a mask whose size differs from its image's: that the image is turned by its EXIF orientation."""
    with open_image(image) as im:
        return (" (upright: its EXIF orientation turns it, and the mask must be drawn on the upright photo)"
                if upright_size(im) != im.size else "")


def load_folder_split(path: Path, split: str, classes, per_class: int, size: int, seed: int) -> ImageSet:
    """The ``split`` of a data folder (see the module docs); ``seed`` is not used (fixed order)."""
    images, masks, concepts = _layout(path)
    split_dirs = split_folders(images)
    mask_root = masks
    if split_dirs:
        if split not in split_dirs:
            raise DataError(f"{images}: no {split!r} folder (found {', '.join(split_dirs)})")
        if (problem := loose_images_problem(images, split_dirs, "<split>/<class>/<image>")) is not None:
            raise DataError(problem)
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
                             skip=RESERVED if images == Path(path) else frozenset(), id_root=images)


def _read_many(files: list[Path], n: int, size: int) -> np.ndarray:
    return read_images([(str(files[k % len(files)]), None) for k in range(n)], size)[0]


def concept_folders(path: str | Path) -> tuple[str, ...]:
    """The TCAV concept sets of a data folder: the sub-folders of ``DATA/concepts/`` that hold images, sorted.

    ``random_<k>`` folders (random counter-sets, see :func:`folder_random_images`), hidden folders and empty
    folders are not concepts.
    """
    root = Path(path) / "concepts"
    if not root.is_dir():
        return ()
    return tuple(d.name for d in _class_dirs(root)
                 if not re.fullmatch(r"random_\d+", d.name) and _images_in(d))


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
    split_root = images / "train" if "train" in split_folders(images) else images
    skip = RESERVED if split_root == Path(path) else frozenset()
    files = [f for d in _class_dirs(split_root) if d.name not in skip for f in _images_in(d)]
    if not files:
        raise DataError(f"{path}: no images to draw random sets from")
    rng = np.random.default_rng([int(seed), int(index), len(files)])
    order = rng.permutation(len(files))
    return _read_many([files[k] for k in order], n, size)
