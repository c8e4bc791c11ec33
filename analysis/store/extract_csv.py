"""``extract``: one report -> its figures table as CSV, through the same pipeline as ``clean``.

The rows go through :class:`analysis.store.pipeline.Pipeline` exactly as ``clean`` writes them:
built a batch at a time, enriched (``theme``, ``indicator``), validated, and formatted by
:mod:`analysis.store.cells`; only the sink differs (:class:`analysis.store.sinks.CsvStream`), so
``extract -o OUT.csv`` has the columns, order and cells of ``data/clean/figures.csv``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import BinaryIO


def write_figures(path: str | Path, binary_file: BinaryIO, *, published: dt.date | None = None,
                  bom: bool = True) -> int:
    """Write the figures table of report ``path`` into ``binary_file``; returns the number of rows.

    ``published`` overrides the sidecar's publication date. Problems with the file are InputErrors
    (raised before anything but the header is written when the file cannot be read at all).
    """
    from analysis.raw.report import load_source
    from analysis.store.clean import source_pieces
    from analysis.store.pipeline import Pipeline
    from analysis.store.sinks import CsvStream

    source = load_source(path)
    if published is not None:
        source = dataclasses.replace(source, published=published, published_inferred=False)
    sink = CsvStream(binary_file, "figures", bom=bom)
    pipeline = Pipeline(sink)
    try:
        pipeline.add(source.doc_id, source_pieces(source, progress=False))
        pipeline.flush()
    finally:
        rows = sink.finish()
    return rows
