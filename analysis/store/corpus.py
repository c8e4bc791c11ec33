"""``clean-corpus``: thousands of reports -> partitioned Parquet tables, on all cores or a Dask cluster.

    python -m analysis clean-corpus archive/ -o out/              # every core of this machine
    python -m analysis clean-corpus 'archive/2021/**/*.txt' -o out/ --csv
    python -m analysis clean-corpus archive/ -o out/ --scheduler tcp://10.0.0.5:8786

Files are found (a folder is searched recursively; a quoted glob may use ``**``), sorted by path and cut
into partitions of ``--partition-size`` files. Each partition is one task: it reads its files one at a
time (:func:`analysis.raw.report.load_source`), builds their rows (:func:`analysis.tables.build.iter_rows`)
and writes ``OUT/<table>/part-NNNNN-KKKK.parquet`` itself through the batched write pipeline
(:mod:`analysis.store.pipeline`, the one ``clean`` uses, with a Parquet sink), so neither the driver
nor a worker ever holds more than one batch, however large a single report. Because the partitions
depend only on the sorted file list, a local run and a Dask run write the same parts with the same rows.

A file that cannot be read or processed does not stop the run: it becomes a row of the ``failures``
table (``path``, ``doc_id``, ``error``, ``problem``) and the exit status is 1.

Corrections (data/corrections.csv unless told otherwise, :mod:`analysis.tables.corrections`) go to
every partition, which applies those of its reports; the ``corrections`` table records what was
done with each, as ``clean`` does.

Output is replaced as a whole, through OUT's transaction (:mod:`analysis.store.transaction`): parts
are written into its staging folder, and every table folder (with the ``--csv`` files) is swapped
in at one commit once every partition has finished, so an interrupted, killed or failed run (a full
disk) leaves the previous output as it was. A run holds OUT's lock from start to end, so two runs
into the same OUT take turns. Workers die with the command (:mod:`analysis.store.processes`). On a
cluster, the input files and OUT must be on a file system every worker can reach.
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, OutputError, shown
from analysis.raw.discover import doc_id, duplicates, search
from analysis.tables.contract import PER_DOCUMENT, REVIEW_TABLES, TABLES, VOCABULARIES

FAILURES = "failures"
DEFAULT_PARTITION_SIZE = 64
CONNECT_TIMEOUT = "10s"  # how long to keep trying a Dask scheduler before calling the address wrong


@dataclass
class CorpusReport:
    """What one ``clean-corpus`` run did."""

    output: Path
    n_files: int = 0
    n_partitions: int = 0
    n_unreadable: int = 0  # folders that could not be searched (each a failure row too)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # the failures table's columns
    corrections_file: Path | None = None  # the corrections applied, if any file was read
    corrections: object = None  # the corrections table with each row's outcome (a DataFrame), or None

    @property
    def ok(self) -> bool:
        return not self.failures


def partitions(paths: list[Path], size: int) -> list[list[Path]]:
    """Consecutive runs of ``size`` paths: the unit of work and of output files."""
    return [paths[i : i + size] for i in range(0, len(paths), size)]


# ---------------------------------------------------------------------------------------------
# One partition (runs in a worker process or on a Dask worker)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def process_partition(index: int, paths: list[str], staging: str, skip: dict[str, str],
                      base: str | None = None, corrections=None) -> tuple[int, dict, list, list]:
    """Build the tables of ``paths`` and write them as ``staging/<table>/part-<index>-<k>.parquet``.

    Returns ``(index, {table: rows}, failures, outcomes)``: ``outcomes`` are ``(position, status,
    figure, problem)`` of the ``corrections`` (a frame, see :mod:`analysis.tables.corrections`)
    whose report is in this partition. A file whose reading or processing raises becomes
    a failure row; the others are written. Rows go through the batched write pipeline
    (:mod:`analysis.store.pipeline`), so a worker holds one batch, not one partition: a partition
    of small reports is one part, and a report too large for one batch gets parts of its own,
    removed again if it fails part-way. ``base``: the folder the user named (``documents.path``).
    Paths are file-system strings (bytes that are not UTF-8 kept by surrogateescape); the tables
    hold them shown (:func:`analysis.errors.shown`).
    """
    from analysis.raw.report import load_source
    from analysis.store.pipeline import Pipeline
    from analysis.store.sinks import ParquetParts
    from analysis.tables import build

    failures = []
    path_of: dict[str, str] = {}

    def invalid(doc_ids: list[str], err: Exception) -> None:
        failures.extend((path_of[d], d, type(err).__name__, _one_line(err)) for d in doc_ids)

    sink = ParquetParts(index, Path(staging))
    pipeline = Pipeline(sink, on_invalid=invalid, corrections=corrections)
    for path in paths:
        name = doc_id(Path(path))
        if path in skip:
            failures.append((shown(path), name, "InputError", skip[path]))
            continue
        path_of[name] = shown(path)
        try:
            pipeline.add(name, build.iter_rows(load_source(path, base)))
        except OutputError:
            raise  # the output cannot be written: the whole run stops, the previous output stays
        except InputError as err:
            failures.append((shown(path), name, "InputError", err.problem_of(path)))
        except Exception as err:  # noqa: BLE001 - a bug on one file must not lose the other thousands
            failures.append((shown(path), name, type(err).__name__, _one_line(err)))
    pipeline.flush()
    return index, sink.rows, failures, _outcomes(pipeline, {doc_id(Path(p)) for p in paths})


def _outcomes(pipeline, docs: set[str]) -> list[tuple]:
    """(position, status, figure, problem) of the corrections of this partition's reports."""
    table = pipeline.corrections(seen=docs)
    if table is None:
        return []
    return [(i, status, None if figure is None or figure != figure else int(figure), problem)
            for i, (doc, status, figure, problem) in enumerate(zip(
                table["doc_id"].tolist(), table["status"].tolist(), table["figure"].astype("object").tolist(),
                table["problem"].astype("object").tolist()))
            if doc in docs]


