"""The round runner on tiny synthetic data: outputs, resume, facts."""

from __future__ import annotations

import json

import pytest
import torch

from nesyasp.errors import DataError
from nesyasp.lth.config import LTHConfig, PruneConfig, TCAVConfig, config_to_dict
from nesyasp.lth.results import ExperimentData
from nesyasp.lth.runner import LTHRunner, run_lth

torch.set_num_threads(1)


def _synthetic(seed: int = 0, size: int = 16) -> ExperimentData:
    """Class 1 images carry a bright square (concept 'square'), class 0 a bar ('bar')."""
    gen = torch.Generator().manual_seed(seed)

    def images(n: int, square: bool | None) -> torch.Tensor:
        x = 0.2 * torch.rand(n, 3, size, size, generator=gen)
        if square is True:
            x[:, :, 4:10, 4:10] += 0.8
        elif square is False:
            x[:, :, 2:14, 7:9] += 0.8
        return x.clamp(0, 1)

    def split(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([images(n, False), images(n, True)])
        return x, torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])

    xtr, ytr = split(48)
    xte, yte = split(16)
    return ExperimentData(xtr, ytr, xte, yte, ("bar_class", "square_class"),
                          {"square": images(12, True), "bar": images(12, False)},
                          tuple(images(12, None) for _ in range(3)),
                          {"square_class": ("square",), "bar_class": ("bar",)})


def _config(**kw) -> LTHConfig:
    base = dict(rounds=3, epochs=2, batch_size=16, lr=5e-3, size=16, gradcam_images=4,
                prune=PruneConfig(fraction=0.5), tcav=TCAVConfig(n_concept=12, n_random_sets=3, n_inputs=8))
    base.update(kw)
    return LTHConfig(**base)


def test_runner_writes_outputs(tmp_path) -> None:
    result = run_lth(_config(), _synthetic(), out=tmp_path, progress=False)
    assert [r.round for r in result.rounds] == [0, 1, 2]
    assert [round(r.density, 3) for r in result.rounds] == pytest.approx([1.0, 0.5, 0.25], abs=1e-3)
    for name in ("config.json", "metrics.json", "facts.lp", "accuracy.png", "tcav.png", "gradcam.png",
                 "checkpoints/round_2.pt"):
        assert (tmp_path / name).exists(), name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert len(metrics["rounds"]) == 3 and metrics["rounds"][0]["tcav"][0]["class"] == "bar_class"
    facts = (tmp_path / "facts.lp").read_text()
    assert "round(1,50)." in facts and "relevant(square_class,square)." in facts
    assert facts.count("tcav(") == 3 * 2 * 2
    assert result.rounds[0].accuracy > 0.9
    assert set(result.gradcam) == {0, 1, 2} and result.gradcam[0].shape == (4, 1, 16, 16)


def test_resume_continues_after_the_last_checkpoint(tmp_path) -> None:
    full = run_lth(_config(), _synthetic(), out=tmp_path / "full", progress=False, plots=False)
    run_lth(_config(rounds=2), _synthetic(), out=tmp_path / "part", progress=False, plots=False)
    # a 2-round run is not resumable as a 3-round run: the configs differ
    with pytest.raises(DataError, match=r"another configuration \(rounds: 2 in the run, 3 now\)"):
        run_lth(_config(), _synthetic(), out=tmp_path / "part", resume=True, progress=False, plots=False)
    with pytest.raises(DataError, match=r"\(rounds: 2 in the run, 3 now; tcav.alpha: 0.05 in the run, 0.1 now\)"):
        run_lth(_config(tcav=TCAVConfig(n_concept=12, n_random_sets=3, n_inputs=8, alpha=0.1)), _synthetic(),
                out=tmp_path / "part", resume=True, progress=False, plots=False)
    cfg = _config()
    runner = LTHRunner(cfg, _synthetic(), tmp_path / "full2", progress=False)
    runner.out.mkdir()
    runner.run_round(0)
    runner._checkpoint(0)
    resumed = run_lth(cfg, _synthetic(), out=tmp_path / "full2", resume=True, progress=False, plots=False)
    assert [r.accuracy for r in resumed.rounds] == [r.accuracy for r in full.rounds]
    assert [r.remaining for r in resumed.rounds] == [r.remaining for r in full.rounds]
    assert str(resumed.facts) == str(full.facts)


