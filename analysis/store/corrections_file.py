"""``data/corrections.csv`` on disk: read it whole (or fail in one line), and add a row to it safely.

The file is a CSV like the clean tables (UTF-8, a BOM so Excel shows the Chinese, ``TRUE``/``FALSE``,
empty cells for nothing), with the columns of :func:`analysis.tables.corrections.file_columns`; a file
may leave out the optional columns. What the rows mean and how they are checked is
:mod:`analysis.tables.corrections`; this module only moves bytes.

Reading: any problem (not UTF-8, a bad header, a bad cell) is an :class:`~analysis.errors.InputError`
``<file>: row N: <problem>``, raised before a command writes anything. Adding a row
(:func:`append_correction`) checks the new row and every row already there the same way, under a lock
beside the file, and replaces the file atomically (:mod:`analysis.store.atomic`), so a crash leaves
the old file or the new one. A file that is a link, or not the user's, is written into in place
(appended to), never renamed over.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from analysis.errors import InputError, os_reason
from analysis.tables import contract

LIMIT = 64 * 1024 * 1024  # a corrections file is typed by people: a larger one is not one


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(path, f"row {line}: not UTF-8 text (byte 0x{data[err.start]:02x}); save it as CSV UTF-8") from None


def _cells(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (row number, cells) of a CSV text; rows are numbered by the line they start on."""
    if "\x00" in text:
        raise InputError(path, "holds NUL bytes: not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        start = 1
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(path, f"row {reader.line_num}: not valid CSV ({err})") from None
    if not rows:
        raise InputError(path, "is empty: it needs at least the header row")
    (_, header), *body = rows
    return header, body


def parse_file(path: str | Path, data: bytes):
    """The corrections frame from the bytes of ``path``; InputError naming the file, row and problem."""
    from analysis.tables.corrections import CorrectionError, parse_corrections

    path = Path(path)
    header, body = _cells(path, _decode(path, data))
    try:
        return parse_corrections(header, body)
    except CorrectionError as err:
        raise InputError(path, str(err)) from None


def read_corrections(path: str | Path, *, missing_ok: bool = False):
    """The corrections of the file at ``path`` (typed, outcomes empty), or None if it does not exist
    and ``missing_ok``."""
    from analysis.raw.files import exists, read_input

    path = Path(path)
    if missing_ok and not exists(path):
        return None
    return parse_file(path, read_input(path, LIMIT))


def empty_file() -> bytes:
    """A corrections file with only its header (what a project starts with)."""
    from analysis.store.cells import csv_line
    from analysis.tables.corrections import file_columns

    return csv_line(file_columns()).encode(contract.CSV_ENCODING)


def row_line(header: list[str], record: dict) -> str:
    """One correction as a CSV line under ``header`` (cells as the clean tables write them)."""
    from analysis.store.cells import csv_cell, csv_line

    return csv_line([csv_cell(record.get(name)) if record.get(name) is not None else "" for name in header])


def append_correction(path: str | Path, record: dict) -> int:
    """Add one correction (a dict of the file's columns) to the file at ``path``; returns its row number.

    The new row and the rows already there are checked first (an InputError names the problem, and
    nothing is written). A column the file lacks is added to its header (its other rows leave it
    empty). A missing file is created with the full header.
    """
    from analysis.raw.files import exists, read_input
    from analysis.store.atomic import write_bytes_atomic
    from analysis.store.locks import locked
    from analysis.tables.corrections import file_columns

    path = Path(path)
    with locked(path.parent):  # two writers take turns: neither loses the other's row
        there = exists(path)
        data = read_input(path, LIMIT) if there else empty_file()
        text = _decode(path, data)
        header, body = _cells(path, text)
        header = [name.strip() for name in header]
        wanted = [name for name in file_columns() if record.get(name) is not None and name not in header]
        line = row_line(header + wanted, record)
        new_text = _rewritten(text, header, header + wanted, body, line)
        parse_file(path, new_text.encode("utf-8"))  # the file as it will be: every row, the new one too
        number = new_text[:len(new_text) - len(line)].count("\n") + 1
        if wanted or not there:
            content = new_text.encode(contract.CSV_ENCODING)  # with the BOM, for Excel
        else:
            content = data + new_text[len(text):].encode("utf-8")
        if there and not _replaceable(path):
            if wanted:
                raise InputError(path, f"needs the new column(s) {', '.join(wanted)} in its header, but it is a "
                                       "link or another user's file: add them by hand, then run this again")
            _append_in_place(path, content[len(data):])
            return number
        mode = os.stat(path).st_mode & 0o7777 if there else None
        try:
            write_bytes_atomic(path, content)
            if mode is not None:
                os.chmod(path, mode)  # the user's file keeps its permissions
        except OSError as err:
            raise InputError(path, f"cannot write ({os_reason(err)})") from None
    return number


def _rewritten(text: str, header: list[str], new_header: list[str], body, line: str) -> str:
    """The file's text with ``line`` added, its rows padded to ``new_header``."""
    from analysis.store.cells import csv_line

    if new_header == header:
        return (text if text.endswith("\n") or not text else text + "\n") + line
    pad = len(new_header) - len(header)
    out = [csv_line(new_header)]
    out += [csv_line(cells + [""] * pad) if any(c.strip() for c in cells) else "\n" for _, cells in body]
    return "".join(out) + line


def _replaceable(path: Path) -> bool:
    """True for a regular file of ours, not a link: it may be replaced by a rename."""
    try:
        info = os.lstat(path)
    except OSError:
        return True
    import stat

    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def _append_in_place(path: Path, tail: bytes) -> None:
    try:
        with open(path, "ab") as handle:
            handle.write(tail)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise InputError(path, f"cannot write ({os_reason(err)})") from None
