"""What labelling writes into a run folder, and reading it back (no torch).

A labelled run folder holds ``labelled_rules.lp``, ``labels.json`` and
``pictures/*.png`` next to the files of training and extraction
(see :mod:`nesyasp.neural.run`). :func:`read_labels` gives back the filter
names and concepts; :func:`relabel_facts` turns raw image facts
(``f295(img).``) into labelled ones (``bed1(img).``) on the AST.

Examples
--------
>>> from nesyasp.lang import parse_program
>>> print(relabel_facts(parse_program("_example(img). f295(img). f7(img)."), {295: "bed1"}), end="")
_example(img).
bed1(img).
f7(img).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from nesyasp._paths import said_command
from nesyasp.lang.ast import Program
from nesyasp.errors import DataError
from nesyasp.label.transform import check_names, label_program

__all__ = ["LABELS_FILE", "LABELLED_RULES", "PICTURES", "REPORT_FILE", "SavedLabels", "read_labels",
           "relabel_facts", "labelled_facts_name"]

LABELS_FILE = "labels.json"
LABELLED_RULES = "labelled_rules.lp"
PICTURES = "pictures"
REPORT_FILE = "report.html"


def labelled_facts_name(stem: str) -> str:
    """File name of the labelled copy of ``facts/<stem>.lp``: ``<stem>_labelled.lp``."""
    return f"{stem}_labelled.lp"


def relabel_facts(facts: Program, names: Mapping[int, str], prefix: str = "f") -> Program:
    """Rename the filter atoms of a program of facts to their labels (others stay as they are)."""
    return label_program(facts, names, annotate=False, prefix=prefix).program


@dataclass(frozen=True, slots=True)
class SavedLabels:
    """``labels.json`` read back.

    Attributes
    ----------
    names : dict
        Filter index to label.
    concepts : dict
        Filter index to its kept concepts.
    scores : dict
        Filter index to its normalized concept scores (best first).
    pictures : dict
        Picture caption to path (relative to the run folder), the Figure-2 overlay first.
    class_top_filters : dict
        Class name to its top filter.
    data : dict
        The whole JSON document.
    """

    names: dict[int, str]
    concepts: dict[int, tuple[str, ...]]
    scores: dict[int, dict[str, float]]
    pictures: dict[str, str] = field(default_factory=dict)
    class_top_filters: dict[str, int] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def read_labels(run_dir: str | Path) -> SavedLabels:
    """Read ``labels.json`` of a labelled run folder.

    Raises
    ------
    DataError
        When the file is missing or malformed, or its labels cannot stand
        for their filters (:func:`~nesyasp.label.transform.check_names`).
    """
    path = Path(run_dir) / LABELS_FILE
    if not path.is_file():
        raise DataError(f"{Path(run_dir)}: not labelled yet (no {LABELS_FILE}); run {said_command('nesyasp', 'label', run_dir)}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        filters = data["filters"]
        names = {int(k): str(v["label"]) for k, v in filters.items()}
        concepts = {int(k): tuple(v.get("concepts", ())) for k, v in filters.items()}
        scores = {int(k): {str(c): float(s) for c, s in v.get("scores", {}).items()} for k, v in filters.items()}
        tops = {str(c): int(k) for c, k in data.get("class_top_filters", {}).items()}
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{path}: not a labels file ({type(exc).__name__}: {exc})") from None
    try:
        check_names(names)  # a hand edit that merges two filters, or names one after another's raw name
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
    pictures: dict[str, str] = {}
    top = data.get("pictures", {}).get("top_filters")
    if top:
        pictures["top filter of each class on its most activating images"] = top
    for k in sorted(filters, key=int):
        pic = filters[k].get("scores_picture")
        if pic:
            pictures[f"concept scores of filter {k} = {names[int(k)]}"] = pic
    return SavedLabels(names, concepts, scores, pictures, tops, data)
