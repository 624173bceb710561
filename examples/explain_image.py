"""Explain an image with a trained run from Python: the class, why, and where in the picture.

    .venv/bin/python examples/explain_image.py RUN [IMAGE ...] [--out DIR]

RUN is a run folder after ``nesyasp train``, ``nesyasp extract`` and
(for concept words) ``nesyasp label``. Without IMAGE, one image of the run's
own test split (``--index``, default 50) is generated and written as a PNG
into DIR first, so the example runs on the embedded data alone; ``make demo``
does this. The same from the command line::

    nesyasp explain RUN IMAGE --out DIR            (text, and one picture per image)
    nesyasp explain RUN IMAGE --format json        (the trees as 'nesyasp query --format json')
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from PIL import Image

from nesyasp.data import load_dataset
from nesyasp.label.explanation import explanation_picture
from nesyasp.neural.binarize import asp_id
from nesyasp.neural.nesymodel import NesyModel
from nesyasp.neural.run import load_run
from nesyasp.reason import check_justification


def write_test_image(run_dir: Path, index: int, out: Path) -> Path:
    """Image ``index`` of the run's generated test split, as ``out/<its id>.png``."""
    cfg = load_run(run_dir).config
    test = load_dataset(cfg.data, split="test", classes=cfg.classes or None, per_class=cfg.test_per_class,
                        size=cfg.size, seed=cfg.seed)
    if not 0 <= index < len(test.ids):
        raise SystemExit(f"explain_image.py: --index {index}: the run's test split has {len(test.ids)} images "
                         f"(0 to {len(test.ids) - 1})")
    path = out / f"{asp_id(test.ids[index])}.png"
    Image.fromarray(test.images[index]).save(path)
    print(f"wrote {path}: test image {index} of {cfg.data}, a {test.class_names[int(test.labels[index])]}")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="run folder (extracted; labelled for concept words)")
    ap.add_argument("images", nargs="*", type=Path, help="image files (default: one generated test image)")
    ap.add_argument("--out", type=Path, default=Path("runs/explained"), help="folder for PNGs and pictures")
    ap.add_argument("--index", type=int, default=50, help="test image to generate when no IMAGE is given")
    args = ap.parse_args()
    torch.set_num_threads(2)
    args.out.mkdir(parents=True, exist_ok=True)
    images = args.images or [write_test_image(args.run, args.index, args.out)]

    model = NesyModel.from_run(args.run)  # weights, thresholds, rules.lp (labelled_rules.lp when labelled)
    for image in images:
        e = model.explain(image)  # any size: resized to the run's image size as in training
        print(f"\n{e.source}: the NeSy model says {e.prediction}, the CNN {e.cnn_prediction} ({e.program})")
        print(e.text())
        # the justification tree: the same nodes (and JSON) as 'nesyasp query', valid against the model
        assert all(check_justification(node, e.reasoner.model()) == [] for _, _, node in e.answers)
        print("JSON of the tree:", json.dumps(e.to_dict()["answers"][0]["justification"])[:120], "...")
        for lit in e.literals:  # each filter literal of the justification, with its activation map
            state = "holds" if lit.holds else "absent"
            print(f"  {lit.predicate:24s} {state:6s} norm {lit.norm:6.2f} threshold {lit.threshold:6.2f} "
                  f"map {lit.map.shape}  ({', '.join(lit.concepts) or 'not labelled'})")
        picture = explanation_picture(e, args.out / f"{e.id}_python.png")
        print(f"picture: {args.out / f'{e.id}_python.png'} ({picture.width}x{picture.height})")


if __name__ == "__main__":
    from nesyasp.errors import NesyaspError

    try:
        main()
    except NesyaspError as exc:  # a wrong run folder or image: one line, as the nesyasp command says it
        raise SystemExit(f"explain_image.py: {type(exc).__name__}: {exc}") from None
