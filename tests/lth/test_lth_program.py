"""The concept facts and the shipped programs/lth.lp (golden winning tickets)."""

from __future__ import annotations

import re
from pathlib import Path

import clingo
import pytest

from nesyasp.shipped import shipped_program
from nesyasp.lth.facts import ConceptScore, RoundFacts, build_facts, symbol, write_facts

DATA = Path(__file__).parent / "data"


def _program_text() -> str:
    return shipped_program("lth").read_text(encoding="utf-8")


def _clingo_model(text: str) -> set[str]:
    """Solve with clingo directly (the ``%#pred`` annotations are comments to clingo)."""
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], text)
    ctl.ground([("base", [])])
    atoms: set[str] = set()
    ctl.solve(on_model=lambda m: atoms.update(map(str, m.symbols(atoms=True))))
    return atoms


def _expected(path: Path) -> set[str]:
    header = next(line for line in path.read_text().splitlines() if line.startswith("% expected:"))
    return set(re.findall(r"winning_ticket\(\d+\)", header))


def test_golden_winning_tickets() -> None:
    path = DATA / "golden_facts.lp"
    model = _clingo_model(_program_text() + path.read_text())
    assert {a for a in model if a.startswith("winning_ticket(")} == _expected(path)
    assert "gained(4,even,one)" in model and "spurious(4,even,one)" in model
    assert "lost(2,even,two)" in model and "lost(6,odd,three)" in model
    assert "accurate(3)" not in model and "accurate(7)" not in model


def test_settings_override_defaults() -> None:
    text = (DATA / "golden_facts.lp").read_text() + "tolerance_setting(3).\nmin_score_setting(50).\n"
    model = _clingo_model(_program_text() + text)
    # tolerance 3 admits round 7 (94 >= 94); min score 50 keeps two in round 2 (55)
    assert {a for a in model if a.startswith("winning_ticket(")} == {
        "winning_ticket(1)", "winning_ticket(2)", "winning_ticket(5)", "winning_ticket(7)"}


def _rounds() -> list[RoundFacts]:
    s = lambda c, k, v, sig: ConceptScore(c, k, v, sig)  # noqa: E731
    r0 = (s("even", "zero", 0.9, True), s("odd", "one", 0.8, True), s("even", "one", 0.3, False))
    r1 = (s("even", "zero", 0.85, True), s("odd", "one", 0.4, True), s("even", "one", 0.7, True))
    return [RoundFacts(1, 0.8, 0.9649, r1), RoundFacts(0, 1.0, 0.97, r0)]


def test_build_facts_prints_integer_percent_facts() -> None:
    text = str(build_facts(_rounds(), relevant={"even": ("zero",), "odd": ("one",)}, min_score=60, tolerance=2))
    lines = text.splitlines()
    assert lines[0].startswith("%")
    assert "round(0,100)." in lines and "round(1,80)." in lines
    assert "accuracy(1,96)." in lines and "tcav(0,even,zero,90)." in lines
    assert "significant(1,even,one)." in lines and "significant(0,even,one)." not in lines
    assert "relevant(odd,one)." in lines and "tolerance_setting(2)." in lines
    assert lines.index("round(0,100).") < lines.index("round(1,80).")


def test_written_facts_and_shipped_program_run_in_plain_clingo(tmp_path, plain_clingo) -> None:
    from nesyasp.reason import Reasoner

    path = write_facts(tmp_path / "facts.lp", build_facts(_rounds(), {"even": ("zero",), "odd": ("one",)}))
    for facts in (path, DATA / "golden_facts.lp"):
        plain = plain_clingo("winning_ticket", shipped_program("lth"), facts)
        ours = Reasoner([shipped_program("lth"), facts]).query("winning_ticket(R)").atoms()
        assert sorted(plain) == sorted(ours)
    assert plain == ["winning_ticket(1)", "winning_ticket(5)"]


def test_facts_file_runs_with_the_program(tmp_path) -> None:
    path = write_facts(tmp_path / "facts.lp", build_facts(_rounds(), {"even": ("zero",), "odd": ("one",)}))
    model = _clingo_model(_program_text() + path.read_text())
    assert "lost(1,odd,one)" in model and "gained(1,even,one)" in model
    assert "winning_ticket(1)" not in model and "accurate(1)" in model


@pytest.mark.parametrize("name,expected", [("zero", "zero"), ("Living Room", "living_room"), ("7", "c_7")])
def test_symbol_sanitizes_names(name: str, expected: str) -> None:
    assert str(symbol(name)) == expected


