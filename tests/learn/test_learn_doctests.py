"""The docstring examples of nesyasp.learn run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["nesyasp.learn", "nesyasp.learn.foldsem", "nesyasp.learn.search", "nesyasp.learn.encode", "nesyasp.learn.names"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
