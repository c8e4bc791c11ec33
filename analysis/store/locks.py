"""Locks on output folders: one writer at a time.

``locked(dir)`` waits for an exclusive ``fcntl.flock`` on ``<dir>/.lock``: two ``clean`` runs
started at once take turns instead of interleaving their renames; ``try_locked`` takes it only if
it is free (a reader removing a crashed run's leftovers). :class:`FolderLock` takes one
without waiting and names the holder: a second batch run fails at once rather than queueing
behind a long one. The kernel releases a lock when its holder dies, so a crash never blocks
the next run, and a leftover lock file is harmless (it is never removed: removing a lock file
races with a process about to lock it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import InputError

LOCK_NAME = ".lock"


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
    while True:
        with open(lock_path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            if not _still_at(handle, lock_path):
                continue  # the folder was swapped while we waited: lock the lock file it has now
            try:
                yield lock_path
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return


def _still_at(handle, path: Path) -> bool:
    """True if the open lock file is still the one at ``path``. A swap
    (:mod:`analysis.store.transaction`) carries the lock file over as a hard link, so it is; this
    makes sure of it whatever published the folder."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def try_locked(directory: str | Path) -> Iterator[bool]:
    """Hold ``<directory>/.lock`` if no one else does: yields True if it was taken, False if a writer
    holds it or the folder cannot be written (a reader tidying up must never wait or fail)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield False
        return
    try:
        handle = open(Path(directory) / LOCK_NAME, "a+b")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class FolderLock:
    """An exclusive ``fcntl.flock`` on ``path``, taken without waiting; the holder's pid is written in it.

    ``busy`` is the sentence that ends the InputError when another process holds the lock.
    """

    def __init__(self, path: str | Path, busy: str = "another run holds this lock; wait for it to finish"):
        self.path = Path(path)
        self.busy = busy
        self._handle = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise InputError(self.path, self.busy.format(pid=owner)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc):
        import fcntl

        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
