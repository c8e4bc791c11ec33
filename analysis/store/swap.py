"""Publishing a folder's new contents by one atomic directory swap, where the file system allows it.

Linux's ``renameat2(..., RENAME_EXCHANGE)`` exchanges two paths in one step: a complete new copy of
the output folder, built beside it, takes the folder's place while the old copy takes the
builder's. A reader opening any file of the folder (R, DuckDB, Excel, ``pandas.read_csv``, a shell
glob) gets the old set or the new set at every instant, even across a crash: there is no moment in
between to see.

The new copy holds what the command wrote plus *hard links* to every entry of the folder it left
alone (a file a user keeps there, the lock file, the other reports of a ``--only`` run), so the swap
publishes only what changed and moves no data. :func:`swap_supported` checks first, with probes
that change nothing a reader sees, that a swap will work here: Linux with ``renameat2``, a file
system that exchanges directories (ext4, xfs, btrfs, tmpfs...), a parent folder we may write, and
the folder not a mount point. Where it will not, :mod:`analysis.store.transaction` rolls forward
instead.

The ctypes call raises the audit event ``analysis.store.exchange`` (source, target) first, as
``os.rename`` raises ``os.rename``: fault probes kill a command at the swap through an audit hook.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

AUDIT_EVENT = "analysis.store.exchange"
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100
# What says "this file system or kernel cannot exchange": then the folder is rolled forward instead.
UNSUPPORTED = frozenset(getattr(errno, n) for n in ("EINVAL", "ENOSYS", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EBUSY",
                                                    "EPERM") if hasattr(errno, n))


class CannotSwap(Exception):
    """The folder cannot be swapped (why, in one phrase): roll forward instead."""


@functools.cache
def _renameat2():
    """libc's ``renameat2``, looked up once when first needed (None where there is none)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2  # glibc 2.28 and later, musl 1.2.4 and later
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


def exchange(a: str | Path, b: str | Path) -> None:
    """Swap the paths ``a`` and ``b`` atomically (both must exist); OSError if the system cannot."""
    function = _renameat2()
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available here")
    import ctypes

    sys.audit(AUDIT_EVENT, os.fspath(a), os.fspath(b))
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


def sibling_prefix(folder: Path) -> str:
    """The name every swap folder of ``folder`` starts with, beside it: ``.clean.swap-``."""
    return f".{folder.name}.swap-"


def swap_supported(folder: Path) -> Path:
    """A new, empty swap folder beside ``folder`` (a resolved path), once probes show that a swap
    will work there; CannotSwap (with the reason) if it will not."""
    if _renameat2() is None:
        raise CannotSwap("no renameat2 here")
    parent = folder.parent
    try:
        built = Path(tempfile.mkdtemp(prefix=sibling_prefix(folder), dir=parent))
    except OSError as err:
        raise CannotSwap(f"cannot write the parent folder ({os.strerror(err.errno or 0)})") from None
    try:
        # the file system exchanges directories: two empty ones inside the swap folder
        one, two = built / ".probe-1", built / ".probe-2"
        one.mkdir()
        two.mkdir()
        (one / "1").mkdir()
        try:
            exchange(one, two)
        except OSError as err:
            raise CannotSwap(f"the file system cannot exchange folders ({os.strerror(err.errno or 0)})") from None
        if not (two / "1").is_dir():
            raise CannotSwap("the file system did not exchange the folders")
        for empty in (two / "1", two, one):
            os.rmdir(empty)
        # the folder and its parent are one mount (the folder is not a mount point): a rename
        # from one to the other works. The probe is a hidden temporary, gone in microseconds.
        fd, probe = tempfile.mkstemp(prefix=".swap-probe.", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            os.rename(probe, built / ".probe")
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(probe)
            raise CannotSwap(f"the folder is a mount point ({os.strerror(err.errno or 0)})") from None
        os.unlink(built / ".probe")
        return built
    except CannotSwap:
        shutil.rmtree(built, ignore_errors=True)
        raise
    except OSError as err:
        shutil.rmtree(built, ignore_errors=True)
        raise CannotSwap(os.strerror(err.errno or 0)) from None


def link_unchanged(folder: Path, built: Path, keep) -> None:
    """Hard-link into ``built`` every entry of ``folder`` it does not have, where ``keep(name)``
    (a relative POSIX name) is true; folders are made with the same mode, symbolic links copied.

    An entry that is neither a file, a folder nor a link (a FIFO, a device), or a sub-folder on
    another file system, cannot move with the folder: CannotSwap. A file that cannot be linked
    (a file system without hard links) is copied.
    """
    device = os.stat(folder).st_dev
    plan: list[tuple[str, os.stat_result]] = []

    def walk(here: Path, rel: str) -> None:
        with os.scandir(here) as entries:
            for entry in entries:
                name = f"{rel}{entry.name}"
                if not keep(name):
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    if st.st_dev != device:
                        raise CannotSwap(f"{name} is another file system mounted in the folder")
                    plan.append((name, st))
                    walk(Path(entry.path), f"{name}/")
                elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                    plan.append((name, st))
                else:
                    raise CannotSwap(f"{name} is not a file, folder or link")

    walk(folder, "")
    for name, st in plan:
        source, target = folder / name, built / name
        if not os.path.isdir(target.parent) or os.path.islink(target.parent):
            continue  # its folder was replaced by a file of the new set
        if os.path.lexists(target):
            if stat.S_ISDIR(st.st_mode) and target.is_dir() and not target.is_symlink():
                os.chmod(target, stat.S_IMODE(st.st_mode))  # a folder of the user's keeps its mode
            continue  # written anew
        if stat.S_ISDIR(st.st_mode):
            target.mkdir()
            os.chmod(target, stat.S_IMODE(st.st_mode))
        elif stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(source), target)
        else:
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError as err:
                if err.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                shutil.copy2(source, target, follow_symlinks=False)


def match_folder(folder: Path, built: Path) -> None:
    """Give ``built`` the permission bits (and, as root, the owner) of ``folder``, which it replaces."""
    st = os.stat(folder)
    os.chmod(built, stat.S_IMODE(st.st_mode))
    if hasattr(os, "chown") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(built, st.st_uid, st.st_gid)


def leftovers(folder: Path) -> list[Path]:
    """Swap folders beside ``folder`` (resolved) left by a crashed command."""
    prefix = sibling_prefix(folder)
    try:
        with os.scandir(folder.parent) as entries:
            return [Path(e.path) for e in entries if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
