"""``nesyasp learn`` from the command line."""

from __future__ import annotations

import json

import pytest

from nesyasp.cli import main


@pytest.fixture
def table(tmp_path):
    rows = ["age,color,f12,label"]
    for i in range(60):
        age = 20 + i % 30
        color = ("red", "green", "?")[i % 3]
        f12 = i % 2
        label = "yes" if (age > 30 and f12) else "no"
        rows.append(f"{age},{color},{f12},{label}")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_json_output_and_rules_file(table, tmp_path, capsys):
    out = tmp_path / "rules.lp"
    assert main(["learn", str(table), "--target", "label", "--json", "-o", str(out), "--seed", "1"]) == 0
    captured = capsys.readouterr()
    figures = json.loads(captured.out)
    assert set(figures) == {"accuracy", "n_rules", "n_literals", "fit_seconds", "n_train", "n_test"}
    assert figures["n_train"] == 48 and figures["n_test"] == 12
    assert "numeric columns: age" in captured.err and "binary columns: f12" in captured.err
    text = out.read_text()
    assert "target(X,yes)" in text and "f12(X)" in text


def test_test_file_and_label_alias(table, capsys):
    assert main(["learn", str(table), "--label", "label", "--test", str(table), "--heuristic", "ig",
                 "--categorical", "color"]) == 0
    captured = capsys.readouterr()
    assert "target(X," in captured.out
    assert "test accuracy 1.0000" in captured.err


@pytest.mark.parametrize("content, needle", [
    ("", "the file is empty"),
    ("a,label\n1,x\n2\n", ":3:"),
    ("a,label\n1,x\n2,x\n", "single class"),
    ("a,b,label\n,1,x\n,2,y\n", "'a' has no values"),
])
def test_bad_input_is_one_clear_line(tmp_path, capsys, content, needle):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["learn", str(path), "--target", "label", "--split", "1"]) == 1
    err = capsys.readouterr().err
    assert "DataError" in err and needle in err and str(path) in err and "Traceback" not in err


def test_missing_target_column(table, capsys):
    assert main(["learn", str(table), "--target", "nope"]) == 1
    assert "no column named 'nope'" in capsys.readouterr().err


def test_row_identifiers_and_ignored_columns_are_left_out(tmp_path, capsys):
    rows = ["id,age,name,label"] + [f"{i},{20 + i},n{i % 7},{'yes' if 20 + i > 40 else 'no'}" for i in range(60)]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["learn", str(path), "--target", "label", "--ignore", "name"]) == 0
    captured = capsys.readouterr()
    assert "ignored column: id" in captured.err
    assert "id(" not in captured.out and "name(" not in captured.out and "age(X,N1)" in captured.out
    assert captured.out.endswith("\n")
    assert main(["learn", str(path), "--target", "label", "--numeric", "id,age"]) == 0
    assert "ignored column" not in capsys.readouterr().err
    assert main(["learn", str(path), "--target", "label", "--ignore", "nope"]) == 1
    assert "--ignore names no column 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--ratio", "-1"], ["--tail", "-0.5"], ["--tail", "2"], ["--ratio", "nan"],
                                    ["--ratio", "inf"]])
def test_learner_options_out_of_range(table, capsys, option):
    assert main(["learn", str(table), "--target", "label", *option]) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError: --ratio must be a finite number >= 0 and --tail in [0, 1]") and "internal error" not in err


def test_output_that_would_overwrite_an_input_or_cannot_be_written(table, tmp_path, capsys):
    before = table.read_text()
    assert main(["learn", str(table), "--target", "label", "-o", str(table)]) == 1
    assert "-o names an input file" in capsys.readouterr().err
    assert main(["learn", str(table), "--target", "label", "--test", str(table), "-o", str(table)]) == 1
    assert table.read_text() == before
    assert main(["learn", str(table), "--target", "label", "-o", str(tmp_path)]) == 1
    assert "-o names a folder" in capsys.readouterr().err
    missing = tmp_path / "no" / "rules.lp"
    assert main(["learn", str(table), "--target", "label", "-o", str(missing)]) == 1
    assert f"no folder {missing.parent}" in capsys.readouterr().err
