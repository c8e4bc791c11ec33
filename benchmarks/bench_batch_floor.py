"""The notebook batch against the floor of issue 13: a notebook that imports pandas and matplotlib,
reads figures.csv and saves one bar chart, run the same way, once per notebook of our plan.

    python benchmarks/bench_batch_floor.py                 # 3 runs of each kind, one worker per core
    python benchmarks/bench_batch_floor.py --repeat 5 --jobs 2

Three kinds of run, all the same command in a fresh interpreter, ``python -m analysis run --no-clean
--plan PLAN --clean-dir data/clean --reports-dir TMP`` (so parent start-up, papermill, kernel start,
HTML export and the index are the same for all); only the plan differs:

- ``ours``: notebooks/plan.yaml;
- ``floor``: the floor notebook (below), as many runs as our plan has notebooks;
- ``empty``: a notebook with only a parameters cell, as many runs (the old floor, for reference).

They alternate (floor, ours, empty, floor, ours, ...) so a change in other load hits all kinds, and
medians are printed: wall seconds, and CPU seconds of the whole process tree (user + sys of the
children, from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas). Target (issue 13): ours <= 1.5x floor.

Layout-independent: it only drives the CLI and reads the reports it writes. Prints figures;
asserts nothing; writes only to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "notebooks" / "plan.yaml"
CLEAN = ROOT / "data" / "clean"

FLOOR_CODE = """\
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt

figures = pd.read_csv(Path(clean_dir) / "figures.csv")
counts = figures.groupby("province").size().sort_values(ascending=False)
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(range(len(counts)), counts.to_numpy())  # ranks on the axis: no CJK font work in the floor
ax.set_xlabel("province (rank)")
ax.set_ylabel("figures")
Path(reports_dir).mkdir(parents=True, exist_ok=True)
fig.savefig(Path(reports_dir) / f"floor-{copy}.png", dpi=100)
plt.close(fig)
"""


def _notebook(path: Path, code: str | None) -> None:
    """A notebook with a parameters cell (``copy``, ``clean_dir``, ``reports_dir``) and ``code`` if given."""

    def cell(source: str, tags: list[str] | None = None) -> dict:
        return {"cell_type": "code", "execution_count": None, "id": f"c{abs(hash(source)) % 10**8}",
                "metadata": {"tags": tags or []}, "outputs": [], "source": source}

    params = ('copy: int = 0  # which copy of this notebook\n'
              'clean_dir: str = "data/clean"  # folder of the clean tables\n'
              'reports_dir: str = "reports"  # where the chart is saved')
    cells = [cell(params, ["parameters"])] + ([cell(code)] if code else [])
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                       "language_info": {"name": "python"}}}
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(plan: Path, reports: Path, jobs: int | None) -> tuple[float, float, int, int]:
    """``(wall s, CPU s, exit status, reports written)`` of one ``python -m analysis run``."""
    command = [sys.executable, "-m", "analysis", "run", "--no-clean", "--no-progress", "--plan", str(plan),
               "--clean-dir", str(CLEAN), "--reports-dir", str(reports)]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
    return wall, cpu, done.returncode, sum(1 for _ in reports.glob("*/*.html"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, help="worker processes (default: the batch's own, one per core)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind; medians are printed")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    samples: dict[str, list] = {"floor": [], "ours": [], "empty": []}
    with tempfile.TemporaryDirectory(prefix="bench-batch-floor-") as tmp:
        tmp = Path(tmp)
        # how many notebooks our plan runs: one run of it, not timed (it also warms the caches)
        count = timed_run(PLAN, tmp / "count", args.jobs)[3]
        plans = {"ours": PLAN}
        for kind, code in (("floor", FLOOR_CODE), ("empty", None)):
            folder = tmp / f"{kind}_nbs"
            folder.mkdir()
            _notebook(folder / f"{kind}.ipynb", code)
            runs = [{"notebook": kind, "parameters": [{"copy": n} for n in range(count)]}]
            (folder / "plan.yaml").write_text(json.dumps({"runs": runs}), encoding="utf-8")
            plans[kind] = folder / "plan.yaml"
        for n in range(args.repeat):
            for kind in samples:
                samples[kind].append(timed_run(plans[kind], tmp / f"{kind}-{n}", args.jobs))
    med = {k: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v)) for k, v in samples.items()}
    print(f"notebooks per run: {count}; workers: {args.jobs or 'one per core'} ({os.cpu_count()} CPUs); "
          f"runs of each kind: {args.repeat} (medians); load average now {os.getloadavg()[0]:.2f}")
    print(f"{'run':<34}{'wall s':>9}{'wall s/nb':>11}{'CPU s':>9}{'CPU s/nb':>10}  wall of each run")
    labels = {"ours": "our plan", "floor": "floor (pandas+matplotlib+csv+chart)", "empty": "empty notebooks"}
    for kind in ("ours", "floor", "empty"):
        wall, cpu = med[kind]
        status = max(s[2] for s in samples[kind])
        each = ", ".join(f"{s[0]:.1f}" for s in samples[kind])
        print(f"{labels[kind] + (f' (exit {status})' if status else ''):<34}{wall:>9.1f}{wall / count:>11.2f}"
              f"{cpu:>9.1f}{cpu / count:>10.2f}  {each}")
    ratio_wall, ratio_cpu = med["ours"][0] / med["floor"][0], med["ours"][1] / med["floor"][1]
    print(f"ours / floor: {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x CPU (target <= 1.5x); "
          f"floor / empty: {med['floor'][0] / med['empty'][0]:.2f}x wall, {med['floor'][1] / med['empty'][1]:.2f}x CPU")
    if args.json:
        args.json.write_text(json.dumps({"count": count, "samples": samples, "medians": med}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
