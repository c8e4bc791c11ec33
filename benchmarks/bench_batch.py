"""Wall time of the notebook batch next to the same number of empty notebooks run the same way.

The difference is the cost of our own notebooks (loading tables, charts, HTML); the empty run
is the floor set by papermill, kernel start-up and worker processes.

    PYTHONPATH=. python benchmarks/bench_batch.py [--jobs N] [--clean-dir DIR]

Prints figures; asserts nothing. Writes only to a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import batch, config  # noqa: E402


def _empty_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell("copy: int = 0  # which copy of the empty notebook")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)


def _timed(plan: Path, clean_dir: Path, reports: Path, jobs: int | None) -> tuple[float, int]:
    started = time.perf_counter()
    status = batch.run_batch(plan, jobs=jobs, clean_dir=clean_dir, reports_dir=reports, run_clean=False,
                             progress=False, out=io.StringIO())
    return time.perf_counter() - started, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    # The committed tables once they include the data package's; else the small hand-made set.
    needed = ("figures", "themes", "indicators", "indicator_definitions")
    complete = all((config.CLEAN_DIR / f"{name}.csv").is_file() for name in needed)
    default_clean = config.CLEAN_DIR if complete else ROOT / "tests" / "fixtures" / "clean_small"
    parser.add_argument("--clean-dir", type=Path, default=default_clean)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        real_seconds, status = _timed(batch.DEFAULT_PLAN, args.clean_dir, tmp / "real", args.jobs)
        count = sum(1 for p in (tmp / "real").glob("*/*.ipynb"))
        empty_dir = tmp / "empty_nbs"
        empty_dir.mkdir()
        _empty_notebook(empty_dir / "empty.ipynb")
        plan = empty_dir / "plan.yaml"
        runs = [{"notebook": "empty", "parameters": [{"copy": n} for n in range(count)]}]
        plan.write_text(json.dumps({"runs": runs}), encoding="utf-8")
        empty_seconds, _ = _timed(plan, args.clean_dir, tmp / "empty", args.jobs)

    jobs = args.jobs or "one per core"
    print(f"clean tables: {args.clean_dir}; workers: {jobs}")
    print(f"{'run':<28}{'notebooks':>10}{'wall s':>10}{'s/notebook':>12}")
    print(f"{'our plan (exit ' + str(status) + ')':<28}{count:>10}{real_seconds:>10.1f}{real_seconds / max(count, 1):>12.2f}")
    print(f"{'empty notebooks':<28}{count:>10}{empty_seconds:>10.1f}{empty_seconds / max(count, 1):>12.2f}")
    print(f"overhead of our notebooks: {real_seconds - empty_seconds:.1f} s "
          f"({real_seconds / max(empty_seconds, 1e-9):.2f}x the empty run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
