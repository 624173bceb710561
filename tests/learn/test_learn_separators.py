"""Semicolon-, tab- and bar-separated files, detected or given, and decimal commas (``3,14``)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.learn import FoldSEM, read_csv
from nesyasp.learn import table as table_module


@pytest.mark.parametrize("sep", [";", "\t", "|", ","])
def test_the_separator_is_detected(sep):
    t = read_csv("t.csv", text=f"a{sep}b{sep}c\n1{sep}x{sep}2\n3{sep}y{sep}4\n")
    assert t.sep == sep and t.columns == ("a", "b", "c")
    assert t.cells.tolist() == [["1", "x", "2"], ["3", "y", "4"]]


def test_a_one_column_file_reads_commas():
    t = read_csv("t.csv", text="a\n1\n2\n")
    assert t.sep == "," and t.columns == ("a",)


def test_an_ambiguous_separator_names_the_candidates():
    with pytest.raises(DataError) as info:
        read_csv("t.csv", text="a,b;c\n1,2;3\n4,5;6\n")
    assert "commas (2 columns) and semicolons (2 columns)" in str(info.value) and "sep=" in str(info.value)
    # the data lines decide when only one candidate fits them all
    t = read_csv("t.csv", text="a;b,c\n1;2\n3;4\n")
    assert t.sep == ";" and t.columns == ("a", "b,c")


def test_a_given_separator_is_used_and_checked():
    assert read_csv("t.csv", text="a,b;c\n1,2;3\n", sep=",").cells.tolist() == [["1", "2;3"]]
    assert read_csv("t.csv", text="a\tb\n1\t2\n", sep="tab").sep == "\t"
    with pytest.raises(DataError, match="one character"):
        read_csv("t.csv", text="a\n1\n", sep="ab")


def test_decimal_commas_read_as_numbers_in_a_consistent_column():
    t = read_csv("t.csv", text="a;b;c\n3,5;x;1\n-0,25;y;\n12;z;?\n")
    assert t.decimal_comma == ("a",)
    assert t.column("a").num.tolist() == [3.5, -0.25, 12.0]
    assert t.column("c").num[0] == 1.0


def test_a_column_mixing_commas_and_points_keeps_its_comma_cells_as_text(caplog):
    with caplog.at_level(logging.WARNING):
        t = read_csv("t.csv", text="a;b\n3,5;x\n2.5;y\n")
    assert t.decimal_comma == () and t.cells[:, 0].tolist() == ["3,5", "2.5"]
    assert "column 'a' mixes decimal commas (3,5 on line 2) and decimal points (2.5 on line 3)" in caplog.text


def test_a_comma_file_never_reads_a_decimal_comma():
    t = read_csv("t.csv", text='a,b\n"3,5",x\n1,y\n')
    assert t.decimal_comma == () and t.cells[:, 0].tolist() == ["3,5", "1"]


def test_decimal_commas_in_quoted_and_in_many_blocks(monkeypatch):
    rows = "".join(f"{i},5;{'p' if i % 3 else 'n'}\n" + ("\n;\n" if i % 7 == 0 else "") for i in range(200))
    monkeypatch.setattr(table_module, "_BLOCK", 64)  # many blocks, blank lines and ';' lines between them
    t = read_csv("t.csv", text="a;y\n" + rows)
    assert t.n_rows == 200 and t.decimal_comma == ("a",)
    assert t.column("a").num.tolist() == [i + 0.5 for i in range(200)]
    quoted = read_csv("t.csv", text='a;y\n"1,5";"p"\n2,5;n\n')  # the csv-module path
    assert quoted.decimal_comma == ("a",) and quoted.column("a").num.tolist() == [1.5, 2.5]


def test_a_ragged_row_in_a_semicolon_file_names_its_line():
    with pytest.raises(DataError) as info:
        read_csv("t.csv", text="a;b\n1;2\n3;4;5\n")
    assert "t.csv:3:" in str(info.value) and "3 cells but the header has 2" in str(info.value)


def test_the_learner_reads_decimal_commas_as_numbers():
    text = "x;y\n" + "".join(f"{i / 10:.1f}".replace(".", ",") + f";{'hi' if i > 20 else 'lo'}\n"
                             for i in range(40))
    t = read_csv("t.csv", text=text)
    est = FoldSEM(min_gain=1).fit(t.take(["x"]), t.labels("y"))
    assert est.features_[0].kind == "numeric" and est.score(t.take(["x"]), t.labels("y")) == 1.0
    assert "N1<=2" in str(est.rules_) or "N1>2" in str(est.rules_)


def test_cli_sep_option_and_decimal_comma_message(tmp_path, capsys):
    path = tmp_path / "excel.csv"
    path.write_text("weight;y\n" + "".join(f"{i},25;{'a' if i > 9 else 'b'}\n" for i in range(30)))
    assert main(["learn", str(path), "--target", "y", "--split", "1", "--sep", ";"]) == 0
    captured = capsys.readouterr()
    assert "cells separated by semicolons (given)" in captured.err
    assert "decimal commas read as numbers in column weight" in captured.err
    assert "weight(X,N1), N1>10." in captured.out  # a number, compared
    assert main(["learn", str(path), "--target", "y", "--sep", "xy"]) == 1
    assert "DataError" in capsys.readouterr().err
    amb = tmp_path / "amb.csv"
    amb.write_text("a,b;c\n1,2;3\n")
    assert main(["learn", str(amb), "--target", "c"]) == 1
    assert "cannot tell which character separates the cells" in capsys.readouterr().err


def test_predict_table_in_another_separator(tmp_path, capsys):
    train = tmp_path / "train.csv"
    train.write_text("v;y\n" + "".join(f"{i},5;{'a' if i > 9 else 'b'}\n" for i in range(30)))
    rules = tmp_path / "rules.lp"
    assert main(["learn", str(train), "--target", "y", "--split", "1", "-o", str(rules)]) == 0
    rows = tmp_path / "rows.csv"
    rows.write_text("id;v\np1;12,5\np2;3,5\n")
    capsys.readouterr()
    assert main(["learn", "--predict", str(rows), "--rules", str(rules)]) == 0
    out = capsys.readouterr().out.split()
    assert out == ["target(p1,a)", "target(p2,b)"]
    assert np.isnan(read_csv(rows).column("id").num).all()


def test_a_decimal_comma_number_too_large_for_a_double_names_column_and_line():
    t = read_csv("t.csv", text="a;y\n1,5;p\n" + "1" * 400 + ",5;q\n2;p\n")
    with pytest.raises(DataError, match=r"column 'a', t.csv:3: the number 1111"):
        FoldSEM().fit(t.take(["a"]), t.labels("y"))
