"""The embedded LTH experiments as :class:`~nesyasp.lth.results.ExperimentData`.

* ``digits-parity``: scikit-learn's bundled digits, even vs odd, with the ten
  digit identities (``zero`` ... ``nine``) as concepts; a digit's concept is
  relevant to its parity class.
* ``scenes``: the generated scenes (first three classes by default) with the
  object concepts the generator draws for them, plus three concepts of none
  of them as controls.
* a user's image folder (:func:`nesyasp.data.load_dataset` reads it, as for
  ``nesyasp train``): its class folders, and as TCAV concept sets the image
  folders ``DATA/concepts/<concept>/`` and, for the other concepts of its
  ``concepts.txt``, the training images whose masks show the concept most
  (:func:`mask_concept_images`). Random sets: ``DATA/concepts/random_<k>/``
  or seeded random training images. A folder says nothing about which
  concepts belong to which class, so its runs have no ``relevant`` facts.

Images come from :mod:`nesyasp.data` (generated, bundled or the user's, never
downloaded); nothing is written into a user's folder.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from nesyasp.errors import DataError
from nesyasp.lth.config import EMBEDDED, LTHConfig
from nesyasp.lth.results import ExperimentData

__all__ = ["load_experiment_data", "to_tensor", "used_concepts", "mask_concept_images", "NO_CONCEPTS"]

logger = logging.getLogger(__name__)

#: What a folder needs for TCAV, said when it has none of it.
NO_CONCEPTS = ("TCAV needs examples of each concept: put example images of concept C in {root}/concepts/C/ "
               "(one folder per concept), or give the images concept masks ({root}/masks/<class>/<image "
               "stem>.png with {root}/concepts.txt naming the mask values, the layout of docs/data.md); see "
               "docs/lth.md")


def to_tensor(images: Any) -> Tensor:
    """uint8 images ``(N, H, W, 3)`` (or an object with ``.images``) -> float ``(N, 3, H, W)`` in [0, 1]."""
    arr = np.asarray(getattr(images, "images", images))
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3):
        raise DataError(f"expected images shaped (N, H, W, C), got {arr.shape}")
    scale = 255.0 if arr.dtype == np.uint8 else 1.0
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(0, 3, 1, 2).float() / scale


def load_experiment_data(config: LTHConfig) -> ExperimentData:
    """Load train/test images, concept sets and random sets for ``config.data`` (a data set or a folder)."""
    if config.is_folder:
        return _load_folder(config)
    from nesyasp.data import concept_images, load_dataset

    size, seed, tc = config.image_size, config.seed, config.tcav
    kw = {"classes": config.class_count, "per_class": config.images_per_class, "size": size, "seed": seed}
    train = load_dataset(config.data, split="train", **kw)
    test = load_dataset(config.data, split="test", **kw)
    relevant = {cls: tuple(cs) for cls, cs in dict(getattr(train, "class_concepts", {}) or {}).items()}
    names = used_concepts(tuple(train.concept_names), relevant)
    concepts = {c: to_tensor(concept_images(config.data, c, n=tc.n_concept, size=size, seed=seed)) for c in names}
    return _experiment(config, train, test, concepts, relevant)


def _experiment(config: LTHConfig, train: Any, test: Any, concepts: dict[str, Tensor],
                relevant: dict[str, tuple[str, ...]]) -> ExperimentData:
    from nesyasp.data import random_images

    tc = config.tcav
    randoms = tuple(to_tensor(random_images(config.data, n=tc.n_concept, size=config.image_size, seed=config.seed,
                                            index=k)) for k in range(tc.n_random_sets))
    return ExperimentData(
        train_images=to_tensor(train), train_labels=torch.as_tensor(np.asarray(train.labels), dtype=torch.long),
        test_images=to_tensor(test), test_labels=torch.as_tensor(np.asarray(test.labels), dtype=torch.long),
        class_names=tuple(train.class_names), concepts=concepts, random_sets=randoms, relevant=relevant)


def used_concepts(names: Sequence[str], relevant: Mapping[str, Sequence[str]], extra: int = 3,
                  limit: int = 12) -> tuple[str, ...]:
    """The concepts scored each round.

    All of them when there are at most ``limit``; otherwise those relevant to
    the chosen classes plus the first ``extra`` others (controls that no class
    should rely on), in the data set's order.

    >>> used_concepts(("wall", "bed", "sink", "sofa"), {"bedroom": ("bed",)}, extra=1, limit=2)
    ('wall', 'bed')
    """
    if len(names) <= limit:
        return tuple(names)
    wanted = {c for cs in relevant.values() for c in cs}
    others = [c for c in names if c not in wanted][:extra]
    keep = wanted | set(others)
    return tuple(c for c in names if c in keep)


def _load_folder(config: LTHConfig) -> ExperimentData:
    """A user's folder: classes from its class folders, concepts from its concept folders or its masks."""
    from nesyasp.data import load_dataset
    from nesyasp.data.folder import concept_folders, folder_concept_images

    root = Path(config.data)
    if root.is_file():
        raise DataError(f"{root}: is a file, not a data folder (one sub-folder of images per class)")
    if not root.is_dir():
        raise DataError(f"{config.data}: neither an LTH data set ({', '.join(EMBEDDED)}) nor a data folder "
                        "(one sub-folder of images per class)")
    _refuse_run_folder(root)
    size, tc = config.image_size, config.tcav
    kw = {"classes": config.class_count or None, "per_class": config.images_per_class, "size": size,
          "seed": config.seed}
    train = load_dataset(str(root), split="train", **kw)
    test = load_dataset(str(root), split="test", **kw)
    concepts = {c: to_tensor(folder_concept_images(root, c, tc.n_concept, size)) for c in concept_folders(root)}
    skipped = []
    for c in train.concept_names:
        if c not in concepts:
            images = mask_concept_images(train, c, tc.n_concept)
            if images is None:
                skipped.append(c)
            else:
                concepts[c] = to_tensor(images)
    if skipped:
        logger.warning("%s: no TCAV score for %s: fewer than 2 training images show %s in their masks (and no "
                       "concepts/<concept>/ folder)", root, ", ".join(skipped), "it" if len(skipped) == 1 else "them")
    if not concepts:
        found = (f" (the masks show none of the concepts of concepts.txt in 2 training images or more: "
                 f"{', '.join(skipped)})" if skipped else "")
        raise DataError(f"{root}: no concept examples{found}; " + NO_CONCEPTS.format(root=root))
    return _experiment(config, train, test, concepts, {})


