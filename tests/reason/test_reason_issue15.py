"""Regression tests for the defects and additions of issue 15 (and the reasoner's parts of issues 13 and 18)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.cli import main
from nesyasp.errors import ReasoningError
from nesyasp.reason import Reasoner, check_justification, render_model, render_text, to_dot_many, walk
from nesyasp.lang import parse_program
from nesyasp.reason.factfile import FactFile
from nesyasp.reason.facts import FactBase, text_symbol

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str, name: str = "p.lp") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["query", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# 1 ------------------------------------------------------------------ arithmetic in heads
def test_1_arithmetic_in_a_head_is_explained(tmp_path, capsys):
    path = _write(tmp_path, "num(1). num(2). succ(X+1) :- num(X).")
    code, out, err = _run(capsys, path, "-q", "succ(X)", "--explain")
    assert code == 0 and "Error" not in err
    assert "'succ' holds (for 2), because\n       'num' holds (for 1)." in out
    code, out, _ = _run(capsys, path, "--why-not", "succ(5)")
    assert "there is no evidence that 'num' holds (for 4) (not among the facts)" in out


# 2 ------------------------------------------------------------------ decimals in facts
def test_2_decimals_in_facts_and_rules_are_exact(tmp_path, capsys):
    r = Reasoner("high(X) :- oldpeak(X,N), N > 1.15. low(X) :- oldpeak(X,N), not N > 1.15. "
                 "oldpeak(u1,1.2). oldpeak(u2,1). oldpeak(u3,1.15).")
    assert r.query("high(X)").atoms() == ["high(u1)"]
    assert r.query("low(X)").atoms() == ["low(u2)", "low(u3)"]
    assert r.query("oldpeak(X,N)").atoms() == ["oldpeak(u1,1.2)", "oldpeak(u2,1)", "oldpeak(u3,1.15)"]
    assert r.holds("oldpeak(u3,1.15)") and not r.holds("oldpeak(u3,1.1)")
    text = render_text(r.explain("high(u1)"))
    assert "1.2 is greater than 1.15" in text and "12" not in text
    facts = _write(tmp_path, "oldpeak(u4,2.25).\n", "facts.lp")  # more decimals in the facts than the program
    rules = _write(tmp_path, "high(X) :- oldpeak(X,N), N > 2.2.\n", "rules.lp")
    code, out, _ = _run(capsys, rules, facts, "-q", "high(X)", "--explain")
    assert code == 0 and "2.25 is greater than 2.2" in out


def test_2_fold_se_thresholds_checks_and_answers(capsys):
    example = str(ROOT / "examples" / "rules" / "fold_se_thresholds.lp")
    assert main(["check", example]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, example, "-q", "label(X,Y)", "--explain")
    assert code == 0 and 'label(p1,"1")' in out and "1.2 is less than or equal to 1.5" in out


# 3 ------------------------------------------------------------------ #pred per instance
def test_3_the_most_specific_matching_pred_is_used_and_never_a_wrong_one():
    r = Reasoner("#pred target(X,bedroom) :: '@(X) is a bedroom'.\n#pred target(X,kitchen) :: '@(X) is a kitchen'.\n"
                 "#pred target(X,Y) :: '@(X) is of class @(Y)'.\n"
                 "target(X,bedroom) :- bed(X). target(X,kitchen) :- oven(X). target(X,hall) :- door(X). "
                 "bed(r1). oven(r2). door(r3).")
    preds = r.translation.preds
    assert render_text(r.explain("target(r1,bedroom)"), preds).startswith("r1 is a bedroom, because")
    assert render_text(r.explain("target(r2,kitchen)"), preds).startswith("r2 is a kitchen, because")
    assert render_text(r.explain("target(r3,hall)"), preds).startswith("r3 is of class hall, because")
    only = Reasoner("#pred target(X,kitchen) :: '@(X) is a kitchen'.\ntarget(X,bedroom) :- bed(X). bed(r1).")
    text = render_text(only.explain("target(r1,bedroom)"), only.translation.preds)
    assert "kitchen" not in text and text.startswith("'target' holds (for r1, and bedroom)")


# 4 ------------------------------------------------------------------ no internal names
def test_4_anonymous_variables_read_as_underscore(tmp_path, capsys):
    path = _write(tmp_path, "parent(al,bo). has_parent(X) :- parent(_,X).")
    for fmt in ("text", "json", "dot", "model"):
        code, out, _ = _run(capsys, path, "--why-not", "has_parent(al)", "--format", fmt, "-q", "has_parent(X)")
        assert code == 0 and "_Anon" not in out, fmt
    code, out, _ = _run(capsys, path, "--why-not", "has_parent(al)")
    assert "'parent' holds (for any value, and al)" in out


# 5 ------------------------------------------------------------------ loops explicit
def test_5_positive_loops_are_explicit_in_json_and_text(tmp_path, capsys):
    path = _write(tmp_path, "p(X) :- q(X). q(X) :- p(X). q(X) :- base(X). base(a). dom(b).")
    code, out, _ = _run(capsys, path, "--why-not", "p(b)", "--format", "json")
    nodes = list(_json_nodes(json.loads(out)["answers"][0]["justification"]))
    loops = [n for n in nodes if n["because"] == "loop"]
    assert len(loops) == 1 and loops[0]["literal"] == "p(b)" and loops[0]["ref"] == nodes[0]["id"]
    assert all(n["children"] for n in nodes if n["because"] == "all_rules_fail")
    code, out, _ = _run(capsys, path, "--why-not", "p(b)")
    assert "it is assumed that there is no evidence that 'p' holds (for b)" in out


def _json_nodes(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current["children"] + current.get("holding", []))


# 6, 7 --------------------------------------------------------------- conjunctive queries; one DOT picture
def test_6_conjunctive_queries_in_every_format(tmp_path, capsys):
    path = _write(tmp_path, "a(1). a(2). a(3). c(2).")
    query = ["-q", "a(X), not c(X)"]
    code, out, _ = _run(capsys, path, *query, "--explain")
    assert "a(1), not c(1)    (X = 1)\n    'a' holds (for 1), and\n    there is no evidence that 'c' holds" in out
    code, out, _ = _run(capsys, path, *query, "--format", "json")
    data = json.loads(out)
    assert [a["justification"]["because"] for a in data["answers"]] == ["conjunction", "conjunction"]
    assert [c["literal"] for c in data["answers"][1]["justification"]["children"]] == ["a(3)", "not c(3)"]
    code, out, _ = _run(capsys, path, *query, "--format", "model")
    assert out == "{a(1), not c(1)}\n{a(3), not c(3)}\n"
    code, out, _ = _run(capsys, path, *query, "--format", "dot")
    assert out.count("digraph") == 1 and out.count("subgraph cluster_") == 2


def test_7_several_answers_make_one_dot_graph_that_graphviz_draws(tmp_path, capsys):
    path = _write(tmp_path, "e(a,b). e(b,c). p(X) :- e(X,_). q(X) :- p(X), not e(_,X).")
    code, out, _ = _run(capsys, path, "-q", "p(X)", "--why-not", "q(c)", "--format", "dot")
    assert code == 0 and out.count("digraph") == 1 and out.count("subgraph cluster_") == 3
    assert out.count("{") == out.count("}")
    if shutil.which("dot"):
        png = subprocess.run(["dot", "-Tpng"], input=out.encode(), capture_output=True, timeout=60)
        assert png.returncode == 0 and png.stdout.startswith(b"\x89PNG") and png.stdout.count(b"IEND") == 1


# 8, 9 --------------------------------------------------------------- linear why-not and semi-naive stages
def _clique(n: int) -> str:
    edges = "".join(f"edge(n{i},n{j}). " for i in range(n) for j in range(n) if i != j)
    return "reach(X,Y) :- edge(X,Y).\nreach(X,Y) :- edge(X,Z), reach(Z,Y).\nnode(z).\n" + edges


@pytest.mark.parametrize("rule", ["reach(X,Y) :- edge(X,Z), reach(Z,Y).", "reach(X,Y) :- reach(X,Z), reach(Z,Y)."])
def test_8_why_not_on_cyclic_graphs_is_small_and_valid(rule):
    sizes = []
    for n in (4, 8, 12):
        r = Reasoner(_clique(n).replace("reach(X,Y) :- edge(X,Z), reach(Z,Y).", rule))
        node = r.explain("reach(n0,z)")
        assert check_justification(node, r.model()) == []
        sizes.append(sum(1 for _ in walk(node)))
    assert sizes[2] <= 4 * sizes[1] + 10  # no blow-up with n (it was exponential)
    forced = Reasoner(_clique(8))  # every refuted atom once, shared, also under an open loop
    justifier = forced.justifier()
    for k in range(8):
        node = forced.explain(f"reach(n{k},z)")
        assert check_justification(node, forced.model()) == []
    assert len(justifier._entries) < 60


def test_9_recursive_atoms_get_linear_proofs():
    n = 120
    chain = "reach(X,Y) :- edge(X,Y).\nreach(X,Y) :- reach(X,Z), edge(Z,Y).\n" + \
        "".join(f"edge(n{i},n{i + 1}). " for i in range(n))
    r = Reasoner(chain)
    node = r.explain(f"reach(n0,n{n})")
    assert check_justification(node, r.model()) == []
    assert sum(1 for _ in walk(node)) == 2 * n + 0  # one rule node and one edge fact per step
    assert len(r.justifier().stages()) <= n + 1  # only the atoms the proof needs got a stage


# 10, 11 ------------------------------------------------------------- wording
def test_10_assignments_show_their_arithmetic():
    r = Reasoner("num(1). next(X,Y) :- num(X), Y = X+1.")
    node = r.explain("next(1,2)")
    assert node.children[1].literal == "2=1+1" and "2 is equal to 1+1" in render_text(node)


def test_11_no_rule_head_matches_is_said_so():
    r = Reasoner("node(a). node(b). same(X,X) :- node(X).")
    node = r.explain("same(a,b)")
    assert node.because == "no_rule" and node.note == "no rule head matches it, and it is not among the facts"
    assert check_justification(node, r.model()) == []


# 12 ----------------------------------------------------------------- scale: slices and fast facts
def test_12_one_example_is_explained_from_its_own_facts(tmp_path, monkeypatch):
    rules = "target(X,c1) :- f1(X), not ab(X). target(X,c2) :- not f1(X), not f2(X). ab(X) :- f3(X).\n"
    facts = "% images\n" + "".join(f"_example(img{i}). f{i % 4}(img{i}). f3(img{i + 1}).\n" for i in range(300))
    (tmp_path / "rules.lp").write_text(rules)
    (tmp_path / "facts.lp").write_text(facts)
    monkeypatch.setattr("nesyasp.reason.reasoner.LAZY_BYTES", 100)
    lazy = Reasoner(tmp_path / "rules.lp")
    lazy.add_facts(tmp_path / "facts.lp")
    whole = Reasoner(rules + facts)
    for image in ("img5", "img8", "img9", "img299"):
        assert lazy.query(f"target({image},X)").atoms() == whole.query(f"target({image},X)").atoms()
        for cls in ("c1", "c2"):
            assert render_text(lazy.explain(f"target({image},{cls})")) == \
                render_text(whole.explain(f"target({image},{cls})"))
    assert lazy._pending, "explaining one image did not read the whole file"
    assert lazy.query("target(X,C)").table.tolist() == whole.query("target(X,C)").table.tolist()
    assert not lazy._pending


def test_12_the_fast_facts_reader_equals_the_parser(tmp_path):
    text = ("% facts\n_example(e1). f1(e1). f2(e1).  f1(e2).\nage(e1,42). w(e2,1.5). flag. n(-3). k(7).\n"
            "_example(e3).\n")
    (tmp_path / "f.lp").write_text(text)
    fast, slow = FactBase(), FactBase()
    FactFile(tmp_path / "f.lp").load(fast)
    slow.add_program(parse_program(text))
    atoms = {str(a) for a in fast.symbols} | {f"{c}({i})" for t in fast.tables for k, i in enumerate(t.texts)
                                                 for j, c in enumerate(t.columns) if t.values[k, j]}
    assert atoms == {str(a) for a in slow.symbols if a.name != "_example"}
    assert fast.examples() | {text_symbol(t) for tb in fast.tables for t in tb.texts} >= slow.examples()
    assert fast.decimals == slow.decimals == {("w", 2, 1): 1}
    (tmp_path / "g.lp").write_text('s("a b"). f(g(1)).\n')  # a string, a function term: read fast, alike
    g, fast_g = FactFile(tmp_path / "g.lp"), FactBase()
    assert g.simple and g._load_fast(fast_g)
    assert {str(a) for a in fast_g.symbols} == {'s("a b")', "f(g(1))"}
    (tmp_path / "h.lp").write_text("f(g(h(1))).\n")  # two levels of function terms: the parser reads it
    h = FactFile(tmp_path / "h.lp")
    assert not (h.simple and h._load_fast(FactBase()))


# 13 ----------------------------------------------------------------- unsatisfiable programs
def test_13_a_violated_constraint_is_named_with_its_atoms_and_position(tmp_path, capsys):
    path = _write(tmp_path, "p(a). p(b). q(b).\nr(X) :- p(X), not q(X).\n:- r(X), p(X).\n")
    with pytest.raises(ReasoningError) as info:
        Reasoner(Path(path)).model()
    message = str(info.value)
    assert f"{path}:3:1" in message and ":- r(X), p(X)." in message and "r(a), p(a)" in message
    violation = Reasoner(Path(path)).violations()[0]
    assert violation.instance == ":- r(a), p(a)." and [c.literal for c in violation.justification.children] == \
        ["r(a)", "p(a)"]
    code, out, err = _run(capsys, path, "-q", "p(X)", "--explain")
    assert code == 1 and "ReasoningError" in err and "'r' holds (for a), because" in out
    code, out, err = _run(capsys, path, "-q", "p(X)", "--format", "json")
    assert code == 1 and json.loads(out)["violations"][0]["instance"] == ":- r(a), p(a)."


# additions ------------------------------------------------------------------------------
def test_failing_bodies_can_show_the_part_that_holds(tmp_path, capsys):
    path = _write(tmp_path, "t(X,c) :- f100(X), f12(X), not ab(X). ab(X) :- f7(X). f100(i3). f12(i3). f7(i3).")
    code, out, _ = _run(capsys, path, "--why-not", "t(i3,c)", "--detail", "holding")
    assert "'f100' holds (for i3), and\n       'f12' holds (for i3),\n       but 'ab' holds (for i3), because" in out
    code, out, _ = _run(capsys, path, "--why-not", "t(i3,c)")
    assert "f100" not in out
    code, out, _ = _run(capsys, path, "--why-not", "t(i3,c)", "--detail", "holding", "--format", "json")
    child = json.loads(out)["answers"][0]["justification"]["children"][0]
    assert [h["literal"] for h in child["holding"]] == ["f100(i3)", "f12(i3)"]
    assert child["refutes"] == "t(i3,c) :- f100(i3), f12(i3), not ab(i3)."


def test_all_proofs_lists_every_derivation(tmp_path, capsys):
    path = _write(tmp_path, "p(X) :- q(X). p(X) :- r(X), not s(X). q(a). r(a). r(b).")
    code, out, _ = _run(capsys, path, "-q", "p(a)", "--all-proofs")
    assert "proof 1 of 2:" in out and "proof 2 of 2:" in out
    r = Reasoner(Path(path))
    assert [p.rule for p in r.proofs("p(a)")] == ["p(a) :- q(a).", "p(a) :- r(a), not s(a)."]
    assert [p.rule for p in r.proofs("p(b)")] == ["p(b) :- r(b), not s(b)."]
    loop = Reasoner("p(X) :- e(X). p(X) :- q(X). q(X) :- p(X). e(a).")
    assert [p.rule for p in loop.proofs("p(a)")] == ["p(a) :- e(a)."]  # q(a) needs p(a): not a proof of it


def test_why_not_with_variables_explains_every_missing_instance(tmp_path, capsys):
    path = _write(tmp_path, "target(X,bedroom) :- f1(X), not ab(X). target(X,kitchen) :- f2(X), not ab(X). "
                  "target(X,bath) :- f3(X). ab(X) :- f9(X), f8(X). f1(img9). f2(img9). f8(img9). f9(img9). "
                  "f3(img1).")
    code, out, _ = _run(capsys, path, "--why-not", "target(img9,X)")
    assert "% why not target(img9,bedroom):" in out and "% why not target(img9,kitchen):" in out
    assert "% why not target(img9,bath):" in out and "(justified above)" in out  # ab(img9) shown once
    code, out, _ = _run(capsys, path, "--why-not", "target(img1,X)", "--format", "json")
    data = json.loads(out)
    assert sorted(a["atom"] for a in data["answers"]) == ["target(img1,bedroom)", "target(img1,kitchen)"]
    assert data["holds"] == ["target(img1,bath)"]


def test_one_wording_whatever_the_other_facts():
    rules = "t(X) :- f1(X), not f2(X)."
    alone = Reasoner(rules, {"f1": ["a"]})
    among = Reasoner(rules, {"f1": ["a", "b"], "f2": ["b"]})
    assert render_text(alone.explain("t(a)")) == render_text(among.explain("t(a)"))
    assert "(not among the facts)" in render_text(alone.explain("t(a)"))


def test_facts_table_label_column_is_the_true_class_and_left_out(tmp_path, capsys, caplog):
    table = tmp_path / "test.csv"
    table.write_text("id,f0,f1,label\ntest_0000,1,0,kitchen\ntest_0001,0,1,bathroom\n")
    rules = _write(tmp_path, "target(X,kitchen) :- f0(X). target(X,bathroom) :- f1(X).")
    code, out, err = _run(capsys, rules, "--facts-table", str(table), "-q", "target(X,C)")
    assert code == 0 and "target(test_0000,kitchen)" in out and "target(test_0001,bathroom)" in out
    assert "'label' holds the true class" in caplog.text
    caplog.clear()
    binary = tmp_path / "binary.csv"
    binary.write_text("id,label\na,1\n")
    code, out, err = _run(capsys, _write(tmp_path, "p(X) :- label(X)."), "--facts-table", str(binary), "-q", "p(X)")
    assert code == 0 and "p(a)" in out and "true class" not in caplog.text


def test_a_query_on_an_undefined_predicate_warns(tmp_path, capsys, caplog):
    path = _write(tmp_path, "p(a). q(X) :- p(X).")
    code, out, err = _run(capsys, path, "-q", "nosuch(X)")
    assert code == 0 and "nosuch/1 is not defined" in caplog.text and "0 answers" in out
    caplog.clear()
    code, out, err = _run(capsys, path, "-q", "q(X)", "--why-not", "p(b)")
    assert "not defined" not in caplog.text


def test_partial_model_and_json_of_a_why_not_with_shared_nodes():
    r = Reasoner(_clique(4))
    trees = r.explain_many(["reach(n1,z)", "reach(n2,z)"])
    assert "shared" in {n.because for n in walk(trees[1])}
    assert render_model(trees).startswith("{not reach(n1,z)")
    assert to_dot_many(trees).count("style=dashed, constraint=false") >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab(),\n %.\té", max_size=40))
def test_fast_text_checks_of_facts_files_agree_with_their_regular_expressions(text):
    """The split-fact and comment checks run in one C pass each; they say what the regular expressions say."""
    from nesyasp.reason.factfile import _COMMENT, _split_fact, _without_comments

    assert _split_fact(text) == (re.search(r"\([^)\n]*\n", text) is not None)
    assert _without_comments(text) == _COMMENT.sub("", text)
    many = text + "%x\n" * 1001  # past 1,000 comments: the regular expression itself
    assert _without_comments(many) == _COMMENT.sub("", many)
