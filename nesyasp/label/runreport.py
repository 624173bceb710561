"""Gather a run folder into the HTML report (no torch).

:func:`run_report` reads what training, extraction, evaluation and labelling
wrote (``config.json``, ``metrics.json``, ``evaluation.json``, ``rules.lp``,
``labelled_rules.lp``, ``labels.json``, ``pictures/``, ``tables/test.npz``),
asks the reasoner for a few example justifications, and returns the
:class:`~nesyasp.label.report.ReportContent` that
:func:`~nesyasp.label.report.write_report` renders.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from nesyasp._paths import real_path, said_command
from nesyasp.lang.ast import Program
from nesyasp.errors import DataError
from nesyasp.label.files import LABELLED_RULES, LABELS_FILE, REPORT_FILE, SavedLabels, read_labels
from nesyasp.label.report import LabelRow, ReportContent, check_report_path, write_report
from nesyasp.label.transform import filter_index, image_facts, image_term, label_program, rule_filters

__all__ = ["run_report", "write_run_report", "example_justifications"]

logger = logging.getLogger(__name__)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _shown_path(text: str) -> str:
    """A path as the page shows it: an absolute one by its name only (the page leaks no path of the machine)."""
    return Path(text).name or text if Path(text).is_absolute() else text


def _shown_source(source: str) -> str:
    """``labels.json``'s annotated source (``PATH (test split, 7 images)``) with the path shown by its name."""
    path, sep, rest = source.rpartition(" (")
    return _shown_path(path) + sep + rest if sep else _shown_path(source)


def _tables(run_dir: Path) -> dict[str, Any]:
    """Class names and training images per class from ``tables/train.npz`` (empty without it)."""
    npz = run_dir / "tables" / "train.npz"
    if not npz.is_file():
        return {}
    try:
        with np.load(npz, allow_pickle=False) as z:
            names, labels = [str(c) for c in z["class_names"]], np.asarray(z["labels"], dtype=np.int64)
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("%s: not read (%s)", npz, exc)
        return {}
    counts = np.bincount(labels, minlength=len(names)) if labels.size else np.zeros(max(1, len(names)), np.int64)
    lo, hi = int(counts.min()), int(counts.max())
    per = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return {"classes": f"{len(names)}: {', '.join(names)}",
            "training images per class": f"{per} ({int(counts.sum())} in all)"}


def _summary(run_dir: Path, labels: SavedLabels | None) -> dict[str, Any]:
    out: dict[str, Any] = {"run folder": run_dir.name}
    if (run_dir / "config.json").is_file():
        cfg = _json(run_dir / "config.json")
        strat = cfg.get("strategy", {})
        data = cfg.get("data")
        out |= {"data": _shown_path(str(data)) if data is not None else None,
                "classes": cfg.get("classes") or "all of the data set's", "strategy": strat.get("name"),
                "model": cfg.get("model"), "image size": cfg.get("size"), "epochs": cfg.get("epochs"),
                "training images per class": cfg.get("per_class"), "seed": cfg.get("seed"),
                "filter norm": strat.get("norm")}
        out |= _tables(run_dir)  # what the run read: a folder may hold fewer images than per_class
    if labels is not None:
        out["labelled on"] = _shown_source(str(labels.data.get("annotated", {}).get("source", "")))
        out["labelling parameters"] = labels.data.get("config", {})
    return {k: v for k, v in out.items() if v is not None}


