"""The reasoner embedded in a user's code: wrong argument types get a clear nesyasp error (also a
TypeError), never an AttributeError from inside; results do not depend on hidden global state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nesyasp import Reasoner
from nesyasp.errors import NesyaspError, ParseError, WrongTypeError
from nesyasp.lang import check_program, diagnose, parse_atom, parse_file, parse_program, parse_query

ROOMS = """target(X,bedroom)  :- bed(X), not ab1(X).
target(X,bathroom) :- toilet(X).
target(X,bathroom) :- sink(X), not bed(X).
ab1(X) :- sink(X), toilet(X).
"""


@pytest.fixture
def rooms() -> Reasoner:
    return Reasoner(ROOMS, {"sink": ["img1"], "toilet": ["img1"], "bed": ["img2"]})


@pytest.mark.parametrize("call, words", [
    (lambda r: r.holds(3), "expected an atom"),
    (lambda r: r.explain(None), "expected an atom"),
    (lambda r: r.why_not(5), "expected an atom"),
    (lambda r: r.proofs(["p(a)"]), "expected an atom"),
    (lambda r: r.explain_many([1]), "expected an atom"),
    (lambda r: r.explain_many("target(img1,bathroom)"), "use explain for one atom"),
    (lambda r: r.query(42), "expected query text"),
    (lambda r: r.query(parse_atom("p(a)")), "expected query text"),
    (lambda r: r.add_facts(5), "expected facts"),
    (lambda r: r.add_facts({"f": 3}), "facts of 'f' must be a list"),
    (lambda r: r.add_facts([3]), "a fact tuple is"),
    (lambda r: r.add_facts({}, examples="img9"), "examples must be a list of ids"),
    (lambda r: r.add_facts({}, examples=3), "examples must be a list of ids"),
])
def test_wrong_argument_types_name_what_is_expected(rooms, call, words):
    with pytest.raises(WrongTypeError, match=words) as info:
        call(rooms)
    assert isinstance(info.value, TypeError) and isinstance(info.value, NesyaspError)


@pytest.mark.parametrize("program", [42, None, b"p.", [Path("a.lp"), 3]])
def test_a_reasoner_of_a_wrong_type_says_what_it_takes(program):
    with pytest.raises(WrongTypeError, match="a Program, rule text .*, a Path or a list of paths"):
        Reasoner(program)


def test_a_file_name_passed_as_text_gets_a_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("rules.lp").write_text(ROOMS, encoding="utf-8")
    with pytest.raises(ParseError, match=r"pass Path\('rules.lp'\)"):
        Reasoner("rules.lp")
    assert Reasoner(Path("rules.lp")).program == Reasoner(ROOMS).program


@pytest.mark.parametrize("call, words", [
    (lambda: parse_program(3), "expected program text"),
    (lambda: parse_query(None), "expected query text"),
    (lambda: parse_atom(b"p"), "expected an atom's text"),
    (lambda: parse_file(3), "expected a file path"),
    (lambda: check_program("p."), "expected a parsed Program"),
    (lambda: diagnose(None), "expected a parsed Program"),
])
def test_the_language_functions_check_their_argument_types(call, words):
    with pytest.raises(WrongTypeError, match=words):
        call()


def test_a_refused_call_adds_no_facts(rooms):
    before = rooms.query("target(X,C)").atoms()
    with pytest.raises(WrongTypeError):
        rooms.add_facts({"bed": ["img9"]}, examples="img9")
    rooms.add_facts({"sink": ["img5"]})  # recomputes the model from the facts
    assert rooms.query("target(X,C)").atoms() == sorted(before + ["target(img5,bathroom)"])


def test_two_reasoners_queried_alternately_keep_their_own_answers():
    a = Reasoner(ROOMS, {"toilet": ["x"]})
    b = Reasoner("target(X,kitchen) :- stove(X).", {"stove": ["x"]})
    first = [a.query("target(x,C)").atoms(), b.query("target(x,C)").atoms()]
    for _ in range(3):
        assert [a.query("target(x,C)").atoms(), b.query("target(x,C)").atoms()] == first
        assert a.holds("target(x,bathroom)") and not b.holds("target(x,bathroom)")
    assert first == [["target(x,bathroom)"], ["target(x,kitchen)"]]


def test_threads_sharing_one_reasoner_get_the_answers_of_one_thread(in_threads):
    """Eight threads query, explain and ask why-not on one fresh reasoner (its model, justifier and
    caches are built lazily): each answer equals the single-threaded one. Before the reasoner took
    a lock, queries of table rows came back empty in most runs of this test."""
    rng = np.random.default_rng(0)
    table, columns = rng.random((200, 5)) < 0.4, ["bed", "toilet", "sink", "f145", "f398"]
    ids = [f"e{i}" for i in range(200)]
    program = ROOMS + "target(X,kitchen) :- f145(X), not f398(X).\np(a). p(b) :- p(a).\n"

    def fresh() -> Reasoner:
        r = Reasoner(program)
        r.add_table(table, columns=columns, ids=ids)
        return r

    def answers(r: Reasoner, i: str) -> tuple:
        return (r.query(f"target({i},C)").atoms(), str(r.explain(f"target({i},bathroom)")),
                [e.atom for e in r.why_not(f"target({i},X)")[0]])

    reference = fresh()
    expected = {i: answers(reference, i) for i in ids}
    for _ in range(3):
        shared, got = fresh(), {}

        def work(part: list[str]) -> None:
            for i in part:
                got[i] = answers(shared, i)

        assert in_threads(work, [ids[k::8] for k in range(8)]) == []
        assert [i for i in ids if got.get(i) != expected[i]] == []
