"""``nesyasp evaluate``: the paper's metrics of a run's NeSy model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "evaluate"
USES_TORCH = True  # imported by main() before run(), so that a Ctrl-C during the import is not lost
HELP = "NeSy accuracy, CNN accuracy, fidelity and rule-set size of an extracted run"
DESCRIPTION = """\
The NeSy model is the CNN's binarized filters plus the extracted rule set;
it predicts the class of the earliest target rule, in program order, that
applies. The reasoner computes it (the answers of target(X,C) over the test
images' filter facts), on its compiled numpy path, and its clingo engine
must derive the same classes (--no-clingo skips that check). Fidelity is
the share of test images where the NeSy model predicts what the CNN
predicts; rule-set size counts the filter predicates over all rules. The
numbers also go to evaluation.json. 'nesyasp explain RUN IMAGE' gives any
image the class counted here, with its justification.

examples:
  nesyasp evaluate runs/ts3
  nesyasp evaluate runs/ts3 --json
"""

__all__ = ["NAME", "HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run folder and the output format."""
    parser.add_argument("run_dir", type=Path, help="run folder after 'nesyasp extract'")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-clingo", action="store_true", help="skip the check of the classes against clingo")


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the metrics."""
    import torch

    from nesyasp.neural.run import evaluate_run, load_run

    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    m = evaluate_run(load_run(args.run_dir), check_clingo=not args.no_clingo)
    if args.json:
        print(json.dumps(m.to_dict()))
        return 0
    print(f"NeSy accuracy  {100 * m.nesy_accuracy:6.2f}%   (test images: {m.n_test})")
    print(f"CNN accuracy   {100 * m.cnn_accuracy:6.2f}%")
    print(f"fidelity       {100 * m.fidelity:6.2f}%")
    print(f"rule-set size  {m.rule_set_size:6d}    (rules: {m.n_rules})")
    return 0
