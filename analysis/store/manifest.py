"""What a ``clean-corpus`` output was made from: ``OUT/manifest.json``, the record incremental runs read.

It holds the archive folder, the version of the cleaning code (:func:`cleaner_version`), and

- every input file by its path inside the archive (``documents.path``): size, modification time and
  SHA-256 of the file and of its sidecar, so a rerun hashes again only a file whose size or time
  changed (:func:`scan`);
- every partition (:mod:`analysis.store.partitions`): its key, the fingerprint of what it was made
  from, its reports, its Parquet parts and rows, its failures and what its corrections did.

A partition whose fingerprint is unchanged is not cleaned again, and its parts stay as they are.
An unreadable or foreign record is ignored (everything is cleaned again), never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from analysis.errors import InputError

NAME = "manifest.json"
FORMAT = 1
HASH_THREADS = 8  # files hashed at once: reading overlaps, and hashlib releases the GIL on large buffers
# The modules and data whose change changes what cleaning writes: not publish/, and of store/ only
# what builds and writes the parts (how a run is organised, locked or committed changes no row).
CLEANER_PARTS = ("raw", "extract", "tables", "lexicon", "store/pipeline.py", "store/sinks.py", "store/parquet.py",
                 "store/cells.py", "store/partitions.py", "tsv.py", "errors.py")
# Libraries that turn a file into text: another version may read the same file otherwise.
READERS = ("pdfplumber", "pypdfium2", "python-docx", "openpyxl", "xlrd", "trafilatura", "charset-normalizer",
           "pandas", "pyarrow")


@dataclass(frozen=True)
class FileState:
    """One input file as last seen: its size, modification time and SHA-256, and its sidecar's
    (``None`` when it has none)."""

    size: int
    mtime_ns: int
    sha256: str
    sidecar: tuple[int, int, str] | None = None

    def same_stat(self, size: int, mtime_ns: int, sidecar: tuple[int, int] | None) -> bool:
        """True if the file (and its sidecar) have the size and time recorded: no need to hash again."""
        mine = None if self.sidecar is None else tuple(self.sidecar[:2])
        return (self.size, self.mtime_ns) == (size, mtime_ns) and mine == sidecar


@dataclass
class PartitionRecord:
    """One partition of an output: what it was made from and what it wrote."""

    key: str
    fingerprint: str
    docs: list[str]  # doc_ids, in order
    parts: list[str]  # <table>/<part file>, in order
    rows: dict[str, int] = field(default_factory=dict)
    failures: list[list[str]] = field(default_factory=list)  # rows of the failures table
    outcomes: dict[str, list] = field(default_factory=dict)  # correction id -> [status, figure, problem]


@dataclass
class Manifest:
    archive: str = ""
    cleaner: str = ""
    partition_size: int = 0
    files: dict[str, FileState] = field(default_factory=dict)  # documents.path -> state
    partitions: list[PartitionRecord] = field(default_factory=list)

    def to_json(self) -> bytes:
        body = {"format": FORMAT, "archive": self.archive, "cleaner": self.cleaner,
                "partition_size": self.partition_size,
                "files": {path: asdict(state) for path, state in sorted(self.files.items())},
                "partitions": [asdict(p) for p in self.partitions]}
        return (json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def read(folder: str | Path) -> Manifest | None:
    """The manifest of an output folder; None if there is none, or it is not one this version wrote."""
    try:
        data = json.loads((Path(folder) / NAME).read_bytes())
        if data.get("format") != FORMAT:
            return None
        files = {}
        for path, state in data["files"].items():
            sidecar = state.get("sidecar")
            files[path] = FileState(int(state["size"]), int(state["mtime_ns"]), str(state["sha256"]),
                                    tuple(sidecar) if sidecar else None)
        partitions = [PartitionRecord(**p) for p in data["partitions"]]
        return Manifest(str(data["archive"]), str(data["cleaner"]), int(data["partition_size"]), files, partitions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def archive_folder(folder: str | Path) -> Path | None:
    """The archive a clean-corpus output was made from (where its ``documents.path`` start), if it says."""
    manifest = read(folder)
    return Path(manifest.archive) if manifest is not None and manifest.archive else None


@cache
def cleaner_version() -> str:
    """A fingerprint of everything that decides what cleaning writes: this package's reading,
    extracting, table and store code, its vocabularies, the census table and the versions of the
    libraries that read files. Another version cleans every report again."""
    from importlib import metadata

    from analysis import config
    from analysis.raw.census import CENSUS_TSV

    digest = hashlib.sha256()
    files = [CENSUS_TSV]
    for part in CLEANER_PARTS:
        path = config.PACKAGE_DIR / part
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*")
                                                      if p.suffix in (".py", ".tsv") and "__pycache__" not in p.parts)
    for path in files:
        digest.update(path.relative_to(config.PACKAGE_DIR.parent).as_posix().encode() + b"\0" + path.read_bytes())
    for name in READERS:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Scanned:
    """What :func:`scan` found of one file: its state, or why it cannot be read."""

    path: Path
    relative: str  # documents.path
    state: FileState | None
    problem: str = ""
    hashed: bool = False  # read again this run (new or changed), not taken from the manifest


def scan(paths: list[Path], base: str | Path, previous: Manifest | None, progress: bool = False) -> list[Scanned]:
    """Each file's state: taken from ``previous`` when its size and time (and its sidecar's) are as
    recorded, else hashed anew (several files at once; ``progress``: a bar on stderr). A file that
    cannot be read gets its problem."""
    import sys

    from tqdm import tqdm

    from analysis.raw.discover import recorded_path

    known = previous.files if previous is not None else {}

    def one(path: Path) -> Scanned:
        relative = recorded_path(path, base)
        try:
            return _state(path, relative, known.get(relative))
        except InputError as err:
            return Scanned(path, relative, None, err.problem_of(path))

    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return list(tqdm(pool.map(one, paths), total=len(paths), desc="files", unit="file", file=sys.stderr,
                         disable=not progress, leave=False))


def _state(path: Path, relative: str, before: FileState | None) -> Scanned:
    from analysis.raw.files import problem
    from analysis.raw.sidecar import sha256_of, sidecar_path

    try:
        st = os.stat(path)
    except OSError as err:
        raise InputError(path, problem(err)) from None
    side = sidecar_path(path)
    try:
        side_st = os.stat(side)
        side_stat = (side_st.st_size, side_st.st_mtime_ns)
    except FileNotFoundError:
        side_stat = None
    except OSError as err:
        raise InputError(side, problem(err)) from None
    if before is not None and before.same_stat(st.st_size, st.st_mtime_ns, side_stat):
        return Scanned(path, relative, before)
    sidecar = None if side_stat is None else (*side_stat, sha256_of(side))
    return Scanned(path, relative, FileState(st.st_size, st.st_mtime_ns, sha256_of(path), sidecar), hashed=True)
