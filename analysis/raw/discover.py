"""Which files are reports, and what each is called (``doc_id``): one rule for ``clean`` and ``clean-corpus``.

A report is any file that is not a provenance sidecar, hidden, a README or a temporary file (Office's
``~$`` lock files included), whatever its extension: text, web pages, PDF, Word and Excel files alike,
which :mod:`analysis.raw.formats` tells apart by their bytes.
``clean`` reads the reports directly in one folder; ``clean-corpus`` searches a folder recursively
or expands a glob. Either way a report is identified by where it is in the folder the command was
given: ``documents.path`` is its path relative to that folder (``2021/jiangxi/gongbao.txt``) and its
``doc_id`` that path without the extension (``2021/jiangxi/gongbao``), so the same file name in two
folders gives two reports, and the identity does not depend on where the folder is mounted or on the
machine. A report directly in the folder is its file name without the extension, as it always was
(``000_ef22c67862e0d2cc``). Two files with the same ``doc_id`` (``a.txt`` and ``a.pdf`` side by side)
are refused the same way in both commands; two files with the same bytes are one report, read once
(:func:`same_bytes`).
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analysis.errors import InputError, shown
from analysis.raw.files import exists, problem
from analysis.raw.sidecar import SIDECAR_SUFFIX

SKIPPED_DIRS = ("reference",)  # data/raw/reference holds lookup tables, not reports


def relative_path(path: str | Path, base: str | Path | None = None) -> PurePosixPath:
    """Where ``path`` is inside ``base``, the folder the command was given: lexically (as the search
    joined it), else with both resolved (``..``, ``.`` and symbolic links); the file name if it is
    not below ``base`` or there is none.

    >>> relative_path(Path("archive/2021/jiangxi/gongbao.txt"), Path("archive")).as_posix()
    '2021/jiangxi/gongbao.txt'
    """
    path = Path(path)
    if base is not None:
        base = Path(base)
        for inside, root in _lexical_then_resolved(path, base):
            try:
                relative = inside.relative_to(root)
            except ValueError:
                continue
            if relative.parts and ".." not in relative.parts:
                return PurePosixPath(*relative.parts)
    return PurePosixPath(path.name)


def _lexical_then_resolved(path: Path, base: Path) -> Iterator[tuple[Path, Path]]:
    yield path, base
    # resolved only if the lexical way fails: resolving asks the file system, twice a report
    yield _resolved(path.parent) / path.name, _resolved(base)


def doc_id(path: Path, base: str | Path | None = None) -> str:
    """The report's identifier: its path inside ``base`` (:func:`relative_path`) without the
    extension, ``/`` between folders, shown as valid one-line UTF-8 (:func:`analysis.errors.shown`:
    a name that is not UTF-8 keeps its bytes as ``\\xNN``). Without ``base``, the file name.

    >>> doc_id(Path("data/raw/000_ef22c67862e0d2cc.txt")), doc_id(Path("archive/README"))
    ('000_ef22c67862e0d2cc', 'README')
    >>> doc_id(Path("archive/2022/jiangxi/gongbao.txt"), Path("archive"))
    '2022/jiangxi/gongbao'
    """
    relative = relative_path(path, base)
    stem = relative.with_suffix("") if relative.suffix else relative
    return shown(stem.as_posix())


def sort_key(path: Path) -> bytes:
    """Paths sort by their bytes, so the order (hence partitions and rows) is the same in every locale."""
    return os.fsencode(path)


def recorded_path(path: str | Path, base: str | Path | None = None) -> str:
    """``documents.path``: the report's path inside the folder the command was given
    (:func:`relative_path`), the same however that folder was spelled and wherever it is.
    Shown with :func:`analysis.errors.shown`."""
    return shown(relative_path(path, base).as_posix())


def _resolved(folder: Path) -> Path:
    try:
        return folder.resolve()
    except OSError:  # a loop in the folder's own path: spelled as given, made absolute
        return Path(os.path.abspath(folder))


def is_report(path: Path) -> bool:
    """False for sidecars, hidden files, READMEs and temporary files; True for anything else."""
    name = path.name
    return not (
        name.startswith((".", "~"))
        or name.endswith((SIDECAR_SUFFIX, ".tmp", "~"))
        or name.lower().startswith("readme")
    )


def raw_reports(raw_dir: str | Path) -> list[Path]:
    """Report files directly in ``raw_dir``, sorted by name (sub-folders such as ``reference/`` are not read).

    Every entry that is not a folder counts, so a FIFO, a broken link or a loop named like a report
    is refused by name when it is read, rather than skipped in silence.
    """
    raw_dir = Path(raw_dir)
    try:
        entries = list(os.scandir(raw_dir))
    except FileNotFoundError:
        raise InputError(raw_dir, "no such directory") from None
    except NotADirectoryError:
        raise InputError(raw_dir, "not a directory") from None
    except OSError as err:
        raise InputError(raw_dir, problem(err)) from None
    found = [Path(raw_dir, entry.name) for entry in entries if not _is_dir(entry) and is_report(Path(entry.name))]
    return sorted(found, key=lambda p: os.fsencode(p.name))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


@dataclass
class Search:
    """What :func:`search` found: report files, and folders that could not be read (with why)."""

    reports: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def find_reports(spec: str | Path, exclude: Path | None = None) -> list[Path]:
    """Report files named by a folder (searched recursively) or a glob, sorted by path (see :func:`search`)."""
    return search(spec, exclude).reports


def search(spec: str | Path, exclude: Path | None = None) -> Search:
    """Report files named by a folder (searched recursively) or a glob (``**`` allowed), sorted by path.

    Folder symlinks are followed, but a folder already entered is not entered again, so a loop
    (``a/up -> ..``) ends and each real file is found once (the first path in sorted order).
    Hidden folders, ``reference/`` folders (folder search only) and anything under ``exclude`` (the
    output folder, should it sit inside the input) are skipped. A sub-folder that cannot be read is
    returned in ``unreadable``. Raises InputError if nothing matches.
    """
    text = os.fspath(spec)
    root = Path(text)
    found = Search()
    if root.is_dir():
        files = _walk(root, None, found, skip=SKIPPED_DIRS)
    elif glob.has_magic(text):
        base, pattern = _split_glob(text)
        files = _walk(base, pattern, found, skip=()) if base.is_dir() else []
    elif exists(root):
        files = [(root, None)]
    else:
        raise InputError(spec, "no such file or folder")
    outside = _resolved(exclude) if exclude is not None else None
    seen: set[tuple[int, int]] = set()
    for path, ident in sorted(files, key=lambda item: sort_key(item[0])):
        if not is_report(path) or _inside(path, outside):
            continue
        if ident is not None:
            if ident in seen:
                continue  # the same file reached again through a link
            seen.add(ident)
        found.reports.append(path)
    if not found.reports and not found.unreadable:
        raise InputError(spec, "no report files found")
    return found


def _walk(base: Path, pattern: list[str] | None, found: Search, skip: tuple) -> list[tuple[Path, tuple | None]]:
    """Every non-folder under ``base`` (matching ``pattern``'s components, if given), with its (device, inode)."""
    files = []
    entered: set[tuple[int, int]] = set()
    limit = None if pattern is None or "**" in pattern else len(pattern) - 1
    hidden = pattern is not None and any(part.startswith(".") for part in pattern)  # else hidden folders are skipped

    def unreadable(err: OSError) -> None:
        found.unreadable.append((Path(err.filename), problem(err)))

    for folder, dirs, names in os.walk(base, followlinks=True, onerror=unreadable):
        here = Path(folder)
        try:
            info = os.stat(here)
        except OSError as err:
            found.unreadable.append((here, problem(err)))
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in entered:
            dirs[:] = []  # a loop, or a folder reached a second time through a link
            continue
        entered.add((info.st_dev, info.st_ino))
        depth = 0 if here == base else len(here.relative_to(base).parts)
        dirs[:] = sorted((d for d in dirs if (hidden or not d.startswith(".")) and d not in skip), key=os.fsencode)
        if limit is not None and depth >= limit:
            dirs[:] = []
        for name in names:
            path = here / name
            if pattern is not None and not _matches(pattern, path.relative_to(base).parts):
                continue
            try:
                st = os.stat(path)
                ident = (st.st_dev, st.st_ino)
            except OSError:
                ident = None  # a loop or a broken link: reading it says what is wrong
            files.append((path, ident))
    return files


def _split_glob(spec: str) -> tuple[Path, list[str]]:
    """``archive/2021/**/*.txt`` -> (``archive/2021``, ``["**", "*.txt"]``): the folder the glob starts in."""
    parts = Path(spec).parts
    fixed = 0
    while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
        fixed += 1
    base = Path(*parts[:fixed]) if fixed else Path(".")
    return base, list(parts[fixed:])


def _matches(pattern: list[str], parts: tuple[str, ...]) -> bool:
    """Path components against glob components: ``*``, ``?`` and ``[...]`` within one component, ``**``
    any number of them; as in :func:`glob.glob`, a wildcard does not match a name starting with a dot."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        if _matches(rest, parts):
            return True
        return bool(parts) and not parts[0].startswith(".") and _matches(pattern, parts[1:])
    if not parts:
        return False
    name = parts[0]
    if name.startswith(".") and not head.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, head) and _matches(rest, parts[1:])


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and _resolved(path.parent).joinpath(path.name).is_relative_to(folder)


def duplicates(paths: list[Path], base: str | Path | None = None) -> dict[Path, str]:
    """``{path: problem}`` for every report whose ``doc_id`` an earlier one in ``paths`` already has.

    Checked up front, so a duplicate fails the same way in every run, whichever worker would meet it first.
    """
    owner: dict[str, Path] = {}
    problems = {}
    for path in paths:
        name = doc_id(path, base)
        if name in owner:
            problems[path] = f"same doc_id {name!r} as {shown(owner[name])}; rename one of them"
        else:
            owner[name] = path
    return problems


def same_bytes(paths: list[Path], digests: dict[Path, str]) -> dict[Path, Path]:
    """``{path: the earlier path with the same bytes}``: a report saved twice (under two names, or in
    two folders) is one report, read once as the first of them in ``paths`` (``digests``: each
    path's SHA-256; a path without one is never a duplicate)."""
    first: dict[str, Path] = {}
    out = {}
    for path in paths:
        digest = digests.get(path)
        if digest is None:
            continue
        if digest in first:
            out[path] = first[digest]
        else:
            first[digest] = path
    return out
