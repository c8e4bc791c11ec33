"""Writes that never leave a half-written file: every file the project writes goes through here.

Every writer puts the bytes in a temporary file in the target's own directory (same file system),
fsyncs it, then ``os.replace``s it over the target: a reader sees the old file or the new one,
never a mix. ``atomic_dir_update`` extends this to a set of files: all are produced first, and
only then renamed, so an error while producing any of them leaves the folder as it was.

Files get the mode any file the user creates gets (``0o666`` less the umask), whatever
temporary-file routine made them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Union


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
