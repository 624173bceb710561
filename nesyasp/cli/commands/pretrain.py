"""``nesyasp pretrain``: build the generic backbone (our ImageNet weights) once, and cache it."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "pretrain"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
HELP = "train the generic backbone on the generated corpus and cache it (the stand-in for ImageNet weights)"
DESCRIPTION = """\
Train a backbone with cross-entropy on the 'generic' corpus: the scenes'
objects drawn alone and the sign plate x glyph pairs that no sign class uses
(60 generated classes, none of them a class of any task; nothing is
downloaded). 'nesyasp train' and 'nesyasp experiment' start from it when no
--weights is given and the data set has no classes to spare for pretraining
(P10, GT43, users' folders), or with --pretrain generic.

It is written to the cache folder (printed; $NESYASP_CACHE_DIR, else
$XDG_CACHE_HOME/nesyasp, else ~/.cache/nesyasp) and, with --out, also to
that file (load it anywhere with --weights FILE). Without a cached backbone,
train builds the same weights in memory on every run; nothing else writes
to the cache.

examples:
  nesyasp pretrain                                  (small CNN, 48 px: the defaults of train)
  nesyasp pretrain --out backbone.pt
  nesyasp pretrain --model vgg16 --size 224 --device cuda
  nesyasp pretrain --size 64 --epochs 5 --no-cache --out small64.pt
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Model, size, epochs, output."""
    from nesyasp.cli.commands._neural_args import PRETRAIN_EPOCHS

    parser.add_argument("--model", default="small", choices=("small", "vgg16", "vgg16_bn", "resnet18"),
                        help="backbone (default: small)")
    parser.add_argument("--size", type=int, default=48, help="image side in pixels, as the runs' (default: 48)")
    parser.add_argument("--epochs", type=int, default=PRETRAIN_EPOCHS,
                        help=f"epochs, as the runs' --pretrain-epochs (default: {PRETRAIN_EPOCHS})")
    parser.add_argument("--per-class", type=int, default=None,
                        help="corpus images per class (default: 100; another value is not what train looks up, "
                             "so use the file with --weights)")
    parser.add_argument("--device", default="auto",
                        help="auto (a GPU when there is one), cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--out", "-o", type=Path, help="also write the backbone to this file")
    parser.add_argument("--no-cache", action="store_true", help="do not write the cache (needs --out)")
    parser.add_argument("--force", action="store_true", help="train again even when the cache holds it")


def run(args: argparse.Namespace) -> int:
    """Train (or find in the cache) and write the backbone."""
    import shutil

    import torch

    from nesyasp.errors import DataError
    from nesyasp.neural.backbones import GENERIC_PER_CLASS, build_generic, cache_path, generic_config, save_backbone
    from nesyasp.neural.train import train

    if args.epochs < 1:
        raise DataError(f"--epochs must be >= 1, got {args.epochs}")
    if args.per_class is not None and args.per_class < 1:  # 0 was taken as the default, 100
        raise DataError(f"--per-class must be >= 1, got {args.per_class}")
    per_class = GENERIC_PER_CLASS if args.per_class is None else args.per_class
    write_cache = not args.no_cache and per_class == GENERIC_PER_CLASS
    if not write_cache and args.out is None:
        raise DataError("this backbone would not be cached (--no-cache or --per-class): name a file with --out")
    if args.out is not None:  # refused before the training, not after
        if args.out.is_dir():
            raise DataError(f"{args.out}: --out names a folder; give a file such as {args.out / 'backbone.pt'}")
        if not args.out.parent.is_dir():
            what = "is a file, not a folder" if args.out.parent.exists() else "does not exist (create it first)"
            raise DataError(f"{args.out}: no folder to write the backbone into: {args.out.parent} {what}")
    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    from nesyasp.neural.models import resolve_model

    model = resolve_model(args.model)  # from random weights: vgg16 trains with BatchNorm
    config = generic_config(model, args.size, args.epochs, args.device, per_class)
    cached = cache_path(config)
    if cached.is_file() and not args.force and per_class == GENERIC_PER_CLASS:
        print(f"the cache already holds this backbone: {cached} (--force trains it again)")
    else:
        state, info = build_generic(config, train)
        acc = info.get("test_accuracy")
        print(f"generic backbone: {model} at {args.size} px, {args.epochs} epochs on {info['classes']} corpus "
              f"classes x {per_class} images" + (f", corpus test accuracy {100 * acc:.1f}%" if acc is not None else ""))
        if write_cache:
            save_backbone(state, info, cached)
            print(f"wrote {cached} (the cache: train and experiment use it for --model {args.model} --size "
                  f"{args.size})")
        elif args.out is not None:
            save_backbone(state, info, args.out)
            print(f"wrote {args.out} (use it with --weights {args.out})")
            return 0
    if args.out is not None and cached.is_file():
        shutil.copyfile(cached, args.out)
        print(f"wrote {args.out} (use it with --weights {args.out})")
    return 0