def _metrics(run_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if (run_dir / "evaluation.json").is_file():
        ev = _json(run_dir / "evaluation.json")
        out["test set (NeSy model)"] = {
            "NeSy accuracy": ev.get("nesy_accuracy"), "CNN accuracy": ev.get("cnn_accuracy"),
            "fidelity": ev.get("fidelity"), "rule-set size": ev.get("rule_set_size"),
            "rules": ev.get("n_rules"), "test images": ev.get("n_test")}
    if (run_dir / "metrics.json").is_file():
        history = _json(run_dir / "metrics.json").get("history", [])
        if history:
            last = history[-1]
            out["training (last epoch)"] = {k: last[k] for k in ("epoch", "loss", "ce", "extra", "train_accuracy",
                                                                  "test_accuracy") if k in last}
    return out


def _test_images(run_dir: Path) -> tuple[list[str], list[list[int]], list[str | None]]:
    """Image ids, their active filters and true classes, from ``tables/test.npz`` or ``facts/test.lp``."""
    npz = run_dir / "tables" / "test.npz"
    if npz.is_file():
        with np.load(npz, allow_pickle=False) as z:
            values, labels = z["values"], z["labels"]
            ids, classes = [str(i) for i in z["ids"]], [str(c) for c in z["class_names"]]
        return ids, [np.flatnonzero(row).tolist() for row in values], [classes[int(y)] for y in labels]
    facts = run_dir / "facts" / "test.lp"
    if not facts.is_file():
        return [], [], []
    from nesyasp.lang.parser import parse_file

    active: dict[str, list[int]] = {}
    for rule in parse_file(facts).rules:
        atom = rule.head
        if rule.body or not getattr(atom, "arguments", None):
            continue
        k = filter_index(atom.predicate)
        row = active.setdefault(str(atom.arguments[0]), [])
        if k is not None:
            row.append(k)
    return list(active), list(active.values()), [None] * len(active)


def _pick(true: list[str | None], n: int) -> list[int]:
    """Up to ``n`` images, the first of each class in turn."""
    order: dict[str | None, list[int]] = {}
    for i, c in enumerate(true):
        order.setdefault(c, []).append(i)
    picked: list[int] = []
    depth = 0
    while len(picked) < n and any(depth < len(v) for v in order.values()):
        picked.extend(v[depth] for v in order.values() if depth < len(v))
        depth += 1
    return sorted(picked[:n])


def example_justifications(program: Program, run_dir: str | Path, names: dict[int, str] | None = None,
                           n: int = 3, target: str = "target") -> list[tuple[str, str]]:
    """Justifications of ``target(img, X)`` for ``n`` test images of the run (one per class in turn).

    Each image's active filters become facts in labelled names (``names``),
    the reasoner answers the query and explains each answer (or, without an
    answer, why the true class does not hold). Returns ``(title, text)`` pairs,
    the text being s(CASP)-style English (with the ``#pred`` wording) and the
    partial model.
    """
    from nesyasp.reason import Reasoner, render_model, render_text

    ids, active, true = _test_images(Path(run_dir))
    out = []
    for i in _pick(true, n):
        reasoner = Reasoner(program, image_facts(ids[i], active[i], names), check=False)
        image = str(image_term(ids[i]))
        answers = reasoner.explain_query(f"{target}({image},X)")
        truth = f" (true class: {true[i]})" if true[i] is not None else ""
        if answers:
            for atom, _, node in answers:
                text = render_text(node, reasoner.translation.preds) + "\nMODEL: " + render_model(node)
                out.append((f"?- {target}({image},X).  answer {atom}{truth}", text))
        else:
            why = f"{target}({image},{true[i]})" if true[i] is not None else None
            text = "no rule derives a class for this image"
            if why is not None:
                node = reasoner.explain(why)
                text += ":\n" + render_text(node, reasoner.translation.preds)
            out.append((f"?- {target}({image},X).  no answer{truth}", text))
    return out


def _pictures(run_dir: Path, labels: SavedLabels | None) -> tuple[list[tuple[str, Path]], list[str]]:
    """The pictures ``labels.json`` names that are PNG files inside the run folder, and the others' names.

    A picture deleted since labelling (or a path leading out of the run folder) is left out
    of the page, which is written all the same.
    """
    if labels is None:
        return [], []
    root = real_path(run_dir)
    kept, lost = [], []
    for caption, rel in labels.pictures.items():
        path = run_dir / rel
        ok = not Path(rel).is_absolute() and real_path(path).is_relative_to(root) and path.is_file()
        if ok:
            try:
                with path.open("rb") as handle:
                    ok = handle.read(4) == b"\x89PNG"
            except OSError:
                ok = False
        if ok:
            kept.append((caption, path))
        else:
            lost.append(str(rel))
    return kept, lost


def _stale_note(run_dir: Path, fresh: Program, labels: SavedLabels) -> str:
    """What the report says when ``labelled_rules.lp`` is not ``rules.lp`` relabelled."""
    missing = sorted(set(rule_filters(fresh)) - set(labels.names))
    unlabelled = f"; {', '.join(f'f{k}' for k in missing)} have no label" if missing else ""
    return (f"{LABELLED_RULES} is missing or does not match rules.lp (extracted again after labelling?): the "
            f"labelled rules shown are rules.lp renamed with {LABELS_FILE}{unlabelled}; run "
            f"{said_command('nesyasp', 'label', run_dir.name)} again")


def _training_report(run_dir: Path) -> ReportContent:
    """The page of a run with no rules yet (still training, or not extracted): its settings and metrics so far."""
    summary = _summary(run_dir, None)
    summary["rules"] = (f"none yet: the run is still training or was not extracted; run "
                        f"{said_command('nesyasp', 'extract', run_dir.name)} once its training has ended")
    logger.warning("%s: no rules.lp yet; the report shows the settings and the training so far", run_dir)
    return ReportContent(title=f"nesyasp run {real_path(run_dir).name}", summary=summary, metrics=_metrics(run_dir))


def run_report(run_dir: str | Path, n_examples: int = 3) -> ReportContent:
    """Everything the report of ``run_dir`` shows.

    A run with ``config.json`` but no ``rules.lp`` yet (still training, or
    not extracted) gets its settings and its training so far.

    Raises
    ------
    DataError
        When the folder has neither ``rules.lp`` nor ``config.json``.
    """
    from nesyasp.lang.parser import parse_file, parse_program

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: no such run folder")
    rules = run_dir / "rules.lp"
    if not rules.is_file():
        if not (run_dir / "config.json").is_file():
            raise DataError(f"{run_dir}: no rules.lp yet; run {said_command('nesyasp', 'extract', run_dir)} first")
        return _training_report(run_dir)
    raw_text = _text(rules)
    labels = read_labels(run_dir) if (run_dir / LABELS_FILE).is_file() else None
    labelled_path = run_dir / LABELLED_RULES
    labelled_text = _text(labelled_path) if labels and labelled_path.is_file() else ""
    if labels is None:
        logger.warning("%s is not labelled; the report shows raw rules only (run %s)",
                       run_dir, said_command("nesyasp", "label", run_dir))
    program = parse_file(labelled_path if labelled_text else rules)
    summary = _summary(run_dir, labels)
    if labels is None:
        summary["labels"] = f"none yet: the rules are shown raw; run {said_command('nesyasp', 'label', run_dir.name)}"
    if labels is not None:
        fresh = label_program(parse_program(raw_text, str(rules)), labels.names, labels.concepts).program
        if [str(r) for r in program.rules] != [str(r) for r in fresh.rules]:  # extracted again after labelling
            program, labelled_text = fresh, str(fresh)
            summary["labels"] = _stale_note(run_dir, fresh, labels)
            logger.warning("%s: %s", run_dir, summary["labels"])
    rows = [LabelRow(k, labels.names[k], labels.concepts[k], labels.scores[k]) for k in sorted(labels.names)] \
        if labels else []
    pictures, lost = _pictures(run_dir, labels)
    if lost:
        summary["pictures"] = (f"left out, missing or not PNG files in the run folder: {', '.join(lost)}; run "
                               f"{said_command('nesyasp', 'label', run_dir.name)} again")
        logger.warning("%s: %s", run_dir, summary["pictures"])
    examples = example_justifications(program, run_dir, labels.names if labels else None, n_examples) \
        if n_examples > 0 else []
    return ReportContent(title=f"nesyasp run {real_path(run_dir).name}", summary=summary,
                         raw_rules=raw_text, labelled_rules=labelled_text,
                         metrics=_metrics(run_dir), labels=rows, pictures=pictures, justifications=examples)


def write_run_report(run_dir: str | Path, out: str | Path | None = None, n_examples: int = 3) -> Path:
    """Write the report of ``run_dir`` to ``out`` (default ``run_dir/report.html``).

    ``out`` may be an earlier report but never a file nesyasp did not write
    as one (:func:`~nesyasp.label.report.check_report_path`); that is checked
    before the run is read.
    """
    path = check_report_path(Path(out) if out is not None else Path(run_dir) / REPORT_FILE)
    content = run_report(run_dir, n_examples)
    return write_report(path, content)
