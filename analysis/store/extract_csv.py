"""``extract``: one report -> its figures table as CSV, built and written without pandas or Arrow.

``extract`` writes only the figures of one report, so it builds only those
(:func:`analysis.tables.build.iter_rows` with ``tables=("figures",)``: no mention, date or sentence
rows), gives them ``theme`` and ``indicator`` with the matchers enrichment uses
(:mod:`analysis.tables.figure_rows`), and writes each cell as :mod:`analysis.store.cells` writes it
for ``clean``. The file has the columns, order and bytes of the report's rows of
``data/clean/figures.csv`` (without corrections): ``tests/test_lean_extract.py`` compares the two.
Neither pandas, numpy nor pyarrow is imported, which on a short report was most of the time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import BinaryIO

FLUSH_BYTES = 1 << 20  # lines gathered before a write: few calls, little memory


def write_figures(path: str | Path, binary_file: BinaryIO, *, published: dt.date | None = None,
                  bom: bool = True) -> int:
    """Write the figures table of report ``path`` into ``binary_file``; returns the number of rows.

    ``published`` overrides the sidecar's publication date. Problems with the file are InputErrors
    (raised before anything but the header is written when the file cannot be read at all).
    """
    from analysis.raw.report import load_source
    from analysis.store.cells import csv_line, line_writer
    from analysis.store.clean import source_pieces
    from analysis.tables import contract
    from analysis.tables.figure_rows import themes_and_indicators

    source = load_source(path)
    if published is not None:
        source = dataclasses.replace(source, published=published, published_inferred=False)
    columns = contract.columns("figures")
    line_of = line_writer("figures")
    binary_file.write(csv_line(columns).encode(contract.CSV_ENCODING if bom else "utf-8"))
    rows = 0
    lines: list[str] = []
    size = 0
    for piece in source_pieces(source, progress=False, tables=("figures",)):
        figures = piece.get("figures", [])
        for row, theme, code in zip(figures, *themes_and_indicators(figures, piece.get("sentence_starts", {}))):
            row["theme"], row["indicator"] = theme, code  # the rows are this loop's own: no copy
            line = line_of(row)
            lines.append(line)
            size += len(line)
            rows += 1
            if size >= FLUSH_BYTES:
                binary_file.write("".join(lines).encode("utf-8"))
                lines, size = [], 0
    binary_file.write("".join(lines).encode("utf-8"))
    return rows
