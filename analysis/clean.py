"""The ``clean`` command: every report in a raw folder -> one CSV per table in the clean folder.

load (sources.load_source) -> process (tables.build_tables, pure) -> save (atomic, under a lock).

Failure rule: a report that cannot be read is reported by name and the others are still processed.
Its rows from the previous run are kept as they were (read back from the existing CSVs), so a
bad edit to one raw file never erases earlier clean output for it. The exit status is 1 if any
report failed. If no report at all could be read, nothing is written.

Output is deterministic: documents in ``doc_id`` order, each document's rows in the order the
table builder gives them (by ``span_start``), values formatted by ``atomic.format_value``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError


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
    from analysis import sources
    from analysis.atomic import atomic_dir_update, csv_rows, locked, rows_to_csv_bytes

    raw_dir, clean_dir = Path(raw_dir), Path(clean_dir)
    reports = sources.raw_reports(raw_dir)
    if not reports:
        raise InputError(raw_dir, "no report files in this folder")
    report = CleanReport(raw_dir=raw_dir, clean_dir=clean_dir)

    built: dict[str, dict] = {}  # doc_id -> {table name: DataFrame}
    failed_ids: list[str] = []
    owner: dict[str, Path] = {}
    for path in _progress(reports, progress):
        doc_id = sources._doc_id(path)
        try:
            if doc_id in owner:
                raise InputError(path, f"same doc_id {doc_id!r} as {owner[doc_id].name}; rename one of them")
            owner[doc_id] = path
            tables = _build(sources.load_source(path))
        except InputError as err:
            report.failures.append((path, err.problem))
            if doc_id not in built:
                failed_ids.append(doc_id)
            continue
        built[doc_id] = tables
    if not built:
        return report

    names = list(next(iter(built.values())))
    with locked(clean_dir):
        files = {}
        for name in names:
            columns = [str(c) for c in built[next(iter(built))][name].columns]
            previous = _previous_rows(clean_dir / f"{name}.csv", columns, set(failed_ids))
            by_doc = {doc_id: csv_rows(tables[name][columns]) for doc_id, tables in built.items()}
            for doc_id, rows in previous.items():
                by_doc.setdefault(doc_id, rows)
                if doc_id not in report.kept:
                    report.kept.append(doc_id)
            rows = [row for doc_id in sorted(by_doc) for row in by_doc[doc_id]]
            files[f"{name}.csv"] = rows_to_csv_bytes(columns, rows)
            report.written[f"{name}.csv"] = len(rows)
        atomic_dir_update(clean_dir, files)
    report.documents = sorted(built)
    report.kept.sort()
    return report


def _build(source) -> dict:
    from analysis.tables import build_tables

    return _portable_paths(build_tables(source))


def _portable_paths(tables: dict) -> dict:
    """Record ``documents.path`` relative to the project root (the file name if outside it).

    The committed CSVs must not depend on where a clone lives, or a fresh run would differ from them.
    Paths that are already relative are left alone.
    """
    from pathlib import PurePath

    from analysis.config import ROOT

    documents = tables.get("documents")
    if documents is None or "path" not in documents.columns:
        return tables

    def portable(value):
        if not isinstance(value, str) or not PurePath(value).is_absolute():
            return value
        try:
            return Path(value).resolve().relative_to(ROOT.resolve()).as_posix()
        except ValueError:
            return Path(value).name

    documents = documents.copy()
    documents["path"] = documents["path"].map(portable).astype(documents["path"].dtype)
    return {**tables, "documents": documents}


def _previous_rows(path: Path, columns: list[str], doc_ids: set[str]) -> dict[str, list[list[str]]]:
    """Rows of ``doc_ids`` in an existing clean CSV, as the strings written last time.

    Kept only if the file still has the same columns: rows of another layout cannot be merged.
    """
    import csv

    if not doc_ids or not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != columns or "doc_id" not in header:
            return {}
        at = header.index("doc_id")
        kept: dict[str, list[list[str]]] = {}
        for row in reader:
            if len(row) == len(header) and row[at] in doc_ids:
                kept.setdefault(row[at], []).append(row)
    return kept


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
