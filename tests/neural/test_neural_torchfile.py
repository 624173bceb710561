"""Users' torch files (--weights, checkpoints): refused with one clear line, and never run."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from nesyasp.errors import DataError  # noqa: E402
from nesyasp.neural.models import build_model, load_weights  # noqa: E402
from nesyasp.neural.torchfile import load_torch_file  # noqa: E402


def _touch(path: str) -> str:
    Path(path).write_text("the file's code ran")
    return path


class Payload:
    """Unpickling it would write a file: torch.load(weights_only=True) must refuse it instead."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (_touch, (self.path,))


def test_a_file_with_pickled_objects_is_refused_without_running_them(tmp_path):
    net = build_model("small", 3)
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.pt"
    torch.save({"model": net.state_dict(), "extra": Payload(marker)}, evil)
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(Payload(marker)))
    whole = tmp_path / "whole.pt"
    torch.save(net, whole)  # the module object, not its state dict
    for path, name in ((evil, "_touch"), (raw, ""), (whole, "SmallCNN")):
        with pytest.raises(DataError) as err:
            load_weights(build_model("small", 3), path)
        message = str(err.value)
        assert message.startswith(f"{path}: not a torch weights file that nesyasp can read: it holds pickled Python "
                                  "objects"), message
        assert name in message and "weights_only=True" in message and "state_dict()" in message
        assert "weights_only=False" not in message and "\n" not in message
    assert not marker.exists()


def test_truncated_empty_foreign_and_folder_files_say_what_is_wrong(tmp_path):
    good = tmp_path / "good.pt"
    torch.save(build_model("small", 3).state_dict(), good)
    cut = tmp_path / "cut.pt"
    cut.write_bytes(good.read_bytes()[:2000])
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    text = tmp_path / "notes.pt"
    text.write_text("hello\n")
    cases = [(cut, "truncated or damaged"), (empty, "ends too early"), (text, "not written by torch.save"),
             (tmp_path, "a folder, not a checkpoint"), (tmp_path / "none.pt", "checkpoint not found")]
    for path, needle in cases:
        with pytest.raises(DataError, match=needle) as err:
            load_torch_file(path, "checkpoint")
        assert "\n" not in str(err.value) and len(str(err.value)) < 400
    assert set(load_torch_file(good)) == set(build_model("small", 3).state_dict())


def _same(a: torch.nn.Module, b: dict) -> bool:
    return all(torch.equal(v, b[k]) for k, v in a.state_dict().items())


def test_wrapped_state_dicts_and_checkpoints_load_as_the_plain_state_dict(tmp_path):
    """DataParallel's ``module.``, torch.compile's ``_orig_mod.``, a wrapper's ``model.``, and checkpoints holding
    the state dict under ``state_dict`` or ``model_state_dict`` were refused ("weights do not fit", "not a state
    dict of tensors")."""
    state = build_model("small", 3, seed=7).state_dict()
    files = {"module.pt": {f"module.{k}": v for k, v in state.items()},
             "compiled.pt": {f"_orig_mod.{k}": v for k, v in state.items()},
             "ddp_of_wrapper.pt": {f"module.model.{k}": v for k, v in state.items()},
             "lightning.pt": {"state_dict": {f"model.{k}": v for k, v in state.items()}, "epoch": 3},
             "tutorial.pt": {"model_state_dict": state, "optimizer_state_dict": {}, "epoch": 3},
             "other_classes.pt": {"state_dict": build_model("small", 7, seed=7).state_dict()}}
    for name, content in files.items():
        torch.save(content, tmp_path / name)
        net = build_model("small", 3, seed=0)
        load_weights(net, tmp_path / name)
        body = {k: v for k, v in state.items() if not k.startswith("classifier.")}
        assert _same(net, state) if name != "other_classes.pt" else \
            all(torch.equal(net.state_dict()[k], v) for k, v in body.items()), name
    torch.save({"state_dict": {"epoch": 3}}, tmp_path / "odd.pt")
    with pytest.raises(DataError, match="odd.pt: not a state dict of tensors .* nor a checkpoint holding one under "
                                        "'model', 'state_dict', 'model_state_dict'"):
        load_weights(build_model("small", 3), tmp_path / "odd.pt")


def test_another_models_weights_are_named_in_the_message(tmp_path):
    pytest.importorskip("torchvision")
    torch.save({"module." + k: v for k, v in build_model("small", 5).state_dict().items()}, tmp_path / "s.pt")
    with pytest.raises(DataError, match=r"s.pt: weights do not fit the model; the file holds small weights, not "
                                        r"resnet18 \(--model small\) \(missing: conv1.weight"):
        load_weights(build_model("resnet18", 3), tmp_path / "s.pt")
    torch.save({"x": torch.zeros(2)}, tmp_path / "x.pt")
    with pytest.raises(DataError, match=r"x.pt: weights do not fit the model \(missing"):
        load_weights(build_model("small", 3), tmp_path / "x.pt")


def test_vgg16_weights_in_a_checkpoint_dict_decide_the_architecture_as_a_plain_state_dict(tmp_path):
    """``nesyasp pretrain --model vgg16 --out b.pt`` writes ``{"model": vgg16_bn state, "info": ...}``;
    ``train --model vgg16 --weights b.pt`` took it for a plain VGG16 (no BatchNorm keys at the top) and failed."""
    from nesyasp.neural.models import resolve_model

    bn = {"features.0.weight": torch.zeros(1), "features.1.running_mean": torch.zeros(1)}
    for name, content in (("plain.pt", bn), ("backbone.pt", {"model": bn, "info": "{}"}),
                          ("lightning.pt", {"state_dict": {f"module.{k}": v for k, v in bn.items()}})):
        torch.save(content, tmp_path / name)
        assert resolve_model("vgg16", tmp_path / name) == "vgg16_bn", name
    torch.save({"model": {"features.0.weight": torch.zeros(1)}, "info": "{}"}, tmp_path / "imagenet.pt")
    assert resolve_model("vgg16", tmp_path / "imagenet.pt") == "vgg16"
    torch.save(bn, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)  # torch < 1.6's format
    assert resolve_model("vgg16", tmp_path / "legacy.pt") == "vgg16_bn"


def test_a_state_dict_without_batchnorm_step_counters_loads_as_torch_loads_it(tmp_path):
    """Files saved before torch 0.4.1 (torchvision's ImageNet ResNets among them) hold no
    ``num_batches_tracked``; torch's strict ``load_state_dict`` takes them, nesyasp called them missing."""
    state = build_model("small", 3, seed=3).state_dict()
    old = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    assert len(old) < len(state)
    torch.save(old, tmp_path / "old.pt")
    net = build_model("small", 3, seed=0)
    load_weights(net, tmp_path / "old.pt")
    assert all(torch.equal(net.state_dict()[k], v) for k, v in old.items())


def test_files_of_other_tools_are_named_not_called_pickles(tmp_path):
    """A numpy .npy or an HDF5 (Keras) file was refused as 'it holds pickled Python objects' with advice to
    save a state dict of it: wrong on both counts."""
    import numpy as np

    np.save(tmp_path / "a.npy", np.zeros(3))
    (tmp_path / "k.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    for name, needle in (("a.npy", "it is a numpy array file"), ("k.h5", "it is an HDF5 file")):
        with pytest.raises(DataError, match=needle) as err:
            load_weights(build_model("small", 3), tmp_path / name)
        assert "pickled" not in str(err.value)