def test_late_rewinding_and_layer_scope() -> None:
    result = run_lth(_config(rewind="2", prune=PruneConfig(fraction=0.5, scope="layer")), _synthetic(),
                     progress=False)
    assert result.out is None and len(result.rounds) == 3
    assert result.rounds[2].density == pytest.approx(0.25, abs=0.01)


def test_config_validation() -> None:
    with pytest.raises(DataError):
        _config(rewind="soon")
    with pytest.raises(DataError):
        PruneConfig(fraction=1.5)
    with pytest.raises(DataError):
        TCAVConfig(n_random_sets=1)


@pytest.mark.parametrize("model,cam", [("cnn", True), ("mlp", False)])
def test_other_models_run(model: str, cam: bool) -> None:
    result = run_lth(_config(model=model, rounds=2), _synthetic(), progress=False)
    assert len(result.rounds) == 2 and result.rounds[1].density == pytest.approx(0.5, abs=0.01)
    assert bool(result.gradcam) is cam
    assert result.layer == {"cnn": "pool2", "mlp": "relu1"}[model]
    # TCAV is not taken right before the output layer: the gradients of a logit
    # with respect to the concept layer differ from input to input
    from nesyasp.lth.models import build_model
    from nesyasp.lth.tcav import TCAV

    net = build_model(model, 2, 16, seed=0)
    grads = TCAV(net, result.layer).gradients(_synthetic().test_images[:8], 0)
    assert float((grads - grads[:1]).abs().max()) > 0


def test_a_finished_run_is_not_overwritten_without_resume(tmp_path) -> None:
    out = tmp_path / "run"
    run_lth(_config(rounds=1), _synthetic(), out=out, progress=False, plots=False)
    before = (out / "metrics.json").read_text()
    with pytest.raises(DataError, match="already holds a run; pass --resume"):
        run_lth(_config(rounds=1), _synthetic(), out=out, progress=False, plots=False)
    assert (out / "metrics.json").read_text() == before
    (out / "metrics.json").write_text('{"config": [1]}')
    with pytest.raises(DataError, match="metrics.json: not the metrics of an LTH run"):
        run_lth(_config(rounds=1), _synthetic(), out=out, resume=True, progress=False, plots=False)


@pytest.mark.parametrize("files", [{"config.json": '{"mine": 1}'}, {"facts.lp": "my_fact."},
                                   {"tcav.png": "my plot"},
                                   {"config.json": '{"data": "x", "epochs": 2}', "metrics.json": '{"history": []}'}])
def test_a_users_files_in_out_are_never_overwritten(tmp_path, files) -> None:
    # a fresh run overwrote a user's config.json, facts.lp and plots (and a 'nesyasp train' run folder's)
    out = tmp_path / "mine"
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text)
    with pytest.raises(DataError, match=f"holds {', '.join(files)}, not written by 'nesyasp lth'"):
        run_lth(_config(rounds=1), _synthetic(), out=out, progress=False, plots=False)
    assert {p.name: p.read_text() for p in out.iterdir()} == files


def test_a_run_stopped_before_its_first_round_starts_again(tmp_path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps(config_to_dict(_config(rounds=1, seed=3))))
    (out / "notes.txt").write_text("the user's")
    result = run_lth(_config(rounds=1), _synthetic(), out=out, progress=False, plots=False)
    assert [r.round for r in result.rounds] == [0] and (out / "notes.txt").read_text() == "the user's"
    assert json.loads((out / "config.json").read_text()) == config_to_dict(_config(rounds=1))


def test_resume_needs_a_run(tmp_path) -> None:
    with pytest.raises(DataError, match="no LTH run to resume here"):
        run_lth(_config(rounds=1), _synthetic(), out=tmp_path / "typo", resume=True, progress=False, plots=False)


def test_one_class_is_refused() -> None:
    with pytest.raises(DataError, match="at least 2"):
        LTHConfig(classes=1)


