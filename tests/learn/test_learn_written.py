"""The file ``nesyasp learn -o`` writes gives ``est.predict``'s classes however it is run.

The written program with the facts of ``--facts-out`` in plain clingo (no nesyasp) and in nesyasp's
reasoner (``nesyasp query``); with facts written by hand in the table's own units in the reasoner
(decimals too) and in plain clingo (integers of 32 bits); through ``nesyasp learn --predict`` (any
number). Where a value cannot be evaluated, an error: never a wrong class.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nesyasp.cli import main
from nesyasp.errors import NesyaspError
from nesyasp.lang import check_program, parse_program
from nesyasp.learn import FoldSEM
from nesyasp.learn.emit import class_term, value_term
from nesyasp.learn.plain import plain_facts, plain_rules, read_plain, written_columns
from nesyasp.learn.plain_predict import hand_facts, predict_facts

from .helpers import cli_fit, clingo_alone, shipped_sample

ROOT = Path(__file__).resolve().parents[2]
HEART = ROOT / "examples" / "tables" / "heart.csv"
PATIENT = ROOT / "examples" / "tables" / "heart_patient.lp"
INT_MAX = 2 ** 31 - 1


def reasoner_classes(rules: str, facts: str) -> dict[str, str]:
    """What ``nesyasp query RULES FACTS -q "target(X,C)"`` answers, through the same reasoner."""
    from nesyasp.reason import Reasoner

    reasoner = Reasoner(parse_program(rules, "rules.lp"), parse_program(facts, "facts.lp"))
    table = reasoner.query("target(X,C)").table.tolist()
    assert len({e for e, _ in table}) == len(table), "two classes for one example"
    return dict(table)


def _number(cell) -> float | None:
    """The number of a cell as the learner reads it (a number, or a text that parses as one), else None."""
    if isinstance(cell, str):
        try:
            value = float(cell)
        except ValueError:
            return None
        return None if np.isnan(value) else value
    if isinstance(cell, (bool, np.bool_)) or not isinstance(cell, (int, float, np.integer, np.floating)):
        return None
    return None if np.isnan(float(cell)) else float(cell)


def _number_text(cell) -> str | None:
    """A number cell as a person writes it (``145``, ``2.3``, ``3000000000``), None for any other cell."""
    value = _number(cell)
    if value is None or not np.isfinite(value):
        return None
    if isinstance(cell, str) and "." not in cell and "e" not in cell.lower() and value.is_integer():
        return str(int(cell))
    if isinstance(cell, (int, np.integer)) or value.is_integer():
        return str(int(cell) if isinstance(cell, (int, np.integer)) else int(value))
    return np.format_float_positional(value, trim="-")


def hand_written(est, X, rows) -> tuple[str, dict[str, list[Decimal]]]:
    """Facts of ``rows`` in the table's own units, as a person writes them, and each numeric column's numbers."""
    used = {f.pred for f in written_columns(est)}
    table = [f for f in est.features_ if f.kind != "background"]
    lines, numbers = [], {}
    for i in rows:
        lines.append(f"_example(e{i}).")
        for j, f in enumerate(table):
            if f.pred not in used:
                continue
            cell = X[i][j]
            if f.kind == "binary":
                lines.extend([f"{f.pred}(e{i})."] if _number(cell) == 1.0 else [])
            elif f.kind == "numeric":
                text = _number_text(cell)
                lines.append(f"{f.pred}(e{i},{text if text is not None else json.dumps(str(cell))}).")
                numbers.setdefault(f.pred, []).extend([Decimal(text)] if text is not None else [])
            else:  # a category as the table shows it (5.0 reads 5, as the learner reads it)
                text = _number_text(cell) if _number_text(cell) is not None else str(cell)
                lines.append(f"{f.pred}(e{i},{value_term(f, text)}).")
    return "\n".join(lines) + "\n", numbers


def reasoner_holds(numbers: dict[str, list[Decimal]]) -> bool:
    """Whether nesyasp's reasoner holds every number exactly: scaled by its column's decimals, 32 bits."""
    for values in numbers.values():
        places = max((max(0, -v.as_tuple().exponent) for v in values), default=0)
        if places > 9 or any(abs(v.scaleb(places)) > INT_MAX for v in values):
            return False
    return True


def clingo_rows(est, X) -> list[int]:
    """Rows whose numbers in the columns the rules use are all 32-bit integers (plain clingo reads them)."""
    used = {f.pred for f in written_columns(est)}
    table = [f for f in est.features_ if f.kind != "background"]
    out = []
    for i in range(len(X)):
        texts = [_number_text(X[i][j]) for j, f in enumerate(table) if f.pred in used and f.kind == "numeric"]
        if all(t is None or ("." not in t and abs(int(t)) <= INT_MAX) for t in texts):
            out.append(i)
    return out


def assert_every_way_agrees(est, X, expect_query_error: bool = False) -> None:
    """Every way of running the written file gives ``est.predict``'s classes (module docstring)."""
    expected = {f"e{i}": str(class_term(p)) for i, p in enumerate(est.predict(X))}
    rules, facts = plain_rules(est), plain_facts(est, X)
    diagnostics = check_program(parse_program(rules), example_guard=False)
    assert not [d for d in diagnostics if d.severity in ("error", "note")]
    assert clingo_alone(rules, facts) == expected
    assert reasoner_classes(rules, facts) == expected
    finite = writable_rows(est, X)  # a person cannot write inf; its code is in the facts above
    want = {f"e{i}": expected[f"e{i}"] for i in finite}
    raw, numbers = hand_written(est, X, finite)
    if reasoner_holds(numbers) and not expect_query_error:
        assert reasoner_classes(rules, raw) == want
    else:  # a value the reasoner cannot hold: an error, never a class
        with pytest.raises(NesyaspError):
            reasoner_classes(rules, raw)
    rows = [i for i in clingo_rows(est, X) if i in set(finite)]
    assert clingo_alone(rules, hand_written(est, X, rows)[0]) == {f"e{i}": expected[f"e{i}"] for i in rows}
    plain = _read(rules)
    answers = predict_facts(plain, hand_facts(plain, parse_program(raw)))
    assert {e: atom[atom.rindex(",") + 1:-1] for e, atom, _ in answers} == want


