"""The batched write pipeline: rows of many reports -> enriched, validated batches -> a sink.

``clean`` and ``clean-corpus`` both write through :class:`Pipeline`; they differ only in the sink
(:mod:`analysis.store.sinks`: a folder of CSVs, or Parquet parts) and in what a failed report
becomes. Memory is one batch: rows are gathered until they reach :data:`BATCH_ROWS`, then typed
frames are built once for the batch (building them costs more than extracting a short report),
themes and indicators are added, every table is validated, and the sink appends the batch.

A report too large for one batch (read in windows, see :func:`analysis.tables.build.iter_rows`)
is written in batches of its own as it is read; if reading it fails part-way, the sink removes
what it had written of it, so a report's rows are all there or none are.

Corrections (data/corrections.csv, :mod:`analysis.tables.corrections`) are applied to each batch
right after its frames are built, before enrichment and the arithmetic checks, so a corrected
figure gets its theme, indicator and checks from its corrected values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

BATCH_ROWS = 50_000  # rows (all tables together) enriched, validated and written as one batch


class Sink(Protocol):
    """Where checked batches go (see :mod:`analysis.store.sinks`)."""

    def write(self, tables: dict, open_doc: str | None) -> None:
        """Append one checked batch. ``open_doc``: the batch holds only rows of this report, still being read."""

    def discard(self, doc_id: str) -> None:
        """Remove what was written of ``doc_id`` while it was open (it failed part-way)."""


def rows_in(pieces: list[dict]) -> int:
    """Rows in a list of row pieces, all tables together."""
    return sum(len(rows) for piece in pieces for rows in piece.values())


class Pipeline:
    """Gathers the row pieces of reports (:func:`analysis.tables.build.iter_rows`) into checked batches.

    ``on_invalid(doc_ids, error)``: what to do when a batch of whole reports fails validation (a
    bug in this package, not the user's input); without it the error is raised.
    """

    def __init__(self, sink: Sink, provinces=None,
                 on_invalid: Callable[[list[str], Exception], None] | None = None, corrections=None):
        from analysis.raw.census import load_provinces
        from analysis.tables.corrections import Corrector
        from analysis.tables.enrich import Batches

        # corrections: the frame of analysis.tables.corrections.parse_corrections, or None
        self.corrector = Corrector(corrections) if corrections is not None and len(corrections) else None
        self.sink = sink
        self.provinces = load_provinces() if provinces is None else provinces
        self.checker = Batches(self.provinces)
        self.on_invalid = on_invalid
        self.pending: list[dict] = []  # pieces of whole reports, not yet written
        self.pending_docs: list[str] = []
        self.pending_rows = 0  # rows_in(self.pending), kept as pieces come

    def add(self, doc_id: str, pieces: Iterable[dict]) -> None:
        """Every piece of one report. Whatever reading the pieces raises is raised again, after
        the rows of ``doc_id`` already written are removed."""
        own: list[dict] = []  # this report's pieces not yet written
        own_rows = 0
        wrote = False
        try:
            for piece in pieces:
                own.append(piece)
                own_rows += rows_in([piece])
                if own_rows >= BATCH_ROWS:
                    self.flush()  # earlier reports first: rows stay in report order
                    self._write(own, open_doc=doc_id)
                    wrote = True
                    own, own_rows = [], 0
        except BaseException:
            if wrote:
                self.sink.discard(doc_id)
            if self.corrector is not None:
                self.corrector.discard(doc_id)
            raise
        self.pending += own
        self.pending_docs.append(doc_id)
        self.pending_rows += own_rows
        if self.pending_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the reports gathered so far as one batch."""
        if not self.pending_docs:
            return
        pieces, docs = self.pending, self.pending_docs
        self.pending, self.pending_docs, self.pending_rows = [], [], 0
        try:
            checked = self._check(pieces, open_doc=None)
        except Exception as err:  # noqa: BLE001 - the caller decides what an invalid batch becomes
            if self.on_invalid is None:
                raise
            for doc in docs if self.corrector is not None else ():
                self.corrector.discard(doc)
            self.on_invalid(docs, err)
            return
        self.sink.write(checked, None)  # a sink that cannot write (a full disk) stops the caller

    def _write(self, pieces: list[dict], open_doc: str | None) -> None:
        self.sink.write(self._check(pieces, open_doc), open_doc)

    def _check(self, pieces: list[dict], open_doc: str | None) -> dict:
        from analysis.tables.build import frames_of
        from analysis.tables.contract import PER_DOCUMENT

        frames = frames_of(pieces)
        borrowed = None
        if self.corrector is not None:
            frames = self.corrector.apply(frames)
            borrowed = self.corrector.borrowed
        checked = self.checker.check(frames, open_doc, borrowed=borrowed)
        return {name: checked[name] for name in PER_DOCUMENT}

    def corrections(self, seen=()):
        """The corrections table with what was done with each (see
        :meth:`analysis.tables.corrections.Corrector.outcomes`); None without corrections."""
        return self.corrector.outcomes(seen) if self.corrector is not None else None


def vocabularies(provinces=None) -> dict:
    """The shared vocabulary tables (provinces, themes, indicator definitions), validated: written once."""
    from analysis.raw.census import load_provinces
    from analysis.tables.contract import VOCABULARIES
    from analysis.tables.enrich import checked_fast, enrich
    from analysis.tables.frames import frame

    enriched = enrich({"figures": frame("figures", [])}, load_provinces() if provinces is None else provinces)
    return checked_fast({name: enriched[name] for name in VOCABULARIES})
