"""Start-up cost: ``import analysis`` (every notebook kernel pays it) and ``python -m analysis --help``.

    python benchmarks/bench_import.py

Wall time of fresh interpreters, median of 5 (after one unmeasured run that warms the file cache),
next to a bare ``python -c pass``. Also lists the heaviest modules ``import analysis`` and ``--help``
pull in (``-X importtime``), which is where a slow start comes from. Target (issue 6): ``--help`` in
under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import ROOT, finish, print_table

HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "pandera",
    "frictionless",
    "dask",
    "distributed",
    "nbconvert",
    "pyarrow",
    "yaml",
    "tqdm",
    "charset_normalizer",
)


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _run(argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system, from ``wait4``), exit status and stderr of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read()
    child.stderr.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return (
        time.perf_counter() - start,
        usage.ru_utime + usage.ru_stime,
        child.returncode,
        stderr.decode("utf-8", "replace"),
    )


def wall(argv: list[str], repeats: int = 5) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of running ``argv`` to completion.

    CPU time is the figure that does not depend on other load on the machine; wall time is what a
    user waits for on an idle one.
    """
    _, _, status, stderr = _run(argv)
    if status != 0:
        tail = (stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{' '.join(argv[1:])} exited {status}: {tail}")
    runs = [_run(argv) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def imported_heavy(python: str, code: str) -> list[str]:
    """Which of the heavy libraries ``code`` ends up importing."""
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([python, "-c", probe], cwd=ROOT, env=_env(), capture_output=True, text=True, check=False)
    return done.stdout.split()


def slowest_imports(python: str, argv: list[str], n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` top-level packages with the largest cumulative import time under ``-X importtime``."""
    done = subprocess.run(
        [python, "-X", "importtime", *argv], cwd=ROOT, env=_env(), capture_output=True, text=True, check=False
    )
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        # Nested imports are indented under their importer; a top-level one has a single space.
        if parts[2].startswith("  "):
            continue
        top = parts[2].strip().split(".")[0]
        totals[top] = totals.get(top, 0.0) + int(parts[1]) / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])[:n]


def measure(python: str, repeats: int) -> dict:
    results = {
        "python_pass": wall([python, "-c", "pass"], repeats),
        "import_analysis": wall([python, "-c", "import analysis"], repeats),
        "help": wall([python, "-m", "analysis", "--help"], repeats),
        "heavy_on_import": imported_heavy(python, "import analysis"),
        "heavy_on_help": imported_heavy(
            python,
            "import sys, contextlib, io\nfrom analysis import cli\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: cli.main(['--help'])\n    except SystemExit: pass",
        ),
        "slowest_on_help": slowest_imports(python, ["-m", "analysis", "--help"]),
    }
    return results


def report(results: dict, file=sys.stdout) -> None:
    floor_wall, floor_cpu = results["python_pass"]
    rows = []
    for label, key in (
        ("python -c pass", "python_pass"),
        ("python -c 'import analysis'", "import_analysis"),
        ("python -m analysis --help", "help"),
    ):
        wall_s, cpu_s = results[key]
        rows.append(
            [
                label,
                f"{wall_s * 1000:.0f} ms",
                f"{cpu_s * 1000:.0f} ms",
                "-" if key == "python_pass" else f"{(cpu_s - floor_cpu) * 1000:+.0f} ms",
            ]
        )
    print("fresh interpreter, median of runs", file=file)
    print_table(rows, ["command", "wall", "CPU", "CPU over bare python"], file=file)
    print(
        f"\nheavy libraries loaded by `import analysis`: {', '.join(results['heavy_on_import']) or 'none'}", file=file
    )
    print(f"heavy libraries loaded by `--help`: {', '.join(results['heavy_on_help']) or 'none'}", file=file)
    slow = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in results["slowest_on_help"])
    print(f"slowest imports under --help (-X importtime, cumulative): {slow}", file=file)
    verdict = "met" if results["help"][0] < 0.5 else "NOT met"
    print(f"target `python -m analysis --help` < 500 ms wall: {verdict}", file=file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    try:
        results = measure(args.python, args.repeats)
    except RuntimeError as err:
        print(f"failed: {err}", file=sys.stderr)
        return 1
    return finish(results, report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
