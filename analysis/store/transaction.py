"""All-or-nothing updates of an output folder, across crashes: the one multi-file commit.

``clean`` (the CSVs, the vocabularies, the data package), ``clean-corpus`` (whole table folders of
Parquet parts, and the ``--csv`` files) and ``run`` (reports, charts, the index) each replace a set
of files that are read together. Each writes through :func:`transaction`, which publishes the new
set in one of two ways.

**By one directory swap** (:mod:`analysis.store.swap`), wherever the file system allows it (Linux,
a file system with ``RENAME_EXCHANGE``, a parent folder we may write, the folder not a mount point
and not the working directory):

1. every new file is written into a swap folder beside the folder, ``<parent>/.<name>.swap-<id>/``,
   laid out as the folder will be;
2. at commit its hidden temporaries are removed, its files and folders fsynced, and every entry of
   the folder it does not replace is hard-linked into it (a user's own files, the lock file, the
   reports a ``--only`` run leaves alone); it gets the folder's mode;
3. the two folders are exchanged in one ``renameat2(RENAME_EXCHANGE)``: **the commit point**; the
   parent is fsynced;
4. the swap folder, which now holds the old set, is removed.

No reader, ours or not (R, DuckDB, Excel, ``pandas.read_csv``), can see a mix at any instant, even
after a crash: before step 3 the folder is the old set, after it the new one; a crash leaves at
most a hidden swap folder beside it, which the next command removes. If the folder is a symbolic
link, the folder it points at is swapped and the link is kept.

**By rolling forward** everywhere else (the folder is a mount point, its parent cannot be written,
the file system cannot exchange, not Linux), and as the fallback should the exchange fail:

1. every new file is written under ``<folder>/.staging-<id>/``, laid out as it will be in the folder
   (the same file system, so a rename is atomic); at commit the staged files and folders are fsynced;
2. a commit record, ``<folder>/.commit`` (JSON: the staging folder, the entries to put, the names to
   remove, a checksum), is written beside, fsynced and renamed into place, then the folder is
   fsynced. **That rename is the commit point**;
3. each entry is renamed into place: a file, or a whole folder (the old one moved into the staging
   folder first); stale names are removed; the folders that changed are fsynced;
4. the record is removed, then the staging folder with the old table folders.

After a crash at any instant (SIGKILL, power loss) the folder holds the complete old set (a crash
before step 2) or, once recovered, the complete new set (from step 2 on), and nothing is lost.
:func:`recover` finishes a committed update: each rename of step 3 is done only if its staged entry
is still there, so recovery can itself crash and run again. Every writer recovers first, under the
folder's writer lock; every reader recovers before it reads (:func:`before_reading`). While a commit
renames (steps 2-4, milliseconds), its writer holds an exclusive ``flock`` on the record; a reader
that finds a record waits for it, or rolls it forward itself if the writer died. Readers that are
not ours take no lock: they can see a mix during step 3, or after a crash until the next command or
``analysis.load`` recovers the folder.

A writer also removes every leftover of a crashed run (staging and swap folders, temporary files).

Test contract (``tests/test_faults.py`` kills a command just before each such step, with an audit
hook and no code here): every step that changes what is visible in the folder is one
``os.replace`` or ``os.remove`` in the committing process, or the exchange (audit event
``analysis.store.exchange``); the swap folder's removal is one ``shutil.rmtree``; the record is a
plain file directly in the folder, renamed into place from a temporary and removed with ``os.remove``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from analysis.errors import OutputError, os_reason, shown
from analysis.store.atomic import Content, FullWrites, fsync_dir, is_temporary, write_all

RECORD = ".commit"
STAGING_PREFIX = ".staging-"
_OLD = ".old"  # inside a staging folder: the folders a commit replaced, removed with it
_LEGACY = (".old-",)  # leftovers of the swap clean-corpus did before this module
FORMAT = 1


class Transaction:
    """The staged new state of ``folder``; nothing is visible there until :meth:`commit`.

    Names are relative POSIX paths inside the folder (``figures.csv``, ``figures/overview.png``) and
    must not start with a dot: hidden names in the staging folder are temporaries, never published.
    """

    def __init__(self, folder: Path, *, swap: bool = True):
        from analysis.store import swap as swapping

        self.folder = folder
        self.real = Path(os.path.realpath(folder))  # a link to a folder: the folder it points at is swapped
        self.not_swapped = "" if swap else "not asked to"  # why this update rolls forward, if it does
        self.staging: Path
        if swap:
            try:
                self.staging = swapping.swap_supported(self.real) if _may_swap(self.real) else None
            except swapping.CannotSwap as why:
                self.not_swapped, self.staging = str(why), None
            else:
                self.not_swapped = "" if self.staging is not None else "the folder is the working directory or the root"
        if not swap or self.staging is None:
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        self._folders: list[str] = []  # entries replaced whole
        self._removed: list[str] = []
        self._open: list[BinaryIO] = []
        self.committed = False  # the record is in place (or the folders swapped): never discarded

    @property
    def swapping(self) -> bool:
        """True if the commit will swap the folder whole (else it rolls forward)."""
        return not self.not_swapped

    def path(self, name: str) -> Path:
        """Where the file ``name`` is staged (its folder created), for libraries that write files themselves."""
        target = self.staging / _checked(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, name: str, content: Content) -> Path:
        """Stage ``name`` with ``content``: bytes, or a function writing to the binary file it is given."""
        target = self.path(name)
        with FullWrites(open(target, "wb")) as f:
            if callable(content):
                content(f)  # streamed: no full copy of a large output in memory
            else:
                f.write(content)
        return target

    def open(self, name: str) -> BinaryIO:
        """``name`` staged and open for writing (and seeking back), closed by :meth:`commit`."""
        handle = FullWrites(open(self.path(name), "w+b"))
        self._open.append(handle)
        return handle

    def replace_folder(self, name: str) -> Path:
        """A staged folder that replaces ``folder/name`` whole (a table's parts): created empty."""
        target = self.staging / _checked(name)
        target.mkdir(parents=True, exist_ok=True)
        if name not in self._folders:
            self._folders.append(name)
        return target

    def remove(self, name: str) -> None:
        """Delete ``folder/name`` as part of the commit, if it is there and not staged anew."""
        _checked(name)
        if name not in self._removed:
            self._removed.append(name)

    def commit(self) -> None:
        """Publish every staged entry at once: by a swap, else by rolling forward (see the module doc)."""
        from analysis.store import swap as swapping

        for handle in self._open:
            handle.close()
        self._open.clear()
        record = self._record()
        if self.swapping:
            try:
                self._swap(json.loads(record))
                return
            except swapping.CannotSwap as why:
                self.not_swapped = str(why)
            except OSError as err:
                if self.committed or err.errno not in swapping.UNSUPPORTED:
                    raise
                self.not_swapped = f"the exchange failed ({os_reason(err)})"
            # roll forward from the same files: the swap folder becomes the staging folder
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.folder))
            os.replace(self.staging, staging)
            self.staging = staging
            record = _with_checksum({**json.loads(record), "staging": staging.name})
        self._roll_forward(record)

    def _swap(self, record: dict) -> None:
        """Steps 2-4 of a swap: the swap folder completed with the folder's other entries, then exchanged."""
        from analysis.store import swap as swapping

        _remove_hidden(self.staging)
        _sync_tree(self.staging)
        replaced = (*record["folders"], *record["remove"])

        def keep(name: str) -> bool:
            top = name.split("/", 1)[0]
            if "/" not in name and (top.startswith((STAGING_PREFIX, *_LEGACY, RECORD)) or is_temporary(top)):
                return False  # a crashed run's leftovers are not carried over
            if "/" in name and is_temporary(name.rsplit("/", 1)[1]):
                return False
            return not any(name == r or name.startswith(r + "/") for r in replaced)

        swapping.link_unchanged(self.real, self.staging, keep)
        for here, _dirs, _files in os.walk(self.staging):
            fsync_dir(Path(here))
        swapping.match_folder(self.real, self.staging)
        swapping.exchange(self.staging, self.real)  # the commit point
        self.committed = True
        fsync_dir(self.real.parent)
        shutil.rmtree(self.staging, ignore_errors=True)  # the old set

    def _roll_forward(self, record: bytes) -> None:
        """Steps 2-4 of rolling forward."""
        _sync_tree(self.staging)
        fsync_dir(self.folder)
        fd, temp = tempfile.mkstemp(prefix=f"{RECORD}.", suffix=".tmp", dir=self.folder)
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o644)
            _lock(fd, exclusive=True)
            write_all(fd, record)
            os.fsync(fd)
            os.replace(temp, self.folder / RECORD)  # the commit point
            self.committed = True
            fsync_dir(self.folder)
            try:
                _apply(self.folder, json.loads(record))
                os.remove(self.folder / RECORD)
            except OSError as err:
                reason = os_reason(err)
                raise OutputError(self.folder, f"cannot finish updating this folder ({reason}); its new files "
                                  "are kept and the next command or analysis.load finishes the update",
                                  reason) from None
            fsync_dir(self.folder)
        finally:
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        shutil.rmtree(self.staging, ignore_errors=True)

    def close(self) -> None:
        """Discard the staging folder unless the update was committed (then recovery needs it)."""
        for handle in self._open:
            with contextlib.suppress(OSError):
                handle.close()
        self._open.clear()
        if not self.committed:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _record(self) -> bytes:
        folders = sorted(self._folders)
        files = sorted(_staged_files(self.staging, set(folders)))
        removed = sorted(set(self._removed) - set(files) - set(folders))
        body = {"format": FORMAT, "staging": self.staging.name, "folders": folders, "files": files,
                "remove": removed}
        return _with_checksum(body)


