"""Grad-CAM (Selvaraju et al.): which pixels a class score depends on.

For a layer with maps ``A_k`` and a class score ``y_c`` (the pre-softmax
logit), the weights are ``alpha_k = mean_ij dy_c / dA_k[i,j]`` and the map is
``ReLU(sum_k alpha_k A_k)``, bilinearly upsampled to the input size. The
model's train/eval mode is left as it was, nothing is written anywhere.

Examples
--------
>>> import torch
>>> from nesyasp.lth.models import build_model
>>> net = build_model("lenet", 2, 28, seed=0)
>>> cam = GradCAM(net, "relu2").attribute(torch.rand(2, 3, 28, 28), target=1)
>>> cam.shape
torch.Size([2, 1, 28, 28])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nesyasp.errors import DataError

__all__ = ["GradCAM", "check_cam_layer", "get_layer", "layer_activations", "normalize_maps"]


def get_layer(model: nn.Module, layer: str | nn.Module) -> nn.Module:
    """The sub-module named ``layer`` (dotted path), or ``layer`` itself when it is a module."""
    if isinstance(layer, nn.Module):
        return layer
    try:
        return model.get_submodule(layer)
    except AttributeError:
        names = [n for n, _ in model.named_modules() if n]
        raise DataError(f"model has no layer {layer!r}; layers: {', '.join(names)}") from None


def layer_activations(model: nn.Module, layer: nn.Module, inputs: Tensor) -> tuple[Tensor, Tensor]:
    """Run ``model`` on ``inputs``; return ``(outputs, activations of layer)`` with the graph kept."""
    store: list[Tensor] = []

    def hook(_module: nn.Module, _inp: object, out: Tensor) -> None:
        store.append(out)

    handle = layer.register_forward_hook(hook)
    try:
        outputs = model(inputs)
    finally:
        handle.remove()
    if not store:
        raise DataError("the chosen layer was not used in the forward pass")
    return outputs, store[-1]


def _targets(target: int | Sequence[int] | Tensor, n: int, n_classes: int) -> Tensor:
    t = torch.as_tensor(target, dtype=torch.long).reshape(-1)
    if t.numel() == 1:
        t = t.expand(n)
    if t.numel() != n:
        raise DataError(f"got {t.numel()} targets for {n} inputs")
    if bool((t < 0).any()) or bool((t >= n_classes).any()):
        raise DataError(f"target class out of range 0..{n_classes - 1}")
    return t


class GradCAM:
    """Gradient-weighted class activation maps of one layer.

    Parameters
    ----------
    model:
        The network; its outputs are class logits ``(N, n_classes)``.
    layer:
        The layer (name or module) whose output maps ``(N, K, h, w)`` are weighted.
    """

    def __init__(self, model: nn.Module, layer: str | nn.Module) -> None:
        self.model = model
        self.layer = get_layer(model, layer)

    def attribute(self, inputs: Tensor, target: int | Sequence[int] | Tensor, *, relu: bool = True,
                  upsample: bool = True, normalize: bool = False) -> Tensor:
        """Grad-CAM maps for ``inputs`` and class ``target`` (one int or one per input).

        Parameters
        ----------
        inputs:
            Images ``(N, C, H, W)``.
        target:
            Class index whose logit is explained.
        relu:
            Apply the ReLU (the paper's map); off gives the signed map.
        upsample:
            Bilinearly resize to ``(H, W)``; off keeps the layer's ``(h, w)``.
        normalize:
            Min-max scale every map to ``[0, 1]`` (a constant map becomes 0).

        Returns
        -------
        Tensor
            ``(N, 1, H, W)`` (or ``(N, 1, h, w)``), detached.
        """
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.enable_grad():
                x = inputs.detach().requires_grad_(True)
                outputs, acts = layer_activations(self.model, self.layer, x)
                if acts.dim() != 4:
                    raise DataError(f"Grad-CAM needs a layer with spatial maps (N,K,h,w), got shape "
                                    f"{tuple(acts.shape)}")
                t = _targets(target, len(inputs), outputs.shape[1])
                score = outputs.gather(1, t[:, None]).sum()
                (grads,) = torch.autograd.grad(score, acts)
        finally:
            self.model.train(was_training)
        weights = grads.mean(dim=(2, 3), keepdim=True)
        cam = (weights * acts.detach()).sum(dim=1, keepdim=True)
        if relu:
            cam = F.relu(cam)
        if upsample:
            cam = F.interpolate(cam, size=inputs.shape[-2:], mode="bilinear", align_corners=False)
        return normalize_maps(cam) if normalize else cam


def check_cam_layer(model: nn.Module, layer: str, sample: Tensor) -> None:
    """Raise :class:`DataError` unless ``layer`` exists and gives spatial maps ``(N, K, h, w)`` for ``sample``."""
    module = get_layer(model, layer)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            _, acts = layer_activations(model, module, sample[:1])
    finally:
        model.train(was_training)
    if acts.dim() != 4:
        raise DataError(f"Grad-CAM layer {layer!r} gives no spatial maps (shape {tuple(acts.shape)}); "
                        "choose a conv block's layer")


def normalize_maps(maps: Tensor) -> Tensor:
    """Min-max scale each map of ``(N, 1, H, W)`` to ``[0, 1]``; constant maps become zeros."""
    flat = maps.reshape(len(maps), -1)
    lo = flat.min(dim=1, keepdim=True).values
    hi = flat.max(dim=1, keepdim=True).values
    span = torch.where(hi > lo, hi - lo, torch.ones_like(hi))
    return ((flat - lo) / span).reshape(maps.shape)
