"""Regressions found by a held-out check of the rule language on hand-written programs (docs/rule-language.md)."""

from __future__ import annotations

import pytest

from nesyasp.cli import main


@pytest.mark.parametrize("text, where, what", [
    ("p.\nq :- not not p.\n{a}.\n", "2:6", "double negation 'not not' is not supported"),
    ("p :- q.\n\n  {a}.\n", "3:3", "choice rule is not supported"),
])
def test_fmt_names_the_first_unsupported_construct_with_its_position(tmp_path, capsys, text, where, what):
    # fmt used to say only "constructs outside the language; run 'nesyasp check' for the list", with no line:col
    path = tmp_path / "u.lp"
    path.write_text(text)
    assert main(["fmt", str(path)]) == 1
    assert main(["query", str(path), "-q", "p"]) == 1
    fmt_err, query_err = capsys.readouterr().err.split("UnsupportedConstructError: ")[1:]
    assert fmt_err == query_err
    assert fmt_err.startswith(f"{path}:{where}: error: {what}")
    assert path.read_text() == text


@pytest.mark.parametrize("text, column, what", [
    ("p(X) :- X = 5 ^ 3.", 15, "bitwise operator '^'"),
    ("p(X) :- q(Y), X = Y & 3.", 21, "bitwise operator '&'"),
    ("p(X) :- X = 5 ? 3.", 15, "bitwise operator '?'"),
    ("p(X) :- X = ~5.", 13, "bitwise operator '~'"),
    ("q.\n#heuristic p. [1, level]", 1, "#heuristic directive is not supported"),
    ("#project p/1.", 1, "#project directive is not supported"),
    ("&diff{ x - y } <= 3.", 1, "theory atom '&name{...}' is not supported"),
])
def test_clingo_constructs_outside_the_language_are_named_at_their_position(text, column, what):
    # they used to read "unexpected character '^'; expected ')', '*', ..." or "unknown or misplaced directive"
    from nesyasp.errors import ParseError
    from nesyasp.lang import parse_program

    with pytest.raises(ParseError) as caught:
        parse_program(text, "t.lp")
    assert caught.value.location.begin.column == column
    assert what in str(caught.value) and "; expected" not in str(caught.value)


@pytest.mark.parametrize("text, column", [
    ("p(not).", 3), ("q :- p(a,not,b).", 10), ("p(f(not)).", 5), ("not(a).", 1), ("not.", 1),
    ("not :- q.", 1), ("q(X) :- p(X), X = not.", 19), ("q :- not(not).", 10), ("p(g(x),not).", 8),
])
def test_not_is_no_name(text, column):
    # clingo rejects 'not' as a name; nesyasp read it as a constant or predicate, so the reasoner ended in
    # "clingo rejected the program" at another file's position, and 'q :- not(not).' printed as 'q :- not not.'
    from nesyasp.errors import ParseError
    from nesyasp.lang import parse_program

    with pytest.raises(ParseError) as caught:
        parse_program(text, "t.lp")
    assert caught.value.location.begin.column == column and "'not' is clingo's keyword" in str(caught.value)


def test_names_that_start_with_not_are_names():
    from nesyasp.lang import parse_program, parse_query

    assert str(parse_program("p(nota, not_b, note'). notp :- not nota(1).")) == \
        "p(nota,not_b,note').\nnotp :- not nota(1).\n"
    assert str(parse_program("p('not').")) == 'p("not").\n'  # a quoted 'not' is the string, as documented
    assert len(parse_query("p(X), not q(X), not_r(X)")) == 3