def test_a_truncated_round_checkpoint_says_what_to_do(tmp_path) -> None:
    cfg = _config(rounds=2)
    out = tmp_path / "run"
    runner = LTHRunner(cfg, _synthetic(), out, progress=False)
    out.mkdir()
    runner.run_round(0)
    runner._checkpoint(0)
    ckpt = out / "checkpoints" / "round_0.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:300])  # cut short, as by a full disk or a killed copy
    with pytest.raises(DataError) as err:
        run_lth(cfg, _synthetic(), out=out, resume=True, progress=False, plots=False)
    message = str(err.value)
    assert message.startswith(f"{ckpt}: the checkpoint of LTH round 0 cannot be read (")
    assert "delete it" in message and "--resume" in message
    ckpt.unlink()  # as the message says: the run goes on from round 0
    resumed = run_lth(cfg, _synthetic(), out=out, resume=True, progress=False, plots=False)
    assert [r.round for r in resumed.rounds] == [0, 1]


@pytest.mark.parametrize("tcav,message", [
    (dict(layer="relu3"), r"TCAV layer 'relu3' \(then only fc2\): the logits are a linear function of it"),
    (dict(layer="fc2"), r"TCAV layer 'fc2' \(the output layer\)"),
    (dict(cam_layer="fc1"), r"Grad-CAM layer 'fc1' gives no spatial maps \(shape \(1, 64\)\)"),
    (dict(cam_layer="nosuch"), r"model has no layer 'nosuch'"),
    (dict(layer="nosuch"), r"model has no layer 'nosuch'"),
])
def test_layers_that_cannot_work_are_refused_before_training(tcav, message) -> None:
    # --layer relu3 gave TCAV scores of 0 or 1 only; --cam-layer fc1 or a typo silently dropped Grad-CAM
    cfg = _config(tcav=TCAVConfig(n_concept=12, n_random_sets=3, n_inputs=8, **tcav))
    with pytest.raises(DataError, match=message):
        LTHRunner(cfg, _synthetic(), progress=False)


def test_a_layer_feeding_the_logits_linearly_scores_0_or_1_so_the_default_is_not_one() -> None:
    from nesyasp.lth.models import build_model, check_concept_layer
    from nesyasp.lth.tcav import TCAV

    net = build_model("lenet", 2, 16, seed=0)
    x = _synthetic().test_images[:8]
    grads = TCAV(net, "relu3").gradients(x, 0)
    assert torch.allclose(grads, grads[:1].expand_as(grads))  # why relu3 is refused
    for name in ("lenet", "mlp", "cnn"):
        model = build_model(name, 2, 16, seed=0)
        check_concept_layer(model, model.concept_layer)
    with pytest.raises(DataError, match="then only gap, flatten, fc"):
        check_concept_layer(build_model("cnn", 2, 16, seed=0), "relu3")
    with pytest.raises(DataError, match="min score is a TCAV score in percent, 0 to 100, got 200"):
        _config(min_score=200)


def test_a_rounds_ticket_loads_back_from_its_checkpoint(tmp_path) -> None:
    # the checkpoints held the tickets, but nothing rebuilt a round's network from a run folder
    from nesyasp.lth import evaluate, load_round

    data = _synthetic()
    result = run_lth(_config(), data, out=tmp_path, progress=False, plots=False)
    state = torch.load(tmp_path / "checkpoints" / "round_2.pt", weights_only=True)
    assert set(state) == {"model", "mask", "rewind", "init", "gradcam"}
    model, mask = load_round(tmp_path, 2)
    assert mask.density == pytest.approx(0.25, abs=1e-3) and not model.training
    weights = dict(model.named_parameters())
    assert all(bool((weights[n][~mask[n]] == 0).all()) for n in mask)
    assert evaluate(model, data.test_images, data.test_labels) == result.rounds[2].accuracy
    with pytest.raises(DataError, match=r"round 5 did not finish there \(finished: 0, 1, 2\)"):
        load_round(tmp_path, 5)
    with pytest.raises(DataError, match="not a run folder of 'nesyasp lth'"):
        load_round(tmp_path / "checkpoints", 0)
