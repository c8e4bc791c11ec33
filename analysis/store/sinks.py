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
        self.headed: set[str] = set()
        self.rows = dict.fromkeys(self.names, 0)
        self.starts: dict[str, dict[str, tuple[int, int]]] = {}  # open report -> table -> (position, rows)
        self.documents: list[dict] = []  # title, publisher, published and url of each report: the sources

    def write(self, tables: dict, open_doc: str | None) -> None:
        for name in self.names:
            df = tables[name]
            self._header(name)
            handle = self.files[_file(name)]
            if open_doc is not None and name not in self.starts.setdefault(open_doc, {}):
                self.starts[open_doc][name] = (handle.tell(), self.rows[name])
            for chunk in cells.csv_chunks(df):
                handle.write(chunk)  # UTF-8; the BOM went with the header
            self.rows[name] += len(df)
        self.documents += _provenance(tables["documents"])

    def discard(self, doc_id: str) -> None:
        for name, (position, rows) in self.starts.pop(doc_id, {}).items():
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
                self.files[_file(name)].write(cells.csv_line(row).encode("utf-8"))
                self.rows[name] += 1
                kept = True
                if name == "documents":
                    self.documents.append(dict(zip(contract.columns(name), row)))
        return kept

    def finish(self, vocabularies: dict) -> dict[str, int]:
        """Write the vocabularies and the data package; returns rows per file (staged_files closes the files)."""
        from analysis.tables.datapackage import package_files

        written = {}
        for name in self.names:
            self._header(name)
            written[_file(name)] = self.rows[name]
        files = {}
        for name, table in vocabularies.items():
            files[_file(name)] = lambda f, t=table: cells.write_frame_csv(f, t)
            written[_file(name)] = len(table)
        # datapackage.json + README.md
        files.update(package_files([*self.names, *vocabularies], sorted(self.documents, key=lambda d: d["doc_id"])))
        for name, content in files.items():
            self.put(name, content)
        return written

    def _header(self, name: str) -> None:
        if name not in self.headed:
            self.headed.add(name)
            self.files[_file(name)].write(cells.csv_line(contract.columns(name)).encode(contract.CSV_ENCODING))


def csv_file_names() -> list[str]:
    """The staged files a :class:`CsvFolder` writes into."""
    return [_file(name) for name in contract.PER_DOCUMENT]


def _file(name: str) -> str:
    return f"{name}.csv"


def _provenance(documents) -> list[dict]:
    """What a data package's sources say of each report in a batch's documents table."""
    keys = ["doc_id", "title", "publisher", "published", "url"]
    return [dict(zip(keys, row)) for row in zip(*(cells.csv_column(documents[k]) for k in keys))]


def _previous_rows(path: Path, columns: list[str], doc_id: str):
    """Rows of ``doc_id`` in an existing clean CSV, as the strings written last time (booleans
    respelled as this version writes them), streamed.

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
        flags = [i for i, c in enumerate(contract.TABLES[path.stem].columns) if c.type == contract.BOOLEAN]
        for row in reader:
            if len(row) == len(header) and row[at] == doc_id:
                for i in flags:
                    row[i] = cells.boolean_cell(row[i])
                yield row


class CsvStream:
    """Checked batches of one table streamed as CSV into an open binary file (``extract``).

    Only that table's rows are kept from each batch, so a large report is never held whole. A
    stream cannot take back what it wrote: ``extract -o`` writes through an atomic file instead.
    """

    def __init__(self, binary_file: BinaryIO, name: str = "figures", bom: bool = True):
        self.name, self.file = name, binary_file
        header = cells.csv_line(contract.columns(name))
        binary_file.write(header.encode(contract.CSV_ENCODING if bom else "utf-8"))
        self.rows = 0

    def write(self, tables: dict, open_doc: str | None) -> None:
        for chunk in cells.csv_chunks(tables[self.name]):
            self.file.write(chunk)
        self.rows += len(tables[self.name])

    def discard(self, doc_id: str) -> None:
        """Nothing to undo in a stream; the caller reports the failure (and an atomic file is dropped)."""

    def finish(self) -> int:
        """The rows written (the binary file is left open for the caller)."""
        return self.rows


class ParquetParts:
    """Batches written as ``folder/<table>/part-<key>-<k>.parquet``, k counting up in order, typed
    by the contract (:mod:`analysis.store.parquet`: dates as dates).

    ``key`` names the partition (see :mod:`analysis.store.corpus`); the table folders must exist.
    """

    def __init__(self, key: str, folder: Path):
        self.key, self.staging = key, Path(folder)
        self.count = 0
        self.rows: dict[str, int] = {}
        self.parts: list[str] = []  # <table>/<part file> of every part written, in order
        self.open_parts: dict[str, list[Path]] = {}  # open report -> parts holding only its rows

    def write(self, tables: dict, open_doc: str | None) -> None:
        written = []
        for name, df in tables.items():
            path = self.staging / name / part_name(self.key, self.count)
            write_parquet(df, path, name, parents=False)  # the table folders are staged
            self.parts.append(f"{name}/{path.name}")
            written.append(path)
            self.rows[name] = self.rows.get(name, 0) + len(df)
        self.count += 1
        if open_doc is not None:
            self.open_parts.setdefault(open_doc, []).extend(written)

    def discard(self, doc_id: str) -> None:
        for part in self.open_parts.pop(doc_id, []):
            self.rows[part.parent.name] -= _rows_of(part)
            self.parts.remove(f"{part.parent.name}/{part.name}")
            part.unlink(missing_ok=True)


def part_name(key: str, k: int) -> str:
    """The file name of a partition's ``k``-th part."""
    return f"part-{key}-{k:04d}.parquet"


def write_parquet(frame, path: Path, name: str, parents: bool = True) -> None:
    """One DataFrame of table ``name`` as a Parquet file typed by the contract, atomically; an
    OSError is an OutputError naming the part."""
    from analysis.store.parquet import write_part

    try:
        with atomic_path(path, parents=parents) as tmp:
            write_part(frame, name, tmp)
    except OSError as err:
        reason = os_reason(err)
        raise OutputError(path, f"cannot write ({reason})", reason) from None


def _rows_of(part: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(part).metadata.num_rows
