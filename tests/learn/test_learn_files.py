"""What ``nesyasp learn`` writes is plain ASP: clingo alone derives the learner's classes from it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from nesyasp.cli import main

from .helpers import cli_fit, clingo_alone

HEART = Path(__file__).resolve().parents[2] / "examples" / "tables" / "heart.csv"


def test_heart_rules_and_facts_ground_in_plain_clingo_with_predicts_classes(tmp_path, capsys):
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(HEART), "--target", "label", "-o", str(rules), "--facts-out", str(facts)]) == 0
    capsys.readouterr()
    derived = clingo_alone(rules, facts)
    est, table, names = cli_fit(HEART)  # the same fit as the CLI's (seed 0 split)
    predicted = est.predict(table.take(names))
    ids = table.column("id").parsed(True).num.astype(int)
    assert {str(i): str(p) for i, p in zip(ids, predicted)} == derived
    text = rules.read_text()
    # clingo has no #pred: annotations are comments
    assert all(line.startswith("%") for line in text.splitlines() if "#pred" in line)


def test_hand_written_facts_in_original_units(tmp_path, capsys):
    rules = tmp_path / "rules.lp"
    assert main(["learn", str(HEART), "--target", "label", "-o", str(rules)]) == 0
    patient = tmp_path / "patient.lp"
    patient.write_text("age(p1,63). sex(p1). chest_pain(p1,4). blood_pressure(p1,145). serum_cholestoral(p1,233).\n"
                       "resting_electrocardiographic_results(p1,2). maximum_heart_rate_achieved(p1,150).\n"
                       "exercise_induced_angina(p1). oldpeak(p1,2.3). slope(p1,3). major_vessels(p1,0). thal(p1,6).\n"
                       "age(p2,41). chest_pain(p2,2).\n")
    capsys.readouterr()
    assert main(["learn", "--predict", str(patient), "--rules", str(rules)]) == 0
    answers = capsys.readouterr().out.split()
    # the same patients as a table in the learner: the same classes
    est, _, names = cli_fit(HEART)
    row = {n: "" for n in names}
    p1 = dict(row, age=63, sex=1, chest_pain=4, blood_pressure=145, serum_cholestoral=233,
              resting_electrocardiographic_results=2, maximum_heart_rate_achieved=150, exercise_induced_angina=1,
              oldpeak=2.3, slope=3, major_vessels=0, thal=6, fasting_blood_sugar=0)
    expected = est.predict(np.asarray([[p1[n] for n in names]], dtype=object))[0]
    assert f"target(p1,{expected})" in answers
    assert main(["learn", "--predict", str(patient), "--rules", str(rules), "--explain"]) == 0
    captured = capsys.readouterr()
    # reasons in the facts' own units and column names (the oldpeak 2.3 is a decimal, read exactly)
    # each comparison in one sentence with p1's own value (learn/brief.py)
    assert re.search(r"the \w+ of p1 \((63|145|233|2|150|2\.3|3|0|6|4)\) is (greater|less) than (or equal to )?"
                     r"[\d.]+(, and|\.)$", captured.out, re.M)
    assert "p2 has no fact for" in captured.err  # p2 leaves out most columns


def test_predict_on_a_csv_table_with_the_column_names(tmp_path, capsys):
    rules = tmp_path / "rules.lp"
    assert main(["learn", str(HEART), "--target", "label", "-o", str(rules), "--split", "1"]) == 0
    capsys.readouterr()
    assert main(["learn", "--predict", str(HEART), "--rules", str(rules)]) == 0
    answers = capsys.readouterr().out.split()
    assert len(answers) == 270 and all(a.startswith("target(") for a in answers)


@pytest.mark.parametrize("header", ["not,_example,Target,label", "1st,é,a b,label", "x,x,X,label"])
def test_awkward_column_names_are_renamed_and_the_files_run(tmp_path, capsys, header):
    rows = [header]
    for i in range(60):
        rows.append(f"{i % 7},{'red' if i % 3 else 'blue'},{-5_000_000_000 + i},{'yes' if i % 7 > 3 else 'no'}")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n")
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(path), "--target", "label", "-o", str(rules), "--facts-out", str(facts),
                 "--split", "1"]) == 0
    assert main(["check", str(rules)]) == 0
    capsys.readouterr()
    derived = clingo_alone(rules, facts)
    assert len(derived) == 60 and set(derived.values()) <= {"yes", "no"}


def test_background_from_the_command_line(tmp_path, capsys):
    rows = ["left,right,label"] + [f"c{i % 9},c{(i * 7) % 9 if i % 2 else i % 9},{'m' if i % 2 == 0 or (i * 7) % 9 == i % 9 else 'o'}"
                                  for i in range(200)]
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(rows) + "\n")
    bg = tmp_path / "bg.lp"
    bg.write_text("same(X) :- left(X,C), right(X,C).\n")
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(path), "--target", "label", "--background", str(bg), "-o", str(rules),
                 "--facts-out", str(facts), "--split", "1", "--categorical", "left,right"]) == 0
    captured = capsys.readouterr()
    assert "background columns: same" in captured.err
    text = rules.read_text()
    assert "same(X)" in text and "same(X) :- left(X,C), right(X,C)." in text
    derived = clingo_alone(rules, facts)
    assert derived and set(derived.values()) <= {"m", "o"}


@pytest.mark.parametrize("argv, needle", [
    (["learn", "--predict", "x.lp"], "--predict FACTS needs --rules RULES"),
    (["learn", "--rules", "x.lp"], "--predict FACTS needs --rules RULES"),
    (["learn", "t.csv"], "give a training table and --target COLUMN"),
])
def test_predict_and_learn_options_are_checked(capsys, argv, needle):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError") and needle in err


def test_predict_needs_a_rules_file_written_by_learn(tmp_path, capsys):
    other = tmp_path / "other.lp"
    other.write_text("target(X,a) :- p(X).\n")
    facts = tmp_path / "f.lp"
    facts.write_text("p(x1).\n")
    assert main(["learn", "--predict", str(facts), "--rules", str(other)]) == 1
    assert "not a rules file written by `nesyasp learn -o`" in capsys.readouterr().err
