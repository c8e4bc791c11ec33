"""Figures in tables: a numeral inside a table cell read with its row, column and caption, and 单位：… scopes.

Where tables are and what their cells are is :mod:`analysis.extract.tabular`'s job; here a cell's
number becomes a :class:`~analysis.extract.mention.TableFigure` (or a list marker, a unit word, a
number in a label), and a bare number under a ``单位：万元`` line outside any table read that way takes
that unit and multiplier.
"""

from __future__ import annotations

import re
from decimal import Decimal

from analysis.extract.lexicon import Lexicon
from analysis.extract.mention import MENTION_FIELDS, Mention, TableFigure
from analysis.extract.numerals import exact, multiplier
from analysis.extract.subject import measure_of
from analysis.extract.tabular import Cell, split_unit

_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n|\u3000{2,}")  # a table under 单位：… ends here
_TABLE_UNIT = re.compile(r"单位[:：]\s*(?P<mult>[十百千万亿]*)(?P<unit>[^\s，。；,;)）]{0,4})")
# a table cell that is one number: a sign, the number, its own multiplier and unit, a footnote marker
_CELL_NUMBER = re.compile(r"(?P<sign>[-+−])?(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                          r"(?P<unit>[^\d\s\[]{1,6})?(?:\[\d{1,2}\])?")


class TableFigures:
    """Table cells and 单位：… scopes (a mixin of the extractor's scan).

    Reads ``norm``, ``lex`` and ``table_scopes`` of the scan; a cell that is not one number is read as
    text by the scan's ``_classify_text``.
    """

    norm: str
    lex: Lexicon
    table_scopes: list[tuple[int, int, str, str]]

    def _in_table(self, cell: Cell, start: int, run_end: int, floor: int) -> Mention:
        """A numeral inside a table cell: a figure from the cell and its row, column and caption, or no figure."""
        if cell.role == "index":
            return Mention(start, run_end, "", "list_marker", "row number of a table")
        if cell.role == "unit":
            return Mention(start, run_end, "", "word", "the unit cell of a table row")
        if cell.role == "value":
            found = self._cell_figure(cell, start)
            if found:
                return found
        mention = self._classify_text(start, run_end, floor)
        if mention.disposition == "figure":
            if cell.role != "value":  # 60岁及以上, 2021年: what a row or column is, not a statistic
                mention.disposition, mention.reason = "bare", "a number in a table's row label or header"
            else:  # a remark with its own unit: 达到目标80元
                return self._place(mention, cell)
        return mention

    def _cell_figure(self, cell: Cell, start: int) -> Mention | None:
        """A cell that is one number (with a sign, its own unit or a footnote marker): 52.36, -8.2, 6.84万人, 100%."""
        norm = self.norm
        m = _CELL_NUMBER.fullmatch(norm, cell.start, cell.end)
        if m is None or m.start("number") != start:
            return None
        value = Decimal(m.group("number").replace(",", ""))
        if m.group("sign") in ("-", "−"):
            value = -value
        own = m.group("unit")
        lex = self.lex
        if own:
            found = split_unit(own, lex.units)
            if found is None:
                return None
            mult, unit = found
        elif cell.unit is not None:
            mult, unit = cell.unit
        else:
            mult, unit = "", ""
        if mult:
            value *= multiplier(mult)
        entry = lex.units.get(unit)
        if entry is not None:
            value *= entry.scale
            unit, kind = entry.unit, entry.kind
        else:
            kind = "other" if unit else "count"
        end = m.end("unit") if own else m.end("number")
        return self._place(Mention(m.start(), end, "", "figure", "", exact(value), None, unit, kind, "exact"), cell)

    def _place(self, mention: Mention, cell: Cell) -> TableFigure:
        """Where a table figure sits: table, row label, column header, total row; subject and as-of from them."""
        column = cell.column
        placed = TableFigure(*(getattr(mention, name) for name in MENTION_FIELDS), table=cell.table.index,
                             row_label=cell.row_label, column_header=column.header if column else "",
                             total=cell.total)
        placed.subject = (cell.row_label + (column.label if column else ""))[-24:]
        placed.measure = measure_of("", "", placed.unit_kind, False, cell.row_label + (column.header if column else ""))
        if not placed.as_of:
            placed.as_of, placed.as_of_kind = cell.table.as_of
        return placed

    def _table_unit(self, start: int) -> tuple[str, str] | None:
        # the latest header wins: a second 单位：… before a blank line starts a new table
        for scope_start, scope_end, mult, unit in reversed(self.table_scopes):
            if scope_start <= start < scope_end:
                return mult, unit
        return None

    def _table_scopes(self, carried: tuple[str, str] | None = None) -> list[tuple[int, int, str, str]]:
        """单位：万元 in a table header: bare numbers below it, up to a blank line, are in 万元.

        ``carried``: a table whose header came before this text, still open where the text begins.
        """
        scopes = []
        if carried is not None:
            blank = _BLANK_LINE.search(self.norm)
            scopes.append((0, blank.start() if blank else len(self.norm), *carried))
        if "单位" not in self.norm:
            return scopes
        for m in _TABLE_UNIT.finditer(self.norm):
            blank = _BLANK_LINE.search(self.norm, m.end())
            unit = m.group("unit")
            if unit and unit not in self.lex.units:
                continue  # 单位：个、亿元 names a unit per column: the table reader's job (analysis.extract.tabular)
            scopes.append((m.end(), blank.start() if blank else len(self.norm), m.group("mult"), unit))
        return scopes
