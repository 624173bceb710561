"""Reading a run folder back: :func:`load_run`.

A run folder (written by :func:`nesyasp.neural.train.train`) holds::

    config.json        the TrainConfig
    checkpoint.pt      weights, optimiser, P matrix, thresholds, history (after every epoch)
    metrics.json       the per-epoch history
    train.log          one JSON line per epoch
    rules.lp           the extracted rule set          (nesyasp extract)
    facts/{train,test}.lp, tables/{train,test}.{csv,npz}, tables/binarization.json
    evaluation.json    the paper's metrics            (nesyasp evaluate)
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from nesyasp._paths import real_path, said_command, shell_path
from nesyasp.lang.ast import Program
from nesyasp.errors import DataError, ReasoningError
from nesyasp.neural.binarize import FilterTable
from nesyasp.neural.config import TrainConfig
from nesyasp.neural.data import Split, load_splits
from nesyasp.neural.extract import Extraction, extract
from nesyasp.neural.models import FeatureModel, head_of
from nesyasp.neural.nesy import NesyMetrics, check_rules, nesy_metrics, predict_classes
from nesyasp.neural.train import CHECKPOINT, make_model, read_checkpoint, read_config

__all__ = ["lth_folder_message", "not_a_run_message", "Run", "load_run", "extract_run",
           "check_extraction_current", "read_rules", "evaluate_run"]

logger = logging.getLogger(__name__)


@dataclass
class Run:
    """A trained run read from its folder (model in evaluation mode)."""

    path: Path
    config: TrainConfig
    model: FeatureModel
    class_names: tuple[str, ...]
    p: torch.Tensor | None
    thresholds: torch.Tensor | None
    epochs_done: int
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def rules_path(self) -> Path:
        """``rules.lp`` of the run."""
        return self.path / "rules.lp"

    @property
    def facts_dir(self) -> Path:
        """``facts/`` of the run."""
        return self.path / "facts"

    @property
    def tables_dir(self) -> Path:
        """``tables/`` of the run."""
        return self.path / "tables"


def lth_folder_message(path: Path) -> str:
    """What to say when a command for 'nesyasp train' folders gets a 'nesyasp lth' folder."""
    return (f"{path}: a folder of 'nesyasp lth' (pruning rounds); this command takes a run folder of "
            f"'nesyasp train'. The LTH results are {path / 'facts.lp'} (nesyasp query {shell_path(path / 'facts.lp')} "
            f"programs/lth.lp -q \"winning_ticket(R)\" --explain), metrics.json and the plots")


def not_a_run_message(path: Path) -> str:
    """Why ``path`` (a folder) is not a run folder of 'nesyasp train', and what to give instead."""
    from nesyasp._paths import shell_path

    if (path / "config.json").is_file():
        return (f"{path}: no {CHECKPOINT} yet: its training is still running, or it stopped before its first "
                f"epoch ended ({CHECKPOINT} is written after every epoch); wait for it, or train again: "
                f"nesyasp train --out {shell_path(path)} with the options of its config.json")
    if (path / CHECKPOINT).is_file():
        return f"{path}: no config.json beside {CHECKPOINT}; a run folder holds both, as 'nesyasp train' writes it"
    runs = sorted(str(sub) for sub in path.iterdir()
                  if sub.is_dir() and (sub / "config.json").is_file() and (sub / CHECKPOINT).is_file())
    if runs:
        shown = ", ".join(runs[:5]) + (f" (and {len(runs) - 5} more)" if len(runs) > 5 else "")
        return f"{path}: a folder of run folders, not a run folder; give one of them: {shown}"
    return (f"{path}: not a run folder (no config.json or {CHECKPOINT}); give the folder that "
            f"'nesyasp train --out DIR' wrote")


def load_run(run_dir: str | Path) -> Run:
    """Load the config, last checkpoint and history of a run folder.

    Raises
    ------
    DataError
        When the folder, its config or its checkpoint is missing or unreadable.
    """
    path = Path(run_dir)
    if path.is_file():
        raise DataError(f"{path}: a file, not a run folder (give the folder 'nesyasp train --out' wrote)")
    if not path.is_dir():
        raise DataError(f"{path}: no such run folder (train one with {said_command('nesyasp', 'train', '--out', path)})")
    cfg_path, ckpt_path = path / "config.json", path / CHECKPOINT
    if (path / "checkpoints" / "round_0.pt").is_file() and not ckpt_path.is_file():
        raise DataError(lth_folder_message(path))
    if not cfg_path.is_file() or not ckpt_path.is_file():
        raise DataError(not_a_run_message(path))
    config = _findable_data(read_config(cfg_path), path)
    state = read_checkpoint(ckpt_path)
    names = tuple(state.get("class_names", ()))
    saved = state.get("model")
    model = make_model(dataclasses.replace(config, weights=""), len(names),
                       head=head_of(saved) if isinstance(saved, dict) else "gap")
    try:
        model.model.load_state_dict(state["model"])
    except (RuntimeError, TypeError, AttributeError) as exc:
        raise DataError(f"{ckpt_path}: the weights do not fit the model of config.json "
                        f"({str(exc).splitlines()[0]} ...; an edited config.json?)") from None
    model.eval()
    return Run(path, config, model, names, state.get("p"), state.get("thresholds"), int(state["epoch"]),
               json.loads(state.get("history", "[]")))


def _findable_data(config: TrainConfig, run_dir: Path) -> TrainConfig:
    """``config`` with a data folder that exists: as stored (absolute), else relative to the run folder.

    A run trained on ``--data my_images`` stores the folder's absolute path and
    its path relative to the run folder, so it is found from any working
    directory, and also after the run and its data moved together.
    """
    from nesyasp.data import DATASETS

    data = str(config.data)
    if data.strip().lower() in DATASETS or Path(data).is_dir():
        return config
    candidates = [run_dir / config.data_from_run] if config.data_from_run else []
    candidates.append(run_dir / data)  # a relative path of an older run, if the run lies next to its data
    for candidate in candidates:
        if candidate.is_dir():
            return dataclasses.replace(config, data=str(real_path(candidate)))
    logger.warning("%s: the run's data folder %s is not there (moved or deleted?); put it back, or edit 'data' "
                   "in config.json", run_dir, data)
    return config


def _splits(run: Run, splits: tuple[Split, Split] | None) -> dict[str, Split]:
    train_split, test_split = splits if splits is not None else load_splits(run.config)
    return {"train": train_split, "test": test_split}


def extract_run(run: Run, splits: tuple[Split, Split] | None = None, ratio: float = 0.8,
                tail: float = 0.005) -> Extraction:
    """Binarize the run's filters, learn its rule set and write rules, facts and tables into the run folder."""
    return extract(run.model, _splits(run, splits), run.config.strategy, run.thresholds, run.path, ratio, tail,
                   epoch=run.epochs_done)