def writable_rows(est, X) -> list[int]:
    """Rows without an infinite number in a numeric column the rules use."""
    used = {f.pred for f in written_columns(est)}
    table = [f for f in est.features_ if f.kind != "background"]
    cols = [j for j, f in enumerate(table) if f.pred in used and f.kind == "numeric"]
    return [i for i in range(len(X)) if all(_number(X[i][j]) is None or np.isfinite(_number(X[i][j])) for j in cols)]


def _read(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.lp"
        path.write_text(text, encoding="utf-8")
        return read_plain(path)


# ---------------------------------------------------------------- the shipped heart table

@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    """``nesyasp learn heart.csv --target label -o heart.lp --facts-out facts.lp`` and the same fit in Python."""
    folder = tmp_path_factory.mktemp("heart")
    rules, facts = folder / "heart.lp", folder / "facts.lp"
    assert main(["learn", str(HEART), "--target", "label", "-o", str(rules), "--facts-out", str(facts)]) == 0
    est, table, names = cli_fit(HEART)
    rows = [[float(v) for v in table.column(n).parsed(True).num] for n in names]
    X = np.array(list(zip(*rows)), dtype=object)
    ids = table.column("id").parsed(True).num.astype(int)
    return rules, facts, est, X, ids


def test_heart_written_facts_in_clingo_and_in_query(heart, capsys):
    rules, facts, est, X, ids = heart
    expected = {str(i): str(p) for i, p in zip(ids, est.predict(X))}
    assert clingo_alone(rules.read_text(), facts.read_text()) == expected
    capsys.readouterr()
    assert main(["query", str(rules), str(facts), "-q", "target(X,C)", "--format", "json"]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    assert {a["bindings"]["X"]: a["bindings"]["C"] for a in answers} == expected
    assert "oldpeak(1,code(2))." in facts.read_text()  # 2.4 is no 32-bit integer: its order code
    assert "blood_pressure(1,130)." in facts.read_text()  # an integer as it is


def test_heart_hand_written_rows_in_query_and_predict(heart):
    rules, _, est, X, _ = heart
    assert_every_way_agrees(est, X)
    assert plain_rules(est) == rules.read_text()


def test_heart_patient_in_query_reads_in_original_units(heart, capsys):
    rules, _, est, X, _ = heart
    names = [f.name for f in est.features_]
    patient = dict(age=63, sex=1, chest_pain=4, blood_pressure=145, serum_cholestoral=233, fasting_blood_sugar=0,
                   resting_electrocardiographic_results=2, maximum_heart_rate_achieved=150, exercise_induced_angina=1,
                   oldpeak=2.3, slope=3, major_vessels=0, thal=6)
    expected = est.predict(np.array([[patient[n] for n in names]], dtype=object))[0]
    capsys.readouterr()
    assert main(["query", str(rules), str(PATIENT), "-q", "target(p1,X)", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"target(p1,{expected})")
    # each comparison in one sentence (learn/brief.py), not the bridge rules' machinery
    assert "the oldpeak of p1 (2.3) is greater than 0.5, and" in out
    assert "the chest_pain of p1 (4) is greater than 3" in out
    assert "code(C)" not in out and "is the number" not in out and "<=3" not in out and "any V other" not in out
    assert main(["query", str(rules), str(PATIENT), "-q", "target(p1,X)", "--format", "json"]) == 0
    assert "oldpeak_number(p1,2.3)" in capsys.readouterr().out  # the JSON keeps the full, checkable tree
    assert main(["learn", "--predict", str(PATIENT), "--rules", str(rules), "--explain"]) == 0
    predicted = capsys.readouterr().out
    assert predicted.startswith(f"p1 is of class {expected} (rule ")
    # the same reasons as `nesyasp query` (which has no confidence note and indents by four)
    assert [line.strip() for line in predicted.splitlines()[1:]] == [line.strip() for line in out.splitlines()[2:-1]]


def test_heart_rules_pass_check_with_no_notes(heart):
    rules = heart[0]
    diagnostics = check_program(parse_program(rules.read_text(), str(rules)), example_guard=False)
    assert not [d for d in diagnostics if d.severity in ("error", "note")]


SHARED_TABULAR = ROOT.parent / "shared" / "data" / "tabular"
DATASETS = sorted(json.loads((SHARED_TABULAR / "datasets.json").read_text())) if SHARED_TABULAR.is_dir() else \
    ["acute", "wine"]  # skipped without ../shared (the shared_dir fixture)


@pytest.mark.parametrize("name", DATASETS)
def test_shipped_datasets_every_way(shared_dir, name):
    """Every shipped table (a seeded sample of 40 rows, learned on 32): the written file agrees every way."""
    est, X, _, _ = shipped_sample(shared_dir / "data" / "tabular", name, 40, seed=1)
    assert_every_way_agrees(est, X)


# ---------------------------------------------------------------- awkward magnitudes

def _table(n, seed, columns):
    rng = np.random.default_rng(seed)
    X = np.empty((n, len(columns)), dtype=object)
    for j, make in enumerate(columns):
        for i in range(n):
            X[i, j] = make(rng, i)
    return X


def test_decimals_negatives_strings_and_categories_fit_the_reasoner():
    X = _table(90, 0, [
        lambda r, i: "?" if i % 17 == 3 else round(float(r.uniform(-40, 40)), 2),      # negative decimals, '?'
        lambda r, i: "" if i % 13 == 5 else int(r.integers(-2000, 2000)),              # integers, missing cells
        lambda r, i: ["red", "blue", "Dark green"][i % 3],                               # categories
        lambda r, i: int(i % 4 == 0),                                                    # 0/1
    ])
    y = np.where((X[:, 2] == "red") | ((X[:, 0] != "?") & (np.array([isinstance(v, float) and v > 1.25 for v in X[:, 0]]))),
                 "yes", "no")
    est = FoldSEM(min_gain=1, tail=0, feature_names=["temp", "count", "colour", "flag"]).fit(X, y)
    assert any(isinstance(v, float) and not float(v).is_integer() for v in X[:, 0])
    assert_every_way_agrees(est, X)


def test_values_past_32_bits_mixed_scales_and_infinities():
    X = _table(80, 1, [
        lambda r, i: float(r.choice([0.0015, 0.0007, 285885.25, 612345.5, 3e5])),        # one column, many scales
        lambda r, i: int(r.choice([3_000_000_000, -5_000_000_000, 2 ** 31 - 2, 12])),     # past 32 bits
        lambda r, i: float(r.integers(1_600_000_000_000, 1_700_000_000_000)),            # epoch milliseconds
        lambda r, i: [np.inf, -np.inf, 5.0, "?"][i % 4],                                  # infinities, a string
    ])
    y = np.where((X[:, 0] <= 0.0015) ^ (X[:, 1] > 2 ** 31 - 2) ^ (X[:, 2] > 1.65e12), "a", "b")
    est = FoldSEM(min_gain=1, tail=0, feature_names=["amount", "big", "ts", "inf"]).fit(X, y)
    assert est.score(X, y) > 0.9
    rules = plain_rules(est)
    assert "every 32-bit number is below" in rules or "every 32-bit number is above" in rules
    assert_every_way_agrees(est, X[:, :4], expect_query_error=True)


def test_a_value_past_32_bits_in_query_is_an_error_not_a_class():
    X = np.array([[1], [2], [3_000_000_000], [4_000_000_000]] * 10, dtype=object)
    y = np.array(["a", "a", "b", "b"] * 10)
    est = FoldSEM(min_gain=1, feature_names=["n"]).fit(X, y)
    rules = plain_rules(est)
    with pytest.raises(NesyaspError, match="3000000000"):
        reasoner_classes(rules, "n(p1,3000000000).\n")
    assert reasoner_classes(rules, "n(p1,2).\n") == {"p1": "a"}


def test_a_cut_point_with_too_many_digits_is_an_error_between_integers():
    """0.30000000000000004 (0.1 + 0.2) does not fit clingo's integers scaled: a decimal next to it is an error."""
    X = np.array([[0.1 + 0.2], [0.1], [0.3000000000000001], [5.0], [-1.0], [0.7]] * 8, dtype=object)
    y = np.array(["low", "low", "high", "high", "low", "high"] * 8)
    est = FoldSEM(min_gain=1, tail=0, feature_names=["x"]).fit(X, y)
    rules = plain_rules(est)
    assert "0.30000000000000004" in str(est.rules_) and ":- x(X,V), V>0, V<1." in rules
    assert clingo_alone(rules, "x(p1,5). x(p2,-1). x(p3,0).") == {"p1": "high", "p2": "low", "p3": "low"}
    assert reasoner_classes(rules, "x(p1,5). x(p2,-1.5).\n") == {"p1": "high", "p2": "low"}
    with pytest.raises(NesyaspError, match="constraint"):
        reasoner_classes(rules, "x(p1,0.4).\n")
    plain = _read(rules)
    answers = predict_facts(plain, hand_facts(plain, parse_program("x(p1,0.4). x(p2,0.1).")))
    assert sorted(atom for _, atom, _ in answers) == ["target(p1,high)", "target(p2,low)"]


def test_a_constant_in_a_numeric_column_is_no_number():
    """thal(p1,unknown) (a constant where the table has strings) satisfies no comparison, as "?" does."""
    X = np.array([[3.0], [7.0], [6.0], ["?"], [3.0], [7.0]] * 6, dtype=object)
    y = np.array(["a", "b", "b", "a", "a", "b"] * 6)
    est = FoldSEM(min_gain=1, tail=0, feature_names=["thal"], numeric=["thal"]).fit(X, y)
    expected = str(class_term(est.predict(np.array([["?"]], dtype=object))[0]))
    rules = plain_rules(est)
    for value in ('"?"', "unknown", "f(1)"):
        assert clingo_alone(rules, f"thal(p1,{value}).") == {"p1": expected}
        assert reasoner_classes(rules, f"thal(p1,{value}).\n") == {"p1": expected}


def test_a_column_named_v_with_decimals():
    """The reasoner's decimal positions of a predicate named ``v`` (it once dropped them)."""
    X = np.array([[0.25], [0.75], [1.5], [0.5]] * 8, dtype=object)
    y = np.array(["a", "b", "b", "a"] * 8)
    est = FoldSEM(min_gain=1, tail=0, feature_names=["v"]).fit(X, y)
    assert_every_way_agrees(est, X)


def test_background_comparisons_are_written_as_comparison_atoms():
    rng = np.random.default_rng(3)
    age = rng.integers(1, 90, 120)
    X = np.c_[age, rng.integers(0, 2, 120)].astype(object)
    y = np.where((age >= 18) & (age <= 65), "work", "rest")
    est = FoldSEM(min_gain=1, feature_names=["age", "smoker"],
                  background="working(X) :- age(X,A), A >= 18, A <= 65.").fit(X, y)
    rules = plain_rules(est)
    assert "working(X) :- age_ge(X,18), age_le(X,65)." in rules
    assert_every_way_agrees(est, X)


def test_comparison_predicates_never_take_a_column_name():
    X = np.array([[i % 7, i % 5] for i in range(60)], dtype=object)
    y = np.where(X[:, 0] > 3, "p", "q")
    est = FoldSEM(min_gain=1, feature_names=["a", "a_le"]).fit(X, y)
    rules = plain_rules(est)
    assert "a_le_2(X,3)" in rules and "a_le(X,3)" not in rules
    assert_every_way_agrees(est, X)


# ---------------------------------------------------------------- generated tables

NUMBER = st.one_of(st.integers(-60, 60), st.integers(-6000, 6000).map(lambda k: k / 100),
                   st.sampled_from([0.5, -0.5, 2.25, 1e6, -3.5]))
CELL = st.one_of(NUMBER, NUMBER, NUMBER, st.sampled_from(["?", ""]))


#: Small tables of two mixed numeric columns and a categorical one, with their labels.
TABLES = st.integers(8, 30).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(CELL, CELL, st.sampled_from(["x", "y", "z"])), min_size=n, max_size=n),
    st.lists(st.sampled_from(["yes", "no", "1"]), min_size=n, max_size=n)))


