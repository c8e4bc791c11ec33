"""Writes that never leave a half-written file: every single file the project writes goes through here.

Every writer puts the bytes in a temporary file in the target's own directory (same file system),
fsyncs it, then ``os.replace``s it over the target: a reader sees the old file or the new one,
never a mix. A set of files that must change together goes through
:mod:`analysis.store.transaction` instead, which stages them and commits them all at once.

Files get the mode any file the user creates gets (``0o666`` less the umask), whatever
temporary-file routine made them. Temporary names start with a dot and contain ``.tmp``
(:func:`is_temporary`), so a command that finds one left by a crashed run removes it.

Every write checks that all its bytes went out (:func:`write_all`, :class:`FullWrites`): an
unbuffered file (``python -u``, ``PYTHONUNBUFFERED``) or a descriptor takes a short write as a
success, so the rest is written again until it is all out or the system says why not (ENOSPC).
These paths are the package's own; a path a *user* names goes through :mod:`analysis.store.outputs`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Union


def write_all(fd: int, data) -> None:
    """Write every byte of ``data`` to descriptor ``fd``: a short write is continued, and a write
    that makes no progress is ENOSPC (what a full file system means by it)."""
    view = memoryview(data).cast("B")
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


class FullWrites:
    """A binary file whose ``write`` writes every byte or raises, whatever kind of file it wraps.

    ``io.FileIO`` (an unbuffered file) returns a short count when the disk fills part-way and raises
    only on the next call; a caller that ignores the count loses the rest silently. Everything else
    (``tell``, ``seek``, ``flush``, ``fileno``...) is the wrapped file's.
    """

    def __init__(self, raw):
        self._raw = raw

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            written = self._raw.write(view)
            if written is None:  # a non-blocking file that would block: ours never are
                raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))
            if written <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[written:]
        return total

    def __getattr__(self, name):
        return getattr(self._raw, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._raw.close()


def _temp_beside(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file this package writes (``.figures.csv.k3j9.tmp``, ``.chart.x.tmp.png``)."""
    return name.startswith(".") and ".tmp" in name


# fsync of a folder is refused by some file systems and platforms; that is not an error. Any other
# failure is: after a failed fsync the kernel may have dropped the data it could not write.
_CANNOT_SYNC_FOLDERS = frozenset(getattr(errno, n) for n in ("EINVAL", "ENOTSUP", "EOPNOTSUPP", "EBADF", "EISDIR")
                                 if hasattr(errno, n))


def fsync_dir(directory: str | Path) -> None:
    """Make the renames in ``directory`` durable (fsync the folder itself)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        if err.errno in _CANNOT_SYNC_FOLDERS or err.errno == errno.EACCES:
            return  # a folder we may write into but not open (rare), or a platform without it
        raise
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _CANNOT_SYNC_FOLDERS:
            raise
    finally:
        os.close(fd)



Content = Union[bytes, Callable[[BinaryIO], None]]


def _write_temp(path: Path, content: Content, mode: int | None = None) -> str:
    fd, tmp = _temp_beside(path)
    try:
        with FullWrites(os.fdopen(fd, "wb")) as f:
            if callable(content):
                content(f)  # streams into the file: no full copy of a large output in memory
            else:
                f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | Path, data: Content, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same directory, fsync, rename).

    ``data`` is bytes, or a function that writes to the binary file it is given. ``mode``: the
    permission bits (default: those of any file the user creates).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, *, parents: bool = True) -> Iterator[Path]:
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
    if parents:
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
    fsync_dir(path.parent)


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically; newlines are written as given (no platform translation)."""
    return write_bytes_atomic(path, text.encode(encoding))
