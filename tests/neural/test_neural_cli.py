"""The train / extract / evaluate / experiment commands end to end on a tiny stand-in data set."""

from __future__ import annotations

import json
import shlex

import pytest

from nesyasp.cli import main


def test_train_extract_evaluate(tmp_path, toy_data, capsys):
    out = tmp_path / "my runs" / "névé"  # the "next:" commands printed are shell words
    args = ["train", "--data", "toy", "--strategy", "ne", "--epochs", "3", "--size", "16",
            "--batch-size", "8", "--lr", "3e-3", "--pretrain-epochs", "0", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "NE on toy" in text and shlex.split(text.splitlines()[-1]) == ["next:", "nesyasp", "extract", str(out)]
    assert main(["extract", str(out)]) == 0
    printed = capsys.readouterr().out
    assert shlex.split(printed.splitlines()[-1]) == ["next:", "nesyasp", "evaluate", str(out)]
    assert "target(X," in printed and "labelled_rules.lp" not in printed
    assert (out / "rules.lp").read_text() in printed  # the file as written (printed without _example(X) before)
    assert (out / "rules.lp").is_file() and (out / "facts" / "test.lp").is_file()
    (out / "labelled_rules.lp").write_text("% from the previous rules\n")  # extracting again makes labels stale
    assert main(["extract", str(out)]) == 0
    note = capsys.readouterr().out.splitlines()[-1]
    head = "note: labelled_rules.lp and facts/*_labelled.lp were made from the previous rules; run "
    assert note.startswith(head) and note.endswith(" again")
    assert shlex.split(note[len(head) + 1:-len(" again") - 1]) == ["nesyasp", "label", str(out)]
    (out / "labelled_rules.lp").unlink()
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
    assert main(["train", "--weights", str(bad), "--out", str(tmp_path / "r"), "--size", "16"]) == 1  # no pretraining
    assert "not a torch weights file that nesyasp can read" in capsys.readouterr().err
    assert main(["train", "--strategy", "ts9", "--out", str(tmp_path / "r2")]) == 1
    assert "unknown strategy" in capsys.readouterr().err


def test_experiment_writes_tables(tmp_path, toy_data, capsys):
    out = tmp_path / "exp"
    args = ["experiment", "--strategies", "ce,ts3", "--classes", "3", "--seeds", "1", "--epochs", "1",
            "--size", "16", "--batch-size", "8", "--pretrain-epochs", "0", "--out", str(out)]
    assert main(args) == 0
    md = (out / "tables.md").read_text()
    assert "Table 1" in md and "| TS3 |" in md and "| CE |" in md
    res = json.loads((out / "results.json").read_text())
    assert {r["strategy"] for r in res["runs"]} == {"CE", "TS3"}
    assert (out / "accuracy_vs_size.png").stat().st_size > 0
    capsys.readouterr()
    assert main(args) == 0  # finished cells are reused
    assert json.loads((out / "results.json").read_text())["runs"] == res["runs"]
    mine = tmp_path / "mine"  # the experiment overwrote a user's tables.md and results.json
    mine.mkdir()
    (mine / "tables.md").write_text("my tables")
    (mine / "results.json").write_text('{"mine": 1}')
    capsys.readouterr()
    assert main(args[:-1] + [str(mine)]) == 1
    assert "holds tables.md, results.json, not written by 'nesyasp experiment'" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["results.json", "tables.md"]
    assert (mine / "tables.md").read_text() == "my tables"


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
    assert "--jobs must be auto or >= 1" in capsys.readouterr().err


def _train_args(out, *more):
    return ["train", "--data", "toy", "--epochs", "1", "--size", "16", "--batch-size", "8", "--pretrain-epochs", "0",
            "--out", str(out), *more]


@pytest.mark.parametrize("option, needle", [
    (["--classes", "1"], "at least 2 for a classifier"),
    (["--lr", "-1"], "lr must be finite and > 0"),
    (["--weight-decay", "-0.1"], "weight_decay finite and >= 0"),
    (["--lr", "inf"], "lr must be finite and > 0"),  # the rest were accepted: NaN losses or ascent
    (["--seed", "-1"], "seed must be >= 0"),  # was an internal error (numpy's seeding)
    (["--alpha", "-1"], "alpha must be a finite number >= 0"),
    (["--beta", "inf"], "beta must be a finite number >= 0"),
    (["--h1", "nan"], "h1 must be a finite number"),
    (["--alpha", "0", "--beta", "0"], "alpha and beta are both 0"),
    (["--pretrain-epochs", "-2"], "pretrain_epochs must be >= 0"),  # was taken as the default, 10 epochs
    (["--k", "65"], "K=65 filters per class (--k) is more than the 64 filters"),  # was cut to 64 silently
    (["--weights", "missing.pt"], "missing.pt"),  # refused weights left a run folder holding config.json
])
def test_bad_training_options_fail_before_training(tmp_path, toy_data, capsys, option, needle):
    assert main(_train_args(tmp_path / "r", *option)) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError: ") and needle in err
    assert not (tmp_path / "r").exists()


def test_cuda_device_without_a_gpu_is_a_message(tmp_path, toy_data, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(_train_args(tmp_path / "r", "--device", "cuda")) == 1
    assert "DataError: device 'cuda': no CUDA GPU is available here" in capsys.readouterr().err


def test_broken_run_folders_are_messages(tmp_path, toy_data, capsys):
    import torch

    out = tmp_path / "run"
    assert main(_train_args(out)) == 0
    capsys.readouterr()
    config, ckpt = (out / "config.json").read_text(), (out / "checkpoint.pt").read_bytes()
    cases = [
        ("config.json", '{"foo": 1}', "config.json: invalid run configuration"),
        ("config.json", "{bad", "config.json:1:2: invalid JSON"),
        ("checkpoint.pt", "junk", "checkpoint.pt: not a torch checkpoint that nesyasp can read"),
        ("checkpoint.pt", None, "checkpoint.pt: not a nesyasp checkpoint (no model"),
        ("config.json", config.replace('"model": "small"', '"model": "resnet18"'), "the weights do not fit the model"),
    ]
    for name, content, needle in cases:
        (out / "config.json").write_text(config)
        (out / "checkpoint.pt").write_bytes(ckpt)
        if content is None:
            torch.save({"epoch": 1}, out / name)
        else:
            (out / name).write_text(content)
        for argv in (["extract", str(out)], ["evaluate", str(out)], _train_args(out, "--resume")):
            assert main(argv) == 1, (name, argv)
            err = capsys.readouterr().err
            assert err.startswith("DataError: ") and needle in err, (argv, err)
    assert main(["extract", str(out / "config.json")]) == 1
    assert "a file, not a run folder" in capsys.readouterr().err


def test_extract_options_out_of_range(tmp_path, capsys):
    assert main(["extract", str(tmp_path), "--ratio", "-1"]) == 1
    assert "DataError: --ratio must be a finite number >= 0" in capsys.readouterr().err
    for ratio in ("nan", "inf"):  # were internal errors (sklearn's InvalidParameterError from FoldSEM)
        assert main(["extract", str(tmp_path), "--ratio", ratio]) == 1
        assert capsys.readouterr().err.startswith("DataError: --ratio must be a finite number >= 0")
    assert main(["extract", str(tmp_path), "--tail", "2"]) == 1
    assert "--tail in [0, 1]" in capsys.readouterr().err


def test_weights_that_are_not_tensors(tmp_path, toy_data, capsys):
    import torch

    path = tmp_path / "w.pt"
    torch.save({"classifier.weight": 1, "a": "b"}, path)
    assert main(_train_args(tmp_path / "r", "--weights", str(path))) == 1
    assert "not a state dict of tensors" in capsys.readouterr().err


@pytest.mark.parametrize("option, needle", [
    (["--strategies", ""], "--strategies names no strategy"),
    (["--seeds", "0"], "--seeds must be >= 1"),
    (["--classes", "2,1"], "at least 2"),
])
def test_experiment_bad_grid(tmp_path, capsys, option, needle):
    assert main(["experiment", "--out", str(tmp_path / "exp"), *option]) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError: ") and needle in err
    assert not (tmp_path / "exp").exists()


def test_experiment_cells_select_a_share_of_the_grid(tmp_path, toy_data, capsys):
    from nesyasp.neural.experiment import auto_jobs, select_cells
    from nesyasp.neural.config import TrainConfig

    grid = [(s, c, seed) for c in (2, 3) for s in ("ne", "ts3") for seed in (0, 1)]
    assert select_cells(grid, ["ts3-c3-*", "ne-c2-s1"]) == [("ne", 2, 1), ("ts3", 3, 0), ("ts3", 3, 1)]
    assert select_cells(grid, []) == grid
    assert auto_jobs(TrainConfig(device="cpu"), 8) == 1
    out = tmp_path / "exp"
    args = ["experiment", "--strategies", "ce,ts3", "--classes", "3", "--seeds", "2", "--epochs", "1",
            "--size", "16", "--batch-size", "8", "--pretrain-epochs", "0", "--out", str(out)]
    assert main(args + ["--cells", "ts3-*"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ts3-c3-s0", "ts3-c3-s1"]
    assert {r["strategy"] for r in json.loads((out / "results.json").read_text())["runs"]} == {"TS3"}
    assert main(args + ["--cells", "ts9-*"]) == 1
    assert "--cells: 'ts9-*' matches no cell" in capsys.readouterr().err
    assert main(args) == 0  # the whole grid: the TS3 cells are reused, the CE cells trained
    assert len(json.loads((out / "results.json").read_text())["runs"]) == 4
    twice = args[:args.index("--out")] + ["--strategies", "ce,ts3,TS3", "--classes", "3,3", "--out", str(out)]
    assert main(twice) == 0  # each cell was run and counted twice: 'runs': 4.0 in the summary for 2 seeds
    res = json.loads((out / "results.json").read_text())
    assert len(res["runs"]) == 4 and res["summary"]["TS3"]["c3"]["runs"] == 2.0


@pytest.mark.parametrize("command", ["extract", "evaluate", "label", "report"])
def test_a_folder_that_is_no_run_says_what_it_is_and_what_to_give(tmp_path, capsys, command):
    # each said "not a finished run folder (config.json or checkpoint.pt missing)" (report: "no rules.lp yet;
    # run 'nesyasp extract' first", which failed the same way), whatever the folder held
    runs = tmp_path / "runs"
    for name in ("ts3", "ne"):
        (runs / name).mkdir(parents=True)
        (runs / name / "config.json").write_text("{}")
        (runs / name / "checkpoint.pt").write_bytes(b"")
    half = tmp_path / "half"
    half.mkdir()
    (half / "config.json").write_text("{}")
    cases = [(runs, f"a folder of run folders, not a run folder; give one of them: {runs / 'ne'}, {runs / 'ts3'}"),
             (half, "no checkpoint.pt yet: its training is still running, or it stopped before its first epoch"),
             (half, f"wait for it, or train again: nesyasp train --out {half} with the options of its config.json"),
             (tmp_path / "runs" / "ne" / "..", "a folder of run folders"),
             (tmp_path / "empty", "not a run folder (no config.json or checkpoint.pt); give the folder that "
                                  "'nesyasp train --out DIR' wrote")]
    (tmp_path / "empty").mkdir()
    for folder, needle in cases:
        assert main([command, str(folder)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"DataError: {folder}: ") and needle in err, (folder, err)
