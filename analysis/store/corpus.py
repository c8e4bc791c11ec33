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

Output is replaced as a whole: parts are written to a staging folder inside OUT and each table folder
is swapped in only when every partition has finished, so an interrupted run leaves the previous output
as it was; two runs into the same OUT take turns for the swap (:func:`analysis.store.locks.locked`). On a cluster, the
input files and OUT must be on a file system every worker can reach.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.discover import doc_id, duplicates, find_reports
from analysis.tables.contract import PER_DOCUMENT, TABLES, VOCABULARIES

FAILURES = "failures"
DEFAULT_PARTITION_SIZE = 64
CONNECT_TIMEOUT = "10s"  # how long to keep trying a Dask scheduler before calling the address wrong


@dataclass
class CorpusReport:
    """What one ``clean-corpus`` run did."""

    output: Path
    n_files: int = 0
    n_partitions: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # the failures table's columns

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


def process_partition(index: int, paths: list[str], staging: str, skip: dict[str, str]) -> tuple[int, dict, list]:
    """Build the tables of ``paths`` and write them as ``staging/<table>/part-<index>-<k>.parquet``.

    Returns ``(index, {table: rows}, failures)``. A file whose reading or processing raises becomes
    a failure row; the others are written. Rows go through the batched write pipeline
    (:mod:`analysis.store.pipeline`), so a worker holds one batch, not one partition: a partition
    of small reports is one part, and a report too large for one batch gets parts of its own,
    removed again if it fails part-way.
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
    pipeline = Pipeline(sink, on_invalid=invalid)
    for path in paths:
        name = doc_id(Path(path))
        if path in skip:
            failures.append((path, name, "InputError", skip[path]))
            continue
        path_of[name] = path
        try:
            pipeline.add(name, build.iter_rows(load_source(path)))
        except Exception as err:  # noqa: BLE001 - a bug on one file must not lose the other thousands
            kind, problem = ("InputError", err.problem) if isinstance(err, InputError) else (type(err).__name__, _one_line(err))
            failures.append((path, name, kind, problem))
    pipeline.flush()
    return index, sink.rows, failures


def write_vocabularies(staging: Path) -> None:
    """The vocabulary tables (provinces, themes, indicator definitions), once for the whole corpus."""
    from analysis.store.pipeline import vocabularies
    from analysis.store.sinks import write_parquet

    for name, table in vocabularies().items():
        write_parquet(table, staging / name / "part-00000.parquet")


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
    from analysis.store.locks import locked

    if partition_size < 1:
        raise InputError("--partition-size", "must be at least 1")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "must be at least 1")
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError(output, "exists and is not a folder")
    paths = find_reports(spec, exclude=output)
    skip = {str(p): problem for p, problem in duplicates(paths).items()}
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
        write_vocabularies(staging)
        # Two runs into the same folder take turns here; each built its parts in its own staging folder.
        with locked(output):
            _swap_in(staging, output, (*PER_DOCUMENT, *VOCABULARIES, FAILURES))
            if csv:
                for name in (*PER_DOCUMENT, *VOCABULARIES, FAILURES):
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

    from analysis.store.sinks import write_parquet

    frame = pd.DataFrame(failures, columns=TABLES[FAILURES].names).astype("str")
    write_parquet(frame, path)


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
    # Same cells and encoding as data/clean/*.csv, so the two kinds of output read alike.
    import pyarrow.parquet as pq

    from analysis.store.atomic import write_bytes_atomic
    from analysis.store.cells import csv_chunks, write_csv_bytes

    def texts():
        for part in sorted(table_dir.glob("part-*.parquet")):
            # One part at a time: the CSV is as large as the corpus, memory is one part.
            yield from csv_chunks(pq.read_table(part).to_pandas())

    write_bytes_atomic(target, lambda f: write_csv_bytes(f, TABLES[table_dir.name].names, texts()))


def read_table(output: str | Path, name: str):
    """One table of a ``clean-corpus`` output as a DataFrame (all parts, in partition order)."""
    import pandas as pd

    parts = sorted((Path(output) / name).glob("part-*.parquet"))
    if not parts:
        raise InputError(Path(output) / name, "no parts (no report produced this table)")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
