"""``clean``: every report in a raw folder -> one CSV per table in the clean folder.

load (:func:`analysis.raw.report.load_source`) -> process (:func:`analysis.tables.build.iter_rows`,
pure) -> save (:class:`analysis.store.pipeline.Pipeline` into a :class:`analysis.store.sinks.CsvFolder`:
enriched, validated and appended a batch at a time to staged files, published all at once by the
folder's transaction, :mod:`analysis.store.transaction`, under its lock).

Memory is bounded: a report is built in pieces (one window of text each, see
:mod:`analysis.extract.windows`) and written a batch at a time, so a 100 MB report is never held
whole, nor are its tables.

Failure rule: a report that cannot be read is reported by name and the others are still processed.
Its rows from the previous run are kept as they were (copied from the existing CSVs), so a bad edit
to one raw file never erases earlier clean output for it. If no report at all could be read,
nothing is written.

Corrections (``data/corrections.csv`` unless told otherwise) are read before anything is written
(a malformed file stops the run in one line) and applied by the pipeline; ``corrections.csv`` in the
clean folder records what was done with each, and :attr:`CleanReport.corrections` lists those not
applied.

Output is deterministic: documents in ``doc_id`` order, each document's rows in the order the
table builder gives them (by ``span_start``), cells formatted by :mod:`analysis.store.cells`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, OutputError


@dataclass
class CleanReport:
    """What one ``clean`` run did."""

    raw_dir: Path
    clean_dir: Path
    documents: list[str] = field(default_factory=list)  # doc_ids cleaned in this run
    failures: list[tuple[Path, str]] = field(default_factory=list)  # (raw file, problem)
    kept: list[str] = field(default_factory=list)  # doc_ids whose previous rows were kept
    same_bytes: list[tuple[Path, Path]] = field(default_factory=list)  # (file, the file read in its place)
    written: dict[str, int] = field(default_factory=dict)  # file name -> number of rows
    corrections_file: Path | None = None  # the corrections applied, if any file was read
    corrections: object = None  # the corrections table with each row's outcome (a DataFrame), or None

    @property
    def ok(self) -> bool:
        return not self.failures


DEFAULT = "default"  # corrections=DEFAULT: data/corrections.csv if there is one


def clean(raw_dir: str | Path, clean_dir: str | Path, *, progress: bool | None = None,
          corrections: str | Path | None = DEFAULT) -> CleanReport:
    """Clean every report in ``raw_dir`` into ``clean_dir/<table>.csv``.

    Raises InputError if ``raw_dir`` has no report files or the corrections file is malformed;
    per-report problems go to ``.failures``. ``progress``: show a progress bar on stderr (default:
    when stderr is a terminal and there are more than a handful of reports). ``corrections``: the
    corrections file to apply (default data/corrections.csv if it exists; None applies none).
    """
    from analysis.raw.discover import doc_id, duplicates, raw_reports, same_bytes
    from analysis.store.pipeline import Pipeline, vocabularies
    from analysis.store.sinks import CsvFolder, csv_file_names
    from analysis.store.transaction import transaction

    raw_dir, clean_dir = Path(raw_dir), Path(clean_dir)
    reports = raw_reports(raw_dir)
    if not reports:
        raise InputError(raw_dir, "no report files in this folder")
    report = CleanReport(raw_dir=raw_dir, clean_dir=clean_dir)
    report.corrections_file, fixes = read_fixes(corrections)
    # doc_id order is the order rows are written in; a second file with a taken doc_id fails
    ordered = sorted(reports, key=lambda path: (doc_id(path, raw_dir), os.fsencode(path.name)))
    refused = duplicates(ordered, raw_dir)
    twins = same_bytes(ordered, _digests(ordered))  # a report saved twice is read once
    report.same_bytes = sorted(twins.items())
    try:
        with transaction(clean_dir, "the clean tables") as tx:
            sink = CsvFolder({name: tx.open(name) for name in csv_file_names()}, clean_dir, tx.write)
            pipeline = Pipeline(sink, corrections=fixes)
            for path in _progress(ordered, progress):
                if path in refused:
                    report.failures.append((path, refused[path]))
                    continue
                if path in twins:
                    continue
                name = doc_id(path, raw_dir)
                try:
                    pipeline.add(name, _pieces(path, progress, raw_dir))
                    report.documents.append(name)
                except InputError as err:
                    if isinstance(err, OutputError):
                        raise
                    report.failures.append((path, err.problem_of(path)))
                    pipeline.flush()  # earlier reports first: rows stay in doc_id order
                    if sink.keep_previous(name):
                        report.kept.append(name)
            if not report.documents:
                raise _NothingWritten
            pipeline.flush()
            report.corrections = pipeline.corrections()
            report.written = sink.finish({**vocabularies(pipeline.provinces),
                                          "corrections": corrections_record(report.corrections)})
            tx.commit()
    except _NothingWritten:
        report.kept.clear()
    report.kept.sort()
    return report


def read_fixes(corrections: str | Path | None = DEFAULT):
    """(the corrections file, its corrections) for ``corrections`` as :func:`clean` takes it; the file
    is None when there is none to read. A malformed file is an InputError."""
    from analysis import config
    from analysis.store.corrections_file import read_corrections

    if corrections is None:
        return None, None
    default = isinstance(corrections, str) and corrections == DEFAULT
    path = config.CORRECTIONS if default else Path(corrections)
    fixes = read_corrections(path, missing_ok=default)
    return (path if fixes is not None else None), fixes


def corrections_record(outcomes):
    """The corrections table to write beside the clean tables (empty without corrections), checked."""
    from analysis.tables.enrich import checked_fast
    from analysis.tables.frames import frame

    table = outcomes if outcomes is not None else frame("corrections", [])
    return checked_fast({"corrections": table})["corrections"]


def _digests(paths: list[Path]) -> dict[Path, str]:
    """The SHA-256 of each file that can be read (one that cannot fails later, by name, when it is read)."""
    from analysis.raw.sidecar import sha256_of

    out = {}
    for path in paths:
        try:
            out[path] = sha256_of(path)
        except InputError:
            continue
    return out


class _NothingWritten(Exception):
    """No report could be read: leave every file as it was."""


def _pieces(path: Path, progress: bool | None = None, base: Path | None = None):
    """The pieces of one report's rows (``tables.build.iter_rows``); any failure is an InputError.

    A report large enough to be streamed gets its own progress bar (characters done of its length)
    when ``progress`` is true, or is None and stderr is a terminal: it can take minutes.
    """
    from analysis.raw.report import load_source

    yield from source_pieces(load_source(path, base), progress)


def source_pieces(source, progress: bool | None = None, tables=None):
    """:func:`_pieces` of a report already loaded (``extract`` overrides its publication date first);
    ``tables``: only these (see ``tables.build.iter_rows``), else all."""
    from analysis.errors import internal_error
    from analysis.tables import build

    path = Path(source.path)
    bar = None
    if source.chunks is not None and (progress or progress is None and sys.stderr.isatty()):
        from tqdm import tqdm

        bar = tqdm(total=source.n_chars, desc=path.name, unit="char", unit_scale=True, leave=False,
                   file=sys.stderr)
    try:
        only = {} if tables is None else {"tables": tables}
        for piece in build.iter_rows(source, progress=bar.update if bar is not None else None, **only):
            yield piece
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - one failed report must not stop the others
        raise internal_error(source.path, err) from err
    finally:
        if bar is not None:
            bar.close()


def _progress(items: list, progress: bool | None):
    if progress is None:
        progress = len(items) > 5 and sys.stderr.isatty()
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="clean", unit="report", file=sys.stderr)
