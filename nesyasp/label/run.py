"""Label the rule set of a training run (needs torch through :mod:`nesyasp.neural`).

:func:`label_run` takes a trained, extracted run folder and a mask-annotated
image set, computes the run's filter maps on those images, labels every
filter that the rule set uses (:func:`~nesyasp.label.scores.label_filters`),
names them (:func:`~nesyasp.label.naming.name_filters`) and transforms the
rule set's AST (:func:`~nesyasp.label.transform.label_program`).
:func:`write_labels` then writes, into the run folder::

    labelled_rules.lp          the labelled rule set, with #pred annotations
    labels.json                filter index -> label, kept concepts, scores, top images
    pictures/top_filters.png   each class's top filter on its top images (the paper's Figure 2)
    pictures/f<k>_scores.png   one concept-score bar chart per rule-set filter
    facts/<split>_labelled.lp  the run's image facts in labelled names

The annotated set is the run's own data set (the embedded scenes carry
concept masks; the test split by default) or any object with ``images``,
``labels``, ``class_names``, ``ids``, ``concept_names`` and ``mask_stack(i)``
(or a ``masks`` array), see :func:`annotated_set`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Mapping

import numpy as np
import torch

from nesyasp.lang.ast import Program
from nesyasp.lang.domain import add_domain_guards
from nesyasp.errors import DataError
from nesyasp.label.files import LABELS_FILE, LABELLED_RULES, PICTURES, labelled_facts_name, relabel_facts
from nesyasp.label.naming import name_filters
from nesyasp.label.scores import FilterConcepts, LabelConfig, MaskSource, check_concept_names, label_filters
from nesyasp.label.transform import (LabelledProgram, class_top_filters, filter_uses, label_program,
                                     program_predicates, rule_filters)
from nesyasp.neural.data import split_from_imageset
from nesyasp.neural.models import FeatureModel
from nesyasp.neural.run import Run, check_extraction_current, load_run, read_rules

__all__ = ["AnnotatedSet", "RunLabels", "annotated_set", "load_annotated", "feature_maps", "label_run",
           "write_labels", "image_facts_of_run"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnnotatedSet:
    """Images with concept masks, the input of labelling.

    Attributes
    ----------
    images : ndarray
        ``(N, H, W, 3)`` uint8.
    labels : ndarray
        ``(N,)`` class indices into ``class_names``.
    class_names : tuple of str
    ids : tuple of str
    concept_names : tuple of str
        The K concepts, in mask order.
    masks : ndarray or callable
        ``(N, K, H, W)`` booleans, or ``i -> (K, H, W)``.
    description : str
        Where the set comes from (shown in ``labels.json`` and the report).
    class_concepts : dict, optional
        Class name to the concepts its images are drawn with, where known
        (the generated scenes); used to measure labelling accuracy.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    ids: tuple[str, ...]
    concept_names: tuple[str, ...]
    masks: MaskSource
    description: str = ""
    class_concepts: Mapping[str, tuple[str, ...]] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def mask_stack(self, i: int) -> np.ndarray:
        """The ``(K, H, W)`` boolean masks of image ``i``."""
        if callable(self.masks):
            return np.asarray(self.masks(i), dtype=bool)
        return np.asarray(self.masks[i], dtype=bool)


