"""Reading a program for the reasoner: a parsed program, rule text, a path or several paths.

:func:`load_program` resolves ``#include`` directives and turns a wrong
argument into a :class:`~nesyasp.errors.WrongTypeError` that says what it got;
a file name passed as rule text fails with a hint to pass a ``Path``.

Examples
--------
>>> print(load_program("p(1). q(X) :- p(X)."), end="")
p(1).
q(X) :- p(X).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from nesyasp.errors import ParseError, WrongTypeError
from nesyasp.lang.ast import Program
from nesyasp.lang.parser import parse_file, parse_program, resolve_includes

__all__ = ["load_program"]


def load_program(program: Program | str | Path | Sequence[str | Path]) -> Program:
    """A program from a parsed :class:`Program`, rule text, a path, or several paths (concatenated)."""
    if isinstance(program, Program):
        return resolve_includes(program)
    if isinstance(program, Path):
        return resolve_includes(parse_file(program))
    if isinstance(program, str):
        return resolve_includes(_program_text(program))
    if not isinstance(program, Sequence) or not all(isinstance(p, (str, Path)) for p in program):
        raise WrongTypeError(f"expected a Program, rule text (a str), a Path or a list of paths, got "
                             f"{_type_name(program)}")
    parts = [resolve_includes(parse_file(p)) for p in program]
    out = Program((), parts[0].source if parts else "<empty>")
    for part in parts:
        out = out + part
    return out


def _type_name(value: Any) -> str:
    """``int``, or ``list holding int`` for a list with an item of the wrong type."""
    if isinstance(value, (list, tuple)):
        wrong = next((p for p in value if not isinstance(p, (str, Path))), None)
        return f"{type(value).__name__} holding {type(wrong).__name__}" if wrong is not None else type(value).__name__
    return type(value).__name__


def _program_text(text: str) -> Program:
    """Rule text; a file name passed as text fails with a hint to pass a Path."""
    try:
        return parse_program(text)
    except ParseError as exc:
        name = text.strip()
        if "\n" not in name and name.endswith(".lp") and Path(name).is_file():
            raise ParseError(f"{exc.message} (a str is rule text: for the file {name}, pass Path({name!r}))",
                             exc.location, exc.text) from None
        raise
