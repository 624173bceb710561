"""Strategy presets, configs and data conversion."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image
from types import SimpleNamespace

from nesyasp.errors import DataError
from nesyasp.neural.config import STRATEGIES, TrainConfig, config_from_dict, config_to_dict, strategy
from nesyasp.neural.data import split_from_imageset


def test_presets_follow_the_paper():
    assert {s.name for s in STRATEGIES.values()} == {"CE", "TS1", "TS2", "TS3", "TS4", "TS5", "NE"}
    for name in ("ts1", "ts2", "ts3", "ts4", "ts5"):
        s = strategy(name)
        assert (s.loss, s.h1, s.h2, s.beta, s.k_for(3), s.k_for(43)) == ("sparsity", 0.6, 0.7, 5.0, 5, 20)
    assert strategy("TS1").warmup == 0.5 and strategy("ts1").p_method == 1 and strategy("ts2").p_method == 1
    assert strategy("ts3").p_method == 2 and strategy("ts4").alpha == 0.0 and not strategy("ts5").use_thresholds
    assert strategy("ne").loss == "ebp" and strategy("ne").ebp_lambda == 1e-3 and strategy("ne").norm == "spectral"
    assert TrainConfig(epochs=12, strategy=strategy("ts1")).warmup_epochs == 6
    assert TrainConfig(epochs=12, strategy=strategy("ne")).warmup_epochs == 8
    assert strategy("ts3", k=8).k_for(3) == 8


def test_configs_round_trip_and_reject_bad_values():
    cfg = TrainConfig(classes=5, strategy=strategy("ts2", norm="spectral"))
    assert config_from_dict(config_to_dict(cfg)) == cfg
    with pytest.raises(DataError, match="unknown strategy"):
        strategy("ts6")
    with pytest.raises(DataError, match="norm"):
        strategy("ts3", norm="l1")
    with pytest.raises(DataError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(DataError, match="invalid run configuration"):
        config_from_dict({"nonsense": 1})


@pytest.mark.parametrize("changes, needle", [
    ({"alpha": -1.0}, "alpha must be a finite number >= 0"), ({"beta": float("inf")}, "beta must be"),
    ({"ebp_lambda": float("nan")}, "ebp_lambda must be"), ({"h2": float("-inf")}, "h2 must be a finite number"),
    ({"alpha": 0.0, "beta": 0.0}, "both 0"),
])
def test_loss_weights_out_of_range_are_refused(changes, needle):
    with pytest.raises(DataError, match=needle):  # were accepted: a NaN loss, or gradient ascent on CE
        strategy("ts3", **changes)
    strategy("ts4", alpha=0.0)  # TS4 is sparsity alone
    strategy("ts3", h1=-0.5)  # a threshold below the mean is a choice, not an error


def test_a_seed_below_zero_or_an_infinite_rate_is_refused():
    with pytest.raises(DataError, match="seed must be >= 0"):
        TrainConfig(seed=-1)  # was numpy's ValueError at the first draw: an internal error
    with pytest.raises(DataError, match="lr must be finite"):
        TrainConfig(lr=float("inf"))


def test_split_from_imageset_checks_shapes():
    s = SimpleNamespace(images=np.full((2, 4, 4, 3), 255, np.uint8), labels=np.array([0, 1]),
                        class_names=("a", "b"), ids=np.array(["x", "y"]))
    split = split_from_imageset(s)
    assert split.ids == ("x", "y") and float(split.x.max()) == pytest.approx(2.0)
    with pytest.raises(DataError, match="expected"):
        split_from_imageset(SimpleNamespace(images=np.zeros((2, 4, 4)), labels=np.array([0, 1]),
                                            class_names=("a", "b"), ids=None))


def test_load_splits_calls_the_data_contract(monkeypatch):
    import sys
    import types

    from nesyasp.neural.data import load_splits

    calls = []

    def load_dataset(name, split="train", classes=None, per_class=100, size=64, seed=0):
        calls.append((name, split, classes, per_class, size, seed))
        n = per_class * 2
        return SimpleNamespace(images=np.zeros((n, size, size, 3), np.uint8), labels=np.arange(n) % 2,
                               class_names=("a", "b"), ids=[f"{split}_{i}" for i in range(n)])

    fake = types.ModuleType("nesyasp.data")
    fake.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "nesyasp.data", fake)
    train, test = load_splits(TrainConfig(data="scenes", classes=2, per_class=3, test_per_class=2, size=8, seed=4))
    assert calls == [("scenes", "train", 2, 3, 8, 4), ("scenes", "test", 2, 2, 8, 4)]
    assert len(train) == 6 and len(test) == 4 and test.ids[0] == "test_0"


def test_a_folder_with_a_symlink_loop_or_a_dangling_link_loads(tmp_path):
    from nesyasp.neural.data import load_splits

    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for k in range(5):
            Image.fromarray(np.full((8, 8, 3), 40 * k, np.uint8)).save(tmp_path / cls / f"im{k}.png")
    (tmp_path / "cat" / "loop1.png").symlink_to("loop2.png")
    (tmp_path / "cat" / "loop2.png").symlink_to("loop1.png")
    (tmp_path / "dog" / "gone.png").symlink_to("nowhere.png")
    train, test = load_splits(TrainConfig(data=str(tmp_path), classes=0, per_class=5, test_per_class=5, size=8))
    assert train.ids == tuple(f"{c}_im{k}" for c in ("cat", "dog") for k in range(4))  # the links are skipped
    assert test.ids == ("cat_im4", "dog_im4")


def test_train_config_rejects_one_class_and_bad_optimiser_values():
    for changes in ({"classes": 1}, {"lr": 0.0}, {"lr": -1e-3}, {"weight_decay": -1.0}, {"patience": -1}):
        with pytest.raises(DataError):
            TrainConfig(**changes)
    assert TrainConfig(classes=0).classes == 0 and TrainConfig(classes=2).classes == 2


def test_cuda_device_needs_a_gpu():
    import torch

    from nesyasp.neural.distributed import resolve_device

    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(DataError, match="no CUDA GPU"):
            resolve_device("cuda:0")


@pytest.mark.parametrize("module", ["nesyasp.neural.config", "nesyasp.neural.models", "nesyasp.neural.data"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


def test_models_have_their_own_optimiser_defaults():
    from nesyasp.neural.config import MODEL_DEFAULTS, MODELS, optimiser_settings

    assert MODELS == ("small", "vgg16", "vgg16_bn", "resnet18")
    assert optimiser_settings(TrainConfig()) == MODEL_DEFAULTS["small"]  # the CPU default is as before
    assert (optimiser_settings(TrainConfig()).optimizer, optimiser_settings(TrainConfig()).lr) == ("adam", 2e-3)
    vgg = optimiser_settings(TrainConfig(model="vgg16"))
    assert vgg == MODEL_DEFAULTS["vgg16"] and vgg != MODEL_DEFAULTS["small"]
    mine = optimiser_settings(TrainConfig(model="vgg16", lr=1e-4, optimizer="adam", lr_warmup=0))
    assert (mine.optimizer, mine.lr, mine.weight_decay, mine.lr_warmup) == ("adam", 1e-4, vgg.weight_decay, 0)
    old = config_to_dict(TrainConfig(lr=2e-3, weight_decay=5e-4))  # a config.json of an older run
    for key in ("optimizer", "lr_warmup", "pretrain", "precision", "data_from_run"):
        old.pop(key)
    assert optimiser_settings(config_from_dict(old)) == MODEL_DEFAULTS["small"]
    for bad in ({"optimizer": "rmsprop"}, {"lr_warmup": -1}, {"pretrain": "imagenet"}, {"precision": "fp16"},
                {"model": "vgg19"}):
        with pytest.raises(DataError):
            TrainConfig(**bad)


def test_vggs_from_random_weights_train_cross_entropy_alone_for_half_the_epochs():
    """P and thresholds of random VGG filters say nothing: the first half of the epochs are CE alone."""
    scratch = TrainConfig(model="vgg16_bn", epochs=6, pretrain_epochs=0, strategy=strategy("ts3"))
    assert scratch.from_scratch and scratch.warmup_epochs == 3
    assert dataclasses.replace(scratch, weights="w.pt").warmup_epochs == 0       # a backbone: the strategy's own
    assert dataclasses.replace(scratch, pretrain_epochs=2).warmup_epochs == 0
    assert dataclasses.replace(scratch, model="small").warmup_epochs == 0        # small and resnet18 unchanged
    assert dataclasses.replace(scratch, strategy=strategy("ne")).warmup_epochs == 4  # NE's own 2/3 wins


def test_classes_by_name_round_trip_and_load_those_classes_in_that_order():
    import json

    from nesyasp.neural.data import load_splits, pretrain_class_names

    cfg = TrainConfig(classes=["kitchen", "bedroom"], per_class=2, test_per_class=1, size=8)
    assert cfg.classes == ("kitchen", "bedroom")
    assert config_from_dict(json.loads(json.dumps(config_to_dict(cfg)))) == cfg  # a list in config.json
    train, _ = load_splits(cfg)
    assert train.class_names == ("kitchen", "bedroom")
    assert pretrain_class_names(cfg)[-1] == "hotel_room"
    with pytest.raises(DataError, match="'hotel_room' is among the last 5"):
        pretrain_class_names(TrainConfig(classes=("kitchen", "hotel_room")))
    for bad in (["kitchen"], ["a", "a"], "kitchen,bedroom", 2.0, True):
        with pytest.raises(DataError, match="classes"):
            TrainConfig(classes=bad)


def test_train_option_classes_takes_a_count_or_names():
    from nesyasp.cli import build_parser
    from nesyasp.cli.commands._neural_args import config_from_args

    parser = build_parser()
    assert config_from_args(parser.parse_args(["train", "--classes", "4"])).classes == 4
    named = config_from_args(parser.parse_args(["train", "--classes", "kitchen, bedroom"]))
    assert named.classes == ("kitchen", "bedroom") and named.pretrain == "classes"
    assert config_from_args(parser.parse_args(["train", "--classes", "bedroom,hotel_room"])).pretrain == "generic"
    assert config_from_args(parser.parse_args(["train"])).classes == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--classes", "kitchen,,bedroom"])


def test_train_config_refuses_wrong_types_by_name_and_takes_a_strategy_name():
    from pathlib import Path

    from nesyasp.errors import WrongTypeError
    from nesyasp.neural import train

    for changes, words in (({"epochs": 2.5}, "epochs must be an integer"), ({"size": None}, "size must be"),
                           ({"lr": "0.1"}, "lr must be a number"), ({"data": 3}, "data: a data set name"),
                           ({"augment": 1}, "augment must be"), ({"strategy": 3}, "strategy: a StrategyConfig")):
        with pytest.raises(WrongTypeError, match=words):
            TrainConfig(**changes)
    assert TrainConfig(strategy="TS1").strategy == strategy("ts1")
    assert TrainConfig(data=Path("my_images"), epochs=np.int64(4), lr=1).data == "my_images"
    assert config_from_dict(config_to_dict(TrainConfig(epochs=np.int64(4), lr=1))) == TrainConfig(epochs=4, lr=1.0)
    with pytest.raises(WrongTypeError, match="expected a strategy name"):
        strategy(3)
    with pytest.raises(WrongTypeError, match="expected a TrainConfig"):
        train({"epochs": 1})


def test_vggs_refuse_images_too_small_for_their_five_pools(tmp_path, capsys):
    """``train --model vgg16 --size 16`` ended in an internal error (max-pool output 0x0) after loading the data."""
    from nesyasp.cli import main

    for model in ("vgg16", "vgg16_bn"):
        with pytest.raises(DataError, match=f"model {model} needs images of at least 32 px .*got size 31"):
            TrainConfig(model=model, size=31)
        assert TrainConfig(model=model, size=32).size == 32
    assert TrainConfig(model="resnet18", size=8).size == 8 and TrainConfig(model="small", size=8).size == 8
    assert main(["train", "--model", "vgg16", "--size", "16", "--out", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("DataError: model vgg16_bn needs images of at least 32 px") and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_an_empty_data_name_is_refused_not_read_as_the_current_folder(tmp_path, capsys, monkeypatch):
    """``--data ""`` was the current folder: 'runs/x: inside the image folder ; give --out a folder outside
    it', and ``data check ""`` checked whatever folder the shell was in."""
    from nesyasp.cli import main

    with pytest.raises(DataError, match="data is empty"):
        TrainConfig(data=" ")
    monkeypatch.chdir(tmp_path)
    for args in (["train", "--data", "", "--out", "run"], ["data", "check", ""],
                 ["data", "preview", "", "--out", "p.png"]):
        with pytest.raises(SystemExit) as stop:
            main(args)
        assert stop.value.code == 2 and "empty: give a data set" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_experiment_tables_average_over_seeds_and_leave_ms_out_of_incomplete_rows():
    from nesyasp.neural.experiment import Cell, summarize, tables_markdown
    from nesyasp.neural.nesy import NesyMetrics

    def cell(name, k, seed, acc, size):
        return Cell(name, k, seed, NesyMetrics(acc, acc, 1.0, size, 2, 10))

    cells = [cell("TS3", 2, 0, 0.9, 2), cell("TS3", 2, 1, 0.7, 4), cell("TS3", 5, 0, 0.5, 10),
             cell("NE", 2, 0, 1.0, 3)]  # NE has no 5-class cell (--cells ran a share)
    summary = summarize(cells)
    assert summary["TS3"]["c2"]["nesy_accuracy"] == pytest.approx(0.8)
    assert summary["TS3"]["c2"]["nesy_accuracy_std"] == pytest.approx(0.1)  # population std over the seeds
    assert summary["TS3"]["c2"]["runs"] == 2.0
    md = tables_markdown(cells)
    assert "| TS3 | 80, 3 | 50, 10 | 65, 6 |" in md  # MS: the mean of the columns' means
    assert "| NE | 100, 3 | – | – |" in md  # was '100, 3': a mean over its one easy column
