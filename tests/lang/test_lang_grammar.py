"""The Lark grammar file: package data, LALR(1) without conflicts, lazy compilation."""

from __future__ import annotations

import logging
import subprocess
import sys
from importlib import resources

from lark import Lark, logger as lark_logger


def _conflicts(grammar: str, start: tuple[str, ...] = ("start",)) -> list[str]:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler, level = Collect(), lark_logger.level
    lark_logger.addHandler(handler)
    lark_logger.setLevel(logging.DEBUG)
    try:
        Lark(grammar, parser="lalr", start=list(start))
    finally:
        lark_logger.removeHandler(handler)
        lark_logger.setLevel(level)
    return [r for r in records if "conflict" in r.lower()]


def test_grammar_is_package_data_and_conflict_free():
    grammar = resources.files("nesyasp.lang").joinpath("grammar.lark").read_text(encoding="utf-8")
    assert _conflicts(grammar, ("start", "query", "single_atom")) == []
    # The check can fail: a classic dangling ambiguity is reported.
    assert _conflicts("start: e\ne: e \"+\" e | \"x\"\n%ignore \" \"\n")


def test_grammar_is_compiled_on_first_use_only():
    code = ("import nesyasp.lang.parser as p; assert 'lark' not in p._state; "
            "p.parse_program('a :- b.'); assert 'lark' not in p._state; "
            "import nesyasp.lang as L\n"
            "try:\n    L.parse_program('{a}.')\nexcept Exception: pass\n"
            "assert 'lark' in p._state; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
