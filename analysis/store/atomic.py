"""Writes that never leave a half-written file, and a lock for whole output folders.

Every writer puts the bytes in a temporary file in the target's own directory (same file system),
fsyncs it, then ``os.replace``s it over the target: a reader sees the old file or the new one,
never a mix. ``atomic_dir_update`` extends this to a set of files: all are produced first, and
only then renamed, so an error while producing any of them leaves the folder as it was.

``locked(dir)`` takes an exclusive ``fcntl.flock`` on ``<dir>/.lock``; two ``clean`` runs started
at once take turns instead of interleaving their renames. The lock is released by the kernel if the
process dies, so a stale ``.lock`` file is harmless.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import BinaryIO, Union
from decimal import Decimal
from pathlib import Path

LOCK_NAME = ".lock"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8; pandas.read_csv strips it


def _temp_beside(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


Content = Union[bytes, Callable[[BinaryIO], None]]


def _write_temp(path: Path, content: Content) -> str:
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(content):
                content(f)  # streams into the file: no full copy of a large output in memory
            else:
                f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | Path, data: Content) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same directory, fsync, rename).

    ``data`` is bytes, or a function that writes to the binary file it is given.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a library that writes files itself; renamed on success.

    The temporary name keeps the target's suffix, so format inference still works
    (``savefig`` on ``.png``/``.svg``, ``nbformat.write``, ``papermill`` output paths). If the block
    raises, the temporary file is removed and ``path`` is untouched.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "chart.svg"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("<svg/>")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('<svg/>', ['chart.svg'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
    _fsync_dir(path.parent)


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically; newlines are written as given (no platform translation)."""
    return write_bytes_atomic(path, text.encode(encoding))


def format_value(value) -> str:
    """One CSV cell: whole numbers without ``.0``, other floats by repr, bools as true/false, missing empty.

    >>> [format_value(v) for v in (42500.0, 0.1, True, None, float("nan"), "4.25万", 3)]
    ['42500', '0.1', 'true', '', '', '4.25万', '3']
    """
    if value is None:
        return ""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        if value.is_nan():
            return ""
        return format(value.normalize(), "f")
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a hard dependency
        pass
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def format_column(series) -> list[str]:
    """Every cell of one column formatted as ``format_value`` would, a whole column at a time."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.astype(str).tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return ["true" if v else "false" for v in series.tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [_float_cell(v) for v in series.tolist()]
    if isinstance(dtype, pd.StringDtype):
        return series.astype(object).where(series.notna(), "").tolist()
    return [format_value(None if _is_missing(v, pd) else v) for v in series.tolist()]


def _float_cell(value: float) -> str:
    if value != value:  # NaN
        return ""
    if value.is_integer() and abs(value) < 1e17:
        return str(int(value))
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def iter_csv_rows(df, chunk_rows: int = 50_000) -> Iterator[list[str]]:
    """The rows of ``df`` as lists of cell strings, formatted a chunk of rows at a time."""
    for start in range(0, len(df), chunk_rows):
        part = df.iloc[start : start + chunk_rows]
        columns = [format_column(part[c]) for c in part.columns]
        yield from (list(row) for row in zip(*columns))


def csv_rows(df) -> list[list[str]]:
    """The cells of ``df`` as strings, formatted by ``format_value`` (missing values empty)."""
    return list(iter_csv_rows(df))


def write_csv_rows(binary_file: BinaryIO, columns: Iterable, rows: Iterable[list[str]], bom: bool = True) -> None:
    """Stream a header and string rows as CSV (UTF-8, BOM if ``bom``, ``\\n`` line ends, minimal quoting)."""
    import csv
    import io

    text = io.TextIOWrapper(binary_file, encoding=CSV_ENCODING if bom else "utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([str(c) for c in columns])
        writer.writerows(rows)
        text.flush()
    finally:
        text.detach()  # leave the binary file open for the caller (fsync, close)


def write_df_csv(binary_file: BinaryIO, df, bom: bool = True) -> None:
    """Stream ``df`` as CSV into an open binary file (see ``write_csv_rows``)."""
    write_csv_rows(binary_file, df.columns, iter_csv_rows(df), bom=bom)


def rows_to_csv_bytes(columns, rows) -> bytes:
    """Header plus string rows as CSV bytes: utf-8-sig, ``\\n`` line ends, minimal quoting."""
    import io

    buf = io.BytesIO()
    write_csv_rows(buf, columns, rows)
    return buf.getvalue()


def csv_bytes(df) -> bytes:
    """A DataFrame as CSV bytes: utf-8-sig, ``\\n`` line ends, no index, values as in ``format_value``."""
    return rows_to_csv_bytes(df.columns, iter_csv_rows(df))


def _is_missing(value, pd) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def write_csv_atomic(df, path: str | Path) -> Path:
    """Write ``df`` as CSV atomically, streamed (format as in ``csv_bytes``)."""
    return write_bytes_atomic(path, lambda f: write_df_csv(f, df))


def atomic_dir_update(directory: str | Path, files: Mapping[str, Content]) -> list[Path]:
    """Replace several files in ``directory``, all or nothing as far as producing them goes.

    Each value is bytes or a function writing to the binary file it is given (streamed).

    Every file is written to a temporary file first; only when all were written are they renamed
    into place. If writing any of them fails, the temporaries are removed and no target changes.
    (The renames themselves are quick and happen back to back; a crash between two renames can
    leave some files new and some old, never a file half-written.)
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            target = directory / name
            if target.parent != directory:
                raise ValueError(f"{name!r} is not a plain file name")
            temps.append((_write_temp(target, data), target))
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    _fsync_dir(directory)
    return [target for _, target in temps]


@contextlib.contextmanager
def staged_files(directory: str | Path, names: Iterable[str]) -> Iterator[dict[str, BinaryIO]]:
    """Open a temporary file beside each ``directory/name`` for writing; rename them all on success.

    For outputs written a piece at a time (a large report's tables): the block writes into the open
    binary files it is given. If it raises, the temporaries are removed and no target changes.
    Renames happen back to back at the end, as in :func:`atomic_dir_update`.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    opened: dict[str, BinaryIO] = {}
    temps: list[tuple[str, Path]] = []
    try:
        for name in names:
            target = directory / name
            if target.parent != directory:
                raise ValueError(f"{name!r} is not a plain file name")
            fd, tmp = _temp_beside(target)
            temps.append((tmp, target))
            opened[name] = os.fdopen(fd, "w+b")
        yield opened
        for f in opened.values():
            f.flush()
            os.fsync(f.fileno())
            f.close()
        for tmp, _ in temps:
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for f in opened.values():
            f.close()
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    _fsync_dir(directory)


@contextlib.contextmanager
def locked(directory: str | Path) -> Iterator[Path]:
    """Hold an exclusive inter-process lock on ``directory`` (``<directory>/.lock``, fcntl.flock).

    Blocks until any other holder releases it. On platforms without ``fcntl`` it does nothing.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lock_path = directory / LOCK_NAME
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield lock_path
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield lock_path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
