"""Inputs a newcomer gives the learner that the other tests did not: explanations of written files on values the
reasoner holds as order codes, big constants in background rules, odd digits, odd CSV headers."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.lang import check_program, parse_program
from nesyasp.learn import FoldSEM, read_csv
from nesyasp.learn.plain import example_ids, plain_rules, read_plain
from nesyasp.learn.plain_predict import hand_facts, predict_facts, table_facts

_TS = 1600000000000


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    """A table whose columns the reasoner can only hold as order codes: epoch-ms timestamps, and a column
    whose cut point is the smallest double below zero (a decimal of 324 places)."""
    b = [-1e300, -5e-324, 0.0, 2.0]
    rows = [(_TS + 1000 * i, b[i % 4], "late" if i >= 20 else "below" if b[i % 4] < 0 else "early") for i in range(40)]
    path = tmp_path_factory.mktemp("stamped") / "stamped.csv"
    path.write_text("ts,b,label\n" + "".join(f"{t},{b!r},{c}\n" for t, b, c in rows))
    table = read_csv(path, keep_text=["label"])
    est = FoldSEM(min_gain=1).fit(table.take(["ts", "b"]), table.labels("label"))
    rules = path.with_name("rules.lp")
    rules.write_text(plain_rules(est))
    return est, table, read_plain(rules)


def test_predict_explains_codes_in_the_numbers_given(stamped):
    """--predict --explain said 'the ts of p1 (code(2)) is greater than 1600000019000.0' for ts(p1,...) written
    in milliseconds: the value it turned into an order code is now shown as given, the cut point without .0."""
    est, _, plain = stamped
    stamp = _TS + 30000
    facts = parse_program(f"ts(p1,{stamp}). b(p1,-1). ts(p2,{_TS}). b(p2,0).")
    answers = {example: text for example, _, text in predict_facts(plain, hand_facts(plain, facts), explain=True)}
    assert est.predict(np.array([[stamp, -1], [_TS, 0]], dtype=object)).tolist() == ["late", "early"]
    assert f"the ts of p1 ({stamp}) is greater than {_TS + 19000}" in answers["p1"]
    assert f"the ts of p2 ({_TS}) is less than or equal to {_TS + 19000}" in answers["p2"]
    for text in answers.values():
        assert "code(" not in text and ".0 " not in text and ".0," not in text, text


def test_predict_on_a_table_explains_codes_in_the_table_numbers(stamped):
    est, table, plain = stamped
    ids = example_ids(table, None, table.lines)
    answers = predict_facts(plain, table_facts(plain, table, list(table.columns), ids), explain=True)
    assert [atom.split(",")[1].rstrip(")") for _, atom, _ in sorted(answers, key=lambda a: int(a[0][1:]))] \
        == est.predict(table.take(["ts", "b"])).tolist()
    texts = "\n".join(text for _, _, text in answers)
    assert "code(" not in texts
    assert "(-1e+300)" in texts and "-5e-324" in texts and "0.0000000" not in texts


def test_explain_text_shows_a_whole_threshold_past_32_bits_as_an_integer(stamped):
    est, table, _ = stamped
    row = table.take(["ts", "b"]).cells[25]
    text, trace = est.explain_text(row), str(est.trace(row))
    assert f"is greater than {_TS + 19000}." in text and f"ts > {_TS + 19000}" in trace
    assert f"{_TS + 19000}.0" not in text + trace, text + trace


def test_a_background_rule_compares_a_timestamp_with_a_constant_past_32_bits():
    """A background rule `T > 1600000020000` was an UnsupportedConstructError (outside clingo's 32 bits), though
    the learner compares column values with background constants through order codes."""
    from nesyasp.learn.asp_reason import clingo_predict

    rows = [(_TS + 1000 * i, 3_000_000_000 + 1_000_000_000 * (i % 3)) for i in range(60)]
    y = np.array(["big" if t > _TS + 20000 and a > 4_000_000_000 else "small" for t, a in rows])
    X = np.array(rows, dtype=object)
    background = "recent_big(X) :- ts(X,T), T > 1600000020000, amount(X,A), A > 4000000000.\n"
    est = FoldSEM(feature_names=["ts", "amount"], background=background).fit(X, y)
    assert "recent_big(X)" in str(est.rules_).split("% background")[0]
    assert est.score(X, y) == 1.0
    check_program(est.rules_)
    assert [c[0] for c in clingo_predict(est.rules_, X, est.features_, est.classes_)] == est.predict(X).tolist()
    text = est.explain_text(X[32])
    assert "the ts of x (1600000032000) is greater than 1600000020000" in text, text
    assert "the amount of x (5000000000) is greater than 4000000000" in text, text


def test_an_unnamed_last_column_is_pointed_at_and_explained(tmp_path, capsys):
    """An Excel export's trailing ',' was 'column 4 of the header has no name' at line 1, column 1."""
    from nesyasp.cli import main

    path = tmp_path / "t.csv"
    path.write_text("a,b,label,\n1,2,x,\n3,4,y,\n")
    assert main(["learn", str(path), "--target", "label"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"DataError: {path}:1:11: error: column 4 of the header has no name; a ',' at the end")
    path.write_text("a,,label\n1,2,x\n")
    assert main(["learn", str(path), "--target", "label"]) == 1
    assert capsys.readouterr().err.startswith(f"DataError: {path}:1:3: error: column 2 of the header has no name\n")


def test_facts_out_naming_a_folder_suggests_a_facts_file(tmp_path, capsys):
    from nesyasp.cli import main

    path = tmp_path / "t.csv"
    path.write_text("a,label\n1,x\n2,y\n3,x\n4,y\n")
    assert main(["learn", str(path), "--target", "label", "--facts-out", str(tmp_path)]) == 1
    assert f"give a file such as {tmp_path / 'facts.lp'}" in capsys.readouterr().err


_ODD = ["1٢", "١٢", "１２", "12\u00a0", "red\u00a0", "٣.٥", " 7 ", "1e5"]


@pytest.mark.parametrize("quoted", [False, True])
def test_cells_outside_ascii_read_alike_from_a_file_with_or_without_quotes_and_from_arrays(quoted):
    """float() reads '1٢' and '12\\xa0' as 12: read_csv's csv-module path (a file with a quote) and arrays did,
    its numpy path did not, and it stripped 'red\\xa0' to 'red' on one path only."""
    from nesyasp.learn.encode import parse_column

    text = "x\n" + ('"0"\n' if quoted else "0\n") + "\n".join(_ODD) + "\n"
    parsed = read_csv("odd.csv", text=text).parsed(0, True, "x")
    got = [p if p == p else parsed.vocab[c] for p, c in zip(parsed.num.tolist()[1:], parsed.code.tolist()[1:])]
    assert got == [*_ODD[:6], 7.0, 1e5]
    for array in (np.array(_ODD, dtype=object), np.array(_ODD)):
        parsed = parse_column(array, True)
        assert [p if p == p else parsed.vocab[c] for p, c in zip(parsed.num.tolist(), parsed.code.tolist())] == got


def test_background_given_as_a_path_string(tmp_path):
    """FoldSEM(background="knowledge.lp") parsed the file name as rule text: 'unexpected end of input'."""
    from nesyasp.errors import ParseError

    knowledge = tmp_path / "knowledge.lp"
    knowledge.write_text("big(X) :- a(X,A), A > 5.\n")
    X = np.arange(20).reshape(-1, 1)
    y = np.where(X[:, 0] > 5, "p", "n")
    est = FoldSEM(feature_names=["a"], background=str(knowledge)).fit(X, y)
    assert [str(r.head) for r in est.background_.rules] == ["big(X)"]
    with pytest.raises(ParseError, match="nope.lp: cannot read file"):
        FoldSEM(feature_names=["a"], background=str(tmp_path / "nope.lp")).fit(X, y)


def test_an_empty_column_says_how_to_leave_it_out(tmp_path, capsys):
    from nesyasp.cli import main

    path = tmp_path / "t.csv"
    path.write_text("a,notes,label\n1,,x\n2,,y\n3,,x\n4,,y\n")
    assert main(["learn", str(path), "--target", "label"]) == 1
    assert "column 'notes' has no values (every cell is missing); leave it out of the features (nesyasp learn " \
           "--ignore notes)" in capsys.readouterr().err
    assert main(["learn", str(path), "--target", "label", "--ignore", "notes"]) == 0


def test_query_on_facts_out_shows_the_table_numbers_not_codes(tmp_path, capsys):
    """`nesyasp query rules.lp facts.lp --explain` on --facts-out facts said 'the ts of r2 (code(0))' for every
    number that is not a 32-bit integer (timestamps, every decimal): the facts now carry the number as a
    comment on the code's line, which plain clingo ignores and explanations show."""
    from nesyasp.cli import main
    from tests.learn.helpers import clingo_alone

    path = tmp_path / "t.csv"
    rows = [(_TS + 1000 * i, ["inf", "2.5", "-inf", "0.25"][i % 4], "late" if i >= 20 else "early" if i % 2 else "odd")
            for i in range(40)]
    path.write_text("ts,b,label\n" + "".join(f"{t},{b},{c}\n" for t, b, c in rows))
    rules, facts = tmp_path / "rules.lp", tmp_path / "facts.lp"
    assert main(["learn", str(path), "--target", "label", "--split", "1", "-o", str(rules),
                 "--facts-out", str(facts)]) == 0
    assert f"ts(r2,code(0)).  % {_TS}\n" in facts.read_text() and "b(r2,code(4)).  % inf\n" in facts.read_text()
    assert set(clingo_alone(rules, facts).values()) == {"late", "early", "odd"}
    capsys.readouterr()
    assert main(["query", str(rules), str(facts), "-q", "target(r2,C)", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "code(" not in out and f"the ts of r2 ({_TS}) is less than or equal to {_TS + 19000}" in out, out
    for source in (facts, path):
        assert main(["learn", "--predict", str(source), "--rules", str(rules), "--explain"]) == 0
        out = capsys.readouterr().out
        assert "code(" not in out and "the b of r2 (inf)" in out and "the b of r3 (2.5)" in out, out


def test_a_value_required_under_not_reads_in_the_column_form(tmp_path):
    """A rule `price(X,_), not price_le(X,"$489.00")` explained its value atom through #pred in codes or raw
    numbers ('the price of r2 is greater than $489.00 (order code 2)', 'is 1999.99 (amounts in $)')."""
    rng = np.random.default_rng(0)
    days = rng.integers(0, 300, 200)
    cents = rng.integers(0, 200000, 200)
    pct = rng.integers(0, 100, 200)
    y = np.where((days > 150) & (cents > 50000), "A", np.where(pct > 50, "B", "C"))
    X = np.array([[str(np.datetime64("2024-01-01") + int(d)), f"${c / 100:,.2f}", f"{p}%"]
                  for d, c, p in zip(days, cents, pct)], dtype=object)
    est = FoldSEM(feature_names=["when", "price", "pct"]).fit(X, y)
    rules = tmp_path / "rules.lp"
    rules.write_text(plain_rules(est))
    plain = read_plain(rules)
    row = int(np.flatnonzero((y == "A") & (cents % 100 != 0))[0])
    facts = parse_program(f'when(p1,"{X[row, 0]}"). price(p1,"{X[row, 1]}"). pct(p1,"{X[row, 2]}").')
    [(_, atom, text)] = predict_facts(plain, hand_facts(plain, facts), explain=True)
    assert atom == 'target(p1,"A")' and "price(X,_)" in rules.read_text(), rules.read_text()
    assert f"the price of p1 is {X[row, 1]}," in text and "order code" not in text and "amounts in" not in text


def test_a_false_category_says_which_value_the_example_has(tmp_path):
    """'there is no evidence that the yn of x is no (not among the facts)' did not say that yn is yes."""
    rng = np.random.default_rng(0)
    cells = rng.integers(0, 2, (80, 2))
    X = np.array([[["no", "yes"][a], ["red", "Dark Blue"][b]] for a, b in cells], dtype=object)
    y = np.where((cells[:, 0] == 1) & (cells[:, 1] == 1), "p", "n")
    est = FoldSEM(feature_names=["yn", "colour"]).fit(X, y)
    texts = [est.explain_text(X[i]) for i in range(len(X))]
    assert "not among the facts" not in "".join(texts), texts[0]
    assert any("the yn of x is yes, not no" in t for t in texts) or any("the yn of x is no, not yes" in t
                                                                         for t in texts), texts[:4]
    rules = tmp_path / "rules.lp"
    rules.write_text(plain_rules(est))
    plain = read_plain(rules)
    facts = parse_program('yn(p1,yes). colour(p1,red). yn(p2,no). colour(p2,"Dark Blue").')
    answers = {e: text for e, _, text in predict_facts(plain, facts, explain=True)}
    assert "not among the facts" not in "".join(answers.values()), answers
    assert "the colour of p1 is red, not Dark Blue" in answers["p1"] or "the yn of p2 is no, not yes" \
        in answers["p2"], answers


def test_options_that_would_be_ignored_are_errors(tmp_path, capsys):
    """`nesyasp learn t.csv --target y --explain` printed no explanation and said nothing; `--predict ... -o r.lp`
    wrote no file and said nothing."""
    from nesyasp.cli import main

    path, rules = tmp_path / "t.csv", tmp_path / "rules.lp"
    path.write_text("a,label\n1,x\n2,y\n3,x\n4,y\n")
    assert main(["learn", str(path), "--target", "label", "--explain"]) == 1
    assert capsys.readouterr().err.startswith("DataError: --explain explains the answers of --predict")
    assert main(["learn", str(path), "--target", "label", "-o", str(rules)]) == 0
    capsys.readouterr()
    assert main(["learn", "--predict", str(path), "--rules", str(rules), "-o", str(tmp_path / "x.lp"), "--json"]) == 1
    assert "-o, --json would be ignored" in capsys.readouterr().err and not (tmp_path / "x.lp").exists()