def annotated_set(imageset: Any, description: str = "") -> AnnotatedSet:
    """Wrap an image set with concept masks (for example :func:`nesyasp.data.load_dataset`'s).

    Raises
    ------
    DataError
        When the set has no concept masks or its parts disagree in length.
    """
    images = np.asarray(imageset.images)
    labels = np.asarray(imageset.labels, dtype=np.int64)
    raw_concepts = getattr(imageset, "concept_names", None)
    concepts = tuple(str(c) for c in raw_concepts) if raw_concepts is not None else ()
    if images.ndim != 4 or images.shape[-1] != 3 or len(images) != len(labels):
        raise DataError(f"expected (N, H, W, 3) images with one label each, got {images.shape} and {labels.shape}")
    if not concepts:
        raise DataError(f"{description or 'the image set'} has no concept masks; labelling needs "
                        "segmentation masks (pass --masks DIR for your own data)")
    check_concept_names(concepts, description or "the image set")
    if callable(getattr(imageset, "mask_stack", None)):
        masks: MaskSource = imageset.mask_stack
    elif getattr(imageset, "masks", None) is not None:
        masks = np.asarray(imageset.masks, dtype=bool)
        if masks.shape[:2] != (len(images), len(concepts)):
            raise DataError(f"masks must have shape (N={len(images)}, K={len(concepts)}, H, W), got {masks.shape}")
    else:
        raise DataError(f"{description or 'the image set'} has concept names but no masks")
    raw_ids = getattr(imageset, "ids", None)
    if raw_ids is None or len(raw_ids) != len(labels):
        raw_ids = [f"img_{i:04d}" for i in range(len(labels))]
    ids = tuple(str(i) for i in raw_ids)
    raw_cc = getattr(imageset, "class_concepts", None)
    class_concepts = {str(k): tuple(str(c) for c in v) for k, v in raw_cc.items()} if raw_cc else None
    return AnnotatedSet(images, labels, tuple(str(c) for c in imageset.class_names), ids, concepts, masks,
                        description, class_concepts)


def load_annotated(run: Run, split: str = "test", masks: str | Path | None = None,
                   per_class: int | None = None) -> AnnotatedSet:
    """The annotated set of a run: its data set's ``split``, or a folder of images with masks.

    Parameters
    ----------
    run : Run
        The run; its config names the data set, classes, image size and seed.
    split : str
        ``"test"`` (default: images the CNN did not train on) or ``"train"``.
    masks : path, optional
        A mask-annotated data folder (``images/``, ``masks/``, ``concepts.txt``,
        see :mod:`nesyasp.data.folder`), used instead of the run's data. All its
        images are used, or its ``split`` folder when it has split folders.
    per_class : int, optional
        Images per class; default the run's ``test_per_class`` (or
        ``per_class`` for train), and all images of a ``masks`` folder.
    """
    cfg = run.config
    try:
        from nesyasp.data import load_dataset
    except ImportError as exc:
        raise DataError(f"the data sets are not available ({exc})") from None
    if masks is not None:
        imageset = _mask_folder(Path(masks), split, per_class, cfg.size)
        source = f"{masks} ({len(imageset.labels)} images)"
    else:
        if per_class is None:
            per_class = cfg.test_per_class if split == "test" else cfg.per_class
        imageset = load_dataset(cfg.data, split=split, classes=cfg.classes or None, per_class=per_class,
                                size=cfg.size, seed=cfg.seed)
        source = f"{cfg.data} ({split} split, {len(imageset.labels)} images)"
        if tuple(imageset.class_names) != tuple(run.class_names):
            logger.warning("annotated classes %s differ from the run's %s", imageset.class_names, run.class_names)
    return annotated_set(imageset, source)


def _mask_folder(path: Path, split: str, per_class: int | None, size: int) -> Any:
    from nesyasp.data.folder import load_image_folder, split_folders

    if not path.is_dir():
        raise DataError(f"{path}: no such masks folder")
    images = path / "images" if (path / "images").is_dir() else path
    if not (path / "masks").is_dir():
        raise DataError(f"{path}: no masks/ folder (expected images/<class>/<name>.png, "
                        "masks/<class>/<name>.png and concepts.txt)")
    masks = path / "masks"
    id_root = images  # ids as training gave them: below images/, split folder included
    if split in split_folders(images):
        images, masks = images / split, masks / split
    concepts = path / "concepts.txt" if (path / "concepts.txt").is_file() else None
    skip = frozenset({"images", "masks", "concepts", "labelling"}) if images == path else frozenset()
    return load_image_folder(images, size=size, masks_dir=masks, concepts_file=concepts,
                             per_class=per_class, skip=skip, id_root=id_root)