@contextlib.contextmanager
def transaction(folder: str | Path, what: str, *, lock=None, swap: bool = True) -> Iterator[Transaction]:
    """Stage files for ``folder``; publish all of them or none, across crashes (see the module doc):
    by one directory swap where the file system allows it, else (or with ``swap=False``) by rolling forward.

    Takes the folder's writer lock (``lock``, a context manager, or :func:`analysis.store.locks.locked`,
    which waits), recovers an unfinished earlier update and removes leftovers, then yields a
    :class:`Transaction`. Leaving the block without :meth:`Transaction.commit` (an error, Ctrl-C)
    discards the staging folder, so the folder keeps its previous files. An OSError inside the block
    (no space left, a read-only or unwritable folder, a file too large) is an
    :class:`~analysis.errors.OutputError`: ``<folder>: cannot write <what> (<reason>)``.
    """
    from analysis.store.locks import locked
    from analysis.store.outputs import ensure_folder

    folder = ensure_folder(folder, what)  # a file, a link to nothing or a loop: the real reason
    staged: list[str] = []  # where this update's files were written (a swap folder is beside the folder)
    try:
        with lock if lock is not None else locked(folder):
            recover(folder, writer=True)
            tx = Transaction(folder, swap=swap)
            staged.append(shown(tx.staging) + os.sep)
            try:
                yield tx
            finally:
                tx.close()
    except OutputError as err:
        if not err.where.startswith((shown(folder) + os.sep, *staged)):
            raise  # this folder's own words, or another folder's (clean's, inside a run)
        # a file in the staging folder (a worker's part): the folder is what the user named
        raise OutputError(folder, f"cannot write {what} ({err.reason})", err.reason) from None
    except OSError as err:
        reason = os_reason(err)
        raise OutputError(folder, f"cannot write {what} ({reason})", reason) from None


