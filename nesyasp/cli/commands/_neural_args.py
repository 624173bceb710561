"""Shared options of the neural sub-commands (train, experiment)."""

from __future__ import annotations

import argparse
from nesyasp._paths import real_path

__all__ = ["add_train_options", "config_from_args", "pretrain_choice", "data_option", "PRETRAIN_EPOCHS"]

PRETRAIN_EPOCHS = 10


def data_option(text: str) -> str:
    """An argparse type: a data set name or a folder, never empty (an empty path would be the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: give a data set (scenes, signs, digits, digits-parity) or a folder")
    return text


def add_train_options(parser: argparse.ArgumentParser, single: bool = True) -> None:
    """Data, model and optimiser flags; with ``single`` also --strategy, --classes and --seed."""
    g = parser.add_argument_group("data")
    g.add_argument("--data", "--dataset", dest="data", default="scenes", type=data_option,
                   help="embedded data set (scenes, signs, digits) or an image folder (default: scenes)")
    if single:
        g.add_argument("--classes", type=_classes_option, default=None,
                       help="number of classes, the first ones, or comma-separated class names (default: 3 of "
                            "an embedded data set, all of a folder; 0 = all)")
    g.add_argument("--per-class", type=int, default=300, help="training images per class (default: 300)")
    g.add_argument("--test-per-class", type=int, default=50, help="test images per class (default: 50)")
    g.add_argument("--size", type=int, default=48, help="image side in pixels (default: 48)")
    m = parser.add_argument_group("model and training")
    if single:
        m.add_argument("--strategy", default="ts3",
                       help="ts1..ts5 (sparsity loss), ne (Elite BackProp) or ce (default: ts3)")
        m.add_argument("--seed", type=int, default=0, help="seed of data order, weights and P (default: 0)")
    m.add_argument("--model", default="small", choices=("small", "vgg16", "vgg16_bn", "resnet18"),
                   help="backbone (default: small; vgg16, vgg16_bn and resnet18 are for GPUs; each has its own "
                        "optimiser defaults, see docs/neural.md). vgg16 trains with BatchNorm (as vgg16_bn) "
                        "unless --weights holds a plain VGG16's weights, such as torchvision's ImageNet file")
    m.add_argument("--layer", default="", help="module whose output are the filter maps (default: the model's)")
    m.add_argument("--weights", default="", help="file to start from: a state dict, or a checkpoint holding one "
                   "under model, state_dict or model_state_dict (module. prefixes dropped; torch.load weights_only)")
    m.add_argument("--device", default="auto",
                   help="auto (a GPU when there is one), cpu, cuda or cuda:N (default: auto)")
    m.add_argument("--epochs", type=int, default=30, help="epochs (default: 30)")
    m.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    m.add_argument("--optimizer", choices=("adam", "sgd"), help="optimiser (default: the model's, adam)")
    m.add_argument("--lr", type=float, help="peak learning rate (default: the model's: small 2e-3, vgg16_bn 1e-4, "
                                            "plain vgg16 1e-5, resnet18 1e-3)")
    m.add_argument("--weight-decay", type=float, help="L2 regularisation (default: the model's, 5e-4)")
    m.add_argument("--lr-warmup", type=int,
                   help="epochs of linear learning-rate warm-up (default: the model's: 0 for small, else 1)")
    m.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                   help="auto: bf16 autocast for training forward passes on a GPU, fp32 on the CPU (default: auto)")
    m.add_argument("--schedule", default="cosine", choices=("cosine", "plateau"),
                   help="learning-rate schedule: cosine to 0 over the epochs, or the paper's plateau "
                        "halving (default: cosine)")
    m.add_argument("--patience", type=int, default=10, help="plateau schedule: epochs before halving (default: 10)")
    m.add_argument("--pretrain", default="auto", choices=("auto", "classes", "generic"),
                   help="the stand-in for the paper's ImageNet weights: 'classes' trains the backbone on the "
                        "data set's last --pretrain-classes classes, 'generic' uses the generic backbone "
                        "(generated corpus of other classes, cached by 'nesyasp pretrain'); auto: classes when "
                        "an embedded data set has classes to spare, else generic (default: auto)")
    m.add_argument("--pretrain-epochs", type=int, default=None,
                   help="epochs of that pretraining; 0: random initialisation "
                        f"(default: {PRETRAIN_EPOCHS}, 0 with --weights)")
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


def _classes_option(text: str) -> int | tuple[str, ...]:
    from nesyasp.data.classes import parse_classes
    from nesyasp.errors import DataError

    try:
        return parse_classes(text)
    except DataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pretrain_epochs(args: argparse.Namespace, classes: int | tuple[str, ...]) -> int:
    """--pretrain-epochs, or its default: 10, or 0 when the run starts from --weights."""
    if args.pretrain_epochs is not None:  # a negative count is refused by TrainConfig
        return args.pretrain_epochs
    return 0 if args.weights else PRETRAIN_EPOCHS


def pretrain_choice(args: argparse.Namespace, classes: int | tuple[str, ...]) -> str:
    """--pretrain, with ``auto`` resolved: ``classes`` when the embedded data set has ``classes`` and
    --pretrain-classes more, else ``generic`` (all classes, user folders)."""
    if args.pretrain != "auto":
        return args.pretrain
    from nesyasp.data import DATASETS

    info = DATASETS.get(str(args.data).strip().lower())
    if info is None or not classes:
        return "generic"
    pretrain = info.classes[len(info.classes) - args.pretrain_classes:]
    if isinstance(classes, tuple):
        return "generic" if set(classes) & set(pretrain) else "classes"
    return "generic" if classes + args.pretrain_classes > len(info.classes) else "classes"


def _default_classes(data: str) -> int:
    """3 classes of an embedded data set (P3, the paper's smallest common table row), all of a folder."""
    from nesyasp.data import DATASETS

    return 3 if str(data).strip().lower() in DATASETS else 0


def config_from_args(args: argparse.Namespace, strategy_name: str | None = None):
    """A TrainConfig from parsed options; an --out inside the --data image folder is refused."""
    from pathlib import Path

    from nesyasp.errors import DataError
    from nesyasp.neural.config import TrainConfig, strategy

    out = getattr(args, "out", None)
    if out is not None and Path(args.data).is_dir() and real_path(out).is_relative_to(real_path(args.data)):
        raise DataError(f"{out}: inside the image folder {args.data}; give --out a folder outside it")

    changes = {k: getattr(args, k) for k in ("k", "h1", "h2", "alpha", "beta", "norm")
               if getattr(args, k, None) is not None}
    strat = strategy(strategy_name or args.strategy, **changes)
    classes = getattr(args, "classes", None)  # experiment's --classes is its own list of counts
    classes = classes if isinstance(classes, (int, tuple)) else _default_classes(args.data)
    from nesyasp.neural.models import resolve_model

    cfg = TrainConfig(data=args.data, classes=classes, per_class=args.per_class,
                      test_per_class=args.test_per_class, size=args.size,
                      model=resolve_model(args.model, args.weights), layer=args.layer,
                      weights=args.weights, epochs=args.epochs, batch_size=args.batch_size,
                      optimizer=args.optimizer, lr=args.lr, weight_decay=args.weight_decay,
                      lr_warmup=args.lr_warmup, seed=getattr(args, "seed", 0), device=args.device,
                      precision=args.precision, schedule=args.schedule, patience=args.patience,
                      augment=args.augment, pretrain=pretrain_choice(args, classes),
                      pretrain_epochs=_pretrain_epochs(args, classes),
                      pretrain_classes=args.pretrain_classes, strategy=strat)
    return cfg
