"""Packaging: every package is listed in pyproject.toml, and the shipped programs install with nesyasp."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
