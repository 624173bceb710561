"""The embedded data sets by name: :func:`load_dataset`, TCAV concept and random sets.

Generated sets (``scenes``, ``signs``) make image ``i`` of a split from its
own random stream ``(seed, split, class, j)``, ``j`` being its index within its
class; images are class-major (all of the first class, then the next), ids
are ``"<split>_<i:04d>"``. The same class drawn in a different class subset
gives the same images. Large requests render in worker processes; the result
is identical to a serial run.
"""

from __future__ import annotations

import logging
import numbers
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nesyasp.data import digits as _digits
from nesyasp.data._pool import worker_count, worker_pool
from nesyasp.data.classes import Classes, resolve_classes
from nesyasp.data.imageset import ImageSet
from nesyasp.errors import DataError, WrongTypeError, expect_path, expect_type

__all__ = ["DatasetInfo", "DATASETS", "SPLITS", "load_dataset", "concept_images", "random_images",
           "resolve_classes", "check_source"]

logger = logging.getLogger(__name__)

SPLITS = ("train", "test")


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """What an embedded data set holds."""

    name: str
    description: str
    classes: tuple[str, ...]
    concepts: tuple[str, ...]
    mask_layers: tuple[str, ...]
    domain: str


def _infos() -> dict[str, DatasetInfo]:
    from nesyasp.data import corpus, scenes, signs

    return {
        "scenes": DatasetInfo("scenes", "generated indoor rooms: classes are compositions of object concepts; "
                              "object and part masks", scenes.CLASSES, scenes.CONCEPTS, ("objects", "parts"),
                              "scenes"),
        "signs": DatasetInfo("signs", "generated traffic signs (GTSRB-like): plate shape x glyph; "
                             "shape and glyph masks", signs.CLASSES, signs.CONCEPTS, ("shapes", "glyphs"), "signs"),
        "digits": DatasetInfo("digits", "scikit-learn's bundled 8x8 digits, upsampled; the digit as concept",
                              _digits.DIGIT_NAMES, _digits.DIGIT_NAMES, ("digit",), "digits"),
        "digits-parity": DatasetInfo("digits-parity", "the digits as even vs odd (the LTH paper's task); "
                                     "the ten digits as concepts", ("even", "odd"), _digits.DIGIT_NAMES,
                                     ("digit",), "digits"),
        "generic": DatasetInfo("generic", "pretraining corpus (our ImageNet): scene objects alone and the "
                               "plate x glyph pairs no sign class uses; no masks", corpus.CLASSES, (), (),
                               "generic"),
    }


#: Embedded data sets by name.
DATASETS: dict[str, DatasetInfo] = _infos()


def _integers(**values: object) -> None:
    """Refuse a non-integer count, size, seed or index by name (``per_class="2"``, ``size=8.5``)."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise WrongTypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")


def _check(split: str, per_class: int, size: int) -> None:
    _integers(per_class=per_class, size=size)
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if int(per_class) < 1:
        raise DataError(f"per_class must be positive, got {per_class}")
    if not 8 <= int(size) <= 512:
        raise DataError(f"size must be between 8 and 512 pixels, got {size}")


def _module(domain: str):
    from nesyasp.data import corpus, scenes, signs

    return {"scenes": scenes, "signs": signs, "generic": corpus}[domain]


def _render_chunk(domain: str, seed: int, split: str, items: list[tuple[int, int]], size: int):
    mod = _module(domain)
    images, masks = [], []
    for key, j in items:
        img, m = mod.render_scene(mod.CLASSES[key], mod.scene_rng(seed, split, key, j), size)
        images.append(img)
        masks.append(m)
    return np.stack(images), np.stack(masks)


def render_items(domain: str, seed: int, split: str, items: list[tuple[int, int]], size: int,
                 workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Render ``(class index, j)`` items of a generated domain; in worker processes when there are many."""
    n_workers = worker_count(len(items), workers)
    if n_workers == 1:
        return _render_chunk(domain, seed, split, items, size)
    chunks = [items[k::n_workers] for k in range(n_workers)]
    with worker_pool(n_workers) as pool:
        parts = list(pool.map(_render_chunk, [domain] * n_workers, [seed] * n_workers, [split] * n_workers,
                              chunks, [size] * n_workers))
    images = np.empty((len(items),) + parts[0][0].shape[1:], np.uint8)
    masks = np.empty((len(items),) + parts[0][1].shape[1:], np.uint16)
    for k, (im, ma) in enumerate(parts):
        images[k::n_workers], masks[k::n_workers] = im, ma
    return images, masks


