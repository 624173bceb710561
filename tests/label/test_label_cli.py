"""``nesyasp label`` and ``nesyasp report`` on a tiny trained run (no data package needed)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nesyasp.cli import main  # noqa: E402
from nesyasp.label import run as label_run_mod  # noqa: E402
from nesyasp.label.run import annotated_set  # noqa: E402
from nesyasp.lang.ast import is_identifier  # noqa: E402

from .conftest import trained_planted_run  # noqa: E402


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, planted_factory):
    """A TS3 run trained for two epochs on planted images, extracted and evaluated."""
    out = tmp_path_factory.mktemp("runs") / "ts3"
    trained_planted_run(out, planted_factory, test_per_class=4)
    return out


@pytest.fixture()
def planted_annotations(monkeypatch, planted_factory):
    monkeypatch.setattr(label_run_mod, "load_annotated",
                        lambda run, split="test", masks=None, per_class=None:
                        annotated_set(planted_factory(4, seed=1), "planted test images"))


def test_label_then_report(run_dir, planted_annotations, capsys):
    assert main(["label", str(run_dir), "--top-m", "3", "--margin", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "labelled" in out and "planted test images" in out
    data = json.loads((run_dir / "labels.json").read_text(encoding="utf-8"))
    assert data["config"]["top_m"] == 3 and data["config"]["margin"] == 0.1
    assert data["config"]["norm"] == "fro"  # the run's filter norm by default
    assert data["config"]["score"] == "iou"
    assert data["filters"] and all(is_identifier(f["label"]) for f in data["filters"].values())
    assert all((run_dir / f["scores_picture"]).is_file() for f in data["filters"].values())
    assert (run_dir / "labelled_rules.lp").is_file() and (run_dir / "pictures" / "top_filters.png").is_file()
    labelled = (run_dir / "labelled_rules.lp").read_text(encoding="utf-8")
    assert not re.search(r"\bf\d+\(", labelled)  # every filter predicate was renamed
    assert labelled.count("#pred") >= len(data["filters"])

    assert main(["report", str(run_dir), "--examples", "2"]) == 0
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"(?:https?|ftp|file):", page, re.IGNORECASE)  # no URL (base64 has no ":")
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r"src='([^']*)'", page))
    assert page.count("<img ") == 1 + len(data["filters"])
    assert "NeSy accuracy" in page and "Example justifications" in page


def test_label_with_a_masks_folder(run_dir, planted_factory, tmp_path, capsys):
    from PIL import Image

    data = planted_factory(3, seed=2)
    for i, (img, m) in enumerate(zip(data.images, data.masks)):
        cls = data.class_names[data.labels[i]]
        for sub in ("images", "masks"):
            (tmp_path / "ann" / sub / cls).mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(tmp_path / "ann" / "images" / cls / f"p{i}.png")
        value = (np.arange(1, len(data.concept_names) + 1)[:, None, None] * m).max(0).astype(np.uint8)
        Image.fromarray(value, mode="L").save(tmp_path / "ann" / "masks" / cls / f"p{i}.png")
    (tmp_path / "ann" / "concepts.txt").write_text("\n".join(data.concept_names) + "\n", encoding="utf-8")
    assert main(["label", str(run_dir), "--masks", str(tmp_path / "ann"), "--no-pictures", "--ignore", "floor",
                 "--score", "mass"]) == 0
    out = capsys.readouterr().out
    assert "(6 images)" in out and "score: mass" in out
    saved = json.loads((run_dir / "labels.json").read_text(encoding="utf-8"))
    assert saved["config"]["ignore"] == ["floor"] and saved["config"]["score"] == "mass"
    assert not any("floor" in f["concepts"] for f in saved["filters"].values())
    assert saved["annotated"]["concepts"] == list(data.concept_names)
    # ids of the annotated folder: class folder and file stem (nesyasp.data.ids)
    assert all(re.fullmatch(r"[ab]_p\d", t) for f in saved["filters"].values() for t in f["top_images"])
    assert main(["label", str(run_dir), "--masks", str(tmp_path / "nope")]) == 1
    assert main(["label", str(run_dir), "--masks", str(tmp_path / "ann" / "images")]) == 1
    err = capsys.readouterr().err
    assert "no such masks folder" in err and "no masks/ folder" in err


def test_a_masks_folder_with_split_folders_keeps_the_ids_training_gave(tmp_path):
    from PIL import Image

    from nesyasp.data import load_dataset
    from nesyasp.label.run import _mask_folder

    for split in ("train", "test"):
        for cls in ("a", "b"):
            for sub in ("images", "masks"):
                (tmp_path / sub / split / cls).mkdir(parents=True)
            Image.new("RGB", (8, 8)).save(tmp_path / "images" / split / cls / "p0.png")
            Image.new("L", (8, 8)).save(tmp_path / "masks" / split / cls / "p0.png")
    (tmp_path / "concepts.txt").write_text("ear\n")
    annotated = _mask_folder(tmp_path, "test", None, 8)
    assert annotated.ids == ("test_a_p0", "test_b_p0") == load_dataset(str(tmp_path), "test", size=8).ids


def test_bad_input_exits_1_without_traceback(tmp_path, run_dir, planted_annotations, capsys):
    assert main(["label", str(tmp_path / "nope")]) == 1
    assert main(["label", str(run_dir), "--margin", "2"]) == 1
    assert main(["label", str(run_dir), "--per-class", "0"]) == 1
    assert main(["report", str(tmp_path)]) == 1
    assert main(["report", str(run_dir), "--examples", "-1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert err.count("DataError: ") == 5
    assert "no such run folder" in err and "margin must lie in [0, 1]" in err and "not a run folder" in err


def test_report_on_broken_run_files_and_a_non_html_output(tmp_path, run_dir, capsys):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    config = run / "config.json"
    before = config.read_bytes()
    assert main(["report", str(run), "-o", str(config), "--examples", "0"]) == 1
    assert "name the file *.html" in capsys.readouterr().err
    assert config.read_bytes() == before
    for name, content, needle in [("evaluation.json", b'"x"', "expected a JSON object, found str"),
                                  ("config.json", b"[1]", "expected a JSON object, found list"),
                                  ("rules.lp", b"\xff a.\n", "not UTF-8 text")]:
        saved = (run / name).read_bytes()
        (run / name).write_bytes(content)
        assert main(["report", str(run), "--examples", "0"]) == 1
        err = capsys.readouterr().err
        assert "Error: " in err and "internal error" not in err and f"{run / name}: " in err and needle in err, err
        (run / name).write_bytes(saved)


def test_commands_do_not_import_torch():
    code = ("import sys; from nesyasp.cli import build_parser; build_parser();"
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
