"""The paths users run, end to end, next to the extractor core and the peer libraries, in one table.

    python benchmarks/bench_paths.py                  # full sizes (about 15 minutes on 2 cores)
    python benchmarks/bench_paths.py --quick          # small sizes, about a minute
    python benchmarks/bench_paths.py --only extract,peers
    python benchmarks/bench_paths.py --json out.json

Rows (``--only`` takes a group or a row id, comma-separated):

- ``startup``: ``python -m analysis --help``, the interpreter start-up subtracted from every command;
- ``extract``: ``python -m analysis extract FILE -o OUT.csv`` on one 5 MB file, the generated corpus
  (``extract-gen``) and the seed report repeated to 5 MB (``extract-seed``), each also at a quarter of
  the size for linearity; and on the seed report itself (``extract-seed-report``, the < 1 s wall target);
- ``clean``: ``python -m analysis clean RAW -o OUT`` on 50 MB as one file (``clean-file``) and as
  5,000 files (``clean-files``), and at a quarter of the size;
- ``corpus``: ``python -m analysis clean-corpus RAW -o OUT --jobs 1`` on 100 MB as 11,111 files, a
  quarter of that, and ``clean`` on the same 11,111 files (the corpus / clean ratio);
- ``core``: the extractor core (``figures.extract``) on the same text as the ``extract`` rows, fed one
  generated document (~3,000 chars) at a time as in bench_peers.py, and the whole file as one string;
- ``peers``: cn2an ``transform``, chinese2digits ``takeNumberFromString`` and jionlp
  ``ner.extract_money`` on the same text, one sentence at a time (as in bench_peers.py), and a bare
  ``re.finditer(r"\\d+")`` (the single-pass ceiling).

Metric: CPU time (user + sys) of a child process, from ``os.wait4`` (for clean-corpus it includes any
worker the command waited for), with this process and so every child pinned to one core. Commands
are reported whole and minus the start-up (the median CPU of ``--help``); library rows are the whole
child (interpreter, import, reading the file) and the calls alone (median of runs after a warm-up,
measured inside the child). chars/s = characters of input / CPU seconds of the second column. Peak
RSS is the child's ``ru_maxrss``. Inputs come from benchmarks/corpus_gen.py (deterministic) and are
kept in ``--workdir`` between runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins


# =================================================================================================
# ADAPTER: the only code here that imports the analysis package or a peer library.
# The analysis package is being restructured into subpackages: when the extractor core moves,
# change CORE below (and nothing else). Everything else drives the CLI through subprocesses, whose
# commands and flags stay the same.
CORE = "analysis.extract.figures:extract"  # the extractor core: extract(text, published=None) -> list[Mention]


def library_call(name: str) -> Callable[[str], object]:
    """The library function a ``core``/``peers`` row times, as a function of one text."""
    import contextlib
    import importlib
    import io

    def quiet_import(module: str):
        # jionlp prints a banner on import; keep the output readable.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return importlib.import_module(module)

    if name == "core":
        module, _, attr = CORE.partition(":")
        extract = getattr(importlib.import_module(module), attr)
        return lambda text: extract(text)
    if name == "cn2an":
        cn2an = quiet_import("cn2an")
        return lambda text: cn2an.transform(text)
    if name == "chinese2digits":
        c2d = quiet_import("chinese2digits")
        return lambda text: c2d.takeNumberFromString(text)
    if name == "jionlp":
        jio = quiet_import("jionlp")
        return lambda text: jio.ner.extract_money(text, with_parsing=True)
    if name == "bare":
        digits = re.compile(r"\d+")
        return lambda text: list(digits.finditer(text))
    raise KeyError(name)


# END OF ADAPTER
# =================================================================================================

from benchmarks.bench_memory import run_child  # noqa: E402 - after the adapter, on purpose
from benchmarks.common import ROOT, finish, median_seconds, pin_to_one_core, print_table  # noqa: E402
from benchmarks.corpus_gen import iter_documents, parse_size, write_files  # noqa: E402

SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
BYTES_PER_CHAR = 2.75  # UTF-8 bytes per character of the generated corpus (measured: 2.749)
SENTENCE_END = re.compile(r"(?<=[。！？；\n])")  # bench_peers.py's split for the sentence-fed peers
GENERATED_DOC_START = re.compile(r"(?<=\n)(?!\u3000\u3000)")  # a generated document ends with "\n"

FULL = {"extract": 5_000_000, "clean_file": 50_000_000, "clean_files": (5_000, 50_000_000),
        "corpus": (11_111, 100_000_000)}
QUICK = {"extract": 500_000, "clean_file": 2_000_000, "clean_files": (200, 2_000_000),
         "corpus": (300, 3_000_000)}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Inputs (deterministic; kept in the work folder and made again only if missing)


def _generated_documents(total_bytes: int) -> list[str]:
    """The documents corpus_gen.write_file writes into a file of ``total_bytes`` bytes."""
    docs, written = [], 0
    for doc in iter_documents(total_bytes):
        docs.append(doc)
        written += len(doc.encode("utf-8"))
        if written >= total_bytes:
            break
    return docs


def _write_once(path: Path, make: Callable[[Path], None]) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        make(tmp)
        os.replace(tmp, path)
    return path


def generated_file(workdir: Path, size: int) -> Path:
    """One report of the generated corpus, ``size`` bytes (the first bytes of corpus_gen's stream)."""

    def make(tmp: Path) -> None:
        tmp.mkdir()
        (tmp / "generated.txt").write_text("".join(_generated_documents(size)), encoding="utf-8")

    return _write_once(workdir / f"gen-{size}", make) / "generated.txt"


def seed_file(workdir: Path, size: int) -> Path:
    """The seed report repeated (as bytes, no sidecar) to at least ``size`` bytes."""

    def make(tmp: Path) -> None:
        tmp.mkdir()
        data = SEED.read_bytes()
        (tmp / "seed_repeated.txt").write_bytes(data * max(1, -(-size // len(data))))

    return _write_once(workdir / f"seed-{size}", make) / "seed_repeated.txt"


def generated_files(workdir: Path, n_files: int, total_bytes: int) -> Path:
    """A folder of ``n_files`` generated reports of about ``total_bytes`` in all."""
    per_file = round(total_bytes / n_files / BYTES_PER_CHAR)

    def make(tmp: Path) -> None:
        write_files(tmp, n_files, per_file)

    return _write_once(workdir / f"files-{n_files}-{total_bytes}", make)


def documents_of(path: Path) -> list[str]:
    """The documents of an input file: generated documents, or each copy of the seed report."""
    text = path.read_text(encoding="utf-8")
    if path.name == "seed_repeated.txt":
        n = len(SEED.read_text(encoding="utf-8"))
        return [text[i : i + n] for i in range(0, len(text), n)]
    return [doc for doc in GENERATED_DOC_START.split(text) if doc]


def n_chars(path: Path) -> int:
    """Characters of input: of one file, or of every report file in a folder."""
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return sum(len(f.read_text(encoding="utf-8")) for f in files)


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass
class Row:
    id: str
    group: str
    path: str  # what the user runs (shown in the table)
    input: str  # what it runs on
    chars: int = 0
    runs: list[dict] = field(default_factory=list)  # run_child results
    call_seconds: float | None = None  # library rows: the calls alone, measured in the child
    skipped: str = ""

    def cpu(self) -> float:
        return statistics.median(r["cpu_seconds"] for r in self.runs)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run_command(argv: list[str], repeats: int, timeout: float, fresh: Path | None = None) -> list[dict]:
    """``argv`` run ``repeats`` times; ``fresh``: an output folder emptied before each run."""
    runs = []
    for _ in range(repeats):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        done = run_child(argv, timeout)
        if done["status"] != 0:
            raise RuntimeError(f"{' '.join(map(str, argv))}: exit {done['status']}: {done['stderr']}")
        runs.append(done)
    return runs


def library_row(name: str, unit: str, path: Path, repeats: int, timeout: float) -> tuple[list[dict], float]:
    """A child process that times ``name`` on the text of ``path``; (its run, seconds of the calls)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        result = Path(out.name)
    try:
        spec = json.dumps({"name": name, "unit": unit, "path": str(path), "repeats": repeats, "out": str(result)})
        runs = run_command([sys.executable, str(Path(__file__).resolve()), "--child", spec], 1, timeout)
        return runs, json.loads(result.read_text(encoding="utf-8"))["seconds"]
    finally:
        result.unlink(missing_ok=True)


def child(spec_json: str) -> int:
    """In the child: read the text, split it as the row says, time the calls, write the seconds."""
    import contextlib
    import io
    import warnings

    spec = json.loads(spec_json)
    path = Path(spec["path"])
    if spec["unit"] == "document":
        texts = documents_of(path)
    elif spec["unit"] == "sentence":
        texts = [s for doc in documents_of(path) for s in SENTENCE_END.split(doc) if s]
    else:  # the whole file as one string
        texts = [path.read_text(encoding="utf-8")]
    assert sum(map(len, texts)) == len(path.read_text(encoding="utf-8")), "the split lost characters"
    fn = library_call(spec["name"])

    def run() -> None:
        for text in texts:
            fn(text)

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # cn2an warns on every number it cannot convert
        seconds = median_seconds(run, repeats=spec["repeats"])
    Path(spec["out"]).write_text(json.dumps({"seconds": seconds}), encoding="utf-8")
    return 0


def plan(sizes: dict, workdir: Path) -> list[tuple[Row, Callable[[], list[str]], Path | None]]:
    """Every row with a function making its input and command (done only if the row is selected)."""
    py = [sys.executable, "-m", "analysis"]
    out = workdir / "out"
    rows: list[tuple[Row, Callable[[], list[str]], Path | None]] = []

    def add(row: Row, command: Callable[[], list[str]], fresh: Path | None = None) -> None:
        rows.append((row, command, fresh))

    add(Row("startup", "startup", "python -m analysis --help", "-"), lambda: [*py, "--help"])
    extract = sizes["extract"]
    for corpus, make in (("gen", generated_file), ("seed", seed_file)):
        what = "generated corpus" if corpus == "gen" else "seed report repeated"
        for size in (extract, extract // 4):
            add(
                Row(f"extract-{corpus}" + ("" if size == extract else "-quarter"), "extract", "extract FILE -o OUT.csv",
                    f"1 file, {size / 1e6:g} MB, {what}"),
                lambda make=make, size=size: [*py, "extract", str(make(workdir, size)), "-o", str(out / "figures.csv")],
            )
    add(Row("extract-seed-report", "extract", "extract FILE -o OUT.csv", "the seed report, 6.7 KB"),
        lambda: [*py, "extract", str(SEED), "-o", str(out / "figures.csv")])
    clean_file = sizes["clean_file"]
    for size in (clean_file, clean_file // 4):
        add(
            Row("clean-file" + ("" if size == clean_file else "-quarter"), "clean", "clean RAW -o OUT",
                f"1 file, {size / 1e6:g} MB"),
            lambda size=size: [*py, "clean", str(generated_file(workdir, size).parent), "-o", str(out)],
            out,
        )
    n_files, total = sizes["clean_files"]
    for n, size in ((n_files, total), (n_files // 4, total // 4)):
        add(
            Row("clean-files" + ("" if n == n_files else "-quarter"), "clean", "clean RAW -o OUT",
                f"{n:,} files, {size / 1e6:g} MB"),
            lambda n=n, size=size: [*py, "clean", str(generated_files(workdir, n, size)), "-o", str(out)],
            out,
        )
    n_files, total = sizes["corpus"]
    for n, size in ((n_files, total), (n_files // 4, total // 4)):
        add(
            Row("corpus" + ("" if n == n_files else "-quarter"), "corpus", "clean-corpus RAW -o OUT --jobs 1",
                f"{n:,} files, {size / 1e6:g} MB"),
            lambda n=n, size=size: [*py, "clean-corpus", str(generated_files(workdir, n, size)), "-o", str(out),
                                    "--jobs", "1", "--no-progress"],
            out,
        )
    add(Row("corpus-clean", "corpus", "clean RAW -o OUT (same files)", f"{n_files:,} files, {total / 1e6:g} MB"),
        lambda: [*py, "clean", str(generated_files(workdir, n_files, total)), "-o", str(out)], out)
    return rows


LIBRARY_ROWS = (  # id, group, name shown, adapter name, unit fed
    ("core", "core", "core: figures.extract, per document", "core", "document"),
    ("core-string", "core", "core: figures.extract, file as one string", "core", "whole"),
    ("chinese2digits", "peers", "chinese2digits takeNumberFromString", "chinese2digits", "sentence"),
    ("cn2an", "peers", "cn2an transform", "cn2an", "sentence"),
    ("jionlp", "peers", "jionlp ner.extract_money", "jionlp", "sentence"),
    ("bare", "peers", "bare re.finditer(r'\\d+'), per document", "bare", "document"),
)


def selected(row: Row, only: set[str] | None) -> bool:
    return only is None or row.id in only or row.group in only


def measure(sizes: dict, workdir: Path, only: set[str] | None, repeats: int, timeout: float,
            library_repeats: int = 3) -> dict:
    rows: list[Row] = []
    for row, command, fresh in plan(sizes, workdir):
        if not selected(row, only) and not (row.id == "startup"):  # start-up is always measured
            continue
        argv = command()  # makes the input if needed, before anything is timed
        # the input is the argument after the subcommand (none for --help)
        row.chars = n_chars(Path(argv[4])) if len(argv) > 4 else 0
        print(f"  {row.id}: {' '.join(argv[1:])}", file=sys.stderr, flush=True)
        if row.id == "startup":
            run_command(argv, 1, timeout)  # warm-up: byte-code caches, file-system caches
        try:
            row.runs = run_command(argv, max(repeats, 7) if row.id == "startup" else repeats, timeout, fresh)
        except RuntimeError as err:
            row.skipped = str(err)
        rows.append(row)
    for corpus, make in (("gen", generated_file), ("seed", seed_file)):
        path = make(workdir, sizes["extract"])
        what = "generated corpus" if corpus == "gen" else "seed report repeated"
        for row_id, group, name, adapter, unit in LIBRARY_ROWS:
            row = Row(f"{row_id}-{corpus}", group, name, f"same text as extract, {sizes['extract'] / 1e6:g} MB {what}")
            if not selected(row, only) and row_id not in (only or ()):
                continue
            row.chars = n_chars(path)
            print(f"  {row.id}", file=sys.stderr, flush=True)
            try:
                row.runs, row.call_seconds = library_row(adapter, unit, path, library_repeats, timeout)
            except (RuntimeError, OSError, KeyError, json.JSONDecodeError) as err:
                row.skipped = f"skipped: {err}"
            rows.append(row)
    shutil.rmtree(workdir / "out", ignore_errors=True)
    startup = next(r for r in rows if r.id == "startup")
    return {"sizes": {k: v for k, v in sizes.items()}, "startup_cpu_seconds": startup.cpu(),
            "rows": [_as_dict(r, startup.cpu()) for r in rows]}


def _as_dict(row: Row, startup: float) -> dict:
    out = {"id": row.id, "group": row.group, "path": row.path, "input": row.input, "chars": row.chars}
    if row.skipped:
        return {**out, "skipped": row.skipped}
    cpu = row.cpu()
    net = row.call_seconds if row.call_seconds is not None else (cpu if row.id == "startup" else cpu - startup)
    return {
        **out, "cpu_seconds": cpu, "net_cpu_seconds": net, "wall_seconds": _median(row.runs, "seconds"),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in row.runs), "runs": len(row.runs),
        "chars_per_second": row.chars / net if row.chars and net > 0 else None,
        "library": row.call_seconds is not None,
    }


# ---------------------------------------------------------------------------------------------
# Report


def _fmt_speed(cps: float | None) -> str:
    return f"{cps / 1e6:.3f} M" if cps else "-"


def report(results: dict, file=sys.stdout) -> None:
    m = results["machine"]
    print(f"\nOne core (pinned cpu {results.get('pinned_cpu')}), CPU seconds of each child process; "
          f"{m['nproc']} CPUs, {m['cpu']}, Python {m['python']}, commit {results.get('commit', '?')}", file=file)
    if results.get("load_average"):
        la = results["load_average"]
        print(f"load average (1, 5, 15 min) before: {la[0]}, {la[1]}, {la[2]}; after: {la[3]}, {la[4]}, {la[5]} "
              "(other work on the machine slows even CPU time: shared caches, SMT siblings)", file=file)
    print(f"start-up (`python -m analysis --help`): {results['startup_cpu_seconds']:.3f} s CPU, subtracted from "
          "commands in the `- start-up` column; library rows show there one pass of the calls alone (median of runs "
          "after a warm-up; their `CPU s` is the whole child: import, reading, warm-up and every run)\n", file=file)
    table = []
    for r in results["rows"]:
        if "skipped" in r:
            table.append([r["id"], r["path"], r["input"], f"{r['chars']:,}", "-", "-", "-", "-", "-", r["skipped"][:60]])
            continue
        # a library row's child runs the calls several times (warm-up, then the timed runs): no whole-child speed
        whole = r["chars"] / r["cpu_seconds"] if r["chars"] and not r.get("library") else None
        table.append([
            r["id"], r["path"], r["input"], f"{r['chars']:,}" if r["chars"] else "-", f"{r['cpu_seconds']:.2f}",
            f"{r['net_cpu_seconds']:.2f}", _fmt_speed(r["chars_per_second"]), _fmt_speed(whole),
            f"{r['peak_rss_mb']:.0f}", f"{r['wall_seconds']:.2f}",
        ])
    print_table(table, ["id", "path", "input", "chars", "CPU s", "- start-up", "chars/s", "chars/s whole",
                        "peak RSS MB", "wall s"], file=file)
    print("", file=file)
    for line in ratios(results):
        print(line, file=file)


def ratios(results: dict) -> list[str]:
    by_id = {r["id"]: r for r in results["rows"] if "skipped" not in r}
    speed = {k: r["chars_per_second"] for k, r in by_id.items() if r.get("chars_per_second")}
    lines = []
    for corpus in ("gen", "seed"):
        peers = {k: v for k, v in speed.items() if k in (f"{p}-{corpus}" for p in ("chinese2digits", "cn2an", "jionlp"))}
        if not peers:
            continue
        best = max(peers, key=peers.get)
        for ours in (f"extract-{corpus}", f"core-{corpus}", f"core-string-{corpus}"):
            if ours in speed:
                target = " (target >= 1.1x, issue 20)" if ours.startswith("extract") else ""
                lines.append(f"{ours} / fastest peer ({best}): {speed[ours] / peers[best]:.2f}x{target}")
    for corpus in ("gen", "seed"):
        core = by_id.get(f"core-string-{corpus}")
        for path in (f"extract-{corpus}",):
            if core and path in by_id:
                lines.append(f"{path} CPU / core's CPU on the same text (one string): "
                             f"{by_id[path]['net_cpu_seconds'] / core['net_cpu_seconds']:.2f}x")
    if "corpus" in by_id and "corpus-clean" in by_id:
        c, k = by_id["corpus"], by_id["corpus-clean"]
        lines.append(f"clean-corpus CPU / clean CPU, same files: {c['net_cpu_seconds'] / k['net_cpu_seconds']:.2f}x "
                     f"(whole commands {c['cpu_seconds'] / k['cpu_seconds']:.2f}x; target <= 1.2x)")
    for base in ("extract-gen", "extract-seed", "clean-file", "clean-files", "corpus"):
        if base in speed and f"{base}-quarter" in speed:
            lines.append(f"linearity {base}: chars/s at S / at S/4 = {speed[base] / speed[base + '-quarter']:.2f} "
                         "(1.00 = linear)")
    for target, ids in (("2 M chars/s (extract)", ("extract-gen", "extract-seed")),
                        ("1.5 M chars/s (clean, clean-corpus)", ("clean-file", "clean-files", "corpus"))):
        for i in ids:
            if i in speed:
                lines.append(f"target {target}: {i} {speed[i] / 1e6:.3f} M chars/s "
                             f"({'met' if speed[i] >= float(target.split()[0]) * 1e6 else 'not met'})")
    if "extract-seed-report" in by_id:
        wall = by_id["extract-seed-report"]["wall_seconds"]
        lines.append(f"target extract on the seed < 0.25 s wall: {wall:.2f} s ({'met' if wall < 0.25 else 'not met'})")
    return lines


def _commit() -> str:
    import subprocess

    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "analysis"], cwd=ROOT, capture_output=True,
                           text=True, check=False).stdout.strip()
    return done.stdout.strip() + ("+dirty analysis/" if dirty else "") if done.returncode == 0 else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--only", help="comma-separated groups or row ids: startup, extract, clean, corpus, core, "
                                       "peers, extract-gen, clean-files, cn2an, ...")
    parser.add_argument("--extract-size", type=parse_size, help="override the extract / library input size")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each command (median of them)")
    parser.add_argument("--library-repeats", type=int, help="timed runs of each library row after a warm-up "
                                                            "(default 3, 2 with --quick)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a command is killed")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "analysis-bench-paths",
                        help="where the generated inputs are kept between runs")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    sizes = dict(QUICK if args.quick else FULL)
    if args.extract_size:
        sizes["extract"] = args.extract_size
    cpu = pin_to_one_core()  # children inherit the affinity
    only = {w.strip() for w in args.only.split(",")} if args.only else None
    start, load_before = time.perf_counter(), os.getloadavg()
    library_repeats = args.library_repeats or (2 if args.quick else 3)
    results = measure(sizes, args.workdir, only, args.repeats, args.timeout, library_repeats)
    results.update(pinned_cpu=cpu, commit=_commit(), bench_wall_seconds=round(time.perf_counter() - start, 1),
                   load_average=[round(x, 2) for x in (*load_before, *os.getloadavg())])
    return finish(results, report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
