"""Frozen configuration of an LTH experiment, with CLI flags generated from fields.

Every field carries its help text (and optionally its flag name) in the
dataclass metadata, so :func:`add_config_arguments` builds argparse options
and :func:`config_from_args` turns a namespace back into a config object.
Runners take config objects, never argparse namespaces. Seeds are fields.

Examples
--------
>>> cfg = LTHConfig(rounds=3, prune=PruneConfig(fraction=0.5))
>>> cfg.prune.fraction, cfg.rounds
(0.5, 3)
>>> rewind_iteration("init"), rewind_iteration("25")
(0, 25)
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from nesyasp.errors import DataError

__all__ = [
    "PruneConfig",
    "TCAVConfig",
    "LTHConfig",
    "add_config_arguments",
    "config_from_args",
    "config_to_dict",
    "config_from_dict",
    "rewind_iteration",
    "DATA_DEFAULTS",
    "EMBEDDED",
]


def _opt(default: Any, help: str, flag: str | None = None, choices: tuple[str, ...] | None = None) -> Any:
    meta = {"help": help, "flag": flag, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class PruneConfig:
    """How weights are pruned each round.

    Attributes
    ----------
    fraction:
        Share of the *remaining* prunable weights removed per round (0 prunes nothing).
    scope:
        ``global`` ranks all prunable weights together; ``layer`` prunes each tensor by ``fraction``.
    prune_output:
        Also prune the output layer's weights (off by default, as in open_lth).
    """

    fraction: float = _opt(0.2, "share of the remaining weights pruned per round", flag="--prune")
    scope: str = _opt("global", "rank weights globally or per layer", choices=("global", "layer"))
    prune_output: bool = _opt(False, "also prune the output layer's weights")

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction < 1.0:
            raise DataError(f"prune fraction must lie in [0, 1), got {self.fraction}")
        if self.scope not in ("global", "layer"):
            raise DataError(f"prune scope must be 'global' or 'layer', got {self.scope!r}")


@dataclass(frozen=True, slots=True)
class TCAVConfig:
    """How concept scores are computed each round."""

    layer: str = _opt("", "layer for TCAV (empty: the model's default, pool2 for lenet and cnn)", flag="--layer")
    cam_layer: str = _opt("", "layer for Grad-CAM (empty: the model's default, its last conv block, relu2 for lenet, "
                              "relu3 for cnn)")
    n_concept: int = _opt(50, "images per concept set and per random set")
    n_random_sets: int = _opt(20, "random sets (CAV repeats and the random-vs-random baseline)")
    n_inputs: int = _opt(100, "test images per class whose gradients are scored")
    alpha: float = _opt(0.05, "significance level (Bonferroni-corrected over concepts)")

    def __post_init__(self) -> None:
        if self.n_random_sets < 2:
            raise DataError("TCAV needs at least 2 random sets for its significance test")
        if self.n_concept < 2 or self.n_inputs < 1:
            raise DataError("TCAV needs at least 2 concept images and 1 input per class")
        if not 0.0 < self.alpha < 1.0:
            raise DataError(f"alpha must lie in (0, 1), got {self.alpha}")


@dataclass(frozen=True, slots=True)
class LTHConfig:
    """One iterative-magnitude-pruning experiment with concept explanations per round."""

    data: str = _opt("digits-parity", "data set: digits-parity, scenes, or an image folder (class folders, with "
                                      "concepts/<concept>/ example folders or masks and concepts.txt for TCAV; "
                                      "see docs/lth.md)")
    model: str = _opt("auto", "network (auto: lenet for digits, cnn for scenes and folders)",
                      choices=("auto", "lenet", "mlp", "cnn"))
    size: int = _opt(0, "image side in pixels (0: the data set's default, 28 for digits, 32 for scenes and folders)")
    classes: int = _opt(0, "number of classes (0: the data set's default, 2 for digits, 3 for scenes, all of a "
                           "folder)")
    per_class: int = _opt(0, "training (and test) images per class (0: the data set's default, "
                             "all for digits and folders, 200 for scenes)")
    rounds: int = _opt(8, "rounds, round 0 being the dense network")
    epochs: int = _opt(0, "training epochs per round (0: the data set's default, 10 for digits, 30 for scenes "
                          "and folders)")
    batch_size: int = _opt(64, "mini-batch size")
    lr: float = _opt(4e-3, "Adam learning rate")
    schedule: str = _opt("auto", "learning rate within a round: constant, cosine (decays to 0 by the round's "
                                 "end), auto (the data set's: constant for digits, cosine for scenes and folders)",
                         choices=("auto", "constant", "cosine"))
    weight_decay: float = _opt(0.0, "Adam weight decay")
    rewind: str = _opt("init", "rewind survivors to 'init' or to iteration K of round 0")
    seed: int = _opt(0, "seed for data, initialisation and training order")
    gradcam_images: int = _opt(10, "test images shown in the Grad-CAM grid")
    min_score: int = _opt(60, "TCAV score (percent) above which a significant concept is relied on")
    tolerance: int = _opt(2, "accuracy points a winning ticket may lose against round 0")
    prune: PruneConfig = field(default_factory=PruneConfig)
    tcav: TCAVConfig = field(default_factory=TCAVConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.data, str) or not self.data.strip():
            raise DataError("data must name a data set (digits-parity, scenes) or an image folder, got "
                            f"{self.data!r}")
        if self.rounds < 1:
            raise DataError(f"rounds must be at least 1 (round 0 is the dense network, rounds 1.. are pruned), "
                            f"got {self.rounds}")
        if self.batch_size < 1:
            raise DataError(f"batch size must be positive, got {self.batch_size}")
        if self.seed < 0:
            raise DataError(f"seed must not be negative, got {self.seed}")
        if self.gradcam_images < 0:
            raise DataError(f"gradcam images must not be negative (0 draws no Grad-CAM grid), got "
                            f"{self.gradcam_images}")
        if self.size < 0 or self.classes < 0 or self.per_class < 0 or self.epochs < 0:
            raise DataError("size, classes, per_class and epochs must not be negative (0 picks the default)")
        if self.classes == 1:
            raise DataError("classes must be 0 (the default) or at least 2: one class leaves nothing to tell apart")
        if not (math.isfinite(self.lr) and self.lr > 0) or not (math.isfinite(self.weight_decay)
                                                                 and self.weight_decay >= 0):
            raise DataError("the learning rate must be a positive number and the weight decay a number not "
                            f"below 0, got lr {self.lr} and weight decay {self.weight_decay}")
        if not 0 <= self.min_score <= 100:
            raise DataError(f"min score is a TCAV score in percent, 0 to 100, got {self.min_score}")
        if not 0 <= self.tolerance <= 100:
            raise DataError(f"tolerance is the accuracy points a ticket may lose, 0 to 100, got {self.tolerance}")
        rewind_iteration(self.rewind)

    @property
    def is_folder(self) -> bool:
        """Whether ``data`` names a user's image folder (anything but an embedded data set's name)."""
        return self.data not in EMBEDDED

    @property
    def model_name(self) -> str:
        """The network actually built (the default depends on the data set)."""
        if self.model != "auto":
            return self.model
        return "lenet" if self.data == "digits-parity" else "cnn"

    def _default(self, key: str) -> int:
        return DATA_DEFAULTS["folder" if self.is_folder else self.data][key]

    @property
    def image_size(self) -> int:
        """The image side actually used (``size``, or the data set's default)."""
        return self.size or self._default("size")

    @property
    def class_count(self) -> int:
        """The number of classes actually used (``classes``, or the data set's default; 0: all of a folder)."""
        return self.classes or self._default("classes")

    @property
    def epochs_per_round(self) -> int:
        """Training epochs per round actually used (``epochs``, or the data set's default)."""
        return self.epochs or self._default("epochs")

    @property
    def lr_schedule(self) -> str:
        """The learning-rate schedule actually used (``schedule``, or the data set's default)."""
        if self.schedule != "auto":
            return self.schedule
        return "constant" if self.data == "digits-parity" else "cosine"

    @property
    def images_per_class(self) -> int:
        """Images per class and split actually asked for (``per_class``, or the data set's default)."""
        return self.per_class or self._default("per_class")


#: The embedded data sets an LTH run takes by name; any other ``data`` is a folder.
EMBEDDED = ("digits-parity", "scenes")

#: Defaults per data set (and for users' folders) for the fields whose 0 means "the data set's default".
#: Digits: every bundled image (about 630 per parity class for training, 270 for testing). Folders: every
#: class and every image (``classes`` 0 = all).
DATA_DEFAULTS: dict[str, dict[str, int]] = {
    "digits-parity": {"size": 28, "classes": 2, "per_class": 10_000, "epochs": 10},
    "scenes": {"size": 32, "classes": 3, "per_class": 200, "epochs": 30},
    "folder": {"size": 32, "classes": 0, "per_class": 10_000, "epochs": 30},
}


def rewind_iteration(rewind: str) -> int:
    """Parse a rewind point: ``"init"`` is iteration 0, ``"K"`` is iteration K of round 0."""
    if rewind == "init":
        return 0
    try:
        value = int(rewind)
    except ValueError:
        raise DataError(f"rewind must be 'init' or a non-negative iteration, got {rewind!r}") from None
    if value < 0:
        raise DataError(f"rewind iteration must be non-negative, got {value}")
    return value


_NESTED: dict[str, type] = {"prune": PruneConfig, "tcav": TCAVConfig}


def _flag(f: dataclasses.Field) -> str:
    return f.metadata.get("flag") or "--" + f.name.replace("_", "-")


def add_config_arguments(parser: argparse.ArgumentParser, cls: type = LTHConfig, prefix: str = "") -> None:
    """Add one option per leaf field of ``cls`` (nested configs flattened) to ``parser``."""
    for f in dataclasses.fields(cls):
        if f.name in _NESTED:
            add_config_arguments(parser, _NESTED[f.name], prefix=f"{prefix}{f.name}.")
            continue
        dest = f"cfg:{prefix}{f.name}"
        text = f.metadata["help"]
        # the help says what the default means: (0: the data set's default, ...), (empty: the model's default)
        said = "default" in text and f"({f.default or 'empty'}:" in text
        kwargs: dict[str, Any] = {"dest": dest, "default": argparse.SUPPRESS,
                                  "help": text if said else f"{text} (default: {f.default})"}
        if str(f.type) == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["type"] = {"int": int, "float": float, "str": str}[str(f.type)]
            if f.metadata.get("choices"):  # no metavar: --help then lists the choices, {a,b}
                kwargs["choices"] = f.metadata["choices"]
            else:
                kwargs["metavar"] = f.name.upper()
        parser.add_argument(_flag(f), **kwargs)


def config_from_args(args: argparse.Namespace) -> LTHConfig:
    """Build an :class:`LTHConfig` from a namespace filled by :func:`add_config_arguments`."""
    values: dict[str, Any] = {}
    for key, value in vars(args).items():
        if key.startswith("cfg:"):
            values[key[4:]] = value
    return config_from_dict(_nest(values))


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            nested[head] = value
    return nested


def config_to_dict(config: LTHConfig) -> dict[str, Any]:
    """A JSON-ready dict of the config (nested configs as dicts)."""
    return dataclasses.asdict(config)


def config_from_dict(values: dict[str, Any]) -> LTHConfig:
    """Inverse of :func:`config_to_dict`; unknown keys raise :class:`DataError`."""
    values = dict(values)
    try:
        prune = PruneConfig(**values.pop("prune", {}))
        tcav = TCAVConfig(**values.pop("tcav", {}))
        return LTHConfig(prune=prune, tcav=tcav, **values)
    except TypeError as exc:
        raise DataError(f"bad LTH configuration: {exc}") from None
