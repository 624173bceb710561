"""``nesyasp query``."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from nesyasp.cli import main

FIGURE3 = Path(__file__).resolve().parents[2] / "examples" / "figure3"
RAW, IMAGES = str(FIGURE3 / "raw.lp"), str(FIGURE3 / "images.lp")


def test_query_text_and_explain(capsys):
    assert main(["query", RAW, IMAGES, "target(img,X)", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("target(img,bathroom)    (X = bathroom)\n")
    assert "there is no evidence that img is an exception to the bathroom rule, because" in out
    assert out.rstrip().endswith("% 1 answer to target(img,X)")


def test_query_json_and_why_not(capsys):
    assert main(["query", RAW, IMAGES, "-q", "target(img,X)", "--why-not", "target(img,kitchen)",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answers"][0]["justification"]["because"] == "rule"
    assert data["why_not"][0]["justification"]["because"] == "all_rules_fail"
    assert main(["query", RAW, IMAGES, "--why-not", "target(img,kitchen)", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "target(img,kitchen)" and data["answers"][0]["justification"]["holds"] is False


def test_query_model_and_dot(capsys):
    assert main(["query", RAW, IMAGES, "-q", "target(img,X)", "--format", "model"]) == 0
    assert capsys.readouterr().out == "{target(img,bathroom), not f398(img), not ab1(img), f145(img)}\n"
    assert main(["query", RAW, IMAGES, "-q", "target(img,X)", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph justifications {")


def test_facts_table(tmp_path, capsys):
    table = tmp_path / "filters.csv"
    table.write_text("id,295,398,145,134\na,1,0,0,0\nb,0,0,1,0\nc,0,1,0,0\n")
    assert main(["query", RAW, "--facts-table", str(table), "-q", "target(X,C)"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["target(a,bedroom)    (X = a, C = bedroom)", "target(b,bathroom)    (X = b, C = bathroom)"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,295\na,7\n")
    assert main(["query", RAW, "--facts-table", str(bad), "-q", "target(X,C)"]) == 1
    assert f"{bad}:2:2" in capsys.readouterr().err


@pytest.mark.parametrize("content, where, message", [
    ("id,295\na,1\na,0\n", ":3:1", "example id 'a' again (first on line 2)"),
    ("id,295\n,1\n", ":2:1", "an empty example id"),
    ("id,295,f295\na,1,0\n", ":1:3", "column 'f295' is predicate f295 again (first in column 2)"),
    ("id,1x\na,1\n", ":1:2", "column '1x' is not a predicate name"),
])
def test_facts_table_ids_and_columns(tmp_path, capsys, content, where, message):
    table = tmp_path / "t.csv"
    table.write_text(content)
    assert main(["query", RAW, "--facts-table", str(table), "-q", "target(X,C)"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"DataError: {table}{where}: error: ") and message in err


@pytest.mark.parametrize("content", ["id,295\na," + "x" * 5000 + "\n", "id,1" + "y" * 4999 + "\na,1\n",
                                     "id,295\n" + "z" * 5000 + ",1\n" + "z" * 5000 + ",0\n"])
def test_facts_table_errors_quote_long_cells_briefly(tmp_path, capsys, content):
    table = tmp_path / "t.csv"
    table.write_text(content)
    assert main(["query", RAW, "--facts-table", str(table), "-q", "target(X,C)"]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert "(5,000 characters)" in first and len(first) < 300, first


@pytest.mark.parametrize("argv, message", [
    (["query", RAW, "missing.lp", "-q", "target(img,X)"], "no such file"),
    (["query", RAW, str(FIGURE3), "-q", "target(img,X)"], "a folder, not a rule or fact file"),
    (["query", RAW, IMAGES], "give a query"),
    (["query", RAW, IMAGES, "target(img,X"], "ParseError"),
])
def test_query_errors(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--why-not" in out and "_example(X)" in out


def test_programs_path_names_the_shipped_program(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.lp").write_text("round(0,100). accuracy(0,97).\n")
    assert main(["query", "facts.lp", "programs/lth.lp", "-q", "round(R,P)"]) == 0
    assert "round(0,100)" in capsys.readouterr().out
    assert main(["query", "facts.lp", "programs/nope.lp", "-q", "round(R,P)"]) == 1
    assert "no such file: programs/nope.lp" in capsys.readouterr().err


def test_query_says_what_makes_a_missing_run_file_and_refuses_a_table(tmp_path, capsys):
    # were "no such file: RUN/rules.lp" and, for a CSV table, a ParseError at its first comma
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text("{}")
    assert main(["query", str(run / "rules.lp"), str(run / "facts" / "test.lp"), "-q", "target(X,C)"]) == 1
    assert f"no such file: {run / 'rules.lp'} (the run is not extracted yet: nesyasp extract {run})" in \
        capsys.readouterr().err
    (run / "rules.lp").write_text("p.\n")
    assert main(["query", str(run / "labelled_rules.lp"), "-q", "p"]) == 1
    assert f"(the run is not labelled yet: nesyasp label {run})" in capsys.readouterr().err
    assert main(["query", RAW, str(tmp_path / "nope.lp"), "-q", "p"]) == 1
    assert capsys.readouterr().err.strip().endswith("nope.lp")  # not a run's file: no hint
    table = tmp_path / "heart.csv"
    table.write_text("id,age\np1,63\n")
    assert main(["query", RAW, str(table), "-q", "target(X,C)"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ReasoningError: {table}: a table, not a rule or fact file: give a 0/1 table with "
                          f"--facts-table {table}") and f"nesyasp learn --predict {table} --rules RULES" in err
    spaced = tmp_path / "my runs" / "r"
    spaced.mkdir(parents=True)
    (spaced / "config.json").write_text("{}")
    assert main(["query", str(spaced / "rules.lp"), "-q", "p"]) == 1
    said = capsys.readouterr().err.rsplit("nesyasp extract ", 1)[1].rstrip().rstrip(")")
    assert shlex.split(said) == [str(spaced)]  # a path to paste into a shell


@pytest.mark.parametrize("joined", [False, True])  # True: a program the reasoner does not slice per example
def test_a_query_about_an_example_no_fact_names_is_warned(tmp_path, capsys, caplog, joined):
    rules = tmp_path / "rules.lp"
    rules.write_text("target(X,yes) :- _example(X), age(X,A), A > 40.\n"
                     "target(X,no) :- _example(X), not target(X,yes).\n"
                     + ("old(X) :- age(X,A), age(Y,B), A > B.\n" if joined else ""))
    facts = tmp_path / "facts.lp"
    facts.write_text("".join(f"_example(p{i}). age(p{i},{30 + 5 * i}).\n" for i in range(5)))
    assert main(["query", str(rules), str(facts), "-q", "target(p4,X)"]) == 0
    assert "target(p4,yes)" in capsys.readouterr().out and "no fact names" not in caplog.text
    assert main(["query", str(rules), str(facts), "-q", "target(p44,X)", "--explain"]) == 0
    assert "target(p44,no)" in capsys.readouterr().out and "p44: no fact names this example" in caplog.text
    caplog.clear()
    assert main(["query", str(rules), str(facts), "-q", "target(X,yes)"]) == 0
    assert "no fact names" not in caplog.text
    assert main(["query", str(rules), "-q", "target(p1,X)"]) == 0  # no facts at all: nothing to compare with
    assert "no fact names" not in caplog.text
