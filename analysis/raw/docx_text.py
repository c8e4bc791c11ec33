"""Word documents (.docx) -> one text: paragraphs and tables in document order, tables as pipe rows.

python-docx reads the body in order (``iter_inner_content``: paragraphs and tables as they come).
A paragraph is one line. A table is a :class:`analysis.raw.grid.Grid`: python-docx gives one cell per
grid column and repeats a merged cell (``gridSpan`` across, ``vMerge`` down) in every position it
covers, as the same ``<w:tc>`` element, which is how the covered positions are told from their
origin. A table nested in a cell would be lost by ``cell.text``: it is written after the table that
holds it, as a table of its own. Page headers and footers are not part of the body, so they are left
out; a Word file has no fixed pages, so its figures have no page.
"""

from __future__ import annotations

import io
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.grid import Grid, one_line, table_lines


def read_docx(path: Path, data: bytes) -> str:
    """The text of a .docx file (see the module docstring); InputError if it cannot be read."""
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - a damaged package raises zipfile, lxml or KeyError errors
        raise InputError(path, f"not a readable Word (.docx) file, damaged or truncated ({_detail(err)})") from None
    lines: list[str] = []
    try:
        _blocks(document, lines)
    except Exception as err:  # noqa: BLE001 - malformed XML inside a valid package
        raise InputError(path, f"not a readable Word (.docx) file ({_detail(err)})") from None
    return "\n".join(lines) + "\n" if lines else ""


def _detail(err: Exception) -> str:
    return (" ".join(str(err).split()) or type(err).__name__)[:120]


def _blocks(container, lines: list[str]) -> None:
    """Paragraphs and tables of a document or a cell, in order, as lines."""
    from docx.table import Table

    previous_table = False
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            if previous_table:
                lines.append("")  # two tables in a row stay two tables
            nested: list = []
            lines += table_lines(_grid(block, nested))
            for table in nested:
                lines.append("")
                _table_with_nested(table, lines)
            previous_table = True
        else:
            text = one_line(block.text, cell=False).strip()
            if text:
                lines.append(text)
                previous_table = False


def _table_with_nested(table, lines: list[str]) -> None:
    nested: list = []
    lines += table_lines(_grid(table, nested))
    for inner in nested:
        lines.append("")
        _table_with_nested(inner, lines)


def _grid(table, nested: list) -> Grid:
    """The table's positions and merges; the tables nested in its cells are added to ``nested``."""
    rows: list[list[str]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    # a <w:tc> element -> where it was first seen; the dict keeps each element's proxy alive, so lxml
    # hands back the same object (an id() of a freed proxy could be reused by another cell)
    origin: dict[object, tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        texts = []
        for c, cell in enumerate(row.cells):
            key = cell._tc
            if key in origin:
                merged[(r, c)] = origin[key]
                texts.append("")
                continue
            origin[key] = (r, c)
            texts.append(_cell_text(cell, nested))
        rows.append(texts)
    return Grid(rows, merged)


def _cell_text(cell, nested: list) -> str:
    """A cell's paragraphs on one line; its nested tables go to ``nested``."""
    from docx.table import Table

    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            nested.append(block)
        else:
            parts.append(block.text)
    return one_line("\n".join(parts))
