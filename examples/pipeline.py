"""The neural pipeline end to end on the embedded scenes, on CPU, in a few minutes.

Train a small CNN with the class-specific sparsity loss (TS3), binarize its
last-layer filters, learn the rule set with FOLD-SE-M, evaluate the NeSy model
as the paper does, and explain one test image.

    .venv/bin/python examples/pipeline.py [--out runs/pipeline] [--epochs 30]

--out is a folder the script creates (or an empty one); running it again
with the same --out replaces that earlier output, and only that: a folder
holding anything else is refused, nothing deleted.

The same with the command line::

    nesyasp train --data scenes --classes 3 --strategy ts3 --out runs/ts3
    nesyasp extract runs/ts3
    nesyasp evaluate runs/ts3
    nesyasp query runs/ts3/rules.lp runs/ts3/facts/test.lp -q "target(test_0000,X)" --explain
"""

from __future__ import annotations

import argparse
import logging
import shlex
import shutil
import sys
from pathlib import Path


MARKER = ".nesyasp-pipeline"  # in every --out folder this script made, so that it may replace it


def prepare_out(out: Path) -> None:
    """Create ``out`` (or take an empty folder); replace it only when this script made it before."""
    if out.exists() and not out.is_dir():
        raise SystemExit(f"pipeline.py: --out {out} is a file; give a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SystemExit(f"pipeline.py: --out {out} holds files that this script did not write; "
                             "choose a new or empty folder (nothing was deleted)")
        shutil.rmtree(out)  # an earlier output of this script: replaced
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by examples/pipeline.py; running it again replaces this folder\n",
                              encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("runs/pipeline"))
    ap.add_argument("--data", default="scenes")
    ap.add_argument("--classes", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--pretrain-epochs", type=int, default=10,
                    help="cross-entropy epochs on the last five scene classes first (the paper's ImageNet start)")
    ap.add_argument("--strategy", default="ts3")
    args = ap.parse_args()
    from nesyasp.interrupt import import_torch

    torch = import_torch()  # imported here, so that Ctrl-C while it loads ends as quietly as later

    from nesyasp.neural import TrainConfig, load_run, strategy, train
    from nesyasp.neural.run import evaluate_run, extract_run
    from nesyasp.reason import Reasoner, render_text

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(2)
    config = TrainConfig(data=args.data, classes=args.classes, epochs=args.epochs,
                         pretrain_epochs=args.pretrain_epochs, strategy=strategy(args.strategy))
    prepare_out(args.out)
    train(config, args.out)                      # run folder: config, checkpoint, metrics
    run = load_run(args.out)
    ex = extract_run(run)                        # rules.lp, facts/*.lp, tables/*
    metrics = evaluate_run(run, program=ex.program)

    print("\n== rule set (rules.lp)\n" + run.rules_path.read_text(encoding="utf-8"))
    print("== metrics (test set)")
    for key, value in metrics.to_dict().items():
        print(f"  {key:14} {value:.3f}" if isinstance(value, float) else f"  {key:14} {value}")

    # The reasoner (clingo) answers target(<image>,X) over the rules and the test facts,
    # and justifies the answer; pick the first test image the NeSy model gets right.
    test = ex.tables["test"]
    reasoner = Reasoner([run.rules_path, run.facts_dir / "test.lp"])
    for i, ident in enumerate(test.ids):
        answers = reasoner.explain_query(f"target({ident},X)")
        truth = test.class_names[test.labels[i]]
        if any(b.get("X") == truth for _, b, _ in answers):
            break
    print(f"\n== why {ident} (a {truth}) gets its class, by the reasoner")
    for atom, _, node in answers:
        print(atom)
        print(render_text(node, reasoner.translation.preds))
    print(f"\nthe same on the command line: {query_command(run.rules_path, run.facts_dir / 'test.lp', ident)}")


def query_command(rules: Path, facts: Path, ident: str) -> str:
    """The ``nesyasp query`` line that explains image ``ident`` with the run's files, as a shell takes it."""
    return shlex.join(["nesyasp", "query", str(rules), str(facts), "-q", f"target({ident},X)", "--explain"])


if __name__ == "__main__":
    from nesyasp.errors import NesyaspError

    try:
        main()
    except KeyboardInterrupt:
        print("pipeline.py: interrupted", file=sys.stderr)
        sys.exit(130)
    except NesyaspError as exc:
        sys.exit(f"pipeline.py: {type(exc).__name__}: {exc}")