def fit_generated(table) -> tuple[FoldSEM, np.ndarray] | None:
    """The estimator fitted on a table of :data:`TABLES` (no cut: every rule kept) and its rows; None for one class."""
    rows, labels = table
    if len(set(labels)) < 2:
        return None
    X = np.array([list(r) for r in rows], dtype=object)
    return FoldSEM(min_gain=1, tail=0, feature_names=["a", "b", "c"]).fit(X, np.array(labels)), X


@settings(max_examples=25, deadline=None)
@given(TABLES)
def test_generated_tables_agree_every_way(table):
    fitted = fit_generated(table)
    if fitted is not None:
        assert_every_way_agrees(*fitted)


# ---------------------------------------------------------------- the bridge rules alone

CUTS = [0.5, -2.5, 0.2, 3.0, 0.0, -7.0, 2147483646.0, 2147483647.0, 3e9, -3e9, 1650000000000.5, 123456.789,
        214748364.75]
WRAPS = [858993459, 2147483647, -2147483647, -2147483648, 429496730, 1288490189]  # x*10 wraps near small values


def _bridge_program(cut: float) -> tuple[str, dict[str, str]]:
    from nesyasp.learn.bridge import OP_NAMES, Bridge
    from nesyasp.learn.encode import Feature

    bridge = Bridge([Feature("x", "x", "numeric")], {"x": np.array([cut])}, {"target"})
    for op in OP_NAMES:
        bridge.used.add(("x", op, cut))
    text = "\n".join(str(s) for s in bridge.bridge_statements()) + "\n"
    return text, {op: bridge.name("x", op) for op in OP_NAMES}


