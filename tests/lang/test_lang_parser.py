"""Parser: every construct, dialect normalization, positions, comments, error messages."""

from __future__ import annotations

import pytest

from nesyasp.lang import (Atom, BinaryOperation, Comment, Comparison, Constant, Include, Integer, Literal,
                          ParseError, Pred, Program, Real, Rule, Show, String, UnaryOperation, Unsupported,
                          UnsupportedConstructError, Variable, parse_atom, parse_file, parse_program,
                          parse_program_recovering, parse_query)

X = Variable("X")


def one_rule(text: str) -> Rule:
    (rule,) = parse_program(text).rules
    return rule


def test_fact_rule_constraint():
    program = parse_program("bed1(img1).\ntarget(X,bedroom) :- bed1(X), not ab1(X).\n:- a, not b.")
    fact, rule, constraint = program.statements
    assert fact == Rule(Atom("bed1", (Constant("img1"),)))
    assert rule == Rule(Atom("target", (X, Constant("bedroom"))),
                        (Literal(Atom("bed1", (X,))), Literal(Atom("ab1", (X,)), negated=True)))
    assert constraint.is_constraint and constraint.body[1].negated
    assert str(program) == "bed1(img1).\ntarget(X,bedroom) :- bed1(X), not ab1(X).\n:- a, not b.\n"


def test_fold_dialect_is_normalized():
    rule = one_rule("target(X,'bedroom') :- 295(X), not ab1(X,'True'), a(X,N), not(N=<0.6), N\\=3.")
    assert str(rule) == 'target(X,bedroom) :- f295(X), not ab1(X,"True"), a(X,N), not N<=0.6, N!=3.'
    assert rule.head.arguments[1] == Constant("bedroom")
    assert rule.body[1].atom.arguments[1] == String("True")
    assert rule.body[3] == Literal(Comparison("<=", Variable("N"), Real("0.6")), negated=True)


@pytest.mark.parametrize("spelling, canonical", [("=", "="), ("==", "="), ("!=", "!="), ("\\=", "!="),
                                                 ("<>", "!="), ("<", "<"), ("<=", "<="), ("=<", "<="),
                                                 (">", ">"), (">=", ">=")])
def test_comparison_spellings(spelling, canonical):
    rule = one_rule(f"p(X) :- q(X), X {spelling} 3.")
    assert rule.body[1].atom == Comparison(canonical, X, Integer(3))


def test_terms_and_arithmetic():
    rule = one_rule('p(X,Y) :- q(X), Y = -X*2+(X-1)**2\\7, r("a \\"b\\"\\n", f(g(1),_), -3, -0.5, 142.0).')
    y = rule.body[1].atom.right
    assert isinstance(y, BinaryOperation) and y.operator == "+"
    assert y.left == BinaryOperation("*", UnaryOperation("-", X), Integer(2))
    args = rule.body[2].atom.arguments
    assert args[0] == String('a "b"\n')
    assert args[2] == Integer(-3) and args[3] == Real("-0.5") and args[4] == Real("142.0")
    assert str(rule) == 'p(X,Y) :- q(X), Y=-X*2+(X-1)**2\\7, r("a \\"b\\"\\n",f(g(1),_),-3,-0.5,142.0).'


def test_directives_and_comments():
    text = ("% line\n#show target/2.\n%* block\n  two *%\n"
            "%#pred target(X,Y) :: '@(X) is a @(Y)'.\n#include \"other.lp\".\n")
    program = parse_program(text)
    assert program.statements == (Comment(" line"), Show("target", 2), Comment(" block\n  two ", block=True),
                                  Pred(Atom("target", (X, Variable("Y"))), "@(X) is a @(Y)"),
                                  Include("other.lp"))
    assert str(program) == text
    assert parse_program(text.replace("%#pred", "#pred")) == program  # the s(CASP) spelling


def test_pred_annotations_print_as_comments_that_clingo_reads():
    import clingo

    text = ("#pred p(X) :: 'it\\'s @(X)'.\n%#pred q(X) :: 'q of @(X)'.\n% #pred r(X) :: 'a plain comment'.\n"
            "p(1). q(X) :- p(X).\n")
    program = parse_program(text)
    assert [str(p.atom) for p in program.preds] == ["p(X)", "q(X)"]
    printed = str(program)
    assert printed.startswith("%#pred p(X) :: 'it\\'s @(X)'.\n%#pred q(X) :: 'q of @(X)'.\n")
    control = clingo.Control(["--warn=none"])
    control.add("base", [], printed)  # clingo reads the annotations as comments
    control.ground([("base", [])])
    with control.solve(yield_=True) as handle:
        assert sorted(str(s) for s in next(iter(handle)).symbols(atoms=True)) == ["p(1)", "q(1)"]
    with pytest.raises(ParseError, match="must be on one line"):
        parse_program("%#pred p(X) ::\n 'text'.")


