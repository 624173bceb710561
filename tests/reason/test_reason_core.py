"""Translation to clingo, facts from every source, queries and models."""

from __future__ import annotations

import clingo
import numpy as np
import pytest

from nesyasp.lang import ReasoningError, SafetyError, parse_program
from nesyasp.lang.ast import Comparison, Real, Variable
from nesyasp.reason import DOMAIN_PREDICATE, Reasoner, scale_comparison, translate

FIG3 = """
target(X,'bedroom') :- 295(X).
target(X,'bathroom') :- not 398(X), not ab1(X).
target(X,'kitchen') :- 38(X).
target(X,'kitchen') :- 209(X).
ab1(X) :- not 145(X), not 134(X).
"""


def test_unsafe_head_variable_gets_the_domain_atom():
    tr = translate(parse_program(FIG3))
    guarded = [tr.rules[i] for i in sorted(tr.guarded)]
    assert [str(r) for r in guarded] == [
        f"target(X,bathroom) :- {DOMAIN_PREDICATE}(X), not f398(X), not ab1(X).",
        f"ab1(X) :- {DOMAIN_PREDICATE}(X), not f145(X), not f134(X).",
    ]
    assert "target(X,bedroom) :- f295(X)." in tr.text  # safe rules are unchanged


def test_other_unsafe_variables_are_errors_with_position():
    with pytest.raises(SafetyError) as info:
        translate(parse_program("p(X) :- q(X), not r(Y).", "rules.lp"))
    assert "rules.lp:1:" in str(info.value)


def test_decimals_are_scaled_per_comparison():
    cmp, scale = scale_comparison(Comparison("<=", Variable("N"), Real("142.05")))
    assert (str(cmp), scale) == ("N*100<=14205", 100)
    tr = translate(parse_program("a(X) :- v(X,N), N > 1.5.  b(X) :- v(X,N), N >= 2."))
    assert "N*10>15" in tr.text and "N>=2" in tr.text and tr.max_scale == 10


def test_decimal_comparisons_are_exact_in_clingo():
    r = Reasoner("hi(X) :- v(X,N), N > 1.5.  lo(X) :- v(X,N), not N > 1.5.", engine="clingo")
    r.add_facts({"v": [("a", 1), ("b", 2), ("c", "word")]})
    assert r.query("hi(X)").atoms() == ["hi(b)"]
    assert r.query("lo(X)").atoms() == ["lo(a)"]  # a string value makes the comparison undefined


def test_decimals_in_atoms_and_sums_are_exact_and_the_rest_is_rejected_as_check_does():
    r = Reasoner("p(0.5). big(X) :- q(X,N), N+0.5 > 2.", {"q": [("a", 2), ("b", 1)]})
    assert r.query("p(X)").atoms() == ["p(0.5)"] and r.query("big(X)").atoms() == ["big(a)"]
    from nesyasp.lang import UnsupportedConstructError, check_program
    for text in ("p(f(0.5)).", "p(X) :- q(X,N), N/0.5 > 2."):
        with pytest.raises(UnsupportedConstructError) as by_check:
            check_program(parse_program(text))
        with pytest.raises(UnsupportedConstructError) as by_query:
            Reasoner(text)
        assert by_check.value.message == by_query.value.message and "decimal 0.5" in by_query.value.message


def test_large_integers_are_rejected_not_wrapped():
    r = Reasoner("p(X) :- q(X).")
    with pytest.raises(ReasoningError, match="32-bit"):
        r.add_facts({"q": [2 ** 31]})
    r2 = Reasoner("p(X) :- v(X,N), N > 0.5.")
    with pytest.raises(ReasoningError, match="overflows"):
        r2.add_facts({"v": [("a", 2 ** 30)]})


def test_quoted_constants_are_one_constant():
    r = Reasoner("target(X,'bedroom') :- bed(X).  ok(X) :- target(X,bedroom).", {"bed": ["'img1'"]})
    assert r.query("ok(X)").atoms() == ["ok(img1)"]
    assert r.holds("target(img1,'bedroom')")


