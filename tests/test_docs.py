"""The README tour and the first command of each docs page: they parse, and their inputs exist.

``benchmarks/docs_tour.py`` runs them for real (minutes: it trains); the
slow-marked test here runs that script. ``make demo`` echoes the commands it
runs in a form a user can type.
"""

from __future__ import annotations

import importlib.util
import shlex
import sys
from pathlib import Path

import pytest

from nesyasp.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


tour = _module(ROOT / "benchmarks" / "docs_tour.py", "docs_tour")
STEPS = tour.all_steps()


def nesyasp_commands(line: str) -> list[list[str]]:
    """The ``nesyasp ...`` commands of a shell line (split at |, &&, ;, and cut at redirections)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, current = [], []
    for token in [*lexer, ";"]:
        if token in ("|", "||", "&&", ";", ">", ">>", "<"):
            if current and current[0] == "nesyasp":
                commands.append(current[1:])
            current = [] if token not in (">", ">>", "<") else ["(redirect)"]
        else:
            current.append(token)
    return commands


def test_the_tour_and_every_docs_page_have_steps():
    wheres = [s.where for s in STEPS]
    assert wheres[0] == "README.md:31" and STEPS[0].kind == "file" and STEPS[0].name == "rooms.lp"
    pages = {w.split(":")[0] for w in wheres if w.startswith("docs/")}
    with_blocks = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md") if "```" in p.read_text(encoding="utf-8")}
    assert pages == with_blocks
    assert any("heart_train.csv" in s.text for s in STEPS)  # the line with a continuation is one command


@pytest.mark.parametrize("step", [s for s in STEPS if s.kind == "sh"], ids=lambda s: s.where)
def test_each_command_parses(step):
    parser = build_parser()
    for argv in nesyasp_commands(step.text):
        parser.parse_args(argv)  # a stale option or sub-command exits 2 here


def test_each_input_exists_or_an_earlier_step_makes_it_and_no_run_is_made_twice():
    made: set[str] = set()
    for step in STEPS:
        if step.kind == "file":
            made.add(step.name)
            continue
        if step.kind != "sh":
            continue
        tokens = shlex.split(step.text, comments=True)
        outputs = {tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in ("-o", "--out", ">")}
        for token in tokens:
            if token.endswith((".lp", ".csv", ".png")) and token not in outputs:
                known = (ROOT / token).exists() or any(token == m or token.startswith(m + "/") for m in made)
                assert known, f"{step.where}: {token} is neither shipped nor made by an earlier step"
        if tokens[:2] in (["nesyasp", "train"], ["nesyasp", "lth"], ["nesyasp", "experiment"]):
            clash = outputs & made
            assert not clash, f"{step.where}: --out {clash.pop()} holds an earlier step's run: it would be refused"
        made |= outputs
        if tokens[:2] in (["nesyasp", "extract"], ["nesyasp", "label"]):
            made.add(tokens[2])


def test_make_demo_echoes_commands_a_user_can_run(monkeypatch, capsys):
    demo = _module(ROOT / "examples" / "demo.py", "demo_example")
    ran: list[list[str]] = []
    monkeypatch.setattr(demo.subprocess, "call", lambda argv, cwd: ran.append(argv[1:]) or 0)
    monkeypatch.setattr(sys, "argv", ["demo.py", "--no-train"])
    demo.main()
    echoed = [line[2:] for line in capsys.readouterr().out.splitlines() if line.startswith("$ ")]
    assert len(echoed) == len(ran) >= 5
    parser = build_parser()
    for line, argv in zip(echoed, ran):
        words = shlex.split(line)
        assert words[0] == "nesyasp" and argv[:2] == ["-m", "nesyasp"] and words[1:] == argv[2:]
        parser.parse_args(words[1:])


@pytest.mark.slow
def test_the_tour_runs_as_written():
    assert tour.main([]) == 0
