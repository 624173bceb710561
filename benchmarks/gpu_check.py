"""GPU check (issue 17): seconds per epoch of each backbone at 224 px, the paper's backbones end to end,
and the wall time of Tables 1 and 2 (P2, P3, P5, P10).

Installs nothing and downloads nothing: it runs nesyasp from this source tree
under the machine's own python and torch (``python benchmarks/gpu_check.py``;
torchvision and clingo must be importable, as for nesyasp itself). On a
machine without CUDA it prints why and exits 0, so ``make bench`` skips it.

Measured, in this order (``--parts`` picks some):

* ``epochs``: every model (small, vgg16, vgg16_bn, resnet18) at 224 px, TS3
  on 3 scene classes, 200 training images per class, batch 32: seconds per
  epoch (training plus the test-set pass), from the difference between a
  1-epoch and a 3-epoch run, so data and model set-up do not count;
* ``backbones``: ``nesyasp train`` + ``extract`` + ``evaluate`` with the
  defaults of vgg16 and resnet18 at 224 px on 3 scene classes (bar: CNN
  accuracy >= 90 %, NeSy within 3 points), wall time of each command;
* ``tables``: ``nesyasp experiment --strategies ne,ts1,ts2,ts3,ts4,ts5
  --classes 2,3,5,10 --seeds 3`` with the defaults (bar: under 10 minutes).

    python benchmarks/gpu_check.py [--parts epochs,backbones,tables] [--json out.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = ("small", "vgg16", "vgg16_bn", "resnet18")
PARTS = ("epochs", "backbones", "tables")


def _cli(args: list[str], log: Path, timeout: float) -> tuple[int, float, str]:
    """Run ``python -m nesyasp ARGS`` from this tree; exit status, wall seconds and the output tail."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "nesyasp", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)
        rc, text = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, text = 124, f"timed out after {timeout:.0f} s\n{exc.stdout or ''}{exc.stderr or ''}"
    wall = time.perf_counter() - start
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ nesyasp {' '.join(args)}\n{text}\n(rc {rc}, {wall:.1f} s)\n\n")
    return rc, wall, text[-2000:]


def seconds_per_epoch(model: str, size: int, per_class: int) -> dict[str, float]:
    """Seconds per epoch of ``model`` (TS3, 3 scene classes), from a 1-epoch and a 3-epoch run."""
    import torch

    from nesyasp.neural.config import TrainConfig, strategy
    from nesyasp.neural.data import load_splits
    from nesyasp.neural.train import train

    cfg = TrainConfig(data="scenes", classes=3, per_class=per_class, test_per_class=50, size=size, model=model,
                      device="cuda", strategy=strategy("ts3"))
    splits = load_splits(cfg)
    times = {}
    for epochs in (1, 3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        train(dataclasses.replace(cfg, epochs=epochs), None, splits=splits, progress=False)
        torch.cuda.synchronize()
        times[epochs] = time.perf_counter() - start
    per_epoch = (times[3] - times[1]) / 2
    n = len(splits[0]) + len(splits[1])
    return {"seconds_per_epoch": round(per_epoch, 3), "images_per_second": round(n / per_epoch, 1),
            "first_epoch_with_setup": round(times[1], 2)}


def run_backbones(work: Path, log: Path, size: int, timeout: float) -> dict[str, dict]:
    out = {}
    for model in ("vgg16", "resnet18"):
        run = work / f"{model}-{size}"
        rec: dict = {}
        for step, args in (("train", ["train", "--model", model, "--size", str(size), "--classes", "3",
                                      "--device", "cuda", "--out", str(run)]),
                           ("extract", ["extract", str(run)]),
                           ("evaluate", ["evaluate", str(run), "--json"])):
            rc, wall, tail = _cli(args, log, timeout)
            rec[f"{step}_seconds"] = round(wall, 1)
            if rc:
                rec["error"] = f"{step} exited {rc}: {tail[-500:]}"
                break
        metrics = run / "evaluation.json"
        if metrics.is_file():
            m = json.loads(metrics.read_text())
            rec |= {k: m[k] for k in ("cnn_accuracy", "nesy_accuracy", "fidelity", "rule_set_size")}
            rec["bar_met"] = m["cnn_accuracy"] >= 0.90 and m["cnn_accuracy"] - m["nesy_accuracy"] <= 0.03
        out[model] = rec
    return out


def run_tables(work: Path, log: Path, timeout: float) -> dict:
    exp = work / "tables"
    rc, wall, tail = _cli(["experiment", "--strategies", "ne,ts1,ts2,ts3,ts4,ts5", "--data", "scenes",
                           "--classes", "2,3,5,10", "--seeds", "3", "--device", "cuda", "--out", str(exp)],
                          log, timeout)
    rec = {"wall_seconds": round(wall, 1), "rc": rc, "bar_met": rc == 0 and wall < 600}
    if (exp / "tables.md").is_file():
        rec["tables_md"] = (exp / "tables.md").read_text()
    elif rc:
        rec["error"] = tail[-800:]
    return rec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    ap.add_argument("--models", default=",".join(MODELS), help="models of the epochs part")
    ap.add_argument("--size", type=int, default=224, help="image side (default: 224)")
    ap.add_argument("--per-class", type=int, default=200, help="training images per class of the epochs part")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds allowed to each command")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed here; nothing to measure (skipped)")
        return 0
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA GPU on this machine; the GPU check needs one (skipped, nothing measured)")
        return 0
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    bad = [p for p in parts if p not in PARTS]
    if bad:
        print(f"gpu_check: unknown part(s) {', '.join(bad)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="nesyasp-gpu-check-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "commands.log"
    report: dict = {"gpu": torch.cuda.get_device_name(0), "gpus": torch.cuda.device_count(),
                    "torch": torch.__version__, "cpus": os.cpu_count(), "size": args.size}
    print(f"gpu_check on {report['gpus']} x {report['gpu']}, torch {report['torch']}, {report['cpus']} CPUs; "
          f"work folder {work}", flush=True)
    if "epochs" in parts:
        report["epochs"] = {}
        for model in [m.strip() for m in args.models.split(",") if m.strip()]:
            rec = seconds_per_epoch(model, args.size, args.per_class)
            report["epochs"][model] = rec
            print(f"{model:>9} at {args.size} px: {rec['seconds_per_epoch']:.2f} s per epoch "
                  f"({rec['images_per_second']:.0f} images/s)", flush=True)
    if "backbones" in parts:
        report["backbones"] = run_backbones(work, log, args.size, args.timeout)
        for model, rec in report["backbones"].items():
            if "cnn_accuracy" in rec:
                print(f"{model:>9} at {args.size} px, defaults: CNN {100 * rec['cnn_accuracy']:.1f}%, NeSy "
                      f"{100 * rec['nesy_accuracy']:.1f}%, fidelity {100 * rec['fidelity']:.1f}%, train "
                      f"{rec['train_seconds']:.0f} s; bar {'met' if rec['bar_met'] else 'MISSED'}", flush=True)
            else:
                print(f"{model:>9}: {rec.get('error', 'no result')}", flush=True)
    if "tables" in parts:
        rec = report["tables"] = run_tables(work, log, args.timeout)
        print(f"Tables 1-2 (P2, P3, P5, P10; 6 strategies x 3 seeds): {rec['wall_seconds']:.0f} s wall, "
              f"bar (600 s) {'met' if rec['bar_met'] else 'MISSED'}", flush=True)
        print(rec.get("tables_md", rec.get("error", "")))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    print(f"commands and their output: {log}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
