"""``#include`` s expanded in place: paths relative to the including file, each file once, cycles and broken
files reported at the ``#include``'s position (the parsing itself is the caller's: no import circle)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from nesyasp._paths import said_command
from nesyasp.errors import NesyaspError, ParseError, format_location
from nesyasp.lang.ast import Include, Program, Statement
from nesyasp.lang.files import read_program_text

__all__ = ["MAX_INCLUDE_DEPTH", "expand_includes"]

# Files may include files that include files ..., at most this deep.
MAX_INCLUDE_DEPTH = 64

Parse = Callable[[str, str], Program]


def expand_includes(program: Program, parse: Parse, fail: Callable[[ParseError], None]) -> Program:
    """``program`` with each ``#include`` replaced by the statements of its file, recursively.

    Parameters
    ----------
    program:
        A parsed program (its ``source`` is the file relative paths start from).
    parse:
        Parses an included file's text: ``parse(text, source) -> Program``.
    fail:
        Called with each broken ``#include`` (which is then left out).

    Returns
    -------
    Program
        The program with the included statements in place.
    """
    key = os.path.realpath(program.source) if not program.source.startswith("<") else program.source
    out: list[Statement] = []
    _expand(program, [(key, program.source)], {key}, out, parse, fail)
    return Program(tuple(out), program.source)


def _expand(program: Program, chain: list[tuple[str, str]], done: set[str], out: list[Statement], parse: Parse,
            fail: Callable[[ParseError], None]) -> None:
    base = Path(program.source).parent if not program.source.startswith("<") else Path()
    for stmt in program.statements:
        if type(stmt) is not Include:
            out.append(stmt)
            continue
        path = base / stmt.path
        key = os.path.realpath(path)
        keys = [k for k, _ in chain]
        if key in keys:
            cycle = [shown for _, shown in chain[keys.index(key):]]
            fail(ParseError(f"#include cycle: {' -> '.join([*cycle, cycle[0]])}", stmt.loc))
            continue
        if key in done:
            continue  # included already (clingo includes a file once)
        included = _included(path, stmt, len(chain), parse, fail)
        if included is not None:
            done.add(key)
            _expand(included, [*chain, (key, str(path))], done, out, parse, fail)


def _included(path: Path, stmt: Include, depth: int, parse: Parse,
              fail: Callable[[ParseError], None]) -> Program | None:
    """The program of an included file, or None after reporting why it cannot be included."""
    if depth >= MAX_INCLUDE_DEPTH:
        fail(ParseError(f"#include of '{stmt.path}': includes nested more than {MAX_INCLUDE_DEPTH} deep", stmt.loc))
        return None
    if not os.path.lexists(path):
        fail(ParseError(f"#include of a missing file '{stmt.path}' (looked for {path})", stmt.loc))
        return None
    if path.exists() and not path.is_dir() and not path.is_file():  # a device or a pipe could block or never end
        fail(ParseError(f"#include of '{stmt.path}': not a regular file", stmt.loc))
        return None
    try:
        text = read_program_text(path)
    except ParseError as exc:
        where = f" ({format_location(exc.location)})" if exc.location is not None else ""
        fail(ParseError(f"#include of '{stmt.path}': {exc.message.removeprefix(f'{path}: ')}{where}", stmt.loc))
        return None
    try:
        return parse(text, str(path))
    except NesyaspError as exc:  # said without the file's text: it may be anything (#include "/etc/passwd".)
        fail(ParseError(f"#include of '{stmt.path}': not a rule file, it does not parse ({type(exc).__name__} at "
                        f"{format_location(exc.location)}; {said_command('nesyasp', 'check', path)} shows why)", stmt.loc))
        return None
