"""Every sub-command against bad files: it ends with exit 0 or 1, names the path, never a traceback.

The sub-commands are discovered (``nesyasp.cli.commands``, and the actions of
``nesyasp data``), so a new command is covered as soon as it exists: the
tables below say how to put a path into a command line that is otherwise
fine and cheap, and a command missing from them gets each of its positional
arguments tried as the path. Bad inputs: a missing path, a folder for a file
(a file for a folder), an empty file or folder, a binary file (a run or data
folder of garbage), an unreadable path, an output into a missing folder, and
an output that would overwrite an input. Nothing here trains: a run or data
folder is broken or fake, so every command fails or ends before the work.
After each case the inputs are as they were.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path
from typing import Callable

import pytest

from nesyasp.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
HEART = ROOT / "examples" / "tables" / "heart.csv"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0

Argv = Callable[[str, "Work"], list[str]]


class Work:
    """A case's folder: good inputs to combine with the bad one, and fresh output paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "in"
        self.inputs.mkdir()
        (root / "out").mkdir()
        self.rules = str(self.inputs / "rules.lp")
        Path(self.rules).write_text("p(X) :- q(X).\nq(1).\n", encoding="utf-8")
        self.csv = str(self.inputs / "train.csv")
        Path(self.csv).write_bytes(HEART.read_bytes())
        self.image = str(self.inputs / "photo.png")
        from PIL import Image

        Image.new("RGB", (8, 8), (200, 40, 40)).save(self.image)

    def out(self, name: str) -> str:
        return str(self.root / "out" / name)


# How to put a bad input FILE into each command's line (the rest of the line is good and cheap).
FILE_SLOTS: dict[str, list[Argv]] = {
    "check": [lambda p, w: ["check", p]],
    "fmt": [lambda p, w: ["fmt", p]],
    "query": [lambda p, w: ["query", p, "-q", "p(X)"],
              lambda p, w: ["query", w.rules, "--facts-table", p, "-q", "p(X)"]],
    "learn": [lambda p, w: ["learn", p, "--target", "label"],
              lambda p, w: ["learn", w.csv, "--test", p, "--target", "label"]],
    "train": [lambda p, w: ["train", "--weights", p, "--out", w.out("run"), "--epochs", "1", "--per-class", "4"]],
}
# ... a bad input FOLDER (a run folder, an image folder).
FOLDER_SLOTS: dict[str, list[Argv]] = {
    "extract": [lambda p, w: ["extract", p]],
    "evaluate": [lambda p, w: ["evaluate", p]],
    "label": [lambda p, w: ["label", p]],
    "report": [lambda p, w: ["report", p, "-o", w.out("report.html")]],
    "explain": [lambda p, w: ["explain", p, w.image]],  # its image slots need a real run: not tried here
    "data check": [lambda p, w: ["data", "check", p]],
    "data preview": [lambda p, w: ["data", "preview", p, "--out", w.out("grid.png")]],
    "train": [lambda p, w: ["train", "--data", p, "--out", w.out("run"), "--epochs", "1"],
              lambda p, w: ["train", "--out", p, "--resume", "--epochs", "1"]],
    "experiment": [lambda p, w: ["experiment", "--data", p, "--out", w.out("exp"), "--strategies", "ts3",
                                 "--classes", "2", "--seeds", "1", "--epochs", "1"]],
    "lth": [lambda p, w: ["lth", "--out", p, "--resume", "--rounds", "1", "--epochs", "1"],
            lambda p, w: ["lth", "--data", p, "--out", w.out("lth"), "--rounds", "1", "--epochs", "1"]],
}
# ... an output FILE (its folder may be missing): the command line, and the name the output should have.
OUTPUT_SLOTS: dict[str, tuple[Callable[[str, Work], list[str]], str]] = {
    "learn": (lambda o, w: ["learn", w.csv, "--target", "label", "-o", o], "rules.lp"),
    "data preview": (lambda o, w: ["data", "preview", "scenes", "--classes", "2", "--per-class", "1", "--out", o],
                     "grid.png"),
    "report": (lambda o, w: ["report", str(w.root / "nothing"), "-o", o], "report.html"),
    "pretrain": (lambda o, w: ["pretrain", "--epochs", "1", "--per-class", "1", "--size", "16", "--no-cache",
                               "--out", o], "backbone.pt"),
}
# ... an output that would overwrite an input: the command line and that input.
OVERWRITES: dict[str, Callable[[Work], tuple[list[str], str]]] = {
    "learn": lambda w: (["learn", w.csv, "--target", "label", "-o", w.csv], w.csv),
    "data preview": lambda w: (["data", "preview", str(bad_folder("garbage", w.inputs)), "--out",
                                str(w.inputs / "run" / "a" / "x.png")], str(w.inputs / "run" / "a" / "x.png")),
    "train": lambda w: (["train", "--data", str(bad_folder("garbage", w.inputs)), "--out",
                         str(w.inputs / "run" / "a"), "--epochs", "1"], str(w.inputs / "run")),
    "experiment": lambda w: (["experiment", "--data", str(bad_folder("garbage", w.inputs)), "--out",
                              str(w.inputs / "run"), "--strategies", "ts3", "--seeds", "1", "--epochs", "1"],
                             str(w.inputs / "run")),
    "lth": lambda w: (["lth", "--data", str(bad_folder("garbage", w.inputs)), "--out", str(w.inputs / "run" / "lth"),
                       "--rounds", "1", "--epochs", "1"], str(w.inputs / "run")),
}
# Commands that read no path of the user's (nothing to try here).
NO_PATHS = {"data list", "pretrain"}  # pretrain writes only: OUTPUT_SLOTS


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every sub-command (and every action of a command with actions) and its parser."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[prefix] = parser
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return found


