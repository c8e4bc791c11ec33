"""Tables printed as text: where they are, their rows and columns, and the unit of each cell.

Statistical bulletins, progress lists and scraped pages print most of their figures in tables, in
three forms:

- pipe rows, one row a line: ``| 指标 | 绝对数(亿元) |`` (outer pipes optional; ``| --- |`` lines are
  separators);
- a flattened HTML table, one cell a line, with a line holding only ``|`` between the cells of a row;
- aligned columns: cells split by tabs, two or more spaces, or ideographic spaces.

The first row is the header unless it holds a number. A header cell may carry its column's unit in
brackets (``(亿元)``, ``（万人）``, ``(%)``); a column headed 单位 gives each row its unit; a caption line
above the table may give the units of the value columns in order (``单位：个、亿元``) and an as-of date
(``截至11月30日``). Column and row roles (row numbers, units, remarks, totals) come from
``lexicon/table_words.tsv``.

The reader goes forward line by line, looking at most one line ahead (and, for a row of a flattened
table, to the row's end), so a table cut by a window boundary goes on in the next window from the
:class:`TableState` the first window hands over, as if the text had been read whole. Everything here
works on the normalised text (:mod:`analysis.extract.normalize`); labels and headers are taken from the
original text at the same offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from analysis.extract.lexicon import NUMERAL_CHARS, Lexicon, read_table

_ROW_MAX = 200  # a longer line is prose, not a table row (and a caption no longer than this fits the context)
_CELL_MAX = 40
_CAPTION_MAX = 80
_CAPTION_LINES = 3  # 表1 …, （截至…）, 单位：…
_CAPTION_BLANKS = 2
_SENTENCE_END = re.compile(r"[。！？!?]")
_GAP = re.compile(r"\t[\t \u3000]*|[ \u3000]{2,}|\u3000")  # between aligned cells (one space is not: 2.5 万人)
_MARK = re.compile(r"[|\t]|  |\u3000(?<=\S\u3000)")  # what a line that starts a table (or the line after it) has
_IDEO_GAP = re.compile(r"\u3000(?<=\S\u3000)\u3000*(?=\S)")  # an ideographic gap inside a line, not an indent
_PROSE = re.compile(r"[。；！？，]")  # a cell holding these is a sentence
_SEPARATOR = re.compile(r"\s*:?-{2,}:?\s*")
_PURE_NUMBER = re.compile(r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?(?:\[\d{1,2}\])?")
_NUMERIC_CELL = re.compile(r"[-+−]?\d[\d,.]*[^\d\s]{0,6}")  # 6.84万人, 107.8%, -8.2
_BRACKET_UNIT = re.compile(r"(?P<label>.*?)\s*[(（](?P<unit>[^()（）]{1,10})[)）]\s*")
_UNIT_LINE = re.compile(r"单位[:：]\s*(?P<units>[^\s，。；;)）]{1,30})")
_MULT = "十百千万亿"
_UNIT_SPLIT = re.compile(r"[、,，/]")
_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]")
_UNIT_CHAR = re.compile(r"[\u4e00-\u9fff%‰]")  # a unit is written with at least one of these


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header as written, the header without its unit, its unit and its role.

    ``role``: ``label`` (row labels), ``index`` (row numbers), ``unit`` (each row's unit), ``remark``
    or ``value``. ``unit`` is (multiplier, unit) when the header says it: ``绝对数(亿元)`` -> ('亿', '元').
    """

    header: str
    label: str
    role: str
    unit: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its number in the report, its form, columns, the caption's units and as-of date."""

    index: int
    form: str  # pipe, flat, aligned
    columns: tuple[Column, ...]
    line_units: tuple[tuple[str, str], ...] = ()
    as_of: tuple[str, str] = ("", "")  # the caption's as-of date (ISO day) and its kind


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell holding a numeral, ``[start, end)`` in the text, with where it sits.

    ``role``: ``header``, ``label``, ``index``, ``unit`` or ``value`` (a value or remark column).
    ``unit``: the (multiplier, unit) a bare number in the cell is in, from the row's unit cell, the
    column header, the row label or the caption's unit line, in that order; None if nothing says.
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
class _Span:
    start: int
    end: int
    norm: str
    text: str


