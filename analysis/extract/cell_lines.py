"""Tables printed one cell a line with nothing between the rows: how many columns, and where the header is.

A web page's table read as text (:mod:`analysis.raw.html_text` makes every ``<td>`` a line) loses its rows:
``序号 / 地区 / 年度任务（个） / 1 / 北京 / 1200 / 2 / 河北 / 3600 …``. The rows come back from the
period of the lines' kinds: a label (text) or a row number opens each row, and the value columns hold
numbers in every row. :func:`find_layout` tries each width and keeps the one whose rows cover the most
lines; the width's lines just above the first row are its header when none of them is a value.

:func:`find_layout` only looks at kinds (one letter a line), so tests can drive it with strings;
:class:`CellLines` classifies the lines around a table's first number, starts the table and reads its
lines one by one. A row short of cells (an empty ``<td>`` leaves no line) ends where the next label
comes; a line that fits no column ends the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.extract.table_columns import DASH_CELL, ColumnReader, TableWords, plain
from analysis.extract.table_rows import Span, TableState, row_number

MAX_WIDTH = 12  # columns of a table printed one cell a line
MIN_ROWS = 2
_CELL_MAX = 40
_PROSE = re.compile(r"[。；！？，]")  # a cell holding these is a sentence
_REACH = 480  # characters looked at around a table's first number (less than the windows' context)
_BACK = 13  # lines above the first number: a header of MAX_WIDTH cells and a row's label
_AHEAD = 8 * MAX_WIDTH  # lines from the first number on: enough rows to tell the widest table's period

# kinds: v = a value (a number, with or without its unit), d = a dash or other empty mark (—, /),
# t = text (a label, a header, a status word)
VALUE, DASH, TEXT = "v", "d", "t"


@dataclass(frozen=True)
class Layout:
    """Where a table starts and how wide it is, in lines of the block given to :func:`find_layout`.

    ``header``: the index of the header's first line, or -1 when the table has none; ``first_row``: the
    index of its first row's first line; ``width``: its columns; ``index``: whether its first column
    numbers the rows; ``rows``: the whole rows the period covers.
    """

    header: int
    first_row: int
    width: int
    index: bool
    rows: int


def find_layout(kinds: str, numbers: list[int | None], anchor: int) -> Layout | None:
    """The table whose first row holds line ``anchor`` (a value), or None if the lines make none.

    ``kinds``: one letter a line (v, d, t); ``numbers``: the value of each line that is a whole number,
    else None (row numbers are told by counting up). A width qualifies when, from some start in the
    anchor's row, at least two rows each open with a label (or the next row number), and every column
    holds text in every row or values in every row.
    """
    if TEXT not in kinds[max(0, anchor - MAX_WIDTH):anchor + MAX_WIDTH]:
        # the no-label shortcut: a layout's first row holds its label within MAX_WIDTH lines of the anchor,
        # so a run of numbers (a page's list of counts) has none; the plain search would find none either
        return None
    return find_layout_plain(kinds, numbers, anchor)


def find_layout_plain(kinds: str, numbers: list[int | None], anchor: int) -> Layout | None:
    """:func:`find_layout` without its shortcut: every width and start tried (tests/test_fast_paths.py)."""
    best: Layout | None = None
    for width in range(2, MAX_WIDTH + 1):
        for start in range(max(0, anchor - width + 1), anchor + 1):
            rows, index = _rows(kinds, numbers, start, width)
            if rows < MIN_ROWS:
                continue
            if best is None or rows * width > best.rows * best.width:
                header = start - width
                if header < 0 or any(k != TEXT for k in kinds[header:start]):
                    header = -1
                best = Layout(header, start, width, index, rows)
            break  # the earliest start that works is the table's for this width
    return best


def _rows(kinds: str, numbers: list[int | None], start: int, width: int) -> tuple[int, bool]:
    """How many whole rows of ``width`` lines from ``start`` keep the first row's pattern; whether it is numbered.

    The pattern: each column holds text in every row, or values in every row (a dash may stand for
    either); the label column holds text, and a numbered table's first column counts up from 1 or 2.
    """
    first = kinds[start:start + width]
    if len(first) < width:
        return 0, False
    index = numbers[start] is not None and numbers[start] <= 2 and first[1:2] == TEXT
    label = 1 if index else 0
    if first[label] != TEXT or VALUE not in first[label + 1:] or (index and width < 3):
        return 0, False
    allowed = [(TEXT, DASH) if kind == TEXT else (VALUE, DASH) if kind == VALUE else (VALUE, DASH, TEXT)
               for kind in first]
    if index:
        allowed[0] = (VALUE,)
    rows = 0
    at = start
    while at + width <= len(kinds):
        if index and numbers[at] != numbers[start] + rows or kinds[at + label] != TEXT:
            break
        if any(kinds[at + c] not in allowed[c] for c in range(width)):
            break
        rows += 1
        at += width
    return rows, index


class CellLines:
    """Tables one cell a line (a mixin of :class:`analysis.extract.tabular.TableReader`)."""

    norm: str
    columns: ColumnReader
    words: TableWords
    rows: int
    _kinds: dict[str, str]  # a cell's kind by its text, each worked out once per window

    def _cell_lines(self, pos: int) -> tuple[list[Span], int]:
        """The one-cell lines around the line at ``pos`` (within reach): the cells, and which is ``pos``'s."""
        norm = self.norm
        before: list[Span] = []
        at, blank = pos, False
        while len(before) < _BACK and at > 0 and pos - at < _REACH:
            start = norm.rfind("\n", 0, at - 1) + 1
            kind, cells = self._line(start)[1:]
            at = start
            if kind == "blank" and not blank:  # one blank line between cells (a scraper's row break)
                blank = True
                continue
            if not self.is_cell_line(kind, cells):
                break
            before.append(cells[0])
            blank = False
        before.reverse()
        after: list[Span] = []
        at, blank = pos, False
        while at < len(norm) and at - pos < _REACH and len(after) < _AHEAD:
            end, kind, cells = self._line(at)
            at = end + 1
            if kind == "blank" and not blank:
                blank = True
                continue
            if not self.is_cell_line(kind, cells):
                break
            after.append(cells[0])
            blank = False
        return before + after, len(before)

    def _cell_kind(self, norm: str) -> str:
        found = self._kinds.get(norm)
        if found is None:
            if self.columns.is_value(norm) or row_number(norm) is not None:
                found = VALUE
            else:
                found = DASH if DASH_CELL.fullmatch(norm) else TEXT
            self._kinds[norm] = found
        return found

    def _lines_table(self, state: TableState, pos: int) -> None:
        """Start a table printed one cell a line whose first number is the line at ``pos``, if the lines make one.

        The rows above ``pos`` (its header, the first row's label) are read here; the reading goes on at ``pos``.
        """
        cells, anchor = self._cell_lines(pos)
        near = cells[max(0, anchor - MAX_WIDTH):anchor + MAX_WIDTH]
        if all(self._cell_kind(c.norm) != TEXT for c in near):
            return  # no label near: a run of numbers is no table (and costs no more than this look)
        kinds = "".join(self._cell_kind(c.norm) for c in cells)
        numbers = [row_number(c.norm) for c in cells]
        layout = find_layout(kinds, numbers, anchor)
        if layout is None:
            return
        start = cells[layout.header if layout.header >= 0 else layout.first_row]
        units, as_of = self._caption(start.start)
        state.count += 1
        state.form, state.table, state.index = "lines", None, state.count - 1
        state.line_units, state.as_of, state.pending, state.header = units, as_of, [], []
        state.width, state.skip, state.values = layout.width, 0, None
        if layout.header >= 0:
            state.header = [cells[layout.header:layout.first_row]]
            self.rows += 1
        self._open_table(state, cells[layout.first_row:layout.first_row + layout.width], layout.index)
        for cell in cells[layout.first_row:anchor]:
            self._lines_cell(state, cell)

    def _next_is_label(self, cell: Span) -> bool:
        """Whether the line after ``cell``'s is a label (text), as a row's after its row number is."""
        kind, cells = self._peek(cell.end + 1)
        return self.is_cell_line(kind, cells) and self._cell_kind(cells[0].norm) == TEXT

    @staticmethod
    def is_cell_line(kind: str, cells: list[Span]) -> bool:
        """Whether a line can be a cell of a table one cell a line: one short cell, no sentence."""
        return kind == "text" and len(cells[0].norm) <= _CELL_MAX and not _PROSE.search(cells[0].norm)

    def _lines_cell(self, state: TableState, cell: Span) -> bool:
        """Read one line of a table one cell a line; False if it cannot be the table's (the table ends)."""
        columns = state.table.columns
        kind = self._cell_kind(cell.norm)
        at = len(state.pending) + state.skip
        if not state.pending:  # a row starts
            state.skip = 0
            if columns[0].role == "index":
                if kind != TEXT:
                    number = row_number(cell.norm)
                    if number is None:
                        return False
                    state.next_row = number + 1
                elif plain(self._row_label(cell.norm)) in self.words.total_labels or state.values is None:
                    state.skip = 1  # a row without its number (合计 over 序号 and 地区)
                else:
                    return False
            elif kind != TEXT:
                return False
        elif state.values is not None and at in state.values and kind == TEXT:
            if columns[0].role != "index" and len(cell.norm) > 1:
                self._row(state, state.pending)  # a row short of cells ends; this label opens the next
                state.pending, state.skip = [cell], 0
                return True
            return False
        elif (columns[0].role == "index" and row_number(cell.norm) == state.next_row and state.values is not None
              and self._next_is_label(cell)):
            self._row(state, state.pending)  # the next row's number: this row is short of cells
            state.pending, state.skip = [cell], 0
            state.next_row += 1
            return True
        state.pending.append(cell)
        if len(state.pending) + state.skip >= state.width:
            if state.values is None and not state.skip:
                state.values = frozenset(i for i, c in enumerate(state.pending) if self._cell_kind(c.norm) != TEXT)
            self._row(state, state.pending)
            state.pending, state.skip = [], 0
        return True
