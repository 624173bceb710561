"""Odd parameters of `nesyasp lth` end in one clear line before any training, never in an internal error."""

from __future__ import annotations

import pytest
import torch

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig, PruneConfig
from nesyasp.lth.mask import Mask
from nesyasp.lth.models import build_model
from nesyasp.lth.runner import check_rounds
from nesyasp.lth.train import train_masked

torch.set_num_threads(1)


@pytest.mark.parametrize("argv, message", [
    # these were internal errors (ValueError from numpy's seeding, from Adam, or NaN in sklearn's fit)
    (["--seed", "-1"], "seed must not be negative, got -1"),
    (["--lr", "nan"], "the learning rate must be a positive number"),
    (["--lr", "inf"], "the learning rate must be a positive number"),
    (["--weight-decay", "nan"], "the weight decay a number not below 0"),
    # these were accepted: a ticket that must gain 5 points, a negative image count
    (["--tolerance", "-5"], "tolerance is the accuracy points a ticket may lose, 0 to 100, got -5"),
    (["--gradcam-images", "-3"], "gradcam images must not be negative"),
    # this said "rounds and batch size must be positive"
    (["--rounds", "0"], "rounds must be at least 1 (round 0 is the dense network, rounds 1.. are pruned), got 0"),
    (["--prune", "1"], "prune fraction must lie in [0, 1), got 1.0"),
    # 0.99 of 29,400 weights per round: round 3 keeps round(0.029) = 0 weights (rounds 3-5 trained nothing)
    (["--prune", "0.99", "--rounds", "6"], "--rounds 6 with --prune 0.99: round 3 would keep 0 of the 29,400 "
                                           "prunable weights, leaving nothing to train; use --rounds 3 or fewer"),
])
def test_odd_parameters_give_one_clear_line(tmp_path, capsys, argv, message) -> None:
    out = tmp_path / "run"
    assert main(["lth", "--per-class", "5", "--epochs", "1", "--out", str(out), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError: ") and message in err and err.count("\n") == 1, err
    assert not (out / "checkpoints").exists()


def test_rounds_are_checked_per_tensor_with_layer_scope() -> None:
    mask = Mask({"a.weight": torch.ones(10), "b.weight": torch.ones(1000)})
    check_rounds(LTHConfig(rounds=3, prune=PruneConfig(fraction=0.5)), mask)  # 1010 -> 505 -> 252
    check_rounds(LTHConfig(rounds=30, prune=PruneConfig(fraction=0.0)), mask)  # prune 0: a retraining control
    # the 10-weight tensor keeps round(10 * 0.5^r) = 5, 2, 1, 1, 0 weights in rounds 1-5
    with pytest.raises(DataError, match=r"round 5 would keep 0 of the 10 weights of its smallest prunable tensor"):
        check_rounds(LTHConfig(rounds=6, prune=PruneConfig(fraction=0.5, scope="layer")), mask)
    check_rounds(LTHConfig(rounds=5, prune=PruneConfig(fraction=0.5, scope="layer")), mask)
    check_rounds(LTHConfig(rounds=6, prune=PruneConfig(fraction=0.5)), mask)  # globally 1010 * 0.5^5 = 32 left


def test_diverging_training_is_an_error_not_nan_scores() -> None:
    net = build_model("lenet", 2, 16, seed=0)
    x, y = torch.rand(8, 3, 16, 16), torch.tensor([0, 1] * 4)
    with pytest.raises(DataError, match="training diverged: the weights became infinite or NaN .* use a smaller "
                                        "learning rate than 1e\\+30"):
        train_masked(net, Mask.for_model(net), x, y, epochs=3, batch_size=4, lr=1e30)


def test_help_lists_the_choices(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["lth", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--model {auto,lenet,mlp,cnn}" in text and "--scope {global,layer}" in text
    assert "--schedule {auto,constant,cosine}" in text and "an image folder" in text
