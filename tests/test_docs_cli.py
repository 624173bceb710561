"""The command lines that the docs, the examples and every ``--help`` show, held to the parser.

* every ``nesyasp ...`` line of a code block (README.md, HACKING.md, docs/, examples/tables/README.md),
  of an example script's docstring and of a command's ``--help`` examples parses as written;
  a synopsis line (``[--seed 0]``, ``...``) names only options that exist;
* every ``nesyasp COMMAND --option`` in the prose (inline code) names an option of that command;
* every option of every command is named on the docs page of that command (or in README.md), and
  ``--help`` / ``--debug`` / ``-v`` on docs/README.md; every command's ``--help`` shows an example, and the default
  of every option that has one.

``tests/test_docs.py`` runs the README tour's steps and each page's first command; this covers the rest.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import sys
from pathlib import Path

import pytest

from nesyasp.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_tour import code_blocks, shell_lines  # noqa: E402

DOCS = [ROOT / "README.md", ROOT / "HACKING.md", *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "examples" / "tables" / "README.md"]
# The page that documents each command (docs/README.md's index says the same).
PAGES = {"check": "rule-language", "fmt": "rule-language", "query": "reasoning", "learn": "learning",
         "data": "data", "train": "neural", "pretrain": "neural", "extract": "neural", "evaluate": "neural",
         "experiment": "neural", "label": "labelling", "report": "labelling", "explain": "explaining", "lth": "lth"}
NOT_CODE = {"python", "prolog", "lp", "asp", "json", "text"}
_PROMPT = re.compile(r"^\s*(?:[\w.-]*\$\s+)?")  # '$ ', 'machine1$ '
# a line that runs nesyasp: first (after VAR=value), after | && ;, or under torchrun (-m nesyasp)
_RUNS_NESYASP = re.compile(r"(?:^(?:\w+=\S*\s+)*|[|&;]\s*)nesyasp\s|\s-m nesyasp\s")
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, dict(sub.choices)


PARSER, COMMANDS = _parser()


def _actions(parser: argparse.ArgumentParser, name: str) -> list[tuple[str, argparse.Action]]:
    """``(command path, action)`` of every option of ``parser`` and of its sub-actions (``data preview``)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                found += _actions(sub, f"{name} {sub_name}")
        elif action.option_strings and action.help != argparse.SUPPRESS:
            found.append((name, action))
    return found


def _options(words: list[str]) -> set[str]:
    """The option strings that ``nesyasp WORDS...`` accepts (a sub-action's when ``WORDS[1]`` names one)."""
    command = COMMANDS[words[0]]
    subs = {n: p for a in command._actions if isinstance(a, argparse._SubParsersAction) for n, p in a.choices.items()}
    parsers = [command] + ([subs[words[1]]] if len(words) > 1 and words[1] in subs else [])
    return {o for p in parsers for a in p._actions for o in a.option_strings}


def _doc_lines() -> list[tuple[str, str]]:
    """``(where, line)`` of every command line in a code block of the docs."""
    lines = []
    for page in DOCS:
        name = page.relative_to(ROOT).as_posix()
        for lang, start, body in code_blocks(page.read_text(encoding="utf-8")):
            if lang not in NOT_CODE:
                lines += [(f"{name}:{n}", _PROMPT.sub("", text)) for n, text in shell_lines(body, start)
                          if _RUNS_NESYASP.search(_PROMPT.sub("", text))]
    return lines


def _script_lines() -> list[tuple[str, str]]:
    """``(where, line)`` of the command lines in the docstrings of examples/*.py (text after 2 spaces is prose)."""
    lines = []
    for script in sorted((ROOT / "examples").glob("*.py")):
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
        lines += [(f"examples/{script.name}", re.split(r"\s{2,}", line.strip())[0])
                  for line in doc.splitlines() if line.strip().startswith("nesyasp ")]
    return lines


def _help_lines() -> list[tuple[str, str]]:
    """``(where, line)`` of the example lines of every command's --help (a comment after 2 spaces is cut)."""
    lines = []
    helps = [("", PARSER)] + [(name, command) for name, command in COMMANDS.items()]
    helps += [(f"{name} {n}", p) for name, command in COMMANDS.items() for a in command._actions
              if isinstance(a, argparse._SubParsersAction) for n, p in a.choices.items()]  # data list, ...
    for name, command in helps:
        section = False
        for line in command.format_help().splitlines():
            section = line in ("examples:", "next:") or (section and line.startswith(" "))
            if section and line.strip().startswith(("nesyasp ", "torchrun ")):
                lines.append((f"nesyasp {name} --help".replace("  ", " "), re.split(r"\s{2,}", line.strip())[0]))
    return lines


