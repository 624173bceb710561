"""Property tests: justifications check on random stratified programs; the compiled path equals clingo."""

from __future__ import annotations

import itertools

import clingo
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nesyasp.lang import parse_program
from nesyasp.reason import Reasoner, check_justification, not_compilable, translate

from .helpers import check_all

CONSTANTS = ["a", "b", "c"]
ARITY = {"p0": 1, "p1": 2, "p2": 1, "p3": 2}
DERIVED = list(ARITY)


@st.composite
def binder(draw, k: int, arity: int) -> list[str]:
    """Positive literals that bind the head variables X (and Y)."""
    same = [p for p in DERIVED[:k + 1] if ARITY[p] == arity]
    if arity == 1:
        options = ["u0(X)", "u1(X)", "e(X,Z)"] + [f"{p}(X)" for p in same]
    else:
        options = ["e(X,Y)", "u0(X), u1(Y)", "e(X,Z), e(Z,Y)"] + [f"{p}(X,Y)" for p in same]
    return [draw(st.sampled_from(options))]


@st.composite
def extra(draw, k: int, arity: int) -> str:
    variables = ["X", "Y"] if arity == 2 else ["X"]
    lower = [p for p in DERIVED[:k]] + ["u0", "u1", "e"]
    pred = draw(st.sampled_from(lower))
    n = ARITY.get(pred, 2 if pred == "e" else 1)
    args = ",".join(draw(st.sampled_from(variables + CONSTANTS)) for _ in range(n))
    if draw(st.integers(0, 4)) == 0:
        op = draw(st.sampled_from([">", "<=", "="]))
        neg = "not " if draw(st.booleans()) else ""
        return f"v(X,N), {neg}N {op} {draw(st.sampled_from(['1.5', '2', '0.25', '-1.0']))}"
    if draw(st.booleans()) and arity == 2:
        return draw(st.sampled_from(["X != Y", "X < Y", "X = Y"]))
    if n > 1 and draw(st.integers(0, 3)) == 0:  # an anonymous variable: some value exists / none does
        args = ",".join(["_"] + args.split(",")[1:]) if draw(st.booleans()) else ",".join(args.split(",")[:-1] + ["_"])
    return f"{'not ' if draw(st.booleans()) else ''}{pred}({args})"


#: Bodies of the 0-ary ``z``, where every binding is empty (``not u0(_)``: no u0 at all).
ANONYMOUS = ["not u0(_)", "u0(_)", "not e(_,_)", "e(a,_)", "not e(_,b)", "p0(_)", "not p1(_,a)", "not p3(b,_)"]


@st.composite
def programs(draw) -> str:
    rules = []
    for k, pred in enumerate(DERIVED):
        arity = ARITY[pred]
        head = f"{pred}(X)" if arity == 1 else f"{pred}(X,Y)"
        for _ in range(draw(st.integers(1, 2))):
            body = draw(binder(k, arity)) + [draw(extra(k, arity)) for _ in range(draw(st.integers(0, 2)))]
            rules.append(f"{head} :- {', '.join(body)}.")
        if arity == 1 and draw(st.booleans()):
            rules.append(f"{head} :- not u0(X), not {draw(st.sampled_from(['u1', 'p0' if k else 'u1']))}(X).")
    for _ in range(draw(st.integers(0, 2))):
        body = draw(st.lists(st.sampled_from(ANONYMOUS), min_size=1, max_size=2, unique=True))
        rules.append(f"z :- {', '.join(body)}.")
    return "\n".join(rules)


FACTS = st.fixed_dictionaries({
    "u0": st.lists(st.sampled_from(CONSTANTS), max_size=3, unique=True),
    "u1": st.lists(st.sampled_from(CONSTANTS), max_size=3, unique=True),
    "e": st.lists(st.tuples(st.sampled_from(CONSTANTS), st.sampled_from(CONSTANTS)), max_size=5, unique=True),
    "v": st.lists(st.tuples(st.sampled_from(CONSTANTS), st.integers(-2, 3)), max_size=4, unique=True),
})


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), FACTS)
def test_justifications_of_random_stratified_programs_check(text, facts):
    reasoner = Reasoner(text, facts, engine="clingo")
    reasoner.add_facts({}, examples=CONSTANTS)
    model, justifier = reasoner.model(), reasoner.justifier()
    for pred, arity in ARITY.items():
        for args in itertools.product(CONSTANTS, repeat=arity):
            atom = clingo.Function(pred, [clingo.Function(a) for a in args])
            node = justifier.explain(atom)
            assert node.holds == model.holds(atom)
            assert check_justification(node, model) == [], (str(atom), check_justification(node, model))
    z = justifier.explain(clingo.Function("z", []))
    assert z.holds == model.holds(clingo.Function("z", [])) and check_justification(z, model) == []
    check_all(reasoner, limit=30)


COLUMNS = [f"f{j}" for j in range(6)]


@st.composite
def learned(draw) -> str:
    """FOLD-style per-example rule sets: classes, default rules, ab exceptions, layered."""
    rules, available = [], list(COLUMNS)
    for k in range(draw(st.integers(1, 3))):
        body = [f"{'not ' if draw(st.booleans()) else ''}{draw(st.sampled_from(available))}(X)"
                for _ in range(draw(st.integers(1, 3)))]
        rules.append(f"ab{k}(X) :- {', '.join(body)}.")
        available.append(f"ab{k}")
    for c in ("c0", "c1", "c2"):
        for _ in range(draw(st.integers(0, 2))):
            body = [f"{'not ' if draw(st.booleans()) else ''}{draw(st.sampled_from(available))}(X)"
                    for _ in range(draw(st.integers(1, 3)))]
            rules.append(f"target(X,{c}) :- {', '.join(body)}.")
    return "\n".join(rules)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(learned(), st.integers(0, 2 ** 32 - 1))
def test_compiled_path_equals_clingo(text, seed):
    assert not_compilable(translate(parse_program(text))) is None
    table = np.random.default_rng(seed).random((25, len(COLUMNS))) < 0.5
    ids = [f"img{i}" for i in range(25)]
    out = {}
    for engine in ("clingo", "compiled"):
        reasoner = Reasoner(text, engine=engine)
        reasoner.add_table(table, COLUMNS, ids)
        out[engine] = (reasoner.query("target(X,C)").table.tolist(),
                       [reasoner.query(f"ab{k}(X)").table.tolist() for k in range(3)])
        if engine == "compiled":
            model, justifier = reasoner.model(), reasoner.justifier()
            for atom in ("target(img0,c0)", "target(img1,c1)", "ab0(img2)"):
                assert check_justification(justifier.explain(reasoner._ground(atom)), model) == []
    assert out["clingo"] == out["compiled"]
