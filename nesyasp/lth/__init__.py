"""Lottery-ticket pruning rounds explained with concept facts.

Iterative magnitude pruning with rewinding (:class:`Mask`, :func:`train_masked`,
:func:`rewind`), TCAV with a significance test (:class:`TCAV`), Grad-CAM
(:class:`GradCAM`), and the facts (:func:`build_facts`) that the shipped
program ``programs/lth.lp`` turns into winning tickets and concept drift.
:func:`run_lth` runs a whole experiment. The package imports torch lazily: ``import nesyasp.lth``
and ``nesyasp.lth.config`` stay light, the names below load their module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "LTHConfig", "PruneConfig", "TCAVConfig",
    "Mask", "prunable_names", "build_model",
    "train_masked", "evaluate", "snapshot", "rewind",
    "TCAV", "TCAVScore", "GradCAM",
    "ConceptScore", "RoundFacts", "build_facts", "write_facts",
    "ExperimentData", "RoundResult", "LTHResult", "LTHRunner", "run_lth", "load_round",
]

_HOME = {
    'LTHConfig': 'nesyasp.lth.config',
    'PruneConfig': 'nesyasp.lth.config',
    'TCAVConfig': 'nesyasp.lth.config',
    'ConceptScore': 'nesyasp.lth.facts',
    'RoundFacts': 'nesyasp.lth.facts',
    'build_facts': 'nesyasp.lth.facts',
    'write_facts': 'nesyasp.lth.facts',
    'GradCAM': 'nesyasp.lth.gradcam',
    'Mask': 'nesyasp.lth.mask',
    'prunable_names': 'nesyasp.lth.mask',
    'build_model': 'nesyasp.lth.models',
    'ExperimentData': 'nesyasp.lth.results',
    'LTHResult': 'nesyasp.lth.results',
    'LTHRunner': 'nesyasp.lth.runner',
    'RoundResult': 'nesyasp.lth.results',
    'run_lth': 'nesyasp.lth.runner',
    'TCAV': 'nesyasp.lth.tcav',
    'TCAVScore': 'nesyasp.lth.tcav',
    'evaluate': 'nesyasp.lth.train',
    'rewind': 'nesyasp.lth.train',
    'snapshot': 'nesyasp.lth.train',
    'train_masked': 'nesyasp.lth.train',
    'load_round': 'nesyasp.lth.tickets',
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nesyasp.lth' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
