"""The AST transform raw -> labelled rule set (paper, Figure 3)."""

from __future__ import annotations

import pytest

from nesyasp.label import FilterConcepts, image_facts, label_program, name_filters, rule_filters
from nesyasp.lang.ast import Atom, Comment, Constant, Literal, Pred, Program, Rule, Show, Variable
from nesyasp.errors import DataError

X = Variable("X")


def _lit(pred: str, negated: bool = False) -> Literal:
    return Literal(Atom(pred, (X,)), negated)


def _target(cls: str) -> Atom:
    return Atom("target", (X, Constant(cls)))


FIGURE3_RAW = Program((
    Comment(" raw rule set, TS3, P3.1"),
    Rule(_target("bedroom"), (_lit("f295"),)),
    Rule(_target("bathroom"), (_lit("f398", True), _lit("ab1", True))),
    Rule(_target("kitchen"), (_lit("f38"),)),
    Rule(_target("kitchen"), (_lit("f209"),)),
    Rule(Atom("ab1", (X,)), (_lit("f145", True), _lit("f134", True))),
))

FIGURE3_CONCEPTS = {398: ("wall", "cabinet"), 295: ("bed",), 209: ("wall",), 145: ("sink",),
                    134: ("sink", "toilet"), 38: ("wall", "cabinet")}

FIGURE3_LABELLED = """\
% raw rule set, TS3, P3.1
%#pred wall1_cabinet1(X) :: 'a wall and a cabinet (wall1_cabinet1) are visible in @(X)'.
%#pred sink1_toilet1(X) :: 'a sink and a toilet are visible in @(X)'.
%#pred sink2(X) :: 'a sink is visible in @(X)'.
%#pred wall2(X) :: 'a wall is visible in @(X)'.
%#pred bed1(X) :: 'a bed is visible in @(X)'.
%#pred wall3_cabinet2(X) :: 'a wall and a cabinet (wall3_cabinet2) are visible in @(X)'.
target(X,bedroom) :- bed1(X).
target(X,bathroom) :- not wall3_cabinet2(X), not ab1(X).
target(X,kitchen) :- wall1_cabinet1(X).
target(X,kitchen) :- wall2(X).
ab1(X) :- not sink2(X), not sink1_toilet1(X).
"""


def _figure3_names() -> dict[int, str]:
    return name_filters([FilterConcepts(k, c) for k, c in FIGURE3_CONCEPTS.items()])


def test_figure3_golden():
    lab = label_program(FIGURE3_RAW, _figure3_names(), FIGURE3_CONCEPTS)
    assert str(lab.program) == FIGURE3_LABELLED
    assert lab.mapping == {"bed1": 295, "wall3_cabinet2": 398, "wall1_cabinet1": 38, "wall2": 209,
                           "sink2": 145, "sink1_toilet1": 134}
    assert lab.filter_of("bed1") == 295
    with pytest.raises(DataError):
        lab.filter_of("target")


def test_rule_filters_in_order_of_appearance():
    assert rule_filters(FIGURE3_RAW) == [295, 398, 38, 209, 145, 134]


def test_transform_keeps_locations_and_leaves_raw_program_unchanged():
    before = str(FIGURE3_RAW)
    lab = label_program(FIGURE3_RAW, _figure3_names(), annotate=False)
    assert str(FIGURE3_RAW) == before
    assert not lab.program.preds
    assert len(lab.program.rules) == len(FIGURE3_RAW.rules)
    for old, new in zip(FIGURE3_RAW.rules, lab.program.rules):
        assert new.loc == old.loc and new.head == old.head


def test_unnamed_filters_keep_raw_names_and_existing_preds_move():
    raw = Program((Pred(Atom("f295", (X,)), "filter 295 fires on @(X)"), Show("f295", 1),
                   Rule(_target("bedroom"), (_lit("f295"), _lit("f7")))))
    lab = label_program(raw, {295: "bed1"}, {295: ("bed",)})
    text = str(lab.program)
    assert "f295" not in text and "#show bed1/1." in text and "f7(X)" in text
    assert text.count("#pred") == 1
    kept = label_program(raw, {295: "bed1"}, annotate=False)
    assert "#pred bed1(X) :: 'filter 295 fires on @(X)'." in str(kept.program)