def _holds(value: Decimal, op: str, cut: Decimal) -> bool:
    return {"<=": value <= cut, "<": value < cut, ">": value > cut, ">=": value >= cut, "=": value == cut,
            "!=": value != cut}[op]


def _derived(atoms: dict[str, set[str]], names: dict[str, str], example: str) -> dict[str, bool]:
    return {op: example in atoms.get(name, set()) for op, name in names.items()}


def _atoms_clingo(program: str, facts: str) -> dict[str, set[str]]:
    import clingo

    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], program + facts)
    ctl.ground([("base", [])])
    out: dict[str, set[str]] = {}
    ctl.solve(on_model=lambda m: [out.setdefault(s.name, set()).add(str(s.arguments[0]))
                                  for s in m.symbols(atoms=True) if s.arguments])
    return out


def _atoms_reasoner(program: str, facts: str, names: dict[str, str]) -> dict[str, set[str]]:
    from nesyasp.reason import Reasoner

    reasoner = Reasoner(parse_program(program, "bridge.lp"), parse_program(facts, "facts.lp"))
    return {name: {e for e, _ in reasoner.query(f"{name}(E,T)").table.tolist()} for name in names.values()}


@pytest.mark.parametrize("cut", CUTS)
def test_bridge_rules_compare_every_value_exactly(cut):
    """Integers (plain clingo and the reasoner), decimals (the reasoner), codes, strings, constants: every
    comparison atom holds exactly when the comparison of the value with the cut point holds."""
    from nesyasp.learn.bridge import cut_decimal

    program, names = _bridge_program(cut)
    c = cut_decimal(cut)
    floor = int(np.floor(float(c))) if abs(c) < 2 ** 40 else 0
    integers = sorted({v for v in [floor - 1, floor, floor + 1, floor + 2, 0, 1, -1, *WRAPS]
                       if -2 ** 31 <= v <= 2 ** 31 - 1})
    facts = "".join(f"x(i{k},{v}).\n" for k, v in enumerate(integers))
    facts += 'x(s1,"?"). x(s2,""). x(s3,unknown). x(s4,f(3)).\n'
    facts += "".join(f"x(c{code},code({code})).\n" for code in range(3))
    for atoms in (_atoms_clingo(program, facts), _atoms_reasoner(program, facts, names)):
        for k, v in enumerate(integers):
            assert _derived(atoms, names, f"i{k}") == {op: _holds(Decimal(v), op, c) for op in names}, v
        for s in ("s1", "s2", "s3", "s4"):
            assert not any(_derived(atoms, names, s).values())
        for code in range(3):
            assert _derived(atoms, names, f"c{code}") == {op: _holds(Decimal(code), op, Decimal(1)) for op in names}
    if abs(c) < 10 ** 6:  # decimals next to the cut point, in the reasoner (clingo reads none)
        step = Decimal(1).scaleb(c.as_tuple().exponent - 1)
        decimals = [c - step, c, c + step, Decimal(floor) + Decimal("0.5"), c + 1 + step]
        facts = "".join(f"x(d{k},{d}).\n" for k, d in enumerate(decimals))
        atoms = _atoms_reasoner(program, facts, names)
        for k, d in enumerate(decimals):
            assert _derived(atoms, names, f"d{k}") == {op: _holds(d, op, c) for op in names}, d


def test_a_background_value_used_beyond_comparisons_keeps_its_binding():
    rng = np.random.default_rng(4)
    age = rng.integers(1, 90, 100).astype(object)
    age[::9] = "?"
    X = np.c_[age, rng.integers(0, 2, 100)].astype(object)
    y = np.array(["old" if isinstance(a, (int, np.integer)) and a > 60 else "young" for a in age])
    est = FoldSEM(min_gain=1, feature_names=["age", "smoker"], numeric=["age"],
                  background="aged(X,A) :- age(X,A), A > 60.\nsenior(X) :- aged(X,_).").fit(X, y)
    rules = plain_rules(est)
    assert "aged(X,A) :- age(X,A), age_gt(X,60)." in rules
    assert_every_way_agrees(est, X)
