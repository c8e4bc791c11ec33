"""Outputs a user names: a file given with ``-o`` (or any other output path), and standard output.

The rule: what the user named is written *into*, and only a file that is ours to replace is replaced.

- A regular file owned by this user with no other hard link, or a name not taken yet, gets the new
  content atomically: a temporary file beside it, fsynced and renamed over it
  (:mod:`analysis.store.atomic`). A replaced file keeps its permission bits; a new one gets the mode
  any file the user creates gets.
- Anything else is opened and written into, never renamed over: a character or block device
  (``/dev/null``, ``/dev/full``), a FIFO (its reader gets the table), a Unix socket (connected to,
  as ``nc -U`` would), and a regular file owned by someone else or with other hard links (which a
  rename would turn into a copy, cutting the links).
- A symbolic link is followed to what it points at, which gets the same treatment; the link is kept.
  A link to a missing file creates that file, as the shell's ``>`` does; a link whose target's folder
  is missing, or a loop of links, is an error that says so.

Whatever the target, nothing half-written is published. The content is produced whole before the
target is touched (into the temporary file, or a spool for the others), so a report that fails
part-way writes nothing. Every write is checked until all its bytes are out
(:func:`analysis.store.atomic.write_all`). A regular file written in place (a redirected stdout, a
file that is not ours) first gets its space reserved (Linux ``fallocate``), so a full disk or a
quota fails before a byte is written; should writing still fail, the file is cut back to where it
was. A pipe or a device cannot take back what it received: there the reader sees the whole table
or an error.

Every failure is an :class:`~analysis.errors.OutputError`, ``<path>: cannot write <what> (<reason>)``,
with the system's reason: ``No space left on device``, ``Broken pipe``, ``Disk quota exceeded``,
``Too many levels of symbolic links``...
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from analysis.errors import OutputError, os_reason
from analysis.store.atomic import Content, FullWrites, write_all

STDOUT = "<stdout>"
SPOOL_IN_MEMORY = 32 << 20  # bytes of output held in memory before the spool moves to a temporary file
_CHUNK = 1 << 20
_MAX_LINKS = 40  # symbolic links followed before giving up, as Linux does (ELOOP)
# fallocate is refused by some file systems (and for FIFOs and devices): then no reservation.
_CANNOT_RESERVE = frozenset(getattr(errno, n) for n in ("EINVAL", "EOPNOTSUPP", "ENOTSUP", "ENODEV", "ESPIPE", "ENOSYS")
                            if hasattr(errno, n))


@dataclass(frozen=True)
class Target:
    """What a named output path is once its symbolic links are followed.

    ``kind``: ``"new"`` (nothing there yet), ``"replace"`` (a regular file that is ours to replace),
    ``"into"`` (a regular file to write in place), ``"fifo"``, ``"device"``, ``"socket"`` or ``"folder"``.
    ``path`` is where the content goes (the link's target for a link), ``named`` what the user gave.
    """

    named: Path
    path: Path
    kind: str
    mode: int = 0


def target_of(path: str | Path, what: str = "the output") -> Target:
    """Classify the output path ``path``, following its symbolic links; OutputError for a link loop,
    a link whose target's folder is missing, or a path whose folder cannot be searched."""
    named = Path(path)
    here = named
    for _ in range(_MAX_LINKS):
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return _new(named, here, what)
        except OSError as err:
            raise _error(named, what, err) from None
        if not stat.S_ISLNK(st.st_mode):
            return Target(named, here, _kind(st), stat.S_IMODE(st.st_mode))
        try:
            link = os.readlink(here)
        except OSError as err:
            raise _error(named, what, err) from None
        here = here.parent / link
    raise _error(named, what, OSError(errno.ELOOP, os.strerror(errno.ELOOP)))


def _new(named: Path, path: Path, what: str) -> Target:
    if path != named and not path.parent.is_dir():
        reason = os.strerror(errno.ENOENT)
        raise OutputError(named, f"cannot write {what}: it is a symbolic link to {path}, whose folder does not exist "
                                 f"({reason})", reason)
    return Target(named, path, "new")


def _kind(st: os.stat_result) -> str:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "replace" if st.st_uid == os.geteuid() and st.st_nlink == 1 else "into"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"  # character or block device


def write_output(path: str | Path, content: Content, *, what: str = "the output") -> Path:
    """Write ``content`` (bytes, or a function writing into the binary file it is given) to the path
    a user named, by the rules of this module; returns where it went. OutputError if it cannot be written.

    Errors raised by ``content`` itself (a report that cannot be read) pass through, and nothing
    has been written anywhere.
    """
    from analysis.store.atomic import write_bytes_atomic

    target = target_of(path, what)
    if target.kind == "folder":
        raise OutputError(target.named, f"cannot write {what}: it is a folder; give a file name such as figures.csv",
                          os.strerror(errno.EISDIR))
    if target.kind in ("new", "replace"):
        try:
            write_bytes_atomic(target.path, content, mode=target.mode if target.kind == "replace" else None)
            return target.path
        except OSError as err:
            if not (err.errno in (errno.EACCES, errno.EPERM) and target.kind == "replace"):
                raise _error(target.named, what, err) from None
            # a file we may write in a folder we may not: write into it, as the shell's `>` would
    with spooled(content) as spool:
        try:
            if target.kind == "socket":
                _send(target.path, spool)
            else:
                flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
                fd = os.open(target.path, flags)  # a FIFO waits here for its reader, as `cat > fifo` does
                try:
                    copy_into(fd, spool, regular=target.kind in ("into", "replace"), truncate=True)
                finally:
                    os.close(fd)
        except OSError as err:
            raise _error(target.named, what, err) from None
    return target.path


def write_stdout(content: Content, *, what: str = "the output") -> None:
    """Write ``content`` whole to standard output: spooled first (a report failing part-way prints
    nothing), then every byte written and checked; a regular file it is redirected to gets its space
    reserved first and is cut back to where it was if writing fails. OutputError on ``<stdout>``."""
    import sys

    with spooled(content) as spool:
        try:
            if sys.stdout is not None:
                sys.stdout.flush()  # what was printed before goes first
            fd = sys.stdout.fileno() if sys.stdout is not None else 1
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
            copy_into(fd, spool, regular=regular, truncate=False)
        except BrokenPipeError as err:
            raise OutputError(STDOUT, f"cannot write {what}: the reader closed the pipe before the end "
                                      f"({os_reason(err)})", os_reason(err)) from None
        except OSError as err:
            raise _error(STDOUT, what, err) from None


@contextlib.contextmanager
def spooled(content: Content) -> Iterator[BinaryIO]:
    """``content`` written whole into a spool (memory, then a temporary file past SPOOL_IN_MEMORY), rewound."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        if callable(content):
            content(FullWrites(spool))
        else:
            spool.write(content)
        spool.seek(0)
        yield spool


def copy_into(fd: int, spool: BinaryIO, *, regular: bool, truncate: bool) -> None:
    """Copy the spool into descriptor ``fd`` at its position, every byte checked.

    For a regular file (``regular``): the space is reserved first, the file is cut at the end of
    what was written when ``truncate`` (a file replaced in place), and cut back to where it was if
    writing fails.
    """
    spool.seek(0, os.SEEK_END)
    size = spool.tell()
    spool.seek(0)
    start = None
    if regular:
        start = os.lseek(fd, 0, os.SEEK_SET) if truncate else _write_position(fd)
        _reserve(fd, start, size)
    try:
        while chunk := spool.read(_CHUNK):
            write_all(fd, chunk)
        if regular:
            if truncate:
                os.ftruncate(fd, start + size)
            os.fsync(fd)
    except BaseException:
        if start is not None and not truncate:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)  # nothing of ours left behind on a redirected stdout
                os.lseek(fd, start, os.SEEK_SET)
        raise


def _write_position(fd: int) -> int:
    import fcntl

    if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND:  # `>>`: every write goes to the end
        return os.fstat(fd).st_size
    return os.lseek(fd, 0, os.SEEK_CUR)


def _reserve(fd: int, start: int, size: int) -> None:
    """Reserve ``size`` bytes of disk from ``start`` without changing the file's size (Linux
    ``fallocate`` with FALLOC_FL_KEEP_SIZE), so a full disk or a quota fails here, before a byte is
    written. ``posix_fallocate`` would grow the file, and appends (``>>``) would land past the zeros."""
    fallocate = _fallocate()
    if size == 0 or fallocate is None:
        return
    import ctypes

    if fallocate(fd, _FALLOC_FL_KEEP_SIZE, start, size) != 0:
        code = ctypes.get_errno()
        if code not in _CANNOT_RESERVE:
            raise OSError(code, os.strerror(code))


@functools.cache
def _fallocate():
    """libc's ``fallocate``, looked up once when first needed (None where there is none)."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).fallocate
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
    function.restype = ctypes.c_int
    return function