def test_label_clash_and_invalid_label_are_errors():
    raw = Program((Rule(_target("a"), (_lit("f1"), _lit("ab1", True))),))
    with pytest.raises(DataError, match="clash"):
        label_program(raw, {1: "ab1"})
    with pytest.raises(DataError, match="not a valid ASP"):
        label_program(raw, {1: "Bed"})


def test_image_facts_raw_and_labelled():
    assert str(image_facts("img", [295, 145])) == "f145(img).\nf295(img).\n"
    assert str(image_facts("img", [295, 145], _figure3_names())) == "sink2(img).\nbed1(img).\n"
    assert str(image_facts("Img 3", [1])) == 'f1("Img 3").\n'


def test_class_top_filters_figure3():
    from nesyasp.label.transform import class_top_filters

    # bathroom's only rule has no positive filter; the first filter reached that is evidence for
    # bathroom is 145 (under "not ab1", "ab1 :- not f145"): the paper's choice for TS3 (145, 295, 38)
    assert class_top_filters(FIGURE3_RAW) == {"bedroom": 295, "bathroom": 145, "kitchen": 38}
    only_ab = Program((Rule(_target("bathroom"), (_lit("ab1", True),)),) + FIGURE3_RAW.rules[1:])
    assert class_top_filters(only_ab)["bathroom"] == 145
    # with no filter as evidence for the class, the first filter reached
    against = Program((Rule(_target("a"), (_lit("f3", True), _lit("ab2", True))),
                       Rule(Atom("ab2", (X,)), (_lit("f4"),))))
    assert class_top_filters(against) == {"a": 3}


def test_filter_uses_signs_through_exceptions():
    from nesyasp.label.transform import filter_uses

    uses = filter_uses(FIGURE3_RAW)
    assert uses == {295: {("bedroom", True)}, 398: {("bathroom", False)}, 38: {("kitchen", True)},
                    209: {("kitchen", True)}, 145: {("bathroom", True)}, 134: {("bathroom", True)}}


def test_label_accuracy_on_figure3():
    from nesyasp.label.accuracy import label_accuracy

    drawn = {"bedroom": ("bed", "lamp"), "bathroom": ("toilet", "sink"), "kitchen": ("stove", "cabinet")}
    records = [FilterConcepts(k, c) for k, c in FIGURE3_CONCEPTS.items() if k != 134]  # 134: no record
    acc = label_accuracy(FIGURE3_RAW, records, drawn)
    rows = {r.filter: r for r in acc.rows}
    assert sorted(rows) == [38, 134, 145, 209, 295, 398]
    assert rows[295].correct_signed and rows[145].correct_signed  # bed for bedroom, sink for bathroom
    assert not rows[38].correct_unsigned  # best concept wall: drawn by no class
    assert not rows[134].correct_signed and rows[134].best is None
    # 398 is evidence against bathroom; its best concept (wall) is no other class's concept either
    assert not rows[398].correct_signed
    assert acc.share_signed == pytest.approx(2 / 6) and acc.share_unsigned == pytest.approx(2 / 6)
    # a kitchen cabinet as evidence against bathroom is right when signed, wrong when unsigned
    acc = label_accuracy(FIGURE3_RAW, [FilterConcepts(398, ("cabinet", "wall"))], drawn)
    row = next(r for r in acc.rows if r.filter == 398)
    assert row.correct_signed and not row.correct_unsigned
    # a part counts for a class when all its host objects are drawn in that class
    hosts = {"pillow": ("bed",), "panel": ("wardrobe", "cabinet")}
    acc = label_accuracy(FIGURE3_RAW, [FilterConcepts(295, ("pillow",)), FilterConcepts(38, ("panel",))], drawn,
                         part_hosts=hosts)
    rows = {r.filter: r for r in acc.rows}
    assert rows[295].correct_signed and not rows[38].correct_unsigned


