"""From a trained CNN to a rule set: binarized filter tables and FOLD-SE-M.

The filters of the model's filter layer are binarized with
``round(sigmoid(norm - threshold))``. The thresholds are those the sparsity
loss trained against (TS1-TS5; zeros for TS5); for NE and plain CE they are
computed, NeSyFOLD's way, from the final model's training-set norms
(``h1*mean + h2*std``). FOLD-SE-M (``ratio=0.8``, ``tail=0.005`` as in the
paper) learns the rule set from the training table; filter ``j`` is the
predicate ``fj``.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nesyasp.errors import DataError
from nesyasp.lang.ast import Program
from nesyasp.lang.domain import add_domain_guards
from nesyasp.neural.binarize import FilterTable, asp_id, binarize, norm_table
from nesyasp.neural.config import StrategyConfig
from nesyasp.neural.data import Split
from nesyasp.neural.distributed import is_main
from nesyasp.neural.models import FeatureModel
from nesyasp.neural.sparsity import thresholds as threshold_fn

__all__ = ["Extraction", "check_learner_options", "binarization_thresholds", "filter_tables", "learn_rules", "extract",
           "write_extraction"]

logger = logging.getLogger(__name__)


@dataclass
class Extraction:
    """The rule set, the tables it was learned from and evaluated on, and the thresholds."""

    program: Program
    tables: dict[str, FilterTable]
    thresholds: np.ndarray
    estimator: Any


def binarization_thresholds(strategy: StrategyConfig, trained: torch.Tensor | None,
                            train_norms: np.ndarray) -> np.ndarray:
    """The trained thresholds for the sparsity loss, else ``h1*mean + h2*std`` of ``train_norms``."""
    if strategy.loss == "sparsity" and trained is not None:
        return trained.double().numpy()
    return threshold_fn(torch.as_tensor(train_norms), strategy.h1, strategy.h2).numpy()


def filter_tables(model: FeatureModel, splits: dict[str, Split], strategy: StrategyConfig,
                  trained: torch.Tensor | None, batch_size: int = 64) -> tuple[dict[str, FilterTable], np.ndarray]:
    """Binarized tables of every split (``splits`` must contain ``train``) and the thresholds used."""
    norms = {name: norm_table(model, s, strategy.norm, batch_size) for name, s in splits.items()}
    thresh = binarization_thresholds(strategy, trained, norms["train"])
    tables = {name: FilterTable(binarize(norms[name], thresh), s.y.numpy().astype(np.int64),
                                tuple(asp_id(i) for i in s.ids), s.class_names)
              for name, s in splits.items()}
    return tables, thresh


def check_learner_options(ratio: float, tail: float) -> None:
    """Refuse a FOLD-SE-M ``ratio`` that is not a finite number >= 0 or a ``tail`` outside [0, 1] (NaN too).

    Raises
    ------
    DataError
        With both values, named as the options of ``nesyasp extract``.
    """
    if not (0.0 <= ratio < math.inf and 0.0 <= tail <= 1.0):
        raise DataError(f"--ratio must be a finite number >= 0 and --tail in [0, 1], got {ratio} and {tail}")


def _warn_constant(table: FilterTable) -> None:
    """Log when every filter binarizes alike on every training image: only a catch-all rule can be learned."""
    if table.values.size and table.values.min() == table.values.max():
        logger.warning("every filter binarizes to %d on every training image: the rules can only be a catch-all "
                       "(thresholds too high or too low for these norms? check --h1/--h2 or the training)",
                       int(table.values.flat[0]))


def learn_rules(table: FilterTable, ratio: float = 0.8, tail: float = 0.005) -> tuple[Program, Any]:
    """Fit FOLD-SE-M on a binarized table; return the program (heads ``target(X,class)``) and the estimator.

    Raises
    ------
    DataError
        For a ``ratio`` or ``tail`` out of range (:func:`check_learner_options`).
    """
    from nesyasp.learn import FoldSEM

    check_learner_options(ratio, tail)
    _warn_constant(table)

    y = np.asarray(table.class_names, dtype=object)[table.labels]
    est = FoldSEM(ratio=ratio, tail=tail, feature_names=table.feature_names)
    est.fit(table.values.astype(np.int64), y)
    return est.rules_, est


def extract(model: FeatureModel, splits: dict[str, Split], strategy: StrategyConfig,
            trained: torch.Tensor | None, out: str | Path | None = None, ratio: float = 0.8,
            tail: float = 0.005, epoch: int | None = None) -> Extraction:
    """Binarize, learn the rule set, and (with ``out``) write it into the run folder.

    Written: ``rules.lp``, ``facts/<split>.lp``, ``tables/<split>.csv`` and
    ``.npz``, and ``tables/binarization.json`` (norm, thresholds and ``epoch``,
    the checkpoint's epoch the filters come from, when given).
    """
    tables, thresh = filter_tables(model, splits, strategy, trained)
    program, est = learn_rules(tables["train"], ratio, tail)
    logger.info("learned %d rules from %d images", len(program.rules), len(tables["train"].labels))
    if out is not None and is_main():
        write_extraction(Path(out), program, tables, thresh, strategy.norm, {"ratio": ratio, "tail": tail}, epoch)
    return Extraction(program, tables, thresh, est)


def write_extraction(out: Path, program: Program, tables: dict[str, FilterTable], thresh: np.ndarray,
                     norm: str, learner: dict[str, float] | None = None, epoch: int | None = None) -> None:
    """Write rules, facts and tables of an extraction into ``out``."""
    (out / "facts").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    tmp = out / "rules.lp.tmp"
    tmp.write_text(str(add_domain_guards(program)), encoding="utf-8")  # plain ASP: clingo grounds it alone
    tmp.replace(out / "rules.lp")
    for name, table in tables.items():
        table.to_facts(out / "facts" / f"{name}.lp")
        table.to_csv(out / "tables" / f"{name}.csv")
        table.to_npz(out / "tables" / f"{name}.npz")
    info = {"norm": norm, "learner": learner or {}, "thresholds": [float(t) for t in thresh]}
    if epoch is not None:
        info["epoch"] = epoch
    (out / "tables" / "binarization.json").write_text(json.dumps(info) + "\n", encoding="utf-8")
