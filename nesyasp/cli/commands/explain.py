"""``nesyasp explain``: what is this image, why, and where in the picture."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO
from nesyasp._paths import real_path
from nesyasp.errors import one_line

NAME = "explain"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
HELP = "explain new images with a trained run: the class, its reasons in concept words, and where they are"
DESCRIPTION = """\
Read image files (PNG, JPEG, ...; any size, resized to the run's image size
as in training; a folder is read in sorted order, sub-folders included), run
the run's CNN on them, binarize its filters with the run's thresholds, and
ask the reasoner target(img,X) over the run's rule set: the labelled one
(labelled_rules.lp, concept words) when 'nesyasp label' ran, else rules.lp.
The class is the one 'nesyasp evaluate' counts (the earliest target rule, in
program order, that applies). Each image's constant is its file name as an
ASP constant (test_0050.png -> test_0050).

For every image one PNG is written into --out (default RUN/explained): the
image, its NeSy and CNN classes, and for every filter literal of the
justification the filter's activation map over the image, captioned with its
label and concepts and whether it holds (norm > threshold) or is absent (its
map then drawn as weak as it is).

formats:
  text   the class and the justification in English, per image (default)
  json   one JSON object per line and image: image, id, class, cnn_class,
         query, answers and why_not as in 'nesyasp query --format json',
         program, facts, active_filters, literals, picture
  html   one self-contained page for all images (--out/explained.html)

Images that cannot be read are named on stderr and skipped; the others are
explained, and the exit status is 1 at the end. The CNN runs in batches on
the run's device (a GPU when there is one).

examples:
  nesyasp explain runs/ts3 kitchen.png
  nesyasp explain runs/ts3 photos/ --format json > answers.jsonl
  nesyasp explain runs/ts3 kitchen.png --why-not bedroom
  nesyasp explain runs/ts3 photos/ --format html --out why/
  nesyasp explain runs/ts3 kitchen.png --facts-out kitchen.lp
