"""Regressions found by a second held-out check of the rule language (docs/rule-language.md)."""

from __future__ import annotations

import pytest

from nesyasp.cli import main
from nesyasp.errors import UnsupportedConstructError
from nesyasp.lang import diagnose, parse_atom, parse_program, parse_query

ANNOTATED = """#pred wet(X) :: '@(X) is wet'.
#pred wet(road) :: '@(Z) is slippery'.
#pred cold(X) :: '@(Y) is cold'.
wet(road). wet(a). cold(b).
"""


def test_a_pred_text_naming_no_variable_of_its_atom_is_a_warning_at_its_place():
    # was accepted silently, and explanations printed "@(Y) is cold" / "there is no evidence that @(Y) is cold"
    warnings = [d for d in diagnose(parse_program(ANNOTATED)) if d.code == "pred-placeholder"]
    assert [(d.severity, d.location.begin.line, d.location.begin.column) for d in warnings] == [
        ("warning", 2, 1), ("warning", 3, 1)]
    assert "@(Y) is no variable of cold(X)" in warnings[1].message



@pytest.mark.parametrize("text, column, value", [
    ("q(2147483648)", 3, "2147483648"), ("q(-2147483649)", 3, "-2147483649"), ("q(f(a,2147483648))", 7, "2147483648"),
    ("p(X), X > 99999999999", 11, "99999999999"),
])
def test_an_integer_past_32_bits_in_a_query_is_refused_at_its_place(text, column, value):
    # nesyasp query -q 'q(2147483648)' (or --why-not) ended in 'internal error: OverflowError'
    with pytest.raises(UnsupportedConstructError) as caught:
        parse_query(text)
    assert str(caught.value).startswith(f"<query>:1:{column}: error: integer {value} is outside clingo's 32-bit")
    if "," not in text:
        with pytest.raises(UnsupportedConstructError):
            parse_atom(text)
    assert [str(lit) for lit in parse_query("q(-2147483648), X = 2147483647")] == ["q(-2147483648)", "X=2147483647"]


def test_the_cli_refuses_it_with_one_line(tmp_path, capsys):
    (tmp_path / "p.lp").write_text("p(1). q(X) :- p(X).\n")
    for option in ("-q", "--why-not"):
        assert main(["query", str(tmp_path / "p.lp"), option, "q(2147483648)"]) == 1
        err = capsys.readouterr().err
        assert "UnsupportedConstructError" in err and "internal error" not in err
