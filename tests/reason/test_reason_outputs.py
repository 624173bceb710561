"""The outputs as users and tools read them: JSON (a schema, bounded nesting, strings), DOT, text, and the
``--all-proofs`` and ``--limit`` variants of ``nesyasp query``."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import clingo
import pytest

from nesyasp.cli import main
from nesyasp.reason import Document, Node, Reasoner, answers_json, node_to_dict, render_json, render_text, to_dot
from nesyasp.reason.node import MAX_NESTING, references, rejoin
from nesyasp.reason.render import dumps

from .independent_check import check_document
from .schema_check import validate
from .test_reason_independent import everything

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "programs"
SCHEMA = json.loads((ROOT / "docs" / "justification.schema.json").read_text())
CHAIN = "reach(X,Y) :- edge(X,Y).\nreach(X,Y) :- edge(X,Z), reach(Z,Y).\n"
STRINGS = r'''#pred p(X) :: "@(X) is first line\nand second line".
p(X) :- q(X), X != "b".
q("a\"b"). q("c\\d"). q("é ✓ 日本"). q("x\ny"). q("<b>&amp;</b>"). q(a).
r :- not p(zz).
'''


def chain(n: int) -> str:
    return CHAIN + "".join(f"edge(n{i},n{i + 1}).\n" for i in range(n))


def nesting(value: Any) -> int:
    """Levels of JSON nesting (an object or array is one; the document itself counts)."""
    best, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            best = max(best, level)
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return best


def flat(tree: dict) -> list[tuple]:
    """The nodes of a JSON tree in pre-order, without their children (comparing deep trees without recursion)."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        out.append(tuple(sorted((k, json.dumps(v)) for k, v in node.items() if k not in ("children", "holding"))))
        items = []
        for child in node["children"]:
            items.extend(child.get("holding", []))
            items.append(child)
        stack.extend(reversed(items))
    return out