def _commands(line: str) -> list[list[str]]:
    """The ``nesyasp ...`` commands of a shell line (``-m nesyasp`` under torchrun too), split at | && ; >."""
    lexer = shlex.shlex(line.replace("-m nesyasp", "nesyasp"), posix=False, punctuation_chars="|&;<>")
    lexer.whitespace_split, lexer.commenters = True, "#"
    found, current = [], []
    for raw in [*lexer, ";"]:  # not posix: a quoted ';' stays quoted here, so only a bare one separates
        if raw in ("|", "||", "&&", ";", "&", ">", ">>", "<"):
            if "nesyasp" in current:
                found.append(current[current.index("nesyasp") + 1:])
            current = []
        else:
            current.append(shlex.split(raw)[0] if raw[:1] in "'\"" else raw)
    return found


LINES = _doc_lines() + _script_lines() + _help_lines()


def _is_synopsis(argv: list[str]) -> bool:
    return any(w == "..." or w.startswith("[") or w.endswith("]") or "|" in w for w in argv)


def test_the_lines_are_found_everywhere():
    wheres = {where.split(":")[0].split(" --help")[0] for where, _ in LINES}
    assert {"README.md", "docs/neural.md", "examples/pipeline.py", "nesyasp lth"} <= wheres
    assert {f"nesyasp {c}" for c in COMMANDS} <= wheres  # every command's --help has an example line
    assert {"nesyasp", "nesyasp data list", "nesyasp data preview", "nesyasp data check"} <= wheres
    assert any("torchrun" in line for _, line in LINES)


@pytest.mark.parametrize("where,line", LINES, ids=[f"{w}:{line[:40]}" for w, line in LINES])
def test_each_command_line_parses(where, line, capsys):
    for argv in _commands(line):
        if _is_synopsis(argv):  # a synopsis: its options exist
            unknown = set(_OPTION.findall(" ".join(argv[1:]))) - _options(argv)
            assert not unknown, f"{where}: nesyasp {argv[0]} has no option {sorted(unknown)}"
            continue
        try:
            PARSER.parse_args(argv)
        except SystemExit:
            pytest.fail(f"{where}: {shlex.join(['nesyasp', *argv])}: {capsys.readouterr().err.strip()}")


def test_each_option_named_in_the_prose_exists():
    stale = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"`nesyasp\s+([a-z]+)([^`]*)`", text):
            command, rest = m.group(1), m.group(2)
            if command not in COMMANDS:
                stale.append(f"{page.name}: no command '{command}' ({m.group(0)})")
                continue
            unknown = set(_OPTION.findall(rest)) - _options([command, *rest.split()])
            stale += [f"{page.name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)} ({o})" for o in unknown]
    assert stale == []


def test_every_option_is_documented_on_its_page():
    assert set(PAGES) == set(COMMANDS), "a new command needs a docs page here (and in docs/README.md)"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    missing = []
    for name, command in COMMANDS.items():
        text = (ROOT / "docs" / f"{PAGES[name]}.md").read_text(encoding="utf-8") + readme
        for path, action in _actions(command, name):
            if {"--help", "--debug", "--verbose"} & set(action.option_strings):
                continue  # every command's: docs/README.md says them once
            if not any(re.search(re.escape(o) + r"(?![\w-])", text) for o in action.option_strings):
                missing.append(f"nesyasp {path} {'/'.join(action.option_strings)}: not in docs/{PAGES[name]}.md")
    assert missing == []
    assert "`--debug`" in index and "--help" in index and "`-v`" in index


def test_every_help_shows_the_defaults():
    silent = []
    for name, command in COMMANDS.items():
        for path, action in _actions(command, name):
            default = action.default
            if default is None or default is False or default in ("", []) or action.nargs == 0:
                continue  # a flag, or nothing to show
            if "default" not in (action.help or ""):
                silent.append(f"nesyasp {path} {action.option_strings[-1]} (default {default!r})")
    assert silent == []
