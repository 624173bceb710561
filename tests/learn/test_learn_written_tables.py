"""Regression tests from held-out checks of ``nesyasp learn`` on tables it did not make: what ``-o``,
``--facts-out`` and ``--predict TABLE`` read and write."""

from __future__ import annotations

import numpy as np

from nesyasp.cli import main

from .helpers import clingo_alone


def _predicted(capsys, *args: str) -> dict[str, str]:
    assert main(["learn", "--predict", *args]) == 0
    out = capsys.readouterr().out.split()
    return {a[len("target("):].split(",")[0]: a.rstrip(")").split(",")[1] for a in out}


def test_predict_on_a_table_reads_a_declared_categorical_column_as_written(tmp_path, capsys):
    rng = np.random.default_rng(0)
    zips = rng.choice(["02134", "02139", "10001", "07030"], 120)
    rows = [f"{z},{rng.integers(0, 9)},{'cam' if z == '02134' else 'other'}" for z in zips]
    table, rules, facts = tmp_path / "t.csv", tmp_path / "r.lp", tmp_path / "f.lp"
    table.write_text("zip,n,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["learn", str(table), "--target", "label", "--categorical", "zip", "--split", "1", "-o", str(rules),
                 "--facts-out", str(facts)]) == 0
    capsys.readouterr()
    learned = clingo_alone(rules, facts)
    assert sorted(learned.values()).count("cam") == int((zips == "02134").sum())
    assert _predicted(capsys, str(table), "--rules", str(rules)) == learned  # was 'other' everywhere: 02134 read as 2134


def test_rules_and_facts_files_never_replace_a_users_file(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("a,label\n" + "".join(f"{i},{'hi' if i > 20 else 'lo'}\n" for i in range(40)), encoding="utf-8")
    mine, facts, rules = tmp_path / "patient.lp", tmp_path / "f.lp", tmp_path / "r.lp"
    mine.write_text("a(p1,30).\n", encoding="utf-8")
    learn = ["learn", str(table), "--target", "label", "--split", "1"]
    for flags in (["-o", str(mine)], ["-o", str(rules), "--facts-out", str(mine)]):
        assert main([*learn, *flags]) == 1  # was written over
        assert "exists and is not a" in capsys.readouterr().err and mine.read_text() == "a(p1,30).\n"
    assert main([*learn, "-o", str(rules), "--facts-out", str(facts)]) == 0
    assert main([*learn, "-o", str(rules), "--facts-out", str(facts)]) == 0  # its own files are written again
    assert len(clingo_alone(rules, facts)) == 40
    facts.write_text("_example(r2).\na(r2,3).\n", encoding="utf-8")  # a facts file of earlier versions
    assert main([*learn, "-o", str(rules), "--facts-out", str(facts)]) == 0


def test_predict_reads_a_tab_separated_table_as_training_does(tmp_path, capsys):
    table, rules = tmp_path / "t.tsv", tmp_path / "r.lp"
    table.write_text("a\tlabel\n" + "".join(f"{i}\t{'hi' if i > 20 else 'lo'}\n" for i in range(40)), encoding="utf-8")
    assert main(["learn", str(table), "--target", "label", "--split", "1", "-o", str(rules)]) == 0
    capsys.readouterr()
    classes = _predicted(capsys, str(table), "--rules", str(rules))  # was a ParseError: the table read as facts
    assert classes == {f"r{i + 2}": "hi" if i > 20 else "lo" for i in range(40)}
