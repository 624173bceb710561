"""One line per finished epoch where no progress bar shows: train, experiment and lth."""

from __future__ import annotations

import io
import re

import torch

from nesyasp.cli import main
from nesyasp.neural.progress import announce, labelled, listening, step_lines
from nesyasp.neural.train import train

LINE = re.compile(r"NE epoch (\d)/2: loss \d+\.\d{4}, ce \d+\.\d{4}, extra \d+\.\d{4}, "
                  r"train \d+\.\d%, test \d+\.\d%  \(\d+ s\)")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_go_to_a_pipe_and_not_to_a_terminal(toy_splits, make_config):
    pipe, terminal = io.StringIO(), _Terminal()
    with step_lines(pipe) as on:
        assert on and listening()
        train(make_config("ne", epochs=2), splits=toy_splits, progress=False)
    assert not listening()
    lines = pipe.getvalue().splitlines()
    assert [LINE.fullmatch(line).group(1) for line in lines] == ["1", "2"]
    with step_lines(terminal) as on:
        assert not on
        announce("epoch 1/1")
    assert terminal.getvalue() == ""


def test_labels_prefix_lines_and_nest():
    out = io.StringIO()
    with step_lines(out, force=True, times=False):
        announce("a")
        with labelled("cell1"):
            announce("b")
        announce("c")
    assert out.getvalue() == "a\ncell1 b\nc\n"


def test_train_prints_a_line_per_epoch_as_it_ends_when_stdout_is_not_a_terminal(tmp_path, toy_data, capsys):
    args = ["train", "--data", "toy", "--strategy", "ne", "--epochs", "2", "--size", "16", "--batch-size", "8",
            "--out", str(tmp_path / "r")]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert [LINE.fullmatch(line).group(1) for line in out if line.startswith("NE epoch")] == ["1", "2"]
    assert "epoch    loss      ce   extra  train  test" not in out  # the lines were the table


def test_experiment_lines_name_their_cell(tmp_path, toy_data, capsys):
    args = ["experiment", "--data", "toy", "--strategies", "ne", "--classes", "3", "--seeds", "1", "--epochs", "1",
            "--size", "16", "--batch-size", "8", "--out", str(tmp_path / "exp")]
    assert main(args) == 0
    assert re.search(r"^ne-c3-s0 NE epoch 1/1: loss ", capsys.readouterr().out, re.MULTILINE)


def test_lth_training_reports_each_epoch():
    from nesyasp.lth.mask import Mask
    from nesyasp.lth.train import train_masked

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
    x, y = torch.randn(10, 1, 2, 2), torch.tensor([0, 1] * 5)
    seen = []
    train_masked(net, Mask.for_model(net), x, y, epochs=3, batch_size=4, on_epoch=lambda e, loss: seen.append((e, loss)))
    assert [e for e, _ in seen] == [1, 2, 3] and all(loss > 0 for _, loss in seen)


def test_lth_prints_a_line_per_epoch_and_round():
    from nesyasp.lth.config import LTHConfig, PruneConfig, TCAVConfig
    from nesyasp.lth.results import ExperimentData
    from nesyasp.lth.runner import run_lth

    gen = torch.Generator().manual_seed(0)
    x = torch.rand(16, 3, 16, 16, generator=gen)
    y = torch.tensor([0, 1] * 8)
    data = ExperimentData(x, y, x[:8], y[:8], ("a", "b"), {"c": x[:4]}, (x[4:8], x[8:12]), {"a": ("c",)})
    config = LTHConfig(rounds=2, epochs=2, batch_size=8, size=16, gradcam_images=2, prune=PruneConfig(fraction=0.5),
                       tcav=TCAVConfig(n_concept=4, n_random_sets=2, n_inputs=4))
    out = io.StringIO()
    with step_lines(out, force=True, times=False):
        run_lth(config, data, progress=False, plots=False)
    lines = out.getvalue().splitlines()
    assert [re.sub(r"\d+\.\d+", "N", line) for line in lines] == [
        "lth round 0/1: epoch 1/2, loss N", "lth round 0/1: epoch 2/2, loss N",
        "lth round 0/1: N% of weights, accuracy N%",
        "lth round 1/1: epoch 1/2, loss N", "lth round 1/1: epoch 2/2, loss N",
        "lth round 1/1: N% of weights, accuracy N%"]
