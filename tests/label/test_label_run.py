"""Labelling a run through a CNN with hand-set weights, on synthetic images with planted objects."""

from __future__ import annotations

import base64
import json
import re
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nesyasp.lang import parse_file, parse_program  # noqa: E402
from nesyasp.errors import DataError  # noqa: E402
from nesyasp.label.files import read_labels  # noqa: E402
from nesyasp.label.run import annotated_set, label_run, write_labels  # noqa: E402
from nesyasp.label.runreport import run_report, write_run_report  # noqa: E402
from nesyasp.label.scores import LabelConfig  # noqa: E402
from nesyasp.neural.config import TrainConfig  # noqa: E402
from nesyasp.neural.models import FeatureModel  # noqa: E402
from nesyasp.neural.run import Run  # noqa: E402

RULES = """\
target(X,a) :- f0(X), f1(X).
target(X,b) :- f3(X), not f2(X).
"""


class PlantedNet(nn.Module):
    """1x1 conv on the scaled pixels: filters 0 and 1 fire on red, 2 never, 3 on blue; 4x4 average pool."""

    def __init__(self) -> None:
        super().__init__()
        conv = nn.Conv2d(3, 4, 1)
        with torch.no_grad():
            conv.weight.zero_()
            conv.weight[0, 0] = 1.0
            conv.weight[1, 0] = 2.0
            conv.weight[3, 2] = 1.0
            conv.bias.copy_(torch.tensor([-1.0, -2.0, -1.0, -1.0]))
        self.features = nn.Sequential(OrderedDict(conv=conv, relu=nn.ReLU(), pool=nn.AvgPool2d(4)))
        self.head = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean((2, 3)))


def _make_run(path) -> Run:
    (path / "rules.lp").write_text(RULES, encoding="utf-8")
    (path / "facts").mkdir()
    (path / "facts" / "test.lp").write_text(
        "_example(img_000). f0(img_000). f1(img_000).\n_example(img_006). f3(img_006).\n", encoding="utf-8")
    model = FeatureModel(PlantedNet(), "features.pool")
    return Run(path, TrainConfig(), model.eval(), ("a", "b"), None, None, 0)


@pytest.fixture()
def run(tmp_path) -> Run:
    return _make_run(tmp_path)


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, planted_factory):
    run = _make_run(tmp_path_factory.mktemp("run"))
    return label_run(run, annotated_set(planted_factory(), "planted"), program=parse_program(RULES))


@pytest.fixture(scope="module")
def written(labelled, tmp_path_factory):
    """The run folder after write_labels (pictures drawn once for the module)."""
    path = tmp_path_factory.mktemp("written")
    run = _make_run(path)
    return run, write_labels(labelled, run.path)


def test_cnn_filter_on_planted_object_is_labelled_with_it(labelled):
    assert labelled.records[0].concepts == ("obj",)
    assert labelled.records[0].scores["obj"] > 0.9
    assert labelled.records[3].concepts == ("lamp",)
    # the most activating images of the red filter are the six that hold the red object (class a)
    assert sorted(labelled.records[0].top_images[:6]) == list(range(6))


def test_two_cnn_filters_on_the_same_object_get_obj1_obj2(labelled):
    assert labelled.names[0] == "obj1" and labelled.names[1] == "obj2"
    assert str(labelled.labelled.program).splitlines()[-2:] == [
        "target(X,a) :- obj1(X), obj2(X).", "target(X,b) :- lamp1(X), not unlabelled_f2(X)."]


def test_silent_cnn_filter_gets_fallback_name(labelled):
    assert labelled.records[2].concepts == () and labelled.names[2] == "unlabelled_f2"
    assert "#pred unlabelled_f2(X) :: 'filter 2 (no labelled concept) is active in @(X)'." in \
        str(labelled.labelled.program)
    assert labelled.labelled.mapping == {"obj1": 0, "obj2": 1, "lamp1": 3, "unlabelled_f2": 2}


def test_class_top_filters(labelled):
    assert labelled.class_filters == {"a": 0, "b": 3}


def test_write_and_read_labels(written, labelled):
    run, written = written
    names = {p.relative_to(run.path).as_posix() for p in written}
    assert {"labelled_rules.lp", "labels.json", "pictures/top_filters.png", "pictures/f0_scores.png",
            "pictures/f2_scores.png", "facts/test_labelled.lp"} <= names
    assert all(p.is_file() for p in written)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written if p.suffix == ".png")
    assert parse_file(run.path / "labelled_rules.lp") == labelled.labelled.program
    saved = read_labels(run.path)
    assert saved.names == labelled.names and saved.concepts[0] == ("obj",)
    assert saved.class_top_filters == {"a": 0, "b": 3}
    data = json.loads((run.path / "labels.json").read_text(encoding="utf-8"))
    assert data["filters"]["0"]["top_images"][0].startswith("img_00")
    assert data["annotated"]["concepts"] == ["obj", "lamp", "floor"]
    assert (run.path / "facts" / "test_labelled.lp").read_text(encoding="utf-8") == \
        "_example(img_000).\nobj1(img_000).\nobj2(img_000).\n_example(img_006).\nlamp1(img_006).\n"


