"""The ``clean`` command: every report in a raw folder -> one CSV per table in the clean folder.

load (sources.load_source) -> process (tables.iter_tables, pure; enrich + validate) -> save (staged
temporary files, renamed at the end, under a lock).

Memory is bounded: a report is built in pieces (one window of text each, see analysis.extract.windows),
and the pieces are enriched, validated and appended to the temporary CSVs a batch at a time, so a
100 MB report is never held whole, nor are its tables.

Failure rule: a report that cannot be read is reported by name and the others are still processed.
Its rows from the previous run are kept as they were (copied from the existing CSVs), so a bad edit
to one raw file never erases earlier clean output for it. The exit status is 1 if any report failed.
If no report at all could be read, nothing is written.

Output is deterministic: documents in ``doc_id`` order, each document's rows in the order the
table builder gives them (by ``span_start``), values formatted by ``atomic.format_value``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError

# Tables with one row per document or less, written from the pieces; the shared vocabularies
# (provinces, themes, indicator_definitions) and the data package are written once at the end.
DOC_TABLES = ("documents", "sections", "sentences", "figures", "dates", "mentions", "figure_themes", "indicators")
BATCH_ROWS = 50_000  # rows gathered before a batch of pieces is enriched, validated and written


@dataclass
class CleanReport:
    """What one ``clean`` run did."""

    raw_dir: Path
    clean_dir: Path
    documents: list[str] = field(default_factory=list)  # doc_ids cleaned in this run
    failures: list[tuple[Path, str]] = field(default_factory=list)  # (raw file, problem)
    kept: list[str] = field(default_factory=list)  # doc_ids whose previous rows were kept
    written: dict[str, int] = field(default_factory=dict)  # file name -> number of rows

    @property
    def ok(self) -> bool:
        return not self.failures


def clean(raw_dir: str | Path, clean_dir: str | Path, *, progress: bool | None = None) -> CleanReport:
    """Clean every report in ``raw_dir`` into ``clean_dir/<table>.csv``.

    Raises InputError if ``raw_dir`` has no report files; per-report problems go to ``.failures``.
    ``progress``: show a progress bar on stderr (default: when stderr is a terminal and there are
    more than a handful of reports).
    """
    from analysis.raw import report as sources
    from analysis.store.atomic import locked, staged_files

    raw_dir, clean_dir = Path(raw_dir), Path(clean_dir)
    reports = sources.raw_reports(raw_dir)
    if not reports:
        raise InputError(raw_dir, "no report files in this folder")
    report = CleanReport(raw_dir=raw_dir, clean_dir=clean_dir)
    # doc_id order is the order rows are written in; a second file with a taken doc_id fails
    ordered = sorted(reports, key=lambda path: (sources._doc_id(path), path.name))
    try:
        with locked(clean_dir), staged_files(clean_dir, [f"{name}.csv" for name in DOC_TABLES]) as files:
            writer = _Writer(files, clean_dir, report)
            owner: dict[str, Path] = {}
            for path in _progress(ordered, progress):
                doc_id = sources._doc_id(path)
                if doc_id in owner:
                    report.failures.append((path, f"same doc_id {doc_id!r} as {owner[doc_id].name}; rename one of them"))
                    continue
                owner[doc_id] = path
                try:
                    writer.add(doc_id, _pieces(path, progress))
                except InputError as err:
                    report.failures.append((path, err.problem))
                    writer.keep_previous(doc_id)
            if not report.documents:
                raise _NothingWritten
            writer.finish()
    except _NothingWritten:
        report.kept.clear()
        report.written.clear()
    except OSError as err:
        raise InputError(clean_dir, f"cannot write the clean tables ({err.strerror or err})") from None
    report.kept.sort()
    return report


class _NothingWritten(Exception):
    """No report could be read: leave every file as it was."""


def _pieces(path: Path, progress: bool | None = None):
    """The pieces of one report's rows (``tables.iter_rows``); any failure is an InputError.

    A report large enough to be streamed gets its own progress bar (characters done of its length)
    when ``progress`` is true, or is None and stderr is a terminal: it can take minutes.
    """
    from analysis.errors import internal_error
    from analysis.raw.report import load_source
    from analysis.tables.build import iter_rows

    source = load_source(path)
    bar = None
    if source.chunks is not None and (progress or progress is None and sys.stderr.isatty()):
        from tqdm import tqdm

        bar = tqdm(total=source.n_chars, desc=path.name, unit="char", unit_scale=True, leave=False,
                   file=sys.stderr)
    try:
        for piece in iter_rows(source, progress=bar.update if bar is not None else None):
            yield _portable_paths(piece)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - one failed report must not stop the others
        raise internal_error(source.path, err) from err
    finally:
        if bar is not None:
            bar.close()


class _Writer:
    """Appends the rows of each report to the staged CSVs, a batch of pieces at a time.

    A report that fails part-way has its rows cut off the files again (each file is truncated to
    where the report began), and its rows from the previous run are copied in instead.
    """

    def __init__(self, files: dict, clean_dir: Path, report: CleanReport):
        import csv
        import io

        from analysis.store.atomic import CSV_ENCODING
        from analysis.tables.enrich import Batches
        from analysis.raw.census import load_provinces

        self.files, self.clean_dir, self.report = files, clean_dir, report
        self.checker = Batches(load_provinces())
        self.shared: dict = {}
        self.text = {name: io.TextIOWrapper(files[f"{name}.csv"], encoding=CSV_ENCODING, newline="")
                     for name in DOC_TABLES}
        self.csv = {name: csv.writer(self.text[name], lineterminator="\n") for name in DOC_TABLES}
        self.columns: dict[str, list[str]] = {}
        self.rows = dict.fromkeys(DOC_TABLES, 0)
        self.batch: list[dict] = []
        self.batch_rows = 0
        self.starts: dict[str, tuple[int, int]] = {}  # table -> (file position, rows) where the report began

    def add(self, doc_id: str, pieces) -> None:
        self.starts = {}
        try:
            for piece in pieces:
                self.batch.append(piece)
                self.batch_rows += sum(len(df) for df in piece.values())
                if self.batch_rows >= BATCH_ROWS:
                    self._flush(doc_id)
        except InputError:
            self.batch = [p for p in self.batch if not _of(p, doc_id)]
            self._rewind()
            raise
        self.report.documents.append(doc_id)

    def keep_previous(self, doc_id: str) -> None:
        """Copy the rows of ``doc_id`` from the existing CSVs, in order, after flushing earlier reports."""
        self._flush(None)
        kept = False
        for name in DOC_TABLES:
            for row in _previous_rows(self.clean_dir / f"{name}.csv", self.columns.get(name), doc_id):
                self._header(name, None)
                self.csv[name].writerow(row)
                self.rows[name] += 1
                kept = True
        if kept and doc_id not in self.report.kept:
            self.report.kept.append(doc_id)

    def finish(self) -> None:
        from analysis.store.atomic import atomic_dir_update, iter_csv_rows, write_csv_rows
        from analysis.tables.datapackage import package_files

        self._flush(None)
        for name in DOC_TABLES:
            self._header(name, None)
            self.text[name].flush()
            self.text[name].detach()  # staged_files closes the binary file
            self.report.written[f"{name}.csv"] = self.rows[name]
        files = {}
        for name, table in self.shared.items():  # provinces, themes, indicator_definitions: no doc_id
            files[f"{name}.csv"] = lambda f, t=table: write_csv_rows(f, list(t.columns), iter_csv_rows(t))
            self.report.written[f"{name}.csv"] = len(table)
        files.update(package_files([*DOC_TABLES, *self.shared]))  # datapackage.json + README.md
        atomic_dir_update(self.clean_dir, files)

    # -- internals -----------------------------------------------------------------------------
    def _flush(self, doc_id: str | None) -> None:
        """Enrich, validate and write the batch (``doc_id``: the report still being read, if any)."""
        from analysis.store.atomic import iter_csv_rows

        if not self.batch:
            return
        combined = _combine(self.batch)
        self.batch, self.batch_rows = [], 0
        checked = _check(self.checker, combined, doc_id)
        for name, df in checked.items():
            if "doc_id" not in df.columns:
                self.shared.setdefault(name, df)
                continue
            self._header(name, [str(c) for c in df.columns])
            # the report being read comes last in the batch: note where its rows begin, to cut them
            # off again if it fails later
            earlier = int(df["doc_id"].ne(doc_id).sum()) if doc_id is not None else len(df)
            self.csv[name].writerows(iter_csv_rows(df.iloc[:earlier]))
            if earlier < len(df) and name not in self.starts:
                self.text[name].flush()
                self.starts[name] = (self.files[f"{name}.csv"].tell(), self.rows[name] + earlier)
            self.csv[name].writerows(iter_csv_rows(df.iloc[earlier:]))
            self.rows[name] += len(df)

    def _header(self, name: str, columns: list[str] | None) -> None:
        if name in self.columns:
            return
        if columns is None:
            from analysis.tables.schemas import TABLES

            columns = list(TABLES[name].model.to_schema().columns)
        self.columns[name] = columns
        self.csv[name].writerow(columns)

    def _rewind(self) -> None:
        """Cut the rows of the report that just failed off every file."""
        for name, (position, rows) in self.starts.items():
            self.text[name].flush()
            handle = self.files[f"{name}.csv"]
            handle.seek(position)
            handle.truncate()
            self.rows[name] = rows
        self.starts = {}


def _combine(pieces: list[dict]) -> dict:
    """The batch's row pieces as one typed DataFrame per table (built once per batch: it is costly)."""
    from analysis.tables.build import frames_of

    return frames_of(pieces)


