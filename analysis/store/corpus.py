"""``clean-corpus``: an archive of reports -> partitioned Parquet tables with their data package,
on all cores or a Dask cluster, cleaning again only what changed.

    python -m analysis clean-corpus archive/ -o out/              # every core of this machine
    python -m analysis clean-corpus 'archive/2021/**/*.txt' -o out/ --csv
    python -m analysis clean-corpus archive/ -o out/ --scheduler tcp://10.0.0.5:8786

load: the files are found (a folder is searched recursively; a quoted glob may use ``**``); each is
named by its place in the archive (``doc_id`` ``2021/jiangxi/gongbao``, :mod:`analysis.raw.discover`)
and known by its size, time and SHA-256 (:mod:`analysis.store.manifest`: only new or changed files
are hashed again). A file with the same bytes as an earlier one is the same report: it is counted
once and listed in the ``duplicates`` table. Two files that would share a ``doc_id`` are refused.

process: the reports are cut into partitions by their ``doc_id`` (:mod:`analysis.store.partitions`:
an added report changes only its own partition). A partition whose fingerprint (the cleaning code,
its reports' bytes, sidecars and corrections) is in the output's manifest is kept as it is; the
others are cleaned by workers (:func:`analysis.store.partitions.clean_partition`), each writing its
Parquet parts into ``OUT/.parts/<fingerprint>/``. A partition a crashed or interrupted run finished
there is taken as it is: a rerun resumes.

save: one commit through OUT's transaction (:mod:`analysis.store.transaction`) puts the new parts in
place, removes the parts of partitions that are gone, and writes the run logs (``failures``,
``duplicates``), the vocabularies, the corrections record, ``manifest.json``, ``datapackage.json``
and the data dictionary; unchanged parts are not touched. An interrupted, killed or failed run
leaves the previous output as it was. A run holds OUT's lock from start to end. Workers die with
the command (:mod:`analysis.store.processes`); on a cluster (:mod:`analysis.store.cluster`) the
input files and OUT must be on a file system every worker can reach.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, OutputError
from analysis.raw.discover import doc_id, duplicates, recorded_path, same_bytes, search
from analysis.store import manifest as manifests
from analysis.store.cluster import WORKER_TIMEOUT
from analysis.store.manifest import PartitionRecord
from analysis.store.partitions import Member, Result, Task
from analysis.tables.contract import PER_DOCUMENT, REVIEW_TABLES, RUN_LOGS, TABLES, VOCABULARIES

FAILURES, DUPLICATES = "failures", "duplicates"
DEFAULT_PARTITION_SIZE = 16  # reports per partition on average: what an added report costs again
CACHE = ".parts"  # inside OUT: each partition cleaned by this run (or a crashed one), until the commit
WHOLE_TABLES = (*VOCABULARIES, *REVIEW_TABLES, *RUN_LOGS)  # written whole every run, one part each
SINGLE_PART = "part-00000.parquet"


@dataclass
class CorpusReport:
    """What one ``clean-corpus`` run did."""

    output: Path
    n_files: int = 0
    n_partitions: int = 0
    n_unreadable: int = 0  # folders that could not be searched (each a failure row too)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows in the output
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # the failures table's columns
    duplicates: list[tuple[str, str, str, str]] = field(default_factory=list)  # the duplicates table's columns
    corrections_file: Path | None = None  # the corrections applied, if any file was read
    corrections: object = None  # the corrections table with each row's outcome (a DataFrame), or None
    archive: Path | None = None  # the folder documents.path starts in (absolute)
    base: str = ""  # the same folder as the command was given it
    n_hashed: int = 0  # files read to hash them (new or changed since the last run)
    cleaned: int = 0  # partitions cleaned by this run
    resumed: int = 0  # partitions an earlier, unfinished run had cleaned
    kept: int = 0  # partitions unchanged since the last run
    files_cleaned: int = 0  # reports in the partitions cleaned
    parts_written: int = 0  # Parquet parts of the per-report tables written by this run
    parts_removed: int = 0
    parts_total: int = 0  # Parquet parts of the per-report tables in the output

    @property
    def ok(self) -> bool:
        return not self.failures


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


# ---------------------------------------------------------------------------------------------
# Corrections: which rows go to which partition, and what became of each


def _corrections_of(fixes, ids: list[str], docs: set[str]):
    """The rows of ``fixes`` (and their ids) for the reports ``docs``; (None, ()) if none."""
    if fixes is None:
        return None, ()
    mine = fixes["doc_id"].isin(docs).to_numpy()
    if not mine.any():
        return None, ()
    return fixes[mine].reset_index(drop=True), tuple(i for i, m in zip(ids, mine) if m)


def merged_corrections(corrections, ids: list[str], outcomes: dict[str, list]):
    """The corrections table with what each row's partition did with it (``outcomes``: row id ->
    [status, figure, problem]); ``no_report`` for rows of reports not in the archive."""
    import pandas as pd

    out = corrections.reset_index(drop=True).copy()
    found = [outcomes.get(i) for i in ids]
    out["status"] = pd.array([f[0] if f else "no_report" for f in found], dtype="string")
    out["figure"] = pd.array([f[1] if f else None for f in found], dtype="Int64")
    out["problem"] = pd.array([(f[2] or None) if f else "no report with this doc_id was cleaned" for f in found],
                              dtype="string")
    return out


def write_vocabularies(staging: Path) -> None:
    """The vocabulary tables (provinces, themes, indicator definitions), once for the whole corpus."""
    from analysis.store.pipeline import vocabularies
    from analysis.store.sinks import write_parquet

    for name, table in vocabularies().items():
        write_parquet(table, staging / name / SINGLE_PART, name)


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class _Plan:
    """Every partition of this run in order, with what becomes of it."""

    keys: list[str] = field(default_factory=list)
    records: dict[str, PartitionRecord] = field(default_factory=dict)  # key -> unchanged or done
    tasks: list[Task] = field(default_factory=list)  # to clean
    fresh: set[str] = field(default_factory=set)  # keys whose parts are in the cache (cleaned or resumed)


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
    worker_timeout: float = WORKER_TIMEOUT,
    say=None,
) -> CorpusReport:
    """Clean every report named by ``spec`` into ``output`` (see the module doc).

    ``jobs``: worker processes on this machine (default: every core available; 1 runs in this
    process). ``scheduler``: address of a Dask scheduler; the work runs there instead, and
    ``worker_timeout`` is how long to wait for a worker. ``csv``: also write ``output/<table>.csv``.
    ``corrections``: as :func:`analysis.store.clean.clean` takes it. ``say``: where to print a
    note (stderr by default).
    """
    from analysis.store.clean import read_fixes
    from analysis.store.transaction import transaction

    if partition_size < 1:
        raise InputError("--partition-size", "must be at least 1")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "must be at least 1")
    if worker_timeout <= 0:
        raise InputError("--worker-timeout", "must be more than 0 seconds")
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError(output, "exists and is not a folder")
    found = search(spec, exclude=output)
    base = _base_folder(spec)
    report = CorpusReport(output=output, n_files=len(found.reports), archive=Path(os.path.abspath(base)), base=base)
    report.corrections_file, fixes = read_fixes(corrections)  # a malformed file stops here, before any write
    fixes = fixes if fixes is not None and len(fixes) else None
    report.failures += [(recorded_path(folder, base), doc_id(folder, base),
                         "PermissionError" if "permission" in problem else "OSError",
                         f"{problem}: the reports in this folder were not read") for folder, problem in found.unreadable]
    report.n_unreadable = len(found.unreadable)

    # One run at a time per OUT: the lock is held from the start, so the manifest read here is the
    # one this run replaces, and a crashed run's partitions in the cache are this run's to take.
    with transaction(output, "the corpus tables") as tx:
        try:
            _clean_into(tx, found, base, output, report, fixes, partition_size, jobs, scheduler, progress,
                        worker_timeout, csv, say)
            tx.commit()
        except (OutputError, OSError):
            shutil.rmtree(output / CACHE, ignore_errors=True)  # a full disk: give its space back
            raise
        except BaseException:
            _drop_unfinished(output / CACHE)  # interrupted: what finished is kept for the next run
            raise
    shutil.rmtree(output / CACHE, ignore_errors=True)  # published: the cache has done its work
    return report


def _clean_into(tx, found, base: str, output: Path, report: CorpusReport, fixes, partition_size: int, jobs, scheduler,
                progress, worker_timeout: float, csv: bool, say) -> None:
    """Everything of a run between taking the lock and the commit (see :func:`clean_corpus`)."""
    from analysis.store.clean import corrections_record
    from analysis.store.sinks import write_parquet

    previous = manifests.read(output)
    members, states = _members(found.reports, base, previous, report, _shows(progress))
    cleaner = manifests.cleaner_version()
    ids = _ids(fixes)
    plan = _plan(members, partition_size, previous, output, cleaner, fixes, ids, base, report)
    results, vocabularies_written = _run(plan.tasks, jobs, scheduler, progress, worker_timeout, say,
                                         vocabularies_into=tx.staging)
    for result in results:
        plan.records[result.key] = _record(result)
    records = [plan.records[key] for key in plan.keys]
    report.cleaned = len(plan.tasks)
    outcomes: dict[str, list] = {}
    for record in records:
        report.failures.extend(tuple(f) for f in record.failures)
        outcomes.update(record.outcomes)
        for name, n in record.rows.items():
            report.rows[name] = report.rows.get(name, 0) + n
    report.failures.sort(key=lambda f: f[0])
    report.corrections = merged_corrections(fixes, ids, outcomes) if fixes is not None else None
    parts = _stage_parts(tx, output, records, plan.fresh, report)
    _write_table(tx, FAILURES, report.failures)
    _write_table(tx, DUPLICATES, report.duplicates)
    if not vocabularies_written:
        write_vocabularies(tx.staging)
    write_parquet(corrections_record(report.corrections), tx.path(f"corrections/{SINGLE_PART}"), "corrections")
    for name in WHOLE_TABLES:
        parts[name] = [f"{name}/{SINGLE_PART}"]
        report.rows.setdefault(name, 0)
    changed = set(PER_DOCUMENT) if report.parts_written or report.parts_removed else set()
    _write_csvs(tx, output, parts, csv, changed)
    _write_package(tx, output, parts)
    tx.write(manifests.NAME, manifests.Manifest(
        archive=str(report.archive), cleaner=cleaner, partition_size=partition_size,
        files={s.relative: s.state for s in states}, partitions=records).to_json())


def _ids(fixes) -> list[str]:
    from analysis.store.partitions import correction_ids

    return correction_ids(fixes)


def _members(paths: list[Path], base: str, previous, report: CorpusReport, progress: bool = False):
    """The reports to clean, sorted by ``doc_id`` (files that cannot be hashed, duplicates and
    ``doc_id`` clashes set aside into ``report``), and the state of every file scanned."""
    scanned = manifests.scan(paths, base, previous, progress)
    report.n_hashed = sum(s.hashed for s in scanned)
    readable = []
    for s in scanned:
        if s.state is None:
            report.failures.append((s.relative, doc_id(s.path, base), "InputError", s.problem))
        else:
            readable.append(s)
    readable.sort(key=lambda s: (doc_id(s.path, base), os.fsencode(s.path)))
    by_path = {s.path: s for s in readable}
    ordered = [s.path for s in readable]
    # an empty file is no report at all (it fails, by name): never "the same report" as another
    twins = same_bytes(ordered, {s.path: s.state.sha256 for s in readable if s.state.size})
    for path, first in twins.items():
        report.duplicates.append((by_path[path].relative, doc_id(path, base), doc_id(first, base), by_path[path].state.sha256))
    report.duplicates.sort()
    kept = [p for p in ordered if p not in twins]
    clashes = duplicates(kept, base)
    members = []
    for path in kept:
        s = by_path[path]
        name = doc_id(path, base)
        if path in clashes:
            report.failures.append((s.relative, name, "InputError", clashes[path]))
            continue
        sidecar = s.state.sidecar[2] if s.state.sidecar else ""
        members.append(Member(name, os.fsdecode(path), s.relative, s.state.sha256, sidecar))
    return members, [s for s in scanned if s.state is not None]


def _plan(members: list[Member], size: int, previous, output: Path, cleaner: str, fixes, ids: list[str],
          base: str, report: CorpusReport) -> _Plan:
    """Which partitions are kept from the last run, taken from a crashed one, or cleaned now."""
    from analysis.store.partitions import cut, finished, fingerprint, key_of

    by_doc: dict[str, list[str]] = {}
    if fixes is not None:
        for doc, row_id in zip(fixes["doc_id"].tolist(), ids):
            by_doc.setdefault(doc, []).append(row_id)
    before = {(p.key, p.fingerprint): p for p in previous.partitions} if previous is not None else {}
    cache = output / CACHE
    plan = _Plan()
    wanted: set[str] = set()
    chunks = cut(members, size)
    report.n_partitions = len(chunks)
    for chunk in chunks:
        key, fp = key_of(chunk), fingerprint(cleaner, chunk, by_doc)
        plan.keys.append(key)
        old = before.get((key, fp))
        if old is not None and all((output / part).is_file() for part in old.parts):
            plan.records[key] = old
            report.kept += 1
            continue
        folder = cache / fp
        wanted.add(fp)
        done = finished(folder, fp)
        if done is not None:
            plan.records[key] = _record(done)
            plan.fresh.add(key)
            report.resumed += 1
            continue
        shutil.rmtree(folder, ignore_errors=True)
        for name in PER_DOCUMENT:
            (folder / name).mkdir(parents=True, exist_ok=True)
        rows, row_ids = _corrections_of(fixes, ids, {m.doc_id for m in chunk})
        plan.tasks.append(Task(key, fp, tuple(chunk), str(folder), base, rows, row_ids))
        plan.fresh.add(key)
        report.files_cleaned += len(chunk)
    if cache.is_dir():  # what a crashed run left that no partition of this run is
        for entry in cache.iterdir():
            if entry.name not in wanted:
                shutil.rmtree(entry, ignore_errors=True)
    return plan


def _record(result: Result) -> PartitionRecord:
    return PartitionRecord(key=result.key, fingerprint=result.fingerprint, docs=list(result.docs),
                           parts=list(result.parts), rows=dict(result.rows), failures=[list(f) for f in result.failures],
                           outcomes=dict(result.outcomes))


def _drop_unfinished(cache: Path) -> None:
    """After an interruption: the folders of partitions not finished go (those finished stay, for the
    next run), and the cache itself if nothing is left in it."""
    from analysis.store.partitions import finished

    if not cache.is_dir():
        return
    for folder in cache.iterdir():
        if finished(folder, folder.name) is None:
            shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        cache.rmdir()


def _stage_parts(tx, output: Path, records: list[PartitionRecord], fresh: set[str], report: CorpusReport) -> dict:
    """Put the parts of partitions cleaned (or resumed) by this run into the transaction, and remove
    every part of the per-report tables that no partition has any more; returns table -> parts, in order."""
    parts: dict[str, list[str]] = {name: [] for name in PER_DOCUMENT}
    for record in records:
        for part in record.parts:
            parts[part.split("/", 1)[0]].append(part)
            if record.key in fresh:
                _link(output / CACHE / record.fingerprint / part, tx.path(part))
                report.parts_written += 1
    new = {p for names in parts.values() for p in names}
    for name in (*PER_DOCUMENT, *WHOLE_TABLES):
        folder = output / name
        if not folder.is_dir():
            continue
        for old in sorted(folder.glob("part-*.parquet")):
            part = f"{name}/{old.name}"
            if part not in new and not (name in WHOLE_TABLES and old.name == SINGLE_PART):
                tx.remove(part)
                report.parts_removed += name in PER_DOCUMENT
    report.parts_total = len(new)
    return parts


def _link(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source`` (a hard link, else a copy)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _write_table(tx, name: str, rows: list) -> None:
    import pandas as pd

    from analysis.store.sinks import write_parquet

    frame = pd.DataFrame(rows, columns=TABLES[name].names).astype("str")
    write_parquet(frame, tx.path(f"{name}/{SINGLE_PART}"), name)


def _write_csvs(tx, output: Path, parts: dict[str, list[str]], csv: bool, changed: set[str]) -> None:
    """``<table>.csv`` from the parts in order (staged or already in place), for tables whose parts
    changed or whose CSV is missing; without ``csv``, CSVs of an earlier ``--csv`` run go (they would be stale)."""
    for name, names in parts.items():
        if not csv:
            tx.remove(f"{name}.csv")
        elif name in changed or name not in PER_DOCUMENT or not (output / f"{name}.csv").is_file():
            paths = [tx.staging / p if (tx.staging / p).is_file() else output / p for p in names]
            tx.write(f"{name}.csv", _csv_writer(name, paths))


def _csv_writer(name: str, paths: list[Path]):
    """Writes ``<table>.csv`` from the parts, in the cells and encoding of data/clean/*.csv."""
    from analysis.store.cells import csv_chunks, write_csv_bytes
    from analysis.store.parquet import read_part

    def texts():
        for part in paths:
            # One part at a time: the CSV is as large as the corpus, memory is one part.
            yield from csv_chunks(read_part(part))

    return lambda f: write_csv_bytes(f, TABLES[name].names, texts())


def _write_package(tx, output: Path, parts: dict[str, list[str]]) -> None:
    """``datapackage.json`` and the data dictionary beside the parts, the reports as sources."""
    from analysis.store.parquet import read_part
    from analysis.tables.datapackage import package_files

    documents = []
    for part in parts["documents"]:
        path = tx.staging / part if (tx.staging / part).is_file() else output / part
        documents += read_part(path)[["doc_id", "title", "publisher", "published", "url"]].to_dict("records")
    documents.sort(key=lambda d: d["doc_id"])
    names = [*PER_DOCUMENT, *VOCABULARIES, *REVIEW_TABLES, *RUN_LOGS]
    for name, content in package_files(names, documents, parts={n: parts.get(n, []) for n in names}).items():
        tx.write(name, content)


def _base_folder(spec: str | Path) -> str:
    """The folder a spec names, for ``doc_id`` and ``documents.path``: the folder itself, or where a glob starts."""
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


def _shows(progress: bool | None) -> bool:
    """Whether to show progress: as asked, else on a terminal."""
    return sys.stderr.isatty() if progress is None else progress


def _progress_bar(total: int, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, desc="clean-corpus", unit="file", file=sys.stderr, disable=not _shows(progress))


def _run(tasks: list[Task], jobs: int | None, scheduler: str | None, progress, worker_timeout: float, say,
         vocabularies_into: Path | None = None) -> tuple[list[Result], bool]:
    """Every task cleaned, locally or on the cluster, with a progress bar of files on a terminal;
    and whether a local worker wrote the vocabulary tables into ``vocabularies_into`` (see
    :func:`_run_local`: else the caller writes them)."""
    if not tasks:
        return [], False
    with _progress_bar(sum(len(t.members) for t in tasks), progress) as bar:
        def done(result: Result) -> None:
            bar.update(result.n_files)

        if scheduler:
            from analysis.store.cluster import run_tasks
            from analysis.store.partitions import clean_partition

            keys = [f"clean-corpus-{t.fingerprint}" for t in tasks]
            return run_tasks(scheduler, clean_partition, tasks, keys=keys, worker_timeout=worker_timeout,
                             on_result=done, say=say if bar.disable else bar.write), False
        return _run_local(jobs or _cores(), tasks, done, vocabularies_into)


def _run_local(jobs: int, tasks: list[Task], done, vocabularies_into: Path | None = None) -> tuple[list[Result], bool]:
    """The tasks cleaned in this process (``jobs`` 1) or in a pool of workers; with a pool, one of
    its workers also writes the vocabulary tables into ``vocabularies_into`` once the last partition
    is handed out: it has pandas and the vocabularies at hand, where this process would import and
    build them for three small tables. Returns the results and whether the vocabularies were written."""
    from analysis.store.partitions import clean_partition

    results = []
    if jobs == 1:
        for task in tasks:
            results.append(clean_partition(task))
            done(results[-1])
        return results, False
    from concurrent.futures import ProcessPoolExecutor

    from analysis.store.processes import die_with_parent, preloaded_context, stop_pool, wait_interruptibly

    # At most two partitions queued per worker: the file list is streamed into the pool, and
    # a Ctrl-C cancels little.
    pending = set()
    todo = iter(tasks)
    vocabularies = None  # the worker's task writing the vocabulary tables
    # Workers forked by a fork server that imported pandas, pyarrow and the cleaning code once (not
    # fork: the parent may have threads, tqdm's monitor or a notebook kernel's, whose locks a forked
    # child could inherit held); no more workers than partitions.
    context = preloaded_context()
    server = context.get_start_method() == "forkserver"
    # Workers die with this process (even on SIGKILL) and write only into their partition's folder.
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context, initializer=die_with_parent,
                             initargs=(os.getpid(), server)) as pool:
        try:
            while True:
                while len(pending) < 2 * jobs:
                    task = next(todo, None)
                    if task is None:
                        if vocabularies is None and vocabularies_into is not None:
                            vocabularies = pool.submit(write_vocabularies, vocabularies_into)
                            pending.add(vocabularies)
                        break
                    pending.add(pool.submit(clean_partition, task))
                if not pending:
                    break
                finished, pending = wait_interruptibly(pending)
                for future in finished:
                    if future is vocabularies:
                        future.result()  # an OutputError (a full disk) stops the run here
                        continue
                    results.append(future.result())
                    done(results[-1])
        except BaseException:
            stop_pool(pool)  # Ctrl-C, SIGTERM or a full disk: the partitions still running are of no use
            raise
    return results, vocabularies is not None


def read_table(output: str | Path, name: str):
    """One table of a ``clean-corpus`` output as a DataFrame (all parts, rows in ``doc_id`` order),
    typed; the output is recovered first if a crash left an update unfinished."""
    from analysis.store.reader import read_table as typed

    return typed(output, name, check="types")
