"""The Python API as code that embeds nesyasp relies on it: a public function given an argument of the wrong
type, or a path no file can have, raises one of nesyasp's errors (a ``WrongTypeError``, also a ``TypeError``,
for a wrong type), never an ``AttributeError`` or ``IndexError`` from deep inside; an ``int`` is no path.

The cases come from fuzzing every name of the ``__all__`` of nesyasp.lang, reason, learn and data with
``None``, numbers, bytes, empty and huge values (the script is in the apiembed report).
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from nesyasp import errors
from nesyasp.data import check_image_folder, concept_images, load_dataset, load_image_folder, random_images
from nesyasp.errors import DataError, NesyaspError, NotFittedError, ParseError, ReasoningError, WrongTypeError
from nesyasp.lang import (add_domain_guard, add_domain_guards, dependency_graph, format_location, is_identifier,
                          needs_domain_guard, negative_cycles, parse_file, parse_program, read_program_text,
                          resolve_includes, source_context, unsafe_variables)
from nesyasp.learn import (FoldSEM, clingo_program, clingo_rules, cut_points, example_facts, example_reasoner,
                           hand_facts, plain_facts, plain_rules, predict_facts, read_csv, reasoner_program,
                           split_target)
from nesyasp.reason import (FactFile, Justifier, TableModel, check_justification, compile_program, justify,
                            not_compilable, not_separable, predicate_name, scale_comparison, solve)

PROGRAM = parse_program("p(a).")
X = np.zeros((1, 1))

# (what is called, the call) for each public function that let a Python error out on a wrong type
WRONG_TYPES = [
    ("resolve_includes(None)", lambda: resolve_includes(None)),
    ("unsafe_variables(None)", lambda: unsafe_variables(None)),
    ("dependency_graph(None)", lambda: dependency_graph(None)),
    ("negative_cycles('p.')", lambda: negative_cycles("p.")),
    ("add_domain_guard(None)", lambda: add_domain_guard(None)),
    ("add_domain_guards('p.')", lambda: add_domain_guards("p.")),
    ("needs_domain_guard(None)", lambda: needs_domain_guard(None)),
    ("is_identifier(None)", lambda: is_identifier(None)),
    ("format_location(3)", lambda: format_location(3)),
    ("source_context(3, '')", lambda: source_context(3, "")),
    ("read_program_text(None)", lambda: read_program_text(None)),
    ("read_program_text(b'r.lp')", lambda: read_program_text(b"r.lp")),
    ("Justifier(None)", lambda: Justifier(None)),
    ("justify(None, None)", lambda: justify(None, None)),
    ("check_justification(None, None)", lambda: check_justification(None, None)),
    ("compile_program(None)", lambda: compile_program(None)),
    ("not_compilable(PROGRAM)", lambda: not_compilable(PROGRAM)),
    ("not_separable(None)", lambda: not_separable(None)),
    ("scale_comparison(None)", lambda: scale_comparison(None)),
    ("solve(None, '', [])", lambda: solve(None, "", [])),
    ("solve('a.', None, [])", lambda: solve("a.", None, [])),
    ("TableModel('ab', [], None, None)", lambda: TableModel("ab", [], None, None)),
    ("FactFile(None)", lambda: FactFile(None)),
    ("read_csv(None)", lambda: read_csv(None)),
    ("split_target(None, 'y')", lambda: split_target(None, "y")),
    ("clingo_rules(None)", lambda: clingo_rules(None)),
    ("clingo_program(None)", lambda: clingo_program(None)),
    ("cut_points('p.')", lambda: cut_points("p.")),
    ("example_facts(X, [], 'p.')", lambda: example_facts(X, [], "p.")),
    ("reasoner_program('p.', [])", lambda: reasoner_program("p.", [])),
    ("example_reasoner('p.', X, [], [])", lambda: example_reasoner("p.", X, [], [])),
    ("plain_rules(None)", lambda: plain_rules(None)),
    ("plain_facts(None, X)", lambda: plain_facts(None, X)),
    ("hand_facts(None, PROGRAM)", lambda: hand_facts(None, PROGRAM)),
    ("predict_facts(None, PROGRAM)", lambda: predict_facts(None, PROGRAM)),
    ("load_image_folder(None)", lambda: load_image_folder(None)),
    ("check_image_folder(b'x')", lambda: check_image_folder(b"x")),
    ("concept_images(None, 'bed', 1)", lambda: concept_images(None, "bed", 1)),
    ("random_images(1, 1)", lambda: random_images(1, 1)),
]


@pytest.mark.parametrize("call", [c for _, c in WRONG_TYPES], ids=[i for i, _ in WRONG_TYPES])
def test_a_wrong_type_is_a_wrong_type_error(call):
    with pytest.raises(WrongTypeError) as info:
        call()
    assert isinstance(info.value, TypeError) and "expected" in str(info.value)


def test_a_file_descriptor_is_not_a_path():
    """``read_csv(1)`` opened file descriptor 1, read the caller's standard output and then closed it."""
    r, w = os.pipe()
    os.write(w, b"a,b\n1,2\n")
    os.close(w)
    try:
        for call in (read_csv, read_program_text, parse_file, load_image_folder, FactFile):
            with pytest.raises(WrongTypeError, match="got int"):
                call(r)
        os.fstat(r)  # still open
    finally:
        os.close(r)


