"""Regression tests from hand-made nasty tables: what ``nesyasp learn`` writes, explains and predicts on them.

Each test is a defect found by feeding odd tables (odd labels, headers, delimiters, rows without facts) to
``nesyasp learn``, the estimator and the written program in plain clingo.
"""

from __future__ import annotations

import json

import numpy as np

from nesyasp.cli import main
from nesyasp.lang import check_program, parse_program
from nesyasp.learn import FoldSEM, read_csv
from nesyasp.learn.emit import class_term

from .helpers import clingo_alone


def _learn(tmp_path, capsys, text: str, *extra: str) -> tuple[dict[str, str], str, str]:
    """``nesyasp learn T --target y --split 1 -o --facts-out``: (plain clingo's classes, rules text, stderr)."""
    table, rules, facts = tmp_path / "t.csv", tmp_path / "rules.lp", tmp_path / "facts.lp"
    table.write_text(text, encoding="utf-8")
    assert main(["learn", str(table), "--target", "y", "--split", "1", "-o", str(rules), "--facts-out", str(facts),
                 "--json", *extra]) == 0
    err = capsys.readouterr().err
    return clingo_alone(rules, facts), rules.read_text(encoding="utf-8"), err


def test_a_catch_all_alone_grounds_in_plain_clingo(tmp_path, capsys):
    # nothing to learn (5 classes of 12 rows, no column tells them apart): the program is the catch-all alone,
    # an empty-body rule that needs the example domain like any other (it was written unguarded: unsafe X)
    text = "a,y\n" + "".join(f"{i % 3},{'pqrst'[i % 5]}\n" for i in range(60))
    classes, rules, _ = _learn(tmp_path, capsys, text)
    check_program(parse_program(rules), example_guard=False)
    label = classes["r2"]
    assert f"target(X,{label}) :- _example(X)." in rules
    assert classes == {f"r{i + 2}": label for i in range(60)}


