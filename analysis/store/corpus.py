"""The ``clean-corpus`` command: thousands of reports -> partitioned Parquet tables, on all cores or a Dask cluster.

    python -m analysis clean-corpus archive/ -o out/              # every core of this machine
    python -m analysis clean-corpus 'archive/2021/**/*.txt' -o out/ --csv
    python -m analysis clean-corpus archive/ -o out/ --scheduler tcp://10.0.0.5:8786

Files are found (a folder is searched recursively; a quoted glob may use ``**``), sorted by path and cut
into partitions of ``--partition-size`` files. Each partition is one task: it reads its files one at a
time (``sources.load_source``), builds their rows (``tables.iter_rows``) and writes
``OUT/<table>/part-NNNNN-KKKK.parquet`` itself, a batch of rows at a time, so neither the driver nor a
worker ever holds more than one batch, however large a single report. Because the partitions depend only on the sorted file list, a local run and a Dask run
write the same parts with the same rows.

A file that cannot be read or processed does not stop the run: it becomes a row of the ``failures``
table (``path``, ``doc_id``, ``error``, ``problem``) and the exit status is 1.

Output is replaced as a whole: parts are written to a staging folder inside OUT and each table folder
is swapped in only when every partition has finished, so an interrupted run leaves the previous output
as it was; two runs into the same OUT take turns for the swap (``atomic.locked``). On a cluster, the
input files and OUT must be on a file system every worker can reach.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError

EXTRACTED = ("documents", "sections", "sentences", "figures", "dates", "mentions")
TABLES = (*EXTRACTED, "figure_themes", "indicators")  # per document, like data/clean
SHARED = ("provinces", "themes", "indicator_definitions")  # vocabularies: written once
FAILURES = "failures"
FAILURE_COLUMNS = ("path", "doc_id", "error", "problem")
DEFAULT_PARTITION_SIZE = 64
CONNECT_TIMEOUT = "10s"  # how long to keep trying a Dask scheduler before calling the address wrong
_SKIPPED_DIRS = ("reference",)  # data/raw/reference holds lookup tables, not reports
_SIDECAR_SUFFIX = ".source.yml"


@dataclass
class CorpusReport:
    """What one ``clean-corpus`` run did."""

    output: Path
    n_files: int = 0
    n_partitions: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # FAILURE_COLUMNS

    @property
    def ok(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------------------------------------
# Finding and partitioning the input


def _is_report(path: Path) -> bool:
    name = path.name
    return not (
        name.startswith((".", "~"))
        or name.endswith((_SIDECAR_SUFFIX, ".tmp", "~"))
        or name.lower().startswith("readme")
    )


def find_reports(spec: str | Path, exclude: Path | None = None) -> list[Path]:
    """Report files named by a folder (searched recursively) or a glob, sorted by path.

    Sidecars, hidden files and folders, READMEs, temporary files, ``reference/`` folders and anything
    under ``exclude`` (the output folder, should it sit inside the input) are skipped.
    Raises InputError if nothing matches.
    """
    spec = str(spec)
    root = Path(spec)
    if root.is_dir():
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
            found.extend(Path(folder, name) for name in files)
    elif glob.has_magic(spec):
        found = [Path(p) for p in glob.glob(spec, recursive=True)]
    elif root.exists():
        found = [root]
    else:
        raise InputError(spec, "no such file or folder")
    outside = exclude.resolve() if exclude is not None else None
    reports = sorted(
        (p for p in found if p.is_file() and _is_report(p) and not _inside(p, outside)),
        key=lambda p: p.as_posix(),
    )
    if not reports:
        raise InputError(spec, "no report files found")
    return reports


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.resolve().is_relative_to(folder)


def partitions(paths: list[Path], size: int) -> list[list[Path]]:
    """Consecutive runs of ``size`` paths: the unit of work and of output files."""
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def _doc_id(path: Path) -> str:
    # The contract's doc_id is the file stem; checked up front so duplicates fail the same way in
    # every run, whichever worker would have met them first.
    return path.stem if path.suffix else path.name


def _duplicates(paths: list[Path]) -> dict[Path, str]:
    owner: dict[str, Path] = {}
    problems = {}
    for path in paths:
        doc_id = _doc_id(path)
        if doc_id in owner:
            problems[path] = f"same doc_id {doc_id!r} as {owner[doc_id]}; rename one of them"
        else:
            owner[doc_id] = path
    return problems


# ---------------------------------------------------------------------------------------------
# One partition (runs in a worker process or on a Dask worker)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def process_partition(index: int, paths: list[str], staging: str, skip: dict[str, str]) -> tuple[int, dict, list]:
    """Build the tables of ``paths`` and write them as ``staging/<table>/part-<index>-<k>.parquet``.

    Returns ``(index, {table: rows}, failures)``. A file whose reading or processing raises becomes
    a failure row; the others are written. Rows are written a batch at a time (``BATCH_ROWS``), so
    a worker holds one batch, not one partition: a partition of small reports is one part, and a
    report too large for one batch (read in windows, see ``tables.iter_rows``) gets parts of its
    own, removed again if it fails part-way.
    """
    from analysis.raw import report as sources
    from analysis.tables import build as tables

    batches = _Batches(index, Path(staging))
    failures = []
    for path in paths:
        doc_id = _doc_id(Path(path))
        if path in skip:
            failures.append((path, doc_id, "InputError", skip[path]))
            continue
        own: list[dict] = []  # this file's pieces not yet written
        written: list[Path] = []  # parts holding only this file's rows
        try:
            for piece in tables.iter_rows(sources.load_source(path)):
                own.append(piece)
                if _rows(own) >= BATCH_ROWS:
                    failures += batches.flush()  # earlier files first: the parts stay in file order
                    written += batches.write(own, open_doc=doc_id)
                    own = []
        except Exception as err:  # noqa: BLE001 - a bug on one file must not lose the other thousands
            for part in written:
                part.unlink(missing_ok=True)
            kind, problem = ("InputError", err.problem) if isinstance(err, InputError) else (type(err).__name__, _one_line(err))
            failures.append((path, doc_id, kind, problem))
            continue
        batches.add(path, own)
        if _rows(batches.pending) >= BATCH_ROWS:
            failures += batches.flush()
    failures += batches.flush()
    return index, batches.rows, failures


BATCH_ROWS = 50_000  # rows (all tables) enriched, validated and written as one part


def _rows(pieces: list[dict]) -> int:
    return sum(len(df) for piece in pieces for df in piece.values())


class _Batches:
    """The parts of one partition: ``part-<index>-<k>.parquet``, k counting up in file order."""

    def __init__(self, index: int, staging: Path):
        self.index, self.staging = index, staging
        self.pending: list[dict] = []  # pieces of whole files, not yet written
        self.paths: list[str] = []  # the files they come from
        self.rows: dict[str, int] = {}
        self.count = 0
        self.checker = None  # enrich.Batches, made on first use (it loads the census table)

    def add(self, path: str, pieces: list[dict]) -> None:
        self.pending += pieces
        self.paths.append(path)

    def flush(self) -> list[tuple[str, str, str, str]]:
        """Write the pending files; if their tables fail validation, they become failures instead."""
        if not self.paths:
            return []
        pieces, paths = self.pending, self.paths
        self.pending, self.paths = [], []
        try:
            self.write(pieces)
        except Exception as err:  # noqa: BLE001 - the batch's files are reported, the others go on
            return [(path, _doc_id(Path(path)), type(err).__name__, _one_line(err)) for path in paths]
        return []

    def write(self, pieces: list[dict], open_doc: str | None = None) -> list[Path]:
        """Enrich, validate and write ``pieces`` as the next part; returns the files written.

        ``open_doc``: a report still being read, whose later sections and ``documents`` row are in
        later parts (its foreign keys are checked against what is known so far).
        """
        from analysis.tables import enrich
        from analysis.raw.census import load_provinces
        from analysis.tables.build import frames_of

        if self.checker is None:
            self.checker = enrich.Batches(load_provinces())
        combined = frames_of(pieces)  # typed frames once per part: building them per report cost more than extracting
        checked = self.checker.check(combined, open_doc)
        written = []
        for name in TABLES:
            frame = checked[name].reset_index(drop=True)
            path = self.staging / name / f"part-{self.index:05d}-{self.count:04d}.parquet"
            _write_parquet(frame, path)
            written.append(path)
            self.rows[name] = self.rows.get(name, 0) + len(frame)
        self.count += 1
        return written


def write_shared(staging: Path) -> None:
    """The vocabulary tables (provinces, themes, indicator definitions), once for the whole corpus."""
    from analysis.tables import enrich
    from analysis.raw.census import load_provinces

    empty = enrich.enrich({"figures": _empty_figures()}, load_provinces())
    checked = enrich.validate({name: empty[name] for name in SHARED})
    for name in SHARED:
        _write_parquet(checked[name], staging / name / "part-00000.parquet")


def _empty_figures():
    from analysis.tables.build import frame

    return frame("figures", [])


def _write_parquet(frame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# Running all partitions


def clean_corpus(
    spec: str | Path,
    output: str | Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    csv: bool = False,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    progress: bool | None = None,
) -> CorpusReport:
    """Clean every report named by ``spec`` into ``output/<table>/part-*.parquet`` (see module doc).

    ``jobs``: worker processes on this machine (default: every core available; 1 runs in this
    process). ``scheduler``: address of a Dask scheduler; the work runs there instead.
    ``csv``: also write ``output/<table>.csv``, concatenated from the parts in order.
    """
    from analysis.store.atomic import locked

    if partition_size < 1:
        raise InputError("--partition-size", "must be at least 1")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "must be at least 1")
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError(output, "exists and is not a folder")
    paths = find_reports(spec, exclude=output)
    skip = {str(p): problem for p, problem in _duplicates(paths).items()}
    chunks = [[str(p) for p in chunk] for chunk in partitions(paths, partition_size)]
    report = CorpusReport(output=output, n_files=len(paths), n_partitions=len(chunks))

    output.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=output))
    try:
        if scheduler:
            results = _run_dask(scheduler, chunks, str(staging), skip, progress)
        else:
            results = _run_local(jobs or _cores(), chunks, str(staging), skip, progress)
        for _index, rows, failures in sorted(results, key=lambda r: r[0]):
            for name, n in rows.items():
                report.rows[name] = report.rows.get(name, 0) + n
            report.failures.extend(failures)
        _write_failures(report.failures, staging / FAILURES / "part-00000.parquet")
        write_shared(staging)
        # Two runs into the same folder take turns here; each built its parts in its own staging folder.
        with locked(output):
            _swap_in(staging, output, (*TABLES, *SHARED, FAILURES))
            if csv:
                for name in (*TABLES, *SHARED, FAILURES):
                    _write_csv(output / name, output / f"{name}.csv")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _progress_bar(total: int, progress: bool | None):
    from tqdm import tqdm

    if progress is None:
        progress = sys.stderr.isatty()
    return tqdm(total=total, desc="clean-corpus", unit="file", file=sys.stderr, disable=not progress)


def _run_local(jobs: int, chunks: list[list[str]], staging: str, skip: dict, progress) -> list:
    results = []
    with _progress_bar(sum(map(len, chunks)), progress) as bar:
        if jobs == 1:
            for index, chunk in enumerate(chunks):
                results.append(process_partition(index, chunk, staging, skip))
                bar.update(len(chunk))
            return results
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        # At most two partitions queued per worker: the file list is streamed into the pool, and
        # a Ctrl-C cancels little.
        pending = {}
        todo = iter(enumerate(chunks))
        # spawn, not fork: the parent may have threads (tqdm's monitor, a notebook kernel's), and a
        # forked child can inherit a lock held by one of them.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            try:
                while True:
                    while len(pending) < 2 * jobs:
                        item = next(todo, None)
                        if item is None:
                            break
                        index, chunk = item
                        pending[pool.submit(process_partition, index, chunk, staging, skip)] = len(chunk)
                    if not pending:
                        break
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        bar.update(pending.pop(future))
                        results.append(future.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return results


def _run_dask(address: str, chunks: list[list[str]], staging: str, skip: dict, progress) -> list:
    from dask.distributed import Client, as_completed

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(address, f"cannot connect to the Dask scheduler ({_one_line(err)})") from None
    results = []
    with client, _progress_bar(sum(map(len, chunks)), progress) as bar:
        run_id = Path(staging).name  # unique per run: keys never collide with an earlier run's tasks
        futures = [
            client.submit(
                process_partition, index, chunk, staging, skip, key=f"clean-corpus{run_id}-{index}", pure=False
            )
            for index, chunk in enumerate(chunks)
        ]
        sizes = {future.key: len(chunk) for future, chunk in zip(futures, chunks, strict=True)}
        try:
            for future in as_completed(futures):
                results.append(future.result())
                bar.update(sizes[future.key])
        except BaseException:
            client.cancel(futures)
            raise
    return results


def _write_failures(failures: list, path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS)).astype("str")
    _write_parquet(frame, path)


def _swap_in(staging: Path, output: Path, names: tuple[str, ...]) -> None:
    # Renames within one file system: each table folder is replaced in one step, old parts and all.
    trash = Path(tempfile.mkdtemp(prefix=".old-", dir=output))
    try:
        for name in names:
            new = staging / name
            new.mkdir(exist_ok=True)  # a table no file produced still replaces its stale parts
            target = output / name
            if target.exists():
                os.replace(target, trash / name)
            os.replace(new, target)
            Path(output / f"{name}.csv").unlink(missing_ok=True)  # stale unless rewritten below
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _write_csv(table_dir: Path, target: Path) -> None:
    # Same cell formatting and encoding as data/clean/*.csv, so the two kinds of output read alike.
    import csv as csv_module

    import pyarrow.parquet as pq

    from analysis.store.atomic import CSV_ENCODING, csv_rows

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as f:
            writer = csv_module.writer(f, lineterminator="\n", quoting=csv_module.QUOTE_MINIMAL)
            header = True
            for part in sorted(table_dir.glob("part-*.parquet")):
                # One part at a time: the CSV is as large as the corpus, memory is one partition.
                frame = pq.read_table(part).to_pandas()
                if header:
                    writer.writerow([str(c) for c in frame.columns])
                    header = False
                writer.writerows(csv_rows(frame))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(output: str | Path, name: str):
    """One table of a ``clean-corpus`` output as a DataFrame (all parts, in partition order)."""
    import pandas as pd

    parts = sorted((Path(output) / name).glob("part-*.parquet"))
    if not parts:
        raise InputError(Path(output) / name, "no parts (no report produced this table)")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser) -> None:
    parser.add_argument(
        "inputs", metavar="DIR_OR_GLOB", help="folder of reports (searched recursively) or a quoted glob"
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="folder for OUT/<table>/part-*.parquet")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes on this machine (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--csv", action="store_true", help="also write OUT/<table>.csv")
    parser.add_argument(
        "--partition-size",
        type=int,
        default=DEFAULT_PARTITION_SIZE,
        metavar="FILES",
        help=f"files per task and per Parquet part (default {DEFAULT_PARTITION_SIZE})",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def run(args) -> int:
    report = clean_corpus(
        args.inputs,
        args.output,
        jobs=args.jobs,
        scheduler=args.scheduler,
        csv=args.csv,
        partition_size=args.partition_size,
        progress=args.progress,
    )
    for name in TABLES:
        print(f"{report.output / name}: {report.rows.get(name, 0)} rows")
    shown = report.failures[:20]
    for path, _doc_id, _error, problem in shown:
        print(f"error: {path}: {problem}", file=sys.stderr)
    if len(report.failures) > len(shown):
        print(f"error: ... and {len(report.failures) - len(shown)} more", file=sys.stderr)
    if report.failures:
        print(
            f"{len(report.failures)} of {report.n_files} files failed; see {report.output / FAILURES}",
            file=sys.stderr,
        )
    return 0 if report.ok else 1
