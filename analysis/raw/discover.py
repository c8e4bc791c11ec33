"""Which files are reports, and what each is called (``doc_id``): one rule for ``clean`` and ``clean-corpus``.

A report is any file that is not a provenance sidecar, hidden, a README or a temporary file.
``clean`` reads the reports directly in one folder; ``clean-corpus`` searches a folder recursively
or expands a glob. Either way the ``doc_id`` of a report is its file name without the extension,
and two reports with the same ``doc_id`` are refused the same way.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.sidecar import SIDECAR_SUFFIX

SKIPPED_DIRS = ("reference",)  # data/raw/reference holds lookup tables, not reports


def doc_id(path: Path) -> str:
    """The report's identifier: its file name without the extension.

    >>> doc_id(Path("data/raw/000_ef22c67862e0d2cc.txt")), doc_id(Path("archive/README"))
    ('000_ef22c67862e0d2cc', 'README')
    """
    return path.stem if path.suffix else path.name


def is_report(path: Path) -> bool:
    """False for sidecars, hidden files, READMEs and temporary files; True for anything else."""
    name = path.name
    return not (
        name.startswith((".", "~"))
        or name.endswith((SIDECAR_SUFFIX, ".tmp", "~"))
        or name.lower().startswith("readme")
    )


def raw_reports(raw_dir: str | Path) -> list[Path]:
    """Report files directly in ``raw_dir``, sorted by name (sub-folders such as ``reference/`` are not read)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "no such directory")
    return sorted((p for p in raw_dir.iterdir() if p.is_file() and is_report(p)), key=lambda p: p.name)


def find_reports(spec: str | Path, exclude: Path | None = None) -> list[Path]:
    """Report files named by a folder (searched recursively) or a glob, sorted by path.

    Hidden folders, ``reference/`` folders and anything under ``exclude`` (the output folder,
    should it sit inside the input) are skipped. Raises InputError if nothing matches.
    """
    spec = str(spec)
    root = Path(spec)
    if root.is_dir():
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
            found.extend(Path(folder, name) for name in files)
    elif glob.has_magic(spec):
        found = [Path(p) for p in glob.glob(spec, recursive=True)]
    elif root.exists():
        found = [root]
    else:
        raise InputError(spec, "no such file or folder")
    outside = exclude.resolve() if exclude is not None else None
    reports = sorted(
        (p for p in found if p.is_file() and is_report(p) and not _inside(p, outside)),
        key=lambda p: p.as_posix(),
    )
    if not reports:
        raise InputError(spec, "no report files found")
    return reports


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.resolve().is_relative_to(folder)


def duplicates(paths: list[Path]) -> dict[Path, str]:
    """``{path: problem}`` for every report whose ``doc_id`` an earlier one in ``paths`` already has.

    Checked up front, so a duplicate fails the same way in every run, whichever worker would meet it first.
    """
    owner: dict[str, Path] = {}
    problems = {}
    for path in paths:
        name = doc_id(path)
        if name in owner:
            problems[path] = f"same doc_id {name!r} as {owner[name]}; rename one of them"
        else:
            owner[name] = path
    return problems
