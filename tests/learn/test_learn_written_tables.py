"""Regression tests from held-out checks of ``nesyasp learn`` on tables it did not make: what ``-o``,
``--facts-out`` and ``--predict TABLE`` read and write, and CSV files it reads."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.learn import FoldSEM, read_csv

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


def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_read(tmp_path, capsys):
    text = "a;b;label\r" + "".join(f"{i};\"x\ry\";{'hi' if i > 20 else 'lo'}\r" for i in range(40))
    table = read_csv("mac.csv", text=text)  # was csv.Error: new-line character seen in unquoted field
    assert table.n_rows == 40 and table.sep == ";" and table.take(["b"]).cells[0, 0] == "x\ny"
    path = tmp_path / "mac.csv"
    path.write_bytes(text.encode())
    assert main(["learn", str(path), "--target", "label", "--split", "1", "--json"]) == 0
    assert '"accuracy": 1.0' in capsys.readouterr().out


def test_a_table_of_the_target_alone_says_there_is_no_column_to_learn_from(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("label\n" + "".join(f"{'hi' if i > 20 else 'lo'}\n" for i in range(40)), encoding="utf-8")
    assert main(["learn", str(path), "--target", "label"]) == 1  # was 'the table has 0 rows but there are 40 labels'
    assert "no column to learn from: the table's columns are 'label'" in capsys.readouterr().err
    with pytest.raises(DataError, match="the table has no columns"):
        FoldSEM().fit(read_csv(path).take([]), ["a", "b"] * 20)


def test_explanations_name_an_example_of_a_string_id_alike_in_every_sentence(tmp_path, capsys):
    table, rules = tmp_path / "t.csv", tmp_path / "r.lp"
    table.write_text("id,price,label\n" + "".join(f"ID-{i},{i * 10},{'dear' if i > 20 else 'cheap'}\n"
                                                   for i in range(40)), encoding="utf-8")
    assert main(["learn", str(table), "--target", "label", "--split", "1", "-o", str(rules)]) == 0
    capsys.readouterr()
    assert main(["learn", "--predict", str(table), "--rules", str(rules), "--explain"]) == 0
    text = capsys.readouterr().out
    assert "the price of ID-25 (250) is greater than" in text and '"ID-' not in text  # was: the price of "ID-25"


def test_plain_clingo_grounds_order_coded_decimals_without_undefined_operations(tmp_path):
    import clingo

    rng = np.random.default_rng(3)
    amounts = (500 + rng.uniform(0, 1, 120)).round(3)  # the cut point between two decimals: not an integer
    (tmp_path / "t.csv").write_text("amount,late\n" + "".join(f"{a},{'yes' if a > 500.5 else 'no'}\n" for a in amounts))
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(tmp_path / "t.csv"), "--target", "late", "-o", str(rules),
                 "--facts-out", str(facts)]) == 0
    assert "code(" in facts.read_text() and "V*" in rules.read_text()  # decimals as order codes, a scaled rule
    messages = []
    ctl = clingo.Control(logger=lambda code, text: messages.append(text))
    ctl.load(str(rules))
    ctl.load(str(facts))
    ctl.ground([("base", [])])
    with ctl.solve(yield_=True) as handle:
        model = next(iter(handle))
        targets = [s for s in model.symbols(shown=True) if s.name == "target"]
    assert len(targets) == 120 and not any("undefined" in m for m in messages)
