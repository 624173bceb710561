"""The rule set of Figure 3 of the sparse-filters paper, queried and explained from Python.

Padalkar et al. show a rule set learned for the P3.1 scenes (bedroom,
bathroom, kitchen), raw (CNN filters as predicates) and after semantic
labelling, and an s(CASP) justification for an image whose only active
filter is 145. This script loads both rule sets from ``examples/figure3/``,
classifies a few images, and prints the justification of the paper's image,
its partial model, why it is *not* a kitchen, and a JSON tree.

The paper's printed justification says "there is no evidence that 'sink2'
holds (for img)", yet sink2 is filter 145, the image's only fact; read with
the rules as printed, ab1(img) fails *because* sink2(img) holds. The tree
below is built from the rules and checked against clingo's model.

Run: ``python examples/figure3.py``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nesyasp.reason import (Reasoner, answers_json, check_justification, render_model, render_text)

HERE = Path(__file__).resolve().parent / "figure3"


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    raw = Reasoner([HERE / "raw.lp"], HERE / "images.lp")
    labelled = Reasoner([HERE / "labelled.lp"], HERE / "images_labelled.lp")
    print("== classes of every image (raw rules; one grounding for all images)")
    answers = raw.query("target(X,C)")
    for image, cls in answers.table:
        print(f"  {image:12s} {cls}")
    assert answers.table.tolist() == labelled.query("target(X,C)").table.tolist()

    print("\n== ?- target(img,X).   (img's only fact: f145(img))")
    for atom, bindings, node in labelled.explain_query("target(img,X)"):
        print(f"  answer {atom}  {bindings}")
        print("\n== justification (labelled rule set, #pred wording)")
        print(render_text(node, labelled.translation.preds, indent="  "))
        print("\n== the same with the raw rule set (s(CASP) default wording)")
        raw_node = raw.explain(atom)
        print(render_text(raw_node))
        print("\n== partial model")
        print(render_model(node))
        problems = check_justification(node, labelled.model())
        print(f"\n== checked against clingo's model: {'valid' if not problems else problems}")

    print("\n== why is img not a kitchen?")
    print(render_text(labelled.explain("target(img,kitchen)"), labelled.translation.preds))

    print("\n== JSON (raw rules)")
    tree = raw.explain("target(img,bathroom)")
    print(json.dumps(answers_json("target(img,X)", [("target(img,bathroom)", {"X": "bathroom"}, tree)]),
                     indent=1)[:600] + "\n  ...")


if __name__ == "__main__":
    main()
