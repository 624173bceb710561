"""Validate a user's data folder without loading it: every problem, one message each.

Checked: the layout (class folders exist), empty classes, unreadable images,
masks that are unreadable, not single-channel, of another size than their
image, or hold values with no concept in ``concepts.txt``, masks without an
image, a ``concepts.txt`` with bad or repeated names, and empty or unreadable
TCAV concept folders. Nothing is downloaded and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from nesyasp.data.folder import _NAME, IMAGE_SUFFIXES, RESERVED, _class_dirs, _images_in, read_concepts
from nesyasp.errors import DataError

__all__ = ["FolderReport", "scan_image_folder", "check_image_folder"]

_SPLITS = ("train", "test", "val")


@dataclass
class FolderReport:
    """What :func:`scan_image_folder` found: problems, and counts per ``split/class``."""

    root: Path
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    masks: int = 0
    concepts: tuple[str, ...] = ()
    concept_sets: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        n = sum(self.counts.values())
        classes = sorted({k.rsplit("/", 1)[-1] for k in self.counts})
        text = (f"{self.root}: {n} images in {len(classes)} classes ({', '.join(classes[:10])}"
                f"{', ...' if len(classes) > 10 else ''}), {self.masks} masks, {len(self.concepts)} concepts")
        if self.concept_sets:
            text += f", {len(self.concept_sets)} concept folders"
        return text


def _open_ok(path: Path) -> tuple[tuple[int, int] | None, str | None]:
    """Image size, or the reason it cannot be read (the file is fully decoded)."""
    try:
        with Image.open(path) as im:
            im.load()
            return im.size, None
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        return None, f"{path}: unreadable image ({type(exc).__name__}: {exc})"


def _check_mask(mpath: Path, image_size: tuple[int, int] | None, n_concepts: int | None,
                problems: list[str]) -> None:
    try:
        with Image.open(mpath) as m:
            m.load()
            mode, msize = m.mode, m.size
            arr = np.asarray(m) if mode in ("L", "P", "I", "I;16", "1") else None
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        problems.append(f"{mpath}: unreadable mask ({type(exc).__name__}: {exc})")
        return
    if arr is None:
        problems.append(f"{mpath}: mask mode {mode} is not single-channel (use L, P, I or I;16)")
        return
    if image_size is not None and msize != image_size:
        problems.append(f"{mpath}: mask is {msize[0]}x{msize[1]} but its image is "
                        f"{image_size[0]}x{image_size[1]}")
    if n_concepts is not None and arr.size:
        values = np.unique(arr.astype(np.int64))
        bad = [int(v) for v in values if v < 0 or v > n_concepts]
        if bad:
            problems.append(f"{mpath}: mask values {', '.join(map(str, bad[:8]))} have no concept "
                            f"(concepts.txt lists {n_concepts})")


def _check_classes(img_root: Path, mask_root: Path | None, prefix: str, n_concepts: int | None,
                   report: FolderReport, skip: frozenset[str] = frozenset()) -> None:
    classes = [d for d in _class_dirs(img_root) if d.name not in skip]
    if not classes:
        report.problems.append(f"{img_root}: no class folders (expected {img_root}/<class>/<image>)")
    for cdir in classes:
        files = _images_in(cdir)
        report.counts[f"{prefix}{cdir.name}"] = len(files)
        if not files:
            report.problems.append(f"{cdir}: class {cdir.name!r} is empty (no {'/'.join(IMAGE_SUFFIXES)} files)")
        sizes = {}
        for f in files:
            size, problem = _open_ok(f)
            if problem:
                report.problems.append(problem)
            sizes[f.stem] = size
        if mask_root is None:
            continue
        mdir = mask_root / cdir.name
        if not mdir.is_dir():
            continue
        for mpath in sorted(p for p in mdir.iterdir() if p.is_file() and not p.name.startswith(".")):
            if mpath.stem not in sizes:
                report.problems.append(f"{mpath}: mask without an image in {cdir}")
                continue
            report.masks += 1
            _check_mask(mpath, sizes[mpath.stem], n_concepts, report.problems)


def _check_concepts(root: Path, report: FolderReport) -> int | None:
    cfile = root / "concepts.txt"
    if not cfile.is_file():
        return None
    try:
        names = read_concepts(cfile)
    except DataError as exc:
        report.problems.append(str(exc))
        return None
    report.concepts = names
    for k, name in enumerate(names, 1):
        if not _NAME.match(name):
            report.problems.append(f"{cfile}: concept {k} {name!r} is not a lowercase name "
                                   f"(letters, digits, _; starting with a letter)")
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        report.problems.append(f"{cfile}: repeated concept names: {', '.join(dups)}")
    return len(names)


def scan_image_folder(path: str | Path) -> FolderReport:
    """Scan a data folder (layout of :mod:`nesyasp.data.folder`) and report every problem found."""
    root = Path(path)
    report = FolderReport(root)
    if not root.is_dir():
        report.problems.append(f"{root}: not a folder")
        return report
    img_root = root / "images" if (root / "images").is_dir() else root
    mask_root = root / "masks" if (root / "masks").is_dir() else None
    n_concepts = _check_concepts(root, report)
    if mask_root is not None and n_concepts is None:
        report.problems.append(f"{root}: masks/ has no concepts.txt naming its values (one name per line)")
    splits = [s for s in _SPLITS if (img_root / s).is_dir()]
    if splits:
        for s in splits:
            _check_classes(img_root / s, mask_root / s if mask_root else None, f"{s}/", n_concepts, report)
    else:
        skip = RESERVED if img_root == root else frozenset()
        _check_classes(img_root, mask_root, "", n_concepts, report, skip)
    cdir = root / "concepts"
    if cdir.is_dir():
        for d in _class_dirs(cdir):
            files = _images_in(d)
            report.concept_sets[d.name] = len(files)
            if not files:
                report.problems.append(f"{d}: concept folder {d.name!r} has no images")
            for f in files:
                problem = _open_ok(f)[1]
                if problem:
                    report.problems.append(problem)
    return report


def check_image_folder(path: str | Path) -> list[str]:
    """Every problem of a data folder as one message each; an empty list when it is usable.

    Examples
    --------
    >>> check_image_folder("/no/such/folder")
    ['/no/such/folder: not a folder']
    """
    return scan_image_folder(path).problems