def _load_generated(info: DatasetInfo, split: str, names: tuple[str, ...], per_class: int, size: int,
                    seed: int, workers: int | None) -> ImageSet:
    mod = _module(info.domain)
    keys = [info.classes.index(c) for c in names]
    items = [(key, j) for key in keys for j in range(per_class)]
    images, masks = render_items(info.domain, seed, split, items, size, workers)
    labels = np.repeat(np.arange(len(names)), per_class)
    ids = tuple(f"{split}_{i:04d}" for i in range(len(items)))
    return ImageSet(images, labels, names, ids, info.concepts, masks,
                    {c: mod.class_concepts(c) for c in names})


def _load_digits(info: DatasetInfo, split: str, names: tuple[str, ...], per_class: int, size: int,
                 seed: int) -> ImageSet:
    rng = np.random.default_rng([int(seed), zlib.crc32(split.encode())])
    chosen, labels, class_concepts = [], [], {}
    for label, name in enumerate(names):
        if info.name == "digits":
            digits = [info.classes.index(name)]
        else:
            digits = [d for d in range(10) if d % 2 == info.classes.index(name)]
        pool = np.concatenate([_digits.digit_pool(d, split) for d in digits])
        picked = _digits.select(pool, per_class, rng, f"{info.name}/{split}/{name}")
        chosen.append(picked)
        labels += [label] * len(picked)
        class_concepts[name] = tuple(_digits.DIGIT_NAMES[d] for d in digits)
    idx = np.concatenate(chosen)
    images, masks = _digits.digit_images(idx, size)
    ids = tuple(f"{split}_{i:04d}" for i in range(len(idx)))
    return ImageSet(images, np.array(labels), names, ids, _digits.DIGIT_NAMES, masks, class_concepts)


def load_dataset(name: str, split: str = "train", classes: Classes = None, per_class: int = 100,
                 size: int = 64, seed: int = 0, workers: int | None = None) -> ImageSet:
    """Load an embedded data set or a user's image folder.

    Parameters
    ----------
    name : str
        ``scenes``, ``signs``, ``digits``, ``digits-parity``, or the path of an
        image folder (see :func:`nesyasp.data.load_image_folder`).
    split : str
        ``train`` or ``test``; the two never share an image.
    classes : None, int or sequence of str
        ``None`` or 0: all classes of the set; ``k``: the first ``k``; names: those, in that order.
    per_class : int
        Images per class (digits and folders: at most this many; all when fewer exist).
    size : int
        Image side in pixels.
    seed : int
        Seed of the generated images (digits and folders: of the selection).
    workers : int, optional
        Processes for large generated sets (default: ``NESYASP_DATA_WORKERS`` or the CPU count).

    Returns
    -------
    ImageSet
        The images ``(n, size, size, 3)`` uint8, labels, class names, ids, concepts and masks.

    Raises
    ------
    DataError
        For unknown names, classes or splits, and unusable folders.
    """
    _source(name)
    _check(split, per_class, size)
    _integers(seed=seed)
    info = DATASETS.get(str(name).strip().lower())
    if info is None:
        from nesyasp.data.folder import load_folder_split

        if not Path(name).is_dir():
            _no_folder(name)
        return load_folder_split(Path(name), split, classes, per_class, size, seed)
    names = resolve_classes(info.classes, classes)
    if info.domain == "digits":
        return _load_digits(info, split, names, int(per_class), int(size), int(seed))
    return _load_generated(info, split, names, int(per_class), int(size), int(seed), workers)


def check_source(name: str, classes: Classes = None) -> None:
    """Fail early (before any training) when ``name`` is neither a shipped data set nor a usable folder,
    or has no such ``classes`` (a folder: one small image of each class is read).

    Raises
    ------
    DataError
        Naming the data set or folder.
    """
    info = DATASETS.get(_source(name).strip().lower())
    if info is not None:
        resolve_classes(info.classes, classes)
        return
    if Path(name).is_dir():
        from nesyasp.data.folder import load_folder_split

        load_folder_split(Path(name), "train", classes, 1, 8, 0)  # one small image per class: the layout is usable
        return
    _no_folder(name)


def _no_folder(name: str) -> None:
    """Raise the DataError for a name that is no shipped data set and no folder."""
    path = Path(name)
    if path.exists():
        raise DataError(f"{name}: is a file, not a data folder (one sub-folder of images per class)")
    if path.is_absolute() or len(path.parts) > 1:
        raise DataError(f"{name}: no such data folder (moved or deleted? a run's config.json names the folder "
                        "it was trained on: put the folder back or edit 'data' there)")
    raise DataError(f"unknown data set {name!r}: not one of {', '.join(DATASETS)} and not a folder")