def test_facts_from_every_source_agree(tmp_path):
    (tmp_path / "facts.lp").write_text("f145(img).\nf295(img2).\n")
    expected = ["target(img,bathroom)", "target(img2,bedroom)"]
    sources = [
        {"f145": ["img"], "f295": ["img2"]},
        [("f145", "img"), ("f295", "img2")],
        "f145(img). f295(img2).",
        tmp_path / "facts.lp",
    ]
    for facts in sources:
        r = Reasoner(FIG3, facts)
        assert r.query("target(X,C)").atoms() == expected, facts
    for engine in ("clingo", "compiled"):
        r = Reasoner(FIG3, engine=engine)
        r.add_table(np.array([[1, 0], [0, 1]]), columns=["145", "295"], ids=["img", "img2"])
        assert r.query("target(X,C)").atoms() == expected


def test_example_without_facts_is_declared():
    r = Reasoner(FIG3, {"f145": ["img"]}, engine="clingo")
    # img3 has no facts at all: a query about it makes it an example
    assert r.query("target(img3,X)").atoms() == []  # ab1(img3) holds, so no bathroom
    r.add_facts({}, examples=["img4"])
    assert r.holds("ab1(img4)")


def test_query_table_over_many_examples_is_one_call():
    rng = np.random.default_rng(1)
    table = rng.random((500, 4)) < 0.4
    ids = [f"i{k}" for k in range(500)]
    results = {}
    for engine in ("clingo", "compiled"):
        r = Reasoner(FIG3, engine=engine)
        r.add_table(table, columns=["295", "398", "145", "134"], ids=ids)
        answers = r.query("target(X,C)")
        assert answers.variables == ("X", "C") and answers.table.shape[1] == 2
        results[engine] = answers.table.tolist()
    assert results["clingo"] == results["compiled"]
    expect = sorted({(ids[i], "bedroom") for i in range(500) if table[i, 0]}
                    | {(ids[i], "bathroom") for i in range(500)
                       if not table[i, 1] and (table[i, 2] or table[i, 3])})
    assert [tuple(r) for r in results["clingo"]] == expect


def test_conjunctive_and_ground_queries():
    r = Reasoner("p(X) :- q(X).  r(X) :- q(X), not s(X).", {"q": ["a", "b"], "s": ["b"]})
    assert r.query("p(X), not s(X)").atoms() == ["p(a), not s(a)"]
    assert r.query("p(X), X != b").atoms() == ["p(a), a!=b"]
    assert len(r.query("p(a)")) == 1 and len(r.query("p(c)")) == 0


def test_anonymous_variables_under_not():
    """``not s(a,_)``: there is no s(a,...) at all; a match binding nothing is still a match."""
    rules = "t(X) :- q(X), not s(X,_).  u :- not v(_).  w :- not s(_,_)."
    r = Reasoner(rules, {"q": ["a", "b"], "s": [("a", "1")]})
    assert r.query("t(X)").atoms() == ["t(b)"]
    assert len(r.query("not s(a,_)")) == 0 and len(r.query("not s(b,_)")) == 1
    assert len(r.query("u")) == 1 and len(r.query("w")) == 0
    from nesyasp.reason import check_justification

    for atom in ("t(a)", "t(b)", "u", "w"):
        assert check_justification(r.explain(atom), r.model()) == []
    from nesyasp.reason import render_text

    assert render_text(r.explain("w")).splitlines()[1].strip() == "'s' holds (for a, and 1)."  # the witness



def test_conjunctive_answers_substitute_whole_variables():
    """``X`` is not replaced inside ``XX``, nor inside a string."""
    r = Reasoner("", {"pair": [(1, 10), (2, 20)]})
    assert r.query("pair(X,XX), Y = X+XX").atoms() == ["pair(1,10), 11=1+10", "pair(2,20), 22=2+20"]
    assert r.query('pair(X,_), Y = f(X,"X")').atoms() == ['pair(1,_), f(1,"X")=f(1,"X")',
                                                          'pair(2,_), f(2,"X")=f(2,"X")']


