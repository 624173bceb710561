"""``nesyasp label``: name the filters of a run's rule set by the concepts they see."""

from __future__ import annotations

import argparse
from pathlib import Path

from nesyasp._paths import shell_path

NAME = "label"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
HELP = "label a run's rule-set filters with concepts (bed1, wall1_cabinet1) from segmentation masks"
DESCRIPTION = """\
Semantic labelling as in NeSyFOLD: for every filter in the run's rule set,
take the top-M images by activation norm on a mask-annotated image set,
upsample the feature map to the image, keep the activation above its median,
score each concept against it, aggregate over the images, normalize, and
keep the concepts within MARGIN of the best. The score (--score):
  iou   (default) soft intersection over union of the activation (scaled to
        [0, 1]) and the mask, summed over the images as Network Dissection:
        a large mask (wall, floor) pays for the part the filter leaves dark
  mass  NeSyFOLD's score: activation mass inside the mask over the total
        (to reproduce the paper; large background masks tend to win)
  lift  mass share over area share (1 = chance); favours small parts
Only a concept present in more of the filter's top images than of all the
annotated images may name it (when some concept is): wall and floor, in
every image, say nothing about what makes the filter fire. --all-concepts
turns this off (--score mass --all-concepts is NeSyFOLD exactly).
Filters are named after their concepts with per-concept counters
(bed1, wall1_cabinet1, wall2); a filter whose activation never falls in a
mask is named unlabelled_f<k>.

Written into the run folder: labelled_rules.lp (the rule set with labelled
predicates and #pred annotations), labels.json (filter -> label, concepts,
scores, top images), pictures/*.png (the top filter of each class on its top
images, and a concept-score chart per filter), and facts/*_labelled.lp.

The annotated set is the run's data set (the embedded scenes carry masks;
the test split by default), or your own images with masks (--masks DIR).

examples:
  nesyasp label runs/ts3
  nesyasp label runs/ts3 --top-m 5 --margin 0.1
  nesyasp label runs/ts3 --score mass --all-concepts   NeSyFOLD exactly
  nesyasp label runs/ts3 --ignore wall,floor     background may not name a filter
  nesyasp label runs/places --masks data/places_masks
next:
  nesyasp report runs/ts3
  nesyasp query runs/ts3/labelled_rules.lp runs/ts3/facts/test_labelled.lp -q "target(test_0003,X)" --explain
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run folder, the annotated set and the labelling parameters."""
    parser.add_argument("run_dir", type=Path, help="run folder after 'nesyasp extract'")
    parser.add_argument("--masks", type=Path, metavar="DIR",
                        help="folder of mask-annotated images (default: the run's data set, which must carry masks)")
    parser.add_argument("--split", choices=("test", "train"), default="test",
                        help="split of the run's data set to label on (default: test)")
    parser.add_argument("--per-class", type=int, metavar="N",
                        help="annotated images per class (default: the run's test images per class)")
    parser.add_argument("--top-m", type=int, default=10, metavar="M",
                        help="most activating images per filter (default: 10, as NeSyFOLD)")
    parser.add_argument("--margin", type=float, default=0.05, metavar="F",
                        help="keep concepts whose normalized score is within F of the best (default: 0.05)")
    parser.add_argument("--upsampling", choices=("bicubic", "bilinear", "nearest"), default="bicubic",
                        help="interpolation of feature maps to the mask size (default: bicubic)")
    parser.add_argument("--norm", choices=("spectral", "fro", "l1mean"),
                        help="activation norm that ranks the images (default: the run's filter norm)")
    parser.add_argument("--score", choices=("iou", "mass", "lift"), default="iou",
                        help="concept score: soft IoU (default), NeSyFOLD's activation-mass share, or lift")
    parser.add_argument("--ignore", default="", metavar="C1,C2",
                        help="concepts that may not name a filter, e.g. wall,floor (default: none, as NeSyFOLD)")
    parser.add_argument("--all-concepts", action="store_true",
                        help="let any concept name a filter; by default only concepts more frequent in the "
                             "filter's top images than in all images may (with --score mass: NeSyFOLD exactly)")
    parser.add_argument("--no-pictures", action="store_true", help="skip the PNG pictures")


def run(args: argparse.Namespace) -> int:
    """Label, write the files and print the filter table."""
    import torch

    from nesyasp.errors import DataError
    from nesyasp.label.run import label_run, load_annotated, write_labels
    from nesyasp.label.scores import LabelConfig
    from nesyasp.neural.run import load_run

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    if args.per_class is not None and args.per_class < 1:
        raise DataError(f"--per-class must be at least 1, got {args.per_class}")
    run_ = load_run(args.run_dir)
    config = LabelConfig(top_m=args.top_m, margin=args.margin, upsampling=args.upsampling,
                         norm=args.norm or run_.config.strategy.norm, score=args.score,
                         ignore=tuple(c.strip() for c in args.ignore.split(",") if c.strip()),
                         enriched=not args.all_concepts)
    annotated = load_annotated(run_, args.split, args.masks, args.per_class)
    labels = label_run(run_, annotated, config)
    written = write_labels(labels, args.run_dir, pictures=not args.no_pictures)
    print(f"labelled {len(labels.records)} filters on {annotated.description} (score: {config.score})")
    print(f"{'filter':>7}  {'label':24s} best concept scores")
    for k, rec in sorted(labels.records.items()):
        best = ", ".join(f"{c} {s:.2f}" for c, s in list(rec.scores.items())[:3]) or "no mask overlap"
        print(f"{'f' + str(k):>7}  {labels.names[k]:24s} {best}")
    print()
    print(str(labels.labelled.program), end="")
    print()
    print("wrote " + ", ".join(str(p.relative_to(args.run_dir)) for p in written))
    print(f"next: nesyasp report {shell_path(args.run_dir)}")
    return 0