def generic_slots(name: str, parser: argparse.ArgumentParser) -> list[Argv]:
    """A command nobody described yet: the path as each of its positional arguments, in turn."""
    positional = [a for a in parser._actions if not a.option_strings and a.dest != argparse.SUPPRESS]
    slots = []
    for i in range(len(positional)):
        def argv(p: str, w: Work, i: int = i) -> list[str]:
            return [*name.split(), *[p if j == i else w.rules for j in range(len(positional))]]
        slots.append(argv)
    return slots


def file_slots() -> list[tuple[str, Argv]]:
    out = []
    for name, parser in commands().items():
        described = name in FILE_SLOTS or name in FOLDER_SLOTS or name in NO_PATHS
        for slot in FILE_SLOTS.get(name, []) + ([] if described else generic_slots(name, parser)):
            out.append((name, slot))
    return out


def folder_slots() -> list[tuple[str, Argv]]:
    return [(name, slot) for name in commands() for slot in FOLDER_SLOTS.get(name, [])]


# ---------------------------------------------------------------- bad inputs


def _unreadable(path: Path, folder: bool) -> Path:
    """A path that cannot be read: mode 000, or (as root, who reads anything) a loop of symbolic links."""
    if ROOT_USER:
        path.symlink_to(path.name)  # path -> path: ELOOP for everyone
        return path
    if folder:
        path.mkdir()
        (path / "config.json").write_text("{}")
    else:
        path.write_text("p.\n")
    path.chmod(0)
    return path


def bad_file(kind: str, where: Path) -> Path:
    path = where / "bad.lp"
    if kind == "missing":
        return where / "missing.lp"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "unreadable":
        return _unreadable(path, folder=False)
    return path


RUN_FILES = ("config.json", "checkpoint.pt", "metrics.json", "rules.lp", "labelled_rules.lp", "evaluation.json",
             "labels.json", "facts/test.lp", "facts/train.lp", "tables/train.csv", "tables/test.csv",
             "tables/binarization.json", "checkpoints/round_0.pt", "images/a/x.png", "a/x.png", "a/y.png")


def bad_folder(kind: str, where: Path) -> Path:
    path = where / "run"
    if kind == "missing":
        return where / "missing_run"
    if kind == "file":
        path.write_bytes(b"not a folder\n")
    elif kind == "empty":
        path.mkdir()
    elif kind == "garbage":  # a run or image folder whose files are binary garbage
        for name in RUN_FILES:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(b"\x00\xff\xfe garbage " + name.encode() + bytes(range(64)))
    elif kind == "unreadable":
        return _unreadable(path, folder=True)
    return path


