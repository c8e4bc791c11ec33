"""Shared helpers of the benchmark scripts: one-core pinning, median timing, machine description."""

from __future__ import annotations

import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pin_to_one_core() -> int | None:
    """Run this process on one CPU (the last one available) so figures are per core; returns it."""
    try:
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):  # not Linux: measure unpinned
        return None
    return cpu


def load_callable(spec: str) -> Callable:
    """``"package.module:function"`` -> the function."""
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def median_seconds(
    run: Callable[[], object],
    repeats: int = 5,
    min_seconds: float = 0.2,
    clock: Callable[[], float] = time.process_time,
) -> float:
    """Median time of one call of ``run``; quick calls are looped so each sample lasts ``min_seconds``.

    The clock is this process's CPU time by default: single-threaded code on one core takes the same
    CPU time whether or not other work shares the machine, while wall time would count the waiting.
    The first call is a warm-up (caches, lazily compiled patterns, lexicon loading) and is not counted.
    """
    run()
    start = clock()
    run()
    once = clock() - start
    loops = max(1, int(min_seconds / max(once, 1e-9)))
    samples = [once] if loops == 1 else []  # a long calibration call is a fair sample: keep it
    while len(samples) < repeats:
        gc.collect()
        start = clock()
        for _ in range(loops):
            run()
        samples.append((clock() - start) / loops)
    return statistics.median(samples)


def machine() -> dict[str, str]:
    """What the figures were measured on: core count, CPU model, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()}",
    }


def finish(results: dict, report: Callable[[dict], None], json_path: Path | None) -> int:
    """Record the machine, print the figures, and write them as JSON when asked; the exit status."""
    results["machine"] = machine()
    report(results)
    if json_path:
        json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def mchars(chars_per_second: float) -> str:
    return f"{chars_per_second / 1e6:7.2f} M chars/s"


def print_table(rows: list[list[str]], header: list[str], file=sys.stdout) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for row in rows:
        print(
            "  ".join(
                str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ),
            file=file,
        )


_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Make this process the "child subreaper" of what it starts (Linux): a process its command
    leaves behind (a fork server, the workers it forked) is handed to this process instead of init,
    so :func:`reap_orphans` can count its CPU and memory. False where that is not possible."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans() -> list:
    """Wait for every child left (orphans handed over by :func:`adopt_orphans`); their rusages."""
    usages = []
    while True:
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return usages
        usages.append(usage)
