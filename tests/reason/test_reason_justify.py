"""Justification trees: answers, non-answers, recursion, and the check against the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import clingo
import pytest

from nesyasp.lang import parse_file
from nesyasp.reason import Node, Reasoner, check_justification, render_text, walk

from .helpers import check_all

FIGURE3 = Path(__file__).resolve().parents[2] / "examples" / "figure3"


@pytest.fixture(scope="module")
def labelled():
    return Reasoner([FIGURE3 / "labelled.lp"], FIGURE3 / "images_labelled.lp")


def test_figure3_answer_and_justification(labelled):
    assert labelled.query("target(img,X)").atoms() == ["target(img,bathroom)"]
    node = labelled.explain("target(img,bathroom)")
    assert check_justification(node, labelled.model()) == []
    assert [c.literal for c in node.children] == ["_example(img)", "not wall3_cabinet2(img)", "not ab1(img)"]
    ab1 = node.children[2].children[0]
    assert (ab1.literal, ab1.holds, ab1.because) == ("ab1(img)", False, "all_rules_fail")
    # ab1 fails because sink2(img) holds: the only fact of the image
    failing = ab1.children[0]
    assert (failing.literal, failing.holds, failing.children[0].because) == ("not sink2(img)", False, "fact")


def test_a_tree_checks_against_another_reasoner_of_the_same_program(labelled):
    other = Reasoner([FIGURE3 / "labelled.lp"], FIGURE3 / "images_labelled.lp")
    for atom in ("target(img,bathroom)", "target(img,bedroom)", "ab1(img)"):
        assert check_justification(labelled.explain(atom), other.model()) == []


def test_the_paper_justification_does_not_check(labelled):
    """Figure 3 (bottom) says there is no evidence for sink2(img); with the image's fact f145(img) that is false."""
    model = labelled.model()
    paper = Node("target(img,bathroom)", True, "rule", children=(
        Node("not wall3_cabinet2(img)", True, "negation", negated=True,
             atom=clingo.Function("wall3_cabinet2", [clingo.Function("img")]),
             children=(Node("wall3_cabinet2(img)", False, "no_rule",
                            atom=clingo.Function("wall3_cabinet2", [clingo.Function("img")])),)),
        Node("not sink2(img)", True, "negation", negated=True,
             atom=clingo.Function("sink2", [clingo.Function("img")]),
             children=(Node("sink2(img)", False, "no_rule",
                            atom=clingo.Function("sink2", [clingo.Function("img")])),)),
    ), atom=clingo.Function("target", [clingo.Function("img"), clingo.Function("bathroom")]))
    problems = check_justification(paper, model)
    assert any("sink2(img)" in p and "model says" in p for p in problems)
    # and its model lists wall3_cabinet2(img) as true while the justification denies it
    assert not labelled.holds("wall3_cabinet2(img)")


def test_raw_and_labelled_rule_sets_agree():
    raw = Reasoner([FIGURE3 / "raw.lp"], FIGURE3 / "images.lp")
    lab = Reasoner([FIGURE3 / "labelled.lp"], FIGURE3 / "images_labelled.lp")
    assert raw.query("target(X,C)").table.tolist() == lab.query("target(X,C)").table.tolist()
    assert raw.query("target(img_none,C)").atoms() == []  # ab1 holds: no sink, no toilet


def test_why_not_lists_every_rule(labelled):
    node = labelled.explain("target(img,kitchen)")
    assert (node.holds, node.because) == (False, "all_rules_fail")
    assert [c.literal for c in node.children] == ["wall1_cabinet1(img)", "wall2(img)"]
    assert all(c.because == "no_rule" for c in node.children)
    assert check_justification(node, labelled.model()) == []


def test_predicate_without_rules_or_facts_is_said_so():
    r = Reasoner("p(X) :- q(X), not zz(X).", {"q": ["a"]})
    node = r.explain("zz(a)")
    assert (node.because, node.note) == ("no_rule", "not among the facts")
    assert "(not among the facts)" in render_text(r.explain("p(a)"))
    # one wording whatever the other examples' facts: the same note when some zz(...) is a fact
    other = Reasoner("p(X) :- q(X), not zz(X).", {"q": ["a"], "zz": ["b"]})
    assert other.explain("zz(a)").note == "not among the facts"


