"""``make demo``: the main pipeline of nesyasp on the embedded data.

Steps, each printed as it runs:

1. check and format the example rule files in ``examples/rules/``;
2. query the Figure 3 rule set of the sparse-filters paper and explain one answer;
3. learn a rule set from a CSV table;
4. train a CNN with the sparsity loss (TS3) on the generated scenes, extract
   its rule set, evaluate the NeSy model, name its predicates by the concepts
   their filters see, explain one test image and write the HTML report
   (``runs/demo/ts3/report.html``);
5. write one generated test image as a PNG file and explain it as a new
   picture: with the Python API (``examples/explain_image.py``) and with
   ``nesyasp explain``, which draws where the filters of the justification
   fire (``runs/demo/explained/test_0050.png``).

``python examples/demo.py --no-train`` stops after step 3.

Every step runs the ``nesyasp`` command line, exactly as a user would.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "runs" / "demo"


def step(title: str, *args: str) -> None:
    """Run ``nesyasp ARGS`` (or a Python script) and stop the demo on failure."""
    shown = ["nesyasp", *args[2:]] if args[:2] == ("-m", "nesyasp") else ["python", *args]  # as a user types it
    print(f"\n\033[1m== {title}\033[0m\n$ {shlex.join(shown)}", flush=True)
    rc = subprocess.call([sys.executable, *args], cwd=ROOT)
    if rc:
        raise SystemExit(f"demo step failed ({rc}): {title}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-train", action="store_true", help="stop after step 3 (no CNN, a few seconds)")
    args = ap.parse_args(argv)
    rules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "rules").glob("*.lp"))
    step("check the example rule files", "-m", "nesyasp", "check", "--each", *rules)
    step("format one of them", "-m", "nesyasp", "fmt", rules[0])
    step("query the Figure 3 rule set: which class is each image?",
         "-m", "nesyasp", "query", "examples/figure3/labelled.lp", "examples/figure3/images_labelled.lp",
         "-q", "target(X,C)")
    step("why is img a bathroom, and why not a kitchen?",
         "-m", "nesyasp", "query", "examples/figure3/labelled.lp", "examples/figure3/images_labelled.lp",
         "-q", "target(img,X)", "--explain", "--why-not", "target(img,kitchen)")
    step("learn a rule set from a CSV table (UCI Statlog heart), 80/20 split",
         "-m", "nesyasp", "learn", "examples/tables/heart.csv", "--target", "label")
    if args.no_train:
        return
    if OUT.exists():
        shutil.rmtree(OUT)
    run = str(OUT / "ts3")
    step("train a CNN with the sparsity loss (TS3) on the generated scenes, 3 classes",
         "-m", "nesyasp", "train", "--data", "scenes", "--classes", "3", "--strategy", "ts3", "--out", run)
    step("binarize its filters and learn the rule set that replaces its head", "-m", "nesyasp", "extract", run)
    step("evaluate the NeSy model: accuracy, fidelity, rule-set size", "-m", "nesyasp", "evaluate", run)
    step("name the rule set's predicates by the concepts their filters see", "-m", "nesyasp", "label", run)
    step("why is test image test_0050 (a bedroom) classified as it is?",
         "-m", "nesyasp", "query", f"{run}/labelled_rules.lp", f"{run}/facts/test_labelled.lp",
         "-q", "target(test_0050,X)", "--explain")
    step("one HTML page with rules, metrics, pictures and justifications", "-m", "nesyasp", "report", run)
    images, explained = OUT / "images", OUT / "explained"
    step("a new picture: write test image test_0050 as a PNG and explain it with the Python API",
         "examples/explain_image.py", run, "--index", "50", "--out", str(images))
    step("what is in this PNG, why, and where in the picture? (nesyasp explain)",
         "-m", "nesyasp", "explain", run, str(images / "test_0050.png"), "--out", str(explained))
    print(f"\nthe picture: {(explained / 'test_0050.png').relative_to(ROOT)} (the image, its classes, and the "
          "activation map of every filter literal of the justification)")


if __name__ == "__main__":
    main()
