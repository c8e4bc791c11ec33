"""A worksheet (values, merged ranges, number formats) -> text: its name as the caption, its tables as pipe rows.

Shared by the .xlsx (:mod:`analysis.raw.xlsx_text`) and .xls (:mod:`analysis.raw.xls_text`) readers,
which hand over each sheet's cells already written as text (:func:`number_text`, :func:`date_text`)
and its merged ranges. Fully empty rows split a sheet into tables; each table is a
:class:`analysis.raw.grid.Grid`, so a merged header spreads over the columns it covers and a title
row merged across the sheet becomes a caption line. Sheets have no pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from analysis.raw.grid import Grid, table_lines

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # literal text, escapes and [Red]/[$-804] in a format
_DECIMALS = re.compile(r"0\.(0+)")
_DEFAULT_NAME = re.compile(r"(?i:sheet)\s*\d*|工作表\s*\d*")


@dataclass
class Sheet:
    """One visible worksheet: ``cells[(row, column)]`` its non-empty cells as text (0-based), and its
    merged ranges as ``(first_row, first_column, last_row, last_column)``, inclusive."""

    name: str
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def number_text(value: float | int, number_format: str | None) -> str:
    """A number as the sheet shows it, without thousands separators: a percent format shows
    ``0.061`` as ``6.1%``, a format with decimals keeps them (``0.0``: ``100.0``), General the
    shortest form (``11863.8``, ``1200``).

    >>> number_text(0.061, "0.0%"), number_text(100, "0.0"), number_text(1200.0, "General"), number_text(0.5, "0%")
    ('6.1%', '100.0', '1200', '50%')
    """
    section = _QUOTED.sub("", (number_format or "General").split(";")[0])
    percent = "%" in section
    value = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    if percent:
        value *= 100
    decimals = _DECIMALS.search(section)
    if decimals is not None:
        text = f"{value:.{len(decimals.group(1))}f}"
    elif percent or "0" in section:
        text = f"{value:.0f}"
    else:
        text = format(value.normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def date_text(value: dt.datetime | dt.date, number_format: str | None) -> str:
    """A date as a Chinese report writes it: ``2023年3月1日``, or ``2023年3月`` when the format shows no day.

    >>> date_text(dt.datetime(2023, 3, 1), "yyyy-mm-dd"), date_text(dt.date(2023, 12, 1), 'yyyy"年"m"月"')
    ('2023年3月1日', '2023年12月')
    """
    shown = _QUOTED.sub("", number_format or "").lower()
    if "d" not in shown and "y" in shown:
        return f"{value.year}年{value.month}月"
    return f"{value.year}年{value.month}月{value.day}日"


def sheet_lines(sheet: Sheet) -> list[str]:
    """The sheet's tables, the first captioned with the sheet's name (unless it is a default name such
    as Sheet1, which says nothing); no lines for an empty sheet."""
    if not sheet.cells:
        return []
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in sheet.merges:
        if (r0, c0) not in sheet.cells:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0, c0)
    filled = {r for r, _ in sheet.cells} | {r for r, _ in covered}
    lines: list[str] = []
    name = "" if _DEFAULT_NAME.fullmatch(sheet.name.strip()) else sheet.name.strip()
    for rows in _runs(sorted(filled)):
        cols = sorted({c for (r, c) in (*sheet.cells, *covered) if r in rows})
        grid = Grid([[sheet.cells.get((r, c), "") for c in cols] for r in rows],
                    {(rows.index(r), cols.index(c)): (rows.index(r0), cols.index(c0))
                     for (r, c), (r0, c0) in covered.items() if r in rows and r0 in rows})
        block = table_lines(grid)
        if not block:
            continue
        if lines:
            lines.append("")  # two tables in a row stay two tables
        if name:
            # the sheet's name captions its first table, just above it, under the title rows
            # (which name what the sheet is about: the report's title when it is the first sheet)
            titles = next((i for i, line in enumerate(block) if line.startswith("| ")), len(block))
            block = block[:titles] + [name] + block[titles:]
            name = ""
        lines += block
    return lines


def _runs(rows: list[int]) -> list[list[int]]:
    """Consecutive row numbers grouped: an empty row between two groups separates two tables."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs
