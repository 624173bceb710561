"""Shared options of the neural sub-commands (train, experiment)."""

from __future__ import annotations

import argparse

__all__ = ["add_train_options", "config_from_args", "PRETRAIN_EPOCHS"]

PRETRAIN_EPOCHS = 10


def add_train_options(parser: argparse.ArgumentParser, single: bool = True) -> None:
    """Data, model and optimiser flags; with ``single`` also --strategy, --classes and --seed."""
    g = parser.add_argument_group("data")
    g.add_argument("--data", "--dataset", dest="data", default="scenes",
                   help="embedded data set (scenes, signs, digits) or an image folder (default: scenes)")
    if single:
        g.add_argument("--classes", type=int, default=3, help="number of classes (default: 3; 0 = all)")
    g.add_argument("--per-class", type=int, default=300, help="training images per class (default: 300)")
    g.add_argument("--test-per-class", type=int, default=50, help="test images per class (default: 50)")
    g.add_argument("--size", type=int, default=48, help="image side in pixels (default: 48)")
    m = parser.add_argument_group("model and training")
    if single:
        m.add_argument("--strategy", default="ts3",
                       help="ts1..ts5 (sparsity loss), ne (Elite BackProp) or ce (default: ts3)")
        m.add_argument("--seed", type=int, default=0, help="seed of data order, weights and P (default: 0)")
    m.add_argument("--model", default="small", choices=("small", "vgg16", "resnet18"),
                   help="backbone (default: small; vgg16/resnet18 are for GPUs)")
    m.add_argument("--layer", default="", help="module whose output are the filter maps (default: the model's)")
    m.add_argument("--weights", default="", help="state-dict file to start from (torch.load weights_only)")
    m.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda or cuda:N")
    m.add_argument("--epochs", type=int, default=30, help="epochs (default: 30)")
    m.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    m.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default: 2e-3)")
    m.add_argument("--weight-decay", type=float, default=5e-4, help="L2 regularisation (default: 5e-4)")
    m.add_argument("--schedule", default="cosine", choices=("cosine", "plateau"),
                   help="learning-rate schedule: cosine to 0 over the epochs, or the paper's plateau "
                        "halving (default: cosine)")
    m.add_argument("--patience", type=int, default=10, help="plateau schedule: epochs before halving (default: 10)")
    m.add_argument("--pretrain-epochs", type=int, default=-1,
                   help="first train the backbone with cross-entropy on the data set's last "
                        "--pretrain-classes classes for N epochs, our stand-in for the paper's ImageNet "
                        f"weights; 0: random initialisation (default: {PRETRAIN_EPOCHS} for an embedded data "
                        "set with classes to spare and no --weights, else 0)")
    m.add_argument("--pretrain-classes", type=int, default=5,
                   help="classes of the pretraining, taken from the end of the data set (default: 5)")
    m.add_argument("--no-augment", dest="augment", action="store_false",
                   help="do not flip training images left-right at random")
    s = parser.add_argument_group("sparsity loss (overrides of the strategy's paper defaults)")
    s.add_argument("--k", type=int, help="filters per class (default: 5, 20 for 10+ classes)")
    s.add_argument("--h1", type=float, help="threshold weight of the mean (default: 0.6)")
    s.add_argument("--h2", type=float, help="threshold weight of the std (default: 0.7)")
    s.add_argument("--alpha", type=float, help="weight of cross-entropy (default: 1)")
    s.add_argument("--beta", type=float, help="weight of the sparsity loss (default: 5)")
    s.add_argument("--norm", choices=("fro", "spectral"), help="filter norm (default: fro; ne: spectral)")


def _pretrain_epochs(args: argparse.Namespace, classes: int) -> int:
    """--pretrain-epochs, or its default: pretrain when the data set is embedded and has classes to spare."""
    if args.pretrain_epochs >= 0:
        return args.pretrain_epochs
    if args.weights:
        return 0
    from nesyasp.data import DATASETS

    info = DATASETS.get(str(args.data).strip().lower())
    if info is None or not classes or classes + args.pretrain_classes > len(info.classes):
        return 0
    return PRETRAIN_EPOCHS


def config_from_args(args: argparse.Namespace, strategy_name: str | None = None):
    """A TrainConfig from parsed options; an --out inside the --data image folder is refused."""
    from pathlib import Path

    from nesyasp.errors import DataError
    from nesyasp.neural.config import TrainConfig, strategy

    out = getattr(args, "out", None)
    if out is not None and Path(args.data).is_dir() and Path(out).resolve().is_relative_to(Path(args.data).resolve()):
        raise DataError(f"{out}: inside the image folder {args.data}; give --out a folder outside it")

    changes = {k: getattr(args, k) for k in ("k", "h1", "h2", "alpha", "beta", "norm")
               if getattr(args, k, None) is not None}
    strat = strategy(strategy_name or args.strategy, **changes)
    classes = args.classes if isinstance(getattr(args, "classes", None), int) else 3
    cfg = TrainConfig(data=args.data, classes=classes, per_class=args.per_class,
                      test_per_class=args.test_per_class, size=args.size, model=args.model, layer=args.layer,
                      weights=args.weights, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                      weight_decay=args.weight_decay, seed=getattr(args, "seed", 0), device=args.device,
                      schedule=args.schedule, patience=args.patience, augment=args.augment,
                      pretrain_epochs=_pretrain_epochs(args, classes),
                      pretrain_classes=args.pretrain_classes, strategy=strat)
    return cfg