def snapshot(root: Path) -> dict[str, str]:
    """Hash of every readable file under ``root`` (links not followed)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK):
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def run_case(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: a usage error
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out + err


def assert_clean(code: int, output: str, path: Path, argv: list[str]) -> None:
    shown = " ".join(argv)
    assert code in (0, 1), f"exit {code}: {shown}\n{output}"
    assert "Traceback" not in output and "internal error" not in output, f"{shown}\n{output}"
    if code == 1:
        assert str(path) in output or path.name in output, f"the message does not name {path}: {shown}\n{output}"


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield Work(tmp_path)
    for path in tmp_path.rglob("*"):  # let pytest remove what a case made unreadable
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


FILE_KINDS = ("missing", "folder", "empty", "binary", "unreadable")
FOLDER_KINDS = ("missing", "file", "empty", "garbage", "unreadable")


def check_case(work: Work, capsys, argv: list[str], path: Path, must_fail: bool) -> None:
    """Run one case: exit 0/1 (1 when ``must_fail``), no traceback, the path named, the inputs unchanged."""
    before = snapshot(work.inputs)
    code, output = run_case(argv, capsys)
    assert_clean(code, output, path, argv)
    assert snapshot(work.inputs) == before
    if must_fail:
        assert code == 1, f"{' '.join(argv)}\n{output}"


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("name, slot", file_slots(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_file(work, capsys, name, slot, kind):
    path = bad_file(kind, work.inputs)
    check_case(work, capsys, slot(str(path), work), path, kind != "empty")  # an empty rule file is a program


@pytest.mark.parametrize("kind", FOLDER_KINDS)
@pytest.mark.parametrize("name, slot", folder_slots(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_folder(work, capsys, name, slot, kind):
    path = bad_folder(kind, work.inputs)
    check_case(work, capsys, slot(str(path), work), path, True)


@pytest.mark.parametrize("name", sorted(OUTPUT_SLOTS))
def test_output_into_a_missing_folder_is_refused(work, capsys, name):
    argv_of, file_name = OUTPUT_SLOTS[name]
    out = work.root / "no_such_folder" / file_name
    argv = argv_of(str(out), work)
    code, output = run_case(argv, capsys)
    assert_clean(code, output, out.parent, argv)
    assert code == 1 and not out.parent.exists(), f"{' '.join(argv)}\n{output}"


@pytest.mark.parametrize("name", sorted(OVERWRITES))
def test_output_over_an_input_is_refused(work, capsys, name):
    argv, target = OVERWRITES[name](work)
    before = snapshot(work.inputs)
    code, output = run_case(argv, capsys)
    assert_clean(code, output, Path(target), argv)
    assert code == 1 and snapshot(work.inputs) == before, f"{' '.join(argv)}\n{output}"


def test_every_command_is_covered():
    found = commands()
    covered = {name for name, _ in file_slots()} | {name for name, _ in folder_slots()} | NO_PATHS
    assert set(found) <= covered, f"commands with no bad-input case: {sorted(set(found) - covered)}"
    assert {"check", "query", "learn", "train", "lth", "data preview"} <= set(found)


# ------------------------------------------------------- examples/pipeline.py


def _pipeline():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pipeline_example", ROOT / "examples" / "pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pipeline_replaces_only_a_folder_it_made(tmp_path):
    pipeline = _pipeline()
    mine = tmp_path / "new" / "run"
    pipeline.prepare_out(mine)  # made here, with its marker
    (mine / "config.json").write_text("{}")
    pipeline.prepare_out(mine)  # made by the script before: replaced
    assert sorted(p.name for p in mine.iterdir()) == [pipeline.MARKER]
    theirs = tmp_path / "thesis"
    theirs.mkdir()
    (theirs / "chapter1.tex").write_text("years of work")
    before = snapshot(theirs)
    with pytest.raises(SystemExit, match="holds files that this script did not write"):
        pipeline.prepare_out(theirs)
    assert snapshot(theirs) == before and not (theirs / pipeline.MARKER).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    pipeline.prepare_out(empty)
    assert (empty / pipeline.MARKER).is_file()
    with pytest.raises(SystemExit, match="is a file"):
        pipeline.prepare_out(theirs / "chapter1.tex")


def test_pipeline_interrupted_says_one_line(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples" / "pipeline.py"), "--out", str(out), "--epochs",
                             "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # (a shell without job control starts background jobs with SIGINT ignored, and Python keeps that)
    deadline = time.time() + 120
    while not (out / _pipeline().MARKER).exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: to the whole group, the data workers too
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "pipeline.py: interrupted", err
    assert "Traceback" not in err


@pytest.mark.parametrize("name, text, argv, caret_under", [
    ("bom.lp", "\ufeffp(a) :- q(.\n", ["check"], "."),
    ("bom.csv", "\ufeffa,b,,label\n1,2,3,x\n", ["learn", "--target", "label"], ","),
])
def test_a_byte_order_mark_does_not_shift_the_caret(tmp_path, capsys, name, text, argv, caret_under):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    command, *rest = argv
    assert main([command, str(path), *rest]) == 1
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"^"})
    shown, marks = lines[caret - 1], lines[caret]
    assert "\ufeff" not in shown and "?" not in shown
    assert shown[marks.index("^")] == caret_under