def test_assignments_bind_in_any_order_and_invert_linear_terms():
    """As gringo: ``Y = X+Z, Z = 1`` binds Z first; ``X = Y+1`` and ``X = 2*Y`` bind Y from a bound X."""
    r = Reasoner("s(Y) :- p(X), Y = X+Z, Z = 1.  q(Y) :- p(X), X = 2*Y.", {"p": [1, 2, 4]})
    assert r.query("p(X), Y = X+Z, Z = 1").column("Y").tolist() == ["2", "3", "5"]
    assert r.query("p(X), X = Y+1").column("Y").tolist() == ["0", "1", "3"]
    assert r.query("p(X), -Y = X").column("Y").tolist() == ["-1", "-2", "-4"]
    assert r.query("p(X), X = 2*Y").column("Y").tolist() == ["1", "2"]
    assert r.query("s(Y)").atoms() == ["s(2)", "s(3)", "s(5)"]
    from nesyasp.reason import check_justification

    for atom in ("s(2)", "s(3)", "q(1)", "q(7)"):
        assert check_justification(r.explain(atom), r.model()) == []

def test_queries_with_unbound_variables_are_errors():
    r = Reasoner("p(X) :- q(X).", {"q": ["a"]})
    for query in ("not p(X)", "p(X), not q(Y)", "p(X), Y > 2"):
        with pytest.raises(ReasoningError, match="only under 'not' or in comparisons"):
            r.query(query)


def test_constraint_violation_is_a_reasoning_error():
    r = Reasoner(":- p(X), q(X).", {"p": ["a"], "q": ["a"]})
    with pytest.raises(ReasoningError, match="no model"):
        r.model()


def test_table_is_not_modified():
    values = np.array([[True, False]])
    r = Reasoner("g(X) :- f0(X).", engine="compiled")
    r.add_table(values, ids=["a"])
    r.add_facts({"f1": ["a"]})
    r.model()
    assert values.tolist() == [[True, False]]
    assert r.holds("f1(a)")


def test_bad_table_input():
    r = Reasoner("g(X) :- f0(X).")
    with pytest.raises(ReasoningError, match="0/1"):
        r.add_table(np.array([[2]]))
    with pytest.raises(ReasoningError, match="distinct"):
        r.add_table(np.array([[1], [0]]), ids=["a", "a"])
    with pytest.raises(ReasoningError, match="predicate name"):
        r.add_table(np.array([[1]]), columns=["Bad Name"])


def test_clingo_errors_come_back_with_source_positions():
    program = parse_program("q(a).\np(X,Y) :- q(X), not r(Y).", "rules.lp")
    with pytest.raises(ReasoningError) as info:
        Reasoner(program, check=False).model()
    assert info.value.location.begin.file == "rules.lp" and info.value.location.begin.line == 2
    assert "unsafe" in info.value.message and "<block>" not in str(info.value)


def test_engine_compiled_refuses_programs_it_cannot_run():
    with pytest.raises(ReasoningError, match="recursive"):
        Reasoner("p(X) :- q(X).  q(X) :- p(X).", engine="compiled")
    with pytest.raises(ReasoningError, match="comparison"):
        Reasoner("p(X) :- v(X), X > 2.", engine="compiled")
    with pytest.raises(ReasoningError, match="not a constant"):
        Reasoner("p(X) :- v(X,N), N > 2.", engine="compiled")


def test_the_model_left_in_clingo_equals_the_model_read_into_python():
    from nesyasp.reason.clingo_model import ClingoModel
    from nesyasp.reason.model import SetModel
    from nesyasp.reason.solve import ground, solve

    r = Reasoner("reach(X,Y) :- e(X,Y). reach(X,Z) :- reach(X,Y), e(Y,Z). far(X) :- reach(X,_), not e(X,_). "
                 "e(a,b). e(b,c). e(c,a). e(c,d). n(1). n(2).")
    facts = r.facts.clingo_text(r._used_predicates())
    lazy = ClingoModel(ground(r.translation.text, facts, r.translation.locations), r.facts, r.translation)
    read = SetModel(solve(r.translation.text, facts, r.translation.locations), r.facts, r.translation)
    assert sorted(map(str, lazy.atoms())) == sorted(map(str, read.atoms()))
    a, d = clingo.Function("a"), clingo.Function("d")
    for name, arity, bound in [("reach", 2, ((0, a),)), ("reach", 2, ((1, d),)), ("reach", 2, ()),
                               ("e", 2, ((0, a), (1, d))), ("n", 1, ())]:
        assert sorted(map(str, lazy.lookup(name, arity, bound))) == sorted(map(str, read.lookup(name, arity, bound)))
    assert lazy.holds(clingo.Function("reach", [a, d])) and not lazy.holds(clingo.Function("reach", [d, a]))
    assert lazy.has_any("far", 1) == read.has_any("far", 1)
