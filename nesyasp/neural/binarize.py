"""Binarized filter tables: per image and filter, ``round(sigmoid(norm - threshold))``.

A :class:`FilterTable` is what the rule learner reads: one row per image
(dataset order), one 0/1 column per filter of the last conv layer (named
``f0``, ``f1``, ...), the label, and the image id. It round-trips through
CSV (``id,f0,...,label`` with class names), NPZ and ASP facts
(``f12(img_0042).``, plus the domain atom ``_example(img_0042).`` for every image).

Examples
--------
>>> import numpy as np
>>> binarize(np.array([[0.2, 3.0]]), np.array([1.0, 1.0])).tolist()
[[0, 1]]
>>> t = FilterTable(np.array([[0, 1]], np.uint8), np.array([1]), ("img_0",), ("a", "b"))
>>> print(t.facts_text(), end="")
_example(img_0).
f1(img_0).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nesyasp.errors import DataError, Location, Position
from nesyasp.neural.data import Split
from nesyasp.neural.distributed import sharded_norm_table, sync_buffers
from nesyasp.neural.models import FeatureModel
from nesyasp.neural.sparsity import filter_norms

__all__ = ["FilterTable", "norm_table", "binarize", "asp_id", "DOMAIN"]

DOMAIN = "_example"
_CONSTANT = re.compile(r"[a-z][A-Za-z0-9_]*\Z")


def asp_id(name: str) -> str:
    """An image id as an ASP constant: itself when it is one (``[a-z][A-Za-z0-9_]*``, as the ids of
    users' folders are), else lower case ``[a-z0-9_]``, starting with a letter; accents are dropped
    (``Café`` -> ``cafe``), as in :mod:`nesyasp.data.ids`."""
    if _CONSTANT.match(str(name)):
        return str(name)
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_]+", "_", plain.lower()).strip("_") or "img"
    return text if text[0].isalpha() else f"img_{text}"


@torch.no_grad()
def norm_table(model: FeatureModel, split: Split, norm: str = "fro", batch_size: int = 64) -> np.ndarray:
    """Filter norms ``[N, F]`` of the model's filter layer on ``split`` (evaluation mode, dataset order).

    Under ``torchrun`` every rank computes a shard of the images; all get the whole table.
    """
    model.eval()
    sync_buffers(model)

    def rows(idx: np.ndarray) -> np.ndarray:
        parts = [np.zeros((0, 0))]
        for i in range(0, len(idx), batch_size):
            _, maps = model(split.x[torch.as_tensor(idx[i:i + batch_size])])
            parts.append(filter_norms(maps, norm).cpu().numpy().astype(np.float64))
        return np.concatenate(parts[1:]) if len(parts) > 1 else np.zeros((0, 0))

    return sharded_norm_table(rows, len(split.x))


def binarize(norms: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``round(sigmoid(norm - threshold))`` as uint8 (a norm equal to its threshold gives 0)."""
    adjusted = torch.as_tensor(np.asarray(norms, dtype=np.float64) - np.asarray(thresholds, dtype=np.float64))
    return torch.round(torch.sigmoid(adjusted)).numpy().astype(np.uint8)


@dataclass(frozen=True)
class FilterTable:
    """Binarized filters of a set of images.

    Attributes
    ----------
    values:
        ``[N, F]`` uint8 0/1.
    labels:
        ``[N]`` class indices.
    ids:
        Image ids (ASP constants).
    class_names:
        Names of the class indices.
    """

    values: np.ndarray
    labels: np.ndarray
    ids: tuple[str, ...]
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or len(self.values) != len(self.labels) or len(self.ids) != len(self.labels):
            raise DataError("a filter table needs [N, F] values, N labels and N ids")
        if self.values.size and not np.isin(self.values, (0, 1)).all():
            raise DataError("a filter table holds only 0 and 1")

    @property
    def feature_names(self) -> list[str]:
        """``f0``, ``f1``, ... one per filter."""
        return [f"f{j}" for j in range(self.values.shape[1])]

    def to_csv(self, path: str | Path) -> None:
        """Write ``id,f0,...,label`` rows (label as class name), atomically."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["id", *self.feature_names, "label"])
        for i, row in enumerate(self.values):
            w.writerow([self.ids[i], *row.tolist(), self.class_names[int(self.labels[i])]])
        _atomic_write(Path(path), buf.getvalue())

    @classmethod
    def from_csv(cls, path: str | Path, class_names: tuple[str, ...] | None = None) -> FilterTable:
        """Read a table written by :meth:`to_csv` (errors name file and line)."""
        path = Path(path)
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        if not rows or rows[0][:1] != ["id"] or rows[0][-1] != "label":
            raise DataError("expected the header id,f0,...,label", _loc(path, 1))
        names = list(class_names or [])
        values, labels, ids = [], [], []
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(rows[0]):
                raise DataError(f"{len(row)} cells where the header has {len(rows[0])}", _loc(path, line))
            if row[-1] not in names:
                names.append(row[-1])
            try:
                values.append([int(v) for v in row[1:-1]])
            except ValueError:
                raise DataError("filter cells must be 0 or 1", _loc(path, line)) from None
            labels.append(names.index(row[-1]))
            ids.append(row[0])
        arr = np.array(values, dtype=np.uint8).reshape(len(values), len(rows[0]) - 2)
        return cls(arr, np.array(labels, dtype=np.int64), tuple(ids), tuple(names))

    def to_npz(self, path: str | Path) -> None:
        """Write values, labels, ids and class names to a compressed ``.npz``."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, values=self.values, labels=self.labels, ids=np.array(self.ids),
                            class_names=np.array(self.class_names))
        os.replace(tmp, path)

    @classmethod
    def from_npz(cls, path: str | Path) -> FilterTable:
        """Read a table written by :meth:`to_npz`."""
        if not Path(path).is_file():
            raise DataError(f"{path}: no filter table here; 'nesyasp extract RUN' writes it")
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(z["values"].astype(np.uint8), z["labels"].astype(np.int64),
                           tuple(map(str, z["ids"])), tuple(map(str, z["class_names"])))
        except (OSError, KeyError, ValueError) as exc:
            raise DataError(f"{path}: not a filter table ({exc})") from None

    def facts_text(self) -> str:
        """ASP facts: ``_example(id).`` for every image and ``fJ(id).`` for every 1."""
        lines = []
        for i, ident in enumerate(self.ids):
            lines.append(f"{DOMAIN}({ident}).")
            lines.extend(f"f{j}({ident})." for j in np.flatnonzero(self.values[i]))
        return "".join(line + "\n" for line in lines)

    def to_facts(self, path: str | Path) -> None:
        """Write :meth:`facts_text` to ``path``, atomically."""
        _atomic_write(Path(path), self.facts_text())


def _loc(path: Path, line: int) -> Location:
    pos = Position(str(path), line, 1)
    return Location(pos, pos)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