next:
  nesyasp query runs/ts3/rules.lp kitchen.lp -q "target(kitchen,X)" --explain
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run folder, the images and the output options."""
    parser.add_argument("run_dir", type=Path, help="run folder after 'nesyasp extract' (and 'nesyasp label')")
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE_OR_FOLDER", help="image files or folders")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text",
                        help="output: text (default), JSON lines, or an HTML page")
    parser.add_argument("--why-not", action="append", default=[], metavar="CLASS",
                        help="also explain why an image is (not) of CLASS (repeatable)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="folder for the pictures (default: RUN/explained)")
    parser.add_argument("--no-pictures", action="store_true", help="write no pictures (not with --format html)")
    parser.add_argument("--facts-out", type=Path, metavar="FILE",
                        help="write the images' filter facts (_example(id). f20(id). ...) for rules.lp")
    parser.add_argument("--batch-size", type=int, default=64, metavar="N", help="images per CNN batch (default: 64)")
    parser.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: the run's device, when it is here)")


def run(args: argparse.Namespace) -> int:
    """Explain every image; report unreadable ones and exit 1 if there were any."""
    import torch
    from tqdm import tqdm

    from nesyasp.errors import DataError
    from nesyasp.neural.images import image_paths
    from nesyasp.neural.nesymodel import NesyModel

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    if args.batch_size < 1:
        raise DataError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.format == "html" and args.no_pictures:
        raise DataError("--format html shows the pictures; leave out --no-pictures")
    out = args.out if args.out is not None else args.run_dir / "explained"
    _not_runs(args.images)
    paths = _not_pictures(image_paths(args.images, exclude=[out]), out)
    if not paths:
        raise DataError(f"no image files in {', '.join(map(str, args.images))}")
    pictures = not args.no_pictures
    _check_facts_out(paths, args.facts_out)
    model = NesyModel.from_run(args.run_dir, device=args.device)
    model.check_classes(args.why_not)
    if pictures:
        out.mkdir(parents=True, exist_ok=True)
    facts = _FactsFile(args.facts_out, args.run_dir) if args.facts_out is not None else None
    done, failed = [], []
    bar = tqdm(total=len(paths), unit="image", desc="explain", disable=None, file=sys.stderr)
    try:
        for path, result in model.explain_files(paths, args.why_not, args.batch_size):
            bar.update(1)
            if isinstance(result, DataError):
                failed.append(path)
                bar.write(f"DataError: {result}", file=sys.stderr)
                continue
            picture = _picture(result, out, own=args.out is None) if pictures else None
            if facts is not None:
                facts.add(result)
            if args.format == "html":
                done.append((result, picture))
            _print(args.format, result, picture, sys.stdout)
    except BaseException:  # an error or Ctrl-C: no half-written temporary file is left beside the user's
        if facts is not None:
            facts.discard()
        raise
    bar.close()
    if facts is not None:
        facts.close()
    return _finish(args, out, pictures, done, failed, len(paths), facts)


def _not_runs(inputs: list[Path]) -> None:
    """Refuse a run folder given as the pictures (``explain RUN RUN``: its label pictures and plots are no input)."""
    from nesyasp.errors import DataError

    for item in map(Path, inputs):
        train_run = (item / "config.json").is_file() and (item / "checkpoint.pt").is_file()
        if item.is_dir() and (train_run or (item / "checkpoints" / "round_0.pt").is_file()):
            raise DataError(f"{item}: a run folder, not pictures to explain; give image files or a folder of "
                            f"images after the run folder (nesyasp explain RUN IMAGE...)")


def _check_facts_out(paths: list[Path], facts_out: Path | None) -> None:
    """Refuse, before any work, a facts file named like an image (it would replace a user's picture),
    a folder, or a file in a missing folder."""
    from nesyasp.data.folder import IMAGE_SUFFIXES
    from nesyasp.errors import DataError

    if facts_out is None:
        return
    if facts_out.suffix.lower() in IMAGE_SUFFIXES or real_path(facts_out) in {real_path(p) for p in paths}:
        raise DataError(f"--facts-out {facts_out}: an image file name; facts are ASP text, name the file *.lp")
    if facts_out.is_dir():
        raise DataError(f"--facts-out {facts_out}: a folder; name the facts file (such as {facts_out / 'facts.lp'})")
    if not facts_out.parent.is_dir():
        raise DataError(f"--facts-out {facts_out}: its folder {facts_out.parent} does not exist")


def _not_pictures(paths: list[Path], out: Path) -> list[Path]:
    """``paths`` without the pictures of an earlier run in ``out`` (when ``out`` is a folder of images read)."""
    from nesyasp.label.explanation import is_explanation_picture

    where = real_path(out)
    return [p for p in paths if not (real_path(p).parent == where and is_explanation_picture(p))]


def _page(out: Path, own: bool) -> Path:
    """``OUT/explained.html``, or ``explained_2.html``, ... when a page nesyasp did not write has that name."""
    from nesyasp.label.explanation import is_explanation_page

    for k in itertools.count(1):
        path = out / f"explained{'' if k == 1 else f'_{k}'}.html"
        if not (path.exists() or path.is_symlink()) or own or is_explanation_page(path):
            return path
    raise AssertionError("unreachable")


def _picture(explanation: Any, out: Path, own: bool = False) -> Path:
    """Draw the picture as ``OUT/<id>.png``, never over a file nesyasp did not draw (an image).

    ``--out`` may hold the user's images (the folder of the image explained):
    a name taken by anything but an earlier picture gets ``_explained``, then
    ``_explained_2``, ... In the run's own ``explained/`` folder (``own``)
    every file but the image explained is a picture.
    """
    from nesyasp.label.explanation import explanation_picture, is_explanation_picture

    source = real_path(explanation.source)
    for k in itertools.count(1):
        path = out / f"{explanation.id}{'' if k == 1 else '_explained' if k == 2 else f'_explained_{k - 1}'}.png"
        if not (path.exists() or path.is_symlink()) or (real_path(path) != source
                                                         and (own or is_explanation_picture(path))):
            break
    explanation_picture(explanation, path)
    return path


def _print(fmt: str, explanation: Any, picture: Path | None, stream: TextIO) -> None:
    if fmt == "json":
        data = explanation.to_dict() | {"picture": str(picture) if picture is not None else None}
        stream.write(json.dumps(data) + "\n")
    elif fmt == "html":
        verdict = explanation.prediction if explanation.prediction is not None else "no class (no rule applies)"
        stream.write(f"{one_line(explanation.source)}: {verdict}   (the CNN says {explanation.cnn_prediction})\n")
    else:
        stream.write(explanation.text() + "\n" + (f"   picture: {picture}\n" if picture is not None else "") + "\n")
    stream.flush()


class _FactsFile:
    """The images' raw filter facts, written to a temporary file and moved into place at the end."""

    def __init__(self, path: Path, run_dir: Path):
        self.path, self.count = path, 0
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # never a name of the user's
        self.handle = self.tmp.open("w", encoding="utf-8")
        self.handle.write(f"% filter facts of images explained by 'nesyasp explain {one_line(str(run_dir))}'; "
                          f"run them with {one_line(str(run_dir / 'rules.lp'))}\n")

    def add(self, explanation: Any) -> None:
        self.handle.write(f"% {one_line(explanation.source)}\n{explanation.facts()}")
        self.count += 1

    def close(self) -> None:
        self.handle.close()
        self.tmp.replace(self.path)

    def discard(self) -> None:
        """Remove the temporary file (the run stopped before its end)."""
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


def _finish(args: argparse.Namespace, out: Path, pictures: bool, done: list, failed: list[Path], total: int,
            facts: _FactsFile | None) -> int:
    if args.format == "html" and done:
        from nesyasp.label.explanation import explanation_page

        page = explanation_page(done, _page(out, own=args.out is None), f"nesyasp explain {args.run_dir}")
        print(f"wrote {page} ({len(done)} images, self-contained)")
    notes = []
    if pictures and total > len(failed):
        notes.append(f"pictures in {out}/")
    if facts is not None:
        notes.append(f"facts of {facts.count} image{'' if facts.count == 1 else 's'} in {facts.path}")
    if notes and args.format != "json":
        print("; ".join(notes))
    if failed:
        print(f"{len(failed)} of {total} images could not be read and were skipped: "
              f"{', '.join(map(str, failed[:5]))}{' ...' if len(failed) > 5 else ''}", file=sys.stderr)
        return 1
    return 0
