"""Queries that users write and that once failed: ``_`` in a query, ground queries over numbers, odd strings."""

from __future__ import annotations

import json

import clingo
import pytest

from nesyasp.cli import main
from nesyasp.lang.ast import Atom, Integer, Variable
from nesyasp.reason import Reasoner, check_justification, render_text
from nesyasp.reason.rows import pattern_rows

from .independent_check import check_document
from .test_reason_independent import document

EDGES = "edge(1,2). edge(1,3). edge(2,3). edge(4,4). node(X) :- edge(X,_). node(X) :- edge(_,X).\n"
FACTS = "edge(1,2). edge(1,3). edge(2,3). edge(4,4).\n"  # the compiled path (a model of arrays)


@pytest.mark.parametrize("program, engine", [(EDGES, "clingo"), (FACTS, "compiled"), (FACTS, "clingo")])
def test_anonymous_variable_in_a_query_projects_the_answers(program, engine):
    r = Reasoner(program, engine=engine)
    answers = r.query("edge(X,_)")
    assert answers.table.tolist() == [["1"], ["2"], ["4"]]  # once each, as clingo's edge(X,_) gives them
    assert answers.atoms() == ["edge(1,_)", "edge(2,_)", "edge(4,_)"]
    assert r.query("edge(_,_)").atoms() == ["edge(_,_)"]


def test_anonymous_variable_in_a_query_is_explained_by_an_instance():
    r = Reasoner(EDGES, engine="clingo")
    explained = r.explain_query("edge(X,_)")
    assert [(atom, str(node.literal)) for atom, _, node in explained] == [
        ("edge(1,_)", "edge(1,2)"), ("edge(2,_)", "edge(2,3)"), ("edge(4,_)", "edge(4,4)")]
    (atom, _, node), = r.explain_query("edge(X,_), not edge(_,X)")
    assert atom == "edge(1,_), not edge(_,1)" and node.because == "conjunction"
    assert [c.literal for c in node.children] == ["edge(1,2)", "not edge(_,1)"]
    for _, _, tree in r.explain_query("node(X), edge(X,_), X > 1"):
        assert check_justification(tree, r.model()) == []
        assert "_Anon" not in render_text(tree)


def test_anonymous_variable_in_a_query_passes_the_independent_check():
    doc = document(EDGES, ["edge(X,_)", "edge(X,_), not edge(_,X)", "node(X), not edge(X,_)", "edge(_,_)"],
                   ["edge(3,_)"])
    assert check_document(EDGES, doc) == []


