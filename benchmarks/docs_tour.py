"""Run the README tour and the first command of every docs page, as written, in a fresh copy.

The steps are read from the Markdown: every code block of README.md's
"A five-minute tour" (a ``prolog`` block whose first line is ``% NAME.lp``
is written to that file; ``sh`` lines run in bash, a backslash at a line's
end continuing it; ``python`` blocks run as scripts), then, for each page of
docs/ in name order, its first command (the first line of its first code
block; a whole block when that block is Python). They run in that order in a
temporary copy of the repository (its tracked and not-ignored files), where
``nesyasp`` and ``python`` are this interpreter and this copy's package.

Prints one line per step and the output of each failure; exit 1 when a step fails.
Trains a CNN and runs LTH rounds: minutes on two idle cores.

``python benchmarks/docs_tour.py [--list] [--keep DIR] [--timeout SECONDS]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOUR = "## A five-minute tour"
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Step:
    """One thing to do: run a shell line (``sh``), a Python block (``python``) or write a file (``file``)."""

    kind: str
    text: str
    where: str  # FILE:LINE of the step in the docs
    name: str = ""  # the file a ``file`` step writes


def code_blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """``(language, first line number, lines)`` of each fenced code block."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body = i + 2, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        blocks.append((m.group(1), start, body))
        i += 1
    return blocks


def shell_lines(body: list[str], start: int) -> list[tuple[int, str]]:
    """``(line number, command)`` of a shell block: continuations joined, comments and blank lines left out."""
    out: list[tuple[int, str]] = []
    pending, first = "", 0
    for n, line in enumerate(body, start):
        if not pending:
            first = n
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            out.append((first, command))
    return out


def block_steps(lang: str, start: int, body: list[str], source: str) -> list[Step]:
    """The steps of one code block."""
    if lang in ("prolog", "lp", "asp") and body and re.fullmatch(r"%\s*\S+\.lp\s*", body[0]):
        return [Step("file", "\n".join(body) + "\n", f"{source}:{start}", body[0].lstrip("% ").strip())]
    if lang == "python":
        return [Step("python", "\n".join(body) + "\n", f"{source}:{start}")]
    return [Step("sh", command, f"{source}:{n}") for n, command in shell_lines(body, start)]


def readme_steps(root: Path = ROOT) -> list[Step]:
    """Every step of README.md's tour section."""
    text = (root / "README.md").read_text(encoding="utf-8")
    begin = text.index(TOUR)
    end = text.find("\n## ", begin + len(TOUR))
    offset = text.count("\n", 0, begin)
    section = text[begin:end if end >= 0 else len(text)]
    steps = []
    for lang, start, body in code_blocks(section):
        steps.extend(block_steps(lang, start + offset, body, "README.md"))
    return steps


def page_steps(root: Path = ROOT) -> list[Step]:
    """The first command of each docs page (the whole first block when it is Python)."""
    steps = []
    for page in sorted((root / "docs").glob("*.md")):
        blocks = code_blocks(page.read_text(encoding="utf-8"))
        if not blocks:
            continue
        lang, start, body = blocks[0]
        found = block_steps(lang, start, body, f"docs/{page.name}")
        steps.extend(found[:1])
    return steps


def all_steps(root: Path = ROOT) -> list[Step]:
    """The README tour, then the first command of every docs page."""
    return readme_steps(root) + page_steps(root)


def fresh_copy(dest: Path, root: Path = ROOT) -> None:
    """Copy the files a clone would hold (tracked, and new files git does not ignore) into ``dest``."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = root / name
        if src.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _environment(work: Path, bin_dir: Path) -> dict[str, str]:
    bin_dir.mkdir(exist_ok=True)
    for name, command in (("nesyasp", f'exec "{sys.executable}" -m nesyasp "$@"'),
                          ("python", f'exec "{sys.executable}" "$@"')):
        shim = bin_dir / name
        shim.write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
        shim.chmod(0o755)
    env = dict(os.environ)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(work))
    return env


def run_step(step: Step, work: Path, env: dict[str, str], timeout: float) -> tuple[bool, str]:
    """Run one step in ``work``; ``(ok, output)``."""
    if step.kind == "file":
        (work / step.name).write_text(step.text, encoding="utf-8")
        return True, ""
    argv = ["bash", "-c", step.text] if step.kind == "sh" else [sys.executable, "-c", step.text]
    proc = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and whatever it started
        proc.communicate()
        return False, f"timed out after {timeout:.0f} s"
    return proc.returncode == 0, output.strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print the steps, run nothing")
    ap.add_argument("--keep", type=Path, help="run in this new folder and keep it (default: a temporary one)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per step (default 1800)")
    args = ap.parse_args(argv)
    steps = all_steps()
    if args.list:
        for step in steps:
            print(f"{step.where:24} {step.kind:6} {step.name or step.text.splitlines()[0]}")
        return 0
    with tempfile.TemporaryDirectory(prefix="nesyasp-docs-") as tmp:
        work = args.keep or Path(tmp) / "repo"
        if work.exists() and any(work.iterdir()):
            print(f"--keep {work}: not empty", file=sys.stderr)
            return 2
        work.mkdir(parents=True, exist_ok=True)
        fresh_copy(work)
        env = _environment(work, Path(tmp) / "bin")
        failed = []
        for step in steps:
            start = time.perf_counter()
            ok, output = run_step(step, work, env, args.timeout)
            shown = step.name and f"write {step.name}" or step.text.splitlines()[0]
            print(f"[{'ok' if ok else 'FAILED'}] {step.where}: {shown} ({time.perf_counter() - start:.1f} s)",
                  flush=True)
            if not ok:
                failed.append(step)
                print("    " + "\n    ".join(output.splitlines()[-15:]), flush=True)
    print(f"{len(steps) - len(failed)} of {len(steps)} steps ok" + (
        "; failed: " + ", ".join(s.where for s in failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
