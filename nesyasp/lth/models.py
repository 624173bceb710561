"""Small networks for the embedded LTH experiments.

Every module has a stable name (``conv2``, ``relu2``, ``fc1`` ...) so masks,
TCAV and Grad-CAM refer to layers by name. ``model.output_layer`` names the
output layer, ``model.concept_layer`` the default layer for TCAV and
``model.cam_layer`` the default layer for Grad-CAM (None: no spatial maps).
The TCAV layer is never the one right before the output layer: there the
gradient of a logit is the same for every input, and every TCAV score would be
0 or 1. ReLUs are not in-place, so hooks see the values that were used.

Examples
--------
>>> import torch
>>> net = build_model("lenet", n_classes=2, size=28)
>>> net(torch.zeros(4, 3, 28, 28)).shape
torch.Size([4, 2])
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from nesyasp.errors import DataError

__all__ = ["LeNet", "MLP", "SmallCNN", "build_model", "check_concept_layer", "MODELS"]


class _Named(nn.Sequential):
    output_layer: str
    concept_layer: str
    cam_layer: str | None


class LeNet(_Named):
    """LeNet-style conv net: two 5x5 conv blocks and two linear layers."""

    def __init__(self, n_classes: int = 2, size: int = 28, in_channels: int = 3) -> None:
        side = ((size // 2) - 4) // 2
        if side < 1:
            raise DataError(f"LeNet needs images of at least 12 pixels, got {size}")
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, 8, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(8, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(16 * side * side, 64)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(64, n_classes)),
        ]))
        self.output_layer = "fc2"
        self.concept_layer = "pool2"
        self.cam_layer = "relu2"


class MLP(_Named):
    """LeNet-300-100 style perceptron (no spatial maps: TCAV only, no Grad-CAM)."""

    def __init__(self, n_classes: int = 2, size: int = 28, in_channels: int = 3) -> None:
        super().__init__(OrderedDict([
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(in_channels * size * size, 300)), ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(300, 100)), ("relu2", nn.ReLU()), ("fc3", nn.Linear(100, n_classes)),
        ]))
        self.output_layer = "fc3"
        self.concept_layer = "relu1"
        self.cam_layer = None


class SmallCNN(_Named):
    """Three 3x3 conv blocks with BatchNorm, global average pooling and a linear head (scenes).

    BatchNorm is what lets this network learn the generated scenes from
    scratch in a few epochs; its parameters are not pruned (only conv and
    linear weights are) and are rewound with the rest.
    """

    def __init__(self, n_classes: int = 3, size: int = 64, in_channels: int = 3) -> None:
        if size < 8:
            raise DataError(f"SmallCNN needs images of at least 8 pixels, got {size}")
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, 16, 3, padding=1)), ("bn1", nn.BatchNorm2d(16)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding=1)), ("bn2", nn.BatchNorm2d(32)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(32, 64, 3, padding=1)), ("bn3", nn.BatchNorm2d(64)), ("relu3", nn.ReLU()),
            ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64, n_classes)),
        ]))
        self.output_layer = "fc"
        self.concept_layer = "pool2"
        self.cam_layer = "relu3"


MODELS: dict[str, type[_Named]] = {"lenet": LeNet, "mlp": MLP, "cnn": SmallCNN}

# Layers through which a gradient passes unchanged for every input (linear maps and reshapes).
_LINEAR = (nn.Linear, nn.Flatten, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Dropout, nn.Identity)


def check_concept_layer(model: nn.Module, layer: str) -> None:
    """Refuse a TCAV layer from which the logits are a linear function (the output layer included).

    There the gradient of a class logit is the same for every input, so every
    TCAV score is 0 or 1 whatever the concept. Only layers that are direct
    children of the model are checked.

    Raises
    ------
    DataError
        Naming the layers in between and the model's default.
    """
    names = [name for name, _ in model.named_children()]
    if layer not in names:
        return
    after = list(model.named_children())[names.index(layer) + 1:]
    if all(isinstance(module, _LINEAR) for _, module in after):
        tail = f" (then only {', '.join(name for name, _ in after)})" if after else " (the output layer)"
        default = getattr(model, "concept_layer", "")
        raise DataError(f"TCAV layer {layer!r}{tail}: the logits are a linear function of it, so the gradient of a "
                        f"class logit is the same for every input and every score would be 0 or 1; choose an "
                        f"earlier layer{f' (the default is {default})' if default else ''}")


def build_model(name: str, n_classes: int, size: int, in_channels: int = 3, seed: int | None = None) -> nn.Module:
    """Build a network by name (``lenet``, ``mlp`` or ``cnn``), seeded when ``seed`` is given."""
    if name not in MODELS:
        raise DataError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    if seed is None:
        return MODELS[name](n_classes, size, in_channels)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MODELS[name](n_classes, size, in_channels)