def _referenced(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)['"]""", page)


def test_report_is_self_contained_and_every_image_exists(written, labelled):
    run, _ = written
    path = write_run_report(run.path)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"(?:https?|ftp|file):", page, re.IGNORECASE)  # no URL (base64 has no ":")
    refs = _referenced(page)
    saved = read_labels(run.path)
    assert len(refs) == len(saved.pictures) == 1 + len(labelled.records)
    for ref, rel in zip(refs, saved.pictures.values()):
        assert ref.startswith("data:image/png;base64,")
        assert (run.path / rel).is_file()
        assert base64.b64decode(ref.split(",", 1)[1]) == (run.path / rel).read_bytes()
    assert "target(X,a) :- f0(X), f1(X)." in page and "target(X,a) :- obj1(X), obj2(X)." in page


def test_report_justifies_in_concept_words(written):
    run, _ = written
    content = run_report(run.path, n_examples=2)
    titles = [t for t, _ in content.justifications]
    assert titles == ["?- target(img_000,X).  answer target(img_000,a)",
                      "?- target(img_006,X).  answer target(img_006,b)"]
    text = content.justifications[0][1]
    assert "an obj (obj1) is visible in img_000" in text and "MODEL: {target(img_000,a)" in text
    assert "there is no evidence that filter 2 (no labelled concept) is active in img_006" in \
        content.justifications[1][1]


def test_facts_of_new_images_raw_and_labelled(run, labelled, planted_factory):
    from nesyasp.label.run import image_facts_of_run
    from nesyasp.reason import Reasoner, render_text

    (run.path / "tables").mkdir()
    (run.path / "tables" / "binarization.json").write_text(
        json.dumps({"norm": "fro", "thresholds": [0.1] * 4}), encoding="utf-8")
    data = planted_factory(1, seed=5)  # one red-object image, one blue-object image
    raw = image_facts_of_run(run, data.images, ["new_a", "new_b"])
    assert str(raw) == "_example(new_a).\nf0(new_a).\nf1(new_a).\n_example(new_b).\nf3(new_b).\n"
    facts = image_facts_of_run(run, data.images, ["new_a", "new_b"], labelled.names)
    assert str(facts) == "_example(new_a).\nobj1(new_a).\nobj2(new_a).\n_example(new_b).\nlamp1(new_b).\n"
    reasoner = Reasoner(labelled.labelled.program, facts)
    ((atom, _, node),) = reasoner.explain_query("target(new_b,X)")
    assert atom == "target(new_b,b)"
    assert "a lamp is visible in new_b" in render_text(node, reasoner.translation.preds)
    with pytest.raises(DataError, match="2 images but 1 ids"):
        image_facts_of_run(run, data.images, ["x"])


def test_report_of_unlabelled_run_shows_raw_rules(run):
    content = run_report(run.path, n_examples=1)
    assert content.raw_rules == RULES and not content.labelled_rules and not content.pictures
    assert "'f0' holds (for img_000)" in content.justifications[0][1]


def test_report_needs_rules(tmp_path):
    with pytest.raises(DataError, match="no rules.lp"):
        run_report(tmp_path)
    with pytest.raises(DataError, match="no such run folder"):
        run_report(tmp_path / "nope")


def test_run_without_filters_or_masks_is_a_data_error(run, planted_factory):
    with pytest.raises(DataError, match="no filter predicate"):
        label_run(run, annotated_set(planted_factory()), program=parse_program("target(X,a) :- ab1(X)."))
    no_masks = SimpleNamespace(images=np.zeros((1, 4, 4, 3), np.uint8), labels=[0], class_names=("a",),
                               ids=["x"], concept_names=())
    with pytest.raises(DataError, match="no concept masks"):
        annotated_set(no_masks)
    with pytest.raises(DataError, match="cannot ignore 'sky'"):
        label_run(run, annotated_set(planted_factory()), LabelConfig(ignore=("sky",)), program=parse_program(RULES))
    with pytest.raises(DataError, match="layer has 4 filters"):
        label_run(run, annotated_set(planted_factory()), program=parse_program("target(X,a) :- f9(X)."))


