"""``clean-corpus --jobs 2`` against ``--jobs 1``: the CPU of every process each run starts.

    python benchmarks/bench_corpus_jobs.py                 # 200 generated reports, 3 runs each
    python benchmarks/bench_corpus_jobs.py --files 400 --repeats 5 --json out.json

A worker pool costs CPU beyond the work itself (each worker's imports, the parent's), so two jobs
take more CPU than one; issue 20's target is at most 1.2x. Workers may be forked by a fork server
that the command does not wait for (it ends by itself right after the command), so timing the
command's own process and its reaped children would miss them. This process makes itself the
"child subreaper" of what it starts (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``): every descendant
left behind is handed to it, and it waits for all of them, adding up their CPU (user + sys).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import ROOT, adopt_orphans, reap_orphans


def whole_cpu(argv: list[str]) -> tuple[float, float]:
    """CPU seconds of the command and every process it left behind, and its wall seconds."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(argv)}")
    # orphans (a fork server and what it forked) were handed to this process
    return sum(u.ru_utime + u.ru_stime for u in (usage, *reap_orphans())), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="generated reports (default 200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not adopt_orphans():
        print("cannot become a child subreaper (not Linux?): workers a fork server starts would not count",
              file=sys.stderr)
        return 1
    from benchmarks.corpus_gen import write_files

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        raw = Path(tmp) / "raw"
        write_files(raw, args.files)
        n_chars = sum(len(p.read_text(encoding="utf-8")) for p in raw.iterdir())
        for _ in range(args.repeats):  # A B A B: drift in the machine's speed hits both
            for jobs in (1, 2):
                out = Path(tmp) / f"out{jobs}"
                shutil.rmtree(out, ignore_errors=True)
                cpu, wall = whole_cpu([sys.executable, "-m", "analysis", "clean-corpus", str(raw), "-o", str(out),
                                       "--jobs", str(jobs), "--no-progress"])
                results.setdefault(jobs, []).append((cpu, wall))
    cpu1, cpu2 = (statistics.median(c for c, _ in results[j]) for j in (1, 2))
    wall1, wall2 = (statistics.median(w for _, w in results[j]) for j in (1, 2))
    print(f"clean-corpus on {args.files} generated reports ({n_chars:,} chars), medians of {args.repeats}, "
          f"CPU of every process started:")
    print(f"  --jobs 1: {cpu1:.2f} s CPU, {wall1:.2f} s wall")
    print(f"  --jobs 2: {cpu2:.2f} s CPU, {wall2:.2f} s wall")
    print(f"  jobs 2 / jobs 1 CPU: {cpu2 / cpu1:.2f}x (target <= 1.2x); wall: {wall2 / wall1:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"files": args.files, "n_chars": n_chars, "cpu": [cpu1, cpu2],
                                         "wall": [wall1, wall2], "ratio": cpu2 / cpu1}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