@dataclass(slots=True)
class TableState:
    """What the reading of one window hands to the next: the table open at the cut, if any.

    ``pending``: the cells read so far of a flattened table's row that the cut splits.
    """

    count: int = 0  # tables started so far in the report
    form: str = ""
    table: Table | None = None  # None while the header row of a flattened table is still being read
    index: int = -1
    line_units: tuple[tuple[str, str], ...] = ()
    as_of: tuple[str, str] = ("", "")
    pending: list[_Span] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return bool(self.form)


@dataclass(frozen=True)
class TableWords:
    index_headers: frozenset[str]
    unit_headers: frozenset[str]
    remark_headers: frozenset[str]
    total_labels: frozenset[str]
    label_markers: tuple[str, ...]  # longest first


@lru_cache(maxsize=1)
def table_words() -> TableWords:
    """``lexicon/table_words.tsv`` by role, read once per process."""
    by_role: dict[str, set[str]] = {}
    for row in read_table("table_words"):
        by_role.setdefault(row["role"], set()).add(row["word"].removeprefix("\\"))
    return TableWords(
        frozenset(by_role.get("index_header", ())), frozenset(by_role.get("unit_header", ())),
        frozenset(by_role.get("remark_header", ())), frozenset(by_role.get("total_label", ())),
        tuple(sorted(by_role.get("label_marker", ()), key=len, reverse=True)),
    )


def might_hold_tables(norm: str, lo: int) -> bool:
    """False when no table can start at or after ``lo``: a cheap test, so prose costs nothing more.

    Pipes, tabs and double spaces are rare in prose; an ideographic space inside a line is not (a
    dateline), so for it two neighbouring lines must both have one, as two rows of a table do.
    """
    if norm.find("|", lo) >= 0 or norm.find("\t", lo) >= 0 or _has_double_space(norm, lo):
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


