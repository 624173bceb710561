"""`nesyasp lth --data FOLDER` on a user's image folder: concept sets from masks or concept folders, never
writing into the folder, and the facts explained by the reasoner."""

from __future__ import annotations

import hashlib
import shutil
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig, PruneConfig, TCAVConfig

torch.set_num_threads(1)

TINY = ["--rounds", "2", "--epochs", "2", "--n-random-sets", "3", "--n-concept", "6", "--n-inputs", "4",
        "--size", "16", "--batch-size", "8", "--gradcam-images", "2", "--no-plots"]


def _folder(root: Path, masks: bool = True, concept_dirs: bool = False, n: int = 10, size: int = 16) -> Path:
    """Class ``discs`` shows a bright disc, ``boxes`` a bright box; masks mark them (concepts disc, box, stripe)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:size, :size]
    for cls, value in (("boxes", 2), ("discs", 1)):
        (root / "images" / cls).mkdir(parents=True)
        if masks:
            (root / "masks" / cls).mkdir(parents=True)
        for i in range(n):
            img = (rng.random((size, size, 3)) * 60).astype(np.uint8)
            cy, cx = rng.integers(5, size - 5, 2)
            shape = ((yy - cy) ** 2 + (xx - cx) ** 2 <= 9) if cls == "discs" else \
                (abs(yy - cy) <= 3) & (abs(xx - cx) <= 3)
            img[shape] = 230
            Image.fromarray(img).save(root / "images" / cls / f"im{i:02d}.png")
            if masks:
                mask = Image.fromarray((shape * value).astype(np.uint8), mode="L")
                mask.save(root / "masks" / cls / f"im{i:02d}.png")
    if masks:
        (root / "concepts.txt").write_text("disc\nbox\nstripe\n")  # stripe: in no mask
    if concept_dirs:
        (root / "concepts" / "bright").mkdir(parents=True)
        for i in range(3):
            bright = Image.fromarray(np.full((size, size, 3), 200 + 10 * i, np.uint8))
            bright.save(root / "concepts" / "bright" / f"{i}.png")
    return root


def _tree_sums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def test_lth_runs_on_a_folder_with_masks_and_never_writes_into_it(tmp_path, capsys, caplog) -> None:
    # `nesyasp lth --data FOLDER` was refused ("invalid choice: choose from 'digits-parity', 'scenes'")
    data = _folder(tmp_path / "my data")
    before = _tree_sums(data)
    out = tmp_path / "run"
    assert main(["lth", "--data", str(data), "--out", str(out), *TINY]) == 0, capsys.readouterr().err
    assert _tree_sums(data) == before
    facts = (out / "facts.lp").read_text()
    assert "tcav(1,discs,disc," in facts and "tcav(0,boxes,box," in facts
    assert "stripe" not in facts and "relevant(" not in facts  # no image shows stripe; a folder names no relevance
    assert "stripe" in caplog.text
    config = json.loads((out / "config.json").read_text())
    assert config["data"] == str(data) and json.loads((out / "metrics.json").read_text())["class_names"] == \
        ["boxes", "discs"]
    # the reasoner explains the exported facts
    capsys.readouterr()
    assert main(["query", str(out / "facts.lp"), "programs/lth.lp", "-q", "pruned_round(R)", "--explain"]) == 0
    text = capsys.readouterr().out
    assert "round 1 is a pruned round, because\n       round 1 keeps 80 percent of the weights" in text, text
    assert main(["query", str(out / "facts.lp"), "programs/lth.lp", "-q", "spurious(R,C,K)"]) == 0
    assert "0 answers" in capsys.readouterr().out


def test_concept_folders_and_the_python_api(tmp_path) -> None:
    from nesyasp.lth.experiments import load_experiment_data
    from nesyasp.lth.runner import run_lth

    data = _folder(tmp_path / "d", masks=False, concept_dirs=True)
    before = _tree_sums(data)
    config = LTHConfig(data=str(data), rounds=2, epochs=1, size=16, batch_size=8, gradcam_images=2,
                       prune=PruneConfig(fraction=0.5), tcav=TCAVConfig(n_concept=4, n_random_sets=2, n_inputs=3))
    assert (config.model_name, config.lr_schedule, config.class_count) == ("cnn", "cosine", 0)
    loaded = load_experiment_data(config)
    assert list(loaded.concepts) == ["bright"] and loaded.concepts["bright"].shape == (4, 3, 16, 16)
    assert loaded.class_names == ("boxes", "discs") and len(loaded.train_labels) == 16  # every 5th image: test
    result = run_lth(config, out=tmp_path / "run", progress=False, plots=False)
    assert [round(r.density, 2) for r in result.rounds] == [1.0, 0.5]
    assert {s.concept for r in result.rounds for s in r.tcav} == {"bright"}
    assert _tree_sums(data) == before


def test_a_folder_without_concept_examples_names_what_is_missing(tmp_path, capsys) -> None:
    data = _folder(tmp_path / "d", masks=False)
    assert main(["lth", "--data", str(data), "--out", str(tmp_path / "run"), *TINY]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"DataError: {data}: no concept examples; TCAV needs examples of each concept: put "
                          f"example images of concept C in {data}/concepts/C/"), err
    assert f"{data}/concepts.txt" in err and "Traceback" not in err
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_mask_concepts_need_two_images(tmp_path, capsys) -> None:
    data = _folder(tmp_path / "d")
    for cls in ("boxes", "discs"):  # masks show nothing
        for m in (data / "masks" / cls).iterdir():
            Image.fromarray(np.zeros((16, 16), np.uint8), mode="L").save(m)
    assert main(["lth", "--data", str(data), "--out", str(tmp_path / "run"), *TINY]) == 1
    assert "the masks show none of the concepts of concepts.txt in 2 training images or more: disc, box, stripe" \
        in capsys.readouterr().err


def test_out_inside_the_data_folder_is_refused(tmp_path, capsys) -> None:
    data = _folder(tmp_path / "d")
    before = _tree_sums(data)
    assert main(["lth", "--data", str(data), "--out", str(data / "lth"), *TINY]) == 1
    assert capsys.readouterr().err == f"DataError: {data / 'lth'}: inside the image folder {data}; give --out a " \
                                      "folder outside it\n"
    from nesyasp.lth.experiments import load_experiment_data
    from nesyasp.lth.runner import LTHRunner

    config = LTHConfig(data=str(data), rounds=1, epochs=1, size=16, tcav=TCAVConfig(n_concept=4, n_random_sets=2))
    with pytest.raises(DataError, match="inside the image folder"):  # the runner itself, given its data
        LTHRunner(config, load_experiment_data(config), out=data / "images" / "x")
    assert _tree_sums(data) == before


@pytest.mark.parametrize("name, message", [
    ("signs", "signs: neither an LTH data set (digits-parity, scenes) nor a data folder"),
    ("nowhere", "nowhere: neither an LTH data set (digits-parity, scenes) nor a data folder"),
])
def test_unknown_data_names_the_choices(tmp_path, monkeypatch, capsys, name, message) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lth", "--data", name, "--out", "run", *TINY]) == 1
    assert capsys.readouterr().err.startswith(f"DataError: {message}")


def test_mask_concept_images_prefers_the_largest_share() -> None:
    from nesyasp.data import ImageSet
    from nesyasp.lth.experiments import mask_concept_images

    masks = np.zeros((3, 2, 4, 4), np.uint16)
    masks[0, 1, :1] = 1   # 4 pixels, in the second layer
    masks[2, 0, :2] = 1   # 8 pixels
    images = np.arange(3, dtype=np.uint8).repeat(48).reshape(3, 4, 4, 3)
    s = ImageSet(images, np.zeros(3, int), ("c",), ("a", "b", "d"), ("dot", "none"), masks)
    assert mask_concept_images(s, "dot", 3)[:, 0, 0, 0].tolist() == [2, 0, 2]
    assert mask_concept_images(s, "none", 3) is None


def test_one_class_is_refused(tmp_path, capsys) -> None:
    # a folder with one class folder ran: 100 % accuracy and TCAV of the only logit
    data = _folder(tmp_path / "d", concept_dirs=True)
    for p in (data / "images" / "boxes").iterdir():
        p.unlink()
    (data / "images" / "boxes").rmdir()
    assert main(["lth", "--data", str(data), "--out", str(tmp_path / "run"), *TINY]) == 1
    assert capsys.readouterr().err.startswith("DataError: 1 class (discs): a network with one class has nothing "
                                              "to tell apart")


def test_a_run_folder_given_as_data_names_the_image_folder(tmp_path, capsys) -> None:
    # it said "no class folders (expected run/<class>/<image>)"
    run = tmp_path / "trained"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"data": "/somewhere/my images"}))
    (run / "checkpoint.pt").write_bytes(b"")
    assert main(["lth", "--data", str(run), "--out", str(tmp_path / "run"), *TINY]) == 1
    assert capsys.readouterr().err == (f"DataError: {run}: a run folder of 'nesyasp train', not an image folder: "
                                       "give the image folder it was trained on, --data '/somewhere/my images'\n")
    lth_run = tmp_path / "pruned"
    (lth_run / "checkpoints").mkdir(parents=True)
    (lth_run / "checkpoints" / "round_0.pt").write_bytes(b"")
    assert main(["lth", "--data", str(lth_run), "--out", str(tmp_path / "run"), *TINY]) == 1
    assert f"{lth_run}: a run folder of 'nesyasp lth', not an image folder" in capsys.readouterr().err


def test_resume_refuses_a_folder_that_changed(tmp_path, capsys) -> None:
    # resuming after an image was removed went on silently (rounds trained on different images), and after
    # a class was added it said to delete round 0's checkpoint
    data = _folder(tmp_path / "d", concept_dirs=True, masks=False)
    out = tmp_path / "run"
    argv = ["lth", "--data", str(data), "--out", str(out), *TINY]
    assert main(argv) == 0
    (out / "checkpoints" / "round_1.pt").unlink()  # as if stopped during round 1
    removed = data / "images" / "discs" / "im09.png"
    kept = removed.read_bytes()
    removed.unlink()
    capsys.readouterr()
    assert main([*argv, "--resume"]) == 1
    assert "the images (or concept sets) differ from those the run was made on (did the folder" in \
        capsys.readouterr().err
    (data / "images" / "cones").mkdir()
    (data / "images" / "cones" / "a.png").write_bytes(kept)
    for k in range(4):
        (data / "images" / "cones" / f"b{k}.png").write_bytes(kept)
    assert main([*argv, "--resume"]) == 1
    assert "the run was made on the classes boxes, discs; the data now has boxes, cones, discs" in \
        capsys.readouterr().err
    shutil.rmtree(data / "images" / "cones")
    removed.write_bytes(kept)
    assert main([*argv, "--resume"]) == 0 and (out / "checkpoints" / "round_1.pt").is_file()