def test_anonymous_variable_in_a_query_from_the_cli(tmp_path, capsys):
    rules = tmp_path / "e.lp"
    rules.write_text(EDGES)
    for fmt in ("text", "json", "model", "dot"):
        assert main(["query", str(rules), "-q", "edge(X,_), X > 1", "--explain", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert ("edge(2,3)" in out or "for 2, and 3" in out) and "_Anon" not in out
    assert main(["query", str(rules), "-q", "edge(X,_)", "--format", "json", "--explain"]) == 0
    assert [a["justification"]["literal"] for a in json.loads(capsys.readouterr().out)["answers"]] == [
        "edge(1,2)", "edge(2,3)", "edge(4,4)"]


def test_ground_and_integer_patterns_are_matched_on_the_text():
    atoms = [clingo.Function("r", [clingo.Number(a), clingo.Number(b)]) for a, b in
             [(0, 3), (0, 30), (-1, 3), (3, 0), (0, -3)]]
    r = lambda *args: Atom("r", tuple(args))  # noqa: E731
    X = Variable("X")
    assert pattern_rows(r(Integer(0), Integer(3)), (), atoms) == [()]
    assert pattern_rows(r(Integer(0), X), ("X",), atoms) == [("3",), ("30",), ("-3",)]
    assert pattern_rows(r(Integer(-1), X), ("X",), atoms) == [("3",)]
    assert pattern_rows(r(X, Integer(-3)), ("X",), atoms) == [("0",)]


def test_ground_query_over_a_recursive_numeric_relation():
    chain = "".join(f"e({i},{i + 1}). " for i in range(60)) + "r(X,Y) :- e(X,Y). r(X,Y) :- r(X,Z), e(Z,Y).\n"
    r = Reasoner(chain, engine="clingo")
    assert r.query("r(0,60)").atoms() == ["r(0,60)"]
    assert len(r.query("r(0,61)")) == 0
    assert r.query("r(X,60), X > 57").atoms() == ["r(58,60), 58>57", "r(59,60), 59>57"]


def test_strings_with_line_breaks_stay_on_one_line_of_the_explanation():
    r = Reasoner('name(a,"line\\nbreak"). name(b,"Living Room"). name(c,""). named(X) :- name(X,_).\n')
    lines = [render_text(node) for _, _, node in r.explain_query("named(X)")]
    assert "'name' holds (for a, and \"line\\nbreak\")" in lines[0] and len(lines[0].splitlines()) == 2
    assert "'name' holds (for b, and Living Room)" in lines[1]
    assert "'name' holds (for c, and \"\")" in lines[2]


@pytest.mark.parametrize("query, found", [("v(a,1.5)", 1), ("v(a,1.50)", 1), ("v(b,2.0)", 1), ("v(c,-0.25)", 1),
                                          ("v(a,2)", 0), ("w(a)", 1), ("w(c)", 0)])
def test_ground_queries_over_decimals(query, found):
    r = Reasoner("v(a,1.5). v(b,2). v(c,-0.25). w(X) :- v(X,N), N > 1.2.\n", engine="clingo")
    assert len(r.query(query)) == found


EDGE_VALUES = [-2147483648, -2147483647, -7, -3, -2, -1, 0, 1, 2, 3, 7, 2147483647]


def test_division_never_kills_the_process_and_agrees_with_clingo():
    # clingo traps (SIGFPE) on -2147483648 / -1 and \ -1; nesyasp's clingo text avoids that division and
    # wraps the quotient as clingo's other operations wrap; every other pair is clingo's own value
    pairs = [(a, b) for a in EDGE_VALUES for b in EDGE_VALUES]
    program = "".join(f"pair({a},{b}). " for a, b in pairs) + \
        "d(A,B,Q) :- pair(A,B), Q = A/B. m(A,B,R) :- pair(A,B), R = A\\B. h(Q) :- Q = (-2147483647-1)/(-1).\n"
    r = Reasoner(program, engine="clingo")
    ours = {tuple(row) for row in r.query("d(A,B,Q)").table} | {("m",) + tuple(row) for row in r.query("m(A,B,R)").table}
    assert r.query("h(Q)").atoms() == ["h(-2147483648)"]
    assert ("-2147483648", "-1", "-2147483648") in ours and ("m", "-2147483648", "-1", "0") in ours
    safe = [(a, b) for a, b in pairs if (a, b) != (-2147483648, -1)]
    control = clingo.Control(["--warn=none"])
    control.add("base", [], "".join(f"pair({a},{b}). " for a, b in safe) +
                "d(A,B,Q) :- pair(A,B), Q = A/B. m(A,B,R) :- pair(A,B), R = A\\B.")
    control.ground([("base", [])])
    theirs: set[tuple[str, ...]] = set()
    control.solve(on_model=lambda m: theirs.update(
        (("m",) if s.name == "m" else ()) + tuple(str(a) for a in s.arguments)
        for s in m.symbols(atoms=True) if s.name in ("d", "m")))
    assert ours - {("-2147483648", "-1", "-2147483648"), ("m", "-2147483648", "-1", "0")} == theirs
    for _, _, node in r.explain_query("d(-2147483648,B,Q)"):
        assert check_justification(node, r.model()) == []


@pytest.mark.parametrize("atom, sentence", [
    ("byzero(7,1)", "1=7/0 is undefined (a division by zero)"),
    ("mz(0,0)", "0=7\\0 is undefined (a division by zero)"),  # was "it is not the case that 0 is equal to 7\0"
    ("mz(a,0)", "0=7\\a is undefined (a value is not a number)"),
    ("mz(7,5)", "it is not the case that 5 is equal to 7\\7"),
])
def test_undefined_arithmetic_is_named_in_why_not(atom, sentence):
    r = Reasoner("v(7). v(0). v(a). byzero(X,Y) :- v(X), Y = X/0. mz(X,Y) :- v(X), Y = 7\\X.\n")
    node = r.explain(atom)
    assert sentence in render_text(node)
    assert check_justification(node, r.model()) == []


UNIFY = "q(f(1,2)). q(g). q(f(3,0)). q(circle(1)). p(X,Y) :- q(X), f(_,Y) = X, Y > 1. round(S) :- q(S), S = circle(_).\n"


def test_function_patterns_in_equations_bind_as_in_clingo():
    r = Reasoner(UNIFY, engine="clingo")
    assert r.query("p(X,Y)").atoms() == ["p(f(1,2),2)"] and r.query("round(S)").atoms() == ["round(circle(1))"]
    tree = r.explain("round(circle(1))")
    assert "circle(1) is equal to circle(1)" in render_text(tree)  # the value '_' matched, not circle(_)
    why = render_text(r.explain("round(g)"))
    assert "it is not the case that g is equal to circle(_)" in why and "undefined" not in why
    for atom in ("round(circle(1))", "round(g)", "p(f(1,2),2)", "p(g,2)", "p(f(3,0),0)"):
        assert check_justification(r.explain(atom), r.model()) == [], atom
    doc = document(UNIFY, ["p(X,Y)", "round(S)"], ["round(g)", "p(g,Y)", "p(f(3,0),Y)"])
    assert check_document(UNIFY, doc) == []


def test_all_proofs_of_an_answer_with_anonymous_variable(tmp_path, capsys):
    rules = tmp_path / "e.lp"
    rules.write_text(EDGES)
    assert main(["query", str(rules), "-q", "edge(1,_)", "--all-proofs", "--format", "json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)["answers"]
    assert [p["literal"] for p in answer["proofs"]] == ["edge(1,2)", "edge(1,3)"]


def test_negated_symbols_are_terms_as_in_clingo():
    # p(-a) was an internal error (AttributeError): -a is clingo's symbol Function("a", positive=False)
    program = "p(-a). p(b). p(-f(1)). r(Y) :- p(X), Y = -X. q(X) :- p(X), not p(-X). s(X) :- p(-X).\n"
    r = Reasoner(program, engine="clingo")
    assert r.query("p(X)").atoms() == ["p(-a)", "p(-f(1))", "p(b)"]
    assert r.query("r(Y)").atoms() == ["r(-b)", "r(a)", "r(f(1))"]
    assert r.query("q(X)").atoms() == ["q(-a)", "q(-f(1))", "q(b)"]
    assert r.query("s(X)").atoms() == ["s(-b)", "s(a)", "s(f(1))"]
    for atom in ("r(a)", "q(-a)", "s(a)", "q(a)", "s(b)"):
        assert check_justification(r.explain(atom), r.model()) == [], atom
