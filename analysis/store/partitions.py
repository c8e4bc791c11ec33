"""Partitions of an archive: which reports are cleaned together, cut so that an added report changes
only the partition it falls in; and the worker that cleans one partition.

The reports, sorted by ``doc_id``, are cut after every report whose ``doc_id`` hashes to a multiple of
the partition size (:func:`cut`, content-defined boundaries): a partition holds ``size`` reports on
average, and where it starts and ends depends only on the ``doc_id`` s near it, never on how many
reports come before. Adding a report rewrites the parts of its own partition (two, if the new
report is itself a boundary); removing one, the parts of the partition it leaves. A full run and
an incremental run therefore cut the same partitions and write the same parts.

Each partition has a **key**, which names its Parquet parts (``<table>/part-<key>-<k>.parquet``; from
its first ``doc_id``), and a **fingerprint** of everything its tables depend on: the cleaning code
(:func:`analysis.store.manifest.cleaner_version`), and for each report its ``doc_id``, path, bytes,
sidecar and corrections. A partition whose fingerprint is in the output's manifest is not cleaned again.

:func:`clean_partition` is the worker's entry point (a local process or a Dask worker): a picklable
:class:`Task` in, a :class:`Result` out. It writes the partition's parts into the task's folder
(``OUT/.parts/<fingerprint>/``, made by the command beforehand: a worker never creates folders, so
one that runs on after the command stopped cannot bring a removed folder back), then ``result.json``
last: a finished partition survives a crash of the command, and the next run takes it from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis.errors import InputError, OutputError

RESULT = "result.json"
KEY_DIGITS = 16


@dataclass(frozen=True)
class Member:
    """One report of a partition."""

    doc_id: str
    path: str  # where to read it (a file-system string: bytes that are not UTF-8 kept by surrogateescape)
    relative: str  # documents.path
    sha256: str
    sidecar_sha256: str = ""  # "" if it has no sidecar


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()[:8], "big")


def is_boundary(doc_id: str, size: int) -> bool:
    """True if a partition ends after this report (about one report in ``size``)."""
    return _hash(doc_id) % size == 0


def cut(members: list[Member], size: int) -> list[list[Member]]:
    """``members`` (sorted by ``doc_id``) cut into partitions after each boundary report.

    >>> [len(p) for p in cut([Member(f"r{i}", "", "", "") for i in range(10)], 1)]
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    """
    partitions: list[list[Member]] = []
    current: list[Member] = []
    for member in members:
        current.append(member)
        if is_boundary(member.doc_id, size):
            partitions.append(current)
            current = []
    if current:
        partitions.append(current)
    return partitions


def key_of(members: list[Member]) -> str:
    """The partition's key: hex digits of its first report's ``doc_id`` hash."""
    return hashlib.sha1(members[0].doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:KEY_DIGITS]


def correction_ids(corrections) -> list[str]:
    """A digest of each row of a corrections frame (its cells, row number included): the row's
    identity across runs, and what a partition's fingerprint takes of its reports' corrections."""
    if corrections is None or not len(corrections):
        return []
    rows = corrections.astype("object").where(corrections.notna(), None).to_dict("records")
    return [hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]
            for row in rows]


def fingerprint(cleaner: str, members: list[Member], corrections: dict[str, list[str]]) -> str:
    """What a partition's tables depend on: the cleaning code and, per report, its identity, bytes,
    sidecar and corrections (``corrections``: doc_id -> the ids of its correction rows)."""
    body = [cleaner] + [[m.doc_id, m.relative, m.sha256, m.sidecar_sha256, sorted(corrections.get(m.doc_id, []))]
                        for m in members]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Task:
    """One partition to clean: what a worker needs, picklable."""

    key: str
    fingerprint: str
    members: tuple[Member, ...]
    folder: str  # where the parts go: its <table>/ folders exist
    base: str  # the archive folder (doc_id, documents.path)
    corrections: object = None  # the corrections frame of this partition's reports, or None
    correction_ids: tuple[str, ...] = ()  # the id of each of its rows, in order


@dataclass
class Result:
    """What a worker did with one partition (also ``result.json`` in its folder)."""

    key: str
    fingerprint: str
    docs: list[str] = field(default_factory=list)  # reports written, in order
    parts: list[str] = field(default_factory=list)  # <table>/<part file>, in order
    rows: dict[str, int] = field(default_factory=dict)
    failures: list[list[str]] = field(default_factory=list)  # (path, doc_id, error, problem)
    outcomes: dict[str, list] = field(default_factory=dict)  # correction id -> [status, figure, problem]
    n_files: int = 0


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def clean_partition(task: Task) -> Result:
    """Clean one partition into ``task.folder`` (see the module doc); returns its :class:`Result`.

    A report whose reading or processing raises becomes a failure row; the others are written
    through the batched write pipeline (:mod:`analysis.store.pipeline`) into Parquet parts, so a
    worker holds one batch, not one partition. An OutputError (the output cannot be written) stops
    the whole run.
    """
    from analysis.raw.report import load_source
    from analysis.store.pipeline import Pipeline
    from analysis.store.sinks import ParquetParts
    from analysis.tables import build

    result = Result(task.key, task.fingerprint, n_files=len(task.members))
    by_doc = {m.doc_id: m for m in task.members}

    def invalid(doc_ids: list[str], err: Exception) -> None:
        result.failures.extend([by_doc[d].relative, d, type(err).__name__, _one_line(err)] for d in doc_ids)

    folder = Path(task.folder)
    sink = ParquetParts(task.key, folder)
    pipeline = Pipeline(sink, on_invalid=invalid, corrections=task.corrections)
    for member in task.members:
        try:
            pipeline.add(member.doc_id, build.iter_rows(load_source(member.path, task.base)))
        except OutputError:
            raise  # the output cannot be written: the whole run stops, the previous output stays
        except InputError as err:
            result.failures.append([member.relative, member.doc_id, "InputError", err.problem_of(member.path)])
        except Exception as err:  # noqa: BLE001 - a bug on one file must not lose the other thousands
            result.failures.append([member.relative, member.doc_id, type(err).__name__, _one_line(err)])
    pipeline.flush()
    failed = {f[1] for f in result.failures}
    result.docs = [m.doc_id for m in task.members if m.doc_id not in failed]
    result.parts, result.rows = list(sink.parts), dict(sink.rows)
    result.outcomes = _outcomes(pipeline, set(by_doc), task.correction_ids)
    _write_result(folder / RESULT, result)
    return result


def _write_result(path: Path, result: Result) -> None:
    """``result.json``, atomically, into a folder that must exist (see the module doc)."""
    from analysis.errors import os_reason
    from analysis.store.atomic import atomic_path

    try:
        with atomic_path(path, parents=False) as tmp:
            Path(tmp).write_text(json.dumps(asdict(result), ensure_ascii=False), encoding="utf-8")
    except OSError as err:
        reason = os_reason(err)
        raise OutputError(path, f"cannot write ({reason})", reason) from None


def _outcomes(pipeline, docs: set[str], ids: tuple[str, ...]) -> dict[str, list]:
    """correction id -> [status, figure, problem] of the corrections of this partition's reports."""
    table = pipeline.corrections(seen=docs)
    if table is None:
        return {}
    out = {}
    for row_id, status, figure, problem in zip(ids, table["status"].tolist(), table["figure"].astype("object").tolist(),
                                               table["problem"].astype("object").tolist()):
        out[row_id] = [status, None if figure is None or figure != figure else int(figure),
                       problem if isinstance(problem, str) and problem else None]
    return out


def finished(folder: Path, fingerprint: str) -> Result | None:
    """The result a worker left in ``folder`` for this fingerprint, if its parts are all there (a
    partition finished by a run that then crashed); else None."""
    try:
        data = json.loads((folder / RESULT).read_text(encoding="utf-8"))
        result = Result(**data)
    except (OSError, ValueError, TypeError):
        return None
    if result.fingerprint != fingerprint or not all((folder / part).is_file() for part in result.parts):
        return None
    return result
