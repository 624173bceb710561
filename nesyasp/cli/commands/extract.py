"""``nesyasp extract``: binarize a trained CNN's filters and learn its rule set."""

from __future__ import annotations

import argparse
from pathlib import Path

from nesyasp._paths import said_command, shell_path

NAME = "extract"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
HELP = "binarize a run's filters and learn the rule set that replaces the CNN's head"
DESCRIPTION = """\
Every image of the run's train and test data becomes a row of 0/1 filter
values round(sigmoid(norm - threshold)) of the last conv layer; FOLD-SE-M
(ratio 0.8, tail 0.005, as in the paper) learns rules target(X,class) over
the predicates f0, f1, ... from the training rows.

Writes into the run folder: rules.lp, facts/train.lp and facts/test.lp
(facts such as f12(test_0042).), tables/*.csv and *.npz, tables/binarization.json.

examples:
  nesyasp extract runs/ts3
  nesyasp extract runs/ts3 --ratio 0.5 --tail 0.01
next:
  nesyasp evaluate runs/ts3
  nesyasp query runs/ts3/rules.lp runs/ts3/facts/test.lp -q "target(test_0042,X)" --explain
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run folder and the learner's ratio and tail."""
    parser.add_argument("run_dir", type=Path, help="run folder written by 'nesyasp train'")
    parser.add_argument("--ratio", type=float, default=0.8, help="FOLD-SE-M ratio (default: 0.8)")
    parser.add_argument("--tail", type=float, default=0.005, help="FOLD-SE-M tail (default: 0.005)")


def run(args: argparse.Namespace) -> int:
    """Extract and print the rule set."""
    import torch

    from nesyasp.neural.extract import check_learner_options
    from nesyasp.neural.run import extract_run, load_run

    check_learner_options(args.ratio, args.tail)  # before the run is loaded

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    run_ = load_run(args.run_dir)
    ex = extract_run(run_, ratio=args.ratio, tail=args.tail)
    train_t = ex.tables["train"]
    print(f"% {len(train_t.labels)} training images x {train_t.values.shape[1]} filters, "
          f"{float(train_t.values.mean()) * 100:.1f}% ones")
    print(run_.rules_path.read_text(encoding="utf-8"), end="")  # what rules.lp holds: plain ASP, _example(X) too
    print(f"wrote {run_.rules_path}, {run_.facts_dir}/{{train,test}}.lp, {run_.tables_dir}/")
    print(f"next: nesyasp evaluate {shell_path(args.run_dir)}")
    if (run_.path / "labelled_rules.lp").is_file():  # made from the rules just replaced
        print(f"note: labelled_rules.lp and facts/*_labelled.lp were made from the previous rules; "
              f"run {said_command('nesyasp', 'label', args.run_dir)} again")
    return 0
