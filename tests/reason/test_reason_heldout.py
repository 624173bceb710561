"""Regressions found by a held-out check of the reasoner on hand-written programs (see docs/reasoning.md)."""

from __future__ import annotations

import pytest

from nesyasp.errors import NesyaspError, ParseError
from nesyasp.reason import Reasoner, check_justification, render_text

from .helpers import check_all
from .independent_check import check_document
from .test_reason_independent import document


@pytest.mark.parametrize("program, query", [
    ("n(1). n(2). k(X+Y) :- n(X), n(Y).", "k(S)"),
    ("n(1). n(2). k(X*Y-X) :- n(X), n(Y).", "k(S)"),
    ("n(1). n(2). k(X+Y, Y) :- n(X), n(Y).", "k(S,Y)"),
])
def test_a_head_with_arithmetic_in_two_body_variables_is_explained(program, query):
    # the head equation X+Y = 3 used to be picked before the body bound X or Y: no instance derived k(3)
    r = Reasoner(program, engine="clingo")
    assert check_all(r) > 0
    true = [str(a) for a in r.model().atoms() if a.name == "k"]
    assert check_document(program, document(program, [query], true, "holding")) == []


def test_k_of_x_plus_y_reads_as_its_body():
    r = Reasoner("n(1). n(2). k(X+Y) :- n(X), n(Y).", engine="clingo")
    node = r.explain("k(3)")
    assert node.holds and node.because == "rule" and check_justification(node, r.model()) == []
    assert render_text(node).splitlines()[1:] == ["   'n' holds (for 1), and", "   'n' holds (for 2)."]


@pytest.mark.parametrize("facts, where", [("p(a).\nnot(b).\n", "2:1"), ("p(a). p(not).\n", "1:9"),
                                          ("p(a).\nq(b,not).\n", "2:5"), ("p(a). not.\n", "1:7")])
def test_not_as_a_name_in_a_facts_file_is_refused_at_its_place(tmp_path, facts, where):
    # the fast facts reader took 'not(b).' for a table column ("column 'not' is not a predicate name"),
    # 'p(not).' for p("not"), and 'not.' reached clingo, whose error named the rules file
    (tmp_path / "rules.lp").write_text("q(X) :- p(X).\n")
    (tmp_path / "facts.lp").write_text(facts)
    r = Reasoner(tmp_path / "rules.lp")
    with pytest.raises(ParseError) as caught:
        r.add_facts(tmp_path / "facts.lp")
        r.query("q(X)")
    assert str(caught.value).startswith(f"{tmp_path / 'facts.lp'}:{where}: error: 'not' is clingo's keyword")


def test_not_in_one_example_s_slice_of_a_large_facts_file_is_refused_at_its_place(tmp_path, monkeypatch):
    rules = "target(X,c1) :- f1(X), not ab(X). ab(X) :- f3(X).\n"
    facts = "".join(f"_example(img{i}). f{i % 4}(img{i}).\n" for i in range(50)) + "w(img7,not).\n"
    (tmp_path / "rules.lp").write_text(rules)
    (tmp_path / "facts.lp").write_text(facts)
    monkeypatch.setattr("nesyasp.reason.reasoner.LAZY_BYTES", 100)
    lazy = Reasoner(tmp_path / "rules.lp")
    lazy.add_facts(tmp_path / "facts.lp")
    assert lazy.query("target(img5,X)").atoms() == ["target(img5,c1)"]
    with pytest.raises(ParseError) as caught:
        lazy.query("target(img7,X)")
    assert str(caught.value).startswith(f"{tmp_path / 'facts.lp'}:51:8: error: 'not'")


@pytest.mark.parametrize("facts, where, what", [
    ("p(a).\n-p(b).\n", "2:1", "UnsupportedConstructError: {f}:2:1: error: classical negation '-p' is not supported"),
    ("{p(a)}.\n", "1:1", "UnsupportedConstructError: {f}:1:1: error: choice rule is not supported"),
    ("p(1..3).\n", "1:3", "UnsupportedConstructError: {f}:1:3: error: interval 'a..b' is not supported"),
    ("p(a).\x0bp(b).\n", "1:6", "ParseError: {f}:1:6: error: unexpected character '\\x0b'"),
    ("p(a).\u00a0p(b).\n", "1:6", "ParseError: {f}:1:6: error: unexpected character '\\xa0'"),
    ("q2(a,\u00a0b).\n", "1:6", "ParseError: {f}:1:6: error: unexpected character '\\xa0'"),
])
def test_a_facts_file_outside_the_language_is_refused_as_check_refuses_it(tmp_path, facts, where, what):
    # -p(b). {p(a)}. p(1..3). in a facts file ended in "AttributeError: 'Unsupported' object has no attribute
    # 'variables'"; the fast facts reader took \v and a no-break space for white space, which the parser refuses
    path = tmp_path / "facts.lp"
    path.write_text(facts, encoding="utf-8")
    for facts_of in (path, facts):
        r = Reasoner("q(X) :- p(X).")
        with pytest.raises(NesyaspError) as caught:
            r.add_facts(facts_of)
            r.query("q(X)")
        name = str(path) if facts_of is path else "<facts>"
        assert f"{type(caught.value).__name__}: {caught.value}".startswith(what.format(f=name))
