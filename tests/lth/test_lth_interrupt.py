"""A Ctrl-C says what was kept and how to go on (it said only 'interrupted')."""

from __future__ import annotations

import pytest

from nesyasp.cli import main


@pytest.mark.parametrize("argv,target,hint", [
    (["lth", "--rounds", "2"], "nesyasp.lth.runner.run_lth",
     "interrupted; every finished round is kept: run the same command with --resume to continue"),
    (["experiment", "--strategies", "ts3", "--classes", "2", "--seeds", "1"], "nesyasp.neural.experiment.run_experiment",
     "interrupted; finished cells and epochs are kept: run the same command again to continue"),
])
def test_ctrl_c_names_what_to_do(tmp_path, monkeypatch, capsys, argv, target, hint) -> None:
    import importlib

    module, name = target.rsplit(".", 1)

    def stop(*_args, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module(module), name, stop)
    assert main(argv + ["--out", str(tmp_path / "run")]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == hint


def test_a_command_without_a_hint_says_interrupted_alone() -> None:
    from nesyasp.cli import build_parser

    assert build_parser().parse_args(["check", "a.lp"])._interrupted == ""
