"""The ``nesyasp`` command line.

Each sub-command is a module of :mod:`nesyasp.cli.commands` that defines
``NAME``, ``HELP``, ``DESCRIPTION`` (optional), ``add_arguments(parser)`` and
``run(args) -> int``; ``INTERRUPTED`` (optional) is printed after a Ctrl-C
(what was kept and how to go on). Modules are discovered, so adding a command never
touches this file. Command modules import heavy libraries (torch) inside
``run`` only, so ``nesyasp --help`` stays fast.

Errors of nesyasp's exception tree print as ``ErrorClass: message`` with no
traceback (unless ``--debug``) and exit with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from types import ModuleType
from typing import Sequence

from nesyasp import __version__

__all__ = ["main", "build_parser"]

# Order in --help; commands not listed follow alphabetically.
_ORDER = ["check", "fmt", "query", "learn", "data", "train", "extract", "evaluate",
          "label", "report", "explain", "experiment", "lth", "pretrain"]

_EPILOG = """\
examples:
  nesyasp check rules.lp                       check a rule file
  nesyasp query rules.lp facts.lp -q "target(img,X)" --explain
  nesyasp learn data.csv --target class -o rules.lp
  nesyasp train --data scenes --classes 3 --strategy ts3 --out runs/ts3
  nesyasp explain runs/ts3 photo.png           what is in a new picture, and why

Run 'nesyasp COMMAND --help' for a command's options.
"""


def _command_modules() -> list[ModuleType]:
    from nesyasp.cli import commands

    names = [m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")]
    modules = [importlib.import_module(f"nesyasp.cli.commands.{n}") for n in names]
    rank = {name: i for i, name in enumerate(_ORDER)}
    return sorted(modules, key=lambda m: (rank.get(m.NAME, len(rank)), m.NAME))


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="nesyasp",
        description="Neuro-symbolic AI centred on logic programming: write, check, query, "
        "learn and explain stratified ASP rule sets, and extract them from CNNs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"nesyasp {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        p = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show full tracebacks on errors")
        p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                       help="more log output (-vv for debug; also before the command)")
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _torch=getattr(module, "USES_TORCH", False),
                       _interrupted=getattr(module, "INTERRUPTED", ""))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False)
    try:
        if getattr(args, "_torch", False):
            from nesyasp.interrupt import import_torch

            import_torch()  # torch's import can swallow a Ctrl-C: deferred past it
        return int(args._run(args) or 0)
    except KeyboardInterrupt:  # a command's INTERRUPTED says what was kept and how to go on
        hint = getattr(args, "_interrupted", "")
        print(f"interrupted{f'; {hint}' if hint else ''}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place errors become messages
        if debug:
            raise
        return _report(exc)


_PATH_HINTS = {
    FileExistsError: " (a file has the name of a folder to create: choose another path)",
    NotADirectoryError: " (a part of the path is a file, not a folder)",
}


def _report(exc: Exception) -> int:
    from nesyasp.errors import NesyaspError

    if isinstance(exc, NesyaspError):
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
    elif isinstance(exc, OSError):
        target = f": {exc.filename}" if exc.filename else ""
        hint = _PATH_HINTS.get(type(exc), "")
        print(f"{type(exc).__name__}: {exc.strerror or exc}{target}{hint}", file=sys.stderr)
    else:
        print(f"internal error: {type(exc).__name__}: {exc}\n"
              "(this is a bug in nesyasp; run again with --debug for the traceback)", file=sys.stderr)
    return 1
