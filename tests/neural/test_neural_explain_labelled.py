"""Explaining images with a labelled run: concept words, and pictures whose maps sit on the objects.

The CNN is set by hand (filter c fires exactly on the bright square of class
c of the toy images), so where its maps lie is known.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from nesyasp.lang import add_domain_guards, parse_program
from nesyasp.label.explanation import PANEL, explanation_page, explanation_picture
from nesyasp.label.run import annotated_set, label_run, write_labels
from nesyasp.neural.config import TrainConfig
from nesyasp.neural.models import FeatureModel
from nesyasp.neural.nesymodel import NesyModel
from nesyasp.neural.run import Run
from nesyasp.reason import check_justification

CONCEPTS = ("red_box", "green_box", "blue_box")
RULES = ("target(X,class0) :- f0(X).\ntarget(X,class1) :- f1(X), not f0(X).\n"
         "target(X,class2) :- not f0(X), not f1(X), not ab1(X).\nab1(X) :- not f2(X).\n")  # two need _example(X)


class BoxNet(nn.Module):
    """Filter c is ReLU(channel c - 1) of the scaled pixels (only the 230-bright square passes); 4x4 pooling."""

    def __init__(self) -> None:
        super().__init__()
        conv = nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            conv.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
            conv.bias.fill_(-1.0)
        self.features = nn.Sequential(OrderedDict(conv=conv, relu=nn.ReLU(), pool=nn.AvgPool2d(4)))
        self.head = nn.Linear(3, 3)
        with torch.no_grad():
            self.head.weight.copy_(torch.eye(3))
            self.head.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean((2, 3)))


def _boxes(split) -> SimpleNamespace:
    """The toy images (uint8) with a mask per class square: class c's square is quadrant divmod(c, 2)."""
    images = np.round((split.x.permute(0, 2, 3, 1).numpy() * 0.25 + 0.5) * 255).astype(np.uint8)
    masks = np.zeros((len(images), 3, 16, 16), bool)
    for i, c in enumerate(split.y.tolist()):
        r, q = divmod(c, 2)
        masks[i, c, r * 8:(r + 1) * 8, q * 8:(q + 1) * 8] = True
    return SimpleNamespace(images=images, labels=split.y.numpy(), class_names=split.class_names, ids=split.ids,
                           concept_names=CONCEPTS, masks=masks)


def _run(path) -> Run:
    program = parse_program(RULES)
    (path / "rules.lp").write_text(str(add_domain_guards(program)), encoding="utf-8")
    (path / "tables").mkdir()
    (path / "tables" / "binarization.json").write_text(json.dumps({"norm": "fro", "thresholds": [0.5] * 3}))
    model = FeatureModel(BoxNet(), "features.pool").eval()
    return Run(path, TrainConfig(size=16), model, ("class0", "class1", "class2"), None, None, 0)


@pytest.fixture(scope="module")
def boxes(toy_splits):
    return _boxes(toy_splits[1])


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory, boxes):
    run = _run(tmp_path_factory.mktemp("boxes"))
    labels = label_run(run, annotated_set(boxes, "boxes"), program=parse_program(RULES))
    write_labels(labels, run.path, pictures=False)
    return run


def test_justification_reads_in_concept_words(labelled_run, boxes):
    model = NesyModel.from_run(labelled_run)
    assert model.vocabulary is not None and model.vocabulary.names == {0: "red_box1", 1: "green_box1", 2: "blue_box1"}
    i = int(np.flatnonzero(boxes.labels == 1)[0])
    e = model.explain(boxes.images[i], image_id="photo")
    assert (e.prediction, e.cnn_prediction, e.program) == ("class1", "class1", "labelled_rules.lp")
    text = e.text()
    assert text.splitlines()[1] == "   'target' holds (for photo, and class1), because"
    assert "a green box is visible in photo" in text and "there is no evidence that a red box is visible in photo" in text
    assert [(lit.predicate, lit.holds, lit.concepts) for lit in e.literals] == [
        ("green_box1", True, ("green_box",)), ("red_box1", False, ("red_box",))]
    assert e.facts() == "_example(photo).\nf1(photo).\n" and e.facts(labelled=True) == "_example(photo).\ngreen_box1(photo).\n"
    assert e.to_dict()["facts"] == ["_example(photo).", "green_box1(photo)."]
    for _, _, node in e.answers:
        assert check_justification(node, e.reasoner.model()) == []


def test_maps_sit_on_the_objects_in_the_picture(labelled_run, boxes, tmp_path):
    model = NesyModel.from_run(labelled_run)
    for c in range(3):
        i = int(np.flatnonzero(boxes.labels == c)[0])
        e = model.explain(boxes.images[i], image_id=f"img{c}")
        (shown,) = [lit for lit in e.literals if lit.holds]
        assert shown.filter == c and e.prediction == f"class{c}"
        mask = boxes.masks[i, c]
        peak = np.unravel_index(np.argmax(np.kron(shown.map, np.ones((4, 4)))), mask.shape)
        assert mask[peak]  # the filter's strongest activation lies on the class's square
        picture = np.asarray(explanation_picture(e, tmp_path / f"img{c}.png"), dtype=np.float64)
        assert (tmp_path / f"img{c}.png").read_bytes().startswith(b"\x89PNG")
        top = 2 * 15 + 8

        def panel(n: int) -> np.ndarray:
            x = 8 + n * (PANEL + 8)
            return picture[top:top + PANEL, x:x + PANEL]

        heat = np.abs(panel(1 + e.literals.index(shown)) - panel(0)).sum(2)
        big = np.kron(mask, np.ones((PANEL // 16, PANEL // 16), bool))
        assert heat[big].mean() > 5 * heat[~big].mean()  # the overlay colours the square, little else
        for n, lit in enumerate(e.literals, start=1):
            if lit is shown:
                continue
            assert not lit.holds and lit.strength == 0.0
            assert np.abs(panel(n) - panel(0)).max() < 2  # an absent filter, silent here: no heat at all


def test_html_page_holds_every_picture(labelled_run, boxes, tmp_path):
    model = NesyModel.from_run(labelled_run)
    found = list(model.explain_many(boxes.images[:4], ids=["a", "b", "c", "d"]))
    items = [(e, explanation_picture(e, tmp_path / f"{e.id}.png") and tmp_path / f"{e.id}.png") for e in found]
    page = explanation_page(items, tmp_path / "page.html").read_text()
    assert page.count("data:image/png;base64,") == 4 and "a red box is visible in a" in page


def test_stale_labelled_rules_are_not_used(labelled_run, tmp_path, boxes, caplog):
    run = _run(tmp_path)
    for name in ("labels.json", "labelled_rules.lp"):
        (tmp_path / name).write_text((labelled_run.path / name).read_text())
    (tmp_path / "rules.lp").write_text(RULES)  # the same rules without domain guards: still the same rule set
    assert NesyModel.from_run(run).vocabulary is not None
    (tmp_path / "rules.lp").write_text(RULES.replace("ab1(X) :- not f2(X)", "ab1(X) :- not f1(X)"))
    with caplog.at_level(logging.WARNING):
        model = NesyModel.from_run(run)
    assert model.vocabulary is None and "extracted again after labelling" in caplog.text
    assert model.explain(boxes.images[0]).program == "rules.lp"