_FALLOC_FL_KEEP_SIZE = 1  # linux/falloc.h


def _send(path: Path, spool: BinaryIO) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(os.fspath(path))
        while chunk := spool.read(_CHUNK):
            client.sendall(chunk)
        client.shutdown(socket.SHUT_WR)


def _error(where, what: str, err: OSError) -> OutputError:
    reason = os_reason(err)
    return OutputError(where, f"cannot write {what} ({reason})", reason)


def ensure_folder(folder: str | Path, what: str) -> Path:
    """Create the output folder ``folder`` if needed; OutputError naming the real reason when the
    path is a file, a link to nothing or a loop (``mkdir`` alone would only say "File exists")."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except FileExistsError:
        pass
    except OSError as err:
        raise _error(folder, what, err) from None
    try:
        st = os.stat(folder)
    except OSError as err:
        if os.path.islink(folder):
            reason = os_reason(err)
            raise OutputError(folder, f"cannot write {what}: it is a symbolic link to {os.readlink(folder)}, "
                                      f"which cannot be followed ({reason})", reason) from None
        raise _error(folder, what, err) from None
    if not stat.S_ISDIR(st.st_mode):
        reason = os.strerror(errno.ENOTDIR)
        raise OutputError(folder, f"cannot write {what}: it is not a folder", reason)
    return folder

