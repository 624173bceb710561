"""The docstring examples of nesyasp.reason run as written, and importing it does not import torch."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = ["nesyasp.reason", "nesyasp.reason.reasoner", "nesyasp.reason.answers", "nesyasp.reason.terms",
           "nesyasp.reason.translate", "nesyasp.reason.facts", "nesyasp.reason.node", "nesyasp.reason.render"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_import_does_not_load_torch():
    code = "import sys, nesyasp.reason; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