# --------------------------------------------------------------------------- recovery


def recover(folder: str | Path, *, writer: bool) -> None:
    """Finish a committed update of ``folder`` left by a crash; a ``writer`` (holding the folder's
    writer lock) also removes every leftover of a crashed run. Idempotent."""
    folder = Path(folder)
    record_path = folder / RECORD
    while True:
        try:
            fd = os.open(record_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            break
        try:
            if not _lock(fd, exclusive=True, wait=False):
                _lock(fd, exclusive=False)  # a live commit: wait for it to finish, then look again
                continue
            if not _same_file(fd, record_path):
                continue  # finished (or finished by another reader) while we waited
            record = _read_record(fd)
            if record is None and not writer:
                break  # damaged: a reader reads what is there, the next writer removes it
            if record is not None:
                _apply(folder, record)
            os.remove(record_path)
            fsync_dir(folder)
        finally:
            os.close(fd)
    if writer:
        _remove_leftovers(folder)


def before_reading(folder: str | Path) -> None:
    """What a reader does before it reads a folder: finish an update a crash left unfinished, and,
    if no writer is running, remove leftovers. A folder the reader cannot write is read as it is,
    unless an update must be finished (then an OutputError says so)."""
    from analysis.store.locks import try_locked

    folder = Path(folder)
    if not folder.is_dir():
        return
    try:
        if os.path.lexists(folder / RECORD):
            recover(folder, writer=False)
        if _has_leftovers(folder):
            with try_locked(folder) as mine:
                if mine:
                    recover(folder, writer=True)
    except OSError as err:
        if not os.path.lexists(folder / RECORD):
            return  # only tidying failed: the files are whole
        reason = os_reason(err)
        raise OutputError(folder, f"an update of this folder was interrupted and cannot be finished ({reason}); "
                          "run the command that writes it again, with write access", reason) from None


def unfinished(folder: str | Path) -> bool:
    """True while ``folder`` has a commit record (an update being published, or left by a crash)."""
    return os.path.lexists(Path(folder) / RECORD)


def _apply(folder: Path, record: dict) -> None:
    """Step 3, each rename done only if its staged entry is still there (so it can be run again)."""
    staging = folder / record["staging"]
    changed = {folder}
    for name in record["folders"]:
        new, target = staging / name, folder / name
        if not os.path.lexists(new):
            continue  # already in place
        if os.path.lexists(target):
            old = staging / _OLD / name
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old)
        os.replace(new, target)
        changed.add(target.parent)
    for name in record["files"]:
        new, target = staging / name, folder / name
        if not os.path.lexists(new):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new, target)
        changed.add(target.parent)
    for name in record["remove"]:
        target = folder / name
        if os.path.isdir(target) and not os.path.islink(target):
            old = staging / _OLD / name
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old)
        elif os.path.lexists(target):
            os.remove(target)
        changed.add(target.parent)
    for directory in sorted(changed, key=lambda p: len(p.parts), reverse=True):
        fsync_dir(directory)


