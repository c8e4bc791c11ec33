"""Ctrl-C during `run`, repeated: does every interrupt end cleanly?

Issue 22: a Ctrl-C during ``python -m analysis run`` sometimes ended in a traceback from the process
pool's exit handler (``concurrent/futures/process.py ... _python_exit ... send_bytes ... Bad file
descriptor``), a race between that handler and the pool's manager thread closing its wake-up pipe.
A race is not shown by one run: this script runs the scenario of
``test_ctrl_c_stops_the_workers_and_leaves_no_partial_report`` (tests/test_batch.py) many times, by
default with the machine's other cores kept busy (the load under which the race was seen), and
counts the runs that ended cleanly: exit status 130, the ``interrupted`` lines and nothing else on
stderr (no traceback), no temporary, staging or swap folder left, no report published.

    python benchmarks/bench_interrupts.py              # 30 runs, the other cores busy
    python benchmarks/bench_interrupts.py --runs 10 --no-load
    python benchmarks/bench_interrupts.py --busy 3           # more load than cores

It prints one line per run and a summary: ``30 runs, 30 clean``. Exit status 1 if any run was not clean.

The race needs two things at once: the pool's manager thread still running when the interpreter's
exit handler starts (it is late on a loaded machine), and the manager closing the wake-up pipe in a
window a few bytecodes wide (between ``_ThreadWakeup.wakeup``'s check that the pipe is open and its
write). Plain repetition rarely meets both. ``--widen SECONDS`` runs the command with a
``sitecustomize`` that makes both likely: the manager thread waits half of SECONDS before it
closes the pipe, and ``wakeup`` sleeps SECONDS inside its window (the standard library's code
otherwise unchanged). A pool shut down in an unsafe order then fails nearly every run; one whose
manager thread is joined before the command returns cannot fail.

    python benchmarks/bench_interrupts.py --widen 0.3     # the race made likely
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT

FIXTURE_CLEAN = ROOT / "tests" / "fixtures" / "clean_small"
FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw_small"


def _notebook(folder: Path, name: str, parameters: str, body: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, folder / f"{name}.ipynb")


def project(base: Path) -> Path:
    """A plan of a slow notebook and a quick one, as in the test; returns the plan."""
    notebooks = base / "nbs"
    notebooks.mkdir(parents=True)
    _notebook(notebooks, "slow", 'clean_dir: str = ""  # tables', "import time\ntime.sleep(120)")
    _notebook(notebooks, "good", 'province: str = ""  # a province\nclean_dir: str = ""  # tables',
              "from analysis.publish.views import show_summary\nshow_summary(province)")
    plan = notebooks / "plan.yaml"
    plan.write_text(json.dumps({"runs": [{"notebook": "slow", "parameters": [{}]},
                                         {"notebook": "good", "parameters": [{"province": "湖南"}]}]}),
                    encoding="utf-8")
    return plan


def running(reports: Path) -> bool:
    """papermill is executing the slow notebook (its temporary output exists, in whichever staging folder)."""
    pattern = "slow/.default.*.tmp.ipynb"
    return any(reports.glob(f".staging-*/{pattern}")) or any(reports.parent.glob(f".{reports.name}.swap-*/{pattern}"))


def leftovers(reports: Path) -> list[str]:
    inside = [p.relative_to(reports).as_posix() for p in reports.rglob(".*")
              if p.name not in (".batch-kernels.log", ".batch.lock")] if reports.exists() else []
    beside = [p.name for p in reports.parent.glob(f".{reports.name}.swap-*")]
    return inside + beside


WIDEN = """\
import concurrent.futures.process as _process, time as _time

_join = _process._ExecutorManagerThread.join_executor_internals

def _late_join(self, _delay={delay}):
    _time.sleep(_delay)  # a loaded machine: the manager thread closes the wake-up pipe late
    _join(self)

def _wakeup(self, _pause={pause}):
    if not self._closed:
        _time.sleep(_pause)  # inside the window: the manager thread may close the pipe now
        self._writer.send_bytes(b"")

_process._ExecutorManagerThread.join_executor_internals = _late_join
_process._ThreadWakeup.wakeup = _wakeup
"""


def one_run(n: int, base: Path, plan: Path, shim: Path | None = None) -> tuple[bool, str, float]:
    reports = base / f"reports-{n}"
    command = [sys.executable, "-m", "analysis", "run", "--plan", str(plan), "--no-clean", "--no-progress",
               "--clean-dir", str(FIXTURE_CLEAN), "--raw-dir", str(FIXTURE_RAW), "--reports-dir", str(reports), "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*([str(shim)] if shim else []), str(ROOT)])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=base)
    try:
        deadline = time.monotonic() + 180
        while not running(reports):
            if process.poll() is not None:
                return False, f"ended before the notebook started: exit {process.returncode}", 0.0
            if time.monotonic() > deadline:
                return False, "the slow notebook never started", 0.0
            time.sleep(0.1)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        seconds = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    problems = []
    if process.returncode != 130:
        problems.append(f"exit {process.returncode}")
    unexpected = [line for line in stderr.splitlines() if line.strip() and not line.startswith("interrupted")]
    if unexpected:
        where = " (in the pool's exit handler, _python_exit)" if "_python_exit" in stderr else ""
        problems.append(f"stderr{where}: " + " | ".join(unexpected[-2:]))
    if leftovers(reports):
        problems.append(f"left: {leftovers(reports)}")
    if reports.exists() and (list(reports.rglob("*.ipynb")) or (reports / "index.html").exists()):
        problems.append("a report was published")
    return not problems, "; ".join(problems), seconds


def _spin() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-load", dest="load", action="store_false", help="do not keep the other cores busy")
    parser.add_argument("--busy", type=int, default=None, metavar="N",
                        help="spinning processes to start (default: one per core but one)")
    parser.add_argument("--widen", type=float, default=0.0, metavar="SECONDS",
                        help="sleep this long inside the pool exit handler's race window")
    args = parser.parse_args(argv)
    busy = []
    if args.load:  # one spinning process per core but one: the run and its worker share what is left
        for _ in range(args.busy if args.busy is not None else max(1, (os.cpu_count() or 2) - 1)):
            spinner = multiprocessing.Process(target=_spin, daemon=True)
            spinner.start()
            busy.append(spinner)
    clean = 0
    try:
        with tempfile.TemporaryDirectory(prefix="bench-interrupts-") as scratch:
            base = Path(scratch)
            plan = project(base)
            shim = None
            if args.widen > 0:
                shim = base / "widen"
                shim.mkdir()
                (shim / "sitecustomize.py").write_text(WIDEN.format(pause=args.widen, delay=args.widen / 2), encoding="utf-8")
            for n in range(1, args.runs + 1):
                ok, why, seconds = one_run(n, base, plan, shim)
                clean += ok
                print(f"run {n:3d}: {'clean' if ok else 'NOT CLEAN'}  ({seconds:4.1f} s to stop){'  ' + why if why else ''}",
                      flush=True)
    finally:
        for spinner in busy:
            spinner.terminate()
            spinner.join()
    load = f"with {len(busy)} spinning process(es) on {os.cpu_count()} cores" if busy else "on an idle machine"
    if args.widen > 0:
        load += f", the race window widened by {args.widen} s"
    print(f"{args.runs} runs, {clean} clean ({load})")
    return 0 if clean == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
