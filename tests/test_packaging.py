"""Packaging: every package is listed in pyproject.toml, and the shipped programs install with nesyasp."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from nesyasp.lang import check_program, parse_file
from nesyasp.shipped import programs_dir, shipped_program, shipped_programs

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nesyasp").rglob("__init__.py")}
    assert found | {"nesyasp.programs"} == set(config["packages"])
    assert config["package-dir"] == {"nesyasp.programs": "programs"}


def test_shipped_programs_are_the_top_level_folder_and_pass_check() -> None:
    assert programs_dir() == ROOT / "programs"
    assert [p.name for p in shipped_programs()] == sorted(p.name for p in (ROOT / "programs").glob("*.lp"))
    assert shipped_program("lth") == shipped_program("lth.lp") == ROOT / "programs" / "lth.lp"
    for path in shipped_programs():
        assert all(d.severity != "error" for d in check_program(parse_file(path)))


def test_check_fmt_and_query_read_shipped_programs_from_any_folder(tmp_path, monkeypatch, capsys):
    """`nesyasp check programs/lth.lp` works away from the checkout, as `query` does; fmt never rewrites it."""
    from nesyasp.cli import main

    shipped = shipped_program("lth")
    before = shipped.read_bytes()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.lp").write_text("round(0,100). round(1,80). accuracy(0,90). accuracy(1,89).\n")
    assert main(["check", "programs/lth.lp"]) == 0
    assert f"{shipped}:" in capsys.readouterr().out
    assert main(["fmt", "programs/lth.lp"]) == 0 and "winning_ticket(R) :-" in capsys.readouterr().out
    assert main(["fmt", "--in-place", "programs/lth.lp"]) == 1  # no such file here: the package is never written
    assert "programs/lth.lp: cannot read file" in capsys.readouterr().err and shipped.read_bytes() == before
    assert main(["query", "facts.lp", "programs/lth.lp", "-q", "winning_ticket(R)"]) == 0
    assert capsys.readouterr().out.startswith("winning_ticket(1)")
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "lth.lp").write_text("p :- q.\n")  # a file of that name here is that file
    assert main(["check", "programs/lth.lp"]) == 0 and "checked 1 file: 0 errors, 1 warning" in capsys.readouterr().out


# Third-party imports of nesyasp's modules, by the distribution that provides them.
_DISTRIBUTIONS = {"PIL": "pillow", "sklearn": "scikit-learn"}


def _third_party_imports() -> dict[str, str]:
    """``{distribution: a module importing it}`` over every module of the package."""
    import ast

    found: dict[str, str] = {}
    for path in sorted((ROOT / "nesyasp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for top in (n.partition(".")[0] for n in names):
                if top and top not in sys.stdlib_module_names and top != "nesyasp":
                    found.setdefault(_DISTRIBUTIONS.get(top, top), str(path.relative_to(ROOT)))
    return found


def test_the_version_is_written_once():
    """`nesyasp --version` (nesyasp.__version__) says the version pip installed (pyproject.toml)."""
    import nesyasp

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == nesyasp.__version__


def test_every_imported_distribution_is_a_dependency():
    """A module importing a library that pyproject.toml does not ask for works here and fails once installed."""
    import re

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = re.compile(r"[A-Za-z0-9_.-]+")
    required = {name.match(r).group().lower() for r in project["dependencies"]}
    optional = {name.match(r).group().lower() for r in project["optional-dependencies"]["neural"]}
    imported = _third_party_imports()
    assert {"clingo", "lark", "numpy", "torch"} <= set(imported)  # the scan sees imports at all
    assert {d: m for d, m in imported.items() if d.lower() not in required | optional} == {}
    assert optional == {"torch", "torchvision"}  # the neural extra; the rest is always installed


def _build_wheel(tmp_path: Path) -> Path:
    """The wheel of the working tree, built offline from a copy (no build/ or egg-info in the tree)."""
    pytest.importorskip("setuptools", minversion="77")  # pyproject's license = "MIT" (PEP 639)
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("nesyasp", "programs"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(tmp_path / "dist"), str(src)], check=True, env=env, capture_output=True)
    return next((tmp_path / "dist").glob("nesyasp-*.whl"))


# Run by the installed package, away from any checkout: no programs/ or examples/ in its folder.
_AWAY = r"""
import os, pkgutil, sys
import nesyasp, nesyasp.lang, nesyasp.reason, nesyasp.learn
assert "torch" not in sys.modules, "the symbolic layers import torch"
site = os.environ["SITE"]
assert nesyasp.__file__.startswith(site), nesyasp.__file__
from nesyasp.lang.parser import lark_parse_program
from nesyasp.shipped import shipped_program
from nesyasp.cli import main
assert str(lark_parse_program("a :- b.")) == "a :- b.\n"  # grammar.lark, package data
assert str(shipped_program("lth")).startswith(site)
assert main(["check", "programs/lth.lp"]) == 0
assert main(["query", "facts.lp", "programs/lth.lp", "-q", "winning_ticket(R)"]) == 0
assert main(["learn", "table.csv", "--target", "y", "-o", "rules.lp"]) == 0
assert main(["data", "list"]) == 0
for module in pkgutil.walk_packages(nesyasp.__path__, "nesyasp."):  # every module imports
    if module.name == "nesyasp.__main__":  # runs the command line
        continue
    __import__(module.name)
    assert sys.modules[module.name].__file__.startswith(site), module.name
"""


def _version() -> str:
    import nesyasp

    return nesyasp.__version__


def _tree(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_wheel_holds_every_module_and_program_and_runs_away_from_the_checkout(tmp_path):
    """Built and unpacked as pip installs it: every file is there, and nothing reads (or writes) the checkout."""
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "nesyasp").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    wanted |= {f"nesyasp/programs/{p.name}" for p in (ROOT / "programs").glob("*.lp")}
    assert {"nesyasp/lang/grammar.lark", "nesyasp/programs/lth.lp", "nesyasp/py.typed"} <= wanted
    assert sorted(wanted - names) == []
    assert [n for n in names if n.split("/")[0] not in ("nesyasp", wheel.name.split("-py3")[0] + ".dist-info")] == []
    site, away = tmp_path / "site", tmp_path / "elsewhere"
    zipfile.ZipFile(wheel).extractall(site)
    entry = (site / next(n for n in names if n.endswith("entry_points.txt"))).read_text(encoding="utf-8")
    assert "nesyasp = nesyasp.cli:main" in entry and wheel.name.startswith(f"nesyasp-{_version()}-")
    away.mkdir()
    (away / "facts.lp").write_text("round(0,100). round(1,80). accuracy(0,90). accuracy(1,89).\n")
    (away / "table.csv").write_text("id,a,b,y\n" + "".join(f"r{i},{i % 2},{i % 3 == 0},{'yes' if i % 2 else 'no'}\n"
                                                         for i in range(40)))
    before = _tree(site)
    env = {**os.environ, "PYTHONPATH": str(site), "SITE": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", _AWAY], cwd=away, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "winning_ticket(1)" in out.stdout and (away / "rules.lp").is_file()
    assert _tree(site) == before  # nothing written into the installed package
