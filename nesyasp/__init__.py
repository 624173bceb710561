"""nesyasp: neuro-symbolic AI centred on logic programming.

The symbolic layer is the product: rule files are parsed and checked
(:mod:`nesyasp.lang`), executed by clingo and explained
(:mod:`nesyasp.reason`), and learned from tables (:mod:`nesyasp.learn`).
The neural modules (:mod:`nesyasp.neural`, :mod:`nesyasp.lth`) feed facts
into it. Nothing is imported until used, so ``import nesyasp`` is cheap and
never imports torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names re-exported lazily: name -> module that defines it.
_LAZY = {
    "parse_program": "nesyasp.lang",
    "parse_file": "nesyasp.lang",
    "check_program": "nesyasp.lang",
    "Program": "nesyasp.lang",
    "NesyaspError": "nesyasp.errors",
    "Reasoner": "nesyasp.reason",
    "FoldSEM": "nesyasp.learn",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nesyasp' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