def test_report_shows_no_absolute_path_and_the_classes_the_run_read(written, tmp_path):
    # a run on a user's folder showed "data /home/.../my images", "labelled on /home/..." and "classes 0"
    import shutil

    run, _ = written
    folder = tmp_path / "run"
    shutil.copytree(run.path, folder)
    data = tmp_path / "secret home" / "my images"
    cfg = {"data": str(data), "classes": 0, "per_class": 300, "size": 16, "strategy": {"name": "TS3"}}
    (folder / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    labels["annotated"]["source"] = f"{data} (test split, 2 images)"
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    (folder / "tables").mkdir(exist_ok=True)
    np.savez(folder / "tables" / "train.npz", values=np.zeros((3, 4), np.uint8), labels=np.array([0, 0, 1]),
             ids=np.array(["i0", "i1", "i2"]), class_names=np.array(['<b>&"\'x', "café ☕"]))
    page = write_run_report(folder, n_examples=0).read_text(encoding="utf-8")
    assert str(tmp_path) not in page and "secret home" not in page
    assert "<th>data</th><td>my images</td>" in page
    assert "<th>labelled on</th><td>my images (test split, 2 images)</td>" in page
    assert "<th>classes</th><td>2: &lt;b&gt;&amp;&quot;&#x27;x, café ☕</td>" in page
    assert "<th>training images per class</th><td>1 to 2 (3 in all)</td>" in page


def test_report_after_extracting_again_relabels_the_new_rules_and_says_so(written, tmp_path):
    # the report showed the old labelled_rules.lp beside the new rules.lp and justified with the old rules
    import shutil

    run, _ = written
    assert "<th>labels</th>" not in write_run_report(run.path, tmp_path / "fresh.html").read_text(encoding="utf-8")
    folder = tmp_path / "run"
    shutil.copytree(run.path, folder)
    (folder / "rules.lp").write_text("target(X,a) :- f1(X).\ntarget(X,b) :- f3(X), not f5(X).\n", encoding="utf-8")
    content = run_report(folder, n_examples=1)
    assert "target(X,a) :- obj2(X)." in content.labelled_rules
    assert "target(X,b) :- lamp1(X), not f5(X)." in content.labelled_rules
    assert content.summary["labels"].startswith("labelled_rules.lp is missing or does not match rules.lp")
    assert "f5 have no label; run 'nesyasp label run' again" in content.summary["labels"]
    assert "an obj is visible in img_000" in content.justifications[0][1] and "obj2(img_000)" in content.justifications[0][1]


def test_report_of_a_run_still_training_shows_its_settings_and_training_so_far(tmp_path):
    """A run folder with config.json and metrics.json but no rules.lp (training still running) got
    no page at all, only 'run nesyasp extract first'."""
    import json

    from nesyasp.label.report import render_report

    (tmp_path / "config.json").write_text(json.dumps({"data": "scenes", "epochs": 30, "strategy": {"name": "TS3"}}))
    (tmp_path / "metrics.json").write_text(json.dumps({"history": [{"epoch": 1, "loss": 0.5, "test_accuracy": 0.4}]}))
    content = run_report(tmp_path)
    assert content.metrics["training (last epoch)"] == {"epoch": 1, "loss": 0.5, "test_accuracy": 0.4}
    assert "still training" in content.summary["rules"] and not content.raw_rules and not content.justifications
    assert content.summary["epochs"] == 30 and "<h2>Metrics</h2>" in render_report(content)


def test_report_of_an_unlabelled_run_says_how_to_label_it(run):
    assert "none yet" in run_report(run.path, n_examples=0).summary["labels"]


def test_report_leaves_out_a_lost_picture_and_any_outside_the_run(written, tmp_path):
    """One picture deleted (or not a PNG) since labelling made the whole report fail; a labels.json
    naming a picture outside the run folder embedded that file."""
    import shutil

    run, _ = written
    folder = tmp_path / "run"
    shutil.copytree(run.path, folder)
    data = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    pictures = [v["scores_picture"] for v in data["filters"].values()]
    (folder / pictures[0]).unlink()
    outside = tmp_path / "secret.png"
    shutil.copy(folder / pictures[1], outside)
    data["filters"][list(data["filters"])[1]]["scores_picture"] = "../secret.png"
    (folder / "labels.json").write_text(json.dumps(data), encoding="utf-8")
    content = run_report(folder, n_examples=0)
    assert all(p.is_file() and tmp_path / "run" in p.parents for _, p in content.pictures)
    assert len(content.pictures) == len(pictures) + 1 - 2  # the Figure-2 overlay and the rest
    assert content.summary["pictures"].startswith(
        f"left out, missing or not PNG files in the run folder: {pictures[0]}, ../secret.png; run")


def test_write_labels_writes_nothing_when_a_picture_or_a_facts_file_fails(labelled, tmp_path, monkeypatch):
    """A picture that could not be drawn (or a facts file that did not parse) left a new
    labelled_rules.lp beside the old labels.json, which the report then called stale."""
    from nesyasp.errors import NesyaspError
    from nesyasp.label import pictures as pictures_mod

    run = _make_run(tmp_path)
    (run.path / "facts").mkdir(exist_ok=True)

    def fail(*args, **kwargs):
        raise DataError("cannot draw")

    monkeypatch.setattr(pictures_mod, "plot_concept_scores", fail)
    with pytest.raises(DataError, match="cannot draw"):
        write_labels(labelled, run.path)
    (run.path / "facts" / "test.lp").write_text("f1(img", encoding="utf-8")
    with pytest.raises(NesyaspError):  # the facts file's ParseError
        write_labels(labelled, run.path, pictures=False)
    assert not (run.path / "labelled_rules.lp").exists() and not (run.path / "labels.json").exists()
