"""``nesyasp report``: one self-contained HTML page about a run."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
HELP = "write a self-contained report.html of a run: rules, metrics, pictures, justifications"
DESCRIPTION = """\
Gather a run folder into one HTML page that opens in any browser with no
external resource (pictures are embedded): the run's settings, its rule set
raw and labelled, the metrics (evaluation.json and the last training epoch),
the filter labels with their concept scores, the pictures written by
'nesyasp label', and example justifications of target(img,X) for a few test
images, computed by the reasoner in concept words.

A run that is not labelled yet gets a report with its raw rules only.
A run still training (no rules.lp yet) gets its settings and its training so far.
-o may name an earlier report, never another file (a page of your own of
that name is left as it is).

examples:
  nesyasp report runs/ts3
  nesyasp report runs/ts3 -o ts3.html --examples 5
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run folder, the output file and the number of examples."""
    parser.add_argument("run_dir", type=Path, help="run folder after 'nesyasp extract' (and 'nesyasp label')")
    parser.add_argument("-o", "--out", type=Path, help="HTML file (default: RUN_DIR/report.html)")
    parser.add_argument("--examples", type=int, default=3, metavar="N",
                        help="test images with a justification (default: 3; 0: none)")


def run(args: argparse.Namespace) -> int:
    """Write the page and print its path."""
    from nesyasp.errors import DataError
    from nesyasp.label.runreport import write_run_report

    if args.examples < 0:
        raise DataError(f"--examples must be 0 or more, got {args.examples}")
    if args.out is not None and args.out.suffix.lower() not in (".html", ".htm"):
        raise DataError(f"{args.out}: the report is written as HTML; name the file *.html")
    if args.out is not None and not args.out.parent.is_dir():
        raise DataError(f"{args.out}: no folder {args.out.parent} to write the report into")
    if args.run_dir.is_dir() and not (args.run_dir / "rules.lp").is_file():
        _refuse_what_extract_refuses(args.run_dir)
    path = write_run_report(args.run_dir, args.out, args.examples)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB, self-contained)")
    return 0


def _refuse_what_extract_refuses(run_dir: Path) -> None:
    """An LTH folder, or a folder that is no finished run: say so, not 'run nesyasp extract first' (that fails too)."""
    from nesyasp.errors import DataError

    try:
        from nesyasp.neural.run import lth_folder_message, not_a_run_message
    except ImportError:  # no torch here: write_run_report's own message
        return
    if (run_dir / "checkpoints" / "round_0.pt").is_file():
        raise DataError(lth_folder_message(run_dir))
    if not all((run_dir / name).is_file() for name in ("config.json", "checkpoint.pt")):
        raise DataError(not_a_run_message(run_dir))
