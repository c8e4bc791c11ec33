"""The two places checked batches are written: a folder of CSVs, or Parquet parts.

:class:`CsvFolder` appends each batch to staged CSVs, one per per-document table;
:meth:`CsvFolder.finish` stages the vocabularies, ``datapackage.json`` and the data dictionary
beside them, and the clean folder's transaction (:mod:`analysis.store.transaction`) publishes all
of them at once. :class:`ParquetParts` writes each batch as ``<table>/part-<partition>-<k>.parquet``
in a staging folder, each part atomically (:mod:`analysis.store.atomic`). Both get the mode any file
the user creates gets. A part that cannot be written (no space left, a read-only folder) is an
:class:`~analysis.errors.OutputError`, which stops the command rather than failing one report.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from analysis.errors import OutputError, os_reason
from analysis.store import cells
from analysis.store.atomic import atomic_path
from analysis.tables import contract


class CsvFolder:
    """Batches appended to the open (staged) CSV files ``files`` for ``clean_dir``; ``put(name, content)``
    stages the other files (:meth:`analysis.store.transaction.Transaction.write`).

    A report that fails part-way has its rows cut off the files again (each is truncated to where
    the report began); :meth:`keep_previous` copies a report's rows from the CSVs already there.
    """

    def __init__(self, files: dict[str, BinaryIO], clean_dir: Path, put):
        self.files, self.clean_dir, self.put = files, clean_dir, put
        self.names = list(contract.PER_DOCUMENT)
        self.text = {name: io.TextIOWrapper(files[_file(name)], encoding=contract.CSV_ENCODING, newline="")
                     for name in self.names}
        self.csv = {name: csv.writer(self.text[name], lineterminator="\n") for name in self.names}
        self.headed: set[str] = set()
        self.rows = dict.fromkeys(self.names, 0)
        self.starts: dict[str, dict[str, tuple[int, int]]] = {}  # open report -> table -> (position, rows)

    def write(self, tables: dict, open_doc: str | None) -> None:
        for name in self.names:
            df = tables[name]
            self._header(name)
            if open_doc is not None and name not in self.starts.setdefault(open_doc, {}):
                self.text[name].flush()
                self.starts[open_doc][name] = (self.files[_file(name)].tell(), self.rows[name])
            self.csv[name].writerows(cells.iter_csv_rows(df))
            self.rows[name] += len(df)

    def discard(self, doc_id: str) -> None:
        for name, (position, rows) in self.starts.pop(doc_id, {}).items():
            self.text[name].flush()
            handle = self.files[_file(name)]
            handle.seek(position)
            handle.truncate()
            self.rows[name] = rows

    def keep_previous(self, doc_id: str) -> bool:
        """Copy the rows of ``doc_id`` from the existing CSVs, in order; True if there were any."""
        kept = False
        for name in self.names:
            for row in _previous_rows(self.clean_dir / _file(name), contract.columns(name), doc_id):
                self._header(name)
                self.csv[name].writerow(row)
                self.rows[name] += 1
                kept = True
        return kept

    def finish(self, vocabularies: dict) -> dict[str, int]:
        """Close the per-document files and write the vocabularies and the data package; returns rows per file."""
        from analysis.tables.datapackage import package_files

        written = {}
        for name in self.names:
            self._header(name)
            self.text[name].flush()
            self.text[name].detach()  # the transaction closes the binary file
            written[_file(name)] = self.rows[name]
        files = {}
        for name, table in vocabularies.items():
            files[_file(name)] = lambda f, t=table: cells.write_frame_csv(f, t)
            written[_file(name)] = len(table)
        files.update(package_files([*self.names, *vocabularies]))  # datapackage.json + README.md
        for name, content in files.items():
            self.put(name, content)
        return written

    def _header(self, name: str) -> None:
        if name not in self.headed:
            self.headed.add(name)
            self.csv[name].writerow(contract.columns(name))


def csv_file_names() -> list[str]:
    """The staged files a :class:`CsvFolder` writes into."""
    return [_file(name) for name in contract.PER_DOCUMENT]


def _file(name: str) -> str:
    return f"{name}.csv"


def _previous_rows(path: Path, columns: list[str], doc_id: str):
    """Rows of ``doc_id`` in an existing clean CSV, as the strings written last time, streamed.

    Kept only if the file has the columns this run writes: rows of another layout cannot be merged.
    """
    if not path.exists():
        return
    with open(path, encoding=contract.CSV_ENCODING, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != columns:
            return
        at = header.index("doc_id")
        for row in reader:
            if len(row) == len(header) and row[at] == doc_id:
                yield row


class ParquetParts:
    """Batches written as ``staging/<table>/part-<index>-<k>.parquet``, k counting up in order.

    ``index`` is the partition's number, so parts sort in file order across partitions.
    """

    def __init__(self, index: int, staging: Path):
        self.index, self.staging = index, Path(staging)
        self.count = 0
        self.rows: dict[str, int] = {}
        self.open_parts: dict[str, list[Path]] = {}  # open report -> parts holding only its rows

    def write(self, tables: dict, open_doc: str | None) -> None:
        written = []
        for name, df in tables.items():
            path = self.staging / name / f"part-{self.index:05d}-{self.count:04d}.parquet"
            write_parquet(df.reset_index(drop=True), path, parents=False)  # the table folders are staged
            written.append(path)
            self.rows[name] = self.rows.get(name, 0) + len(df)
        self.count += 1
        if open_doc is not None:
            self.open_parts.setdefault(open_doc, []).extend(written)

    def discard(self, doc_id: str) -> None:
        for part in self.open_parts.pop(doc_id, []):
            self.rows[part.parent.name] -= _rows_of(part)
            part.unlink(missing_ok=True)


def write_parquet(frame, path: Path, parents: bool = True) -> None:
    """One DataFrame as a Parquet file, atomically; an OSError is an OutputError naming the part."""
    try:
        with atomic_path(path, parents=parents) as tmp:
            frame.to_parquet(tmp, index=False)
    except OSError as err:
        reason = os_reason(err)
        raise OutputError(path, f"cannot write ({reason})", reason) from None


def _rows_of(part: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(part).metadata.num_rows