def test_class_labels_are_read_as_written(tmp_path, capsys):
    # 007 stayed 7, and 01 and 1.0 were one class "1" (a single class: no learning at all)
    text = "a,y\n" + "".join(f"{i},{'01' if i < 20 else ('1.0' if i < 40 else '007')}\n" for i in range(60))
    classes, rules, _ = _learn(tmp_path, capsys, text)
    assert set(classes.values()) == {'"01"', '"1.0"', '"007"'}
    assert classes["r2"] == '"01"' and classes["r30"] == '"1.0"' and classes["r50"] == '"007"'
    test = tmp_path / "test.csv"
    test.write_text("a,y\n5,01\n45,007\n", encoding="utf-8")
    assert main(["learn", str(tmp_path / "t.csv"), "--target", "y", "--test", str(test), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0


def test_a_class_label_with_a_line_break_keeps_the_file_plain_asp(tmp_path, capsys):
    # the comment above a rule named the class raw: its line break ended the comment, the rest was a syntax error
    text = "a,y\n" + "".join(f"{i},{chr(34) + 'cls' + chr(10) + 'A' + chr(34) if i < 20 else 'b'}\n"
                             for i in range(40))
    classes, rules, _ = _learn(tmp_path, capsys, text)
    check_program(parse_program(rules), example_guard=False)
    assert 'class "cls\\nA":' in rules
    assert sorted(classes.values()) == ['"cls\\nA"'] * 20 + ["b"] * 20


def test_a_repeated_header_name_is_one_feature(tmp_path, capsys, caplog):
    # the learner got the first column twice (as x and x_2) under one name
    text = "x,x,y\n" + "".join(f"{i},{i % 5},{'p' if i < 20 else 'n'}\n" for i in range(40))
    _, _, err = _learn(tmp_path, capsys, text)
    assert "numeric columns: x\n" in err and "duplicate column name 'x' (column 2)" in caplog.text


def test_predict_on_a_table_answers_rows_without_facts(tmp_path, capsys):
    # a row whose 0/1 cells are all 0 has no fact: `--predict TABLE.csv` left it out without a word
    text = "p,q,y\n" + "".join(f"{i % 2},{(i // 2) % 2},{'a' if i % 4 == 0 else 'b'}\n" for i in range(40))
    classes, rules, _ = _learn(tmp_path, capsys, text)
    assert main(["learn", "--predict", str(tmp_path / "t.csv"), "--rules", str(tmp_path / "rules.lp")]) == 0
    answers = capsys.readouterr().out.split()
    assert len(answers) == 40 and sorted(answers) == sorted(f"target({e},{c})" for e, c in classes.items())


def test_predict_on_a_table_without_a_column_names_the_file(tmp_path, capsys):
    _learn(tmp_path, capsys, "age,y\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(40)))
    other = tmp_path / "other.csv"
    other.write_text("weight\n3\n")
    assert main(["learn", "--predict", str(other), "--rules", str(tmp_path / "rules.lp")]) == 1
    assert f"DataError: {other}: the table has no column 'age'" in capsys.readouterr().err


def test_query_facts_table_of_values_points_to_learn_predict(tmp_path, capsys):
    _learn(tmp_path, capsys, "age,y\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(40)))
    table = tmp_path / "rows.csv"
    table.write_text("id,age\np1,60\n")
    assert main(["query", str(tmp_path / "rules.lp"), "--facts-table", str(table), "-q", "target(X,C)"]) == 1
    err = capsys.readouterr().err
    assert f"{table}:2:2" in err and "nesyasp learn --predict" in err


def test_a_semicolon_or_tab_file_is_read_and_says_which_separator_it_has(tmp_path, capsys):
    # regression: a ';' or tab file was only diagnosed; now it is read, and stderr says which separator
    for sep, word in ((";", "semicolons"), ("\t", "tabs")):
        path = tmp_path / "t.csv"
        path.write_text(f"a{sep}y\n" + "".join(f"{i}{sep}{'p' if i > 10 else 'n'}\n" for i in range(30)))
        assert main(["learn", str(path), "--target", "y", "--split", "1"]) == 0
        err = capsys.readouterr().err
        assert f"cells separated by {word} (detected)" in err
        # told to read commas, the single-column header still says what the file holds
        assert main(["learn", str(path), "--target", "y", "--sep", ","]) == 1
        err = capsys.readouterr().err
        assert "no column named 'y'" in err and f"separate its cells with {word}" in err


def test_explain_text_of_a_refuted_rule_states_values_not_codes(tmp_path):
    # a refuted rule's false pattern b(x,N1) read "the b of x is any N1 other than 1", 1 being b's order code
    path = tmp_path / "t.csv"
    path.write_text("b,y\n" + "".join(f"{i % 4},{'p' if i % 4 else 'n'}\n" for i in range(40)))
    table = read_csv(path)
    X, y = table.take(["b"]), table.labels("y")
    est = FoldSEM().fit(X, y)
    row = np.asarray([["0"]], dtype=object)
    assert est.predict(row)[0] == "n" and str(class_term("n")) == "n"
    text = est.explain_text(row[0])
    assert "N1" not in text and "other than" not in text
    assert "the b of x (0) is less than or equal to 0" in text


def test_minus_inf_next_to_the_lowest_double_is_no_crash(tmp_path):
    # N =< -inf was written as the threshold -inf.0 (no finite double lies below -1.797e308): a bare ValueError
    cells = ["-inf", "-1.7976931348623157e308", "0", "5"] * 10
    X = np.asarray([[c] for c in cells], dtype=object)
    y = np.asarray(["n", "p", "p", "p"] * 10)
    est = FoldSEM(min_gain=1).fit(X, y)
    assert "inf" not in str(est.rules_)
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    from nesyasp.learn.plain import plain_facts, plain_rules

    rules.write_text(plain_rules(est))
    facts.write_text(plain_facts(est, X))
    assert clingo_alone(rules, facts) == {f"e{i}": str(class_term(p)) for i, p in enumerate(est.predict(X))}


def test_explanations_of_exceptions_and_huge_numbers_read_as_numbers():
    # an exception refuted by one column listed the other column's pattern as "any N1 other than <code>", and
    # 1e-300 printed as 300 zeros
    rows = [[str(a), str(b)] for a in (0, 1, 2, 3) for b in ("1e-300", "1e-5", "2e300", "7")] * 3
    X = np.asarray(rows, dtype=object)
    y = np.asarray(["p" if (a == "3" or b == "2e300") and not (a == "3" and b == "7") else "n" for a, b in rows])
    est = FoldSEM(feature_names=["a", "b"], min_gain=1).fit(X, y)
    assert "ab1" in str(est.rules_)
    for row in X[:16]:
        text, trace = est.explain_text(row), str(est.trace(row))
        assert "N1" not in text and "N2" not in text and "other than" not in text
        assert "0" * 30 not in text + trace
    assert "(1e-300)" in est.explain_text(X[0])


def test_a_column_of_20_digit_ids_is_an_identifier_that_names_the_examples(tmp_path, capsys):
    # ids one apart are one double: the column looked not distinct, so it became a numeric feature and the
    # examples were named by line; with texts kept it is an identifier and its ids name the examples
    ids = [12345678901234567890 + i for i in range(40)]
    text = "id,a,y\n" + "".join(f"{k},{i % 7},{'p' if i % 7 < 3 else 'n'}\n" for i, k in enumerate(ids))
    classes, _, err = _learn(tmp_path, capsys, text)
    assert "ignored column: id" in err and "numeric columns: a\n" in err
    assert sorted(classes) == sorted(f'"{k}"' for k in ids)
    assert main(["learn", "--predict", str(tmp_path / "t.csv"), "--rules", str(tmp_path / "rules.lp")]) == 0
    assert capsys.readouterr().out.split() == [f'target("{k}",{classes[chr(34) + str(k) + chr(34)]})' for k in ids]


def test_example_ids_that_collide_fall_back_to_lines():
    from nesyasp.learn.plain import example_ids

    table = read_csv("t.csv", text="id,a\n12345678901234567890,1\n12345678901234567891,2\n")
    assert [str(s) for s in example_ids(table, 0, table.lines)] == ["r2", "r3"]