def _may_swap(real: Path) -> bool:
    """Not the root, and not a folder this process works in (a swap would leave it in the old copy)."""
    if real.parent == real:
        return False
    try:
        here = Path(os.getcwd()).resolve()
    except OSError:
        return True
    return not (here == real or here.is_relative_to(real))


def _remove_hidden(folder: Path) -> None:
    """Remove every hidden entry under ``folder`` (temporaries, private staging): a swap folder
    publishes exactly what it shows."""
    for here, dirs, files in os.walk(folder):
        for name in [d for d in dirs if d.startswith(".")]:
            shutil.rmtree(os.path.join(here, name), ignore_errors=True)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(here, name))


def _remove_leftovers(folder: Path) -> None:
    """Staging and swap folders, record temporaries and temporary files of crashed runs (under the writer lock)."""
    from analysis.store import swap

    for left in swap.leftovers(Path(os.path.realpath(folder))):
        shutil.rmtree(left, ignore_errors=True)
    for entry in _entries(folder):
        name = entry.name
        if name.startswith((STAGING_PREFIX, *_LEGACY)) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif is_temporary(name):  # also a record's temporary, .commit.<id>.tmp
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                os.remove(entry.path)
        elif not name.startswith(".") and entry.is_dir(follow_symlinks=False):
            _remove_temporaries(Path(entry.path))


def _remove_temporaries(folder: Path) -> None:
    for entry in _entries(folder):
        if is_temporary(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.remove(entry.path)
        elif not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
            _remove_temporaries(Path(entry.path))


def _has_leftovers(folder: Path) -> bool:
    from analysis.store import swap

    return any(entry.name.startswith((STAGING_PREFIX, *_LEGACY, f"{RECORD}.")) or is_temporary(entry.name)
               for entry in _entries(folder)) or bool(swap.leftovers(Path(os.path.realpath(folder))))


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


# --------------------------------------------------------------------------- the record


def _with_checksum(body: dict) -> bytes:
    text = json.dumps(body, sort_keys=True, ensure_ascii=True)
    return json.dumps({**body, "sha256": hashlib.sha256(text.encode()).hexdigest()}, sort_keys=True,
                      ensure_ascii=True).encode() + b"\n"


def _read_record(fd: int) -> dict | None:
    """The record, or None if it is not one this version wrote whole (a checksum that does not match)."""
    chunks = []
    while chunk := os.pread(fd, 1 << 16, sum(map(len, chunks))):
        chunks.append(chunk)
    try:
        record = json.loads(b"".join(chunks))
        body = {k: v for k, v in record.items() if k != "sha256"}
        text = json.dumps(body, sort_keys=True, ensure_ascii=True)
        if record.get("sha256") != hashlib.sha256(text.encode()).hexdigest() or body.get("format") != FORMAT:
            return None
        staging = record["staging"]
        if not staging.startswith(STAGING_PREFIX) or "/" in staging:
            return None
        for name in (*record["folders"], *record["files"], *record["remove"]):
            _checked(name)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return record


def _checked(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", "..") or part.startswith(".") for part in path.parts):
        raise ValueError(f"{name!r} is not a plain relative name inside the folder")
    return name


def _staged_files(staging: Path, folders: set[str]) -> list[str]:
    """Every file staged under ``staging``, as names, outside the folder entries and hidden names."""
    names = []
    for here, dirs, files in os.walk(staging):
        rel = Path(here).relative_to(staging)
        dirs[:] = [d for d in dirs if not d.startswith(".") and (rel / d).as_posix() not in folders]
        names += [(rel / f).as_posix() for f in files if not f.startswith(".")]
    return names


def _sync_tree(staging: Path) -> None:
    """fsync every staged file, then every staged folder, deepest first: the new set survives a power loss."""
    folders = []
    for here, _dirs, files in os.walk(staging):
        folders.append(here)
        for name in files:
            fd = os.open(os.path.join(here, name), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for here in reversed(folders):
        fsync_dir(Path(here))


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _lock(fd: int, *, exclusive: bool, wait: bool = True) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no locks, as for the writer lock
        return True
    flags = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, flags if wait else flags | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
