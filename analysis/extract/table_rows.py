"""A table's rows: its header rows, each body row's cells placed in their columns, and each cell's record.

:mod:`analysis.extract.tabular` finds the tables and splits their lines into cells; here the rows at the
top that hold no value become the header (several read together), the first row with a value opens the
table (its columns from the header, else unnamed: a row label, after a row number, then values), and each
body row's cells are placed in their columns: a row without its row number (合计 over 序号 and 地区) starts
at the label column, a row without its unit cell skips the unit column, extra cells on the left belong to
the label. Each cell holding a numeral becomes a :class:`Cell` with its row label, column and unit (the
unit's sources and their order are :mod:`analysis.extract.table_columns`'s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from analysis.extract.lexicon import NUMERAL_CHARS
from analysis.extract.table_columns import DASH_CELL, Column, ColumnReader, TableWords, plain

_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]")
_PERCENT = ("", "%")
_ROW_NUMBER = -2  # the column of a row number left of the columns
_ROW_NUMBER_CELL = re.compile(r"\d{1,3}[.、]?")  # 12, 12., 12、


def row_number(norm: str) -> int | None:
    """The number of a cell written as a row number (3, 3., 3、), else None."""
    return int(norm.rstrip(".、")) if _ROW_NUMBER_CELL.fullmatch(norm) else None


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its number in the report, its form, columns, each column's caption unit and as-of date."""

    index: int
    form: str  # pipe, flat, lines, aligned
    columns: tuple[Column, ...]
    caption_units: tuple[tuple[str, str] | None, ...] = ()  # per column, from the caption's 单位：… line
    as_of: tuple[str, str] = ("", "")  # the caption's as-of date (ISO day) and its kind


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell holding a numeral, ``[start, end)`` in the text, with where it sits.

    ``role``: ``header``, ``label``, ``index``, ``unit`` or ``value`` (a value or remark column).
    ``unit``: the (multiplier, unit) a bare number in the cell is in (see
    :mod:`analysis.extract.table_columns` for the order of the sources); None if nothing says.
    """

    start: int
    end: int
    role: str
    table: Table
    row_label: str
    column: Column | None
    unit: tuple[str, str] | None
    total: bool


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    norm: str
    text: str


@dataclass(slots=True)
class TableState:
    """What the reading of one window hands to the next: the table open at the cut, if any.

    ``pending``: the cells read so far of a row that the cut splits (a flattened table's, or one printed
    one cell a line); ``header``: the header rows read so far, while no row with a value has come.
    For a table one cell a line: ``width``, ``skip`` (1 while a row without its row number is read) and
    ``values`` (the columns that hold values, learnt from its first whole row).
    """

    count: int = 0  # tables started so far in the report
    form: str = ""
    table: Table | None = None  # None while the header rows are still being read
    index: int = -1
    line_units: tuple[tuple[str, str], ...] = ()
    as_of: tuple[str, str] = ("", "")
    pending: list[Span] = field(default_factory=list)
    header: list[list[Span]] = field(default_factory=list)
    width: int = 0
    skip: int = 0
    values: frozenset[int] | None = None
    next_row: int = 0  # the row number the next row of a numbered table one cell a line should have

    @property
    def open(self) -> bool:
        return bool(self.form)

    def shifted(self, delta: int) -> "TableState":
        """The same state with its pending cells' offsets moved by ``delta`` (from one window's text to another's)."""
        def move(cells: list[Span]) -> list[Span]:
            return [replace(c, start=c.start + delta, end=c.end + delta) for c in cells]

        return replace(self, pending=move(self.pending), header=[move(row) for row in self.header])