def test_positions_on_every_node():
    rule = parse_program("a.\n  p(X) :- q(X),\n     X > 10.", "f.lp").rules[1]
    assert str(rule.loc.begin) == "f.lp:2:3"
    assert (rule.loc.end.line, rule.loc.end.column) == (3, 13)
    cmp = rule.body[1].atom
    assert str(cmp.loc.begin) == "f.lp:3:6" and str(cmp.right.loc.begin) == "f.lp:3:10"
    assert str(rule.head.arguments[0].loc.begin) == "f.lp:2:5"


@pytest.mark.parametrize("text, construct", [
    ("{a;b} :- c.", "choice rule"), ("1{a;b}2.", "choice rule"), ("a | b.", "disjunction"),
    ("a ; b :- c.", "disjunction"), ("a :- #count{X:p(X)} > 2.", "aggregate"),
    ("a :- not #sum{X:p(X)} > 2.", "aggregate"), ("-a :- b.", "classical negation"),
    ("p(1..3).", "interval"), ("p(@f(1)).", "@-term"), ("p((1,2)).", "tuple"),
    ("#minimize{X:p(X)}.", "#minimize"), (":~ p(X). [X@1]", "weak constraint"),
    ("#const n=3.", "#const"), ("#external p.", "#external"), ("#program base.", "#program"),
    ("a :- not not b.", "double negation"), ("a :- #true.", "#true"), ("p(#sup).", "#sup"),
    # the raw NeSyFOLD dialect's numeric predicates (found by the fuzz test: 295(im..g1) leaked a builder object)
    ("295(im..g1).", "interval"), ("a :- 295(1..2).", "interval"), ("a :- not 295(@f(1)).", "@-term"),
])
def test_unsupported_constructs_parse_as_nodes(text, construct):
    program = parse_program(text)
    nodes = [part for rule in program.rules for part in (rule.head, *rule.body) if isinstance(part, Unsupported)]
    assert len(nodes) == 1 and construct in nodes[0].construct
    assert nodes[0].loc.begin.line == 1
    assert parse_program(str(program)) == program


@pytest.mark.parametrize("text, line, col, needle", [
    ("a :- b", 1, 7, "end of input"),
    ("a :- b\nc.", 2, 1, "missing '.'"),
    ("p(X :- q.", 1, 5, "unexpected ':-'"),
    ("a.\n%* open", 2, 1, "unterminated block comment"),
    ('p("abc).', 1, 3, "unterminated string"),
    ("#foo bar.", 1, 1, "#foo"),
    ("X :- a.", 1, 1, "expected an atom, found variable 'X'"),
    ("a :- b : c.", 1, 8, "conditional literals"),
    ('p("\\t").', 1, 3, "escape"),
    ("p(1;2).", 1, 4, "pools such as p(1;2) are not part of the language"),
    ("q :- p(X;Y), r(X,Y).", 1, 9, "pools"),
    ("p(Y) :- q(X), Y = |X|.", 1, 19, "the absolute value |X| is not part of the language"),
    ("#show t(X) : a(X).", 1, 8, "#show names a predicate and its arity only"),
    ("#show t : a.", 1, 9, "#show names a predicate and its arity only"),
    ("p(0x1F).", 1, 4, "hexadecimal, octal and binary numbers"),
    ("p(X) :- q(X), X > 0b101.", 1, 20, "hexadecimal, octal and binary numbers"),
])
def test_syntax_errors_carry_positions(text, line, col, needle):
    with pytest.raises(ParseError) as info:
        parse_program(text, "bad.lp")
    err = info.value
    assert (err.location.begin.line, err.location.begin.column) == (line, col), str(err)
    assert needle in err.message
    assert str(err).startswith(f"bad.lp:{line}:{col}: error: ")
    assert "^" in str(err).splitlines()[-1]


