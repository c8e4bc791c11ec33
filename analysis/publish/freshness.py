"""What a ``run`` has to do again: fingerprints of every input of a report page and of a source view.

``run`` records each page's fingerprint in ``reports/index.json``. A notebook page whose fingerprint
is unchanged, and whose files are all still there, is not executed again; a source view likewise is
not written again. Over an archive, adding a report then re-runs the overview, the comparison and the
profiles of the provinces it speaks of, and writes its own source view: not all of them.

A notebook page depends on the notebook, its parameters, the package's code (:func:`code_version`)
and the data it reads. A page with a ``province`` (or ``provinces``) parameter reads only the
reports with figures or dates of those provinces; any other page reads everything. For a
``clean-corpus`` output those reports' rows are hashed (their ``documents`` and ``figures`` rows:
everything else a report has follows from its bytes, in ``documents.sha256``, and the cleaning code,
in the output's manifest). For a folder of CSVs the whole folder is hashed, so any change re-runs
every page (``clean`` folders are small).

A source view depends on its report's rows in every table it shows, the review list of its figures
(:func:`analysis.publish.review.worth_a_look`, which compares figures with other reports) and the code.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

# The tables a source view shows of its report (besides documents): analysis.publish.source_view.write_views
VIEW_TABLES = ("mentions", "figures", "dates", "sentences", "sections", "checks")
VOCABULARIES = ("provinces", "themes", "indicator_definitions")


# What the pages are made with: the publish stage (code, display vocabularies, templates), the
# vocabularies it reads labels from, and how tables are read (not how they are cleaned or stored).
PAGE_PARTS = ("publish", "lexicon", "tables/contract.py", "store/reader.py", "store/parquet.py", "config.py",
              "errors.py", "tsv.py")


@cache
def code_version() -> str:
    """A fingerprint of the code and data pages are made with (:data:`PAGE_PARTS`): another version
    redoes every page."""
    from analysis import config

    digest = hashlib.sha256()
    for part in PAGE_PARTS:
        path = config.PACKAGE_DIR / part
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            and p.suffix in (".py", ".tsv", ".j2", ".css", ".json"))
        for file in files:
            digest.update(file.relative_to(config.PACKAGE_DIR).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def rows_digest(frame) -> bytes:
    """A digest of a frame's rows, in order (columns included)."""
    import pandas as pd

    digest = hashlib.sha256("|".join(map(str, frame.columns)).encode())
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy().tobytes())
    return digest.digest()


def _mentioned(frame, provinces: set[str]) -> set[str]:
    cells = frame["province"].fillna("").astype(str)
    hit = cells.map(lambda cell: bool(provinces & set(cell.split("|"))))
    return set(frame.loc[hit.to_numpy(), "doc_id"])


class DataVersion:
    """Fingerprints of the data a page reads, by the provinces it is about (see the module doc).

    ``base``: what every page depends on; ``scoped``: False when only the whole folder can tell
    (then every page has the fingerprint ``base``)."""

    def __init__(self, documents, figures, dates, base: str, scoped: bool = True):
        self.documents, self.figures, self.dates = documents, figures, dates
        self.base, self.scoped = base, scoped

    @classmethod
    def of_folder(cls, clean_dir: Path, documents, figures, dates) -> DataVersion:
        """For the clean tables in ``clean_dir``: scoped for a clean-corpus output (its manifest
        names the cleaning code), the whole folder hashed otherwise."""
        from analysis.publish.index import data_version
        from analysis.publish.views import load_optional
        from analysis.store import manifest

        recorded = manifest.read(clean_dir)
        if recorded is None:
            return cls(documents, figures, dates, data_version(clean_dir), scoped=False)
        digest = hashlib.sha256(recorded.cleaner.encode())
        for name in VOCABULARIES:
            table = load_optional(name, clean_dir)
            if table is not None:
                digest.update(rows_digest(table))
        return cls(documents, figures, dates, digest.hexdigest())

    def of(self, provinces: list[str] | None) -> str:
        """The fingerprint of the reports about ``provinces`` (all reports for None)."""
        if not self.scoped:
            return self.base
        if provinces is None:
            docs = self.documents
            figures = self.figures
        else:
            wanted = set(provinces)
            ids = _mentioned(self.figures, wanted) | _mentioned(self.dates, wanted)
            docs = self.documents[self.documents["doc_id"].isin(ids)]
            figures = self.figures[self.figures["doc_id"].isin(ids)]
        digest = hashlib.sha256(self.base.encode())
        digest.update(rows_digest(docs))
        digest.update(rows_digest(figures))
        return digest.hexdigest()[:32]


def scope(parameters: dict) -> list[str] | None:
    """The provinces a notebook run is about, by its parameters; None for all of the data."""
    if isinstance(parameters.get("province"), str):
        return [parameters["province"]]
    if isinstance(parameters.get("provinces"), (list, tuple)) and parameters["provinces"]:
        return [str(p) for p in parameters["provinces"]]
    return None


def job_fingerprint(notebook: Path, parameters: dict, data: DataVersion) -> str:
    """Everything a notebook page depends on, as one digest."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(Path(notebook).read_bytes())
    digest.update(json.dumps(parameters, ensure_ascii=False, sort_keys=True, default=str).encode())
    digest.update(data.of(scope(parameters)).encode())
    return digest.hexdigest()[:32]


def view_fingerprints(tables: dict, review) -> dict[str, str]:
    """``{doc_id: fingerprint}`` of each report's source view: ``tables`` holds ``documents`` and the
    :data:`VIEW_TABLES` (all reports), ``review`` the figures worth a look of every report."""
    groups = {name: dict(tuple(tables[name].groupby("doc_id", sort=False))) for name in VIEW_TABLES if name in tables}
    reviewed = dict(tuple(review.groupby("doc_id", sort=False))) if review is not None and len(review) else {}
    documents = tables["documents"]
    out = {}
    for position, doc in enumerate(documents["doc_id"]):
        digest = hashlib.sha256(code_version().encode())
        digest.update(rows_digest(documents.iloc[position:position + 1]))
        for name, group in groups.items():
            if doc in group:
                digest.update(name.encode() + rows_digest(group[doc]))
        if doc in reviewed:
            digest.update(rows_digest(reviewed[doc][["figure", "reasons", "why"]]))
        out[doc] = digest.hexdigest()[:32]
    return out
