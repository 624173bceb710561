"""``nesyasp lth``: prune a CNN round by round and write concept facts for the reasoner."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from nesyasp._paths import shell_path
from nesyasp.lth.config import add_config_arguments, config_from_args

NAME = "lth"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
INTERRUPTED = "every finished round is kept: run the same command with --resume to continue"
HELP = "prune a CNN round by round (lottery tickets) and write concept facts per round"
DESCRIPTION = """\
Iterative magnitude pruning with rewinding; every round is trained, evaluated
and explained with TCAV (with a significance test) and Grad-CAM. The run
folder gets config.json, metrics.json, facts.lp, checkpoints/ and the plots
accuracy.png, tcav.png and gradcam.png. Options left at 0 take the data
set's default (digits: 28 px, all images, 10 epochs per round; scenes: 32 px,
3 classes, 200 images per class, 30 epochs; a folder: 32 px, all classes and
images, 30 epochs).

--data also takes your image folder, laid out as for 'nesyasp train --data'
(one sub-folder of images per class); TCAV needs concept examples there:
concepts/<concept>/ image folders, or masks/ with concepts.txt (the training
images whose masks show a concept most). The folder is only read. See
docs/lth.md.

examples:
  nesyasp lth --data digits-parity --rounds 8 --prune 0.2 --out runs/lth
  nesyasp lth --data digits-parity --rounds 8 --out runs/lth --resume
  nesyasp lth --data digits-parity --rewind 50 --scope layer --out runs/lth-late
  nesyasp lth --data scenes --rounds 4 --out runs/lth-scenes
  nesyasp lth --data my_images --rounds 4 --out runs/lth-mine
  nesyasp query runs/lth/facts.lp programs/lth.lp -q "winning_ticket(R)" --explain
  nesyasp query runs/lth/facts.lp programs/lth.lp --why-not "winning_ticket(6)"
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "INTERRUPTED", "add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: the run folder, --resume, and one flag per configuration field."""
    parser.add_argument("--out", type=Path, default=Path("runs/lth"), help="run folder (default: runs/lth)")
    parser.add_argument("--resume", action="store_true", help="continue after the last finished round in --out")
    parser.add_argument("--no-plots", action="store_true", help="do not write the PNG plots")
    add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the experiment and print a one-line summary per round."""
    import torch

    from nesyasp.lth.runner import run_lth
    from nesyasp.neural.progress import step_lines

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    config = config_from_args(args)
    with step_lines():  # one line per epoch and round when stdout is not a terminal
        result = run_lth(config, out=args.out, resume=args.resume, plots=not args.no_plots)
    print("round  weights  accuracy")
    for r in result.rounds:
        print(f"{r.round:>5}  {100 * r.density:6.1f}%  {100 * r.accuracy:7.2f}%")
    print(f"wrote {args.out / 'facts.lp'} and {args.out / 'metrics.json'}")
    print(f"next: nesyasp query {shell_path(args.out / 'facts.lp')} programs/lth.lp -q \"winning_ticket(R)\" --explain")
    return 0
