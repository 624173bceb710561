"""``nesyasp train``: train a CNN with the sparsity loss (TS1-TS5) or Elite BackProp (NE)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nesyasp.cli.commands._neural_args import add_train_options, config_from_args

NAME = "train"
HELP = "train a CNN whose last-layer filters binarize well (sparsity loss TS1-TS5, or NE)"
DESCRIPTION = """\
Train a CNN as a feature extractor for a rule set. The class-specific sparsity
loss (Padalkar et al. 2025) pushes K filters per class towards "on" and all
others towards "off", so that binarized filters lose little information:

  ts1  cross-entropy first, then P (top-K) and thresholds, then sparsity loss
  ts2  P by top-K and thresholds from the initial model, sparsity loss from the start
  ts3  P random (K per class), sparsity loss from the start   (the paper's best)
  ts4  as ts3 without cross-entropy
  ts5  as ts3 without thresholds
  ne   NeSyFOLD's Elite BackProp baseline;  ce  plain cross-entropy

By default the CNN starts from a backbone pretrained with cross-entropy on
the data set's last five classes (--pretrain-epochs, --pretrain-classes),
standing in for the paper's ImageNet weights.

The run folder gets config.json, checkpoint.pt (every epoch, atomically),
metrics.json and train.log. Under torchrun several processes share the work.

examples:
  nesyasp train --data scenes --classes 3 --strategy ts3 --out runs/ts3
  nesyasp train --data scenes --strategy ts3 --epochs 40 --out runs/ts3 --resume
  nesyasp train --data signs --classes 5 --strategy ne --seed 2 --out runs/ne
  nesyasp train --model vgg16 --size 224 --weights vgg16.pt --layer features.30 --out runs/vgg
  nesyasp train --strategy ts3 --pretrain-epochs 0 --out runs/scratch     (random initial weights)
next:
  nesyasp extract runs/ts3 && nesyasp evaluate runs/ts3
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--out, --resume and the data, model and loss options."""
    parser.add_argument("--out", type=Path, default=Path("runs/ts3"), help="run folder (default: runs/ts3)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint (--epochs may grow)")
    add_train_options(parser)


def run(args: argparse.Namespace) -> int:
    """Train; print a line per epoch as it ends (stdout not a terminal) or the epoch table at the end."""
    import torch

    from nesyasp.neural.distributed import is_main, maybe_distributed
    from nesyasp.neural.progress import EPOCH_HEADER, epoch_row, step_lines
    from nesyasp.neural.train import train

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    config = config_from_args(args)
    with step_lines() as lines, maybe_distributed():  # one line per epoch when stdout is not a terminal
        result = train(config, args.out, resume=args.resume)
    if not is_main():
        return 0
    print(f"{result.config.strategy.name} on {config.data}: {len(result.class_names)} classes "
          f"({', '.join(result.class_names)})")
    if result.config.pretrain_epochs and not args.resume:
        from nesyasp.neural.data import pretrain_class_names

        print(f"started from a backbone pretrained {result.config.pretrain_epochs} epochs with cross-entropy on "
              f"{', '.join(pretrain_class_names(result.config))}")
    if not lines:  # on a terminal the table; elsewhere each epoch had its line
        print(EPOCH_HEADER)
        for h in result.history:
            print(epoch_row(h))
    print(f"wrote {args.out}/config.json, checkpoint.pt, metrics.json")
    print(f"next: nesyasp extract {args.out}")
    return 0
