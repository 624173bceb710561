"""Frozen configurations of a training run: the strategies TS1-TS5 and NE, and the runner's settings.

The paper (Padalkar et al., 2025, sections 3 and 4) defines the sparsity loss
and five training strategies; NeSyFOLD-EBP (``NE``) is the baseline. Each is a
:class:`StrategyConfig` preset with the paper's defaults (``h1=0.6``,
``h2=0.7``, ``alpha=1``, ``beta=5``, ``K=5`` or 20 for ten or more classes).
Epochs are scaled for CPU: a strategy that trains in two phases gives each
phase its share of :attr:`TrainConfig.epochs`.

Examples
--------
>>> s = strategy("ts3")
>>> s.name, s.p_method, s.alpha, s.beta, s.k_for(3), s.k_for(10)
('TS3', 2, 1.0, 5.0, 5, 20)
>>> strategy("ts1").warmup
0.5
>>> cfg = TrainConfig(strategy=strategy("ne"), epochs=3)
>>> cfg.strategy.loss
'ebp'
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any

from nesyasp.errors import DataError, WrongTypeError, expect_type

__all__ = [
    "StrategyConfig",
    "TrainConfig",
    "ModelDefaults",
    "MODEL_DEFAULTS",
    "MODELS",
    "MIN_SIZE",
    "SCRATCH_WARMUP",
    "STRATEGIES",
    "NORMS",
    "strategy",
    "optimiser_settings",
    "config_to_dict",
    "config_from_dict",
]

NORMS = ("fro", "spectral")
_LOSSES = ("ce", "sparsity", "ebp")
_OPTIMISERS = ("adam", "sgd")
_PRETRAIN = ("classes", "generic")
_PRECISIONS = ("auto", "fp32", "bf16")


@dataclass(frozen=True, slots=True)
class ModelDefaults:
    """How a backbone is trained when the run does not say otherwise.

    Attributes
    ----------
    optimizer:
        ``adam`` or ``sgd`` (SGD with Nesterov momentum 0.9).
    lr, weight_decay:
        Peak learning rate and L2 regularisation (linear layers with more than
        512 inputs learn at ``lr * 512 / inputs``, see
        :func:`nesyasp.neural.runtime.make_optimizer`).
    lr_warmup:
        Epochs over which the learning rate rises linearly from ``lr/10``
        (counted in optimiser steps) before the schedule takes over.
    """

    optimizer: str
    lr: float
    weight_decay: float
    lr_warmup: int


#: Per-model defaults (docs/neural.md says why each model has its own).
MODEL_DEFAULTS: dict[str, ModelDefaults] = {
    "small": ModelDefaults("adam", 2e-3, 5e-4, 0),
    "vgg16": ModelDefaults("adam", 1e-5, 5e-4, 1),
    "vgg16_bn": ModelDefaults("adam", 1e-4, 5e-4, 1),
    "resnet18": ModelDefaults("adam", 1e-3, 5e-4, 1),
}
#: Model names of ``--model``.
MODELS = tuple(MODEL_DEFAULTS)
#: The smallest image side a model takes: the VGGs halve it five times (2x2 max-pools) to 1 px.
MIN_SIZE = {"vgg16": 32, "vgg16_bn": 32}
#: Share of the epochs trained with cross-entropy alone before P and thresholds are computed
#: when a model starts from random weights (no pretraining, no ``weights``): P and thresholds
#: of random VGG filters say nothing about the classes, and the sparsity loss built on them
#: holds the cross-entropy near chance (docs/neural.md). A strategy's own larger warm-up wins.
SCRATCH_WARMUP: dict[str, float] = {"vgg16": 0.5, "vgg16_bn": 0.5}


@dataclass(frozen=True, slots=True)
class StrategyConfig:
    """How the CNN is trained: which loss, and how the P matrix and thresholds are made.

    Attributes
    ----------
    name:
        ``TS1`` ... ``TS5``, ``NE`` or ``CE`` (plain cross-entropy).
    loss:
        ``sparsity`` (the paper's loss), ``ebp`` (Elite BackProp) or ``ce``.
    p_method:
        1: top-K filters per class by summed mean absolute activation (Method 1);
        2: K random filters per class (Method 2).
    warmup:
        Share of the epochs trained with cross-entropy alone before P and the
        thresholds are computed and the second loss is switched on (TS1: 0.5;
        NE: 2/3, NeSyFOLD's 100 vanilla + 50 EBP epochs).
    alpha, beta:
        Weights of cross-entropy and sparsity loss (Eq. 8); TS4 sets ``alpha=0``.
    h1, h2:
        Threshold ``h1*mean + h2*std`` of per-filter norms (Eq. 2).
    k:
        Filters per class; 0 means 5, or 20 for ten or more classes.
    use_thresholds:
        False applies the sigmoid to the raw norms (TS5).
    norm:
        Filter norm: ``fro`` (the paper's L2 norm of the map) or ``spectral``
        (the matrix 2-norm NeSyFOLD's code computes).
    ebp_lambda:
        Weight of the EBP penalty (NeSyFOLD: 1e-3, summed over the batch).
    """

    name: str = "CE"
    loss: str = "ce"
    p_method: int = 1
    warmup: float = 0.0
    alpha: float = 1.0
    beta: float = 5.0
    h1: float = 0.6
    h2: float = 0.7
    k: int = 0
    use_thresholds: bool = True
    norm: str = "fro"
    ebp_lambda: float = 1e-3

    def __post_init__(self) -> None:
        if self.loss not in _LOSSES:
            raise DataError(f"loss must be one of {', '.join(_LOSSES)}, got {self.loss!r}")
        if self.p_method not in (1, 2):
            raise DataError(f"p_method must be 1 or 2, got {self.p_method}")
        if not 0.0 <= self.warmup < 1.0:
            raise DataError(f"warmup must lie in [0, 1), got {self.warmup}")
        if self.norm not in NORMS:
            raise DataError(f"norm must be one of {', '.join(NORMS)}, got {self.norm!r}")
        if self.k < 0:
            raise DataError(f"k must be >= 0, got {self.k}")
        self._check_weights()

    def _check_weights(self) -> None:
        """alpha, beta and ebp_lambda finite and >= 0 (a negative weight ascends its loss), not both of
        the sparsity loss's 0 (nothing to train); h1 and h2 finite."""
        for name in ("alpha", "beta", "ebp_lambda", "h1", "h2"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise WrongTypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
            if not math.isfinite(value) or (name not in ("h1", "h2") and value < 0):
                rule = "a finite number" if name in ("h1", "h2") else "a finite number >= 0"
                raise DataError(f"{name} must be {rule}, got {value}")
        if self.loss == "sparsity" and self.alpha == 0 and self.beta == 0:
            raise DataError("alpha and beta are both 0: the loss would be 0 and nothing would train")

    def k_for(self, n_classes: int) -> int:
        """The K of this strategy for ``n_classes`` classes (5, or 20 from ten classes on)."""
        if self.k:
            return self.k
        return 20 if n_classes >= 10 else 5


STRATEGIES: dict[str, StrategyConfig] = {
    "ce": StrategyConfig(),
    "ts1": StrategyConfig("TS1", "sparsity", p_method=1, warmup=0.5),
    "ts2": StrategyConfig("TS2", "sparsity", p_method=1),
    "ts3": StrategyConfig("TS3", "sparsity", p_method=2),
    "ts4": StrategyConfig("TS4", "sparsity", p_method=2, alpha=0.0),
    "ts5": StrategyConfig("TS5", "sparsity", p_method=2, use_thresholds=False),
    "ne": StrategyConfig("NE", "ebp", p_method=1, warmup=2 / 3, norm="spectral"),
}


def strategy(name: str, **changes: Any) -> StrategyConfig:
    """Return the named preset (case-insensitive), with optional field changes.

    Raises
    ------
    DataError
        For an unknown name.
    """
    expect_type(name, str, f"a strategy name ({', '.join(STRATEGIES)})")
    key = name.strip().lower()
    if key not in STRATEGIES:
        raise DataError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    return dataclasses.replace(STRATEGIES[key], **changes) if changes else STRATEGIES[key]


_INT_FIELDS = ("per_class", "test_per_class", "size", "epochs", "batch_size", "patience", "pretrain_epochs",
               "pretrain_classes", "seed")


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Everything a training run needs; a run folder stores it as ``config.json``.

    Attributes
    ----------
    data:
        Data set name for :func:`nesyasp.data.load_dataset` (``scenes``, ``signs``, ``digits``, or a folder).
    classes:
        Number of classes taken (the first ones), 0 for all; or the class names, in the order
        the model's outputs take them (a list read from ``config.json`` becomes a tuple).
    per_class, test_per_class:
        Training and test images per class.
    size:
        Image side in pixels.
    model:
        ``small`` (CPU default), ``vgg16`` (torchvision's layout, NeSyFOLD's
        backbone), ``vgg16_bn`` (VGG16 with BatchNorm) or ``resnet18``.
    layer:
        Name of the module whose output holds the filter maps; empty: the model's default.
    weights:
        Optional state-dict file loaded into the model before training.
    epochs, batch_size:
        Epochs and batch size (class-weighted cross-entropy).
    optimizer, lr, weight_decay, lr_warmup:
        Optimiser (``adam`` or ``sgd``), peak learning rate, L2 regularisation
        and linear warm-up epochs; None takes the model's
        :data:`MODEL_DEFAULTS` (:func:`optimiser_settings`).
    schedule, patience:
        ``cosine`` (default: the learning rate falls along a half cosine to
        0 over ``epochs``, so a short CPU run ends converged) or ``plateau``
        (the paper's: halved after ``patience`` epochs without a lower training loss).
    augment:
        Flip each training image left-right with probability 1/2 (seeded per epoch).
    pretrain, pretrain_epochs, pretrain_classes:
        The paper starts every strategy from an ImageNet-pretrained VGG16. Our
        stand-ins, trained with cross-entropy for ``pretrain_epochs`` epochs
        before the run, which then starts from that backbone with a fresh
        head: ``classes``, the data set's last ``pretrain_classes`` classes
        (disjoint from the task's); ``generic``, a generated corpus of other
        classes shared by every data set (:mod:`nesyasp.neural.pretrain`).
        0 epochs: start from random weights (or ``weights``).
    seed:
        Seeds data order, initialisation and Method-2 P matrices.
    device:
        ``auto`` (a GPU when there is one), ``cpu``, ``cuda`` or ``cuda:N``.
    precision:
        ``auto`` (bf16 autocast for the forward pass of training on a GPU,
        fp32 on the CPU), ``fp32`` or ``bf16``. Filter norms for P,
        thresholds and binarization are always computed in fp32.
    data_from_run:
        A data folder's path relative to the run folder (written by
        :func:`nesyasp.neural.train.train`, so that a run moved together with
        its data still finds it; ``data`` holds the absolute path).
    strategy:
        The :class:`StrategyConfig`.
    """

    data: str = "scenes"
    classes: int | tuple[str, ...] = 3
    per_class: int = 300
    test_per_class: int = 50
    size: int = 48
    model: str = "small"
    layer: str = ""
    weights: str = ""
    epochs: int = 30
    batch_size: int = 32
    optimizer: str | None = None
    lr: float | None = None
    weight_decay: float | None = None
    lr_warmup: int | None = None
    patience: int = 10
    schedule: str = "cosine"
    augment: bool = True
    pretrain: str = "classes"
    pretrain_epochs: int = 0
    pretrain_classes: int = 5
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    data_from_run: str = ""
    strategy: StrategyConfig = field(default_factory=StrategyConfig)

    def __post_init__(self) -> None:
        self._check_types()
        for name in ("per_class", "test_per_class", "size", "epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise DataError(f"{name} must be >= 1, got {getattr(self, name)}")
        self._check_classes()
        if ((self.lr is not None and not 0 < self.lr < math.inf)
                or (self.weight_decay is not None and not 0 <= self.weight_decay < math.inf) or self.patience < 0):
            raise DataError(f"lr must be finite and > 0, weight_decay finite and >= 0 and patience >= 0, "
                            f"got {self.lr}, {self.weight_decay} and {self.patience}")
        if self.seed < 0:
            raise DataError(f"seed must be >= 0, got {self.seed}")
        if self.lr_warmup is not None and self.lr_warmup < 0:
            raise DataError(f"lr_warmup must be >= 0 epochs, got {self.lr_warmup}")
        if self.optimizer is not None and self.optimizer not in _OPTIMISERS:
            raise DataError(f"optimizer must be one of {', '.join(_OPTIMISERS)}, got {self.optimizer!r}")
        if self.pretrain_epochs < 0 or self.pretrain_classes < 1:
            raise DataError("pretrain_epochs must be >= 0 and pretrain_classes >= 1")
        if self.pretrain not in _PRETRAIN:
            raise DataError(f"pretrain must be one of {', '.join(_PRETRAIN)}, got {self.pretrain!r}")
        if self.schedule not in ("cosine", "plateau"):
            raise DataError(f"schedule must be cosine or plateau, got {self.schedule!r}")
        if self.model not in MODELS:
            raise DataError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.size < MIN_SIZE.get(self.model, 1):
            raise DataError(f"model {self.model} needs images of at least {MIN_SIZE[self.model]} px (its five "
                            f"max-pools halve them to 1 px), got size {self.size}")
        if self.precision not in _PRECISIONS:
            raise DataError(f"precision must be one of {', '.join(_PRECISIONS)}, got {self.precision!r}")

    def _check_types(self) -> None:
        """Refuse a value of the wrong type by name (``epochs=2.5``, ``lr="0.1"``); a strategy's name
        becomes its preset, a path ``data`` its text."""
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for name in _INT_FIELDS + tuple(n for n in ("lr_warmup",) if getattr(self, n) is not None):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise WrongTypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
            put(name, int(value))
        for name in ("lr", "weight_decay"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
                raise WrongTypeError(f"{name} must be a number or None, got {type(value).__name__} {value!r}")
            put(name, None if value is None else float(value))
        if not isinstance(self.augment, bool):
            raise WrongTypeError(f"augment must be True or False, got {type(self.augment).__name__}")
        expect_type(self.data, (str, os.PathLike), "data: a data set name or a folder (a str or a Path)")
        put("data", os.fspath(self.data))
        if not self.data.strip():
            raise DataError("data is empty: give a data set (scenes, signs, digits, digits-parity) or a folder")
        if isinstance(self.strategy, str):
            put("strategy", strategy(self.strategy))
        expect_type(self.strategy, StrategyConfig, "strategy: a StrategyConfig or a strategy name such as 'ts3'")

    def _check_classes(self) -> None:
        if isinstance(self.classes, (list, tuple)):
            names = tuple(self.classes)
            if len(names) < 2 or len(set(names)) != len(names) or not all(isinstance(c, str) and c for c in names):
                raise DataError(f"classes must name at least 2 distinct classes, got {list(names)}")
            object.__setattr__(self, "classes", names)
        elif isinstance(self.classes, bool) or not isinstance(self.classes, int):
            raise DataError(f"classes must be a count or a sequence of class names, got {self.classes!r}")
        elif self.classes < 0 or self.classes == 1:
            raise DataError(f"classes must be 0 (all) or at least 2 for a classifier, got {self.classes}")

    @property
    def from_scratch(self) -> bool:
        """True when the model starts from random weights (no pretraining and no weights file)."""
        return self.pretrain_epochs == 0 and not self.weights

    @property
    def strategy_warmup_epochs(self) -> int:
        """The strategy's own warm-up, in epochs."""
        return int(round(self.epochs * self.strategy.warmup))

    @property
    def warmup_epochs(self) -> int:
        """Epochs trained with cross-entropy alone before P and thresholds are computed.

        The strategy's warm-up, or the model's :data:`SCRATCH_WARMUP` when it starts
        from random weights, whichever is longer; never all the epochs, so that the
        strategy's loss trains at least the last one (a 1-epoch NE run was plain
        cross-entropy).
        """
        scratch = SCRATCH_WARMUP.get(self.model, 0.0) if self.from_scratch and self.strategy.loss != "ce" else 0.0
        return min(max(self.strategy_warmup_epochs, int(round(self.epochs * scratch))), self.epochs - 1)


def optimiser_settings(config: TrainConfig) -> ModelDefaults:
    """The optimiser, learning rate, weight decay and warm-up of ``config`` (its model's defaults where None).

    Examples
    --------
    >>> optimiser_settings(TrainConfig())
    ModelDefaults(optimizer='adam', lr=0.002, weight_decay=0.0005, lr_warmup=0)
    >>> optimiser_settings(TrainConfig(model="vgg16", lr=1e-3)).lr
    0.001
    """
    base = MODEL_DEFAULTS[config.model]
    return ModelDefaults(config.optimizer if config.optimizer is not None else base.optimizer,
                         config.lr if config.lr is not None else base.lr,
                         config.weight_decay if config.weight_decay is not None else base.weight_decay,
                         config.lr_warmup if config.lr_warmup is not None else base.lr_warmup)


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """A JSON-ready dict of the config (the strategy nested)."""
    return dataclasses.asdict(config)


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    """Rebuild a :class:`TrainConfig` from :func:`config_to_dict` output.

    Raises
    ------
    DataError
        When a key is unknown or a value invalid.
    """
    try:
        raw = dict(data)
        strat = StrategyConfig(**raw.pop("strategy", {}))
        return TrainConfig(**raw, strategy=strat)
    except TypeError as exc:
        raise DataError(f"invalid run configuration: {exc}") from None
