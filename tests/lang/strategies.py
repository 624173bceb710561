"""Hypothesis strategies that generate canonical rule-language ASTs."""

from __future__ import annotations

from hypothesis import strategies as st

from nesyasp.lang import (Atom, BinaryOperation, Comment, Comparison, Constant, Function, Include, Integer,
                          Literal, Pred, Program, Real, Rule, Show, String, UnaryOperation, Variable)

NAMES = st.from_regex(r"\A_?[a-z][a-z0-9_']{0,6}\Z").filter(lambda n: n != "not")
VARIABLES = st.sampled_from(["X", "Y", "Z", "N1", "_Tmp", "X'", "_"])
INTS = st.one_of(st.integers(-99, 99), st.sampled_from([-(2 ** 31), 2 ** 31 - 1, 0]))
REALS = st.builds(lambda neg, i, f: f"{'-' if neg else ''}{i}.{f}", st.booleans(), st.integers(0, 999),
                  st.from_regex(r"\A[0-9]{1,3}\Z"))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
LINE_TEXT = TEXT.filter(lambda s: "\n" not in s and "\r" not in s)

LEAVES = st.one_of(
    VARIABLES.map(Variable),
    NAMES.map(Constant),
    INTS.map(Integer),
    REALS.map(Real),
    TEXT.map(String),
)


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(Function, NAMES, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(BinaryOperation, st.sampled_from(["+", "-", "*", "/", "\\", "**"]), children, children),
        st.builds(UnaryOperation, st.just("-"),
                  children.filter(lambda t: not isinstance(t, (Integer, Real)))),
    )


TERMS = st.recursive(LEAVES, _extend, max_leaves=6)
ATOMS = st.builds(Atom, NAMES, st.lists(TERMS, max_size=3).map(tuple))
COMPARISONS = st.builds(Comparison, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), TERMS, TERMS)
LITERALS = st.builds(Literal, st.one_of(ATOMS, COMPARISONS), st.booleans())
RULES = st.one_of(
    st.builds(Rule, ATOMS, st.lists(LITERALS, max_size=4).map(tuple)),
    st.builds(Rule, st.none(), st.lists(LITERALS, min_size=1, max_size=4).map(tuple)),
)
COMMENTS = st.one_of(
    st.builds(Comment, LINE_TEXT.filter(lambda s: not s.startswith("*")), st.just(False)),
    # a block comment's text with no '%' (as clingo reads block comments, '%*' inside opens a nested one and
    # '%' hides the rest of its line, the closing '*%' included: lang/_comments.py)
    st.builds(Comment, TEXT.filter(lambda s: "%" not in s), st.just(True)),
)
STATEMENTS = st.one_of(
    RULES, RULES, RULES,
    st.builds(Show, NAMES, st.integers(0, 4)),
    st.builds(Pred, ATOMS, LINE_TEXT),
    st.builds(Include, TEXT),
    COMMENTS,
)
PROGRAMS = st.lists(STATEMENTS, max_size=6).map(lambda s: Program(tuple(s)))


# ------------------------------------------------- safe, stratified programs

SMALL = st.integers(-5, 5).map(Integer)


def _safe_rule(draw, level: int, preds: list[tuple[str, int]]) -> Rule:
    """A safe rule for ``p{level}`` whose body uses lower levels only (so it is stratified)."""
    names = ["X", "Y", "Z"]
    body, bound = [], set()
    for i, (name, arity) in enumerate(draw(st.lists(st.sampled_from(preds), min_size=1, max_size=2))):
        args = tuple(Variable(names[(i + k) % 3]) for k in range(arity))
        bound.update(a.name for a in args)
        body.append(Literal(Atom(name, args)))
    leaf = st.one_of(st.sampled_from(sorted(bound)).map(Variable), SMALL) if bound else SMALL
    arith = st.one_of(leaf, st.builds(BinaryOperation, st.sampled_from(["+", "-", "*"]), leaf, leaf))
    for kind in draw(st.lists(st.sampled_from(["not", "cmp"]), max_size=2)):
        if kind == "not":
            name, arity = draw(st.sampled_from(preds))
            if arity and not bound:
                continue
            args = tuple(Variable(draw(st.sampled_from(sorted(bound)))) for _ in range(arity))
            body.append(Literal(Atom(name, args), negated=True))
        else:
            op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]))
            body.append(Literal(Comparison(op, draw(arith), draw(arith)), negated=draw(st.booleans())))
    head_args = tuple(draw(arith) for _ in range(draw(st.integers(0, 2))))
    return Rule(Atom(f"p{level}", head_args), tuple(body))


@st.composite
def safe_programs(draw) -> Program:
    """A safe, stratified program: facts ``p0(...)`` and one rule per level over lower levels."""
    arity0 = draw(st.integers(0, 2))
    facts = [Rule(Atom("p0", tuple(draw(SMALL) for _ in range(arity0))))
             for _ in range(draw(st.integers(1, 4)))]
    preds = [("p0", arity0)]
    rules = []
    for level in range(1, draw(st.integers(2, 5))):
        rule = _safe_rule(draw, level, preds)
        rules.append(rule)
        preds.append((f"p{level}", len(rule.head.arguments)))
    return Program(tuple(facts + rules))
