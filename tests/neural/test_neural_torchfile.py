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
