"""Regressions found by a second held-out check of the rule language (docs/rule-language.md)."""

from __future__ import annotations

from nesyasp.lang import diagnose, parse_program

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

