"""``nesyasp fmt``: print rule files in canonical clingo syntax, or rewrite them."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

NAME = "fmt"
HELP = "format rule files in canonical clingo syntax (FOLD-SE-M output normalized)"
DESCRIPTION = """\
Parse each FILE and print its canonical text: one statement per line,
normalized FOLD-SE-M dialect ('bedroom' -> bedroom, 295(X) -> f295(X),
=< -> <=, not(N=<0.6) -> not N<=0.6), comments and blank lines kept.

--portable also adds the example domain atom _example(X) to FOLD-style rules
whose example variable X occurs only under 'not', so that plain clingo grounds
them (give it facts with _example(id) for every example, as the facts files
nesyasp writes have).

A path programs/NAME.lp that is not a file in the current folder names a
program shipped with nesyasp, such as programs/lth.lp: it is read, and never
rewritten (--in-place takes only files of the current folder's paths).

examples:
  nesyasp fmt learned.lp                 # canonical text on stdout
  nesyasp fmt --portable nesyfold.lp     # plain ASP for clingo alone
  nesyasp fmt --in-place rules/*.lp      # rewrite the files (atomically)
  nesyasp fmt --check rules/*.lp         # exit 1 if a file is not canonical
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run", "write_atomically"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: the files, --portable, --in-place, --check."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="rule files (.lp)")
    parser.add_argument("--portable", action="store_true",
                        help="add _example(X) to rules whose example variable X occurs only under 'not'")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-i", "--in-place", action="store_true", help="rewrite each file in place (atomically)")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; list the files that are not canonical and exit 1 if any")


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` through a temporary file in the same folder (a symbolic link's target)."""
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _formatted(path: Path, portable: bool = False) -> tuple[str, str]:
    from nesyasp.lang.domain import add_domain_guards
    from nesyasp.lang.files import read_program_text
    from nesyasp.lang.formatting import format_program, unsupported_error
    from nesyasp.lang.parser import parse_program

    text = read_program_text(path)
    program = parse_program(text, str(path))
    error = unsupported_error(program, text)
    if error is not None:  # the first one, as query says it; check lists them all
        raise error
    return text, format_program(add_domain_guards(program) if portable else program)


def run(args: argparse.Namespace) -> int:
    """Format every file; all files are parsed before any is rewritten."""
    from nesyasp.shipped import resolve_program

    # programs/lth.lp from any folder is the shipped program: read, never rewritten
    results = [(path, *_formatted(path if args.in_place else resolve_program(path), args.portable))
               for path in args.files]
    if args.check:
        changed = [path for path, old, new in results if old != new]
        for path in changed:
            print(f"would reformat {path}")
        print(f"{len(changed)} of {len(results)} file{'s' * (len(results) != 1)} would be reformatted")
        return 1 if changed else 0
    if args.in_place:
        for path, old, new in results:
            if old != new:
                write_atomically(path, new)
                print(f"reformatted {path}", file=sys.stderr)
        return 0
    for _, _, new in results:
        sys.stdout.write(new)
    return 0