def _refuse_run_folder(root: Path) -> None:
    """A run folder of ``nesyasp train`` or ``nesyasp lth`` given as ``--data``: say which folder to give."""
    from nesyasp._paths import shell_path
    from nesyasp.neural.runfolder import CHECKPOINT, read_config

    if (root / "checkpoints" / "round_0.pt").is_file():
        raise DataError(f"{root}: a run folder of 'nesyasp lth', not an image folder; --data takes digits-parity, "
                        "scenes or a folder of class folders of images")
    if (root / "config.json").is_file() and (root / CHECKPOINT).is_file():
        try:
            data = read_config(root / "config.json").data
            trained_on = f": give the image folder it was trained on, --data {shell_path(data)}"
        except DataError:
            trained_on = ""
        raise DataError(f"{root}: a run folder of 'nesyasp train', not an image folder{trained_on}")


def mask_concept_images(images: Any, concept: str, n: int) -> np.ndarray | None:
    """``n`` images of an :class:`~nesyasp.data.ImageSet` in which ``concept`` covers the most pixels.

    The images showing the concept (in any mask layer), largest share first
    (ties: the earlier image), repeated in that order when fewer than ``n``
    show it; None when fewer than 2 do (too few to fit a concept direction).

    >>> from nesyasp.data import ImageSet
    >>> masks = np.zeros((4, 1, 2, 2), np.uint16); masks[1, 0, 0] = 1; masks[3, 0] = 1; masks[2, 0, 0, 0] = 1
    >>> s = ImageSet(np.arange(4, dtype=np.uint8).repeat(12).reshape(4, 2, 2, 3), np.zeros(4, int), ("c",),
    ...              ("a", "b", "d", "e"), ("dot",), masks)
    >>> mask_concept_images(s, "dot", 5)[:, 0, 0, 0].tolist()
    [3, 1, 2, 3, 1]
    """
    masks = getattr(images, "masks", None)
    if masks is None or not np.asarray(masks).size or concept not in images.concept_names:
        return None
    shown = (np.asarray(masks) == images.concept_index(concept)).any(axis=1)  # union over the mask layers
    share = shown.reshape(len(shown), -1).mean(axis=1)
    order = np.argsort(-share, kind="stable")
    order = order[share[order] > 0]
    if len(order) < 2:
        return None
    return np.asarray(images.images)[order[np.arange(n) % len(order)]]
