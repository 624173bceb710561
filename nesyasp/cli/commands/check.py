"""``nesyasp check``: parse and check rule files, print every error and warning."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING, Any

from nesyasp.errors import Diagnostic, Position

if TYPE_CHECKING:
    from nesyasp.lang.ast import Program

NAME = "check"
HELP = "check rule files: syntax, language, safety, stratification, definitions"
DESCRIPTION = """\
Parse each FILE and report every error and warning as

  FILE:LINE:COL: severity: message
      the source line
      ^^^ under the offending part

then a one-line summary. Errors: syntax, constructs outside the language
(choice rules, aggregates, disjunction, ...), unsafe variables, cycles through
'not', and #include'd files that are missing, in a cycle, or not rule files
(binary, not UTF-8, not in the syntax: named, never echoed). The rules of
#include'd files are checked with the file's. Warnings: predicates used but
never defined, one name used with several arities. Exit status 1 when there
are errors. Several FILEs are one program, as query and clingo run them: what
one defines is defined for the others, and a cycle through 'not' across files
is an error (nesyasp check rules.lp facts.lp). --each checks every FILE as a
program of its own (a folder of independent rule files).

At most --max-errors errors (20) and as many warnings are shown per file; the
summary counts them all. A file with more syntax errors than that is read up
to the next one only: the summary then says "more than 20 errors" and where
reading stopped.

check accepts what 'nesyasp query' runs. FOLD-style rules whose example
variable occurs only under 'not' (target(X,c) :- not ab1(X).), as FOLD-SE-M
and NeSyFOLD print them, get one note: X ranges over the examples, the
_example/1 atoms the reasoner adds. Plain clingo refuses such rules;
--clingo reports them as errors, and 'nesyasp fmt --portable' adds the
_example(X) atom that makes them plain ASP (every rule file nesyasp writes
has it already).

A path programs/NAME.lp that is not a file in the current folder names a
program shipped with nesyasp, such as programs/lth.lp (as in 'nesyasp query').

examples:
  nesyasp check rules.lp
  nesyasp check examples/rules/*.lp
  nesyasp check learned.lp --strict          # warnings count as errors
  nesyasp check rules.lp --clingo            # also what plain clingo would refuse
  nesyasp check programs/lth.lp runs/lth/facts.lp   # files run together: one program
  nesyasp check --each examples/rules/*.lp   # independent files: each a program of its own
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run", "check_file", "FileCheck"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: the files, --clingo, --each, --strict, --quiet, --max-errors."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="rule files (.lp)")
    parser.add_argument("--clingo", action="store_true",
                        help="report FOLD-style rules without the _example(X) atom as errors, as plain "
                             "clingo refuses them (by default they get a note: the reasoner runs them)")
    parser.add_argument("--example-guard", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--each", action="store_true",
                        help="check every FILE as a program of its own (by default the FILEs are one program, "
                             "as query and clingo run them)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors and the summary only")
    parser.add_argument("--max-errors", type=_count, default=20, metavar="N",
                        help="show at most N errors (and N warnings) per file, and stop reading a file after "
                             "N syntax errors (default 20; 0: no limit)")


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The findings of one file: ``(severity, formatted message)`` pairs in source order.

    ``stopped`` is where reading stopped after ``max_errors`` syntax errors (the
    rest of the file was not checked); None when the whole file was read.
    """

    findings: tuple[tuple[str, str], ...] = ()
    stopped: Position | None = None


def check_file(path: Path, example_guard: bool = True, max_errors: int = 0, whole: Program | None = None) -> FileCheck:
    """Check one file (and the files it ``#include``s); ``whole``: all files given, as one program."""
    return _check(path, _read(path, max_errors), example_guard, whole)


def _check(path: Path, read_result: tuple[str, Any, str | None], example_guard: bool,
           whole: Program | None) -> FileCheck:
    from nesyasp.lang.checks import diagnose

    text, read, failed = read_result
    if failed is not None:
        return FileCheck((("error", failed),))
    found = [("error", str(e)) for e in read.errors]
    if read.stopped is None:
        found.extend((d.severity, d.format(text if _in(d, path) else None))
                     for d in diagnose(read.program, example_guard=example_guard, whole=whole))
    return FileCheck(tuple(found), read.stopped)


def _read(path: Path, max_errors: int) -> tuple[str, Any, str | None]:
    """The file's text and its recovering parse, or the message why it cannot be read."""
    from nesyasp.errors import ParseError
    from nesyasp.lang._recover import parse_program_recovering
    from nesyasp.lang.files import read_program_text

    try:
        text = read_program_text(path)
    except ParseError as exc:
        message = str(exc) if exc.location is not None else f"{path}: error: {exc.message.removeprefix(f'{path}: ')}"
        return "", None, message
    return text, parse_program_recovering(text, str(path), max_errors), None


def _whole(reads: list[tuple[str, Any, str | None]]) -> Program | None:
    """All files' rules with their ``#include`` s in place (None for a single file): checked together, as
    ``clingo a.lp b.lp`` runs them, what one file defines is defined for the others."""
    from nesyasp.lang.ast import Program
    from nesyasp.lang.parser import resolve_includes

    if len(reads) < 2:
        return None
    return sum((resolve_includes(read.program, lambda e: None) for _, read, failed in reads
                if failed is None and read.stopped is None), Program())


def _in(diag: Diagnostic, path: Path) -> bool:
    return diag.location is not None and diag.location.begin.file == str(path)


def _counted(n: int, word: str, shown: int) -> str:
    text = f"{n} {word}{'s' * (n != 1)}"
    return f"{text} ({shown} shown)" if shown < n else text


def run(args: argparse.Namespace) -> int:
    """Check every file, print the findings and a summary; 1 when there are errors."""
    limit = args.max_errors
    counts = {"error": 0, "warning": 0, "note": 0}
    shown = dict(counts)
    stopped = False
    seen: set[str] = set()  # an included file's findings once, when several files include it
    from nesyasp.shipped import resolve_program

    paths = [resolve_program(path) for path in args.files]  # programs/lth.lp from any folder
    reads = [_read(path, limit) for path in paths]
    whole = None if args.each else _whole(reads)
    for path, resolved, read in zip(args.files, paths, reads):
        result = _check(resolved, read, not args.clingo, whole)
        per_file = {"error": 0, "warning": 0, "note": 0}
        for severity, message in result.findings:
            if message in seen:
                continue
            seen.add(message)
            kind = severity if severity in counts else "warning"
            counts[kind] += 1
            per_file[kind] += 1
            if (limit and per_file[kind] > limit) or (args.quiet and kind != "error"):
                continue
            shown[kind] += 1
            print(message)
        if result.stopped is not None:
            stopped = True
            print(f"{path}: more than {limit} errors: stopped reading at {result.stopped} (error {limit + 1}); "
                  "the rest of the file is not checked (--max-errors 0 reads it all)")
    n = len(args.files)
    errors = _counted(counts["error"], "error", shown["error"])
    if stopped:
        errors = f"more than {counts['error']} errors ({shown['error']} shown)"
    summary = f"checked {n} file{'s' * (n != 1)}: {errors}, " \
              f"{_counted(counts['warning'], 'warning', shown['warning'] if not args.quiet else counts['warning'])}"
    if counts["note"]:
        summary += f", {_counted(counts['note'], 'note', shown['note'] if not args.quiet else counts['note'])}"
    print(summary, file=sys.stdout)
    return 1 if counts["error"] or (args.strict and counts["warning"]) else 0
