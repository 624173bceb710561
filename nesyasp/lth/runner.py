"""The LTH experiment: rounds of train, evaluate, TCAV, Grad-CAM, prune, rewind.

Round 0 trains the dense network; round ``r > 0`` prunes the previous round's
trained weights by magnitude, rewinds the survivors to the rewinding point
(initialisation or iteration K of round 0) and trains again with a fresh
optimizer. Every round is evaluated and explained (TCAV per class and
concept, Grad-CAM on fixed test images) with nothing cached between rounds.

With an output folder, the run writes ``config.json``, ``metrics.json`` (after
every round), ``checkpoints/round_R.pt`` (atomically), and at the end
``facts.lp`` and the plots; ``resume=True`` continues after the last
checkpoint of a run with the same configuration.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from tqdm.auto import tqdm

from nesyasp._paths import real_path
from nesyasp.lang.ast import Program
from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig, config_from_dict, config_to_dict, rewind_iteration
from nesyasp.lth.facts import ConceptScore, RoundFacts, build_facts, check_names, write_facts
from nesyasp.lth.gradcam import GradCAM, check_cam_layer, get_layer
from nesyasp.lth.mask import Mask
from nesyasp.lth.models import build_model, check_concept_layer
from nesyasp.lth.results import ExperimentData, LTHResult, RoundResult
from nesyasp.lth.tcav import TCAV, TCAVScore
from nesyasp.lth.train import evaluate, rewind, snapshot, train_masked
from nesyasp.neural.progress import announce, listening
from nesyasp.lth.tickets import read_checkpoint

__all__ = ["LTHRunner", "RUN_FILES", "check_out_outside_data", "check_rounds", "run_lth", "spread_indices"]

logger = logging.getLogger(__name__)


def spread_indices(labels: Tensor, m: int) -> Tensor:
    """``m`` indices spread over the classes (as evenly as possible) and, within a class, over its images.

    Test sets are ordered (class-major, and the digits digit by digit), so
    taking the first ``m`` images would show one class, or one digit, only.

    >>> spread_indices(torch.tensor([0, 0, 0, 0, 1, 1, 1, 1]), 4).tolist()
    [0, 2, 4, 6]
    """
    classes = torch.unique(labels)
    if m <= 0 or len(labels) == 0:
        return torch.zeros(0, dtype=torch.long)
    picked: list[Tensor] = []
    for i, c in enumerate(classes):
        members = torch.nonzero(labels == c).flatten()
        k = min(len(members), m // len(classes) + (1 if i < m % len(classes) else 0))
        if k:
            picked.append(members[(torch.arange(k) * len(members)) // k])
    return torch.cat(picked) if picked else torch.zeros(0, dtype=torch.long)


def check_rounds(config: LTHConfig, mask: Mask) -> None:
    """Refuse (before any training) a schedule whose last rounds would keep no weight to train.

    Global pruning keeps ``round(total * (1-p)^r)`` weights in round ``r``;
    per-layer pruning that share of every tensor, so its smallest tensor is
    the first to run out.
    """
    p, scope = config.prune.fraction, config.prune.scope
    sizes = [mask[n].numel() for n in mask] if scope == "layer" else [mask.total]
    if not sizes or p == 0:
        return
    for r in range(1, config.rounds):
        if min(round((1 - p) ** r * n) for n in sizes) == 0:
            what = (f"of the {mask.total:,} prunable weights" if scope == "global" else
                    f"of the {min(sizes):,} weights of its smallest prunable tensor (--scope layer)")
            raise DataError(f"--rounds {config.rounds} with --prune {p:g}: round {r} would keep 0 {what}, "
                            f"leaving nothing to train; use --rounds {r} or fewer, or a smaller --prune")


def _atomic_save(obj: object, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _atomic_json(obj: object, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    os.replace(tmp, path)


# What a run writes into its folder, besides checkpoints/round_R.pt.
RUN_FILES = ("config.json", "metrics.json", "facts.lp", "accuracy.png", "tcav.png", "gradcam.png")


def _lth_config_in(path: Path, key: str = "") -> bool:
    """Whether the JSON file ``path`` holds an LTH configuration (under ``key``, if given)."""
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
        values = values.get(key) if key and isinstance(values, dict) else values
        return isinstance(values, dict) and {"prune", "tcav"} <= set(values) and bool(config_from_dict(values))
    except (OSError, UnicodeDecodeError, ValueError, DataError, TypeError):
        return False


def _check_fresh_folder(out: Path) -> None:
    """Refuse to start a run in a folder whose files a run would overwrite, unless an LTH run wrote them.

    A run stopped before its first round ends leaves its ``config.json``
    only; starting again there is fine. A run with finished rounds is
    continued with ``resume``. Anything else of those names is the user's (or
    another command's, such as ``nesyasp train``'s) and is never overwritten.
    """
    if (out / "metrics.json").exists() and _lth_config_in(out / "metrics.json", "config"):
        raise DataError(f"{out}: already holds a run; pass --resume to continue it or choose another --out")
    config = out / "config.json"
    if config.exists() and _lth_config_in(config) and not (out / "metrics.json").exists():
        return
    ckpts = out / "checkpoints"
    taken = [name for name in RUN_FILES if (out / name).exists()] + (["checkpoints/"] if ckpts.exists() else [])
    if taken:
        raise DataError(f"{out}: holds {', '.join(taken)}, not written by 'nesyasp lth', which a run would "
                        "overwrite; choose another --out (an empty or new folder)")


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        out |= _flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
    return out


def _differences(saved: LTHConfig, new: LTHConfig) -> str:
    """``rounds: 3 in the run, 5 now; seed: 0 in the run, 1 now``."""
    old, now = _flat(config_to_dict(saved)), _flat(config_to_dict(new))
    return "; ".join(f"{k}: {old.get(k)!r} in the run, {now.get(k)!r} now" for k in old if old.get(k) != now.get(k))


class LTHRunner:
    """Runs an :class:`LTHConfig` on :class:`ExperimentData`.

    Parameters
    ----------
    config:
        The experiment.
    data:
        Images, labels, concept and random sets.
    out:
        Run folder; ``None`` keeps everything in memory.
    progress:
        Show a tqdm bar over rounds (on a terminal only).
    """

    def __init__(self, config: LTHConfig, data: ExperimentData, out: str | Path | None = None,
                 progress: bool = True) -> None:
        if len(data.class_names) < 2:
            raise DataError(f"{len(data.class_names)} class ({', '.join(data.class_names)}): a network with one "
                            "class has nothing to tell apart and no concept to score; give at least 2 classes")
        check_names([*data.class_names, *data.relevant],
                    [*data.concepts, *(k for ks in data.relevant.values() for k in ks)])  # before any training
        self.config = config
        self.data = data
        self.out = Path(out) if out is not None else None
        if self.out is not None:
            check_out_outside_data(config, self.out)
        self.progress = progress
        n_classes = len(data.class_names)
        size = data.train_images.shape[-1]
        self.model = build_model(config.model_name, n_classes, size, data.train_images.shape[1], seed=config.seed)
        self.layer = config.tcav.layer or getattr(self.model, "concept_layer", "")
        self.cam_layer = config.tcav.cam_layer or getattr(self.model, "cam_layer", None)
        get_layer(self.model, self.layer)  # a wrong --layer or --cam-layer fails now, not after round 0
        check_concept_layer(self.model, self.layer)
        self.mask = Mask.for_model(self.model, include_output=config.prune.prune_output)
        check_rounds(config, self.mask)
        self.rewind_state: dict[str, Tensor] | None = None
        self._digest: str | None = None
        self.init_state = snapshot(self.model)
        self.rounds: list[RoundResult] = []
        self.gradcam: dict[int, Tensor] = {}
        idx = spread_indices(data.test_labels, config.gradcam_images)
        self.cam_images, self.cam_labels = data.test_images[idx], data.test_labels[idx]
        if config.tcav.cam_layer and len(self.cam_images):  # the user's layer must give maps (a default may not)
            check_cam_layer(self.model, config.tcav.cam_layer, self.cam_images)

    # --------------------------------------------------------------- steps
    def _train(self, r: int) -> int:
        cfg = self.config
        k = rewind_iteration(cfg.rewind)
        capture = k if (r == 0 and k > 0) else None
        epochs = cfg.epochs_per_round

        def line(epoch: int, loss: float) -> None:
            announce(f"lth round {r}/{cfg.rounds - 1}: epoch {epoch}/{epochs}, loss {loss:.4f}")

        result = train_masked(self.model, self.mask, self.data.train_images, self.data.train_labels,
                              epochs=epochs, batch_size=cfg.batch_size, lr=cfg.lr,
                              weight_decay=cfg.weight_decay, seed=cfg.seed + 1000 * r, capture_at=capture,
                              schedule=cfg.lr_schedule, on_epoch=line if listening() else None)
        if r == 0:
            self.rewind_state = result.rewind_state if capture else self.init_state
        return result.iterations

    def _tcav(self) -> tuple[TCAVScore, ...]:
        n = self.config.tcav.n_inputs
        inputs = {c: self.data.test_images[self.data.test_labels == c][:n] for c in range(len(self.data.class_names))}
        inputs = {c: x for c, x in inputs.items() if len(x)}
        tcav = TCAV(self.model, self.layer, alpha=self.config.tcav.alpha, seed=self.config.seed)
        return tuple(tcav.interpret_classes(inputs, self.data.concepts, self.data.random_sets))

    def _gradcam(self) -> Tensor | None:
        if not len(self.cam_images) or not self.cam_layer:
            return None
        try:
            return GradCAM(self.model, self.cam_layer).attribute(self.cam_images, self.cam_labels, normalize=True)
        except DataError as exc:  # a layer without spatial maps (MLP): TCAV only
            logger.info("no Grad-CAM: %s", exc)
            return None

    def run_round(self, r: int) -> RoundResult:
        """Prune (for ``r > 0``), rewind, train, evaluate and explain round ``r``."""
        start = time.perf_counter()
        if r > 0:
            if self.rewind_state is None:
                raise DataError("round 0 must run before pruned rounds")
            self.mask = self.mask.prune(dict(self.model.named_parameters()), self.config.prune.fraction,
                                        self.config.prune.scope)
            rewind(self.model, self.rewind_state, self.mask)
        iterations = self._train(r)
        acc = evaluate(self.model, self.data.test_images, self.data.test_labels)
        scores = self._tcav()
        cam = self._gradcam()
        if cam is not None:
            self.gradcam[r] = cam
        result = RoundResult(r, self.mask.density, self.mask.remaining, self.mask.total, acc, iterations,
                             time.perf_counter() - start, scores)
        self.rounds.append(result)
        logger.info("round %d: %.1f%% of weights, accuracy %.3f", r, 100 * result.density, acc)
        announce(f"lth round {r}/{self.config.rounds - 1}: {100 * result.density:.1f}% of weights, "
                 f"accuracy {100 * acc:.2f}%")
        return result

    # ---------------------------------------------------------- persistence
    def _checkpoint(self, r: int) -> None:
        if self.out is None:
            return
        ckpt = self.out / "checkpoints"
        ckpt.mkdir(parents=True, exist_ok=True)
        state = {"model": snapshot(self.model), "mask": self.mask.state_dict(), "rewind": self.rewind_state,
                 "init": self.init_state, "gradcam": self.gradcam.get(r)}
        _atomic_save(state, ckpt / f"round_{r}.pt")
        metrics = {"config": config_to_dict(self.config), "class_names": list(self.data.class_names),
                   "data_digest": self.data_digest, "layer": self.layer, "cam_layer": self.cam_layer,
                   "rounds": [x.to_json(self.data.class_names) for x in self.rounds]}
        _atomic_json(metrics, self.out / "metrics.json")

    def _resume(self) -> int:
        """Load the last finished round of the run in ``out``; return the next round to run."""
        assert self.out is not None
        metrics_path = self.out / "metrics.json"
        if not metrics_path.exists():
            return 0
        try:
            metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
            saved = config_from_dict(metrics["config"])
            rounds = [RoundResult.from_json(d, self.data.class_names) for d in metrics["rounds"]]
        except (DataError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise DataError(f"{metrics_path}: not the metrics of an LTH run ({type(exc).__name__}: {exc})") from None
        if saved != self.config:
            raise DataError(f"{metrics_path}: the run was made with another configuration "
                            f"({_differences(saved, self.config)}); use the same options or a new --out folder")
        self._check_same_data(metrics, metrics_path)
        done = 0
        for rr in rounds:
            path = self.out / "checkpoints" / f"round_{rr.round}.pt"
            if not path.exists():
                break
            self._load_round(path, rr.round)
            self.rounds.append(rr)
            done = rr.round + 1
        logger.info("resuming after round %d", done - 1)
        return done

    @property
    def data_digest(self) -> str:
        """SHA-256 of the class names and every image, label, concept and random set the run uses."""
        if self._digest is None:
            h = hashlib.sha256(json.dumps(list(self.data.class_names)).encode())
            d = self.data
            for t in (d.train_images, d.train_labels, d.test_images, d.test_labels,
                      *(x for name in sorted(d.concepts) for x in (torch.tensor([len(name)]), d.concepts[name])),
                      *d.random_sets):
                h.update(str(tuple(t.shape)).encode())
                h.update(t.detach().cpu().contiguous().numpy().tobytes())
            h.update(json.dumps(sorted(d.concepts)).encode())
            self._digest = h.hexdigest()
        return self._digest

    def _check_same_data(self, metrics: dict[str, Any], metrics_path: Path) -> None:
        """Refuse to resume on other data (a user's folder changed since the run began)."""
        names = list(self.data.class_names)
        if metrics.get("class_names", names) != names:
            raise DataError(f"{metrics_path}: the run was made on the classes {', '.join(metrics['class_names'])}; "
                            f"the data now has {', '.join(names)} ({self._changed()}); restore it, or start anew "
                            "with another --out")
        if metrics.get("data_digest", self.data_digest) != self.data_digest:  # metrics of older runs have none
            raise DataError(f"{metrics_path}: the images (or concept sets) differ from those the run was made on "
                            f"({self._changed()}); the rounds would compare networks trained on different data: "
                            "restore it, or start anew with another --out")

    def _changed(self) -> str:
        if self.config.is_folder:
            return f"did the folder {self.config.data} change?"
        return "other data than the configuration's, or another numpy, Pillow or scikit-learn drew them"

    def _load_round(self, path: Path, r: int) -> None:
        """Restore the model, mask and rewind state of round ``r`` from its checkpoint."""
        state = read_checkpoint(path, r)
        try:
            self.model.load_state_dict(state["model"])
            self.mask = Mask.from_state_dict(state["mask"])
        except Exception as exc:  # noqa: BLE001 - a foreign file: one message that says what to do
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            raise DataError(f"{path}: the checkpoint of LTH round {r} cannot be read (not an LTH round's "
                            f"checkpoint: {type(exc).__name__}: {first}); delete it, and the checkpoints of the "
                            f"later rounds, then run the same command with --resume to redo round {r} onward (or "
                            "start anew with another --out)") from None
        self.rewind_state, self.init_state = state["rewind"], state["init"]
        if state["gradcam"] is not None:
            self.gradcam[r] = state["gradcam"]

    def facts(self) -> Program:
        """The facts program of the rounds run so far."""
        names = self.data.class_names
        rounds = [RoundFacts(r.round, r.density, r.accuracy,
                             tuple(ConceptScore(names[s.target], s.concept, s.score, s.significant) for s in r.tcav))
                  for r in self.rounds]
        return build_facts(rounds, self.data.relevant, self.config.min_score, self.config.tolerance)

    # ------------------------------------------------------------------ run
    def run(self, resume: bool = False) -> LTHResult:
        """Run every round (after the checkpointed ones when ``resume``) and write the outputs."""
        first = 0
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            if resume:
                if not any((self.out / name).exists() for name in ("config.json", "metrics.json")):
                    raise DataError(f"{self.out}: no LTH run to resume here (no config.json or metrics.json); "
                                    "leave out --resume to start one")
                first = self._resume()
            else:
                _check_fresh_folder(self.out)
            _atomic_json(config_to_dict(self.config), self.out / "config.json")
        bar = tqdm(range(first, self.config.rounds), desc="lth rounds", disable=None if self.progress else True,
                   initial=first, total=self.config.rounds)
        for r in bar:
            res = self.run_round(r)
            bar.set_postfix(weights=f"{100 * res.density:.1f}%", acc=f"{res.accuracy:.3f}")
            self._checkpoint(r)
        facts = self.facts()
        if self.out is not None:
            write_facts(self.out / "facts.lp", facts)
        return LTHResult(self.config, self.data.class_names, tuple(self.rounds), self.cam_images, self.cam_labels,
                         dict(self.gradcam), facts, self.out, dict(self.data.relevant), self.layer,
                         self.cam_layer)


def check_out_outside_data(config: LTHConfig, out: Path) -> None:
    """Refuse a run folder inside the image folder the run reads: nothing is ever written into a user's folder
    (and a run folder there would be read as a class the next time)."""
    if config.is_folder and Path(config.data).is_dir() and real_path(out).is_relative_to(real_path(config.data)):
        raise DataError(f"{out}: inside the image folder {config.data}; give --out a folder outside it")


def run_lth(config: LTHConfig, data: ExperimentData | None = None, out: str | Path | None = None,
            resume: bool = False, progress: bool = True, plots: bool = True) -> LTHResult:
    """Run an LTH experiment end to end; with ``out``, also write the plots.

    ``data`` defaults to the embedded data set named by ``config.data``.
    """
    if out is not None:
        check_out_outside_data(config, Path(out))
    if data is None:
        from nesyasp.lth.experiments import load_experiment_data

        data = load_experiment_data(config)
    torch.manual_seed(config.seed)
    result = LTHRunner(config, data, out, progress).run(resume=resume)
    if out is not None and plots:
        from nesyasp.lth.plots import write_plots

        write_plots(result, Path(out))
    return result
