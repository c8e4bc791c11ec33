"""Tables printed as text: where they are, their rows and cells, and the unit of each cell.

Statistical bulletins, progress lists and scraped pages print most of their figures in tables, in
these forms:

- pipe rows, one row a line: ``| 指标 | 绝对数(亿元) |`` (outer pipes optional; ``| --- |`` lines are
  separators; an empty corner cell ``| | 产量(万吨) |`` is a cell);
- a flattened HTML table, one cell a line, with a line holding only ``|`` between the cells of a row;
- one cell a line with nothing between the rows (a web page's ``<td>`` each a line): the rows come back
  from the period of the lines' kinds (:mod:`analysis.extract.cell_lines`);
- aligned columns: cells split by tabs, two or more spaces, or ideographic spaces; or by single spaces
  when the line is a label followed by nothing but values and units (``城镇新增就业 万人 5.2 7.23 139.1%``).
  A label padded with spaces between its characters (``浙  江``, ``全  国``) is one cell.

The rows at the top that hold no value are the header (several rows are read together); a table whose
first row holds a value has none. What each column is and the unit of each cell is
:mod:`analysis.extract.table_columns`'s job. Column and row roles (row numbers, units, remarks, totals)
come from ``lexicon/table_words.tsv``.

The reader goes forward line by line, looking at most one line ahead (for a row of a flattened table, to
the row's end; for a table one cell a line, a few hundred characters either side of its first number),
so a table cut by a window boundary goes on in the next window from the :class:`TableState` the first
window hands over, as if the text had been read whole. Everything here works on the normalised text
(:mod:`analysis.extract.normalize`); labels and headers are taken from the original text at the same
offsets.
"""

from __future__ import annotations

import re

from analysis.extract.cell_lines import CellLines
from analysis.extract.lexicon import NUMERAL_CHARS, Lexicon
from analysis.extract.table_columns import DASH_CELL, UNIT_LINE, Column, ColumnReader, split_unit, table_words
from analysis.extract.table_rows import Cell, Rows, Span, Table, TableState, row_number

_ROW_MAX = 200  # a longer line is prose, not a table row (and a caption no longer than this fits the context)
_CELL_MAX = 40
_CAPTION_MAX = 80
_CAPTION_LINES = 3  # 表1 …, （截至…）, 单位：…
_CAPTION_BLANKS = 2
_SENTENCE_END = re.compile(r"[。！？!?]")
_GAP = re.compile(r"\t[\t \u3000]*|[ \u3000]{2,}|\u3000")  # between aligned cells (one space is not: 2.5 万人)
# What a line that starts a table (or the line after it) has: a pipe, a tab, a double space, an ideographic
# gap, a line that is one number (a table one cell a line), or two numbers after a word split by single
# spaces (城镇新增就业 万人 5.2 7.23).
_MARK = re.compile(r"[|\t]|  |\u3000(?<=\S\u3000)|\n[-+−]?\d[\d,.]*[%‰]?(?=\n)|(?<=[^\s\d]) [-+−]?\d[\d.,]*[%‰]? [-+−]?\d")
_LONE_NUMBER = re.compile(r"\n[-+−]?\d[\d,.]*[%‰]?\n")  # a line that is one number
_SPACED_VALUES = re.compile(r" [-+−]?\d[\d.,]*[%‰]? [-+−]?\d")  # two numbers split by single spaces
_IDEO_GAP = re.compile(r"\u3000(?<=\S\u3000)\u3000*(?=\S)")  # an ideographic gap inside a line, not an indent
_PROSE = re.compile(r"[。；！？，]")  # a cell holding these is a sentence
_SEPARATOR = re.compile(r"\s*:?-{2,}:?\s*")
_NUMERIC_CELL = re.compile(r"[-+−]?\d[\d,.]*[^\d\s]{0,6}")  # 6.84万人, 107.8%, -8.2
_SINGLE_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]")


def might_hold_tables(norm: str, lo: int) -> bool:
    """False when no table can start at or after ``lo``: a cheap test, so prose costs nothing more.

    Pipes, tabs and double spaces are rare in prose; an ideographic space inside a line is not (a
    dateline), so for it two neighbouring lines must both have one, as two rows of a table do. A line
    that is one number, or two numbers split by single spaces, may be a table's too.
    """
    if norm.find("|", lo) >= 0 or norm.find("\t", lo) >= 0 or _has_double_space(norm, lo):
        return True
    if _LONE_NUMBER.search(norm, max(lo - 1, 0)) or _SPACED_VALUES.search(norm, lo):
        return True
    last_line_end = -1  # where the line of the last gap ends
    for gap in _IDEO_GAP.finditer(norm, lo):
        line_start = norm.rfind("\n", lo, gap.start()) + 1
        if line_start and line_start - 1 == last_line_end:
            return True
        last_line_end = norm.find("\n", gap.end())
        if last_line_end < 0:
            return False
    return False


