"""Checks: safety (with the example guard), stratification, unsupported constructs, warnings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nesyasp.lang import (SafetyError, StratificationError, UnsupportedConstructError, check_program,
                          dependency_graph, diagnose, negative_cycles, parse_program, unsafe_variables)


def rule(text: str):
    return parse_program(text).rules[0]


@pytest.mark.parametrize("text, unsafe", [
    ("p(X) :- q(X).", []),
    ("p(X,Y) :- q(X).", ["Y"]),
    ("p(X) :- not q(X).", ["X"]),
    ("p :- q(X), not r(X,Y).", ["Y"]),
    ("p :- q(X), not r(X,_).", []),
    ("p(Y) :- q(X), Y = X+1.", []),
    ("p(Y) :- q(X), X+1 = Y.", []),
    ("p(Y) :- q(X), Y != X+1.", ["Y"]),
    ("p(Y) :- q(X), not Y = X.", ["Y"]),
    ("p(X) :- q(X+1).", []),
    ("p(X,Y) :- q(X*Y).", ["X", "Y"]),
    ("p :- q(X), N > X.", ["N"]),
    ("p(_) :- q.", ["_"]),
    (":- q(X), not r(Y).", ["Y"]),
    # a function term matched against a bound value binds all its variables, as gringo does
    ("p(X,Y) :- q(X), f(_,Y) = X.", []),
    ("p(A,B) :- q(X), X = f(A,B).", []),
    ("p(A) :- q(X), X = f(A,A).", []),
    ("p(A,B) :- q(X), X = f(A+B).", ["A", "B"]),
    ("p(X) :- q(X), X != f(_).", ["_"]),
])
def test_unsafe_variables(text, unsafe):
    assert unsafe_variables(rule(text)) == unsafe


def test_example_guard_admits_only_the_head_first_argument():
    r = rule("target(X,bathroom) :- not f398(X), not ab1(X).")
    assert unsafe_variables(r) == ["X"] and unsafe_variables(r, example_guard=True) == []
    r = rule("target(X,Y) :- not f398(X).")
    assert unsafe_variables(r, example_guard=True) == ["Y"]
    program = parse_program("target(X,c) :- not ab1(X).\nab1(X) :- f1(X).\nt(X,d) :- not f2(X).")
    with pytest.raises(SafetyError, match="plain clingo needs _example\\(X\\) in the body"):
        check_program(program, example_guard=False)
    found = check_program(program)
    assert [d.code for d in found] == ["example-domain", "undefined-predicate", "undefined-predicate"]
    note = found[0]
    assert note.severity == "note" and note.location.begin.line == 1 and "(and 1 more rule)" in note.message
    assert "_example(X)" in note.message


def test_domain_guards_make_fold_rules_plain_asp():
    from nesyasp.lang import add_domain_guards, needs_domain_guard

    program = parse_program("target(X,c) :- not ab1(X).\nab1(X) :- f1(X).\nt(X,Y) :- q(Y), not f2(X).\n"
                            "#pred t(X,Y) :: '@(X) is @(Y)'.")
    guarded = add_domain_guards(program)
    assert str(guarded) == ("target(X,c) :- _example(X), not ab1(X).\nab1(X) :- f1(X).\n"
                            "t(X,Y) :- _example(X), q(Y), not f2(X).\n%#pred t(X,Y) :: '@(X) is @(Y)'.\n")
    assert not any(needs_domain_guard(r) for r in guarded.rules)
    assert add_domain_guards(guarded) is guarded
    assert all(d.code != "example-domain" for d in check_program(guarded, example_guard=False))


def test_stratification_names_the_cycle():
    program = parse_program("p(X) :- q(X), not r(X).\nr(X) :- q(X), s(X).\ns(X) :- q(X), p(X).\nq(1).", "c.lp")
    with pytest.raises(StratificationError) as info:
        check_program(program)
    err = info.value
    assert err.cycle == ("p(_)", "r(_)", "s(_)", "p(_)")
    assert "p/1, r/1, s/1" in err.message and str(err).startswith("c.lp:1:15: error:")
    (cycle, loc), = negative_cycles(program)
    assert cycle == err.cycle and (loc.begin.line, loc.begin.column) == (1, 15)


def test_positive_recursion_and_negation_below_are_stratified():
    program = parse_program("r(X,Y) :- e(X,Y).\nr(X,Z) :- r(X,Y), e(Y,Z).\nu(X) :- n(X), not r(X,X).\n"
                            "e(1,2). n(1).")
    assert negative_cycles(program) == []
    graph = dependency_graph(program)
    assert graph.has_edge("r/2", "r/2") and graph.edges["u/1", "r/2"]["negative"]


def test_self_negation_is_a_cycle():
    with pytest.raises(StratificationError) as info:
        check_program(parse_program("a :- not a."))
    assert info.value.cycle == ("a", "a")


def test_rules_on_different_classes_are_told_apart():
    ok = parse_program("t(X,b) :- p(X), not t(X,a).\nt(X,a) :- p(X), q(X).\nt(X,c) :- p(X), not t(X,b).\np(1).")
    assert negative_cycles(ok) == []
    bad = parse_program("t(X,b) :- p(X), not t(X,a).\nt(X,a) :- p(X), p(Y), not t(X,Y).\np(1).")
    (cycle, _), = negative_cycles(bad)
    assert set(cycle) == {"t(_,a)", "t(_,b)"}
    with pytest.raises(StratificationError, match="predicates t/2 depend"):
        check_program(bad)


@pytest.mark.parametrize("text, advice", [
    ("{a}.", "one normal rule"),
    ("a :- #count{X:p(X)} > 1.", "Python"),
    ("a | b.", "one rule per head atom"),
    ("p(1..3).", "one fact per value"),
    ("#const n=1.", "where it is used"),
])
def test_unsupported_constructs_say_what_to_write_instead(text, advice):
    with pytest.raises(UnsupportedConstructError) as info:
        check_program(parse_program(text, "u.lp"))
    assert advice in info.value.message and str(info.value).startswith("u.lp:1:")


def test_integers_outside_32_bits_are_rejected():
    check_program(parse_program("p(2147483647). p(-2147483648)."))
    for text in ("p(2147483648).", "p(X) :- q(X), X > -2147483649.", "p(f(4294967296))."):
        with pytest.raises(UnsupportedConstructError, match="32-bit"):
            check_program(parse_program(text))


def test_warnings_for_undefined_predicates_and_arity_clashes():
    found = diagnose(parse_program("p(X) :- q(X), not r(X).\nq(1). q(1,2).\n"))
    assert [(d.severity, d.code) for d in found] == [("warning", "undefined-predicate"),
                                                     ("warning", "arity-clash")]
    assert "r/1" in found[0].message and "q/1, q/2" in found[1].message


def test_included_definitions_are_definitions(tmp_path):
    (tmp_path / "facts.lp").write_text('#include "more.lp".\nq(1).\n')
    (tmp_path / "more.lp").write_text("s(1).\n")
    program = parse_program('#include "facts.lp".\np(X) :- q(X), s(X), not r(X).\n', str(tmp_path / "main.lp"))
    found = [d for d in diagnose(program) if d.code == "undefined-predicate"]
    assert [d.message.split()[1] for d in found] == ["r/1"]  # q and s come from the (nested) includes
    broken = parse_program('#include "gone.lp".\np(X) :- q(X).\n', str(tmp_path / "other.lp"))
    assert any(d.code == "undefined-predicate" and "q/1" in d.message for d in diagnose(broken))


def test_diagnose_reports_every_error(tmp_path):
    (tmp_path / "inc.lp").write_text("q(1).\n")
    program = parse_program('#include "inc.lp".\n#include "gone.lp".\np(X) :- not q(X).\n{a}.\na :- not a.\n',
                            str(tmp_path / "main.lp"))
    codes = [d.code for d in diagnose(program, example_guard=False) if d.severity == "error"]
    assert sorted(codes) == ["ParseError", "SafetyError", "StratificationError", "UnsupportedConstructError"]


def test_import_is_cheap():
    code = ("import sys, nesyasp.lang as L; L.check_program(L.parse_program('a :- b. b.'));"
            "assert 'torch' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
