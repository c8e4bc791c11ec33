"""The clean tables as one Excel workbook for spreadsheet users (``reports/data/tables.xlsx``).

A CSV opened by double-click is guessed at: LibreOffice reads UTF-8 as Windows-1252 unless told,
``99.9%`` in a text column becomes the number 0.999 and a float prints fifteen digits. A workbook
says what each cell is, so none of that happens:

- one sheet per table (named in Chinese, ``display/tables.tsv``), a first sheet 说明 that lists
  them with their CSV file and every column's Chinese name and note (``display/columns.tsv``);
- a header row of Chinese names, each with a note (a cell comment) giving the meaning and the CSV
  column name; the header row is frozen and filterable;
- text columns stored as text (``@``), so ``surface`` keeps ``99.9%`` and ``4.25万个`` as written;
- numbers rounded to what the report states (a value to the decimals its figure was written with:
  24.03万 is 240300, not 240300.00000000003; derived values such as per-10k to two decimals);
- dates as dates (``yyyy-mm-dd``); an ``as_of`` that is not a day (``report``, ``--10``) stays text;
- booleans as TRUE/FALSE.

Written with openpyxl in write-only mode (rows streamed, not held as cell objects), through
:func:`analysis.store.atomic.atomic_path`, so a crash never leaves half a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import cache
from pathlib import Path

DISPLAY = Path(__file__).resolve().parent / "display"
EXCEL_ROWS = 1_048_576  # rows in a sheet, the header included
DERIVED_DECIMALS = 2  # per-10k values and other numbers computed here, not stated in a report
SIGNIFICANT = 12  # digits of a stated value kept: float noise (240300.00000000003) goes
README_SHEET = "说明"


@cache
def column_labels() -> dict[tuple[str, str], tuple[str, str]]:
    """``{(table, column): (label, note)}``; table ``""`` for a column that means the same everywhere."""
    from analysis.tsv import read_tsv

    return {(row["table"], row["column"]): (row["label"], row["note"]) for row in read_tsv(DISPLAY / "columns.tsv")}


@cache
def table_labels() -> dict[str, tuple[str, str]]:
    """``{table: (sheet name, note)}``."""
    from analysis.tsv import read_tsv

    return {row["table"]: (row["label"], row["note"]) for row in read_tsv(DISPLAY / "tables.tsv")}


def label_of(table: str, column) -> tuple[str, str]:
    """A column's Chinese name and note; the contract's description when there is none (a column
    added since), so a workbook is always written."""
    labels = column_labels()
    found = labels.get((table, column.name)) or labels.get(("", column.name))
    return found or (column.name, column.description)


def stated(value) -> float | int:
    """A stated number without float noise: 240300.00000000003 -> 240300, 99.89 stays 99.89."""
    number = Decimal(f"{float(value):.{SIGNIFICANT}g}")
    return int(number) if number == number.to_integral_value() else float(number)


def number_format(value) -> str:
    """``0`` for a whole number, ``0.00`` for two decimals: the cell shows what the report wrote."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return "0" if places == 0 else "0." + "0" * places


