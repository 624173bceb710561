"""Binarized tables, rule extraction and the NeSy model's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.lang import add_domain_guards, check_program, parse_file
import torch

from nesyasp.lang.ast import Atom, Constant, Literal, Program, Rule, Variable
from nesyasp.errors import DataError
from nesyasp.neural.binarize import FilterTable, asp_id, binarize
from nesyasp.neural.nesy import count_rules, nesy_metrics, predict_classes, rule_set_size
from nesyasp.neural.run import evaluate_run, extract_run, load_run
from nesyasp.neural.train import train


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, toy_splits, make_config):
    out = tmp_path_factory.mktemp("run") / "ne"
    train(make_config("ne", epochs=3), out, splits=toy_splits, progress=False)
    run = load_run(out)
    return run, extract_run(run, toy_splits)


def test_binarize_is_rounded_sigmoid_of_norm_minus_threshold():
    norms = np.array([[0.0, 1.0, 2.0], [3.0, 0.5, 1.0]])
    thr = np.array([1.0, 1.0, 0.0])
    want = np.round(1 / (1 + np.exp(-(norms - thr))))
    want[norms == thr] = 0  # sigmoid(0) = 0.5 rounds to even
    assert binarize(norms, thr).tolist() == want.astype(int).tolist()


def test_table_round_trips_through_csv_npz_and_facts(tmp_path):
    t = FilterTable(np.array([[0, 1, 1], [1, 0, 0]], np.uint8), np.array([1, 0]), ("img_0001", "img_0002"),
                    ("bedroom", "kitchen"))
    t.to_csv(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines() == [
        "id,f0,f1,f2,label", "img_0001,0,1,1,kitchen", "img_0002,1,0,0,bedroom"]
    back = FilterTable.from_csv(tmp_path / "t.csv", class_names=("bedroom", "kitchen"))
    assert np.array_equal(back.values, t.values) and np.array_equal(back.labels, t.labels) and back.ids == t.ids
    t.to_npz(tmp_path / "t.npz")
    z = FilterTable.from_npz(tmp_path / "t.npz")
    assert np.array_equal(z.values, t.values) and z.class_names == t.class_names and z.ids == t.ids
    assert t.facts_text() == ("_example(img_0001).\nf1(img_0001).\nf2(img_0001).\n"
                              "_example(img_0002).\nf0(img_0002).\n")
    with pytest.raises(DataError, match="no filter table here; 'nesyasp extract RUN' writes it"):
        FilterTable.from_npz(tmp_path / "missing.npz")
    (tmp_path / "bad.csv").write_text("id,f0,label\nimg_1,2x,a\n")
    with pytest.raises(DataError, match="bad.csv:2:1"):
        FilterTable.from_csv(tmp_path / "bad.csv")
    with pytest.raises(DataError, match="only 0 and 1"):
        FilterTable(np.array([[2]]), np.array([0]), ("a",), ("c",))
    assert asp_id("Img-0042.png") == "img_0042_png" and asp_id("42") == "img_42"


def test_extraction_gives_rules_that_the_reasoners_engines_and_the_learner_agree_on(tiny_run):
    run, ex = tiny_run
    assert run.rules_path.read_text() == str(add_domain_guards(ex.program))
    written = parse_file(run.rules_path)
    assert {d.code for d in check_program(written, example_guard=False)} <= {"undefined-predicate"}  # safe ASP
    for name in ("train", "test"):
        t = ex.tables[name]
        vec = predict_classes(ex.program, t.values, t.class_names, engine="compiled")
        asp = predict_classes(written, t.values, t.class_names, engine="clingo")  # rules.lp as written
        assert np.array_equal(vec, asp)
        learner = ex.estimator.predict(t.values.astype(np.int64))
        assert [t.class_names[i] for i in vec] == list(learner)
        assert (run.facts_dir / f"{name}.lp").read_text() == t.facts_text()
    assert any(str(r.head).startswith("target(X,") for r in ex.program.rules)


def test_evaluate_computes_the_papers_metrics(tiny_run, toy_splits):
    run, ex = tiny_run
    m = evaluate_run(run, toy_splits)
    t = ex.tables["test"]
    nesy = predict_classes(ex.program, t.values, t.class_names)
    with torch.no_grad():
        cnn = run.model(toy_splits[1].x)[0].argmax(1).numpy()
    y = toy_splits[1].y.numpy()
    assert m.n_test == len(y)
    assert m.nesy_accuracy == pytest.approx(np.mean(nesy == y))
    assert m.cnn_accuracy == pytest.approx(np.mean(cnn == y))
    assert m.fidelity == pytest.approx(np.mean(nesy == cnn))
    assert m.rule_set_size == ex.estimator.rule_set_size_
    assert (run.path / "evaluation.json").is_file()


def test_rules_naming_another_class_or_filter_are_refused():
    from nesyasp.lang import parse_program
    from nesyasp.neural.nesy import check_rules

    good = parse_program("target(X,a) :- f0(X), not ab1(X).\nab1(X) :- f2(X).\ntarget(X,b) :- not f1(X).\n")
    check_rules(good, 3, ("a", "b"))
    with pytest.raises(DataError, match=r"rules.lp:1:1: error: class kitchen is not a class of this run \(a, b\)"):
        check_rules(parse_program("target(X,kitchen) :- f0(X).\n", "rules.lp"), 3, ("a", "b"))
    with pytest.raises(DataError, match=r"rules.lp:2:16: error: 'f7' is not a filter of this run \(f0 to f2\)"):
        check_rules(parse_program("target(X,a) :- f0(X).\ntarget(X,b) :- f7(X).\n", "rules.lp"), 3, ("a", "b"))


def test_metrics_by_hand():
    X = Variable("X")
    p = Program((Rule(Atom("target", (X, Constant("a"))), (Literal(Atom("f0", (X,))),
                                                         Literal(Atom("ab1", (X,)), negated=True))),
                 Rule(Atom("target", (X, Constant("b"))), (Literal(Atom("f1", (X,))),)),
                 Rule(Atom("ab1", (X,)), (Literal(Atom("f2", (X,))),))))
    values = np.array([[1, 0, 0], [1, 0, 1], [1, 1, 1], [0, 0, 0]], np.uint8)
    pred = predict_classes(p, values, ("a", "b"))
    assert pred.tolist() == [0, -1, 1, -1]
    assert np.array_equal(pred, predict_classes(p, values, ("a", "b"), engine="clingo"))
    assert rule_set_size(p) == 3 and count_rules(p) == 3
    m = nesy_metrics(p, pred, np.array([0, 1, 1, 0]), np.array([0, 1, 1, 1]))
    assert (m.nesy_accuracy, m.cnn_accuracy, m.fidelity) == (0.5, 0.75, 0.5)


def test_nesy_model_predicts_from_images(tiny_run, toy_splits):
    from nesyasp.neural.nesymodel import NesyModel

    run, ex = tiny_run
    model = NesyModel.from_run(run)
    t = ex.tables["test"]
    assert np.array_equal(model.binarize(toy_splits[1].x), t.values)
    want = predict_classes(ex.program, t.values, t.class_names)
    assert np.array_equal(model.predict(toy_splits[1].x), want)
    assert np.array_equal(model.predict(toy_splits[1].x, engine="clingo"), want)


@pytest.mark.parametrize("engine", ["compiled", "clingo"])
def test_several_classes_go_to_the_earliest_rule_in_program_order(engine):
    from nesyasp.lang import parse_program

    # class a's first rule comes first, but for row 1 only its *later* rule fires, after b's:
    # the earliest firing rule (b's) wins, not the class whose first rule is earliest
    p = parse_program("target(X,a) :- f0(X).\ntarget(X,b) :- f1(X).\ntarget(X,a) :- f2(X).\n"
                      "target(X,c) :- _example(X), not f0(X), not f1(X), not f2(X).\n")
    values = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0], [1, 1, 0]], np.uint8)
    assert predict_classes(p, values, ("a", "b", "c"), engine=engine).tolist() == [0, 1, 0, 2, 0]


def test_rules_with_comparisons_or_helpers_that_clingo_alone_runs_still_predict():
    from nesyasp.lang import parse_program

    p = parse_program("n(X,2) :- f0(X).\nn(X,1) :- _example(X), not f0(X).\ntarget(X,a) :- n(X,N), N > 1.\n"
                      "target(X,b) :- n(X,1).\n")
    assert predict_classes(p, np.array([[1], [0]], np.uint8), ("a", "b")).tolist() == [0, 1]


@pytest.mark.parametrize("engine", ["compiled", "clingo"])
def test_class_names_with_quotes_and_backslashes_match_their_string_terms(engine):
    # a user's class folder '<b>&"\'x' became target(X,"<b>&\"'x"): evaluate refused it as "not a class"
    from nesyasp.lang import parse_program
    from nesyasp.learn.emit import class_term
    from nesyasp.neural.nesy import check_rules, class_index

    names = ('<b>&"\'x', "back\\slash", "Living Room", "café ☕")
    text = "".join(f"target(X,{class_term(n)}) :- f{i}(X).\n" for i, n in enumerate(names))
    p = parse_program(text, "rules.lp")
    check_rules(p, 4, names)
    assert [class_index(r.head.arguments[1], names) for r in p.rules] == [0, 1, 2, 3]
    assert [class_index(str(r.head.arguments[1]), names) for r in p.rules] == [0, 1, 2, 3]
    values = np.eye(4, dtype=np.uint8)
    assert predict_classes(p, values, names, engine=engine).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("value", [0, 1])
def test_a_table_where_no_filter_or_every_filter_fires_is_said_and_learns_a_catch_all(value, caplog):
    from nesyasp.neural.extract import learn_rules

    labels = np.array([0, 1, 2, 0, 1, 2])
    table = FilterTable(np.full((6, 4), value, dtype=np.uint8), labels, tuple(f"i{n}" for n in range(6)),
                        ("a", "b", "c"))
    with caplog.at_level("WARNING", logger="nesyasp.neural.extract"):
        program, _ = learn_rules(table)
    assert f"every filter binarizes to {value} on every training image" in caplog.text
    assert rule_set_size(program) == 0 and len(program.rules) == 1


@pytest.mark.parametrize("ratio, tail", [(float("nan"), 0.005), (float("inf"), 0.005), (0.8, float("nan")),
                                         (-0.1, 0.005), (0.8, 1.5)])
def test_learner_options_out_of_range_are_refused_by_the_library(ratio, tail):
    from nesyasp.neural.extract import learn_rules

    table = FilterTable(np.eye(4, dtype=np.uint8), np.array([0, 1, 0, 1]), ("a", "b", "c", "d"), ("x", "y"))
    with pytest.raises(DataError, match="--ratio must be a finite number >= 0 and --tail in"):
        learn_rules(table, ratio, tail)  # nan/inf ratio: sklearn's InvalidParameterError, an internal error


def test_rules_extracted_before_the_run_resumed_are_refused_until_extracted_again(tmp_path, toy_splits, make_config):
    from nesyasp.neural.nesymodel import NesyModel

    out = tmp_path / "run"
    train(make_config("ts3", epochs=1), out, splits=toy_splits, progress=False)
    extract_run(load_run(out), toy_splits)
    train(make_config("ts3", epochs=2), out, resume=True, splits=toy_splits, progress=False)
    run = load_run(out)  # evaluate mixed the new CNN with the old rules and tables (a fidelity of two models)
    with pytest.raises(DataError, match="extracted from the weights of epoch 1, but the run is at epoch 2"):
        evaluate_run(run, toy_splits, check_clingo=False)
    with pytest.raises(DataError, match="extracted from the weights of epoch 1"):
        NesyModel.from_run(out)
    from nesyasp.label.run import label_run

    with pytest.raises(DataError, match="extracted from the weights of epoch 1"):
        label_run(out)  # labels of the new filters on the old rules
    extract_run(run, toy_splits)
    assert 0.0 <= evaluate_run(run, toy_splits, check_clingo=False).fidelity <= 1.0
    NesyModel.from_run(out)