def _source(name: object) -> str:
    """``name`` (a data set name or a folder path) as text; WrongTypeError or DataError for what no folder can be."""
    expect_type(name, (str, os.PathLike), "a data set name or a folder (a str or a Path)")
    expect_path(name, "a data set name or a folder")
    return os.fspath(name)  # type: ignore[arg-type]


def _domain(name: str) -> str:
    info = DATASETS.get(_source(name).strip().lower())
    if info is None:
        if Path(name).is_dir():
            return "folder"
        raise DataError(f"unknown domain {name!r}; choose one of scenes, signs, digits, or a data folder")
    return info.domain


def concept_images(name: str, concept: str, n: int, size: int = 64, seed: int = 0) -> np.ndarray:
    """``n`` images ``(n, size, size, 3)`` uint8 showing ``concept`` alone (TCAV positive sets).

    Scenes and signs: the concept drawn alone on a random background (a part is
    cut out of a random object that has it). Digits: training images of that
    digit (repeated in order when ``n`` exceeds the ~125 available). A data
    folder: the images of ``DATA/concepts/<concept>/`` in sorted order (repeated when fewer).

    Parameters
    ----------
    name:
        ``scenes``, ``signs``, ``digits`` (or ``digits-parity``), or a data folder.
    concept:
        The concept's name (``bed``; a digit's name for digits).
    n:
        How many images.
    size:
        Image side in pixels.
    seed:
        Seed of the generated images.

    Returns
    -------
    numpy.ndarray
        ``(n, size, size, 3)`` uint8.
    """
    domain = _domain(name)
    _integers(n=n, size=size, seed=seed)
    if n < 1:
        raise DataError(f"n must be positive, got {n}")
    if domain == "folder":
        from nesyasp.data.folder import folder_concept_images

        return folder_concept_images(Path(name), concept, n, size)
    if domain == "digits":
        if concept not in _digits.DIGIT_NAMES:
            raise DataError(f"unknown digit concept {concept!r}; choose from {', '.join(_digits.DIGIT_NAMES)}")
        pool = _digits.digit_pool(_digits.DIGIT_NAMES.index(concept), "train")
        rng = np.random.default_rng([int(seed), zlib.crc32(f"concept/{concept}".encode())])
        return _digits.digit_images(np.resize(pool[rng.permutation(len(pool))], n), size)[0]
    mod = _module(domain)
    if concept not in mod.CONCEPTS:
        raise DataError(f"unknown {domain} concept {concept!r}")
    key = mod.CONCEPTS.index(concept)
    out = [mod.render_concept(concept, mod.scene_rng(seed, "concept", key, i), size)[0] for i in range(n)]
    return np.stack(out)


def random_images(name: str, n: int, size: int = 64, seed: int = 0, index: int = 0) -> np.ndarray:
    """``n`` random images ``(n, size, size, 3)`` uint8 of the domain; ``index`` picks independent sets.

    Scenes and signs: images of random classes from their own streams (never
    the training images). Digits: random training digits. A data folder:
    ``DATA/concepts/random_<index>/`` when it exists, else seeded random training images.

    Parameters
    ----------
    name:
        ``scenes``, ``signs``, ``digits`` (or ``digits-parity``), or a data folder.
    n:
        How many images.
    size:
        Image side in pixels.
    seed:
        Seed of the generated images.
    index:
        Which independent set (0, 1, ...).

    Returns
    -------
    numpy.ndarray
        ``(n, size, size, 3)`` uint8.
    """
    domain = _domain(name)
    _integers(n=n, size=size, seed=seed, index=index)
    if n < 1 or index < 0:
        raise DataError(f"n must be positive and index >= 0, got {n} and {index}")
    if domain == "folder":
        from nesyasp.data.folder import folder_random_images

        return folder_random_images(Path(name), n, size, seed, index)
    if domain == "digits":
        pool = np.concatenate([_digits.digit_pool(d, "train") for d in range(10)])
        rng = np.random.default_rng([int(seed), zlib.crc32(b"random"), int(index)])
        return _digits.digit_images(rng.choice(pool, size=n, replace=n > len(pool)), size)[0]
    mod = _module(domain)
    out = []
    for i in range(n):
        rng = mod.scene_rng(seed, "random", int(index), i)
        out.append(mod.render_scene(mod.CLASSES[int(rng.integers(len(mod.CLASSES)))], rng, size)[0])
    return np.stack(out)