class Rows:
    """Rows into cells (a mixin of :class:`analysis.extract.tabular.TableReader`).

    Reads ``text``, ``columns`` and ``words``; appends to ``cells`` and counts ``rows``.
    """

    text: str
    columns: ColumnReader
    words: TableWords
    cells: list[Cell]
    rows: int

    def _row(self, state: TableState, cells: list[Span]) -> None:
        self.rows += 1
        if state.table is None:
            if not any(self.columns.is_value(c.norm) or DASH_CELL.fullmatch(c.norm) for c in cells):
                state.header.append(cells)  # a header row: the next may be one too (a row of dashes is a body row)
                return
            first_is_index = (len(cells) > 2 and row_number(cells[0].norm) is not None
                              and not self.columns.is_value(cells[1].norm))
            self._open_table(state, cells, first_is_index)
        self._body(state.table, cells)

    def _open_table(self, state: TableState, first: list[Span], first_is_index: bool) -> None:
        """The table's columns, from its header rows, else from its first row (``first``)."""
        if state.header:
            columns = self.columns.columns([[(c.norm, c.text) for c in row] for row in state.header])
        else:
            columns = self.columns.unnamed([self.columns.is_value(c.norm) for c in first], first_is_index)
        units = self.columns.caption_units(columns, state.line_units)
        state.table = Table(state.index, state.form, columns, units, state.as_of)
        for row in state.header:
            self._header_cells(state.table, row)
        state.header = []

    def _header_cells(self, table: Table | None, cells: list[Span]) -> None:
        columns = table.columns if table is not None else ()
        dummy = table or Table(-1, "", ())
        for i, cell in enumerate(cells):
            if self._has_numeral(cell):
                column = columns[i] if i < len(columns) else None
                self.cells.append(Cell(cell.start, cell.end, "header", dummy, "", column, None, False))

    def _placed(self, columns: tuple[Column, ...], cells: list[Span]) -> list[tuple[int, Span]]:
        """Each cell of a row with the number of its column (-1 for cells left of the columns: the label)."""
        width, k = len(columns), len(cells)
        if k == width:
            return list(enumerate(cells))
        if k > width:  # more cells than headers: the extra cells on the left belong to the label
            extra = [(-1, c) for c in cells[:k - width]]
            if row_number(cells[0].norm) is not None and not self.columns.is_value(cells[1].norm):
                extra[0] = (_ROW_NUMBER, cells[0])  # a row number no header names
            return extra + list(enumerate(cells[k - width:]))
        # a row without its row number (合计 over 序号 and 地区) starts at the label column; a row without
        # its unit cell (a count next to rows in 万人) skips the unit column; any other short row lacks
        # cells at its end (an empty remark)
        label_col = next((i for i, c in enumerate(columns) if c.role == "label"), 0)
        first = label_col if columns[0].role == "index" and row_number(cells[0].norm) is None else 0
        placed, column = [], first
        percent_columns = [i for i, c in enumerate(columns) if c.unit == _PERCENT]
        for cell in cells:
            if (column < width and columns[column].role == "unit" and k - (column - first) < width - first
                    and self.columns.parse_unit(cell.norm, strict=True) is None):
                column += 1
            elif (column < width and percent_columns and columns[column].unit != _PERCENT
                  and cell.norm.endswith("%") and percent_columns[-1] > column and self.columns.is_value(cell.norm)):
                # an empty cell left no trace (a web page's table one cell a line): a rate goes to the rate column
                column = next(i for i in percent_columns if i > column)
            placed.append((column, cell))
            column += 1
        return [(i, c) for i, c in placed if i < width]

    def _body(self, table: Table, cells: list[Span]) -> None:
        columns = table.columns
        placed = self._placed(columns, cells)
        # cells left of the columns are the label (a header without its corner cell): then no column is
        roles = [columns[i].role if i >= 0 else "index" if i == _ROW_NUMBER else "label" for i, _ in placed]
        if any(i == -1 for i, _ in placed):
            roles = [role if i < 0 or role != "label" else "value" for (i, _), role in zip(placed, roles)]
        labels = [cell for (_, cell), role in zip(placed, roles) if role == "label"]
        # a label split by an ideographic space (河　北, padded to align the column) is one label
        row_label = self._row_label(self.text[labels[0].start:labels[-1].end]) if labels else ""
        total = plain(row_label) in self.words.total_labels
        row_unit = None
        for (_, cell), role in zip(placed, roles):
            if role in ("unit", "value", "remark") and cell.norm:
                # a unit column's cell may be a unit the lexicon lacks (元/人·月); elsewhere only a known unit
                row_unit = self.columns.parse_unit(cell.norm, strict=role != "unit")
                if row_unit is not None:
                    break
        label_unit = self.columns.label_unit(labels[0].norm) if labels else None
        corner = next((c.unit for c in columns if c.role == "label"), None)  # 项目(万元): every column's
        for (i, cell), role in zip(placed, roles):
            if not self._has_numeral(cell):
                continue
            column = columns[i] if i >= 0 else None
            unit = None
            kind = {"label": "label", "index": "index", "unit": "unit"}.get(role, "value")
            if kind == "value":
                if self.columns.parse_unit(cell.norm, strict=True):
                    kind = "unit"
                caption = table.caption_units[i] if i >= 0 and i < len(table.caption_units) else None
                unit = column.unit or row_unit or caption or corner or label_unit
            self.cells.append(Cell(cell.start, cell.end, kind, table, row_label, column, unit, total))

    def _row_label(self, label: str) -> str:
        label = label.strip()
        for marker in self.words.label_markers:
            if label.startswith(marker):
                label = label[len(marker):].strip()
                break
        return label

    @staticmethod
    def _has_numeral(cell: Span) -> bool:
        return _NUMERAL.search(cell.norm) is not None
