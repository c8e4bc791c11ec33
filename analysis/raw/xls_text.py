"""Old Excel workbooks (.xls, BIFF) -> one text: each visible sheet a table, named by the sheet.

xlrd 2 reads only this format (openpyxl reads only .xlsx). With ``formatting_info`` it gives the
merged ranges and each cell's number format, so a percent shows as ``6.1%``; dates are serial numbers
turned into dates with the workbook's date mode. :mod:`analysis.raw.spreadsheet` lays each sheet out.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputError
from analysis.raw.spreadsheet import Sheet, date_text, number_text, sheet_lines


def read_xls(path: Path, data: bytes) -> str:
    """The text of an .xls workbook (see the module docstring); InputError if it cannot be read."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except Exception as err:  # noqa: BLE001 - xlrd raises XLRDError, struct.error, IndexError... on damage
        detail = (" ".join(str(err).split()) or type(err).__name__)[:120]
        if "encrypt" in detail.lower():
            raise InputError(path, "an encrypted Excel (.xls) file that needs a password to open") from None
        raise InputError(path, f"not a readable Excel (.xls) file, damaged or truncated ({detail})") from None
    lines = []
    for sheet in book.sheets():
        if sheet.visibility == 0:
            lines += sheet_lines(_sheet(book, sheet))
    return "\n".join(lines) + "\n" if lines else ""


def _sheet(book, sheet) -> Sheet:
    import xlrd

    out = Sheet(sheet.name)
    for r in range(sheet.nrows):
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                continue
            fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
            number_format = fmt.format_str if fmt is not None else None
            if cell.ctype == xlrd.XL_CELL_DATE:
                text = date_text(xlrd.xldate_as_datetime(cell.value, book.datemode), number_format)
            elif cell.ctype == xlrd.XL_CELL_NUMBER:
                text = number_text(cell.value, number_format)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                text = "是" if cell.value else "否"
            else:
                text = str(cell.value).strip()
            if text:
                out.cells[(r, c)] = text
    out.merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
    return out
