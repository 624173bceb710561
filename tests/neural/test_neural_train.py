"""Training runs: strategies, checkpoints, resume, run folders."""

from __future__ import annotations

import json

import pytest
import torch

from nesyasp.errors import DataError
from nesyasp.neural.models import FeatureModel, build_model, load_weights
from nesyasp.neural.run import load_run
from nesyasp.neural.train import compute_statistics, train


def _weights(model):
    return {k: v.clone() for k, v in model.model.state_dict().items()}


def test_resume_after_interruption_gives_identical_weights(tmp_path, toy_splits, make_config):
    cfg = make_config("ts1", epochs=3)
    whole = train(cfg, tmp_path / "whole", splits=toy_splits, progress=False)
    part = train(cfg, tmp_path / "part", splits=toy_splits, progress=False, stop_after=1)
    assert len(part.history) == 1
    resumed = train(cfg, tmp_path / "part", resume=True, splits=toy_splits, progress=False)
    a, b = _weights(whole.model), _weights(resumed.model)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert torch.equal(whole.p, resumed.p) and torch.equal(whole.thresholds, resumed.thresholds)
    assert [h["loss"] for h in whole.history] == [h["loss"] for h in resumed.history]
    metrics = json.loads((tmp_path / "part" / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == [1, 2, 3]
    assert not list((tmp_path / "part").glob("*.tmp"))


def test_run_folder_refuses_overwrite_and_missing_resume(tmp_path, toy_splits, make_config):
    cfg = make_config("ce", epochs=1)
    with pytest.raises(DataError, match="nothing to resume"):
        train(cfg, tmp_path / "r", resume=True, splits=toy_splits, progress=False)
    train(cfg, tmp_path / "r", splits=toy_splits, progress=False)
    with pytest.raises(DataError, match="already holds a run"):
        train(cfg, tmp_path / "r", splits=toy_splits, progress=False)
    run = load_run(tmp_path / "r")
    assert run.epochs_done == 1 and run.class_names == ("class0", "class1", "class2")
    with pytest.raises(DataError, match="no such run folder"):
        load_run(tmp_path / "missing")
    other = tmp_path / "project"
    other.mkdir()
    (other / "config.json").write_text('{"theme": "dark"}')
    with pytest.raises(DataError, match="not a nesyasp run's; choose another --out"):
        train(cfg, other, splits=toy_splits, progress=False)
    assert (other / "config.json").read_text() == '{"theme": "dark"}'
    (tmp_path / "failed").mkdir()  # a start that failed after writing its config may be started again
    (tmp_path / "failed" / "config.json").write_text((tmp_path / "r" / "config.json").read_text())
    train(cfg, tmp_path / "failed", splits=toy_splits, progress=False)


def test_a_users_files_of_run_folder_names_are_never_overwritten(tmp_path, toy_splits, make_config):
    # train overwrote a user's metrics.json in --out (and extract would have overwritten a rules.lp)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "metrics.json").write_text("my numbers")
    (mine / "rules.lp").write_text("my_rule.")
    with pytest.raises(DataError, match="holds metrics.json, rules.lp but no nesyasp run; choose another --out"):
        train(make_config("ce", epochs=1), mine, splits=toy_splits, progress=False)
    assert sorted(p.name for p in mine.iterdir()) == ["metrics.json", "rules.lp"]
    assert (mine / "metrics.json").read_text() == "my numbers"
    (mine / "metrics.json").unlink()
    (mine / "rules.lp").rename(mine / "notes.lp")  # other names are left alone
    train(make_config("ce", epochs=1), mine, splits=toy_splits, progress=False)
    assert (mine / "notes.lp").read_text() == "my_rule." and (mine / "checkpoint.pt").is_file()


def test_strategies_build_their_p_and_thresholds(toy_splits, make_config):
    train_split = toy_splits[0]
    model = FeatureModel(build_model("small", 3, seed=0))
    stats = {n: compute_statistics(model, train_split, make_config(n)) for n in ("ts2", "ts3", "ts5", "ne")}
    p2, t2 = stats["ts2"]
    p3, t3 = stats["ts3"]
    p5, t5 = stats["ts5"]
    pne, _ = stats["ne"]
    assert p2.sum(1).tolist() == [5.0] * 3 and set(p2.unique().tolist()) == {0.0, 1.0}
    assert not torch.equal(p2, p3)                    # Method 1 vs Method 2
    assert torch.equal(t2, t3) and bool((t2 > 0).any())  # same thresholds from the same model
    assert torch.equal(t5, torch.zeros_like(t5))      # TS5: no thresholds
    assert ((pne > 0) & (pne < 1)).any()              # EBP's graded P


def test_ts1_switches_sparsity_on_after_warmup_and_ts4_ignores_ce(toy_splits, make_config):
    ts1 = train(make_config("ts1", epochs=2), splits=toy_splits, progress=False)
    ce = train(make_config("ce", epochs=2), splits=toy_splits, progress=False)
    assert ts1.history[0]["loss"] == ce.history[0]["loss"] and ts1.history[0]["extra"] == 0.0
    assert ts1.history[1]["extra"] > 0.0 and ts1.history[1]["loss"] != ce.history[1]["loss"]
    ts4 = train(make_config("ts4", epochs=1), splits=toy_splits, progress=False)
    assert ts4.history[0]["loss"] == pytest.approx(5.0 * ts4.history[0]["extra"], rel=1e-5)
    ts3 = train(make_config("ts3", epochs=1), splits=toy_splits, progress=False)
    assert ts3.history[0]["loss"] == pytest.approx(ts3.history[0]["ce"] + 5.0 * ts3.history[0]["extra"], rel=1e-5)


def test_same_seed_same_run(toy_splits, make_config):
    a = train(make_config("ts3", epochs=1), splits=toy_splits, progress=False)
    b = train(make_config("ts3", epochs=1), splits=toy_splits, progress=False)
    assert a.history == b.history and torch.equal(a.p, b.p)


def test_weights_file_errors_are_clear(tmp_path):
    model = build_model("small", 3)
    bad = tmp_path / "bad.pt"
    bad.write_text("not torch")
    with pytest.raises(DataError, match="not a torch weights file that nesyasp can read"):
        load_weights(model, bad)
    other = tmp_path / "other.pt"
    torch.save(build_model("small", 3, width=8).state_dict(), other)
    with pytest.raises(DataError, match="wrong shape: features.conv1.weight"):
        load_weights(model, other)
    five = tmp_path / "five.pt"  # trained on five classes: the backbone loads, the head stays fresh
    torch.save(build_model("small", 5, seed=7).state_dict(), five)
    head = model.classifier.weight.clone()
    load_weights(model, five)
    assert torch.equal(model.features.conv1.weight, build_model("small", 5, seed=7).features.conv1.weight)
    assert torch.equal(model.classifier.weight, head)
    with pytest.raises(DataError, match="not found"):
        load_weights(model, tmp_path / "none.pt")
    good = tmp_path / "good.pt"
    torch.save(build_model("small", 3, seed=5).state_dict(), good)
    load_weights(model, good)
    assert torch.equal(model.classifier.weight, build_model("small", 3, seed=5).classifier.weight)


def test_layer_name_is_checked():
    with pytest.raises(DataError, match="not a module"):
        FeatureModel(build_model("small", 3), "features.nope")


def test_ts3_turns_on_each_class_filters(toy_splits, make_config):
    from nesyasp.neural.extract import filter_tables

    r = train(make_config("ts3", epochs=3), splits=toy_splits, progress=False)
    assert r.history[-1]["extra"] < r.history[0]["extra"]
    tables, _ = filter_tables(r.model, {"train": toy_splits[0]}, r.config.strategy, r.thresholds)
    values, labels = tables["train"].values, tables["train"].labels
    for c in range(3):
        on = values[labels == c][:, r.p[c].bool().numpy()]
        assert on.mean() >= 0.9


def test_resnet18_backbone_exposes_layer4():
    from nesyasp.neural.models import default_layer

    net = FeatureModel(build_model("resnet18", 3, seed=0)).eval()
    assert net.layer == default_layer("resnet18") == "layer4"
    with torch.no_grad():
        logits, maps = net(torch.zeros(1, 3, 32, 32))
    assert tuple(logits.shape) == (1, 3) and maps.shape[1] == 512
    assert default_layer("vgg16") == "features.30"


def test_pretraining_takes_disjoint_classes_and_loads_the_backbone(make_config):
    import dataclasses

    from nesyasp.neural.data import pretrain_class_names
    from nesyasp.neural.train import make_model, pretrain_backbone

    cfg = dataclasses.replace(make_config("ts3", epochs=1), data="scenes", classes=2, per_class=3,
                              test_per_class=1, size=16, pretrain_epochs=1, pretrain_classes=2)
    assert pretrain_class_names(cfg) == ("conference_room", "hotel_room")
    with pytest.raises(DataError, match="overlap"):
        pretrain_class_names(dataclasses.replace(cfg, classes=9))
    with pytest.raises(DataError, match="embedded data set"):
        pretrain_class_names(dataclasses.replace(cfg, data="toy"))
    state = pretrain_backbone(cfg, progress=False)
    assert pretrain_backbone(cfg, progress=False) is state  # shared by the strategies of an experiment
    fresh = make_model(cfg, 2).model
    assert not torch.equal(state["features.conv1.weight"], fresh.features.conv1.weight)
    assert state["classifier.weight"].shape[0] == 2
    result = train(cfg, None, progress=False, stop_after=0)
    assert torch.equal(result.model.model.features.conv1.weight, state["features.conv1.weight"])
    assert torch.equal(result.model.model.classifier.weight, fresh.classifier.weight)


def test_cosine_schedule_and_flips(toy_splits, make_config):
    import dataclasses
    import math

    cfg = dataclasses.replace(make_config("ce", epochs=3), lr=0.01)
    lrs = [h["lr"] for h in train(cfg, None, splits=toy_splits, progress=False).history]
    assert lrs == pytest.approx([0.01 * 0.5 * (1 + math.cos(math.pi * e / 3)) for e in range(3)])
    plain = train(dataclasses.replace(cfg, augment=False), None, splits=toy_splits, progress=False)
    assert plain.history[0]["loss"] != pytest.approx(
        train(cfg, None, splits=toy_splits, progress=False).history[0]["loss"], abs=1e-9)
    plateau = train(dataclasses.replace(cfg, schedule="plateau"), None, splits=toy_splits, progress=False)
    assert [h["lr"] for h in plateau.history] == [0.01] * 3
    with pytest.raises(DataError, match="schedule"):
        dataclasses.replace(cfg, schedule="step")


def test_a_run_started_from_a_weights_file_resumes_after_the_file_is_gone(tmp_path, toy_splits, make_config):
    """Resuming read the --weights file again (and failed with 'weights file not found' once it was moved),
    although the checkpoint holds the weights."""
    import dataclasses

    start = tmp_path / "start.pt"
    torch.save(build_model("small", 3, seed=9).state_dict(), start)
    cfg = dataclasses.replace(make_config("ts3", epochs=2), weights=str(start))
    whole = train(cfg, tmp_path / "whole", splits=toy_splits, progress=False)
    train(cfg, tmp_path / "part", splits=toy_splits, progress=False, stop_after=1)
    start.unlink()
    resumed = train(cfg, tmp_path / "part", resume=True, splits=toy_splits, progress=False)
    a, b = _weights(whole.model), _weights(resumed.model)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_refused_data_leaves_no_half_made_run_folder(tmp_path):
    from PIL import Image

    from nesyasp.neural.config import TrainConfig

    data = tmp_path / "photos"
    (data / "cats").mkdir(parents=True)
    for i in range(3):  # images loose beside the one class folder: refused before training
        Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(data / f"loose{i}.png")
        Image.new("RGB", (8, 8), (0, 40 * i, 0)).save(data / "cats" / f"c{i}.png")
    with pytest.raises(DataError, match="loose"):
        train(TrainConfig(data=str(data), epochs=1), tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()
    mine = tmp_path / "mine"  # a folder the user made stays, as it was
    mine.mkdir()
    with pytest.raises(DataError, match="loose"):
        train(TrainConfig(data=str(data), epochs=1), mine, progress=False)
    assert mine.is_dir() and not any(mine.iterdir())


@pytest.mark.parametrize("name", ["ne", "ts1"])
def test_a_one_epoch_run_trains_with_its_strategys_loss(toy_splits, make_config, name):
    cfg = make_config(name, epochs=1)
    assert cfg.warmup_epochs == 0  # NE's 2/3 of one epoch rounded to 1: no EBP epoch at all, plain CE
    result = train(cfg, None, splits=toy_splits, progress=False)
    assert result.p is not None and result.history[0]["extra"] > 0
    assert make_config(name, epochs=3).warmup_epochs == {"ne": 2, "ts1": 2}[name]  # longer runs unchanged
