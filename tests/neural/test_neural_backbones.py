"""Backbones: the generic corpus backbone and its cache, per-model defaults, uint8 data, torchvision weights."""

from __future__ import annotations

import dataclasses
import math
import sys

import pytest
import torch

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.neural import backbones
from nesyasp.neural.backbones import cache_path, generic_backbone, generic_config, read_backbone
from nesyasp.neural.config import TrainConfig, strategy
from nesyasp.neural.models import FeatureModel, build_model, head_of, load_weights, scale_pixels
from nesyasp.neural.train import train


@pytest.fixture
def tiny_corpus(monkeypatch, tmp_path):
    """Two corpus images per class and a cache folder of the test's own."""
    monkeypatch.setattr(backbones, "GENERIC_PER_CLASS", 2)
    monkeypatch.setattr(backbones, "_MEMO", {})
    monkeypatch.setenv("NESYASP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_pretrain_caches_the_generic_backbone_and_train_uses_it(tiny_corpus, toy_splits, capsys):
    assert main(["pretrain", "--size", "16", "--epochs", "1"]) == 0
    cached = cache_path(generic_config("small", 16, 1))
    assert cached.is_file() and cached.parent == tiny_corpus / "backbones"
    assert f"wrote {cached}" in capsys.readouterr().out
    assert main(["pretrain", "--size", "16", "--epochs", "1", "--out", str(tiny_corpus.parent / "b.pt")]) == 0
    assert "the cache already holds this backbone" in capsys.readouterr().out
    state = read_backbone(cached)
    assert torch.equal(state["features.conv1.weight"], read_backbone(tiny_corpus.parent / "b.pt")["features.conv1.weight"])
    cfg = dataclasses.replace(TrainConfig(data="toy", classes=3, size=16, epochs=1, batch_size=8, seed=3,
                                          strategy=strategy("ce")), pretrain="generic", pretrain_epochs=1)
    started = train(dataclasses.replace(cfg, lr=1e-12), None, splits=toy_splits, progress=False)
    assert torch.allclose(started.model.model.features.conv1.weight, state["features.conv1.weight"], atol=1e-6)
    assert started.model.model.classifier.weight.shape == (3, 64)  # a fresh head for the task's 3 classes


def test_without_a_cache_the_same_weights_are_trained_in_memory(tiny_corpus, toy_splits):
    cfg = TrainConfig(size=16, pretrain="generic", pretrain_epochs=1)
    built = generic_backbone(cfg, train, progress=False)
    assert not (tiny_corpus / "backbones").exists()  # nothing written without nesyasp pretrain
    backbones._MEMO.clear()
    again = generic_backbone(cfg, train, progress=False)
    assert built.keys() == again.keys() and all(torch.equal(built[k], again[k]) for k in built)


def test_pretrain_refuses_to_write_nothing(tiny_corpus, capsys):
    assert main(["pretrain", "--size", "16", "--no-cache"]) == 1
    assert "name a file with --out" in capsys.readouterr().err
    out = tiny_corpus.parent / "zero.pt"  # --per-class 0 trained the default 100 per class and wrote the file
    assert main(["pretrain", "--size", "16", "--no-cache", "--per-class", "0", "--out", str(out)]) == 1
    assert "DataError: --per-class must be >= 1, got 0" in capsys.readouterr().err and not out.exists()


def test_uint8_pixels_train_exactly_like_scaled_floats(toy_splits, make_config):
    floats = toy_splits
    pixels = tuple(dataclasses.replace(s, x=torch.round((s.x * 0.25 + 0.5) * 255).to(torch.uint8)) for s in floats)
    assert pixels[0].x.dtype == torch.uint8 and torch.equal(scale_pixels(pixels[0].x), floats[0].x)
    a = train(make_config("ts3", epochs=2), None, splits=floats, progress=False)
    b = train(make_config("ts3", epochs=2), None, splits=pixels, progress=False)
    assert [h["loss"] for h in a.history] == [h["loss"] for h in b.history]
    assert torch.equal(a.thresholds, b.thresholds)


def test_warmup_raises_the_learning_rate_over_the_first_epoch(toy_splits, make_config):
    seen = []
    cfg = dataclasses.replace(make_config("ce", epochs=2), lr=0.01, lr_warmup=1, optimizer="sgd")
    original = torch.optim.SGD.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.SGD.step = spy
    try:
        result = train(cfg, None, splits=toy_splits, progress=False)
    finally:
        torch.optim.SGD.step = original
    steps = math.ceil(len(toy_splits[0]) / cfg.batch_size)
    assert seen[:steps] == pytest.approx([0.01 * (0.1 + 0.9 * (s + 1) / steps) for s in range(steps)])
    assert seen[steps:] == pytest.approx([0.01 * 0.5 * (1 + math.cos(math.pi / 2))] * steps)
    assert [h["lr"] for h in result.history] == pytest.approx([0.01, 0.005])


def _torchvision_state(tvm, name: str) -> dict[str, torch.Tensor]:
    """A state dict saved from a freshly built torchvision model (1000-class head), filled with cheap
    distinct constants instead of 138M random draws."""
    with torch.device("meta"):
        model = getattr(tvm, name)(weights=None)
    model = model.to_empty(device="cpu")
    for k, tensor in enumerate(model.state_dict().values()):
        tensor.fill_(k % 7 + 1)
    return model.state_dict()


def _load_torchvision(tmp_path, name: str, head: str) -> torch.nn.Module:
    tvm = pytest.importorskip("torchvision.models")
    path = tmp_path / f"{name}.pt"
    torch.save(_torchvision_state(tvm, name), path)
    theirs = torch.load(path, weights_only=True)
    net = build_model(name, n_classes=3, seed=1)
    load_weights(net, path)
    ours = net.state_dict()
    assert ours.keys() == theirs.keys()
    assert ours[f"{head}.weight"].shape[0] == 3 and theirs[f"{head}.weight"].shape[0] == 1000
    assert all(torch.equal(ours[k], theirs[k]) for k in ours if not k.startswith(head + "."))
    assert not torch.equal(ours[f"{head}.bias"], theirs[f"{head}.bias"][:3])  # the head stays fresh
    return net


def test_a_torchvision_resnet18_state_dict_loads_with_a_fresh_head(tmp_path):
    _load_torchvision(tmp_path, "resnet18", "fc")
    with torch.device("meta"):  # the layout only
        bn = build_model("vgg16_bn", 3)
    assert FeatureModel(bn).layer == "features.43" and isinstance(bn.features[43], torch.nn.MaxPool2d)
    torch.save({k: v for k, v in _torchvision_state(pytest.importorskip("torchvision.models"), "resnet18").items()},
               tmp_path / "r.pt")
    with pytest.raises(DataError, match="weights do not fit"):
        load_weights(bn, tmp_path / "r.pt")


def test_vgg_has_a_gap_head_and_takes_torchvision_features_without_their_head(tmp_path):
    """VGGs train with one linear layer on pooled features; a file with torchvision's head loads its features."""
    net = build_model("vgg16_bn", 3, seed=0)
    assert isinstance(net.classifier, torch.nn.Linear) and net.classifier.in_features == 512
    assert head_of(net.state_dict()) == "gap"
    assert isinstance(build_model("vgg16", 3, head="torchvision").classifier, torch.nn.Sequential)
    theirs = {k: torch.randn_like(v) if v.is_floating_point() else v
              for k, v in net.state_dict().items() if not k.startswith("classifier.")}
    theirs |= {"classifier.0.weight": torch.zeros(8, 512), "classifier.0.bias": torch.zeros(8),
               "classifier.6.weight": torch.zeros(1000, 8), "classifier.6.bias": torch.zeros(1000)}
    assert head_of(theirs) == "torchvision"
    torch.save(theirs, tmp_path / "imagenet.pt")
    fresh = net.classifier.weight.detach().clone()
    load_weights(net, tmp_path / "imagenet.pt")
    ours = net.state_dict()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours if not k.startswith("classifier."))
    assert torch.equal(net.classifier.weight, fresh)
    logits, maps = FeatureModel(net)(torch.zeros(2, 3, 32, 32, dtype=torch.uint8))
    assert tuple(logits.shape) == (2, 3) and tuple(maps.shape) == (2, 512, 1, 1)


