"""CNN backbones and the wrapper that exposes the last conv layer's filter maps.

The CNN is only a feature extractor: its "last conv layer" (a module chosen by
name) gives one map per filter, whose norms become the predicates ``f0``,
``f1``, ... of the rule set that replaces the CNN's head.

* ``small``: four conv blocks, trains on 2 CPU cores in minutes (default layer ``features.relu4``);
* ``vgg16``: torchvision VGG16 (layer ``features.30``, the final max-pool after conv5_3, as NeSyFOLD),
  the layout of torchvision's ImageNet weights;
* ``vgg16_bn``: torchvision VGG16 with BatchNorm (layer ``features.43``, the same max-pool);
  both VGGs get a global-average-pool head (``classifier`` = one ``Linear(512, classes)``, as
  ResNet's) instead of torchvision's 120M-parameter ``25088-4096-4096`` head, which a few
  hundred images from random weights cannot fit (the filter layer is before the head, so the
  rules see the same maps); ``head="torchvision"`` keeps torchvision's head;
* ``resnet18``: torchvision ResNet-18 (layer ``layer4``).

No pretrained weights are downloaded; :func:`load_weights` loads a user's file.
Images may come as uint8 ``[N, 3, H, W]`` pixels: :class:`FeatureModel`
scales them on the model's device exactly as
:func:`nesyasp.neural.data.split_from_imageset` does, so data can live on a
GPU at a quarter of the float size.

Examples
--------
>>> import torch
>>> net = FeatureModel(build_model("small", n_classes=3, seed=0))
>>> logits, maps = net(torch.zeros(2, 3, 32, 32))
>>> tuple(logits.shape), tuple(maps.shape)
((2, 3), (2, 64, 4, 4))
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from nesyasp.errors import DataError, MissingDependencyError
from nesyasp.interrupt import NEURAL_EXTRA

logger = logging.getLogger(__name__)

__all__ = ["MODEL_NAMES", "SmallCNN", "build_model", "architecture_of", "head_of", "default_layer", "resolve_model", "FeatureModel", "load_weights",
           "load_backbone", "scale_pixels"]

_DEFAULT_LAYER = {"small": "features.relu4", "vgg16": "features.30", "vgg16_bn": "features.43",
                  "resnet18": "layer4"}
#: The models :func:`build_model` builds.
MODEL_NAMES = tuple(_DEFAULT_LAYER)


def scale_pixels(x: torch.Tensor) -> torch.Tensor:
    """uint8 pixels ``[N, 3, H, W]`` to the network's input ``(x/255 - 0.5) / 0.25`` (float32)."""
    return x.float().div_(255.0).sub_(0.5).div_(0.25)


