"""The records of an LTH experiment: its data, each round's result, the whole result.

They sit below the runner, the data loaders and the plots, which all read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch import Tensor

from nesyasp.lang.ast import Program
from nesyasp.lth.config import LTHConfig
from nesyasp.lth.tcav import TCAVScore

__all__ = ["ExperimentData", "RoundResult", "LTHResult"]


@dataclass(frozen=True, slots=True)
class ExperimentData:
    """Tensors of one experiment: float images ``(N, C, H, W)`` in [0, 1], long labels."""

    train_images: Tensor
    train_labels: Tensor
    test_images: Tensor
    test_labels: Tensor
    class_names: tuple[str, ...]
    concepts: Mapping[str, Tensor]
    random_sets: tuple[Tensor, ...]
    relevant: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One round: remaining share, accuracy and concept scores."""

    round: int
    density: float
    remaining: int
    total: int
    accuracy: float
    iterations: int
    seconds: float
    tcav: tuple[TCAVScore, ...]

    def to_json(self, class_names: tuple[str, ...]) -> dict[str, Any]:
        """A JSON-ready dict (class indices replaced by names)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in
                               ("round", "density", "remaining", "total", "accuracy", "iterations", "seconds")}
        out["tcav"] = [{"class": class_names[s.target], "concept": s.concept, "layer": s.layer,
                        "score": s.score, "p_value": s.p_value, "significant": s.significant,
                        "scores": list(s.scores), "random_scores": list(s.random_scores),
                        "cav_accuracy": s.cav_accuracy} for s in self.tcav]
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any], class_names: tuple[str, ...]) -> RoundResult:
        """Inverse of :meth:`to_json`."""
        index = {n: i for i, n in enumerate(class_names)}
        tcav = tuple(TCAVScore(t["layer"], index[t["class"]], t["concept"], t["score"], tuple(t["scores"]),
                               tuple(t["random_scores"]), t["p_value"], t["significant"], t["cav_accuracy"])
                     for t in d["tcav"])
        return cls(d["round"], d["density"], d["remaining"], d["total"], d["accuracy"], d["iterations"],
                   d["seconds"], tcav)


@dataclass(frozen=True, slots=True)
class LTHResult:
    """All rounds of an experiment, the Grad-CAM maps per round and the facts program."""

    config: LTHConfig
    class_names: tuple[str, ...]
    rounds: tuple[RoundResult, ...]
    gradcam_images: Tensor
    gradcam_labels: Tensor
    gradcam: Mapping[int, Tensor]
    facts: Program
    out: Path | None = None
    relevant: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    layer: str = ""
    cam_layer: str | None = None
