"""Grad-CAM against a hand computation; TCAV on a planted concept direction."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nesyasp.errors import DataError
from nesyasp.lth.gradcam import GradCAM, normalize_maps
from nesyasp.lth.models import build_model
from nesyasp.lth.tcav import TCAV

torch.set_num_threads(1)


class _Tiny(nn.Module):
    """1x1 conv (2 maps) -> global average pool -> linear, all weights hand-set."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1, bias=False)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2, 2, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, -2.0]).reshape(2, 1, 1, 1))
            self.fc.weight.copy_(torch.tensor([[3.0, 1.0], [-1.0, 0.5]]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.conv(x)).flatten(1))


def _hand_cam(x: torch.Tensor, cls: int) -> torch.Tensor:
    # A_0 = x, A_1 = -2x; dy/dA_k[i,j] = W[cls,k] / (h*w), so alpha_k = W[cls,k] / (h*w)
    w = torch.tensor([[3.0, 1.0], [-1.0, 0.5]])[cls]
    hw = x.shape[-1] * x.shape[-2]
    maps = torch.stack([x[:, 0], -2.0 * x[:, 0]], dim=1)
    return torch.relu((w[0] / hw) * maps[:, 0] + (w[1] / hw) * maps[:, 1])[:, None]


def test_gradcam_equals_hand_computation() -> None:
    x = torch.tensor([[[[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, -0.5]]]])
    net = _Tiny()
    for cls in (0, 1):
        got = GradCAM(net, "conv").attribute(x, cls, upsample=False)
        assert torch.allclose(got, _hand_cam(x, cls), atol=1e-6)
    # class 0: alpha = (3, 1)/9 -> map x/9 (ReLU keeps the positive pixels only)
    assert torch.allclose(GradCAM(net, "conv").attribute(x, 0, upsample=False)[0, 0],
                          torch.relu(x[0, 0]) / 9, atol=1e-6)


def test_gradcam_upsamples_and_normalizes() -> None:
    x = torch.rand(2, 1, 4, 4)
    net = _Tiny()
    small = GradCAM(net, "conv").attribute(x, [0, 1], upsample=False)
    big = GradCAM(net, net.conv).attribute(x, [0, 1], normalize=True)
    ref = normalize_maps(F.interpolate(_hand_cam(x[:1], 0), size=(4, 4), mode="bilinear", align_corners=False))
    assert big.shape == (2, 1, 4, 4) and small.shape == (2, 1, 4, 4)
    assert torch.allclose(big[:1], ref, atol=1e-6)
    assert float(big.min()) >= 0.0 and float(big.max()) <= 1.0


def test_gradcam_keeps_mode_and_rejects_bad_input() -> None:
    net = build_model("lenet", 2, 16, seed=0)
    net.train()
    cam = GradCAM(net, "relu2").attribute(torch.rand(3, 3, 16, 16), 1)
    assert cam.shape == (3, 1, 16, 16) and net.training
    with pytest.raises(DataError):
        GradCAM(net, "nope")
    with pytest.raises(DataError):
        GradCAM(net, "fc1").attribute(torch.rand(1, 3, 16, 16), 0)
    with pytest.raises(DataError):
        GradCAM(net, "relu2").attribute(torch.rand(1, 3, 16, 16), 5)


class _Head(nn.Module):
    """logit_c = s_c * a.u + 0.15 * |a without u|^2: the gradient is +-u plus an input-dependent part."""

    def __init__(self, u: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("u", u)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        along = a @ self.u
        rest = 0.15 * ((a - along[:, None] * self.u) ** 2).sum(dim=1)
        return torch.stack([along + rest, -along + rest], dim=1)


def _planted(seed: int = 0):
    """The concept direction u is planted in a 16-d layer; class 0 grows along u, class 1 against it."""
    gen = torch.Generator().manual_seed(seed)
    d = 16
    u = torch.zeros(d)
    u[3] = 1.0
    net = nn.Sequential()
    net.add_module("embed", nn.Linear(d, d, bias=False))
    net.add_module("head", _Head(u))
    with torch.no_grad():
        net.embed.weight.copy_(torch.eye(d))
    concept = torch.randn(40, d, generator=gen) + 3.0 * u
    other = torch.randn(40, d, generator=gen)
    other[:, 7] += 3.0  # a concept orthogonal to u
    randoms = [torch.randn(40, d, generator=gen) for _ in range(6)]
    inputs = torch.randn(60, d, generator=gen)
    return net, {"planted": concept, "orthogonal": other}, randoms, inputs


def test_tcav_planted_concept_scores_near_one_and_is_significant() -> None:
    net, concepts, randoms, inputs = _planted()
    res = {r.concept: r for r in TCAV(net, "embed").interpret(inputs, 0, concepts, randoms)}
    assert res["planted"].score >= 0.95 and res["planted"].significant
    assert res["planted"].p_value < 0.05 and res["planted"].cav_accuracy > 0.9
    neg = {r.concept: r for r in TCAV(net, "embed").interpret(inputs, 1, concepts, randoms)}
    assert neg["planted"].score <= 0.05 and neg["planted"].significant


def test_tcav_random_concept_is_not_significant() -> None:
    net, _, randoms, inputs = _planted()
    gen = torch.Generator().manual_seed(9)
    fake = {"noise": torch.randn(40, 16, generator=gen)}
    res = TCAV(net, "embed").interpret(inputs, 0, fake, randoms)[0]
    assert not res.significant and res.p_value > 0.05
    assert len(res.scores) == 6 and len(res.random_scores) == 6


def test_tcav_rejects_bad_input() -> None:
    net, concepts, randoms, inputs = _planted()
    with pytest.raises(DataError):
        TCAV(net, "embed").interpret(inputs, 0, concepts, randoms[:1])
    with pytest.raises(DataError):
        TCAV(net, "embed").interpret(inputs, 2, concepts, randoms)
    with pytest.raises(DataError):
        TCAV(net, "missing")


def test_cav_sign_does_not_depend_on_the_activation_offset() -> None:
    """Anti-correlated activations with an offset: liblinear's penalised intercept must not flip the CAV."""
    gen = torch.Generator().manual_seed(0)
    concept = torch.randn(30, 2, generator=gen) + torch.tensor([4.0, 0.0])
    randoms = [torch.randn(30, 2, generator=gen) for _ in range(4)]
    inputs = torch.randn(20, 2, generator=gen)
    for bias in ([0.59, 0.61], [0.47, 0.38], [0.60, 0.15], [0.34, 0.40], [5.0, 5.0]):
        net = nn.Sequential(nn.Linear(2, 2))
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
            net[0].bias.copy_(torch.tensor(bias))
        res = TCAV(net, "0").interpret(inputs, 0, {"right": concept}, randoms)
        assert res[0].scores == (1.0, 1.0, 1.0, 1.0), bias
