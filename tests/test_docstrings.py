"""Every public module (discovered, so a new one is covered): its docstring examples run as
written, and every name in its ``__all__`` exists and is documented.

The per-area ``test_<area>_doctests.py`` files require examples in chosen modules; this
one makes sure no public module carries a stale example, which a fixed list misses
(``nesyasp.label.transform`` showed ``#pred`` after printing had become ``%#pred``).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re

import pytest

import nesyasp


def public_modules() -> list[str]:
    names = ["nesyasp"]
    for info in pkgutil.walk_packages(nesyasp.__path__, "nesyasp."):
        parts = info.name.split(".")[1:]
        if any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return sorted(names)


MODULES = public_modules()


def test_discovery_sees_every_subpackage():
    assert {"nesyasp.lang.ast", "nesyasp.reason.reasoner", "nesyasp.learn.foldsem",
            "nesyasp.data.folder", "nesyasp.neural.nesymodel", "nesyasp.label.transform"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    if name.split(".")[1:2] in (["neural"], ["lth"]) or name == "nesyasp.data.torch":
        pytest.importorskip("torch")
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, report=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples fail"


def _alias_comment(module, name: str) -> bool:
    """A module-level alias (``Term = Union[...]``) is documented by a ``#:`` comment above it."""
    lines = inspect.getsource(module).splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"{re.escape(name)}\s*(:[^=]*)?=", line):
            return i > 0 and lines[i - 1].lstrip().startswith("#:")
    return False


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_are_documented(name):
    if name.split(".")[1:2] in (["neural"], ["lth"]) or name == "nesyasp.data.torch":
        pytest.importorskip("torch")
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no docstring"
    names = getattr(module, "__all__", None)
    assert names is not None, f"{name} has no __all__"
    assert len(set(names)) == len(names), f"{name}.__all__ repeats a name"
    for public in names:
        assert hasattr(module, public), f"{name}.__all__ names {public}, which does not exist"
        obj = getattr(module, public)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name}.{public} has no docstring"
        elif getattr(obj, "__module__", None) == "typing" and getattr(obj, "__origin__", None) is not None:
            home = importlib.import_module(_defining_module(name, public))
            assert _alias_comment(home, public), f"{name}.{public}: a type alias wants a '#:' comment above it"


def _defining_module(name: str, public: str) -> str:
    """The module whose source assigns ``public`` (a package re-exports it from a submodule)."""
    module = importlib.import_module(name)
    if re.search(rf"^{re.escape(public)}\s*(:[^=]*)?=", inspect.getsource(module), re.M):
        return name
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        sub = importlib.import_module(info.name)
        if public in getattr(sub, "__all__", ()) and re.search(rf"^{re.escape(public)}\s*(:[^=]*)?=",
                                                                inspect.getsource(sub), re.M):
            return info.name
    raise AssertionError(f"{name}.{public}: no module assigns it")