ORDERED = """\
rule1(X) :- f62(X).
target(X,kitchen) :- rule1(X).
rule2(X) :- f50(X), not ab1(X).
target(X,bedroom) :- rule2(X), not rule1(X).
target(X,bathroom) :- not rule1(X), not rule2(X).
ab1(X) :- f25(X).
"""


def test_own_uses_of_an_ordered_rule_set():
    from nesyasp.lang import parse_program
    from nesyasp.label.accuracy import label_accuracy
    from nesyasp.label.transform import filter_uses

    program = parse_program(ORDERED)
    assert filter_uses(program)[62] == {("kitchen", True), ("bedroom", False), ("bathroom", False)}
    own = filter_uses(program, own=True)
    assert own == {62: {("kitchen", True)}, 50: {("bedroom", True)}, 25: {("bedroom", False)}}
    drawn = {"kitchen": ("stove",), "bedroom": ("bed", "wardrobe"), "bathroom": ("toilet",)}
    recs = [FilterConcepts(62, ("toilet",)), FilterConcepts(50, ("wardrobe",)), FilterConcepts(25, ("bed",))]
    rows = {r.filter: r for r in label_accuracy(program, recs, drawn).rows}
    # toilet for the kitchen filter: right only through "not rule1" in the bathroom rule
    assert rows[62].correct_unsigned and rows[62].correct_signed and not rows[62].correct_own
    assert rows[50].correct_own
    # bed inside bedroom's exception: evidence against bedroom should show another class's object
    assert not rows[25].correct_own and rows[25].correct_unsigned


def test_labels_that_would_merge_or_shadow_filters_are_refused():
    """A labels.json edited by hand to give f13 the label of f36 made the report merge the two
    filters in the labelled rules (and in the example facts) without a word."""
    from nesyasp.lang import parse_program

    raw = parse_program("target(X,a) :- f13(X), not f36(X). target(X,b) :- _example(X), not f13(X).")
    with pytest.raises(DataError, match="filters 13 and 36 have the same label 'bed2'"):
        label_program(raw, {13: "bed2", 36: "bed2"})
    with pytest.raises(DataError, match="same label"):
        image_facts("img", [13], {13: "bed2", 36: "bed2"})
    with pytest.raises(DataError, match="'f7' of filter 13 is the raw name of filter 7"):
        image_facts("img", [7, 13], {13: "f7"})
    assert str(image_facts("img", [13], {13: "f13", 36: "bed2"})) == "f13(img).\n"  # its own name is no clash


def test_read_labels_names_the_file_whose_labels_merge_two_filters(tmp_path):
    import json

    from nesyasp.label import read_labels

    (tmp_path / "labels.json").write_text(json.dumps({"filters": {"13": {"label": "bed2"}, "36": {"label": "bed2"}}}))
    with pytest.raises(DataError, match=r"labels\.json: filters 13 and 36 have the same label"):
        read_labels(tmp_path)


def test_concepts_that_differ_only_in_case_or_punctuation_name_their_labels():
    """Filters on 'Door' and 'door' read 'a Door is visible' and 'a door is visible': the
    justification could not tell door1 from door2."""
    from nesyasp.lang import parse_program

    raw = parse_program("target(X,a) :- f1(X), not f2(X). target(X,b) :- f3(X), f4(X).")
    concepts = {1: ("Door",), 2: ("door",), 3: ("tv-set",), 4: ("tv set",)}
    names = name_filters([FilterConcepts(k, c) for k, c in concepts.items()])
    text = str(label_program(raw, names, concepts).program)
    assert names == {1: "door1", 2: "door2", 3: "tv_set1", 4: "tv_set2"}
    for phrase in ("a Door (door1)", "a door (door2)", "a tv-set (tv_set1)", "a tv set (tv_set2)"):
        assert phrase in text
