"""Run every benchmark and print one summary (``make bench``).

    python benchmarks/run_all.py            # full: the paths users run (5-100 MB), the extractor, memory, batch
    python benchmarks/run_all.py --quick    # smaller sizes, for a first look (a few minutes less)
    python benchmarks/run_all.py --only extract,peers

Each benchmark runs as its own process (so one-core pinning and peak memory are its own) and prints
its full table as it goes; the summary at the end, also as a Markdown table for the README, holds the
headline figures and the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import ROOT, machine

HERE = Path(__file__).resolve().parent

# name -> (script benchmarks/bench_<script>.py, its arguments)
FULL = {
    "paths": ("paths", []),
    "batch-floor": ("batch_floor", []),
    "extract": ("extract", ["--size", "5MB"]),
    "peers": ("peers", ["--size", "5MB"]),
    "peers-seed": ("peers", ["--size", "5MB", "--corpus", "seed"]),
    "memory": ("memory", ["--sizes", "10MB,25MB,50MB,100MB", "--corpus"]),
    "import": ("import", []),
    "corpus-jobs": ("corpus_jobs", []),
    "batch": ("batch", []),
    "formats": ("formats", ["--genre"]),
}
QUICK = {
    "paths": ("paths", ["--quick"]),
    "batch-floor": ("batch_floor", ["--repeat", "2"]),
    "extract": ("extract", ["--size", "1MB", "--repeats", "3"]),
    "peers": ("peers", ["--size", "1MB", "--repeats", "3"]),
    "peers-seed": ("peers", ["--size", "1MB", "--repeats", "3", "--corpus", "seed"]),
    "memory": ("memory", ["--sizes", "5MB,10MB"]),
    "import": ("import", ["--repeats", "3"]),
    "corpus-jobs": ("corpus_jobs", ["--repeats", "1"]),
    "batch": ("batch", []),
    "formats": ("formats", ["--copies", "3"]),
}


def run_one(name: str, args: list[str], json_path: Path) -> int:
    script = HERE / f"bench_{name}.py"  # name: the script's, e.g. peers for peers-seed
    argv = [sys.executable, str(script), *args]
    print(f"\n=== {script.relative_to(ROOT)} {' '.join(args)}", flush=True)
    if name == "batch":
        # bench_batch.py (the notebooks' benchmark) prints text only: keep its verdict line for the summary.
        done = subprocess.run(argv, cwd=ROOT, check=False, capture_output=True, text=True)
        print(done.stdout, end="")
        print(done.stderr, end="", file=sys.stderr)
        lines = [
            line for line in done.stdout.splitlines() if line.startswith(("our plan", "empty notebooks", "overhead"))
        ]
        json_path.write_text(json.dumps({"lines": lines}), encoding="utf-8")
        return done.returncode
    return subprocess.run([*argv, "--json", str(json_path)], cwd=ROOT, check=False).returncode


def _paths_summary(r: dict) -> list[tuple[str, str]]:
    """The end-to-end rows of bench_paths.py: what users run, the core and the peers, in one run."""
    from benchmarks.bench_paths import ratios

    rows = [("start-up, `python -m analysis --help` (subtracted from each command below)",
             f"{r['startup_cpu_seconds']:.2f} s CPU")]
    for x in r["rows"]:
        if x["id"] == "startup":
            continue
        if "skipped" in x:
            rows.append((f"{x['id']}: {x['path']}, {x['input']}", x["skipped"][:80]))
            continue
        speed = f"{x['chars_per_second'] / 1e6:.2f} M chars/s" if x.get("chars_per_second") else "-"
        extra = "" if x.get("library") else f", {x['wall_seconds']:.2f} s wall, peak RSS {x['peak_rss_mb']:.0f} MB"
        rows.append((f"{x['id']}: {x['path']}, {x['input']}", f"{speed} ({x['net_cpu_seconds']:.2f} s CPU{extra})"))
    rows += [("ratio", line) for line in ratios(r)]
    la = r.get("load_average")
    if la:
        rows.append(("load average before / after (1 min)", f"{la[0]} / {la[3]}"))
    return rows


def summary(found: dict[str, dict]) -> list[tuple[str, str]]:
    rows = []
    if "paths" in found:
        rows += _paths_summary(found["paths"])
    if "batch-floor" in found:
        r = found["batch-floor"]
        (ours_wall, ours_cpu), (floor_wall, floor_cpu) = r["medians"]["ours"], r["medians"]["floor"]
        n = r["count"]
        rows.append((f"notebook batch ({n} notebooks) vs the floor notebook run the same way (medians)",
                     f"{ours_wall / n:.2f} vs {floor_wall / n:.2f} s wall per notebook ({ours_wall / floor_wall:.2f}x), "
                     f"{ours_cpu / n:.2f} vs {floor_cpu / n:.2f} s CPU ({ours_cpu / floor_cpu:.2f}x); target <= 1.5x"))
    if "extract" in found:
        r = found["extract"]
        largest = max(r["many_files"], key=int)
        rows.append(
            (
                f"extractor, {int(largest) / 1e6:g} MB as ~2,000-char files, one core",
                f"{r['chars_per_second'] / 1e6:.2f} M chars/s",
            )
        )
        rows.append(
            (
                f"extractor, {int(largest) / 1e6:g} MB as one string, one core",
                f"{r['one_string_chars_per_second'] / 1e6:.2f} M chars/s",
            )
        )
        sizes = sorted(r["many_files"], key=int)
        mid = sizes[len(sizes) // 2]
        rows.append(
            (
                f"scaling: chars/s at {int(largest) / 1e6:g} MB / at {int(mid) / 1e3:g} KB (files; one string)",
                f"{r['many_files'][largest] / r['many_files'][mid]:.2f}; "
                f"{r['one_string'][largest] / r['one_string'][mid]:.2f}",
            )
        )
    for key, label in (("peers", "generated corpus"), ("peers-seed", "seed report repeated")):
        if key not in found:
            continue
        r = found[key]
        ours = next((x.get("chars_per_second") for x in r["rows"] if x["name"].startswith("ours")), None)
        for x in r["rows"]:
            name = f"{x['name']}, per {x['unit']}, {label} ({r['n_chars'] / 1e6:.0f} M chars)"
            if "chars_per_second" not in x:
                rows.append((name, x["skipped"]))
            elif x["name"].startswith("ours"):
                rows.append((name, f"{x['chars_per_second'] / 1e6:.2f} M chars/s"))
            else:
                ratio = f" (ours {ours / x['chars_per_second']:.2f}x)" if ours else ""
                rows.append((name, f"{x['chars_per_second'] / 1e6:.2f} M chars/s{ratio}"))
    if "memory" in found:
        r = found["memory"]
        for x in r["rows"]:
            if "skipped" in x:
                continue
            status = "" if x["status"] == 0 else f", exit {x['status']}"
            rows.append(
                (
                    f"{x['command']}, {x['input']}",
                    f"{x['seconds']:.1f} s wall, {x['cpu_seconds']:.1f} s CPU, "
                    f"peak RSS {x['peak_rss_mb']:.0f} MB{status}",
                )
            )
    if "import" in found:
        r = found["import"]
        for label, key in (
            ("`python -c 'import analysis'` (fresh interpreter)", "import_analysis"),
            ("`python -m analysis --help`", "help"),
            ("bare `python -c pass`", "python_pass"),
        ):
            wall_s, cpu_s = r[key]
            rows.append((label, f"{wall_s * 1000:.0f} ms wall, {cpu_s * 1000:.0f} ms CPU"))
    if "corpus-jobs" in found:
        r = found["corpus-jobs"]
        rows.append((f"clean-corpus --jobs 2 / --jobs 1, CPU of every process, {r['files']} generated reports",
                     f"{r['ratio']:.2f}x ({r['cpu'][1]:.2f} / {r['cpu'][0]:.2f} s CPU; "
                     f"wall {r['wall'][1]:.2f} / {r['wall'][0]:.2f} s); target <= 1.2x"))
    if "formats" in found:
        for x in found["formats"]["rows"]:
            pages = f", {x['read_seconds'] / x['pages'] * 1000:.0f} ms per page" if x["pages"] else ""
            same = f"; same figures as the text: {x['same_figures_as_text']}" if x["same_figures_as_text"] != "-" else ""
            rows.append((f"reading a {x['format']} report ({x['figures']} figures), one core",
                         f"{x['read_seconds'] * 1000:.0f} ms CPU{pages}{same}"))
    if "batch" in found:
        for line in found["batch"]["lines"]:
            rows.append(("notebook batch (notebooks, wall s, s per notebook)", " ".join(line.split())))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", help="comma-separated subset of: " + ",".join(FULL))
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    names = [n.strip() for n in args.only.split(",")] if args.only else list(plan)
    unknown = set(names) - set(plan)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    found: dict[str, dict] = {}
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for name in names:
            script, script_args = plan[name]
            if not (HERE / f"bench_{script}.py").exists():
                print(f"\n=== bench_{script}.py: not present, skipped")
                continue
            json_path = Path(tmp, f"{name}.json")
            status = run_one(script, script_args, json_path)
            if status != 0:
                failed.append(name)
            if json_path.exists():
                found[name] = json.loads(json_path.read_text(encoding="utf-8"))

    info = machine()
    print("\n=== summary")
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, {info['platform']}")
    print("\n| measure | result |\n| --- | --- |")
    for measure, result in summary(found):
        print(f"| {measure} | {result} |")
    if failed:
        print(f"\nfailed: {', '.join(failed)} (see their output above)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
