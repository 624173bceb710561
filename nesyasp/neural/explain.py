"""Explaining images: from a picture to a class, its reasons in concept words, and where the filters fire.

An image goes through the run's CNN; its filter norms, binarized with the
run's thresholds, become facts (``_example(img). f20(img).``, or in the
labelled names ``stove1(img).`` when ``nesyasp label`` ran), and the
reasoner answers ``target(img,X)`` over the run's rule set (the labelled one
when there is one) and justifies the answer. Every filter literal of the
justification keeps its activation map, so a picture can show where the
filter fires (or, for a filter that is absent, how weak it is everywhere).

:class:`~nesyasp.neural.nesymodel.NesyModel` is the entry point
(``NesyModel.from_run(path).explain(image)``); this module holds the result
types and the parts that do not need the CNN: reading images and folders,
the labelled vocabulary of a run, facts, and the reasoning over a batch.

Examples
--------
>>> import numpy as np
>>> from nesyasp.lang import parse_program
>>> program = parse_program("target(X,a) :- f1(X).  target(X,b) :- _example(X), not f1(X).")
>>> out = reason_batch(program, np.array([[0, 1], [0, 0]], bool), ["img1", "img2"], ("a", "b"))
>>> [(e.prediction, [a for a, _, _ in e.answers]) for e in out]
[('a', ['target(img1,a)']), ('b', ['target(img2,b)'])]
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from nesyasp._paths import said_command
from nesyasp.errors import DataError, one_line
from nesyasp.lang.ast import Program, is_identifier
from nesyasp.lang.domain import add_domain_guards
from nesyasp.learn.emit import class_term
from nesyasp.neural.binarize import DOMAIN, asp_id
from nesyasp.neural.nesy import class_index, reasoner_classes

__all__ = ["Vocabulary", "read_vocabulary", "LiteralMap", "reason_batch", "literal_maps", "ImageExplanation",
           "image_ids", "facts_text", "LABELS_FILE", "LABELLED_RULES"]

logger = logging.getLogger(__name__)

LABELS_FILE = "labels.json"  # written by nesyasp label (nesyasp.label.files)
LABELLED_RULES = "labelled_rules.lp"
_RAW = re.compile(r"f\d+\Z")
_CALL = re.compile(r"(?<![\w\"'])([a-z_]\w*)\(")


@dataclass(frozen=True)
class Vocabulary:
    """What ``nesyasp label`` added to a run: the labelled rule set and each filter's label and concepts.

    Attributes
    ----------
    program:
        ``labelled_rules.lp`` (with ``#pred`` sentences in concept words).
    names:
        Filter index to its label (the predicate in ``program``).
    concepts:
        Filter index to its concepts (``("wardrobe", "panel")``).
    """

    program: Program
    names: dict[int, str]
    concepts: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _raw_rule_texts(program: Program, back: Mapping[str, str]) -> list[str]:
    return [_CALL.sub(lambda m: back.get(m.group(1), m.group(1)) + "(", str(r)) for r in program.rules]


def read_vocabulary(run_dir: str | Path, raw: Program) -> Vocabulary | None:
    """The labelled rule set of a run, or None when the run is not labelled.

    A labelled rule set that is not the renaming of ``raw`` (``extract`` ran
    again after ``label``) is not used: a warning says to label again.

    Raises
    ------
    DataError
        When ``labels.json`` is not a labels file.
    """
    from nesyasp.lang import parse_file

    run_dir = Path(run_dir)
    labels, rules = run_dir / LABELS_FILE, run_dir / LABELLED_RULES
    if not labels.is_file() or not rules.is_file():
        return None
    try:
        filters = json.loads(labels.read_text(encoding="utf-8"))["filters"]
        names = {int(k): str(v["label"]) for k, v in filters.items()}
        concepts = {int(k): tuple(str(c) for c in v.get("concepts", ())) for k, v in filters.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{labels}: not a labels file ({type(exc).__name__}: {exc})") from None
    program = parse_file(rules)
    back = {label: f"f{k}" for k, label in names.items()}
    if _raw_rule_texts(add_domain_guards(program), back) != [str(r) for r in add_domain_guards(raw).rules]:
        logger.warning("%s does not match %s (extracted again after labelling?); using the raw rules; "
                       "run %s again", rules, run_dir / "rules.lp", said_command("nesyasp", "label", run_dir))
        return None
    return Vocabulary(program, names, concepts)


def image_ids(names: Iterable[str]) -> list[str]:
    """ASP constants for image names (file stems): ``Kitchen 01`` -> ``kitchen_01``; repeats get ``_2``, ``_3``."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = asp_id(name)
        base = base if is_identifier(base) else f"img_{base}"
        ident, k = base, 1
        while ident in seen:
            k += 1
            ident = f"{base}_{k}"
        seen.add(ident)
        out.append(ident)
    return out


def facts_text(ident: str, active: Iterable[int], names: Mapping[int, str] | None = None) -> str:
    """An image's facts: ``_example(id).`` and one atom per active filter (raw ``f20`` or its label).

    >>> print(facts_text("img", [20, 3], {20: "stove1"}), end="")
    _example(img).
    f3(img).
    stove1(img).
    """
    names = names or {}
    atoms = sorted(f"{names.get(k, f'f{k}')}({ident})." for k in {int(k) for k in active})
    return f"{DOMAIN}({ident}).\n" + "".join(a + "\n" for a in atoms)


@dataclass(frozen=True, eq=False)
class LiteralMap:
    """A filter literal of a justification and the filter's activation map on the image.

    Attributes
    ----------
    filter:
        The filter index ``k`` (predicate ``fk`` in ``rules.lp``).
    predicate:
        Its predicate in the program the reasoner used (the label, or ``fk``).
    holds:
        Whether the filter is active on the image (its atom is true); False: absent.
    concepts:
        The filter's labelled concepts (empty when the run is not labelled).
    words:
        The atom in words (its ``#pred`` sentence): ``a stove is visible in img``.
    norm, threshold:
        The filter's norm on the image and its binarization threshold.
    map:
        The activation map ``(h, w)`` of the filter on the image.
    """

    filter: int
    predicate: str
    holds: bool
    concepts: tuple[str, ...]
    words: str
    norm: float
    threshold: float
    map: np.ndarray = field(repr=False)

    @property
    def strength(self) -> float:
        """How close the filter is to firing: ``norm / threshold`` capped at 1 (1 for an active filter)."""
        if self.holds or self.threshold <= 0:
            return 1.0
        return float(min(1.0, max(0.0, self.norm / self.threshold)))

    def to_dict(self) -> dict[str, Any]:
        """The literal without its map, JSON-ready."""
        return {"filter": self.filter, "predicate": self.predicate, "holds": self.holds,
                "concepts": list(self.concepts), "words": self.words, "norm": round(self.norm, 6),
                "threshold": round(self.threshold, 6)}


Answer = tuple[str, dict[str, str], Any]


@dataclass(frozen=True, eq=False)
class ImageExplanation:
    """Why the NeSy model gives an image its class.

    Attributes
    ----------
    id:
        The image's constant in the facts and the query (``kitchen_01``).
    source:
        Where the image came from (its path, or ``<image>``).
    image:
        The image as the CNN saw it: ``(size, size, 3)`` uint8.
    prediction:
        The NeSy class (``None`` when no rule applies).
    cnn_prediction:
        The class the CNN's own head gives.
    query:
        ``target(id,X)``.
    answers:
        ``(atom, bindings, justification)`` for every class the rules derive, as
        :meth:`nesyasp.reason.Reasoner.explain_query` gives them.
    why_not:
        ``(atom, {}, justification)`` for every class asked about with ``why_not``.
    literals:
        The filter literals of the justifications, each with its map (first occurrence order).
    active:
        The filters active on the image.
    program:
        Which rule set the reasoner used (``labelled_rules.lp`` or ``rules.lp``).
    reasoner:
        The reasoner whose model the justifications were built against.
    """

    id: str
    source: str
    image: np.ndarray = field(repr=False)
    prediction: str | None
    cnn_prediction: str
    query: str
    answers: tuple[Answer, ...]
    why_not: tuple[Answer, ...]
    literals: tuple[LiteralMap, ...]
    active: tuple[int, ...]
    program: str = ""
    names: Mapping[int, str] = field(default_factory=dict, repr=False)
    reasoner: Any = field(default=None, repr=False)

    @property
    def tree(self) -> Any:
        """The justification of the prediction (or of the first why-not when there is none)."""
        for _, bindings, node in self.answers:
            if self.prediction is not None and class_index(bindings.get("X", ""), (self.prediction,)) == 0:
                return node
        return self.why_not[0][2] if self.why_not else None

    def facts(self, labelled: bool = False) -> str:
        """The image's facts for ``rules.lp`` (raw ``f20``), or with ``labelled`` for ``labelled_rules.lp``."""
        return facts_text(self.id, self.active, self.names if labelled else None)

    def text(self, indent: str = "   ") -> str:
        """The class and the justifications in English (``#pred`` sentences where the program has them)."""
        from nesyasp.reason import render_text

        preds = self.reasoner.translation.preds if self.reasoner is not None else None
        verdict = self.prediction if self.prediction is not None else "no class (no rule applies)"
        lines = [f"{one_line(self.source)}: {verdict}   (the CNN says {self.cnn_prediction})"]
        tree = self.tree if self.prediction is not None else None
        if tree is not None:
            lines.extend(indent + line for line in render_text(tree, preds).splitlines())
        others = [a for a, _, n in self.answers if n is not tree]
        if others:
            lines.append(f"{indent}(also derived: {', '.join(others)}; the earliest rule in the program wins)")
        for atom, _, node in self.why_not:
            lines.append(f"{indent}why not {atom}:" if not node.holds else f"{indent}{atom} holds:")
            lines.extend(indent * 2 + line for line in render_text(node, preds).splitlines())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``query`` and ``answers`` (and ``why_not``) follow ``nesyasp query --format json``."""
        from nesyasp.reason import answers_json

        out = {"image": self.source, "id": self.id, "class": self.prediction, "cnn_class": self.cnn_prediction}
        out |= answers_json(self.query, self.answers)
        if self.why_not:
            out["why_not"] = answers_json("", self.why_not)["answers"]
        out |= {"program": self.program, "facts": self.facts(bool(self.names)).splitlines(),
                "active_filters": list(self.active), "literals": [lit.to_dict() for lit in self.literals]}
        return out


def reason_batch(program: Program, values: np.ndarray, ids: Sequence[str], class_names: Sequence[str],
                 names: Mapping[int, str] | None = None, why_not: Sequence[str] = (), head: str = "target",
                 cnn: Sequence[int] | None = None) -> list[ImageExplanation]:
    """Classes and justifications of images from their binarized filters, one reasoner per image.

    Each image is reasoned about alone (its facts only), so its explanation
    does not depend on the other images of the batch.

    Parameters
    ----------
    program:
        The rule set (raw, or labelled with ``names``).
    values:
        ``[N, F]`` 0/1 filter table.
    ids:
        The images' constants.
    class_names:
        The run's classes.
    names:
        Filter index to label, for a labelled program.
    why_not:
        Classes to explain for every image (``target(id,c)``, true or not).
    cnn:
        The CNN's class per image; an image no rule classifies gets the
        justification of why not that class (unless ``why_not`` names classes).

    Returns
    -------
    list
        One :class:`ImageExplanation` per image, without image, maps or literals
        (see :class:`~nesyasp.neural.nesymodel.NesyModel`).
    """
    from nesyasp.reason import Reasoner

    values = np.asarray(values, dtype=bool)
    names = dict(names or {})
    columns = [names.get(k, f"f{k}") for k in range(values.shape[1])]
    out = []
    for i, ident in enumerate(ids):
        reasoner = Reasoner(program, check=False)
        reasoner.add_table(values[i:i + 1], columns, [ident])
        found = int(reasoner_classes(reasoner, [ident], class_names, head)[0])
        query = f"{head}({ident},X)"
        answers = tuple(reasoner.explain_query(query))
        asked = list(why_not)
        if found < 0 and not asked and cnn is not None:
            asked = [class_names[int(cnn[i])]]
        nots = tuple((f"{head}({ident},{_term(c)})", {}, reasoner.explain(f"{head}({ident},{_term(c)})"))
                     for c in asked)
        prediction = class_names[found] if found >= 0 else None
        cnn_class = class_names[int(cnn[i])] if cnn is not None else ""
        out.append(ImageExplanation(ident, ident, np.zeros((0, 0, 3), np.uint8), prediction, cnn_class, query,
                                    answers, nots, (), tuple(np.flatnonzero(values[i]).tolist()),
                                    names=names, reasoner=reasoner))
    return out


def _term(name: str) -> str:
    """A class name as the rule files write it (``kitchen``, ``"grün"``): clingo's string syntax, not JSON's."""
    return str(class_term(name))


def literal_maps(explanation: ImageExplanation, maps: np.ndarray, norms: np.ndarray, thresholds: np.ndarray,
                 concepts: Mapping[int, tuple[str, ...]] | None = None) -> tuple[LiteralMap, ...]:
    """The filter literals of an explanation's justifications (first occurrence first), with their maps.

    ``maps`` ``(F, h, w)`` and ``norms`` ``(F,)`` are the image's; a literal is an atom of a
    filter predicate (``fk``, or the label of filter ``k``).
    """
    from nesyasp.reason import phrase, walk

    preds = explanation.reasoner.translation.preds if explanation.reasoner is not None else None
    filter_of = {label: k for k, label in explanation.names.items()}
    tree = explanation.tree if explanation.prediction is not None else None
    trees = ([tree] if tree is not None else []) + [n for _, _, n in explanation.why_not]
    found: dict[int, LiteralMap] = {}
    for root in trees:
        for node in walk(root):
            atom = node.atom
            if atom is None or len(atom.arguments) != 1:
                continue
            k = filter_of.get(atom.name)
            if k is None and _RAW.match(atom.name):
                k = int(atom.name[1:])
            if k is None or k in found or k >= len(norms):
                continue
            found[k] = LiteralMap(k, atom.name, bool(node.holds != node.negated), tuple((concepts or {}).get(k, ())),
                                  phrase(atom, node.literal, preds), float(norms[k]), float(thresholds[k]),
                                  np.asarray(maps[k], dtype=np.float32).copy())
    return tuple(found.values())