def check_extraction_current(run: Run) -> None:
    """Refuse rules and tables extracted from an earlier checkpoint than the run's (a run resumed since).

    ``tables/binarization.json`` records the epoch whose weights were binarized
    (extractions of older versions record none and are not checked).

    Raises
    ------
    DataError
        When the run trained on after its extraction.
    """
    info_path = run.tables_dir / "binarization.json"
    try:
        epoch = json.loads(info_path.read_text(encoding="utf-8")).get("epoch")
    except (OSError, ValueError, AttributeError):
        return  # missing or unreadable: the callers' own checks say so
    if isinstance(epoch, int) and epoch != run.epochs_done:
        raise DataError(f"{run.path}: rules.lp and tables/ were extracted from the weights of epoch {epoch}, but the "
                        f"run is at epoch {run.epochs_done} now (resumed since); run "
                        f"{said_command('nesyasp', 'extract', run.path)} again")


def read_rules(run: Run) -> Program:
    """The run's ``rules.lp`` as a program.

    Raises
    ------
    DataError
        When the run has no rules yet.
    """
    from nesyasp.lang import parse_file

    if not run.rules_path.is_file():
        raise DataError(f"{run.path}: no rules.lp yet; run {said_command('nesyasp', 'extract', run.path)} first")
    return parse_file(run.rules_path)


def evaluate_run(run: Run, splits: tuple[Split, Split] | None = None, program: Program | None = None,
                 check_clingo: bool = True) -> NesyMetrics:
    """The paper's metrics of the run's NeSy model on its test split.

    The NeSy predictions are the reasoner's answers to ``target(X,C)`` over
    ``tables/test.npz`` (what ``facts/test.lp`` holds), on its compiled numpy
    path; with ``check_clingo`` the reasoner's clingo engine must derive the
    same classes.

    Raises
    ------
    ReasoningError
        When clingo and the compiled path disagree.
    """
    program = program if program is not None else read_rules(run)
    check_extraction_current(run)
    table = FilterTable.from_npz(run.tables_dir / "test.npz")
    test = _splits(run, splits)["test"]
    with torch.no_grad():
        cnn = torch.cat([run.model(test.x[i:i + 64])[0].argmax(1) for i in range(0, len(test), 64)]).numpy()
    if len(cnn) != len(table.labels) or not np.array_equal(test.y.numpy(), table.labels):
        raise DataError(f"{run.tables_dir / 'test.npz'} does not match the test data; run extract again")
    check_rules(program, table.values.shape[1], table.class_names)
    nesy = predict_classes(program, table.values, table.class_names)
    if check_clingo and not np.array_equal(nesy, predict_classes(program, table.values, table.class_names,
                                                                 engine="clingo")):
        raise ReasoningError("clingo and the reasoner's compiled path disagree on the test set")
    metrics = nesy_metrics(program, nesy, cnn, table.labels)
    tmp = run.path / "evaluation.json.tmp"
    tmp.write_text(json.dumps(metrics.to_dict(), indent=2) + "\n", encoding="utf-8")
    tmp.replace(run.path / "evaluation.json")
    return metrics
