"""The golden corpus ``tests/programs/*.lp``: one parametrized test runs each file.

Header comments say what to expect: ``% expected: ok`` (optionally
``% model: atoms...`` and ``% options: example-guard``) or
``% error: ClassName at LINE:COL``.
"""

from __future__ import annotations

import pytest

from nesyasp.lang import NesyaspError, check_program, parse_file, parse_program

from .conftest import clingo_model, clingo_text, corpus_files, read_golden


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file(path):
    golden = read_golden(path)
    if golden.error is None:
        program = parse_file(path)
        check_program(program, example_guard=golden.example_guard)
        assert parse_program(str(program)) == program, "print -> parse changed the AST"
        if golden.model is not None:
            assert clingo_model(clingo_text(program)) == golden.model
        return
    with pytest.raises(NesyaspError) as info:
        check_program(parse_file(path), example_guard=golden.example_guard)
    err = info.value
    assert type(err).__name__ == golden.error, str(err)
    assert err.location is not None and err.location.begin.file == str(path)
    assert (err.location.begin.line, err.location.begin.column) == (golden.line, golden.column), str(err)
    assert str(err).startswith(f"{path}:{golden.line}:{golden.column}: error: ")


def test_corpus_covers_valid_and_invalid_files():
    goldens = [read_golden(p) for p in corpus_files()]
    errors = {g.error for g in goldens if g.error}
    assert {"ParseError", "SafetyError", "StratificationError", "UnsupportedConstructError"} <= errors
    assert sum(g.model is not None for g in goldens) >= 10
