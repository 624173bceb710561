"""Regressions found by a held-out check of the reasoner on hand-written programs (see docs/reasoning.md)."""

from __future__ import annotations

import pytest

from nesyasp.reason import Reasoner, check_justification, render_text

from .helpers import check_all
from .independent_check import check_document
from .test_reason_independent import document


@pytest.mark.parametrize("program, query", [
    ("n(1). n(2). k(X+Y) :- n(X), n(Y).", "k(S)"),
    ("n(1). n(2). k(X*Y-X) :- n(X), n(Y).", "k(S)"),
    ("n(1). n(2). k(X+Y, Y) :- n(X), n(Y).", "k(S,Y)"),
])
def test_a_head_with_arithmetic_in_two_body_variables_is_explained(program, query):
    # the head equation X+Y = 3 used to be picked before the body bound X or Y: no instance derived k(3)
    r = Reasoner(program, engine="clingo")
    assert check_all(r) > 0
    true = [str(a) for a in r.model().atoms() if a.name == "k"]
    assert check_document(program, document(program, [query], true, "holding")) == []


def test_k_of_x_plus_y_reads_as_its_body():
    r = Reasoner("n(1). n(2). k(X+Y) :- n(X), n(Y).", engine="clingo")
    node = r.explain("k(3)")
    assert node.holds and node.because == "rule" and check_justification(node, r.model()) == []
    assert render_text(node).splitlines()[1:] == ["   'n' holds (for 1), and", "   'n' holds (for 2)."]
