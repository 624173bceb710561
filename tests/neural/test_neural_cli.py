"""The train / extract / evaluate / experiment commands end to end on a tiny stand-in data set."""

from __future__ import annotations

import json

import pytest

from nesyasp.cli import main


@pytest.fixture
def toy_data(monkeypatch, toy_splits):
    """Serve the tiny image set whatever --data names (the CLI's data loading is tested elsewhere)."""
    import importlib

    run_mod = importlib.import_module("nesyasp.neural.run")
    train_mod = importlib.import_module("nesyasp.neural.train")

    monkeypatch.setattr(train_mod, "load_splits", lambda config: toy_splits)
    monkeypatch.setattr(run_mod, "load_splits", lambda config: toy_splits)


def test_train_extract_evaluate(tmp_path, toy_data, capsys):
    out = tmp_path / "ne"
    args = ["train", "--data", "toy", "--strategy", "ne", "--epochs", "3", "--size", "16",
            "--batch-size", "8", "--lr", "3e-3", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "NE on toy" in text and "next: nesyasp extract" in text
    assert main(["extract", str(out)]) == 0
    assert "target(X," in capsys.readouterr().out
    assert (out / "rules.lp").is_file() and (out / "facts" / "test.lp").is_file()
    assert main(["evaluate", str(out), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert set(got) == {"nesy_accuracy", "cnn_accuracy", "fidelity", "rule_set_size", "n_rules", "n_test"}
    assert got == json.loads((out / "evaluation.json").read_text())
    assert main(args) == 1
    assert "already holds a run" in capsys.readouterr().err
    assert main(args[:-2] + ["--epochs", "4", "--out", str(out), "--resume"]) == 0
    assert json.loads((out / "metrics.json").read_text())["history"][-1]["epoch"] == 4


def test_errors_are_messages(tmp_path, toy_data, capsys):
    assert main(["evaluate", str(tmp_path / "nope")]) == 1
    assert "DataError: " in capsys.readouterr().err
    bad = tmp_path / "w.pt"
    bad.write_text("junk")
    assert main(["train", "--weights", str(bad), "--out", str(tmp_path / "r"), "--size", "16"]) == 1
    assert "not a torch weights file" in capsys.readouterr().err
    assert main(["train", "--strategy", "ts9", "--out", str(tmp_path / "r2")]) == 1
    assert "unknown strategy" in capsys.readouterr().err


def test_experiment_writes_tables(tmp_path, toy_data, capsys):
    out = tmp_path / "exp"
    args = ["experiment", "--strategies", "ce,ts3", "--classes", "3", "--seeds", "1", "--epochs", "1",
            "--size", "16", "--batch-size", "8", "--out", str(out)]
    assert main(args) == 0
    md = (out / "tables.md").read_text()
    assert "Table 1" in md and "| TS3 |" in md and "| CE |" in md
    res = json.loads((out / "results.json").read_text())
    assert {r["strategy"] for r in res["runs"]} == {"CE", "TS3"}
    assert (out / "accuracy_vs_size.png").stat().st_size > 0
    capsys.readouterr()
    assert main(args) == 0  # finished cells are reused
    assert json.loads((out / "results.json").read_text())["runs"] == res["runs"]


def test_experiment_jobs_match_serial(tmp_path, capsys):
    """Worker processes (--jobs 2) give the cells of a serial run, in grid order."""
    common = ["experiment", "--strategies", "ts3,ne", "--classes", "2", "--seeds", "1", "--epochs", "2",
              "--size", "16", "--per-class", "6", "--test-per-class", "3", "--batch-size", "4",
              "--pretrain-epochs", "1"]
    assert main(common + ["--jobs", "2", "--out", str(tmp_path / "par")]) == 0
    assert main(common + ["--out", str(tmp_path / "ser")]) == 0
    par = json.loads((tmp_path / "par" / "results.json").read_text())["runs"]
    ser = json.loads((tmp_path / "ser" / "results.json").read_text())["runs"]
    assert [r["strategy"] for r in par] == ["TS3", "NE"]
    assert par == ser
    assert (tmp_path / "par" / "backbone-s0.pt").is_file()
    cfg = json.loads((tmp_path / "par" / "ts3-c2-s0" / "config.json").read_text())
    assert cfg["weights"].endswith("backbone-s0.pt") and cfg["pretrain_epochs"] == 0
    assert main(common + ["--jobs", "0", "--out", str(tmp_path / "bad")]) == 1
    assert "--jobs must be >= 1" in capsys.readouterr().err