def test_transitive_closure_is_well_founded():
    program = "path(X,Y) :- edge(X,Y).  path(X,Z) :- path(X,Y), path(Y,Z)."
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
    r = Reasoner(program, {"edge": edges}, engine="clingo")
    node = r.explain("path(a,a)")
    assert check_justification(node, r.model()) == []
    assert max(_depth(n) for n in [node]) < 10
    # a false atom in a cycle of false atoms: finite, and every rule refuted
    refuted = r.explain("path(d,a)")
    assert not refuted.holds and check_justification(refuted, r.model()) == []
    assert check_all(r) > 16


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in node.children), default=0)


def test_existential_body_variables_are_refuted_for_every_binding():
    r = Reasoner("old(X) :- age(X,N), N > 30.5.  ok(X) :- person(X), not old(X).",
                 {"age": [("ann", 20), ("ann", 25), ("bob", 40)], "person": ["ann", "bob", "cy"]})
    node = r.explain("old(ann)")
    # the two ages compared, and every other age: no evidence (other than the two)
    assert [c.literal for c in node.children] == ["20>30.5", "25>30.5", "age(ann,N)"]
    assert all(c.because == "comparison" and not c.holds for c in node.children[:2])
    assert node.children[2].exceptions == ("age(ann,20)", "age(ann,25)")
    cy = r.explain("old(cy)")
    assert [c.literal for c in cy.children] == ["age(cy,N)"]
    assert check_all(r) > 5
    assert "25 is greater than 30.5" in render_text(node)


def test_check_catches_a_wrong_tree(labelled):
    model = labelled.model()
    good = labelled.explain("target(img,bathroom)")
    flipped = replace(good, holds=False)
    assert check_justification(flipped, model)
    wrong_rule = replace(good, rule="target(img,bathroom) :- sink2(img).")
    assert any("not the instance" in p for p in check_justification(wrong_rule, model))
    missing = replace(labelled.explain("target(img,kitchen)"), children=())
    assert any("not refuted" in p for p in check_justification(missing, model))
    fake_loop = replace(labelled.explain("target(img,kitchen)"), because="loop", repeated=True, children=(), ref=7)
    assert any("ancestor" in p for p in check_justification(fake_loop, model))
    fake_shared = replace(labelled.explain("target(img,kitchen)"), because="shared", children=(), ref=3)
    assert any("shown before" in p for p in check_justification(fake_shared, model))


def test_self_justification_is_caught():
    r = Reasoner("p(X) :- q(X).  q(X) :- p(X).  q(X) :- base(X).", {"base": ["a"]}, engine="clingo")
    atom = clingo.Function("p", [clingo.Function("a")])
    good = r.explain(atom)
    assert check_justification(good, r.model()) == []
    rules = r.translation.rules
    loop = Node("p(a)", True, "rule", "p(a) :- q(a).", source=rules[0], binding={"X": clingo.Function("a")},
                atom=atom, children=(Node("q(a)", True, "rule", "q(a) :- p(a).", source=rules[1],
                                          binding={"X": clingo.Function("a")}, atom=clingo.Function("q", [clingo.Function("a")]),
                                          children=(good,)),))
    assert any("justifies itself" in p for p in check_justification(loop, r.model()))


def test_every_node_has_a_known_because(labelled):
    for atom in ("target(img,bathroom)", "target(img_kitchen,kitchen)", "target(img_bed,bathroom)"):
        for node in walk(labelled.explain(atom)):
            assert node.because in ("fact", "rule", "comparison", "no_rule", "all_rules_fail", "negation")


CORPUS = sorted((Path(__file__).resolve().parents[1] / "programs").glob("*.lp"))


@pytest.mark.parametrize("path", [p for p in CORPUS if p.read_text().startswith("% expected: ok")],
                         ids=lambda p: p.name)
def test_golden_corpus_justifications_check(path):
    r = Reasoner(parse_file(path), engine="clingo")
    header = [line for line in path.read_text().splitlines() if line.startswith("% model:")]
    if header and '"' not in header[0]:
        expected = set(header[0].removeprefix("% model:").split())
        shown = {str(a) for a in r.model().atoms()}
        assert expected <= shown
    check_all(r)
