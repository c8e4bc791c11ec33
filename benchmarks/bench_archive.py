"""An archive as its users keep it, timed: clean-corpus (locally and on a Dask cluster), reruns, and run.

Generates an archive (:mod:`benchmarks.archive_gen`: yearly editions of the genre set and the seed,
round-ups, a few exact duplicates, the same file names in every year), then prints, each a fresh
command as a user types it:

- ``clean-corpus --jobs 2``: the full run, a rerun with nothing changed, a rerun after a new batch of
  reports in the latest year (as archives grow) and one after as many added across all the years (how
  many partitions were cleaned, how many Parquet parts written);
- the same on a local Dask cluster of two worker processes (``--scheduler``), checked equal to the
  local output table by table;
- ``run`` over the output: the full run, a rerun with nothing changed, and one after the reports
  were added (notebooks run again, source views written).

    python benchmarks/bench_archive.py                       # about 300 reports, six years
    python benchmarks/bench_archive.py --roundups 10 --years 2021-2023 --no-run
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.archive_gen import _years, write_archive  # noqa: E402


def _command(*args, cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stderr}")
    return seconds, done.stdout


def _corpus_line(stdout: str) -> str:
    return next((line for line in stdout.splitlines() if "partition(s)" in line), "")


def _run_line(stdout: str) -> str:
    return next((line for line in stdout.splitlines() if "notebooks ran" in line), "").split("; index:")[0]


def _add_reports(archive: Path, years: list[int], n: int, tag: str) -> list[Path]:
    """``n`` new round-ups spread over ``years``, each in its year's folder."""
    extra = Path(tempfile.mkdtemp(prefix="archive-extra-"))
    added = []
    chosen = list(years)
    for i in range(n):
        year = chosen[i % len(chosen)]
        write_archive(extra / str(i), range(year, year + 1), cases=[], seed_editions=False, roundups=1, duplicates=0,
                      seed=(2000 if tag == "late" else 3000) + i)
        source = extra / str(i) / str(year) / "huizong" / "roundup_00.txt"
        target = archive / str(year) / "huizong" / f"roundup_{tag}_{i:02d}.txt"
        shutil.copyfile(source, target)
        shutil.copyfile(source.with_name(source.name + ".source.yml"), target.with_name(target.name + ".source.yml"))
        added.append(target)
    shutil.rmtree(extra)
    return added


def _same_tables(one: Path, two: Path) -> bool:
    import pandas as pd

    from analysis.store.reader import read_table
    from analysis.tables.contract import PER_DOCUMENT

    for name in (*PER_DOCUMENT, "failures", "duplicates"):
        try:
            pd.testing.assert_frame_equal(read_table(one, name), read_table(two, name), check_exact=True)
        except AssertionError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=_years, default=range(2019, 2025))
    parser.add_argument("--roundups", type=int, default=30, help="generated round-ups per year")
    parser.add_argument("--add", type=int, default=6, help="reports added before the reruns")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--no-run", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    archive, out, dask_out, reports = work / "archive", work / "out", work / "out-dask", work / "reports"
    for folder in (archive, out, dask_out, reports):
        shutil.rmtree(folder, ignore_errors=True)
    files = write_archive(archive, args.years, roundups=args.roundups)
    size = sum(p.stat().st_size for p in archive.rglob("*.txt"))
    print(f"archive: {len(files)} reports in {len(args.years)} yearly folders, {size / 1e6:.1f} MB of text ({archive})")
    rows = []

    def corpus(label: str, target: Path, *extra) -> None:
        seconds, stdout = _command("clean-corpus", archive, "-o", target, "--no-progress", *extra, cwd=work)
        rows.append((label, seconds, _corpus_line(stdout)))

    corpus("clean-corpus --jobs 2: full", out, "--jobs", args.jobs)
    corpus("clean-corpus: nothing changed", out, "--jobs", args.jobs)
    cluster = None
    if not args.no_dask:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        corpus("clean-corpus on Dask (2 workers): full", dask_out, "--scheduler", cluster.scheduler_address)
    if not args.no_run:
        seconds, stdout = _command("run", "--no-clean", "--no-progress", "--clean-dir", out, "--reports-dir", reports,
                                   "--jobs", args.jobs, cwd=work)
        rows.append(("run: full", seconds, _run_line(stdout)))
        seconds, stdout = _command("run", "--no-clean", "--no-progress", "--clean-dir", out, "--reports-dir", reports,
                                   "--jobs", args.jobs, cwd=work)
        rows.append(("run: nothing changed", seconds, _run_line(stdout)))
    for label, years in (("in the latest year", [args.years[-1]]), ("across the years", list(args.years))):
        added = _add_reports(archive, years, args.add, "late" if len(years) == 1 else "spread")
        corpus(f"clean-corpus: {len(added)} reports added {label}", out, "--jobs", args.jobs)
        if cluster is not None:
            corpus("clean-corpus on Dask: the same", dask_out, "--scheduler", cluster.scheduler_address)
            rows.append(("Dask output equals the local output", 0.0, str(_same_tables(out, dask_out))))
        if not args.no_run:
            seconds, stdout = _command("run", "--no-clean", "--no-progress", "--clean-dir", out, "--reports-dir",
                                       reports, "--jobs", args.jobs, cwd=work)
            rows.append((f"run: {len(added)} reports added {label}", seconds, _run_line(stdout)))
    if cluster is not None:
        cluster.close()
    width = max(len(r[0]) for r in rows)
    for label, seconds, what in rows:
        print(f"{label:<{width}}  {seconds:7.1f} s  {re.sub(r'/tmp/[^ ]+', '', what)}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
