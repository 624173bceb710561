"""``nesyasp train``: train a CNN with the sparsity loss (TS1-TS5) or Elite BackProp (NE)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nesyasp._paths import shell_path
from nesyasp.cli.commands._neural_args import add_train_options, config_from_args

NAME = "train"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
INTERRUPTED = "every finished epoch is kept: run the same command with --resume to continue"
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

By default the CNN starts from a pretrained backbone, standing in for the
paper's ImageNet weights: trained with cross-entropy on the data set's last
five classes when an embedded data set has them to spare (--pretrain classes),
else the generic backbone (--pretrain generic: a generated corpus of other
classes; 'nesyasp pretrain' caches it, else it is trained in memory). Each
--model has its own optimiser defaults (docs/neural.md).

The run folder gets config.json, checkpoint.pt (every epoch, atomically),
metrics.json and train.log. Under torchrun several processes share the work.

examples:
  nesyasp train --data scenes --classes 3 --strategy ts3 --out runs/ts3
  nesyasp train --data scenes --strategy ts3 --epochs 40 --out runs/ts3 --resume
  nesyasp train --data signs --classes 5 --strategy ne --seed 2 --out runs/ne
  nesyasp train --model vgg16 --size 224 --weights vgg16.pt --layer features.30 --out runs/vgg
      (the paper's setup with torchvision's ImageNet VGG16 state dict; K=5, 20 from 10 classes)
  nesyasp train --data scenes --classes 10 --out runs/p10         (P10: the generic backbone)
  nesyasp train --data my_images --size 224 --model resnet18 --out runs/mine
  nesyasp train --strategy ts3 --pretrain-epochs 0 --out runs/scratch     (random initial weights)
  torchrun --nproc_per_node 4 -m nesyasp train --model vgg16 --size 224 --out runs/ddp
next:
  nesyasp extract runs/ts3 && nesyasp evaluate runs/ts3
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "INTERRUPTED", "add_arguments", "run"]


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
        main_rank = is_main()  # asked inside the process group: outside it every rank is "main"
    if not main_rank:
        return 0
    print(f"{result.config.strategy.name} on {config.data}: {len(result.class_names)} classes "
          f"({', '.join(result.class_names)})")
    if args.model != result.config.model:
        print(f"--model {args.model} trains as {result.config.model} (VGG16 with BatchNorm: plain VGG16 does not "
              "learn from random weights; --weights with a plain VGG16's state dict keeps it plain)")
    if result.config.pretrain_epochs and not args.resume:
        from nesyasp.neural.data import pretrain_class_names

        on = ("the generic corpus" if result.config.pretrain == "generic" else
              ", ".join(pretrain_class_names(result.config)))
        n = result.config.pretrain_epochs
        print(f"started from a backbone pretrained {n} epoch{'' if n == 1 else 's'} with cross-entropy on {on}")
    cfg = result.config
    if cfg.warmup_epochs > cfg.strategy_warmup_epochs:
        print(f"random initial weights: the first {cfg.warmup_epochs} of {cfg.epochs} epochs trained with "
              "cross-entropy alone before P and thresholds were computed (docs/neural.md)")
    if not lines:  # on a terminal the table; elsewhere each epoch had its line
        print(EPOCH_HEADER)
        for h in result.history:
            print(epoch_row(h))
    print(f"wrote {args.out}/config.json, checkpoint.pt, metrics.json")
    print(f"next: nesyasp extract {shell_path(args.out)}")
    return 0
