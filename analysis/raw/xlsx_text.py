"""Excel workbooks (.xlsx, .xlsm) -> one text: each visible sheet a table, named by the sheet.

openpyxl reads the cells with their number formats and the merged ranges (only the top-left cell of
a range holds the value). Formulas are read as the value Excel last computed (``data_only``); a
formula never computed (a file written by a program) is empty. Hidden sheets, rows and columns are
left out, as a reader of the workbook does not see them. :mod:`analysis.raw.spreadsheet` lays each
sheet out; the workbook's title (File > Properties), if set, heads the text.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.spreadsheet import Sheet, date_text, number_text, sheet_lines


def read_xlsx(path: Path, data: bytes) -> str:
    """The text of an .xlsx workbook (see the module docstring); InputError if it cannot be read."""
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # noqa: BLE001 - zipfile, lxml, KeyError or openpyxl's own errors
        detail = (" ".join(str(err).split()) or type(err).__name__)[:120]
        raise InputError(path, f"not a readable Excel (.xlsx) file, damaged or truncated ({detail})") from None
    lines = []
    title = (workbook.properties.title or "").strip()
    if title:
        lines.append(title)
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        lines += sheet_lines(_sheet(sheet))
    workbook.close()
    return "\n".join(lines) + "\n" if lines else ""


def _sheet(ws) -> Sheet:
    hidden_rows = {r for r, d in ws.row_dimensions.items() if d.hidden}
    hidden_cols = {c for d in ws.column_dimensions.values() if d.hidden and d.min
                   for c in range(d.min, (d.max or d.min) + 1)}
    out = Sheet(ws.title)
    # The cells the file holds, not the rectangle up to the last one: iter_rows() would make a cell
    # object for every empty position, and one stray cell at XFD1048576 is 17 billion of them.
    for cell in _stored_cells(ws):
        value = cell.value
        if value is None or cell.row in hidden_rows or cell.column in hidden_cols:
            continue
        text = _text(value, cell.number_format)
        if text:
            out.cells[(cell.row - 1, cell.column - 1)] = text
    for rng in ws.merged_cells.ranges:
        out.merges.append((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1))
    return out


def _stored_cells(ws):
    stored = getattr(ws, "_cells", None)  # openpyxl's own store of the cells read, keyed (row, column)
    if isinstance(stored, dict):
        return list(stored.values())
    return [cell for row in ws.iter_rows() for cell in row]


def _text(value, number_format: str) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return date_text(value, number_format)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float)):
        return number_text(value, number_format)
    return str(value).strip()