@pytest.mark.parametrize("path", ["rules\0.lp", "d" * 5000], ids=["nul", "long"])
def test_a_path_no_file_can_have_is_the_readers_error(path):
    """A NUL character ('embedded null byte', a ValueError) or a name too long (an OSError) escaped."""
    for call, error in ((parse_file, ParseError), (read_program_text, ParseError), (read_csv, DataError),
                        (lambda p: load_dataset(p), DataError), (lambda p: concept_images(p, "bed", 1), DataError),
                        (lambda p: random_images(p, 1), DataError), (load_image_folder, DataError)):
        with pytest.raises(error):
            call(path)
    with pytest.raises(ReasoningError):
        FactFile(path).text  # noqa: B018


def test_expect_path_takes_str_and_path_like_only():
    from pathlib import Path

    assert errors.expect_path(Path("a") / "b.lp") == Path("a/b.lp")
    for value in (None, 1, True, b"a.lp", 1.5, ["a.lp"]):
        with pytest.raises(WrongTypeError):
            errors.expect_path(value)


def test_plain_rules_of_an_unfitted_estimator_is_not_fitted_error():
    """``plain_rules(FoldSEM())`` raised AttributeError: 'FoldSEM' object has no attribute 'features_'."""
    for call in (lambda: plain_rules(FoldSEM()), lambda: plain_facts(FoldSEM(), X)):
        with pytest.raises(NotFittedError, match="not fitted yet; call fit first") as info:
            call()
        assert isinstance(info.value, ValueError)  # as scikit-learn's NotFittedError


def test_predicate_name_of_none_is_a_reasoning_error():
    """``predicate_name(None)`` raised TypeError from the message's ``brief`` (len of None)."""
    with pytest.raises(ReasoningError, match="column 'None' is not a predicate name"):
        predicate_name(None)
    assert issubclass(ReasoningError, NesyaspError)


def test_reasoner_methods_refuse_bad_arguments_with_nesyasp_errors():
    """``defines('t', [])`` was 'unhashable type', ``engine=np.array([1])`` numpy's truth-value ValueError,
    ``slice_for('X')`` an AttributeError, ``explain(..., detail='all')`` a bare ValueError."""
    from nesyasp.reason import Reasoner

    r = Reasoner("t(X,a) :- b(X).", "b(i).")
    for call in (lambda: r.defines("t", []), lambda: r.defines(None, 2), lambda: Reasoner("a.", engine=np.array([1])),
                 lambda: r.explain("t(i,a)", detail=None)):
        with pytest.raises(WrongTypeError):
            call()
    with pytest.raises(ReasoningError, match="not 'all'"):
        r.explain("t(i,a)", detail="all")
    with pytest.raises(ReasoningError, match="an example is a ground term"):
        r.slice_for("X")
    assert r.defines("t", 2) and r.holds("t(i,a)")


