"""Decimal facts compared exactly where scaling meets clingo's 32 bits (the learned programs' bridge rules)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nesyasp.errors import ReasoningError
from nesyasp.lang import parse_program
from nesyasp.reason import Reasoner, render_text

OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
       "=": lambda a, b: a == b, "!=": lambda a, b: a != b}


def answers(program: str, facts: str, query: str) -> set[str]:
    reasoner = Reasoner(parse_program(program), parse_program(facts))
    return {row[0] for row in reasoner.query(query).table.tolist()}


def test_a_predicate_named_v_keeps_its_decimals():
    assert answers("gt(X) :- v(X,V), V > 0.5.", "v(p1,1.2). v(p2,0.3).", "gt(X)") == {"p1"}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("bound", [300000000, -300000000, 2147483647])
def test_a_constant_past_32_bits_once_scaled_is_compared_exactly(op, bound):
    """``V op 300000000`` with V at one decimal: 3000000000 does not fit; every number is on one side of it."""
    values = {"p1": "2.5", "p2": "-7.5", "p3": "200000000.5", "p4": "-200000000.5", "p5": "0"}
    facts = " ".join(f"w({k},{v})." for k, v in values.items()) + ' w(s1,"?"). w(s2,abc).'
    got = answers(f"t(X) :- w(X,V), V {op} {bound}.", facts, "t(X)")
    numbers = {k for k, v in values.items() if OPS[op](Decimal(v), Decimal(bound))}
    # clingo orders strings and constants after every integer: "V > 300000000" holds for them
    others = {"s1", "s2"} if op in (">", ">=", "!=") else set()
    assert got == numbers | others


def test_a_common_factor_keeps_a_scaled_product_in_32_bits():
    """``V*10 > 5`` with V at one decimal is ``V*1 > 5``: 200000000.5*10 would overflow clingo's integers."""
    facts = "w(p1,200000000.5). w(p2,0.3). w(p3,0.6). w(p4,-200000000.5). w(s,\"?\")."
    assert answers("t(X) :- w(X,V), V*10 > 5.", facts, "t(X)") == {"p1", "p3"}
    assert answers("t(X) :- w(X,V), V*10 <= 5.", facts, "t(X)") == {"p2", "p4"}


def test_a_lower_bound_next_to_the_top_of_32_bits_grounds():
    """gringo loops forever on ``V > 2147483640, V <= 2147483647``; the decided comparison is ``V*1 = V``."""
    facts = "w(p1,214748364.6). w(p2,214748364.4). w(p3,1.5)."
    assert answers("t(X) :- w(X,V), V > 214748364.5, V < 300000000.", facts, "t(X)") == {"p1"}


def test_an_integer_fact_past_32_bits_is_a_reasoning_error():
    with pytest.raises(ReasoningError, match="32-bit range"):
        Reasoner(parse_program("t(X) :- n(X,V), V > 5."), "n(p1,3000000000).")


def test_a_number_guard_reads_as_a_number():
    reasoner = Reasoner(parse_program("n(X,V) :- w(X,V), V <= 2147483647."), parse_program("w(p1,2.3)."))
    text = render_text(reasoner.explain("n(p1,2.3)"), reasoner.translation.preds)
    assert "2.3 is a number" in text
