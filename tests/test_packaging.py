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
