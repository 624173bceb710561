"""Masks, magnitude pruning, masked training and rewinding."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nesyasp.errors import DataError
from nesyasp.lth.mask import Mask, prunable_names
from nesyasp.lth.models import build_model
from nesyasp.lth.train import evaluate, rewind, snapshot, train_masked

torch.set_num_threads(1)


def _net(seed: int = 0) -> nn.Module:
    return build_model("lenet", n_classes=2, size=16, seed=seed)


def _data(n: int = 48, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, 16, 16, generator=gen)
    y = (x[:, 0].mean(dim=(1, 2)) > 0).long()
    return x, y


def test_prunable_names_exclude_output_by_default() -> None:
    net = _net()
    assert prunable_names(net) == ("conv1.weight", "conv2.weight", "fc1.weight")
    assert prunable_names(net, include_output=True)[-1] == "fc2.weight"


@pytest.mark.parametrize("scope", ["global", "layer"])
@pytest.mark.parametrize("fraction", [0.2, 0.35])
def test_density_after_k_rounds(scope: str, fraction: float) -> None:
    net = _net()
    mask = Mask.for_model(net, include_output=True)
    gen = torch.Generator().manual_seed(1)
    for k in range(1, 9):
        # fresh random weights each round: the count must not depend on the values
        weights = {n: torch.randn(mask[n].shape, generator=gen) for n in mask}
        new = mask.prune(weights, fraction, scope)
        assert all(bool((new[n] <= mask[n]).all()) for n in mask), "pruning revived a weight"
        mask = new
        expected = (1 - fraction) ** k
        if scope == "layer":
            for n in mask:
                assert abs(int(mask[n].sum()) - expected * mask[n].numel()) <= 1
        assert abs(mask.remaining - expected * mask.total) <= len(mask)
        assert mask.nominal_density == pytest.approx(expected)


def test_prune_keeps_largest_magnitudes_of_either_sign() -> None:
    mask = Mask.ones({"w": torch.zeros(6)})
    w = torch.tensor([-5.0, 0.1, 3.0, -0.2, 0.05, -4.0])
    new = mask.prune({"w": w}, 0.5)
    assert new["w"].tolist() == [True, False, True, False, False, True]


def test_global_prune_ranks_across_tensors() -> None:
    mask = Mask.ones({"a": torch.zeros(4), "b": torch.zeros(4)})
    new = mask.prune({"a": torch.tensor([1.0, 2, 3, 4]), "b": torch.tensor([10.0, 20, 30, 40])}, 0.5)
    assert new["a"].sum() == 0 and bool(new["b"].all())


def test_mask_validation() -> None:
    with pytest.raises(DataError):
        Mask({"w": torch.tensor([0.0, 0.5])})
    with pytest.raises(DataError):
        Mask.ones({"w": torch.zeros(3)}).prune({"w": torch.zeros(3)}, 1.0)
    with pytest.raises(DataError):
        Mask.ones({"w": torch.zeros(3)}).prune({}, 0.2)


def test_mask_round_trips_through_file(tmp_path) -> None:
    mask = Mask.for_model(_net()).prune(dict(_net().named_parameters()), 0.3)
    mask.save(tmp_path / "m.pt")
    back = Mask.load(tmp_path / "m.pt")
    assert back.nominal_density == mask.nominal_density
    assert all(torch.equal(back[n], mask[n]) for n in mask)


def test_pruned_weights_stay_zero_with_adam_and_weight_decay() -> None:
    net = _net()
    x, y = _data()
    mask = Mask.for_model(net, include_output=True)
    mask = mask.prune(dict(net.named_parameters()), 0.5)
    for opt in (torch.optim.Adam, torch.optim.AdamW):
        train_masked(net, mask, x, y, epochs=3, batch_size=8, lr=1e-2, weight_decay=0.1, optimizer=opt)
        params = dict(net.named_parameters())
        for n in mask:
            assert bool((params[n][~mask[n]] == 0).all()), n


def test_negative_weights_keep_training() -> None:
    net = _net()
    x, y = _data()
    mask = Mask.for_model(net)
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    train_masked(net, mask, x, y, epochs=1, batch_size=8, lr=1e-2)
    for n, p in net.named_parameters():
        if n in mask:
            changed = p.detach() != before[n]
            neg, pos = before[n] < 0, before[n] > 0
            # dead units leave some weights untouched, but never by sign
            share_neg = float(changed[neg].float().mean())
            share_pos = float(changed[pos].float().mean())
            assert share_neg > 0.5 and abs(share_neg - share_pos) < 0.1, (n, share_neg, share_pos)


def test_rewind_restores_initial_values_under_mask() -> None:
    net = _net()
    x, y = _data()
    init = snapshot(net)
    mask = Mask.for_model(net)
    train_masked(net, mask, x, y, epochs=2, batch_size=8, lr=1e-2)
    mask = mask.prune(dict(net.named_parameters()), 0.4)
    rewind(net, init, mask)
    for n, p in net.named_parameters():
        if n in mask:
            m = mask[n]
            assert torch.equal(p.detach()[m], init[n][m])
            assert bool((p.detach()[~m] == 0).all())
        else:
            assert torch.equal(p.detach(), init[n])


def test_late_rewinding_captures_iteration_k() -> None:
    net = _net()
    x, y = _data()
    result = train_masked(net, Mask.for_model(net), x, y, epochs=1, batch_size=8, capture_at=2, seed=3)
    # the captured state is the state after exactly 2 steps of the same run
    net2 = _net()
    two = train_masked(net2, Mask.for_model(net2), x[:48], y[:48], epochs=1, batch_size=8, seed=3,
                       capture_at=2)
    assert torch.equal(two.rewind_state["fc1.weight"], result.rewind_state["fc1.weight"])
    assert not torch.equal(result.rewind_state["fc1.weight"], snapshot(net)["fc1.weight"])
    assert result.iterations == 6
    assert result.rewind_state is not None
    assert not torch.equal(result.rewind_state["conv1.weight"], snapshot(_net())["conv1.weight"])
    with pytest.raises(DataError):
        train_masked(_net(), Mask.for_model(_net()), x, y, epochs=1, batch_size=8, capture_at=100)


def test_training_learns_and_evaluate_restores_mode() -> None:
    net = _net()
    x, y = _data(96)
    train_masked(net, Mask.for_model(net), x, y, epochs=15, batch_size=16, lr=3e-3)
    net.train()
    assert evaluate(net, x, y) > 0.85
    assert net.training


def test_cosine_schedule_ends_with_tiny_steps() -> None:
    x, y = _data()
    steps = 2 * 6  # 48 images, batches of 8, two epochs
    last = {}
    for schedule in ("constant", "cosine"):
        net = _net()
        result = train_masked(net, Mask.for_model(net), x, y, epochs=2, batch_size=8, lr=1e-2,
                              capture_at=steps - 1, schedule=schedule)
        final = snapshot(net)
        last[schedule] = max(float((final[n] - result.rewind_state[n]).abs().max()) for n in final)
    assert last["constant"] > 1e-3  # Adam moves every weight by about lr per step
    assert last["cosine"] < last["constant"] / 20  # last step at lr * (1 + cos(pi * 11/12)) / 2 ~ lr / 58


def test_unknown_schedule_is_a_data_error() -> None:
    x, y = _data()
    net = _net()
    with pytest.raises(DataError, match="schedule"):
        train_masked(net, Mask.for_model(net), x, y, schedule="step")


def test_schedule_defaults_per_data_set() -> None:
    from nesyasp.lth.config import LTHConfig

    assert LTHConfig().lr_schedule == "constant"
    assert LTHConfig(data="scenes").lr_schedule == "cosine"
    assert LTHConfig(data="scenes", schedule="constant").lr_schedule == "constant"
