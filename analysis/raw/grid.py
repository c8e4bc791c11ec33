"""A table read from a PDF, a Word file or a sheet -> the pipe rows the table reader understands.

Every format hands over the same thing, a :class:`Grid`: the text of each position of the table, and
for a merged cell the positions it covers besides its own. :func:`table_lines` lays it out as
``| 指标 | 绝对数(亿元) | 比上年增长(%) |`` lines (:mod:`analysis.extract.tabular` reads them):

- header rows (the rows above the first number, when the table's head has merged cells) become one
  header row, each column's headers joined top-down (``2023年`` over ``总量(亿元)``: ``2023年 总量(亿元)``),
  so a merged header spreads over the columns it covers and a unit in the lower row still reaches
  its column;
- a row whose cells all hold one text (a title merged across the table, a ``单位：亿元`` line, a note
  under it) above or below the body is a caption line, not a row;
- in the body a merged label fills the rows it covers (each row keeps its label), but a merged number
  is written once: repeating it would count one figure twice;
- cell text is one line (a cell's lines joined without a space between Chinese characters), and a
  ``|`` inside a cell becomes ``｜`` so it cannot split the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBER = re.compile(r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9.%]")
MAX_HEADER_ROWS = 3


@dataclass
class Grid:
    """A table as positions: ``rows[r][c]`` is the text at row r, column c (a merged cell's text at its
    top-left position); ``merged[(r, c)] = (r0, c0)`` for each other position a merged cell covers."""

    rows: list[list[str]]
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def one_line(text: str, cell: bool = True) -> str:
    """A cell's text on one line: lines joined (a space only between two Latin words or numbers),
    runs of spaces made one, ``|`` made ``｜``. ``cell=False`` (a paragraph) keeps its spaces and
    tabs, which may align the columns of a table typed as text.

    >>> one_line("绝对数\\n(亿元)"), one_line(" 5G\\nbase stations "), one_line("a|b")
    ('绝对数(亿元)', '5G base stations', 'a｜b')
    """
    parts = [p.strip(" \t\u3000\xa0\r") for p in text.split("\n")]
    out = ""
    for part in parts:
        if not part:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return _SPACE.sub(" ", out).replace("|", "｜") if cell else out


def table_lines(grid: Grid) -> list[str]:
    """The table as text lines: caption lines, then pipe rows (see the module docstring).

    >>> g = Grid([["2023年主要指标", "", ""], ["地区", "2023年", ""], ["", "总量（亿元）", "增长(%)"],
    ...           ["东区", "1234.5", "6.1"]],
    ...          {(0, 1): (0, 0), (0, 2): (0, 0), (1, 2): (1, 1), (2, 0): (1, 0)})
    >>> print("\\n".join(table_lines(g)))
    2023年主要指标
    | 地区 | 2023年 总量（亿元） | 2023年 增长(%) |
    | 东区 | 1234.5 | 6.1 |
    """
    return [line for line, _ in table_rows(grid)]


def table_rows(grid: Grid) -> list[tuple[str, int]]:
    """:func:`table_lines`, each line with the grid row it starts at (a PDF table's rows keep their page)."""
    rows = [[one_line(c or "") for c in row] for row in grid.rows]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    merged = grid.merged

    def spread(r: int, c: int) -> str:
        origin = merged.get((r, c))
        return rows[origin[0]][origin[1]] if origin else rows[r][c]

    full = [[spread(r, c) for c in range(width)] for r in range(len(rows))]
    # empty rows and columns say nothing
    keep_rows = [r for r in range(len(rows)) if any(full[r])]
    keep_cols = [c for c in range(width) if any(full[r][c] for r in keep_rows)]
    if not keep_rows or not keep_cols:
        return []
    if len(keep_cols) == 1:  # one column is a list of lines, not a table
        return [(full[r][keep_cols[0]], r) for r in keep_rows]

    def lone(r: int) -> str | None:
        """The one text a row holds in all its non-empty cells (a title or a note), else None."""
        values = {full[r][c] for c in keep_cols} - {""}
        return values.pop() if len(values) == 1 and not _is_number(next(iter(values))) else None

    head, tail = [], []
    while keep_rows and lone(keep_rows[0]) is not None and _fills_or_leads(full[keep_rows[0]], keep_cols):
        head.append((lone(keep_rows[0]), keep_rows.pop(0)))
    while len(keep_rows) > 1 and lone(keep_rows[-1]) is not None and _fills_or_leads(full[keep_rows[-1]], keep_cols):
        tail.insert(0, (lone(keep_rows[-1]), keep_rows.pop()))
    # a column only a caption reached (a title merged over a hidden or empty column) is no column
    keep_cols = [c for c in keep_cols if any(full[r][c] for r in keep_rows)]
    if len(keep_cols) <= 1:
        return head + [(full[r][keep_cols[0]], r) for r in keep_rows if keep_cols] + tail

    header_rows = _header_rows(full, keep_rows, keep_cols, merged)
    lines = list(head)
    if header_rows > 1:
        combined = []
        for c in keep_cols:
            words: list[str] = []
            for r in keep_rows[:header_rows]:
                if full[r][c] and full[r][c] not in words:
                    words.append(full[r][c])
            combined.append(" ".join(words))
        lines.append((_pipe(combined), keep_rows[0]))
    body = keep_rows[header_rows:] if header_rows > 1 else keep_rows
    for r in body:
        cells = []
        for c in keep_cols:
            origin = merged.get((r, c))
            if origin is None:
                cells.append(rows[r][c])
            elif origin[1] == c and not _DIGIT.search(full[r][c]):
                cells.append(full[r][c])  # a label merged down the rows: each row keeps it
            else:
                cells.append("")  # a merge across, or a number: written once
        lines.append((_pipe(cells), r))
    return lines + tail


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text.replace(" ", "")) is not None


def _fills_or_leads(row: list[str], cols: list[int]) -> bool:
    """A caption row: its text spread over every column (merged), or only in its first cell."""
    values = [row[c] for c in cols]
    return all(values) or (bool(values[0]) and not any(values[1:]))


def _header_rows(full: list[list[str]], rows: list[int], cols: list[int], merged: dict) -> int:
    """How many rows the header has: the rows above the first number, when a merged cell joins them
    (a header over two rows); else 1 (the table reader decides whether that one is a header)."""
    count = 0
    for r in rows[:MAX_HEADER_ROWS + 1]:
        if any(_is_number(full[r][c]) for c in cols):
            break
        count += 1
    if count < 2 or count > MAX_HEADER_ROWS or count == len(rows):
        return 1
    head = set(rows[:count])
    joined = any(r in head and (r0 in head) and (r != r0 or c != c0) for (r, c), (r0, c0) in merged.items())
    return count if joined else 1