def merged_corrections(corrections, outcomes: list[tuple]):
    """The corrections table with the outcomes the partitions found; ``no_report`` for the rest."""
    import pandas as pd

    out = corrections.reset_index(drop=True).copy()
    status = ["no_report"] * len(out)
    figure: list = [None] * len(out)
    problem: list = ["no report with this doc_id was cleaned"] * len(out)
    for i, found, number, why in outcomes:
        status[i], figure[i], problem[i] = found or None, number, why if isinstance(why, str) and why else None
    out["status"] = pd.array(status, dtype="string")
    out["figure"] = pd.array(figure, dtype="Int64")
    out["problem"] = pd.array(problem, dtype="string")
    return out


def write_vocabularies(staging: Path) -> None:
    """The vocabulary tables (provinces, themes, indicator definitions), once for the whole corpus."""
    from analysis.store.pipeline import vocabularies
    from analysis.store.sinks import write_parquet

    for name, table in vocabularies().items():
        write_parquet(table, staging / name / "part-00000.parquet", parents=False)


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
    corrections: str | Path | None = "default",
) -> CorpusReport:
    """Clean every report named by ``spec`` into ``output/<table>/part-*.parquet`` (see module doc).

    ``jobs``: worker processes on this machine (default: every core available; 1 runs in this
    process). ``scheduler``: address of a Dask scheduler; the work runs there instead.
    ``csv``: also write ``output/<table>.csv``, concatenated from the parts in order.
    ``corrections``: as :func:`analysis.store.clean.clean` takes it.
    """
    from analysis.store.clean import corrections_record, read_fixes
    from analysis.store.transaction import transaction

    if partition_size < 1:
        raise InputError("--partition-size", "must be at least 1")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "must be at least 1")
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError(output, "exists and is not a folder")
    found = search(spec, exclude=output)
    paths = found.reports
    skip = {os.fsdecode(p): problem for p, problem in duplicates(paths).items()}
    chunks = [[os.fsdecode(p) for p in chunk] for chunk in partitions(paths, partition_size)]
    report = CorpusReport(output=output, n_files=len(paths), n_partitions=len(chunks))
    report.corrections_file, fixes = read_fixes(corrections)  # a malformed file stops here, before any write
    report.failures += [(shown(folder), doc_id(folder), "PermissionError" if "permission" in problem else "OSError",
                         f"{problem}: the reports in this folder were not read") for folder, problem in found.unreadable]
    report.n_unreadable = len(found.unreadable)
    base = _base_folder(spec)

    # One run at a time per OUT: the lock is held from the start, so a crashed run's staging folder
    # found here is a leftover, and the transaction replaces every table folder at once.
    with transaction(output, "the corpus tables") as tx:
        tables = (*PER_DOCUMENT, *VOCABULARIES, *REVIEW_TABLES, FAILURES)
        for name in tables:
            tx.replace_folder(name)  # workers write parts into these; a table no file produced still replaces its old parts
        staging = str(tx.staging)
        fixes = fixes if fixes is not None and len(fixes) else None
        if scheduler:
            results = _run_dask(scheduler, chunks, staging, skip, progress, base, fixes)
        else:
            results = _run_local(jobs or _cores(), chunks, staging, skip, progress, base, fixes)
        outcomes = []
        for _index, rows, failures, found in sorted(results, key=lambda r: r[0]):
            for name, n in rows.items():
                report.rows[name] = report.rows.get(name, 0) + n
            report.failures.extend(failures)
            outcomes += found
        _write_failures(report.failures, tx.staging / FAILURES / "part-00000.parquet")
        write_vocabularies(tx.staging)
        report.corrections = merged_corrections(fixes, outcomes) if fixes is not None else None
        write_parquet_table(corrections_record(report.corrections), tx.staging / "corrections" / "part-00000.parquet")
        for name in tables:
            if csv:
                tx.write(f"{name}.csv", _csv_writer(tx.staging / name))
            else:
                tx.remove(f"{name}.csv")  # a CSV of an earlier --csv run would be stale
        tx.commit()
    return report


