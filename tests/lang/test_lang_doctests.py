"""The examples in the docstrings of nesyasp.lang run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["nesyasp.lang", "nesyasp.lang.ast", "nesyasp.lang.parser", "nesyasp.lang.checks",
           "nesyasp.lang.formatting", "nesyasp.lang._comments"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
