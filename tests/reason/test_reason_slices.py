"""One example's facts of a large file: which programs are answered from them alone, and with what."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.cli import main
from nesyasp.reason import Reasoner, check_justification, not_separable, render_text
from nesyasp.reason.translate import translate
from nesyasp.lang import parse_program

# the shape of `nesyasp learn -o`: comparisons, coded values, a rule-defined example domain
LEARNED = """\
price_le(X,"15.5") :- price(X,V), V<=15.
price_le(X,"15.5") :- price(X,code(C)), C<=3.
rule1(X) :- price_le(X,"15.5"), not color(X,red), not city(X,"New York").
target(X,lo) :- rule1(X).
target(X,hi) :- _example(X), not rule1(X).
_example(X) :- price(X,_).
_example(X) :- color(X,_).
"""


def _facts(n: int) -> str:
    lines = ["% facts"]
    for i in range(n):
        price = f"code({i % 7})" if i % 3 == 0 else str(i % 31)
        city = ('"New York"', '"Köln"', "paris")[i % 3]
        lines.append(f"price(r{i},{price}).  % the price as given\ncolor(r{i},{('red', 'blue')[i % 2]}).\n"
                     f"city(r{i},{city}).")
    return "\n".join(lines) + "\n"


def _reason(text: str) -> str | None:
    return not_separable(translate(parse_program(text), True))


def test_learned_tables_rules_are_separable_and_joins_constraints_and_globals_are_not():
    assert _reason(LEARNED) is None
    assert _reason("reach(X,Y) :- edge(X,Y). reach(X,Z) :- reach(X,Y), reach(X,Z), Z != Y.") is None
    assert "does not have the head's first argument" in _reason("p(X) :- q(X,Y), r(Y,X).")
    assert "does not have the head's first argument" in _reason("p(X) :- q(X), not r(Y), s(Y).")
    assert "does not have the head's first argument" in _reason("p(X) :- q(X), not flag.")
    assert "a constraint" in _reason("p(X) :- q(X).\n:- p(X), r(X).")
    assert "first argument is not a variable" in _reason("p(a) :- q(a).")
    assert "without arguments" in _reason("flag. p(X) :- q(X).")


def test_a_learned_tables_example_is_answered_from_its_own_facts(tmp_path, monkeypatch):
    (tmp_path / "rules.lp").write_text(LEARNED)
    (tmp_path / "facts.lp").write_text(_facts(300))
    monkeypatch.setattr("nesyasp.reason.reasoner.LAZY_BYTES", 100)
    lazy = Reasoner(tmp_path / "rules.lp")
    lazy.add_facts(tmp_path / "facts.lp")
    whole = Reasoner(tmp_path / "rules.lp", engine="clingo")
    whole.add_facts(parse_program(_facts(300)))
    for example in ("r0", "r1", "r3", "r10", "r299"):
        assert lazy.slice_for(example) is not lazy
        assert lazy.query(f"target({example},X)").atoms() == whole.query(f"target({example},X)").atoms()
        for cls in ("lo", "hi"):
            node = lazy.explain(f"target({example},{cls})")
            assert render_text(node) == render_text(whole.explain(f"target({example},{cls})"))
            assert check_justification(node, lazy.slice_for(example).model()) == []
    assert lazy._pending, "answering about one example read the whole file"
    assert lazy.query("target(X,C)").table.tolist() == whole.query("target(X,C)").table.tolist()


def test_a_program_joining_examples_is_not_sliced(tmp_path, monkeypatch):
    # b's class depends on a's fact: a slice of b's facts alone would answer wrongly
    rules = "likes(X,Y) :- friend(X,Y).\nhappy(X) :- likes(X,Y), rich(Y).\n"
    (tmp_path / "rules.lp").write_text(rules)
    (tmp_path / "facts.lp").write_text("% facts\nfriend(b,a).\nrich(a).\n" + "".join(
        f"friend(p{i},p{i + 1}).\n" for i in range(50)))
    monkeypatch.setattr("nesyasp.reason.reasoner.LAZY_BYTES", 10)
    r = Reasoner(tmp_path / "rules.lp")
    r.add_facts(tmp_path / "facts.lp")
    assert r.slice_for("b") is r
    assert r.query("happy(b)").atoms() == ["happy(b)"]


@pytest.mark.parametrize("argv", [["-q", "target(zz,X)", "--explain"], ["--why-not", "target(zz,hi)"],
                                  ["-q", "target(zz,X)", "--why-not", "target(yy,lo)", "--format", "json"]])
def test_a_query_about_an_example_with_no_facts_is_answered_and_explained(tmp_path: Path, capsys, argv):
    # asking about zz makes it an example (as an image with no true feature is one); the explanation
    # used to be built on the model from before, and failed with "not in the model but ... applies"
    (tmp_path / "rules.lp").write_text(LEARNED)
    (tmp_path / "facts.lp").write_text(_facts(4))
    code = main(["query", str(tmp_path / "rules.lp"), str(tmp_path / "facts.lp"), *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "target(zz,hi)" in out and "ReasoningError" not in err


@pytest.mark.parametrize("text, fast", [
    ("price(r1,code(3)).  % 12.5\nprice(r2,7). p(code(1,a)). q(r2, code( -4 ) ). f1(r1). _example(r3).\n", True),
    ('city(r1,"New York"). city(r2,"Köln"). p("x y",1). q(r3,"a, b",code(2)). s(r4,""). t("u").\n', True),
    ("w(r1,f(1.5)).\n", False),  # a decimal inside a function term: the parser's scale
    ("n(r1,g(h(1))).\n", False),  # two levels
    ("n(r1,not(1)).\n", False),  # not a name
    ('s(r1,"50%").\n', False),  # strings that comments, slices or escapes could cut: the parser
    ('s(r1,"a.b").\n', False),
    ('s(r1,"f(x)").\n', False),
    ('s(r1,"say \\"hi\\"").\n', False),
    ('% a "quote\np(a).\n', False),
    ('q(b"c").\n', False),
])
def test_the_fast_reader_reads_strings_and_function_terms_of_one_level_as_the_parser_does(tmp_path, text, fast):
    from nesyasp.reason.factfile import FactFile
    from nesyasp.reason.facts import FactBase

    (tmp_path / "f.lp").write_text(text, encoding="utf-8")
    file = FactFile(tmp_path / "f.lp")
    got = FactBase()
    assert (file.simple and file._load_fast(got)) is fast
    if not fast:
        return
    want = FactBase()
    want.add_program(parse_program(text))
    atoms = {str(a) for a in got.symbols} | {f"{c}({i})" for t in got.tables for k, i in enumerate(t.texts)
                                            for j, c in enumerate(t.columns) if t.values[k, j]}
    assert atoms == {str(a) for a in want.symbols if a.name != "_example"}


_ARGS = st.one_of(
    st.sampled_from(["a", "r1", "bX_'", "0", "-7", "2147483648", "1.5", "-0.25", "code(3)", "g(a,-1)", "g(h(1))",
                     "f(1.5)", "not", "X"]),
    st.text(alphabet='ab %.()\\",:#é\n', max_size=6).map(lambda t: f'"{t}"'),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "q", "_example", "not", "f1"]), st.lists(_ARGS, max_size=3)),
                min_size=1, max_size=6),
       st.sampled_from(["", "  % note\n", " % \"x\n"]))
def test_what_the_fast_reader_takes_it_reads_as_the_parser_does(tmp_path_factory, facts, comment):
    from nesyasp.errors import NesyaspError
    from nesyasp.reason.factfile import FactFile
    from nesyasp.reason.facts import FactBase, text_symbol

    text = "".join(f"{n}({','.join(a)}).{comment or chr(10)}" if a else f"{n}.\n" for n, a in facts)
    path = tmp_path_factory.mktemp("facts") / "f.lp"
    path.write_text(text, encoding="utf-8")
    file, got = FactFile(path), FactBase()
    fast = file.simple and file._load_fast(got)
    try:
        want = FactBase()
        want.add_program(parse_program(text))
    except NesyaspError:
        assert not fast, f"the fast reader took a file the parser refuses: {text!r}"
        return
    if fast:
        atoms = {str(a) for a in got.symbols if a.name != "_example"} | {
            f"{c}({i})" for t in got.tables for k, i in enumerate(t.texts) for j, c in enumerate(t.columns)
            if t.values[k, j]}
        assert atoms == {str(a) for a in want.symbols if a.name != "_example"}, text
        assert got.examples() | {text_symbol(t) for tb in got.tables for t in tb.texts} == want.examples(), text
        assert got.decimals == want.decimals, text