@pytest.mark.slow
def test_a_torchvision_vgg16_state_dict_loads_for_the_papers_setup(tmp_path):
    """torchvision's real VGG16 layout (528 MB): its features load, its 1000-class head is left out."""
    tvm = pytest.importorskip("torchvision.models")
    torch.save(_torchvision_state(tvm, "vgg16"), tmp_path / "vgg16.pt")
    theirs = torch.load(tmp_path / "vgg16.pt", weights_only=True)
    net = build_model("vgg16", n_classes=3, seed=1)
    load_weights(net, tmp_path / "vgg16.pt")
    assert all(torch.equal(v, theirs[k]) for k, v in net.state_dict().items() if k.startswith("features."))
    _, maps = FeatureModel(net, "features.30")(torch.zeros(1, 3, 64, 64, dtype=torch.uint8))
    assert tuple(maps.shape) == (1, 512, 2, 2)


def test_bf16_autocast_trains_and_leaves_statistics_in_fp32(toy_splits, make_config):
    from nesyasp.neural.runtime import data_on_device, use_amp

    cfg = dataclasses.replace(make_config("ts3", epochs=1), precision="bf16")
    result = train(cfg, None, splits=toy_splits, progress=False)
    assert result.thresholds.dtype == torch.float32 and math.isfinite(result.history[0]["loss"])
    cpu = torch.device("cpu")
    assert use_amp(cfg, cpu) and not use_amp(make_config("ts3"), cpu)  # auto: never on the CPU
    assert data_on_device(toy_splits[0], cpu) is toy_splits[0]          # the CPU path leaves the data alone


def test_a_torchvision_model_without_torchvision_names_the_extra(monkeypatch):
    from nesyasp.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.setitem(sys.modules, "torchvision.models", None)
    with pytest.raises(MissingDependencyError, match=r"model resnet18 needs torchvision.*nesyasp\[neural\]"):
        build_model("resnet18", 3)
    assert isinstance(build_model("small", 3), torch.nn.Module)  # the default model needs no torchvision
