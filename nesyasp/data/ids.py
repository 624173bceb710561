"""Image ids of a user's folder: unique, stable ASP constants derived from each file's relative path.

The id of ``cat/im01.png`` is ``cat_im01``: the path's parts below the image
root (split folder, class folder, file stem) joined with ``_``. That is an
ASP constant as it stands when every part holds only ASCII letters, digits
and ``_`` (a leading digit gets ``img_`` in front, a leading capital is
lowered). Any other name (spaces, ``-``, accents, dots) is *lossy*: its id
is the ASCII form with every other run of characters turned into ``_``,
followed by ``_h`` and 8 hex digits of the SHA-1 of the relative path, so
``A b.png``, ``a-b.png`` and ``a_b.png`` in ``cat/`` become
``cat_A_b_h1f0a...``, ``cat_a_b_h9c2e...`` and ``cat_a_b``, and ``é.png`` in
``dog/`` becomes ``dog_e_h...``. When two images of one folder share a stem
(``a.png`` and ``a.jpg``), both ids end in their suffix (``cat_a_png``,
``cat_a_jpg``). An id depends on the file's relative path (and, for the
suffix rule, on its folder's other images), never on which images were
selected, so it is the same in every run. Two files that would still share
an id are refused, naming both (:func:`folder_ids`).

Examples
--------
>>> from pathlib import PurePosixPath as P
>>> path_id(P("cat/im01.png")), path_id(P("train/Cat/00042.ppm"))
('cat_im01', 'train_Cat_00042')
>>> path_id(P("00001/00000_00012.ppm"))
'img_00001_00000_00012'
>>> path_id(P("cat/A b.png")).startswith("cat_A_b_h"), path_id(P("dog/é.png")).startswith("dog_e_h")
(True, True)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from nesyasp.errors import DataError

__all__ = ["path_id", "is_lossless", "folder_ids", "id_collisions"]

_WORD = re.compile(r"[A-Za-z0-9_]+\Z")
_OTHER = re.compile(r"[^A-Za-z0-9_]+")


def _fix_start(text: str) -> str:
    if not text:
        return "img"
    if text[0].isdigit() or text[0] == "_":
        return f"img_{text}"
    if text[0].isupper():
        return text[0].lower() + text[1:]
    return text


def _parts(rel: PurePosixPath, with_suffix: bool) -> list[str]:
    last = f"{rel.stem}_{rel.suffix[1:]}" if with_suffix and rel.suffix else rel.stem
    return [*rel.parts[:-1], last]


def is_lossless(rel: PurePosixPath) -> bool:
    """True when every part of the path (stem of the file) holds only ASCII letters, digits and ``_``."""
    return all(_WORD.match(p) for p in _parts(rel, False))


def path_id(rel: PurePosixPath, with_suffix: bool = False) -> str:
    """The id of the image at ``rel`` (relative to the image root); see the module docs."""
    parts = _parts(rel, with_suffix)
    if all(_WORD.match(p) for p in parts):
        return _fix_start("_".join(parts))
    ascii_text = unicodedata.normalize("NFKD", "_".join(parts)).encode("ascii", "ignore").decode("ascii")
    slug = _fix_start(_OTHER.sub("_", ascii_text).strip("_"))
    return f"{slug}_h{hashlib.sha1(rel.as_posix().encode('utf-8')).hexdigest()[:8]}"


def _shared_stems(folders: Iterable[Path], suffixes: Sequence[str]) -> set[tuple[Path, str]]:
    """``(folder, stem)`` pairs held by more than one image file of that folder."""
    out: set[tuple[Path, str]] = set()
    for folder in folders:
        stems = Counter(p.stem for p in folder.iterdir()
                        if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))
        out |= {(folder, s) for s, n in stems.items() if n > 1}
    return out


def _ids(root: Path, files: Sequence[Path], suffixes: Sequence[str]) -> list[str]:
    shared = _shared_stems({f.parent for f in files}, suffixes)
    return [path_id(PurePosixPath(f.relative_to(root).as_posix()), (f.parent, f.stem) in shared) for f in files]


def id_collisions(root: Path, files: Sequence[Path], suffixes: Sequence[str]) -> list[tuple[str, list[Path]]]:
    """Groups of files that get the same id, as ``(id, files)`` (empty when every id is unique)."""
    groups: dict[str, list[Path]] = {}
    for f, ident in zip(files, _ids(root, files, suffixes)):
        groups.setdefault(ident, []).append(f)
    return [(ident, fs) for ident, fs in groups.items() if len(fs) > 1]


def folder_ids(root: Path, files: Sequence[Path], suffixes: Sequence[str]) -> tuple[str, ...]:
    """The ids of ``files`` (paths under ``root``), in order.

    Raises
    ------
    DataError
        When two files would get the same id (both are named; rename one).
    """
    ids = _ids(root, files, suffixes)
    seen: dict[str, Path] = {}
    for f, ident in zip(files, ids):
        if ident in seen:
            raise DataError(f"{seen[ident]} and {f} would both get the image id {ident!r}; rename one of them")
        seen[ident] = f
    return tuple(ids)