def _day(value):
    """A datetime.date for an ISO day (or a Timestamp), else None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "date") and not isinstance(value, str):
        try:
            return value.date()
        except (ValueError, AttributeError):
            return None
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("<NA>", "NaT", "nan")


def cells(table, frame, ws):
    """The header cells and each row's cells of one table, typed as described in the module."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    from analysis.tables.contract import BOOLEAN, DATE, INTEGER, NUMBER, STRING

    columns = [c for c in table.columns if c.name in frame]
    bold = Font(bold=True)
    header = []
    for column in columns:
        label, note = label_of(table.name, column)
        cell = WriteOnlyCell(ws, value=label)
        cell.font = bold
        cell.alignment = Alignment(vertical="top")
        cell.comment = Comment(f"{note}\n列名：{column.name}", "analysis", width=260, height=110)
        header.append(cell)
    yield header
    derived = {c.name for c in columns if c.type == NUMBER and c.name not in ("value", "value_high")}
    for row in frame[[c.name for c in columns]].itertuples(index=False, name=None):
        out = []
        for column, value in zip(columns, row):
            if _missing(value):
                out.append(None)
                continue
            if column.type == DATE or (column.name == "as_of" and _day(value) is not None):
                day = _day(value)
                cell = WriteOnlyCell(ws, value=day if day is not None else str(value))
                cell.number_format = "yyyy-mm-dd" if day is not None else "@"
            elif column.type == BOOLEAN:
                cell = WriteOnlyCell(ws, value=bool(value))
            elif column.type == INTEGER:
                cell = WriteOnlyCell(ws, value=int(value))
                cell.number_format = "0"
            elif column.type == NUMBER:
                number = round(float(value), DERIVED_DECIMALS) if column.name in derived else stated(value)
                cell = WriteOnlyCell(ws, value=number)
                cell.number_format = "0.00" if column.name in derived else number_format(number)
            else:  # STRING and anything else: text as written, never reinterpreted
                cell = WriteOnlyCell(ws, value=str(value) if column.type == STRING else str(value))
                cell.number_format = "@"
            out.append(cell)
        yield out


def _width(label: str, column) -> float:
    wide = {"sentence_text": 60, "text": 60, "subject": 24, "comparability_note": 40, "title": 40, "path": 30,
            "doc_id": 22, "sha256": 20, "surface": 12}
    return wide.get(column.name, max(8.0, 2.2 * len(label) + 2))


def write_workbook(clean_dir, path) -> Path:
    """Write every clean table of ``clean_dir`` (a folder of CSVs) into one workbook at ``path``;
    returns ``path``. Tables longer than a sheet keep their first rows; 说明 says so."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from analysis.store.atomic import atomic_path
    from analysis.store.reader import read_table
    from analysis.tables.contract import TABLES

    clean_dir = Path(clean_dir)
    first = [name for name in table_labels() if name in TABLES]  # figures first: what most open it for
    names = [name for name in dict.fromkeys([*first, *TABLES]) if (clean_dir / f"{name}.csv").is_file()]
    wb = Workbook(write_only=True)
    readme = wb.create_sheet(README_SHEET)
    readme.column_dimensions["A"].width, readme.column_dimensions["B"].width = 16, 22
    readme.column_dimensions["C"].width, readme.column_dimensions["D"].width = 18, 70
    lines = [["这个工作簿是 data/clean 下各个 CSV 表的副本，每张表一个工作表。文字列按文本存放（原文写法照录），"
              "数字按原文的精度，日期为日期格式。表头的批注说明每一列及其 CSV 列名。"], [],
             ["工作表", "CSV 文件", "行数", "说明"]]
    sheets = []
    for name in names:
        table = TABLES[name]
        frame = read_table(clean_dir, name)
        sheet_name, note = table_labels().get(name, (name, table.row))
        cut = len(frame) > EXCEL_ROWS - 1
        lines.append([sheet_name, f"{name}.csv", len(frame), note + ("（只收前 1048575 行）" if cut else "")])
        sheets.append((table, frame.head(EXCEL_ROWS - 1), sheet_name))
    lines += [[], ["工作表", "列", "列名", "说明"]]
    for table, frame, sheet_name in sheets:
        for column in table.columns:
            if column.name in frame:
                label, note = label_of(table.name, column)
                lines.append([sheet_name, label, column.name, note])
    for line in lines:
        readme.append(line)
    for table, frame, sheet_name in sheets:
        ws = wb.create_sheet(sheet_name)
        columns = [c for c in table.columns if c.name in frame]
        for i, column in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = _width(label_of(table.name, column)[0], column)
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(frame), 1) + 1}"
        for row in cells(table, frame, ws):
            ws.append(row)
    with atomic_path(path) as temp:
        wb.save(temp)
    return Path(path)