def _base_folder(spec: str | Path) -> str:
    """The folder a spec names, for ``documents.path``: the folder itself, or where a glob starts."""
    text = os.fspath(spec)
    if glob.has_magic(text):
        parts = Path(text).parts
        fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        return os.fsdecode(Path(*parts[:fixed])) if fixed else "."
    path = Path(text)
    return os.fsdecode(path if path.is_dir() else path.parent)


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


def _run_local(jobs: int, chunks: list[list[str]], staging: str, skip: dict, progress, base: str,
               fixes=None) -> list:
    results = []
    with _progress_bar(sum(map(len, chunks)), progress) as bar:
        if jobs == 1:
            for index, chunk in enumerate(chunks):
                results.append(process_partition(index, chunk, staging, skip, base, fixes))
                bar.update(len(chunk))
            return results
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from analysis.store.processes import die_with_parent, stop_pool

        # At most two partitions queued per worker: the file list is streamed into the pool, and
        # a Ctrl-C cancels little.
        pending = {}
        todo = iter(enumerate(chunks))
        # spawn, not fork: the parent may have threads (tqdm's monitor, a notebook kernel's), and a
        # forked child can inherit a lock held by one of them.
        context = multiprocessing.get_context("spawn")
        # Workers die with this process (even on SIGKILL) and write only into the staging folder.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            try:
                while True:
                    while len(pending) < 2 * jobs:
                        item = next(todo, None)
                        if item is None:
                            break
                        index, chunk = item
                        pending[pool.submit(process_partition, index, chunk, staging, skip, base, fixes)] = len(chunk)
                    if not pending:
                        break
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        bar.update(pending.pop(future))
                        results.append(future.result())
            except BaseException:
                stop_pool(pool)  # Ctrl-C, SIGTERM or a full disk: the partitions still running are of no use
                raise
    return results


def _run_dask(address: str, chunks: list[list[str]], staging: str, skip: dict, progress, base: str,
              fixes=None) -> list:
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
                process_partition, index, chunk, staging, skip, base, fixes, key=f"clean-corpus{run_id}-{index}",
                pure=False
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


def write_parquet_table(frame, path: Path) -> None:
    from analysis.store.sinks import write_parquet

    write_parquet(frame.reset_index(drop=True), path)


def _write_failures(failures: list, path: Path) -> None:
    import pandas as pd

    from analysis.store.sinks import write_parquet

    frame = pd.DataFrame(failures, columns=TABLES[FAILURES].names).astype("str")
    write_parquet(frame, path)


def _csv_writer(table_dir: Path):
    """Writes ``<table>.csv`` from the staged parts, in the cells and encoding of data/clean/*.csv."""
    import pyarrow.parquet as pq

    from analysis.store.cells import csv_chunks, write_csv_bytes

    def texts():
        for part in sorted(table_dir.glob("part-*.parquet")):
            # One part at a time: the CSV is as large as the corpus, memory is one part.
            yield from csv_chunks(pq.read_table(part).to_pandas())

    return lambda f: write_csv_bytes(f, TABLES[table_dir.name].names, texts())


def read_table(output: str | Path, name: str):
    """One table of a ``clean-corpus`` output as a DataFrame (all parts, in partition order), as
    stored; the output is recovered first if a crash left an update unfinished."""
    import pandas as pd

    from analysis.store.transaction import before_reading

    before_reading(output)
    parts = sorted((Path(output) / name).glob("part-*.parquet"))
    if not parts:
        raise InputError(Path(output) / name, "no parts (no report produced this table)")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
