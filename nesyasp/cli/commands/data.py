"""``nesyasp data``: list the embedded data sets, preview them, check a user's folder."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from nesyasp._paths import real_path
from nesyasp.cli.commands._neural_args import data_option

NAME = "data"
HELP = "embedded image data sets: list, preview with masks, check an image folder"
DESCRIPTION = """\
The embedded data sets are generated (scenes, signs) or bundled with
scikit-learn (digits); nothing is ever downloaded.

  list [NAME]        the data sets; with NAME its classes and their concepts
                     (an image folder's classes: data check DIR)
  preview NAME       a PNG grid: per class, images each followed by their
                     coloured mask layers (objects, parts), concepts named;
                     never written over a file that is not an earlier preview
  check DIR          validate an image folder: class folders, unreadable
                     images, files that would share an image id, masks of
                     the wrong size or with unknown values, empty classes;
                     every problem is printed, exit 1 if any. Notes (exit 0):
                     grey/RGBA/16-bit images, size outliers, class imbalance,
                     file names whose ids carry a hash

Folder layout (images/ and the split level are optional):
  DIR/images/<split>/<class>/<name>.png   DIR/masks/<split>/<class>/<name>.png
  DIR/concepts.txt  (mask value k = concept on line k)   DIR/concepts/<concept>/*.png

examples:
  nesyasp data list
  nesyasp data list signs
  nesyasp data preview scenes --out grid.png --classes 3 --per-class 4
  nesyasp data preview my_data/ --out mine.png
  nesyasp data check my_data/
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-actions ``list``, ``preview`` and ``check`` with their options."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the embedded data sets (or one set's classes and concepts)",
                        **_described("the embedded data sets; with NAME, its classes and the concepts each draws",
                                     "nesyasp data list", "nesyasp data list scenes"))
    ls.add_argument("name", nargs="?", help="a data set name: show its classes and their concepts (an image folder: data check)")
    pv = sub.add_parser("preview", help="write a PNG grid of images with their masks coloured",
                        **_described("a PNG grid: per class, images each followed by their coloured mask layers; "
                                     "never written over a file that is not an earlier preview",
                                     "nesyasp data preview scenes --out grid.png --classes 5 --per-class 3",
                                     "nesyasp data preview my_data/ --out mine.png --split test"))
    pv.add_argument("name", type=data_option, help="scenes, signs, digits, digits-parity, or an image folder")
    pv.add_argument("--out", "-o", type=Path, required=True, help="PNG file to write")
    pv.add_argument("--classes", default=None,
                    help="number of classes (0 = all) or comma-separated class names "
                         "(default: 3 for the embedded sets, all of a folder)")
    pv.add_argument("--per-class", type=int, default=4, help="images per class (default: 4)")
    pv.add_argument("--size", type=int, default=64, help="image side in pixels (default: 64)")
    pv.add_argument("--split", choices=("train", "test"), default="train", help="split (default: train)")
    pv.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    pv.add_argument("--scale", type=int, default=2, help="pixel magnification (default: 2)")
    pv.add_argument("--no-names", action="store_true", help="do not write concept names on the masks")
    ck = sub.add_parser("check", help="validate an image folder; every problem is printed, exit 1 if any",
                        **_described("validate an image folder (layout: nesyasp data --help); every problem is "
                                     "printed, exit 1 if any", "nesyasp data check my_data/"))
    ck.add_argument("folder", type=lambda text: Path(data_option(text)), help="the data folder")


def _described(description: str, *examples: str) -> dict:
    """``add_parser`` keywords: a sub-action's --help says what it does and shows how it is called."""
    return {"description": textwrap.fill(description, 79),
            "epilog": "examples:\n" + "".join(f"  {e}\n" for e in examples),
            "formatter_class": argparse.RawDescriptionHelpFormatter}


def _list(name: str | None) -> int:
    from nesyasp.data import DATASETS
    from nesyasp.data.datasets import load_dataset
    from nesyasp.errors import DataError

    if name is None:
        print(f"{'name':<15}{'classes':>8}{'concepts':>10}  {'masks':<16}description")
        for info in DATASETS.values():
            print(f"{info.name:<15}{len(info.classes):>8}{len(info.concepts):>10}  "
                  f"{'+'.join(info.mask_layers):<16}{info.description}")
        return 0
    info = DATASETS.get(name)
    if info is None and Path(name).is_dir():
        raise DataError(f"{name}: a folder; data list shows an embedded data set ({', '.join(DATASETS)}); "
                        f"for an image folder's classes and problems run: nesyasp data check {name}")
    if info is None:
        raise DataError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    one = load_dataset(name, per_class=1, size=16)
    print(f"{info.name}: {info.description}")
    print(f"classes ({len(info.classes)}), label: concepts drawn for the class")
    for k, c in enumerate(info.classes):
        print(f"  {k:>2} {c:<26}{', '.join(one.class_concepts.get(c, ()))}")
    print(f"concepts ({len(info.concepts)}, mask value = position): {', '.join(info.concepts)}")
    return 0


def _preview(args: argparse.Namespace) -> int:
    import numpy as np

    from nesyasp.data import load_dataset
    from nesyasp.data.preview import preview_grid, write_preview
    from nesyasp.data.classes import parse_classes
    from nesyasp.errors import DataError

    if args.per_class < 1 or not 1 <= args.scale <= 16:
        raise DataError("--per-class must be positive and --scale between 1 and 16")
    _check_out(args.out, Path(args.name))
    from nesyasp.data import DATASETS

    if args.classes is None:
        info = DATASETS.get(args.name)
        classes = min(3, len(info.classes)) if info else 0
    else:
        classes = parse_classes(args.classes)
    imageset = load_dataset(args.name, args.split, classes, args.per_class, args.size, args.seed)
    grid = preview_grid(imageset, args.per_class, args.scale, names=not args.no_names)
    write_preview(grid, args.out)
    counts = np.minimum(np.bincount(imageset.labels, minlength=len(imageset.class_names)), args.per_class)
    each = f"{counts[0]} images each" if counts.min() == counts.max() else \
        f"{counts.min()} to {counts.max()} images each"
    print(f"wrote {args.out} ({grid.size[0]}x{grid.size[1]}): {len(imageset.class_names)} classes, "
          f"{each}, {imageset.masks.shape[1]} mask layers")
    return 0


def _check_out(out: Path, source: Path) -> None:
    """Refuse, before any work, an output that is not a PNG in an existing folder, lies in the image folder,
    or is a file (a user's image) that no earlier preview wrote."""
    from nesyasp.data.preview import refuse_foreign_file
    from nesyasp.errors import DataError

    if out.suffix.lower() != ".png":
        raise DataError(f"{out}: the preview is written as PNG; name the file *.png")
    if out.is_dir():
        raise DataError(f"{out}: --out names a folder; give a file such as {out / 'preview.png'}")
    if not out.parent.is_dir():
        what = "is a file, not a folder" if out.parent.exists() else "does not exist (create it first)"
        raise DataError(f"{out}: no folder to write the preview into: {out.parent} {what}")
    if source.is_dir() and real_path(out).is_relative_to(real_path(source)):
        raise DataError(f"{out}: inside the image folder {source} that it shows; write the preview elsewhere")
    refuse_foreign_file(out)


def _check(folder: Path) -> int:
    from nesyasp.data.check import scan_image_folder

    report = scan_image_folder(folder)
    for problem in report.problems:
        print(f"error: {problem}")
    for note in report.notes:
        print(f"note: {note}")
    if report.counts:
        print(report.summary())
    n = len(report.problems)
    print(f"{n} problem{'s' * (n != 1)}" if n else "ok: no problems found",
          file=sys.stdout)
    return 1 if n else 0


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; 1 on errors or when ``check`` finds problems."""
    if args.action == "list":
        return _list(args.name)
    if args.action == "preview":
        return _preview(args)
    return _check(args.folder)
