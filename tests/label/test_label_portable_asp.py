"""What a run writes is plain ASP: clingo alone grounds rules.lp / labelled_rules.lp with their facts
files and derives exactly the classes that ``nesyasp evaluate`` and ``nesyasp query`` report."""

from __future__ import annotations

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nesyasp.cli import main  # noqa: E402
from nesyasp.label import run as label_run_mod  # noqa: E402
from nesyasp.label.run import annotated_set  # noqa: E402
from nesyasp.lang import check_program, parse_file  # noqa: E402
from nesyasp.neural.binarize import FilterTable  # noqa: E402
from nesyasp.neural.nesy import predict_classes  # noqa: E402
from nesyasp.reason import Reasoner  # noqa: E402

from .conftest import trained_planted_run  # noqa: E402


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory, planted_factory):
    out = tmp_path_factory.mktemp("runs") / "ts3"
    trained_planted_run(out, planted_factory, test_per_class=6)
    patch = pytest.MonkeyPatch()
    patch.setattr(label_run_mod, "load_annotated", lambda run, split="test", masks=None, per_class=None:
                  annotated_set(planted_factory(4, seed=1), "planted test images"))
    try:
        assert main(["label", str(out)]) == 0
    finally:
        patch.undo()
    return out


def _classes(atoms: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for atom in atoms:
        image, cls = re.fullmatch(r"target\(([^,]+),(.+)\)", atom).groups()
        found.setdefault(image, set()).add(cls)
    return found


@pytest.mark.parametrize("rules, facts", [("rules.lp", "facts/test.lp"),
                                          ("labelled_rules.lp", "facts/test_labelled.lp")])
def test_run_files_ground_in_plain_clingo_with_evaluates_classes(labelled_run, plain_clingo, rules, facts):
    rules_path, facts_path = labelled_run / rules, labelled_run / facts
    assert "%#pred" in rules_path.read_text(encoding="utf-8")  # annotations clingo reads as comments
    program = parse_file(rules_path)
    assert all(d.severity == "warning" for d in check_program(program, example_guard=False))  # safe, no note

    plain = plain_clingo("target", rules_path, facts_path)
    ours = Reasoner([rules_path, facts_path]).query("target(X,C)").atoms()
    assert sorted(plain) == sorted(ours)

    table = FilterTable.from_npz(labelled_run / "tables" / "test.npz")
    predicted = predict_classes(parse_file(labelled_run / "rules.lp"), table.values, table.class_names)
    derived = _classes(plain)
    assert set(derived) <= set(table.ids)
    for image, index in zip(table.ids, predicted.tolist()):
        want = set() if index < 0 else {table.class_names[index]}
        assert derived.get(image, set()) == want, image
    assert np.all(predicted >= 0)