def _check(checker, tables: dict, open_doc: str | None) -> dict:
    """Themes and indicators added, every table validated (schemas.TableError if one breaks its schema)."""
    return checker.check(tables, open_doc)


def _of(piece: dict, doc_id: str) -> bool:
    for rows in piece.values():
        if len(rows):
            return rows[0]["doc_id"] == doc_id
    return False


def _portable_paths(tables: dict) -> dict:
    """Record ``documents.path`` (in a piece of rows) relative to the project root (the file name if outside it).

    The committed CSVs must not depend on where a clone lives, or a fresh run would differ from them.
    Paths that are already relative are left alone.
    """
    from pathlib import PurePath

    from analysis.config import ROOT

    documents = tables.get("documents")
    if not documents or "path" not in documents[0]:
        return tables

    def portable(value):
        if not isinstance(value, str) or not PurePath(value).is_absolute():
            return value
        try:
            return Path(value).resolve().relative_to(ROOT.resolve()).as_posix()
        except ValueError:
            return Path(value).name

    return {**tables, "documents": [{**row, "path": portable(row["path"])} for row in documents]}


def _previous_rows(path: Path, columns: list[str] | None, doc_id: str):
    """Rows of ``doc_id`` in an existing clean CSV, as the strings written last time, streamed.

    Kept only if the file has the columns this run writes: rows of another layout cannot be merged.
    """
    import csv

    if not path.exists():
        return
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or "doc_id" not in header:
            return
        if columns is None:
            from analysis.tables.schemas import TABLES

            columns = list(TABLES[path.stem].model.to_schema().columns) if path.stem in TABLES else header
        if header != columns:
            return
        at = header.index("doc_id")
        for row in reader:
            if len(row) == len(header) and row[at] == doc_id:
                yield row


def _progress(items: list, progress: bool | None):
    if progress is None:
        progress = len(items) > 5 and sys.stderr.isatty()
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="clean", unit="report", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser) -> None:
    from analysis import config

    parser.add_argument(
        "raw_dir", nargs="?", default=str(config.RAW_DIR), metavar="RAW_DIR",
        help="folder of raw reports with their .source.yml sidecars (default: data/raw)",
    )
    parser.add_argument(
        "-o", "--output", dest="clean_dir", default=str(config.CLEAN_DIR), metavar="CLEAN_DIR",
        help="folder for the CSV tables (default: data/clean)",
    )


def run(args) -> int:
    report = clean(args.raw_dir, args.clean_dir)
    for name, n_rows in report.written.items():
        print(f"wrote {Path(report.clean_dir) / name} ({n_rows} rows)")
    for path, problem in report.failures:
        print(f"error: {path}: {problem}", file=sys.stderr)
    if report.kept:
        print(f"kept the previous rows of: {', '.join(report.kept)}", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} of {len(report.failures) + len(report.documents)} report(s) failed", file=sys.stderr)
        return 1
    return 0
