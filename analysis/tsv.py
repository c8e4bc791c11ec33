"""Read the small tab-separated vocabularies under analysis/lexicon/ (comment lines start with '#')."""

from __future__ import annotations

import csv
from pathlib import Path


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 TSV as dicts, skipping '#' comment lines; every cell is stripped text.

    A row with the wrong number of cells is a broken vocabulary, so it raises ValueError naming the line.
    """
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if line.strip() and not line.startswith("#")]
    reader = csv.reader((line for _, line in lines), delimiter="\t", quoting=csv.QUOTE_NONE)
    header, *body = list(reader)
    rows = []
    for (line_no, _), cells in zip(lines[1:], body):
        if len(cells) != len(header):
            raise ValueError(f"{path}:{line_no}: expected {len(header)} tab-separated cells, got {len(cells)}")
        rows.append({key: cell.strip() for key, cell in zip(header, cells)})
    return rows


def alternatives(cell: str) -> tuple[str, ...]:
    """'a|b|c' -> ('a', 'b', 'c'); an empty cell -> ()."""
    return tuple(word for word in (part.strip() for part in cell.split("|")) if word)
