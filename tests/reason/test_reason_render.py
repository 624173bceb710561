"""Renderers: English, partial model, JSON schema, networkx and DOT; and the Figure 3 example script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nesyasp.reason import (Reasoner, answers_json, render_json, render_model, render_text, to_dot,
                            to_networkx)

ROOT = Path(__file__).resolve().parents[2]
RULES = """
#pred target(X,Y) :: '@(X) is classified as @(Y)'.
target(X,bedroom) :- f295(X).
target(X,bathroom) :- not f398(X), not ab1(X).
ab1(X) :- not f145(X), not f134(X).
old(X) :- age(X,N), N > 30.
"""


@pytest.fixture(scope="module")
def reasoner():
    return Reasoner(RULES, {"f145": ["img"], "age": [("img", 42)]})


def test_english_uses_pred_and_default_wording(reasoner):
    text = render_text(reasoner.explain("target(img,bathroom)"), reasoner.translation.preds)
    assert text.splitlines() == [
        "img is classified as bathroom, because",
        "   there is no evidence that 'f398' holds (for img) (not among the facts), and",
        "   there is no evidence that 'ab1' holds (for img), because",
        "      'f145' holds (for img).",
    ]
    assert render_text(reasoner.explain("target(img,bathroom)")).startswith(
        "'target' holds (for img, and bathroom), because")
    assert "42 is greater than 30" in render_text(reasoner.explain("old(img)"))


def test_partial_model(reasoner):
    node = reasoner.explain("target(img,bathroom)")
    assert render_model(node) == "{target(img,bathroom), not f398(img), not ab1(img), f145(img)}"


REQUIRED = {"literal", "holds", "because", "rule", "children"}
OPTIONAL = {"id", "ref", "refutes", "location", "note", "holding", "except"}


def _check_schema(node: dict) -> None:
    assert REQUIRED <= set(node) <= REQUIRED | OPTIONAL
    assert node["because"] in {"fact", "rule", "comparison", "no_rule", "all_rules_fail", "negation", "loop",
                               "shared", "conjunction"}
    assert isinstance(node["holds"], bool) and (node["rule"] is None) == (node["because"] != "rule")
    assert ("ref" in node) == (node["because"] in ("loop", "shared"))
    for child in node["children"] + node.get("holding", []):
        _check_schema(child)


def test_json_has_the_exact_schema(reasoner):
    triples = reasoner.explain_query("target(img,X)")
    data = json.loads(render_json("target(img,X)", triples))
    assert set(data) == {"query", "answers"} and data["query"] == "target(img,X)"
    (answer,) = data["answers"]
    assert answer["atom"] == "target(img,bathroom)" and answer["bindings"] == {"X": "bathroom"}
    _check_schema(answer["justification"])
    assert set(answer["justification"]) == REQUIRED  # an answer's root keeps exactly the old keys
    assert answer["justification"]["children"][2]["literal"] == "not ab1(img)"
    why_not = answers_json("target(img,bedroom)", [("target(img,bedroom)", {}, reasoner.explain("target(img,bedroom)"))])
    _check_schema(why_not["answers"][0]["justification"])
    assert why_not["answers"][0]["justification"]["holds"] is False


def test_graph_and_dot(reasoner):
    node = reasoner.explain("target(img,bathroom)")
    graph = to_networkx(node)
    assert graph.number_of_nodes() == 8 and graph.number_of_edges() == 7
    assert graph.nodes[0]["literal"] == "target(img,bathroom)"
    dot = to_dot(node)
    assert dot.startswith("digraph justification {") and dot.count("->") == 7
    assert '"not ab1(img) (negation)"' in dot


def test_figure3_example_runs():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "figure3.py")], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "checked against clingo's model: valid" in result.stdout
    assert "a sink is visible in img." in result.stdout


def test_a_number_below_the_empty_string_reads_as_a_number():
    from nesyasp.reason import Reasoner

    r = Reasoner('p(X) :- v(X,N), N < "".  q(X) :- v(X,N), not N < "".', {"v": [("a", 3), ("b", "x")]})
    assert "3 is a number" in render_text(r.explain("p(a)"))
    assert render_text(r.explain("q(a)")).splitlines()[1].strip() == "3 is a number, and"  # why 'not N < ""' fails


def test_an_empty_string_value_is_shown_as_quotes():
    from nesyasp.reason import Reasoner

    r = Reasoner("#pred age(X,N) :: 'the age of @(X) is @(N)'.\nold(X) :- age(X,N), N > 60.", {"age": [("a", "")]})
    assert 'the age of a is ""' in render_text(r.explain("age(a,\"\")"), r.translation.preds)