def query_json(capsys, *argv: str) -> dict:
    assert main(["query", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def document(program: str, queries, why_not, detail: str) -> dict:
    """A whole output (answers with all their proofs, then why-nots) as ``nesyasp query`` prints it."""
    r = Reasoner(program, engine="clingo")
    doc = Document(r.justifier(), detail)
    answers, proofs = [], []
    for q in queries:
        for atom, bindings, node in r.explain_answers(q, doc):
            answers.append((atom, bindings, node))
            proofs.append(r.proofs_in(doc, atom))
    why = [(e.atom, e.bindings, e.node) for w in why_not for e in r.why_not(w, detail, doc)[0]]
    referenced = references([n for _, _, n in answers + why] + [p for ps in proofs for p in ps])
    cut: list[dict] = []
    out = answers_json("; ".join(queries), answers, proofs, referenced, cut)
    out["why_not"] = answers_json("", why, referenced=referenced, continuations=cut)["answers"]
    return json.loads(dumps(out, cut))


# ------------------------------------------------------------------ deep trees

def test_a_deep_tree_in_json_nests_at_most_max_nesting_and_rejoins_to_the_whole_tree():
    r = Reasoner(chain(600), engine="clingo")
    node = r.explain("reach(n0,n600)")
    data = json.loads(render_json("reach(n0,n600)", [("reach(n0,n600)", {}, node)]))  # RecursionError before
    assert nesting(data) <= MAX_NESTING
    assert len(data["continuations"]) >= 12 and validate(data, SCHEMA) == []
    assert [c["continues"] for c in data["continuations"]] == list(range(1, len(data["continuations"]) + 1))
    whole = rejoin(data)
    assert "continuations" not in whole
    assert flat(whole["answers"][0]["justification"]) == flat(node_to_dict(node))
    assert len(flat(node_to_dict(node))) == 1200


def test_a_deep_tree_from_the_cli_parses_with_jq_and_passes_the_independent_checker(tmp_path, capsys):
    program = chain(300)  # 600 levels of JSON: more than jq 1.6 parses
    path = tmp_path / "chain.lp"
    path.write_text(program)
    text_path = tmp_path / "out.json"
    assert main(["query", str(path), "-q", "reach(n0,n300)", "--format", "json"]) == 0
    text_path.write_text(capsys.readouterr().out)
    data = json.loads(text_path.read_text())
    assert nesting(data) <= MAX_NESTING and validate(data, SCHEMA) == []
    assert check_document(program, data) == []
    assert len(text_path.read_text()) < 600_000  # indentation no longer grows with the depth (was 2.9 MB)
    if shutil.which("jq"):  # jq 1.6 parses at most 256 levels
        run = subprocess.run(["jq", ".continuations | length", str(text_path)], capture_output=True, text=True)
        assert run.returncode == 0 and int(run.stdout) == len(data["continuations"]), run.stderr


def test_a_shallow_tree_is_not_cut():
    r = Reasoner(chain(5), engine="clingo")
    data = json.loads(render_json("reach(n0,n5)", [("reach(n0,n5)", {}, r.explain("reach(n0,n5)"))]))
    assert "continuations" not in data and rejoin(data) == data


def test_deep_trees_as_text_and_dot_have_every_node():
    r = Reasoner(chain(600), engine="clingo")
    node = r.explain("reach(n0,n600)")
    lines = render_text(node).splitlines()
    assert len(lines) == 1200
    assert lines[-1] == "   " * 600 + "'edge' holds (for n599, and n600)."
    dot = to_dot(node)
    assert len(re.findall(r"^\s*n_\d+ \[label=", dot, re.M)) == 1200
    if shutil.which("dot"):
        run = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr


# ------------------------------------------------------------------ the schema

def _corpus() -> list[Path]:
    return [p for p in sorted(CORPUS.glob("*.lp")) if p.read_text().startswith("% expected: ok")]


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_tree_of_the_golden_corpus_follows_the_documented_schema(path):
    program = path.read_text()
    try:
        Reasoner(program, engine="clingo")
    except Exception as error:  # programs with #include are read from their file
        pytest.skip(f"not a stand-alone program: {error}")
    true, false = everything(program, limit=20)
    signatures = sorted({(s.name, len(s.arguments)) for s in map(clingo.parse_term, true)})
    queries = [f"{name}({','.join(f'V{i}' for i in range(n))})" if n else name for name, n in signatures[:4]]
    data = document(program, queries + true[:10], false[:10], "holding")
    assert validate(data, SCHEMA) == [], data
    assert nesting(data) <= MAX_NESTING
    ids = [n["id"] for n in _nodes(data) if "id" in n]
    assert len(ids) == len(set(ids))


def _nodes(document: dict) -> list[dict]:
    """Every node of a document, in the order it is printed."""
    out, stack = [], [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "literal" in value and "because" in value:
                out.append(value)
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return out


def test_the_schema_refuses_what_the_documents_must_not_hold():
    node = {"literal": "p", "holds": True, "because": "fact", "rule": None, "children": []}
    assert validate({"query": "p", "answers": [{"atom": "p", "bindings": {}, "justification": node}]}, SCHEMA) == []
    bad = [{**node, "because": "guess"}, {**node, "holds": "yes"}, {**node, "extra": 1},
           {k: v for k, v in node.items() if k != "rule"}, {**node, "id": 0}, {**node, "children": [{"literal": 1}]}]
    for b in bad:
        assert validate({"answers": [{"atom": "p", "bindings": {}, "justification": b}]}, SCHEMA), b


# ------------------------------------------------------------------ strings

@pytest.fixture()
def strings(tmp_path) -> Path:
    path = tmp_path / "strings.lp"
    path.write_text(STRINGS, encoding="utf-8")
    return path


def test_strings_with_quotes_backslashes_unicode_and_line_breaks_in_json(strings, capsys):
    data = query_json(capsys, str(strings), "-q", "p(X)", "--why-not", "p(zz)", "--all-proofs")
    assert validate(data, SCHEMA) == []
    atoms = [a["atom"] for a in data["answers"]]
    assert atoms == sorted(atoms) and len(atoms) == 6
    assert {'p("a\\"b")', 'p("c\\\\d")', 'p("é ✓ 日本")', 'p("x\\ny")', 'p("<b>&amp;</b>")', "p(a)"} == set(atoms)
    assert {a["bindings"]["X"] for a in data["answers"]} >= {'"a\\"b"', '"x\\ny"'}
    assert check_document(re.sub(r"#pred[^\n]*\n", "", STRINGS), data) == []  # clingo reads no #pred


def _dot_labels(dot: str) -> tuple[list[str], list[str]]:
    names = re.findall(r"^\s*(\w+) \[label=", dot, re.M)
    labels = [html.unescape(re.sub(r"\\(.)", r"\1", m)) for m in re.findall(r'label="((?:[^"\\]|\\.)*)"', dot)]
    return names, labels


def test_dot_escapes_labels_and_graphviz_shows_them_as_they_are(strings, capsys):
    assert main(["query", str(strings), "-q", "p(X)", "--why-not", "p(zz)", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    names, labels = _dot_labels(dot)
    assert len(names) == len(set(names)) == 20  # 6 answers of 3 nodes, a why-not of 2
    assert 'p("a\\"b") (rule)' in labels and 'q("x\\ny") (fact)' in labels and 'q("c\\\\d") (fact)' in labels
    if not shutil.which("dot"):
        pytest.skip("graphviz is not installed")
    run = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", run.stdout.decode())]
    assert sorted(shown) == sorted(labels)
    assert 'q("<b>&amp;</b>") (fact)' in shown  # Graphviz read &amp; in a label as &


def test_a_graph_name_that_is_no_identifier_is_quoted():
    dot = to_dot(Node("p", True, "fact"), name='why "p"')
    assert dot.startswith('digraph "why \\"p\\"" {')
    if shutil.which("dot"):
        assert subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True).returncode == 0


# ------------------------------------------------------------------ text

def test_a_multi_line_pred_text_keeps_the_indentation_of_its_node(strings, capsys):
    assert main(["query", str(strings), "-q", "r", "--explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:5] == ["       there is no evidence that zz is first line",
                          "       and second line, because",
                          "          there is no evidence that 'q' holds (for zz) (not among the facts)."]


def test_every_line_of_a_text_tree_is_indented_by_its_depth(strings):
    held = Reasoner('#pred ab(X) :: "@(X) is\\nabnormal".\np(X) :- a(X), not ab(X).\nab(X) :- b(X).\na(3). b(3).\n')
    text = render_text(held.explain("p(3)", detail="holding"), held.translation.preds, detail="holding")
    assert text.splitlines() == ["there is no evidence that 'p' holds (for 3), because", "   'a' holds (for 3),",
                                 "   but 3 is", "   abnormal, because", "      'b' holds (for 3)."]
    r = Reasoner(strings)
    text = render_text(r.explain("r"), r.translation.preds, indent="  ")
    assert text.splitlines() == ["'r' holds, because", "  there is no evidence that zz is first line",
                                 "  and second line, because",
                                 "    there is no evidence that 'q' holds (for zz) (not among the facts)."]
    text = render_text(r.explain('p("x\\ny")'), r.translation.preds)
    assert text.splitlines() == ['"x\\ny" is first line', "and second line, because",
                                 "   'q' holds (for \"x\\ny\"), and", '   "x\\ny" is not equal to "b".']


# ------------------------------------------------------------------ --all-proofs, --limit

PROOFS = "p(1) :- a(1).\np(1) :- s.\np(2) :- s.\ns :- t.\nt.\na(1).\n"


def test_all_proofs_are_numbered_in_the_order_they_are_shown(tmp_path, capsys):
    path = tmp_path / "proofs.lp"
    path.write_text(PROOFS)
    data = query_json(capsys, str(path), "-q", "p(X)", "--all-proofs")
    assert check_document(PROOFS, data) == []  # a proof of p(1) pointed to a node of p(2)'s tree, printed later
    seen = set()
    for node in _nodes(data):
        assert node.get("ref", 0) in seen | {0}
        seen.add(node.get("id"))
    assert main(["query", str(path), "-q", "p(X)", "--all-proofs"]) == 0
    text = capsys.readouterr().out
    assert "'t' holds." in text  # shown once, where it is first needed (it was never shown)


def test_all_proofs_in_dot_and_model_show_every_proof(tmp_path, capsys):
    path = tmp_path / "two.lp"
    path.write_text("p(X) :- a(X).\np(X) :- b(X), not c(X).\na(1). b(1). a(2). b(3). c(2).\n")
    assert main(["query", str(path), "-q", "p(X)", "--all-proofs", "--format", "model"]) == 0
    assert capsys.readouterr().out.splitlines() == ["{p(1), a(1)}", "{p(1), b(1), not c(1)}", "{p(2), a(2)}",
                                                    "{p(3), b(3), not c(3)}"]
    assert main(["query", str(path), "-q", "p(X)", "--all-proofs", "--format", "dot"]) == 0
    titles = re.findall(r'^\s*label="([^"]*)";', capsys.readouterr().out, re.M)
    assert titles == ["p(1), proof 1 of 2", "p(1), proof 2 of 2", "p(2)", "p(3)"]


def test_limit_explains_only_the_answers_it_prints(tmp_path, capsys):
    path = tmp_path / "limit.lp"
    program = "p(X) :- a(X), s(X).\ns(X) :- b(X).\na(1). b(1). a(2). b(2).\nw :- not s(2).\n"
    path.write_text(program)
    data = query_json(capsys, str(path), "-q", "p(X)", "--limit", "1", "--why-not", "w")
    assert [a["atom"] for a in data["answers"]] == ["p(1)"]
    ids = {n["id"] for n in _nodes(data) if "id" in n}
    assert all(n["ref"] in ids for n in _nodes(data) if "ref" in n)  # the why-not pointed into p(2)'s tree
    assert check_document(program, data) == []
    assert main(["query", str(path), "-q", "p(X)", "--limit", "1", "--explain"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "% 1 of 2 answers to p(X)"
    assert main(["query", str(path), "-q", "p(X)", "--limit", "5"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "% 2 answers to p(X)"


def test_a_deep_tree_with_holding_literals_at_every_level_is_cut_and_rejoined():
    node = Node("leaf", True, "fact")
    for k in range(300):  # every level: a refuted instance whose child carries the body literals that hold
        held = Node(f"h{k}", True, "rule", children=(Node(f"g{k}", True, "fact"),), ident=k + 1)
        child = Node(f"c{k}", False, "all_rules_fail", children=(node,), holding=(held,))
        node = Node(f"n{k}", False, "all_rules_fail", children=(child,))
    cut: list[dict] = []
    data = json.loads(dumps({"answers": [{"atom": "n", "bindings": {}, "justification": node_to_dict(node, (), cut)}]},
                            cut))
    assert nesting(data) <= MAX_NESTING and validate(data, SCHEMA) == []
    assert flat(rejoin(data)["answers"][0]["justification"]) == flat(node_to_dict(node, ()))


def test_the_violations_document_follows_the_schema(tmp_path, capsys):
    path = tmp_path / "violated.lp"
    path.write_text("p(a). r(a). p(b). r(b).\nq(X) :- p(X).\n:- r(X), q(X).\n")
    assert main(["query", str(path), "-q", "q(X)", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["violations"]) == 2 and validate(data, SCHEMA) == []
