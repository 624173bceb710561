"""The docstring examples of nesyasp.lth run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["nesyasp.lth.config", "nesyasp.lth.facts", "nesyasp.lth.mask", "nesyasp.lth.train",
           "nesyasp.lth.models", "nesyasp.lth.gradcam", "nesyasp.lth.tcav", "nesyasp.lth.runner",
           "nesyasp.lth.experiments"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
