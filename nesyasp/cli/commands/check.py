"""``nesyasp check``: parse and check rule files, print every error and warning."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "check"
HELP = "check rule files: syntax, language, safety, stratification, definitions"
DESCRIPTION = """\
Parse each FILE and report every error and warning as

  FILE:LINE:COL: severity: message
      the source line
      ^^^ under the offending part

then a one-line summary. Errors: syntax, constructs outside the language
(choice rules, aggregates, disjunction, ...), unsafe variables, cycles through
'not', missing #include files. Warnings: predicates used but never defined
(rules and facts of #include'd files count as definitions),
one name used with several arities. Exit status 1 when there are errors.

check accepts what 'nesyasp query' runs. FOLD-style rules whose example
variable occurs only under 'not' (target(X,c) :- not ab1(X).), as FOLD-SE-M
and NeSyFOLD print them, get one note: X ranges over the examples, the
_example/1 atoms the reasoner adds. Plain clingo refuses such rules;
--clingo reports them as errors, and 'nesyasp fmt --portable' adds the
_example(X) atom that makes them plain ASP (every rule file nesyasp writes
has it already).

examples:
  nesyasp check rules.lp
  nesyasp check examples/rules/*.lp
  nesyasp check learned.lp --strict          # warnings count as errors
  nesyasp check rules.lp --clingo            # also what plain clingo would refuse
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run", "check_file"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: the files, --clingo, --strict, --quiet."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="rule files (.lp)")
    parser.add_argument("--clingo", action="store_true",
                        help="report FOLD-style rules without the _example(X) atom as errors, as plain "
                             "clingo refuses them (by default they get a note: the reasoner runs them)")
    parser.add_argument("--example-guard", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors and the summary only")


def check_file(path: Path, example_guard: bool = True) -> list[tuple[str, str]]:
    """Check one file; return ``(severity, formatted message)`` pairs in source order."""
    from nesyasp.lang.checks import diagnose
    from nesyasp.errors import NesyaspError
    from nesyasp.lang.parser import parse_program

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [("error", f"{path}: error: not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return [("error", f"{path}: error: cannot read file: {exc.strerror or exc}")]
    found: list[tuple[str, str]] = []
    masked = text
    for _ in range(_MAX_SYNTAX_ERRORS):
        try:
            program = parse_program(masked, str(path))
            break
        except NesyaspError as exc:
            exc.text = text  # show the original line under the caret
            found.append(("error", str(exc)))
            masked = _mask_statement(masked, exc)
            if masked is None:
                return found
    else:
        return found
    found.extend((d.severity, d.format(text)) for d in diagnose(program, example_guard=example_guard))
    return found


_MAX_SYNTAX_ERRORS = 20


def _mask_statement(text: str, exc: Exception) -> str | None:
    """Blank out the statement around a syntax error (newlines kept, so positions stay),
    so that checking goes on with the rest of the file; None when that is not possible."""
    loc = getattr(exc, "location", None)
    if loc is None or loc.begin.line <= 0:
        return None
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    if loc.begin.line > len(starts):
        return None
    pos = min(len(text), starts[loc.begin.line - 1] + loc.begin.column - 1)
    begin = max(text.rfind(".", 0, pos), text.rfind("\n\n", 0, pos)) + 1
    end = pos
    while True:
        end = text.find(".", end)
        if end < 0:
            end = len(text)
            break
        if end + 1 >= len(text) or text[end + 1] in " \t\r\n%":
            end += 1
            break
        end += 1
    if end <= begin:
        return None
    blank = "".join(ch if ch == "\n" else " " for ch in text[begin:end])
    return text[:begin] + blank + text[end:]


def run(args: argparse.Namespace) -> int:
    """Check every file, print the findings and a summary; 1 when there are errors."""
    errors = warnings = notes = 0
    for path in args.files:
        for severity, message in check_file(path, not args.clingo):
            if severity == "error":
                errors += 1
            else:
                if severity == "note":
                    notes += 1
                else:
                    warnings += 1
                if args.quiet:
                    continue
            print(message)
    n = len(args.files)
    summary = (f"checked {n} file{'s' * (n != 1)}: {errors} error{'s' * (errors != 1)}, "
               f"{warnings} warning{'s' * (warnings != 1)}")
    if notes:
        summary += f", {notes} note{'s' * (notes != 1)}"
    print(summary, file=sys.stdout)
    return 1 if errors or (args.strict and warnings) else 0
