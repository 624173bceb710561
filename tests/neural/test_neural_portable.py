"""Run folders trained on a relative user folder work from any working directory (issue 13, item 6)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from nesyasp.cli import main


def _folder(root: Path, n: int = 10, size: int = 16) -> Path:
    """Two classes (a bright square left or right) with masks of the square, and concepts.txt."""
    rng = np.random.default_rng(0)
    for c, name in enumerate(("left", "right")):
        for k in range(n):
            img = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
            mask = np.zeros((size, size), np.uint8)
            cols = slice(0, size // 2) if c == 0 else slice(size // 2, size)
            img[4:12, cols] = 230
            mask[4:12, cols] = 1
            for sub, arr in (("images", img), ("masks", mask)):
                path = root / sub / name / f"im {k}.png"  # a space: ids carry a hash, as many real names do
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(arr).save(path)
    (root / "concepts.txt").write_text("square\n")
    return root


def test_a_run_on_a_relative_folder_is_used_from_another_directory(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    _folder(project / "my_images")
    monkeypatch.chdir(project)
    assert main(["train", "--data", "my_images", "--size", "16", "--epochs", "1", "--batch-size", "8",
                 "--strategy", "ts3", "--pretrain-epochs", "0", "--out", "runs/r"]) == 0
    cfg = json.loads((project / "runs" / "r" / "config.json").read_text())
    assert cfg["data"] == str((project / "my_images").resolve()) and cfg["data_from_run"] == "../../my_images"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    run = project / "runs" / "r"
    assert main(["extract", str(run)]) == 0
    assert main(["evaluate", str(run), "--json"]) == 0
    assert main(["label", str(run)]) == 0
    assert main(["report", str(run)]) == 0
    capsys.readouterr()
    facts = (run / "facts" / "test.lp").read_text()
    assert "_example(left_im_4_h" in facts  # the folder's ids, as ASP constants
    # the project moved, runs and data together: the path relative to the run folder finds the data
    moved = tmp_path / "moved"
    shutil.move(str(project), str(moved))
    assert main(["evaluate", str(moved / "runs" / "r")]) == 0
    # the data gone: a message that says what to do, not a traceback
    shutil.rmtree(moved / "my_images")
    (moved / "runs" / "r" / "evaluation.json").unlink()
    assert main(["extract", str(moved / "runs" / "r")]) == 1
    err = capsys.readouterr().err
    assert "no such data folder" in err and "edit 'data'" in err and "Traceback" not in err