def test_the_symbolic_work_imports_no_torch_on_its_lazy_paths():
    """``import nesyasp.lang/reason/learn`` is checked in test_package.py; this calls what their users call
    (parse, check, query, explain, render, fit, predict, explain, plain rules, generated images), whose lazy
    imports run only then."""
    import subprocess
    import sys

    code = """if True:
        import sys
        import numpy as np
        from nesyasp.lang import parse_program, check_program
        from nesyasp.reason import Reasoner, render_text, to_dot
        from nesyasp.learn import FoldSEM, plain_rules, read_csv
        from nesyasp.data import load_dataset
        p = parse_program("t(X,a) :- b(X), not c(X).\\nc(X) :- d(X).\\n"); check_program(p)
        r = Reasoner(p, "b(i). b(j). d(j).")
        r.query("t(X,Y)"); render_text(r.explain("t(j,a)")); to_dot(r.explain("t(i,a)"))
        X = np.random.default_rng(0).integers(0, 2, (40, 3)); y = np.where(X[:, 0] == 1, "a", "b")
        est = FoldSEM().fit(X, y); est.predict(X); est.explain(X[0]); plain_rules(est)
        read_csv("t.csv", text="a,b\\n1,x\\n0,y\\n")
        load_dataset("scenes", "test", classes=2, per_class=1, size=16)
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("torch"))[:5]
    """
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("module", ["nesyasp.errors", "nesyasp.lang", "nesyasp.learn", "nesyasp.data"])
def test_public_functions_have_numpy_sections(module):
    """Every function of the module's ``__all__`` that takes arguments documents them under ``Parameters`` and
    what it gives under ``Returns`` (or ``Yields``), as STYLE.md asks of the public API (``parse_file``,
    ``parse_query``, ``format_location`` ... had one line)."""
    import importlib
    import inspect

    mod = importlib.import_module(module)
    missing = []
    for name in mod.__all__:
        func = getattr(mod, name)
        if not inspect.isfunction(func):
            continue
        doc, sig = inspect.getdoc(func) or "", inspect.signature(func)
        if sig.parameters and "\nParameters\n----------\n" not in doc:
            missing.append(f"{name}: Parameters")
        if sig.return_annotation not in (None, "None") and not re.search(r"\n(Returns|Yields)\n---", doc):
            missing.append(f"{name}: Returns")
    assert missing == []


def test_foldsem_bad_data_is_a_fit_data_error_and_a_value_error():
    """scikit-learn's own checks (``validate_data``, ``check_classification_targets``) let a bare ValueError out
    of ``fit``/``predict``: now a FitDataError (a NesyaspError and a ValueError) with scikit-learn's message."""
    from nesyasp.learn import FitDataError

    X = np.random.default_rng(0).integers(0, 2, (20, 3))
    y = np.where(X[:, 0] == 1, "a", "b")
    est = FoldSEM().fit(X, y)
    for call, message in ((lambda: FoldSEM().fit(X[:, 0], y), "Expected 2D array"),
                          (lambda: FoldSEM().fit(X, y[:5]), "inconsistent numbers of samples"),
                          (lambda: FoldSEM().fit(X, np.linspace(0, 1, 20)), "Unknown label type"),
                          (lambda: est.predict(X[:, :2]), "X has 2 features"),
                          (lambda: est.predict(None), "Expected 2D array")):
        with pytest.raises(FitDataError, match=message) as info:
            call()
        assert isinstance(info.value, ValueError) and isinstance(info.value, NesyaspError)


def test_lth_file_functions_refuse_bad_paths_with_data_errors(tmp_path):
    """``write_facts`` into a missing folder let FileNotFoundError out, ``write_facts('')`` pathlib's ValueError
    ('has an empty name'), ``load_round(None, 0)`` a TypeError."""
    pytest.importorskip("torch")
    from nesyasp.lth import load_round, write_facts

    for path in (tmp_path / "no" / "facts.lp", "", tmp_path):
        with pytest.raises(DataError, match="cannot write the facts file"):
            write_facts(path, PROGRAM)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    with pytest.raises(WrongTypeError):
        write_facts(tmp_path / "f.lp", "p(a).")
    with pytest.raises(WrongTypeError):
        load_round(None, 0)
    assert write_facts(tmp_path / "f.lp", PROGRAM).read_text() == "p(a).\n"