def test_two_names_on_one_constant_are_refused_not_mixed() -> None:
    # 'Living Room' and 'living-room' both became living_room: two contradicting tcav facts for one class
    from nesyasp.errors import DataError

    s = lambda c, k, v, sig: ConceptScore(c, k, v, sig)  # noqa: E731
    clash = [RoundFacts(0, 1.0, 0.9, (s("Living Room", "bed", 0.7, True), s("living-room", "bed", 0.2, False)))]
    with pytest.raises(DataError, match="classes 'Living Room' and 'living-room' both become the constant "
                                        "living_room"):
        build_facts(clash)
    with pytest.raises(DataError, match="concepts 'Bed' and 'bed' both become the constant bed"):
        build_facts([RoundFacts(0, 1.0, 0.9, (s("a", "Bed", 0.7, True),))], {"a": ("bed",)})
    from nesyasp.lth.facts import check_names

    with pytest.raises(DataError, match="classes 'a b' and 'a-b'"):
        check_names(["a b", "x", "a-b"], ["bed"])
    ok = build_facts([RoundFacts(0, 1.0, 0.9, (s("Not", "not", 0.7, True), s("bed", "Bed", 0.5, False)))],
                     {"Not": ("not",)})  # a class and a concept may share a constant; keywords are escaped
    assert "tcav(0,c_not,c_not,70)." in str(ok) and "relevant(c_not,c_not)." in str(ok)
    assert "tcav(0,bed,bed,50)." in str(ok)


def test_a_change_needs_evidence_on_both_sides() -> None:
    s = lambda c, k, v, sig: ConceptScore(c, k, v, sig)  # noqa: E731
    r0 = (s("even", "zero", 0.9, True), s("odd", "one", 0.75, False), s("odd", "three", 0.9, True))
    # zero stays high but is not significant; one becomes significant from a high
    # non-significant score; three loses its score: only three counts
    r1 = (s("even", "zero", 0.7, False), s("odd", "one", 0.8, True), s("odd", "three", 0.2, False))
    # round 2 has no score for zero at all: no evidence, not lost
    r2 = (s("odd", "one", 0.8, True), s("odd", "three", 0.9, True))
    facts = build_facts([RoundFacts(0, 1.0, 0.97, r0), RoundFacts(1, 0.8, 0.97, r1), RoundFacts(2, 0.64, 0.97, r2)],
                        {"odd": ("three",), "even": ("zero",)})
    model = _clingo_model(_program_text() + str(facts))
    changes = {a for a in model if a.startswith(("gained(", "lost("))}
    assert changes == {"lost(1,odd,three)"}
    assert "winning_ticket(1)" not in model and "winning_ticket(2)" in model
    assert "accurate(1)" in model and "spurious(1,odd,one)" in model


def test_nothing_is_spurious_without_relevance_facts() -> None:
    # a user's folder says nothing of which concepts belong to which class; lth.lp called
    # every relied-on concept of such a run spurious ("does not belong to it")
    s = lambda c, k, v, sig: ConceptScore(c, k, v, sig)  # noqa: E731
    rounds = [RoundFacts(0, 1.0, 0.9, (s("cat", "fur", 0.9, True), s("dog", "fur", 0.8, True))),
              RoundFacts(1, 0.8, 0.9, (s("cat", "fur", 0.9, True), s("dog", "fur", 0.8, True)))]
    model = _clingo_model(_program_text() + str(build_facts(rounds)))
    assert "relies_on(1,cat,fur)" in model and not any(a.startswith("spurious(") for a in model)
    # relevance known for one class only: that class's other concepts are spurious, the other class's are not
    model = _clingo_model(_program_text() + str(build_facts(rounds, {"cat": ("whiskers",)})))
    assert {a for a in model if a.startswith("spurious(")} == {"spurious(0,cat,fur)", "spurious(1,cat,fur)"}


def test_why_not_reads_as_english() -> None:
    from nesyasp.reason import Reasoner, render_text

    reasoner = Reasoner([shipped_program("lth"), DATA / "golden_facts.lp"])
    assert sorted(reasoner.query("winning_ticket(R)").column("R")) == ["1", "5"]
    text = render_text(reasoner.explain("winning_ticket(6)"), reasoner.translation.preds)
    gained = render_text(reasoner.explain("winning_ticket(4)"), reasoner.translation.preds)
    assert "round 6 no longer relies on concept three for class odd, which the original network did" in text
    assert "in round 6 concept three has TCAV score 45 for class odd" in text
    assert "round 4 relies on concept one for class even, which the original network did not" in gained
