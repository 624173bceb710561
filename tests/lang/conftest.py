"""Helpers shared by the rule-language tests: the golden corpus and clingo runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from nesyasp.lang import Program

PROGRAMS = Path(__file__).resolve().parent.parent / "programs"

_HEADER = re.compile(r"%\s*(expected|error|model|options|warning):(.*)")


@dataclass
class Golden:
    """A corpus file and what its header comments promise."""

    path: Path
    error: str | None  # exception class name
    line: int
    column: int
    model: set[str] | None
    example_guard: bool


def read_golden(path: Path) -> Golden:
    """Read the ``% expected: ok`` / ``% error: Class at L:C`` / ``% model: ...`` header."""
    error, line, column, model, guard = None, 0, 0, None, False
    for text in path.read_text(encoding="utf-8").splitlines():
        m = _HEADER.match(text.strip())
        if not m:
            break
        key, value = m.group(1), m.group(2).strip()
        if key == "error":
            err = re.fullmatch(r"(\w+) at (\d+):(\d+)", value)
            assert err, f"{path.name}: bad error header {value!r}"
            error, line, column = err.group(1), int(err.group(2)), int(err.group(3))
        elif key == "model":
            model = set(_split_atoms(value))
        elif key == "options":
            guard = "example-guard" in value
    return Golden(path, error, line, column, model, guard)


def _split_atoms(text: str) -> list[str]:
    """Split ``a b(1,"x y") c`` at spaces outside parentheses and strings."""
    out, depth, quoted, cur = [], 0, False, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == "\\":
            cur += text[i:i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        if ch == " " and depth == 0 and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    if cur:
        out.append(cur)
    return out


def corpus_files() -> list[Path]:
    """Every golden ``.lp`` file."""
    return sorted(PROGRAMS.glob("*.lp"))


def clingo_text(program: Program) -> str:
    """The program as clingo reads it: its printed text (``%#pred`` annotations are comments to clingo)."""
    return str(program)


def clingo_model(text: str) -> set[str]:
    """The shown atoms of the unique stable model clingo finds for ``text``."""
    clingo = pytest.importorskip("clingo")
    ctl = clingo.Control(["--warn=none", "0"], logger=lambda code, msg: None)
    ctl.add("base", [], text)
    ctl.ground([("base", [])])
    models: list[set[str]] = []
    ctl.solve(on_model=lambda m: models.append({str(s) for s in m.symbols(shown=True)}))
    assert len(models) == 1, f"expected one stable model, got {len(models)}"
    return models[0]