def test_parse_query_and_atom():
    assert parse_query("target(img1,X), not ab1(img1).") == (
        Literal(Atom("target", (Constant("img1"), X))), Literal(Atom("ab1", (Constant("img1"),)), True))
    assert parse_atom("295(img_3)") == Atom("f295", (Constant("img_3"),))
    with pytest.raises(UnsupportedConstructError):
        parse_atom("-p(1)")
    with pytest.raises(ParseError):
        parse_atom("p(1) :- q")


def test_parse_file_names_the_file(tmp_path):
    path = tmp_path / "r.lp"
    path.write_text("a :- b.\nc(X :- d.\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"r\.lp:2:5: error"):
        parse_file(path)
    (tmp_path / "bin.lp").write_bytes(b"\xff\xfe a.")
    with pytest.raises(ParseError, match="UTF-8"):
        parse_file(tmp_path / "bin.lp")
    with pytest.raises(ParseError, match="cannot read"):
        parse_file(tmp_path / "missing.lp")


def test_program_equality_ignores_positions():
    assert parse_program("a :- b.", "x.lp") == parse_program("\n\n  a:-b .", "y.lp")
    assert isinstance(parse_program(""), Program)


@pytest.mark.parametrize("text", ["target(img1,X)", "target(img1,X), not ab1(img1).", "295(X), X>1",
                                  "p(X) ; q", "not(N=<0.6), n(N)", "f(X)+1 < 2, p(X)", "a"])
def test_query_readers_agree(text):
    from nesyasp.lang.parser import _run

    assert parse_query(text) == tuple(_run(text, "<query>", "query")[0])


@pytest.mark.parametrize("text", ["p", "p(X,'a')", "295(img)", "p(f(X),1).", "p(X, Y)"])
def test_atom_readers_agree(text):
    from nesyasp.lang.parser import _run

    assert parse_atom(text) == _run(text, "<atom>", "single_atom")[0]


@pytest.mark.parametrize("text", ["a.#", "a. #\n", "#", "p(X) :- q(X), #foo.", 'a.\n#include "x".str#\n'])
def test_stray_hash_is_a_parse_error(text):
    with pytest.raises(ParseError, match="directive '#"):
        parse_program(text)


def test_resolve_includes(tmp_path):
    from nesyasp.lang import resolve_includes

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "facts.lp").write_text("bed1(img1).\n")
    (tmp_path / "rules.lp").write_text('#include "sub/facts.lp".\nt(X) :- bed1(X).\n')
    program = resolve_includes(parse_file(tmp_path / "rules.lp"))
    assert str(program) == "bed1(img1).\nt(X) :- bed1(X).\n"
    assert program.statements[0].loc.begin.file.endswith("facts.lp")
    (tmp_path / "loop.lp").write_text('#include "loop.lp".\n')
    with pytest.raises(ParseError, match="cycle"):
        resolve_includes(parse_file(tmp_path / "loop.lp"))
    (tmp_path / "gone.lp").write_text('a.\n#include "nope.lp".\n')
    with pytest.raises(ParseError, match=r"gone\.lp:2:1: error: #include of a missing file"):
        resolve_includes(parse_file(tmp_path / "gone.lp"))


@pytest.mark.parametrize("body", [" note ", " 50 % off ", " x %\n y ", " a %* b *% c ", " %* b *%\n", " p. % q *%\n r. ",
                                  " 100%\n", "%", " ** ", " %% "])
def test_block_comments_end_where_clingo_ends_them(body):
    clingo = pytest.importorskip("clingo")
    from nesyasp.lang._comments import clingo_closes_block
    text = f"%*{body}*%\nok.\n"
    control = clingo.Control(["--warn=none"], logger=lambda code, message: None)
    try:
        control.add("base", [], text)
        control.ground([("base", [])])
        atoms: list[str] = []
        control.solve(on_model=lambda m: atoms.extend(str(s) for s in m.symbols(atoms=True)))
        clingo_ok = atoms == ["ok"]
    except RuntimeError:
        clingo_ok = False
    assert clingo_closes_block(body) == clingo_ok
    if "*%" in body:
        return  # nesyasp ends the comment at the first '*%': another comment, or text after it
    if clingo_ok:
        assert [type(s).__name__ for s in parse_program(text).statements] == ["Comment", "Rule"]
    else:
        with pytest.raises(ParseError, match="clingo reads this block comment differently") as info:
            parse_program(text, "c.lp")
        assert (info.value.location.begin.line, info.value.location.begin.column) == (1, 1)
        recovered = parse_program_recovering(text, "c.lp")
        assert [str(e.location) for e in recovered.errors] == ["c.lp:1:1"]