class SmallCNN(nn.Module):
    """Four 3x3 conv blocks (BatchNorm, ReLU, max-pool on the first three) and a linear head.

    BatchNorm keeps a filter from being switched off for every image at once
    (which would end its gradient); before P and thresholds are computed the
    runner re-estimates the BatchNorm statistics on the training set, so that
    evaluation-mode norms match those seen in training.

    Parameters
    ----------
    n_classes:
        Outputs of the head.
    width:
        Channels of the first block; blocks have ``width``, ``2w``, ``4w``, ``4w`` channels.
    bn:
        Put BatchNorm after every convolution.
    """

    def __init__(self, n_classes: int, width: int = 16, bn: bool = True):
        super().__init__()
        chans = [3, width, 2 * width, 4 * width, 4 * width]
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        for i in range(1, 5):
            layers[f"conv{i}"] = nn.Conv2d(chans[i - 1], chans[i], 3, padding=1)
            if bn:
                layers[f"bn{i}"] = nn.BatchNorm2d(chans[i])
            layers[f"relu{i}"] = nn.ReLU()
            if i < 4:
                layers[f"pool{i}"] = nn.MaxPool2d(2)
        self.features = nn.Sequential(layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(chans[-1], n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


def build_model(name: str, n_classes: int, seed: int = 0, width: int = 16, head: str = "gap") -> nn.Module:
    """Build a fresh, seeded model with ``n_classes`` outputs (no pretrained weights).

    Parameters
    ----------
    head:
        For the VGGs: ``gap`` (global average pool and one linear layer, the
        default) or ``torchvision`` (torchvision's three-layer head, as run
        folders trained before the GAP head hold).

    Raises
    ------
    DataError
        For an unknown model name.
    MissingDependencyError
        For a torchvision model when torchvision is not installed.
    """
    torch.manual_seed(seed)
    if name == "small":
        return SmallCNN(n_classes, width)
    if name in ("vgg16", "vgg16_bn", "resnet18"):
        try:
            import torchvision.models as tvm
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] != "torchvision":
                raise
            raise MissingDependencyError(f"model {name} needs torchvision, which is not installed here: "
                                         f"{NEURAL_EXTRA}") from None
        net = getattr(tvm, name)(weights=None, num_classes=n_classes)
        if name != "resnet18" and head == "gap":
            net.avgpool = nn.AdaptiveAvgPool2d(1)
            net.classifier = nn.Linear(512, n_classes)
        return net
    raise DataError(f"unknown model {name!r}; choose {', '.join(_DEFAULT_LAYER)}")


def resolve_model(name: str, weights: str | Path = "") -> str:
    """The architecture that ``--model name`` trains.

    ``vgg16`` gets BatchNorm (torchvision's ``vgg16_bn`` layout) unless its
    ``weights`` are a plain VGG16's (torchvision's ImageNet file): plain VGG16
    does not learn from random weights in a few epochs (docs/neural.md). The
    file's keys are read without loading its tensors; an unreadable file is
    left to :func:`load_weights` to report.
    """
    if name != "vgg16":
        return name
    if not weights:
        return "vgg16_bn"
    from nesyasp.neural.statedict import state_dict_of

    for mmap in (True, False):  # the keys without reading the tensors; a legacy (non-zip) file cannot be mapped
        try:
            keys = state_dict_of(torch.load(Path(weights), map_location="cpu", weights_only=True, mmap=mmap),
                                 weights).keys()
        except Exception:  # noqa: BLE001 - load_weights gives the message
            continue
        return "vgg16_bn" if any(str(k).endswith("running_mean") for k in keys) else "vgg16"
    return "vgg16"


def default_layer(name: str) -> str:
    """The default filter layer of a model name."""
    return _DEFAULT_LAYER.get(name, "")


class FeatureModel(nn.Module):
    """Wrap a CNN so that ``forward`` returns ``(logits, maps)`` of the named layer.

    Parameters
    ----------
    model:
        The CNN.
    layer:
        Dotted module name; empty picks the default of a known model.

    Raises
    ------
    DataError
        When the layer name is not a module of the model.
    """

    def __init__(self, model: nn.Module, layer: str = ""):
        super().__init__()
        self.model = model
        if not layer:
            layer = "features.relu4" if isinstance(model, SmallCNN) else _guess_layer(model)
        modules = dict(model.named_modules())
        if layer not in modules:
            names = ", ".join(n for n in modules if n)[:300]
            raise DataError(f"layer {layer!r} is not a module of the model; modules: {names} ...")
        self.layer = layer
        # the hooked layer's output, per thread: threads sharing the model each get their own maps
        self._maps: dict[int, torch.Tensor] = {}
        modules[layer].register_forward_hook(self._keep)

    def _keep(self, _module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
        self._maps[threading.get_ident()] = output

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        param = next(self.model.parameters(), None)
        if param is not None and x.device != param.device:
            x = x.to(param.device, non_blocking=True)
        if x.dtype == torch.uint8:
            x = scale_pixels(x)
        self._maps.pop(threading.get_ident(), None)
        logits = self.model(x)
        maps = self._maps.pop(threading.get_ident(), None)
        if maps is None or maps.dim() != 4:
            raise DataError(f"layer {self.layer!r} did not give 4-D filter maps")
        return logits, maps


def _guess_layer(model: nn.Module) -> str:
    if hasattr(model, "layer4"):
        return "layer4"
    if hasattr(model, "features"):
        pools = [i for i, m in enumerate(model.features) if isinstance(m, nn.MaxPool2d)]
        return f"features.{pools[-1] if pools else len(model.features) - 1}"
    raise DataError("cannot guess the filter layer of this model; name it with --layer")


def head_of(state: dict) -> str:
    """``torchvision`` when a VGG state dict holds torchvision's three-layer head, else ``gap``."""
    return "torchvision" if any(str(k).startswith("classifier.0.") for k in state) else "gap"


def _head_keys(model: nn.Module) -> set[str]:
    """State-dict keys of the last ``nn.Linear`` of ``model``."""
    linears = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    return {f"{linears[-1]}.weight", f"{linears[-1]}.bias"} if linears else set()


def load_backbone(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load ``state`` into ``model`` except the class head (the last linear layer), which stays as it is."""
    own = model.state_dict()
    head = _head_keys(model)
    model.load_state_dict({k: v for k, v in state.items() if k not in head} | {k: own[k] for k in head})


def load_weights(model: nn.Module, path: str | Path) -> None:
    """Load a state dict (or a checkpoint holding one under ``model``, ``state_dict`` or
    ``model_state_dict``) into ``model``.

    Uses ``torch.load(weights_only=True)``. Keys prefixed by ``module.``
    (``DataParallel``), ``_orig_mod.`` (``torch.compile``) or ``model.`` are read
    without the prefix (:mod:`nesyasp.neural.statedict`). When only the model's
    last linear layer (the class head) differs in shape, for weights trained on
    other classes, the backbone is loaded and the head keeps its fresh initialisation.

    Raises
    ------
    DataError
        When the file cannot be read or its tensors do not fit the model (naming
        the model they fit, when they are another nesyasp model's).
    """
    from nesyasp.neural.statedict import state_dict_of, strip_prefixes
    from nesyasp.neural.torchfile import load_torch_file

    path = Path(path)
    own = model.state_dict()
    state = strip_prefixes(state_dict_of(load_torch_file(path, "weights file"), path), own.keys(), path)
    head = _head_keys(model)
    dropped = []
    fitted = state
    if head_of(state) != head_of(own):  # torchvision's VGG head in the file, a GAP head here, or back
        dropped = [k for k in state if str(k).startswith("classifier.")]
        fitted = {k: v for k, v in state.items() if k not in dropped} | {k: v for k, v in own.items()
                                                                          if k.startswith("classifier.")}
    if any(k in own and k in fitted and fitted[k].shape != own[k].shape for k in head):
        fitted = {k: v for k, v in fitted.items() if k not in head} | {k: own[k] for k in head if k in own}
    # files saved before torch 0.4.1 (such as torchvision's ImageNet ResNets) have no BatchNorm step counters;
    # torch's own load_state_dict takes them so, and so does this
    fitted = fitted | {k: v for k, v in own.items() if k.endswith("num_batches_tracked") and k not in fitted}
    _check_fit(fitted, own, state, path)
    if dropped:
        logger.info("%s: the backbone is loaded; its classifier (%s) does not fit this model's head, "
                    "which keeps its fresh weights", path, ", ".join(dropped))
    model.load_state_dict(fitted)


def _check_fit(state: dict, own: dict, original: dict, path: Path) -> None:
    """DataError naming the missing, unexpected and wrongly shaped tensors (and the model the file is for)."""
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in own if k in state and hasattr(state[k], "shape") and state[k].shape != own[k].shape]
    if not (missing or unexpected or shapes):
        return
    parts = []
    for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", shapes)):
        if keys:
            parts.append(f"{label}: {', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''}")
    theirs, ours = architecture_of(original), architecture_of(own)
    hint = f"; the file holds {theirs} weights, not {ours} (--model {theirs})" if theirs and ours and \
        theirs != ours else ""
    raise DataError(f"{path}: weights do not fit the model{hint} ({'; '.join(parts)})")


def _body_keys(keys) -> set[str]:
    """Keys without the class head (``classifier.*``, ``fc.*``) and BatchNorm's step counters."""
    return {k for k in keys if not k.startswith(("classifier.", "fc.")) and not k.endswith("num_batches_tracked")}


def architecture_of(state: dict[str, torch.Tensor]) -> str | None:
    """The model of :data:`MODEL_NAMES` whose layers, the class head aside, have exactly the keys and
    shapes of ``state``; None when none has (or torchvision, needed to tell, is not installed)."""
    body = _body_keys(state)
    for name in MODEL_NAMES:
        try:
            with torch.random.fork_rng(devices=[]), torch.device("meta"):  # no memory, no RNG consumed
                own = build_model(name, 2, head=head_of(state)).state_dict()
        except MissingDependencyError:
            continue
        if _body_keys(own) == body and all(own[k].shape == state[k].shape for k in body):
            return name
    return None