def _has_double_space(norm: str, lo: int) -> bool:
    """``norm.find("  ", lo) >= 0``, by single-space finds.

    A one-character find skips through Chinese text several times faster than a two-character one,
    and prose has few spaces (a dateline's 2021-03-05 10:30), so each space is looked at in turn.
    """
    at = norm.find(" ", lo)
    while at >= 0:
        if norm.startswith(" ", at + 1):
            return True
        at = norm.find(" ", at + 2)  # the character after ``at`` is no space
    return False


class TableReader(CellLines, Rows):
    """Reads the tables of one window's text (see the module docstring)."""

    def __init__(self, norm: str, text: str, lex: Lexicon, as_of_at):
        """``as_of_at(start, end)``: the as-of date and kind a 截至… clause in ``norm[start:end]`` gives, or ('', '')."""
        self.norm, self.text, self.lex, self.as_of_at = norm, text, lex, as_of_at
        self.words = table_words()
        self.columns = ColumnReader(lex)
        self.cells: list[Cell] = []
        self.rows = 0  # rows read, header rows included
        self._lines: dict[int, tuple[int, str, list[Span]]] = {}
        self._kinds: dict[str, str] = {}

    # -- lines ----------------------------------------------------------------------------------------
    def _line_end(self, start: int) -> int:
        end = self.norm.find("\n", start)
        return len(self.norm) if end < 0 else end

    def _kind(self, start: int, end: int) -> tuple[str, list[Span]]:
        """What a line is: blank, bar (only ``|``), sep (``| --- |``), pipe, aligned, or text; and its cells."""
        norm = self.norm
        lo, hi = start, end
        while lo < hi and norm[lo].isspace():
            lo += 1
        while hi > lo and norm[hi - 1].isspace():
            hi -= 1
        if lo == hi:
            return "blank", []
        body = norm[lo:hi]
        if body == "|":
            return "bar", []
        if hi - lo > _ROW_MAX:
            return "text", [self._span(lo, hi)]
        if "|" in body:
            cells, pos = [], lo
            for part in body.split("|"):
                cells.append(self._strip(pos, pos + len(part)))
                pos += len(part) + 1
            if cells and cells[0] is None:
                cells = cells[1:]
            if cells and cells[-1] is None:
                cells = cells[:-1]
            if len(cells) >= 2:
                if all(c is None or _SEPARATOR.fullmatch(c.norm) for c in cells):
                    return "sep", []
                return "pipe", [c if c is not None else Span(0, 0, "", "") for c in cells]
            return "text", [self._span(lo, hi)]
        cells, pos = [], lo
        for gap in _GAP.finditer(norm, lo, hi):
            cells.append(self._span(pos, gap.start()))
            pos = gap.end()
        if not cells:
            spaced = self._spaced(lo, hi) if " " in body else None
            return ("aligned", spaced) if spaced else ("text", [self._span(lo, hi)])
        cells.append(self._span(pos, hi))
        if any(len(c.norm) > _CELL_MAX or _PROSE.search(c.norm) for c in cells):
            return "text", [self._span(lo, hi)]
        return "aligned", self._padded_label(cells)

    def _padded_label(self, cells: list[Span]) -> list[Span]:
        """Cells with a label padded between its characters (浙  江, 全  国) joined into one."""
        first = 0
        if len(cells) > 2 and row_number(cells[0].norm) is not None:
            first = 1  # after a row number
        last = first
        while last < len(cells) and len(cells[last].norm) == 1 and _SINGLE_HAN.match(cells[last].norm):
            last += 1
        if last - first < 2 or last - first > 4:
            return cells
        joined = self._span(cells[first].start, cells[last - 1].end)
        return [*cells[:first], joined, *cells[last:]]

    def _spaced(self, lo: int, hi: int) -> list[Span] | None:
        """The cells of a row split by single spaces, or None if the line is not one.

        A row is a label (after a row number), then nothing but values, dashes and units, at least two
        of them and one a value: 城镇新增就业 万人 5.2 7.23 139.1%. A header is three or more short words
        and nothing else; it counts only over such a row (see :meth:`_maybe_start`).
        """
        cells, pos = [], lo
        for part in self.norm[lo:hi].split(" "):
            if part:
                cells.append(self._span(pos, pos + len(part)))
            pos += len(part) + 1
        if len(cells) < 3 or any(len(c.norm) > _CELL_MAX or _PROSE.search(c.norm) for c in cells):
            return None
        first = 1 if row_number(cells[0].norm) is not None else 0
        at = first
        while at < len(cells) and not self._value_or_unit(cells[at].norm):
            at += 1
        if at == len(cells):  # words only: a header, if every word is short and none is a number
            if all(len(c.norm) <= 10 and not _NUMERAL.search(c.norm) for c in cells) and not first:
                return cells
            return None
        rest = cells[at:]
        if at == first or len(rest) < 2 or not all(self._value_or_unit(c.norm) for c in rest):
            return None
        if not any(self.columns.is_value(c.norm) for c in rest):
            return None
        label = self._span(cells[first].start, cells[at - 1].end)
        return [*cells[:first], label, *rest]

    def _value_or_unit(self, norm: str) -> bool:
        return (self.columns.is_value(norm) or DASH_CELL.fullmatch(norm) is not None
                or self.columns.parse_unit(norm, strict=True) is not None)

    def _span(self, start: int, end: int) -> Span:
        return Span(start, end, self.norm[start:end], self.text[start:end])

    def _strip(self, start: int, end: int) -> Span | None:
        norm = self.norm
        while start < end and norm[start].isspace():
            start += 1
        while end > start and norm[end - 1].isspace():
            end -= 1
        return self._span(start, end) if end > start else None

    # -- reading ----------------------------------------------------------------------------------------
    def read(self, state: TableState, lo: int, hi: int, base: int = 0) -> TableState:
        """Read the lines starting in ``[lo, hi)`` (and as far past ``hi`` as a row there needs).

        ``state``: what the previous window handed over (``lo`` is then a line start); ``base``: where
        this text begins in the whole text (the state's pending cells carry offsets into the whole
        text). The cells found are in :attr:`cells`; the state at ``hi`` is returned for the next window.
        """
        if not state.open and not might_hold_tables(self.norm, lo):
            return state
        state = state.shifted(-base)
        pos = lo
        handed: TableState | None = None
        rows_then = 0
        n = len(self.norm)
        while pos < n:
            if not state.open and handed is None:
                pos = self._next_start(pos)  # lines far from any table mark cannot start a table
                if pos >= n:
                    break
            if handed is None and pos >= hi:
                handed = state.shifted(base)
                rows_then = self.rows
                if state.form not in ("flat", "lines") or not state.pending:
                    break
            elif handed is not None and (self.rows > rows_then or not state.open):
                break  # the row the cut splits is read: the rest is the next window's
            end, kind, cells = self._line(pos)
            nxt = end + 1
            if state.open:
                if self._goes_on(state, kind, cells, nxt):
                    pos = nxt
                    continue
                self._close(state)
                if handed is not None:
                    break
            if handed is None and kind in ("pipe", "aligned", "text"):
                self._maybe_start(state, pos, kind, cells, nxt)
                if state.open:
                    continue  # read the starting line again as the table's first row (or, one cell a line, its cell)
            pos = nxt
        if handed is None:
            self._close(state)  # the text ends here, and any table with it
            return TableState(state.count)
        return handed

    def _peek(self, pos: int) -> tuple[str, list[Span]]:
        if pos >= len(self.norm):
            return "blank", []
        return self._line(pos)[1:]

    def _line(self, pos: int) -> tuple[int, str, list[Span]]:
        """The line starting at ``pos``: its end, kind and cells (each line is looked at twice: read once)."""
        found = self._lines.get(pos)
        if found is None:
            end = self._line_end(pos)
            found = self._lines[pos] = (end, *self._kind(pos, end))
        return found

    def _next_start(self, pos: int) -> int:
        """The first line at or after ``pos`` that may start a table: the one with a table mark, or the one
        before it (a flattened table starts on the line above its first bar); the text's end if none."""
        mark = _MARK.search(self.norm, max(pos - 1, 0))
        if mark is None:
            return len(self.norm)
        at = mark.start() + 1 if self.norm[mark.start()] == "\n" else mark.start()  # a line that is one number
        line = self.norm.rfind("\n", pos, at) + 1
        if line <= pos:
            return pos
        before = self.norm.rfind("\n", pos, line - 1) + 1
        return max(before, pos)

    def _maybe_start(self, state: TableState, pos: int, kind: str, cells: list[Span], nxt: int) -> None:
        after, after_cells = self._peek(nxt)
        if kind == "pipe" and after in ("pipe", "sep"):
            form = "pipe"
        elif (kind == "aligned" and after == "aligned" and len(after_cells) <= len(cells) + 1
              and any(_NUMERIC_CELL.fullmatch(c.norm) for c in (*cells, *after_cells))):
            form = "aligned"  # two lines of cells, a number among them: not two datelines
        elif kind != "pipe" and after == "bar" and len(cells) == 1:
            form = "flat"
        elif kind == "text" and self.columns.is_value(cells[0].norm):
            self._lines_table(state, pos)
            return
        else:
            return
        units, as_of = self._caption(pos)
        state.count += 1
        state.form, state.table, state.index = form, None, state.count - 1
        state.line_units, state.as_of, state.pending, state.header = units, as_of, [], []

    def _goes_on(self, state: TableState, kind: str, cells: list[Span], nxt: int) -> bool:
        """Whether this line belongs to the open table; if it does, its cells are read."""
        if state.form == "pipe":
            if kind == "sep":
                return True
            if kind != "pipe":
                return False
            self._row(state, cells)
            return True
        if state.form == "aligned":
            width = len(state.table.columns) if state.table else len(cells)
            if kind != "aligned" or len(cells) > width + 1:
                return False
            self._row(state, cells)
            return True
        if state.form == "lines":
            if kind == "blank":  # one blank line may stand between cells; a second, or a line of text, ends it
                return self._peek(nxt)[0] != "blank"
            return self.is_cell_line(kind, cells) and self._lines_cell(state, cells[0])
        # flat: a cell line after a bar goes on the row; after a cell line it starts a new row,
        # if a bar follows it
        if kind == "bar":
            return bool(state.pending)
        if kind == "blank" or not cells:  # a blank line or a | --- | separator ends it
            return False
        cell = cells[0] if len(cells) == 1 else self._strip(cells[0].start, cells[-1].end)
        if state.pending and self._after_bar(cell.start):
            state.pending.append(cell)
            return True
        if self._peek(nxt)[0] != "bar":
            return False
        if state.pending:
            self._row(state, state.pending)
        state.pending = [cell]
        return True

    def _after_bar(self, start: int) -> bool:
        """Whether the line before the one at ``start`` is a bar."""
        line_start = self.norm.rfind("\n", 0, start) + 1
        prev_end = line_start - 1
        if prev_end < 0:
            return False
        prev_start = self.norm.rfind("\n", 0, prev_end) + 1
        return self.norm[prev_start:prev_end].strip() == "|"

    def _close(self, state: TableState) -> None:
        if state.form in ("flat", "lines") and state.pending:
            self._row(state, state.pending)
        if state.table is None and state.header:  # header rows and no value under them: no table after all
            for row in state.header:
                self._header_cells(None, row)
        state.form, state.table, state.pending, state.header = "", None, [], []

    # -- captions --------------------------------------------------------------------------------------
    def _caption(self, start: int) -> tuple[tuple[tuple[str, str], ...], tuple[str, str]]:
        """The unit line and as-of date of the caption above a table starting at ``start``.

        A caption is up to three short title lines (表1 …, （截至2023年9月末）, 单位：亿元), not prose; a
        scraped page may put blank lines between them and the table.
        """
        norm = self.norm
        units: tuple[tuple[str, str], ...] = ()
        as_of = ("", "")
        end = start - 1
        lines = blanks = 0
        while lines < _CAPTION_LINES and end >= 0:
            line_start = norm.rfind("\n", 0, end) + 1
            line = norm[line_start:end]
            end = line_start - 1
            if not line.strip():
                blanks += 1
                if blanks > _CAPTION_BLANKS:
                    break
                continue
            if len(line) > _CAPTION_MAX or "|" in line or _SENTENCE_END.search(line):
                break  # a caption is a short title line, not a paragraph of prose
            lines += 1
            if not units:
                found = UNIT_LINE.search(line)
                if found:
                    units = self.columns.unit_list(found.group("units"))
            if not as_of[0] and "截" in line:
                as_of = self.as_of_at(line_start, line_start + len(line))
        return units, as_of


__all__ = ["Cell", "Column", "Table", "TableReader", "TableState", "might_hold_tables", "split_unit"]
