"""Opening input files: regular files only, and every OSError one line naming the file.

A report or a sidecar is opened with ``O_NONBLOCK`` and checked with ``fstat`` on the descriptor
that was opened (no race between a check and the open): a FIFO with no writer, ``/dev/zero`` or a
socket is refused as "not a regular file" instead of blocking forever or filling memory. Every
OSError (no such file, permission denied, too many levels of symbolic links, I/O error...) becomes
an :class:`~analysis.errors.InputError` naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from analysis.errors import InputError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# How an OSError is worded, where the operating system's words read oddly for an input file.
_WORDS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "is a directory, not a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def problem(err: OSError) -> str:
    """What an OSError on an input file means, in a few lowercase words."""
    if err.errno in _WORDS:
        return _WORDS[err.errno]
    return (err.strerror or str(err)).lower()


def not_regular(mode: int) -> str | None:
    """``"not a regular file (a FIFO)"`` and the like; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _WORDS[errno.EISDIR]
    kind = next((name for test, name in _KINDS if test(mode)), "not a plain file")
    return f"not a regular file ({kind})"


def open_input(path: str | Path) -> tuple[BinaryIO, os.stat_result]:
    """``path`` opened for reading in binary, with its ``fstat``; InputError if it is not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        if err.errno == errno.ENXIO:  # a socket (or a device with nothing behind it): say which
            try:
                kind = not_regular(os.stat(path).st_mode)
            except OSError:
                kind = None
            raise InputError(path, kind or problem(err)) from None
        raise InputError(path, problem(err)) from None
    try:
        info = os.fstat(fd)
        refused = not_regular(info.st_mode)
        if refused:
            raise InputError(path, refused)
        return os.fdopen(fd, "rb"), info
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file; with ``limit``, InputError if it holds more than ``limit`` bytes."""
    handle, _ = open_input(path)
    with handle:
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as err:
            raise InputError(path, problem(err)) from None
    if limit is not None and len(data) > limit:
        raise InputError(path, f"larger than {limit:,} bytes, too large for this kind of file")
    return data


def exists(path: str | Path) -> bool:
    """True if there is an entry at ``path`` (even one that cannot be read: a loop, a broken link)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # e.g. ENOTDIR or EACCES on the folder: reading it will say what is wrong
    return True
