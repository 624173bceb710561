"""Validate a user's data folder without loading it: every problem, one message each.

Problems (``nesyasp data check`` exits 1): the layout (class folders exist, and can be listed),
empty classes, unreadable images, broken symbolic links, two files that would
get the same image id (:mod:`nesyasp.data.ids`), masks that are unreadable,
not single-channel, of another size than their (upright) image, or hold values
with no concept in ``concepts.txt``, masks without an image, mask files that
are not ``<stem>.png``, mask folders of no class, a ``concepts.txt`` with bad
or repeated names, and empty or unreadable TCAV concept folders.

Notes (reported, but the folder is usable): grey, palette, RGBA and 16-bit
images (converted to 8-bit RGB when read), photos turned upright by their EXIF
orientation, images far from the folder's usual size or shape, class
imbalance, file names that are not plain ASCII words (their ids carry a hash
of the path), images in sub-folders of a class (not read), images without a
mask, images named like masks of other images (``im01_mask.png``), classes too
small for a test image, masks shared by two images of one stem, animated or
multi-page images (first frame read), images over PIL's decompression-bomb
limit (read, slowly), hidden and system files in class folders (skipped,
counted: macOS ``._*``, ``.DS_Store``, ``Thumbs.db``) and files of other
suffixes (named). Images are opened by worker processes from 200 files on, with a
progress bar on a terminal. Nothing is downloaded and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from nesyasp.data.folder import _FIFTH, _NAME, RESERVED, read_concepts
from nesyasp.data.ids import id_collisions, is_lossless, path_id
from nesyasp.data.layout import (IGNORED_FOLDERS, IMAGE_SUFFIXES, _class_dirs, _images_in, broken_class_links,
                                 broken_class_problem, ignored_folders, is_system_file, loose_images_problem, mask_file,
                                 no_classes_problem, readable_folder, split_folders)
from nesyasp.data._probe import probe_all
from nesyasp.data.pixels import UNREADABLE, WIDE_MODES, is_huge, open_image, unreadable_reason
from nesyasp.errors import DataError

__all__ = ["FolderReport", "scan_image_folder", "check_image_folder"]

_SPLITS = ("train", "test", "val")
_IMBALANCE = 2.0   # largest class / smallest class above this is noted
_SIZE_FACTOR = 2.0  # a side under half or over twice the median side is noted


@dataclass
class FolderReport:
    """What :func:`scan_image_folder` found: problems, notes, and counts per ``split/class``."""

    root: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
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


def _check_mask(mpath: Path, image_size: tuple[int, int] | None, n_concepts: int | None,
                problems: list[str], turned: bool = False) -> None:
    try:
        with open_image(mpath) as m:
            m.load()
            mode, msize = m.mode, m.size
            arr = np.asarray(m) if mode in ("L", "P", "I", "I;16", "1") else None
    except UNREADABLE as exc:
        problems.append(f"{mpath}: unreadable mask ({unreadable_reason(mpath, exc)})")
        return
    if arr is None:
        problems.append(f"{mpath}: mask mode {mode} is not single-channel (use L, P, I or I;16)")
        return
    if image_size is not None and msize != image_size:
        problems.append(f"{mpath}: mask is {msize[0]}x{msize[1]} but its image is "
                        f"{image_size[0]}x{image_size[1]}" + (" (upright: its EXIF orientation turns it, and the "
                                                              "mask must be drawn on the upright photo)" if turned
                                                              else ""))
    if n_concepts is not None and arr.size:
        values = np.unique(arr.astype(np.int64))
        bad = [int(v) for v in values if v < 0 or v > n_concepts]
        if bad:
            problems.append(f"{mpath}: mask values {', '.join(map(str, bad[:8]))} have no concept "
                            f"(concepts.txt lists {n_concepts})")


def _examples(paths: list[Path], k: int = 3) -> str:
    return ", ".join(str(p) for p in paths[:k]) + (f" and {len(paths) - k} more" if len(paths) > k else "")


def _note_ignored(folder: Path, report: FolderReport) -> None:
    ignored = ignored_folders(folder)
    if ignored:
        report.notes.append(f"{_examples(ignored)}: ignored, not classes (hidden folders and "
                            f"{', '.join(sorted(IGNORED_FOLDERS))} never are)")


def _class_files(img_root: Path, prefix: str, report: FolderReport,
                 skip: frozenset[str] = frozenset()) -> list[tuple[Path, list[Path]]]:
    classes = [d for d in _class_dirs(img_root) if d.name not in skip]
    report.problems += [broken_class_problem(link) for link in broken_class_links(img_root, skip)]
    _note_ignored(img_root, report)
    problem = (no_classes_problem(img_root) if not classes
               else loose_images_problem(img_root, [d.name for d in classes]))
    if problem is not None:
        report.problems.append(problem)
    out = []
    nested: list[Path] = []
    skipped: dict[str, list[Path]] = {}
    for cdir in classes:
        try:
            files = _images_in(cdir)
            entries = sorted(cdir.iterdir())
            nested += [f for d in _class_dirs(cdir) for f in sorted(d.rglob("*"))
                       if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file() and not f.name.startswith(".")]
        except (DataError, OSError) as exc:  # a class folder that cannot be read (permissions): its images are not
            report.counts[f"{prefix}{cdir.name}"] = 0
            report.problems.append(str(exc) if isinstance(exc, DataError) else f"{cdir}: cannot read the folder "
                                   f"({unreadable_reason(cdir, exc)})")
            continue
        report.counts[f"{prefix}{cdir.name}"] = len(files)
        if not files:
            report.problems.append(f"{cdir}: class {cdir.name!r} is empty (no {'/'.join(IMAGE_SUFFIXES)} files)")
        report.problems += [f"{p}: a broken symbolic link (its target is missing or a loop); not read"
                            for p in entries if _is_broken_image_link(p)]
        for kind, path in _not_images(entries, set(files)):
            skipped.setdefault(kind, []).append(path)
        out.append((cdir, files))
    if nested:
        report.notes.append(f"{len(nested)} image{'s' * (len(nested) != 1)} in sub-folders of class folders, "
                            f"not read (a class is the files of one folder): {_examples(nested)}")
    _note_skipped(skipped, report)
    return out


def _not_images(entries: list[Path], images: set[Path]) -> list[tuple[str, Path]]:
    """The plain files of a class folder that are not read as images, each with why: ``system`` (hidden or
    written by macOS / Windows) or ``suffix`` (not an image suffix)."""
    out = []
    for p in entries:
        if p in images or p.is_symlink() and not p.exists() or not p.is_file():
            continue
        out.append(("system" if is_system_file(p.name) else "suffix", p))
    return out


def _note_skipped(skipped: dict[str, list[Path]], report: FolderReport) -> None:
    if system := skipped.get("system"):
        report.notes.append(f"{len(system)} hidden or system file{'s' * (len(system) != 1)} skipped, not images "
                            f"(macOS ._* and .DS_Store, Windows Thumbs.db and desktop.ini, other names "
                            f"starting with a dot): {_examples(system)}")
    if other := skipped.get("suffix"):
        suffixes = sorted({p.suffix.lower() or "(none)" for p in other})
        report.notes.append(f"{len(other)} file{'s' * (len(other) != 1)} in class folders not read (suffix "
                            f"{', '.join(suffixes[:8])}; images are {'/'.join(IMAGE_SUFFIXES)} files): "
                            f"{_examples(other)}")


def _is_broken_image_link(path: Path) -> bool:
    return (path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".") and path.is_symlink()
            and not path.exists())


def _check_masks(classes: list[tuple[Path, list[Path]]], mask_root: Path, probes: dict, n_concepts: int | None,
                 report: FolderReport) -> None:
    names = {cdir.name for cdir, _ in classes}
    report.problems += [f"{d}: mask folder without a class folder of images" for d in _class_dirs(mask_root)
                        if d.name not in names and d.name not in _SPLITS]
    bare: list[Path] = []
    for cdir, files in classes:
        mdir = mask_root / cdir.name
        stems = {p.stem for p in mdir.iterdir() if p.suffix.lower() == ".png"} if mdir.is_dir() else set()
        bare += [f for f in files if f.stem not in stems]
        if not mdir.is_dir():
            continue
        by_stem: dict[str, list[Path]] = {}
        for f in files:
            by_stem.setdefault(f.stem, []).append(f)
        for mpath in sorted(p for p in mdir.iterdir() if p.is_file() and not p.name.startswith(".")
                            and p.suffix.lower() in IMAGE_SUFFIXES):
            images = by_stem.get(mpath.stem)
            if not images:
                report.problems.append(f"{mpath}: mask without an image in {cdir}")
                continue
            if mpath.suffix.lower() != ".png":
                report.problems.append(f"{mpath}: not read: a mask is the PNG file {mpath.stem}.png")
                continue
            if mask_file(mdir, mpath.stem) != mpath:  # im01.PNG beside im01.png
                report.problems.append(f"{mpath}: not read: {mpath.stem}.png is the mask of {images[0].name}")
                continue
            if len(images) > 1:
                report.notes.append(f"{mpath}: one mask for {len(images)} images of the stem "
                                    f"{mpath.stem!r} ({_examples(images)})")
            report.masks += 1
            _check_mask(mpath, probes[images[0]][0], n_concepts, report.problems, turned=probes[images[0]][3])
    if bare:
        report.notes.append(f"{len(bare)} image{'s' * (len(bare) != 1)} without a mask, read as all "
                            f"background: {_examples(bare)}")


_MASK_NAME = re.compile(r"^(.+?)[_\-. ](?:mask|masks|seg|segmentation|label|labels|gt|annotation)$", re.IGNORECASE)


def _mask_like(files: list[Path], report: FolderReport) -> None:
    """Note images named as the mask of another image of their folder (``im01_mask.png`` next to ``im01.png``)."""
    stems = {(f.parent, f.stem) for f in files}
    found = [f for f in files if (m := _MASK_NAME.match(f.stem)) and (f.parent, m.group(1)) in stems]
    if found:
        report.notes.append(f"{len(found)} image{'s' * (len(found) != 1)} named like the mask of another image are "
                            f"read as images of their class (masks go in masks/<class>/<stem>.png): "
                            f"{_examples(found)}")


def _read_notes(files: list[Path], probes: dict, report: FolderReport) -> None:
    """Notes on how images are read: turned upright, only their first frame, very large."""
    turned = [f for f in files if probes[f][3]]
    if turned:
        report.notes.append(f"{len(turned)} image{'s' * (len(turned) != 1)} with an EXIF orientation, turned "
                            f"upright when read (masks must be upright too): {_examples(turned)}")
    frames = [f for f in files if probes[f][4] > 1]
    if frames:
        report.notes.append(f"{len(frames)} animated or multi-page image{'s' * (len(frames) != 1)}, only the first "
                            f"frame read: {_examples(frames)}")
    huge = [f for f in files if probes[f][0] is not None and is_huge(probes[f][0])]
    if huge:
        report.notes.append(f"{len(huge)} image{'s' * (len(huge) != 1)} over {Image.MAX_IMAGE_PIXELS:,} pixels (PIL's "
                            f"decompression-bomb warning): read, but each takes seconds and 3 bytes of memory a "
                            f"pixel before it is resized; smaller copies read faster: {_examples(huge)}")


def _image_notes(files: list[Path], probes: dict, report: FolderReport) -> None:
    kinds: dict[str, list[Path]] = {}
    _read_notes(files, probes, report)
    for f in files:
        mode = probes[f][1]
        kind = ("16-bit" if mode in WIDE_MODES else "32-bit float" if mode == "F" else
                "grey" if mode in ("L", "1", "LA") else
                "RGBA (alpha is dropped)" if mode in ("RGBA", "La", "RGBa") else
                "palette" if mode in ("P", "PA") else "CMYK" if mode == "CMYK" else "")
        if kind:
            kinds.setdefault(kind, []).append(f)
    for kind, paths in kinds.items():
        report.notes.append(f"{len(paths)} {kind} image{'s' * (len(paths) != 1)}, converted to 8-bit RGB when "
                            f"read: {_examples(paths)}")
    sized = [(f, probes[f][0]) for f in files if probes[f][0] is not None]
    if len(sized) >= 3:
        w = float(np.median([s[0] for _, s in sized]))
        h = float(np.median([s[1] for _, s in sized]))
        odd = [f for f, (fw, fh) in sized if not (w / _SIZE_FACTOR <= fw <= w * _SIZE_FACTOR
                                                   and h / _SIZE_FACTOR <= fh <= h * _SIZE_FACTOR)]
        if odd:
            report.notes.append(f"{len(odd)} image{'s' * (len(odd) != 1)} far from the usual size "
                                f"{w:.0f}x{h:.0f} (under half or over twice a side): {_examples(odd)}")
        flat = [f for f, (fw, fh) in sized if not 0.5 <= fw / fh <= 2.0]
        if flat:
            report.notes.append(f"{len(flat)} image{'s' * (len(flat) != 1)} more than twice as wide as high or "
                                f"high as wide, squashed to a square when read: {_examples(flat)}")


def _id_checks(img_root: Path, files: list[Path], report: FolderReport) -> None:
    for ident, group in id_collisions(img_root, files, IMAGE_SUFFIXES):
        report.problems.append(f"{_examples(group, 5)} would all get the image id {ident!r}; rename all but one")
    lossy = [f for f in files if not is_lossless(PurePosixPath(f.relative_to(img_root).as_posix()))]
    if lossy:
        shown = ", ".join(f"{f} -> {path_id(PurePosixPath(f.relative_to(img_root).as_posix()))}"
                          for f in lossy[:3])
        report.notes.append(f"{len(lossy)} file name{'s' * (len(lossy) != 1)} not made of ASCII letters, digits "
                            f"and _; their ids carry a hash of the path: {shown}"
                            f"{' ...' if len(lossy) > 3 else ''}")


def _balance(report: FolderReport) -> None:
    by_split: dict[str, dict[str, int]] = {}
    for key, n in report.counts.items():
        split, _, name = key.rpartition("/")
        by_split.setdefault(split, {})[name] = n
    for split, counts in by_split.items():
        full = {k: v for k, v in counts.items() if v}
        if len(full) >= 2 and max(full.values()) > _IMBALANCE * min(full.values()):
            big, small = max(full, key=full.get), min(full, key=full.get)
            where = f" in {split}" if split else ""
            report.notes.append(f"classes are imbalanced{where}: {big} has {full[big]} images, {small} "
                                f"{full[small]} (training weighs classes by 1 - n_c/n)")


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
    """Scan a data folder (layout of :mod:`nesyasp.data.folder`) and report every problem and note."""
    from nesyasp.errors import expect_path

    root = expect_path(path, "an image folder path")
    report = FolderReport(root)
    if not root.is_dir():
        report.problems.append(f"{root}: not a folder")
        return report
    try:
        _scan(root, report)
    except DataError as exc:  # a folder the system will not list (permissions): the problems found so far, and it
        report.problems.append(exc.message)
    return report


def _scan(root: Path, report: FolderReport) -> None:
    readable_folder(root)
    img_root = root / "images" if (root / "images").is_dir() else root
    readable_folder(img_root)
    mask_root = root / "masks" if (root / "masks").is_dir() else None
    n_concepts = _check_concepts(root, report)
    if mask_root is not None and n_concepts is None:
        report.problems.append(f"{root}: masks/ has no concepts.txt naming its values (one name per line)")
    splits = split_folders(img_root)
    if splits:
        _note_ignored(img_root, report)  # beside the split folders; each split notes its own
        if (problem := loose_images_problem(img_root, splits, "<split>/<class>/<image>")) is not None:
            report.problems.append(problem)
    parts = ([(s, _class_files(img_root / s, f"{s}/", report)) for s in splits] if splits else
             [("", _class_files(img_root, "", report, RESERVED if img_root == root else frozenset()))])
    if not splits:  # a note: 'nesyasp label --masks' reads such a folder whole
        report.notes += [f"{cdir}: class {cdir.name!r} has {len(fs)} image{'s' * (len(fs) != 1)}, too few to "
                         f"train on: {_FIFTH}" for cdir, fs in parts[0][1] if 0 < len(fs) < 5]
    concept_dirs = _class_dirs(root / "concepts") if (root / "concepts").is_dir() else []
    concept_files = {d: _images_in(d) for d in concept_dirs}
    files = [f for _, classes in parts for _, fs in classes for f in fs]
    probes = probe_all(files + [f for fs in concept_files.values() for f in fs])
    report.problems += [probes[f][2] for f in files if probes[f][2]]
    _id_checks(img_root, files, report)
    for split, classes in parts:
        if mask_root is not None:
            _check_masks(classes, mask_root / split if split else mask_root, probes, n_concepts, report)
    _image_notes([f for f in files if probes[f][2] is None], probes, report)
    _mask_like(files, report)
    _balance(report)
    for d, fs in concept_files.items():
        report.concept_sets[d.name] = len(fs)
        if not fs:
            report.problems.append(f"{d}: concept folder {d.name!r} has no images")
        report.problems += [probes[f][2] for f in fs if probes[f][2]]


def check_image_folder(path: str | Path) -> list[str]:
    """Every problem of a data folder as one message each; an empty list when it is usable.

    Parameters
    ----------
    path:
        The data folder (a ``str`` or a path), laid out as :mod:`nesyasp.data.folder` describes.

    Returns
    -------
    list of str
        One message per problem, in the order found.

    Examples
    --------
    >>> check_image_folder("/no/such/folder")
    ['/no/such/folder: not a folder']
    """
    return scan_image_folder(path).problems
