"""Wall and CPU time of the notebook batch next to the same number of empty notebooks run the same way.

The difference is the cost of our own notebooks (loading tables, charts, HTML); the empty run
is the floor set by papermill, kernel start-up and worker processes.

    PYTHONPATH=. python benchmarks/bench_batch.py [--jobs N] [--repeat 3] [--clean-dir DIR]
    PYTHONPATH=. python benchmarks/bench_batch.py --breakdown province_profile   # one notebook's steps

Both kinds of run are the same command, ``python -m analysis run --no-clean`` in a fresh
interpreter (what a user runs: the parent's imports count for both), with the same runner and
settings; only the plan differs. They alternate (empty, ours, empty, ours...) so that a change
in other load on the machine hits both, and the medians are printed. CPU time is user + system
time of the whole process tree (the command, its workers and their kernels): other agents on a
shared machine change it much less than they change wall time.

Prints figures; asserts nothing. Writes only to a temporary folder.
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
sys.path.insert(0, str(ROOT))

from analysis import config
from analysis.publish import batch  # noqa: E402


def _empty_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell("copy: int = 0  # which copy of the empty notebook")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(plan: Path, clean_dir: Path, reports: Path, jobs: int | None) -> tuple[float, float, int]:
    """``(wall s, CPU s, exit status)`` of one ``python -m analysis run`` of ``plan``."""
    command = [sys.executable, "-m", "analysis", "run", "--no-clean", "--no-progress", "--plan", str(plan),
               "--clean-dir", str(clean_dir), "--reports-dir", str(reports)]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)  # a failing notebook is reported, not fatal
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode:
        print(done.stderr, file=sys.stderr)
    return wall, cpu, done.returncode


def _count_notebooks(clean_dir: Path) -> int:
    from analysis.publish import views

    provinces = views.provinces_in(views.load("figures", clean_dir))
    return len(batch.expand_plan(batch.load_plan(config.PLAN), provinces, config.PLAN.parent))


def _worker_imports() -> tuple[float, float]:
    """Wall and CPU s of what a worker imports before its first notebook (fresh interpreter)."""
    code = ("from analysis.publish import batch; getattr(batch, 'skip_slow_iri_checker', lambda: None)()\n"
            "import nbformat, papermill, nbconvert; from analysis.publish import translators; translators.register()")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def breakdown(notebook: str, clean_dir: Path) -> list[tuple[str, float]]:
    """Where one notebook's time goes, run as a worker runs it: ``[(step, wall s), ...]``."""
    from datetime import datetime

    import nbformat

    from analysis.publish import views

    getattr(batch, "skip_slow_iri_checker", lambda: None)()  # older checkouts, for before/after figures
    provinces = views.provinces_in(views.load("figures", clean_dir))
    plan = [r for r in batch.load_plan(config.PLAN) if r["notebook"] == notebook]
    job = batch.expand_plan(plan, provinces, config.PLAN.parent)[0]
    source = config.PLAN.parent / f"{notebook}.ipynb"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    steps = [("worker imports (papermill, nbconvert; fresh process)", _worker_imports()[0])]
    with tempfile.TemporaryDirectory() as tmp:
        batch.report_page(nbformat.v4.new_notebook(), job)  # a worker's exporter is warm after its first report
        inject = {"clean_dir": str(clean_dir), "reports_dir": tmp}
        started = time.time()
        outcome = batch.execute_job(job, str(source), tmp, inject, "bench")
        finished = time.time()
        nb = nbformat.read(Path(tmp) / job.notebook / f"{job.slug}.ipynb", as_version=4)
        stamp = lambda text: datetime.fromisoformat(text).timestamp()  # noqa: E731
        cells = [c for c in nb.cells if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        steps.append(("kernel start (until the first cell)", stamp(cells[0].metadata.papermill.start_time) - started))
        for cell in cells:
            if cell.cell_type == "code":
                first = (cell.source.splitlines() or [""])[0]
                steps.append((f"cell: {first[:60]}", cell.metadata.papermill.duration or 0.0))
        last = stamp(cells[-1].metadata.papermill.end_time)
        html_started = time.perf_counter()
        batch.report_page(nb, job)
        html = time.perf_counter() - html_started
        steps.append(("between cells (papermill saves the notebook, markdown cells)",
                      last - stamp(cells[0].metadata.papermill.start_time)
                      - sum(c.metadata.papermill.duration or 0.0 for c in cells if c.cell_type == "code")))
        steps.append(("kernel stop, HTML export, writes", finished - last))
        steps.append(("  of which the page (HTML export and its embedded font)", html))
        steps.append(("job total (as the batch reports it)", outcome.seconds))
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind; medians are printed (default 3)")
    # The committed tables once they include the data package's; else the small hand-made set.
    needed = ("figures", "themes", "indicators", "indicator_definitions")
    complete = all((config.CLEAN_DIR / f"{name}.csv").is_file() for name in needed)
    default_clean = config.CLEAN_DIR if complete else ROOT / "tests" / "fixtures" / "clean_small"
    parser.add_argument("--clean-dir", type=Path, default=default_clean)
    parser.add_argument("--breakdown", metavar="NOTEBOOK", help="instead: where one notebook's time goes "
                        "(its first planned run, e.g. province_profile)")
    args = parser.parse_args()
    if args.breakdown:
        for step, seconds in breakdown(args.breakdown, args.clean_dir):
            print(f"{seconds:7.2f} s  {step}")
        return 0

    count = _count_notebooks(args.clean_dir)
    samples: dict[str, list[tuple[float, float, int]]] = {"empty": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty_dir = tmp / "empty_nbs"
        empty_dir.mkdir()
        _empty_notebook(empty_dir / "empty.ipynb")
        empty_plan = empty_dir / "plan.yaml"
        runs = [{"notebook": "empty", "parameters": [{"copy": n} for n in range(count)]}]
        empty_plan.write_text(json.dumps({"runs": runs}), encoding="utf-8")
        for n in range(args.repeat):
            for kind, plan in (("empty", empty_plan), ("ours", config.PLAN)):
                reports = tmp / f"{kind}-{n}"
                samples[kind].append(_timed(plan, args.clean_dir, reports, args.jobs))
                if kind == "ours":
                    made = sum(1 for _ in reports.glob("*/*.html"))
                    if made != count:
                        print(f"warning: our plan wrote {made} reports, expected {count}", file=sys.stderr)

    def median(kind: str, i: int) -> float:
        return statistics.median(s[i] for s in samples[kind])

    status = max(s[2] for s in samples["ours"])
    jobs = args.jobs or "one per core"
    print(f"clean tables: {args.clean_dir}; workers: {jobs}; runs of each kind: {args.repeat} (medians)")
    walls = {k: ", ".join(f"{s[0]:.1f}" for s in v) for k, v in samples.items()}
    print(f"wall s of each run: ours {walls['ours']}; empty {walls['empty']}")
    print(f"{'run':<28}{'notebooks':>10}{'wall s':>10}{'s/notebook':>12}{'CPU s':>10}")
    for label, kind in ((f"our plan (exit {status})", "ours"), ("empty notebooks", "empty")):
        wall, cpu = median(kind, 0), median(kind, 1)
        print(f"{label:<28}{count:>10}{wall:>10.1f}{wall / max(count, 1):>12.2f}{cpu:>10.1f}")
    wall_ratio = median("ours", 0) / max(median("empty", 0), 1e-9)
    cpu_ratio = median("ours", 1) / max(median("empty", 1), 1e-9)
    print(f"overhead of our notebooks: {median('ours', 0) - median('empty', 0):.1f} s wall "
          f"({wall_ratio:.2f}x the empty run), {median('ours', 1) - median('empty', 1):.1f} s CPU ({cpu_ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
