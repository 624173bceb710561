"""The shape of a users' image folder: which entries are classes, images, split folders and masks.

Used by :mod:`nesyasp.data.folder` (reading) and :mod:`nesyasp.data.check` (checking), so that both
see the same classes and files. A folder or file the system will not list is a :class:`DataError`
naming it; hidden entries and what zip tools and notebooks leave behind are never classes or images.

Examples
--------
>>> [is_ignored_folder(n) for n in (".git", "__MACOSX", "cat")]
[True, True, False]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from nesyasp.data.pixels import unreadable_reason
from nesyasp.errors import DataError

__all__ = ["IMAGE_SUFFIXES", "IGNORED_FOLDERS", "is_ignored_folder", "ignored_folders", "broken_class_links",
           "broken_class_problem", "mask_file", "no_classes_problem", "loose_images_problem", "split_folders",
           "readable_folder", "SYSTEM_FILES", "is_system_file"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jfif", ".ppm", ".pgm", ".pbm", ".pnm", ".bmp", ".gif", ".tif", ".tiff",
                  ".webp")
_SPLITS = ("train", "test", "val")
#: Files that file managers and operating systems write into folders (besides macOS's ``._<name>`` files).
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", ".directory", "Icon\r"})
#: Folder names that are never classes anywhere, besides hidden folders (``.git``,
#: ``.ipynb_checkpoints``): what zip tools and notebooks leave behind.
IGNORED_FOLDERS = frozenset({"__MACOSX", "__pycache__"})


def is_system_file(name: str) -> bool:
    """Whether a file of this name is hidden or written by an operating system (macOS ``._*``, ``.DS_Store``;
    Windows ``Thumbs.db``, ``desktop.ini``): skipped without a word where images are read.

    Examples
    --------
    >>> [is_system_file(n) for n in ("._im01.jpg", "Thumbs.db", "im01.jpg", "notes.txt")]
    [True, True, False, False]
    """
    return name.startswith(".") or name in SYSTEM_FILES


def readable_folder(folder: Path) -> None:
    """Raise a :class:`DataError` naming ``folder`` when the system will not let it be listed and entered."""
    if not os.access(folder, os.R_OK | os.X_OK):
        raise DataError(f"{folder}: cannot read the folder (permission denied: check its permissions)")


def _entries(folder: Path) -> list[Path]:
    """The entries of ``folder``, sorted; a folder that cannot be listed is a :class:`DataError` naming it."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise DataError(f"{folder}: cannot read the folder ({unreadable_reason(folder, exc)})") from None


def _images_in(folder: Path) -> list[Path]:
    try:
        return [p for p in _entries(folder) if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
                and p.is_file()]
    except OSError as exc:  # a folder that can be listed but not entered (no x permission)
        raise DataError(f"{folder}: cannot read the folder ({unreadable_reason(folder, exc)})") from None


def is_ignored_folder(name: str) -> bool:
    """Whether a folder of this name is skipped where classes are read: hidden, or in :data:`IGNORED_FOLDERS`.

    Examples
    --------
    >>> [is_ignored_folder(n) for n in (".git", ".ipynb_checkpoints", "__MACOSX", "cat")]
    [True, True, True, False]
    """
    return name.startswith(".") or name in IGNORED_FOLDERS


def ignored_folders(root: Path) -> list[Path]:
    """The sub-folders of ``root`` that are not read as classes (see :func:`is_ignored_folder`)."""
    return [p for p in _entries(root) if is_ignored_folder(p.name) and p.is_dir()]


def _class_dirs(root: Path) -> list[Path]:
    try:
        return [p for p in _entries(root) if not is_ignored_folder(p.name) and p.is_dir()]
    except OSError as exc:
        raise DataError(f"{root}: cannot read the folder ({unreadable_reason(root, exc)})") from None


def broken_class_links(root: Path, skip: frozenset[str] = frozenset()) -> list[Path]:
    """Symbolic links in ``root`` that would be class folders but lead nowhere (a missing target or a loop)."""
    return [p for p in _entries(root) if p.is_symlink() and not p.exists() and not is_ignored_folder(p.name)
            and p.name not in skip and p.suffix.lower() not in IMAGE_SUFFIXES]


def broken_class_problem(link: Path) -> str:
    """Why a class folder behind the broken symbolic link ``link`` is not read."""
    try:
        target = f" to {link.readlink()}"
    except OSError:
        target = ""
    return (f"{link}: a broken symbolic link{target} (its target is missing or a loop): the class "
            f"{link.name!r} would be left out; mount or restore its folder, or remove the link")


def mask_file(folder: Path, stem: str) -> Path:
    """The mask of the image ``stem`` in the mask folder ``folder``: ``<stem>.png``, or ``<stem>.PNG`` (any case of
    the suffix) when only that one is there."""
    exact = folder / f"{stem}.png"
    if exact.is_file() or not folder.is_dir():
        return exact
    return next((p for p in _entries(folder) if p.stem == stem and p.suffix.lower() == ".png" and p.is_file()), exact)


def no_classes_problem(root: Path) -> str:
    """Why ``root`` (an image root without class folders) cannot be read, saying so when images lie in it."""
    loose = _images_in(root)
    hint = f"; its {len(loose)} images must go into one folder per class" if loose else ""
    return f"{root}: no class folders (expected {root}/<class>/<image>){hint}"


def loose_images_problem(root: Path, classes: Sequence[str], layout: str = "<class>/<image>") -> str | None:
    """Why ``root`` cannot be read when image files lie in it beside its class folders (None when none do).

    Classes are sub-folders, so such images would be silently left out.
    """
    loose = _images_in(root)
    if not loose:
        return None
    n, k = len(loose), len(classes)
    shown = ", ".join(classes[:5]) + (", ..." if k > 5 else "")
    return (f"{root}: {n} image{'s lie' if n != 1 else ' lies'} loose beside the "
            f"{'folder' if k == 1 else f'{k} folders'} {shown} and would not be read; classes are sub-folders: "
            f"move each image into the folder of its class ({root}/{layout})")


def split_folders(images: Path) -> list[str]:
    """The split folders (``train``, ``test``, ``val``) of an image root, in that order.

    Only a folder of class folders is a split: a ``train`` folder that holds
    images itself is the class ``train`` (trains, cars and buses).
    """
    return [s for s in _SPLITS if (images / s).is_dir() and _class_dirs(images / s)]
