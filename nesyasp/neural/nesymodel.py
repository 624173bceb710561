"""The NeSy model: a trained CNN's binarized filters plus the rule set that replaces its head.

``NesyModel.from_run(path)`` reads an extracted run folder (weights,
thresholds, ``rules.lp``, and ``labelled_rules.lp`` with ``labels.json`` when
``nesyasp label`` ran). :meth:`NesyModel.predict` gives the classes the
evaluation counts; :meth:`NesyModel.explain` says why, for any image:

>>> from nesyasp.neural.nesymodel import NesyModel            # doctest: +SKIP
>>> model = NesyModel.from_run("runs/ts3")                      # doctest: +SKIP
>>> e = model.explain("kitchen.png")                            # doctest: +SKIP
>>> e.prediction, e.literals[0].predicate, e.literals[0].map.shape   # doctest: +SKIP
('kitchen', 'stove1', (6, 6))
>>> print(e.text())                                             # doctest: +SKIP

Predictions and justifications come from the reasoner (:mod:`nesyasp.neural.nesy`),
so an image gets exactly the class ``nesyasp evaluate`` counts for it.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import torch

from nesyasp._paths import said_command
from nesyasp.errors import DataError, WrongTypeError
from nesyasp.lang.ast import Program
from nesyasp.neural.binarize import binarize
from nesyasp.neural.data import split_from_imageset
from nesyasp.neural.explain import ImageExplanation, Vocabulary, image_ids, literal_maps, read_vocabulary, reason_batch
from nesyasp.neural.images import read_image, to_uint8
from nesyasp.neural.nesy import check_rules, predict_classes
from nesyasp.neural.sparsity import filter_norms

__all__ = ["NesyModel"]

logger = logging.getLogger(__name__)


class NesyModel:
    """CNN filter features + rule set: images in, classes and their justifications out.

    Parameters
    ----------
    model:
        The trained :class:`~nesyasp.neural.models.FeatureModel` (evaluation mode).
    thresholds:
        Per-filter binarization thresholds.
    norm:
        Filter norm (``fro``, ``spectral`` or ``l1mean``).
    program:
        The rule set (heads ``target(X,class)``, filter ``j`` the predicate ``fj``).
    class_names:
        Names of the class indices.
    vocabulary:
        The labelled rule set and filter labels, when the run is labelled.
    size:
        Image side the CNN was trained on (images are resized to it).
    """

    def __init__(self, model: Any, thresholds: np.ndarray, norm: str, program: Program,
                 class_names: Sequence[str], vocabulary: Vocabulary | None = None, size: int | None = None,
                 head: str = "target"):
        self.model, self.thresholds, self.norm = model, np.asarray(thresholds, dtype=np.float64), norm
        self.program, self.class_names = program, tuple(class_names)
        self.vocabulary, self.size, self.head = vocabulary, size, head

    @classmethod
    def from_run(cls, run: Any, device: str | None = None) -> NesyModel:
        """The NeSy model of an extracted run folder (a path, or a :class:`~nesyasp.neural.run.Run`).

        A folder given by path is loaded onto ``device`` (default: the run's
        ``device`` setting, the CPU when that device is not here); a ``Run``
        keeps its model where it is unless ``device`` is given.

        Raises
        ------
        DataError
            When the run is not extracted yet, was extracted before it trained on (resumed), or its rules
            name classes or filters it does not have.
        """
        import json

        from nesyasp.lang import parse_file
        from nesyasp.neural.run import Run, check_extraction_current, load_run

        loaded = not isinstance(run, Run)
        run = load_run(run) if loaded else run
        info_path = run.tables_dir / "binarization.json"
        if not info_path.is_file() or not run.rules_path.is_file():
            raise DataError(f"{run.path}: not extracted yet; run {said_command('nesyasp', 'extract', run.path)} first")
        check_extraction_current(run)
        info = json.loads(info_path.read_text(encoding="utf-8"))
        program = parse_file(run.rules_path)
        thresholds = np.asarray(info["thresholds"], dtype=np.float64)
        check_rules(program, len(thresholds), run.class_names)
        if loaded or device is not None:
            run.model.to(_device(device or run.config.device))
        return cls(run.model, thresholds, info["norm"], program, run.class_names,
                   read_vocabulary(run.path, program), run.config.size)

    @property
    def device(self) -> torch.device:
        """Where the CNN runs."""
        param = next(self.model.parameters(), None)
        return param.device if param is not None else torch.device("cpu")

    # ------------------------------------------------------------ features
    @torch.no_grad()
    def features(self, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CNN classes ``[N]``, filter maps ``[N, F, h, w]`` and filter norms ``[N, F]`` of images ``x``
        (a float tensor ``[N, 3, H, W]``, scaled as in training: :meth:`tensor` makes one)."""
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != 3:
            got = f"a tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
            raise WrongTypeError(f"expected a float tensor [N, 3, H, W] (model.tensor([model.image(path), ...]) makes "
                                 f"one; explain takes a single path or picture), got {got}")
        self.model.eval()
        logits, maps = self.model(x.to(self.device))
        norms = filter_norms(maps, self.norm)
        return (logits.argmax(1).cpu().numpy(), maps.float().cpu().numpy(),
                norms.cpu().numpy().astype(np.float64))

    def binarize(self, x: torch.Tensor) -> np.ndarray:
        """The ``[N, F]`` 0/1 filter table of images ``x`` (a float tensor ``[N, 3, H, W]``, scaled as in training)."""
        return binarize(self.features(x)[2], self.thresholds)

    def predict(self, x: torch.Tensor, engine: str = "auto") -> np.ndarray:
        """Class indices of images ``x`` (``-1`` where no rule applies), through the reasoner's ``engine``."""
        return predict_classes(self.program, self.binarize(x), self.class_names, self.head, engine)

    # ------------------------------------------------------------ explaining
    def tensor(self, images: Sequence[np.ndarray]) -> torch.Tensor:
        """uint8 images ``(size, size, 3)`` as the CNN's input (scaled as in training)."""
        arr = np.stack(images) if len(images) else np.zeros((0, self.size or 1, self.size or 1, 3), np.uint8)
        return split_from_imageset(SimpleNamespace(images=arr, labels=np.zeros(len(arr), np.int64),
                                                   class_names=("x",), ids=None)).x

    def image(self, image: Any) -> np.ndarray:
        """A path, PIL image or array as the ``(size, size, 3)`` uint8 image the CNN reads."""
        return read_image(image, self.size) if isinstance(image, (str, Path)) else to_uint8(image, self.size)

    def explain(self, image: Any, why_not: Sequence[str] = (), image_id: str | None = None) -> ImageExplanation:
        """Why the NeSy model gives ``image`` (a path, PIL image or ``(H, W, 3)`` array) its class.

        Parameters
        ----------
        image:
            The picture; resized to the run's size as in training.
        why_not:
            A class, or classes, to explain as well (``target(img,kitchen)``, whether it holds or not).
        image_id:
            The image's constant (made one as file names are: ``Kitchen 01`` -> ``kitchen_01``);
            default from the file name, else ``img``.

        Returns
        -------
        ImageExplanation
            The prediction, the reasoner's justification trees (``answers``, ``why_not``,
            ``tree``), the filter literals with their maps (``literals``), ``text()`` and ``to_dict()``.
        """
        source = str(image) if isinstance(image, (str, Path)) else "<image>"
        ident = image_id or (image_ids([Path(image).stem])[0] if isinstance(image, (str, Path)) else "img")
        return next(self.explain_many([self.image(image)], [ident], [source], why_not))

    def explain_many(self, images: Sequence[np.ndarray], ids: Sequence[str] | None = None,
                     sources: Sequence[str] | None = None, why_not: Sequence[str] = (),
                     batch_size: int = 64) -> Iterator[ImageExplanation]:
        """Explanations of uint8 images (any size), the CNN and the reasoner working a batch at a time.

        ``ids`` become ASP constants as file names do (``Kitchen 01`` -> ``kitchen_01``, a repeat
        gets ``_2``); ``why_not`` is a class name or a sequence of them."""
        sources = list(sources) if sources is not None else list(ids) if ids is not None else None
        ids = image_ids(ids) if ids is not None else image_ids(f"img_{i}" for i in range(len(images)))
        sources = sources if sources is not None else list(ids)
        why_not = _names(why_not)
        if not len(ids) == len(sources) == len(images):
            raise DataError(f"{len(images)} images, {len(ids)} ids and {len(sources)} sources")
        self.check_classes(why_not)
        for start in range(0, len(images), batch_size):
            part = [self.image(im) for im in images[start:start + batch_size]]
            yield from self._explain_batch(part, ids[start:start + batch_size], sources[start:start + batch_size],
                                           why_not)

    def _explain_batch(self, images: list[np.ndarray], ids: list[str], sources: list[str],
                       why_not: Sequence[str]) -> Iterator[ImageExplanation]:
        cnn, maps, norms = self.features(self.tensor(images))
        values = binarize(norms, self.thresholds)
        vocab = self.vocabulary
        program = vocab.program if vocab is not None else self.program
        found = reason_batch(program, values, ids, self.class_names, vocab.names if vocab else None, why_not,
                             self.head, cnn)
        for i, expl in enumerate(found):
            expl = dataclasses.replace(expl, source=sources[i], image=images[i],
                                       program="labelled_rules.lp" if vocab is not None else "rules.lp")
            lits = literal_maps(expl, maps[i], norms[i], self.thresholds, vocab.concepts if vocab else None)
            yield dataclasses.replace(expl, literals=lits)

    def explain_files(self, paths: Iterable[str | Path], why_not: Sequence[str] = (),
                      batch_size: int = 64) -> Iterator[tuple[Path, ImageExplanation | DataError]]:
        """``(path, explanation)`` per image file, or ``(path, error)`` for a file that cannot be read.

        Files are read ``batch_size`` at a time, so a folder of any size runs in bounded memory.
        ``paths`` is one path or a sequence of them; ``why_not`` a class name or a sequence of them.
        """
        paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        ids = image_ids(p.stem for p in paths)
        why_not = _names(why_not)
        self.check_classes(why_not)
        for start in range(0, len(paths), batch_size):
            chunk = range(start, min(start + batch_size, len(paths)))
            images: dict[int, np.ndarray] = {}
            failed: dict[int, DataError] = {}
            for i in chunk:
                try:
                    images[i] = read_image(paths[i], self.size)
                except DataError as exc:
                    failed[i] = exc
            order = list(images)
            found = dict(zip(order, self._explain_batch([images[i] for i in order], [ids[i] for i in order],
                                                        [str(paths[i]) for i in order], why_not))) if order else {}
            for i in chunk:
                yield paths[i], failed[i] if i in failed else found[i]

    def check_classes(self, why_not: Sequence[str]) -> None:
        """Raise :class:`~nesyasp.errors.DataError` for a name that is not a class of the run."""
        for name in _names(why_not):
            if name not in self.class_names:
                raise DataError(f"cannot explain why not {name!r}: not a class of this run ({', '.join(self.class_names)})")

def _names(why_not: str | Sequence[str]) -> tuple[str, ...]:
    """One class name or a sequence of them (a name is not a sequence of letters)."""
    return (why_not,) if isinstance(why_not, str) else tuple(why_not)


def _device(name: str) -> torch.device:
    """The run's device when it is here, else the CPU."""
    from nesyasp.neural.distributed import resolve_device

    try:
        return resolve_device(name)
    except DataError as exc:
        logger.warning("%s; explaining on the CPU", exc)
        return torch.device("cpu")