class TableReader:
    """Reads the tables of one window's text (see the module docstring)."""

    def __init__(self, norm: str, text: str, lex: Lexicon, as_of_at):
        """``as_of_at(start, end)``: the as-of date and kind a 截至… clause in ``norm[start:end]`` gives, or ('', '')."""
        self.norm, self.text, self.lex, self.as_of_at = norm, text, lex, as_of_at
        self.words = table_words()
        self.cells: list[Cell] = []
        self.rows = 0  # rows read, header rows included
        self._lines: dict[int, tuple[int, str, list[_Span]]] = {}

    # -- lines ----------------------------------------------------------------------------------------
    def _line_end(self, start: int) -> int:
        end = self.norm.find("\n", start)
        return len(self.norm) if end < 0 else end

    def _kind(self, start: int, end: int) -> tuple[str, list[_Span]]:
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
                return "pipe", [c if c is not None else _Span(0, 0, "", "") for c in cells]
            return "text", [self._span(lo, hi)]
        cells, pos = [], lo
        for gap in _GAP.finditer(norm, lo, hi):
            cells.append(self._span(pos, gap.start()))
            pos = gap.end()
        if not cells:
            return "text", [self._span(lo, hi)]
        cells.append(self._span(pos, hi))
        if any(len(c.norm) > _CELL_MAX or _PROSE.search(c.norm) for c in cells):
            return "text", [self._span(lo, hi)]
        return "aligned", cells

    def _span(self, start: int, end: int) -> _Span:
        return _Span(start, end, self.norm[start:end], self.text[start:end])

    def _strip(self, start: int, end: int) -> _Span | None:
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
        state = replace(state, pending=[replace(c, start=c.start - base, end=c.end - base) for c in state.pending])
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
                handed = replace(state, pending=[replace(c, start=c.start + base, end=c.end + base)
                                                 for c in state.pending])
                rows_then = self.rows
                if state.form != "flat" or not state.pending:
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
                    continue  # read the starting line again as the table's first row
            pos = nxt
        if handed is None:
            self._close(state)  # the text ends here, and any table with it
            return TableState(state.count)
        return handed

    def _peek(self, pos: int) -> tuple[str, list[_Span]]:
        if pos >= len(self.norm):
            return "blank", []
        return self._line(pos)[1:]

    def _line(self, pos: int) -> tuple[int, str, list[_Span]]:
        """The line starting at ``pos``: its end, kind and cells (each line is looked at twice: read once)."""
        found = self._lines.get(pos)
        if found is None:
            end = self._line_end(pos)
            found = self._lines[pos] = (end, *self._kind(pos, end))
        return found

    def _next_start(self, pos: int) -> int:
        """The first line at or after ``pos`` that may start a table: the one with a table mark, or the one
        before it (a flattened table starts on the line above its first bar); the text's end if none."""
        mark = _MARK.search(self.norm, pos)
        if mark is None:
            return len(self.norm)
        line = self.norm.rfind("\n", pos, mark.start()) + 1
        if line <= pos:
            return pos
        before = self.norm.rfind("\n", pos, line - 1) + 1
        return max(before, pos)

    def _maybe_start(self, state: TableState, pos: int, kind: str, cells: list[_Span], nxt: int) -> None:
        after, after_cells = self._peek(nxt)
        if kind == "pipe" and after in ("pipe", "sep"):
            form = "pipe"
        elif (kind == "aligned" and after == "aligned" and len(after_cells) <= len(cells) + 1
              and any(_NUMERIC_CELL.fullmatch(c.norm) for c in (*cells, *after_cells))):
            form = "aligned"  # two lines of cells, a number among them: not two datelines
        elif kind != "pipe" and after == "bar" and len(cells) == 1:
            form = "flat"
        else:
            return
        units, as_of = self._caption(pos)
        state.count += 1
        state.form, state.table, state.index = form, None, state.count - 1
        state.line_units, state.as_of, state.pending = units, as_of, []

    def _goes_on(self, state: TableState, kind: str, cells: list[_Span], nxt: int) -> bool:
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
        if state.form == "flat" and state.pending:
            self._row(state, state.pending)
        state.form, state.table, state.pending = "", None, []

    # -- rows and columns ---------------------------------------------------------------------------------
    def _row(self, state: TableState, cells: list[_Span]) -> None:
        self.rows += 1
        if state.table is None:
            if not any(_PURE_NUMBER.fullmatch(c.norm) for c in cells):
                state.table = Table(state.index, state.form, self._columns(cells), state.line_units, state.as_of)
                self._header_cells(state.table, cells)
                return
            state.table = Table(state.index, state.form, self._unnamed(cells), state.line_units, state.as_of)
        self._body(state.table, cells)

    def _columns(self, cells: list[_Span]) -> tuple[Column, ...]:
        words = self.words
        columns = []
        label_seen = False
        for cell in cells:
            header = cell.norm
            plain = header.replace(" ", "").replace("\u3000", "")
            unit = None
            label = cell.text
            bracket = _BRACKET_UNIT.fullmatch(header)
            if bracket:
                unit = self._parse_unit(bracket.group("unit"))
                if unit is not None:
                    label = cell.text[:len(bracket.group("label"))]
            if unit is None:
                in_header = _UNIT_LINE.search(header)
                if in_header:
                    units = self._unit_list(in_header.group("units"))
                    unit = units[0] if len(units) == 1 else None
            if plain in words.index_headers and not label_seen:
                role = "index"
            elif plain in words.unit_headers:
                role = "unit"
            elif plain in words.remark_headers:
                role = "remark"
            elif not label_seen:
                role, label_seen = "label", True
            else:
                role = "value"
            columns.append(Column(cell.text, label, role, unit))
        return tuple(columns)

    def _unnamed(self, cells: list[_Span]) -> tuple[Column, ...]:
        """Columns of a table without a header: the first is the row label (after a row number)."""
        first_is_index = len(cells) > 2 and cells[0].norm.isdigit() and not _PURE_NUMBER.fullmatch(cells[1].norm)
        roles = ["index", "label"] if first_is_index else ["label"]
        roles += ["value"] * (len(cells) - len(roles))
        return tuple(Column("", "", role) for role in roles)

    def _header_cells(self, table: Table, cells: list[_Span]) -> None:
        for cell, column in zip(cells, table.columns):
            if self._has_numeral(cell):
                self.cells.append(Cell(cell.start, cell.end, "header", table, "", column, None, False))

    def _body(self, table: Table, cells: list[_Span]) -> None:
        columns = table.columns
        width, k = len(columns), len(cells)
        if k == width:
            placed = list(enumerate(cells))
        elif k < width:
            # a row without its row number (合计 over 序号 and 地区) starts at the label column; any other
            # short row lacks cells at its end (an empty remark)
            label_col = next((i for i, c in enumerate(columns) if c.role == "label"), 0)
            first = label_col if columns[0].role == "index" and not cells[0].norm.isdigit() else 0
            placed = [(first + j, cell) for j, cell in enumerate(cells)]
        else:  # more cells than headers: the extra cells on the left belong to the label
            placed = [(-1, c) for c in cells[:k - width]] + list(enumerate(cells[k - width:]))
        roles = [columns[i].role if i >= 0 else "label" for i, _ in placed]
        labels = [cell for (_, cell), role in zip(placed, roles) if role == "label"]
        label_cell = labels[0] if labels else None
        # a label split by an ideographic space (河　北, padded to align the column) is one label
        row_label = self._row_label(self.text[labels[0].start:labels[-1].end]) if labels else ""
        total = row_label in self.words.total_labels
        row_unit = None
        for (_, cell), role in zip(placed, roles):
            if role == "unit" or role in ("value", "remark") and self._parse_unit(cell.norm, strict=True):
                row_unit = self._parse_unit(cell.norm, strict=role != "unit")
                if row_unit is not None:
                    break
        label_unit = None
        if label_cell is not None:
            bracket = _BRACKET_UNIT.fullmatch(label_cell.norm)
            label_unit = self._parse_unit(bracket.group("unit")) if bracket else None
        ordinals = {i: n for n, i in enumerate(i for i, c in enumerate(columns) if c.role in ("value", "remark"))}
        for (i, cell), role in zip(placed, roles):
            if not self._has_numeral(cell):
                continue
            column = columns[i] if i >= 0 else None
            unit = None
            kind = {"label": "label", "index": "index", "unit": "unit"}.get(role, "value")
            if kind == "value":
                if self._parse_unit(cell.norm, strict=True):
                    kind = "unit"
                unit = column.unit or row_unit or label_unit or self._line_unit(table, ordinals.get(i, 0))
            self.cells.append(Cell(cell.start, cell.end, kind, table, row_label, column, unit, total))

    def _line_unit(self, table: Table, value_number: int) -> tuple[str, str] | None:
        units = table.line_units
        if not units:
            return None
        if len(units) == 1:
            return units[0]
        return units[value_number] if value_number < len(units) else None

    def _row_label(self, label: str) -> str:
        label = label.strip()
        for marker in self.words.label_markers:
            if label.startswith(marker):
                label = label[len(marker):].strip()
                break
        return label

    @staticmethod
    def _has_numeral(cell: _Span) -> bool:
        return _NUMERAL.search(cell.norm) is not None

    # -- units and captions ----------------------------------------------------------------------------
    def _parse_unit(self, written: str, strict: bool = False) -> tuple[str, str] | None:
        """'亿元' -> ('亿', '元'), '%' -> ('', '%'); None if it is no unit.

        A unit the lexicon lacks is kept as written (元/人·月) unless ``strict``, which asks for a cell
        that is nothing but a known unit (the unit cell of a row).
        """
        written = written.strip()
        if not written or len(written) > 10 or any(ch.isdigit() for ch in written) or not _UNIT_CHAR.search(written):
            return None
        found = split_unit(written, self.lex.units)
        if found is not None:
            return found
        if strict or _PROSE.search(written) or "、" in written:
            return None
        return "", written

    def _unit_list(self, written: str) -> tuple[tuple[str, str], ...]:
        units = []
        for part in _UNIT_SPLIT.split(written):
            unit = self._parse_unit(part, strict=True)
            if unit is None:
                return ()
            units.append(unit)
        return tuple(units)

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
                found = _UNIT_LINE.search(line)
                if found:
                    units = self._unit_list(found.group("units"))
            if not as_of[0] and "截" in line:
                as_of = self.as_of_at(line_start, line_start + len(line))
        return units, as_of


def split_unit(written: str, units) -> tuple[str, str] | None:
    """A multiplier and a unit of ``units``: '亿千瓦时' -> ('亿', '千瓦时'), '万人' -> ('万', '人'), '%' -> ('', '%').

    The longest unit wins (千瓦时 over 瓦时), as it does after a number in the text. A multiplier alone
    ('万') is ('万', ''); anything else is None.
    """
    for cut in range(len(written) + 1):
        mult, rest = written[:cut], written[cut:]
        if mult and mult[-1] not in _MULT:
            return None
        if rest in units or not rest:
            return (mult, rest) if mult or rest else None
    return None