@torch.no_grad()
def feature_maps(model: FeatureModel, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """The model's filter maps ``(N, F, h, w)`` (float32, CPU) on uint8 images ``(N, H, W, 3)``.

    Images are scaled as in training (:func:`nesyasp.neural.data.split_from_imageset`).
    """
    def scaled(batch: np.ndarray) -> torch.Tensor:
        return split_from_imageset(SimpleNamespace(images=batch, labels=np.zeros(len(batch), np.int64),
                                                   class_names=("x",), ids=None)).x

    model.eval()
    parts = [model(scaled(images[i:i + batch_size]))[1].float().cpu().numpy()
             for i in range(0, len(images), batch_size)]
    if not parts:
        raise DataError("the annotated set holds no images")
    return np.concatenate(parts)


@dataclass
class RunLabels:
    """The result of labelling a run.

    Attributes
    ----------
    raw : Program
        The run's rule set.
    labelled : LabelledProgram
        The labelled rule set and the label-to-filter mapping.
    records : dict
        Filter index to its :class:`~nesyasp.label.scores.FilterConcepts`.
    names : dict
        Filter index to label.
    class_filters : dict
        Class name to its top filter (the paper's Figure 2 choice).
    config : LabelConfig
    annotated : AnnotatedSet
    maps : ndarray
        Filter maps ``(N, F, h, w)`` on the annotated set (for the pictures).
    """

    raw: Program
    labelled: LabelledProgram
    records: dict[int, FilterConcepts]
    names: dict[int, str]
    class_filters: dict[str, int]
    config: LabelConfig
    annotated: AnnotatedSet
    maps: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """What ``labels.json`` holds (picture paths are added by :func:`write_labels`)."""
        ids = self.annotated.ids
        filters = {str(k): {"label": self.names[k], "concepts": list(rec.concepts),
                            "scores": {c: round(s, 6) for c, s in rec.scores.items()},
                            "raw_scores": {c: round(s, 6) for c, s in rec.raw_scores.items() if s > 0},
                            "top_images": [ids[i] for i in rec.top_images]}
                   for k, rec in sorted(self.records.items())}
        return {"format": 1, "config": dataclasses.asdict(self.config),
                "annotated": {"source": self.annotated.description, "images": len(self.annotated),
                              "concepts": list(self.annotated.concept_names)},
                "filters": filters, "class_top_filters": dict(self.class_filters)}


def label_run(run: Run | str | Path, annotated: AnnotatedSet | None = None, config: LabelConfig | None = None,
              *, program: Program | None = None, split: str = "test", masks: str | Path | None = None,
              batch_size: int = 64) -> RunLabels:
    """Label the filters of a run's rule set and transform the rule set.

    Parameters
    ----------
    run : Run or path
        A trained run (``rules.lp`` present unless ``program`` is given).
    annotated : AnnotatedSet, optional
        The mask-annotated images; default :func:`load_annotated` (``split``, ``masks``).
    config : LabelConfig, optional
        Labelling parameters; its ``norm`` ranks the top images (default
        NeSyFOLD's spectral norm).
    program : Program, optional
        The raw rule set; default the run's ``rules.lp``.

    Raises
    ------
    DataError
        When the rule set uses no filter, or a filter outside the model's layer, or was extracted from
        an earlier checkpoint than the run's (resumed since: run ``nesyasp extract`` again).
    """
    run = run if isinstance(run, Run) else load_run(run)
    config = config or LabelConfig()
    if program is None:
        check_extraction_current(run)  # rules of older weights would get labels of the new filters
        program = read_rules(run)
    filters = rule_filters(program)
    if not filters:
        raise DataError(f"{run.path}: the rule set uses no filter predicate (f<k>); nothing to label")
    annotated = annotated if annotated is not None else load_annotated(run, split, masks)
    unknown = [c for c in config.ignore if c not in annotated.concept_names]
    if unknown:
        raise DataError(f"cannot ignore {', '.join(map(repr, unknown))}: not a concept of the annotated set "
                        f"({', '.join(annotated.concept_names[:12])}{' ...' if len(annotated.concept_names) > 12 else ''})")
    maps = feature_maps(run.model, annotated.images, batch_size)
    bad = [k for k in filters if k >= maps.shape[1]]
    if bad:
        raise DataError(f"the rule set uses filters {bad} but the model's layer has {maps.shape[1]} filters")
    cols = sorted(filters)
    sub = maps[:, cols]  # label only the rule set's filters; records get their real indices back
    found = label_filters(sub, annotated.mask_stack, annotated.concept_names, range(len(cols)), config=config)
    records = {cols[r.filter]: dataclasses.replace(r, filter=cols[r.filter]) for r in found}
    names = name_filters(records.values(), reserved=program_predicates(program))
    labelled = label_program(program, names, {k: r.concepts for k, r in records.items()})
    for k in sorted(records):
        logger.info("f%d -> %s %s", k, names[k], records[k].scores)
    return RunLabels(program, labelled, records, names, class_top_filters(program), config, annotated, maps)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_labels(labels: RunLabels, run_dir: str | Path, *, pictures: bool = True, n_top: int = 3) -> list[Path]:
    """Write the labelled rules, ``labels.json``, the pictures and labelled facts into ``run_dir``.

    Returns the paths written.
    """
    from nesyasp.label.pictures import plot_concept_scores, plot_top_activations

    out = Path(run_dir)
    written: list[Path] = []
    data = labels.to_dict()
    facts = _labelled_facts(out, labels.names)  # read and renamed before anything is written
    if pictures:
        (out / PICTURES).mkdir(exist_ok=True)
        if labels.class_filters:
            uses = filter_uses(labels.raw)
            against = {c for c, k in labels.class_filters.items() if (c, True) not in uses.get(k, ())}
            top = plot_top_activations(out / PICTURES / "top_filters.png", labels.annotated.images, labels.maps,
                                       labels.class_filters, labels.records, labels.names, n_top=n_top,
                                       upsampling=labels.config.upsampling, against=against)
            data["pictures"] = {"top_filters": top.relative_to(out).as_posix()}
            written.append(top)
        for k, rec in sorted(labels.records.items()):
            bars = plot_concept_scores(out / PICTURES / f"f{k}_scores.png", rec, labels.names[k],
                                       margin=labels.config.margin)
            data["filters"][str(k)]["scores_picture"] = bars.relative_to(out).as_posix()
            written.append(bars)
    # the text files last: a picture that cannot be drawn leaves the earlier labelling whole
    _atomic_text(out / LABELLED_RULES, str(add_domain_guards(labels.labelled.program)))
    _atomic_text(out / LABELS_FILE, json.dumps(data, indent=2) + "\n")
    written[:0] = [out / LABELLED_RULES]
    written.append(out / LABELS_FILE)
    for target, text in facts:
        _atomic_text(target, text)
        written.append(target)
    return written


def _labelled_facts(out: Path, names: Mapping[int, str]) -> list[tuple[Path, str]]:
    """Each ``facts/<split>.lp`` of the run renamed: ``(facts/<split>_labelled.lp, its text)``."""
    from nesyasp.lang.parser import parse_file

    facts_dir = out / "facts"
    if not facts_dir.is_dir():
        return []
    return [(facts_dir / labelled_facts_name(path.stem), str(relabel_facts(parse_file(path), names)))
            for path in sorted(facts_dir.glob("*.lp")) if not path.stem.endswith("_labelled")]


def image_facts_of_run(run: Run, images: np.ndarray, ids: Any, names: Mapping[int, str] | None = None) -> Program:
    """Facts of new images for a run's rule set: ``_example(id).`` and one atom per active filter.

    The images (uint8 ``(N, H, W, 3)`` at the run's size) go through the
    run's CNN and are binarized with its thresholds (``tables/binarization.json``);
    with ``names`` (a run's labels) the atoms are labelled (``bed1(img).``),
    else raw (``f295(img).``).
    """
    from nesyasp.lang.ast import Atom, Rule
    from nesyasp.label.transform import image_facts, image_term
    from nesyasp.neural.binarize import DOMAIN
    from nesyasp.neural.nesymodel import NesyModel

    ids = [str(i) for i in ids]
    if len(ids) != len(images):
        raise DataError(f"{len(images)} images but {len(ids)} ids")
    model = NesyModel.from_run(run)
    split = split_from_imageset(SimpleNamespace(images=np.asarray(images), labels=np.zeros(len(ids), np.int64),
                                                class_names=("x",), ids=ids))
    values = model.binarize(split.x)
    statements: list = []
    for i, ident in enumerate(ids):
        statements.append(Rule(Atom(DOMAIN, (image_term(ident),))))
        statements.extend(image_facts(ident, np.flatnonzero(values[i]).tolist(), names).statements)
    return Program(tuple(statements), "<images>")
