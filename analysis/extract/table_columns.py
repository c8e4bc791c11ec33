"""A table's columns: their roles and units, and the unit each value cell is in.

Where tables are and how their lines split into cells is :mod:`analysis.extract.tabular`'s job; here the
header rows become :class:`Column` records and each value cell gets its unit, decided per column in
this order:

1. the column's own: a unit in its header (``绝对数(亿元)``, ``增长%``, ``产量/万吨``), or one its words
   imply (``比上年增长``, ``占比`` -> %; ``指数`` -> no unit);
2. the row's unit cell (a column headed 单位);
3. the caption's unit list (``单位：个、亿元``), by position over the columns that have no unit of their own,
   or, when the list is shorter, by what the header counts (``项目数`` -> 个, ``投资额`` -> 亿元);
4. a unit in the row label (``粮食产量(万吨)``).

So a row's unit never overrides a column that has its own (a growth rate next to an amount stays in %).
The words that give columns their roles and implied units are data, ``lexicon/table_words.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.extract.lexicon import Lexicon, read_table

_MULT = "十百千万亿"
_PROSE = re.compile(r"[。；！？，]")  # a cell holding these is a sentence
_BRACKET_UNIT = re.compile(r"(?P<label>.*?)\s*[(（\[【](?P<unit>[^()（）\[\]【】]{1,10})[)）\]】]\s*")
# a unit written after the header's words without brackets: 增长%, 产量/万吨, 产量：万吨, 绝对数，亿元, 产量 万吨
_TRAILING_UNIT = re.compile(r"(?P<label>.*?[^\s/：:，,])(?:\s*[/：:，,]\s*|\s+)(?P<unit>[^/：:，,\s]{1,6})\s*"
                            r"|(?P<words>.*?[^\s/：:，,])\s*(?P<sign>[%‰])\s*")
_PLUS_MINUS = re.compile(r"±|\+/-|\+-")  # (±%) is a rate in %
UNIT_LINE = re.compile(r"单位[:：]\s*(?P<units>[^\s，。；;)）]{1,30})")
_UNIT_SPLIT = re.compile(r"[、,，/]")
_UNIT_CHAR = re.compile(r"[\u4e00-\u9fff%‰‱]")  # a unit is written with at least one of these
# a cell that is one number: a sign, the number, a multiplier and unit of its own, a footnote marker
CELL_NUMBER = re.compile(r"(?P<sign>[-+−])?(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                         r"(?P<unit>[^\d\s\[]{1,6})?(?:\[\d{1,2}\])?")
DASH_CELL = re.compile(r"[-/…*×xX—]+|无")  # an empty value: —, /, …, x
_DATE_UNITS = frozenset({"年", "月", "日", "季度", "年度"})  # 2021年 heads a column; it is no value
_PERCENT = ("", "%")
NO_UNIT = ("", "")  # a column that says its cells have no unit (指数): nothing else may give them one


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header as written, the header without its unit, its role, unit and what it counts.

    ``role``: ``label`` (row labels), ``index`` (row numbers), ``unit`` (each row's unit), ``remark``
    or ``value``. ``unit`` is the column's own (multiplier, unit): written in the header (``绝对数(亿元)`` ->
    ('亿', '元')) or implied by its words (``增长`` -> ('', '%'), ``指数`` -> :data:`NO_UNIT`); None if it
    has none. ``kind``: what the header says the column counts (money, count, people), for a caption's
    unit list that is shorter than the columns.
    """

    header: str
    label: str
    role: str
    unit: tuple[str, str] | None = None
    kind: str = ""


@dataclass(frozen=True)
class TableWords:
    index_headers: frozenset[str]
    unit_headers: frozenset[str]
    remark_headers: frozenset[str]
    label_headers: frozenset[str]
    total_labels: frozenset[str]
    label_markers: tuple[str, ...]  # longest first
    percent_endings: tuple[str, ...]  # a header ending so is in % (比上年增长, 占比)
    unitless_words: tuple[str, ...]  # a header holding one has no unit (指数)
    kind_words: tuple[tuple[str, str], ...]  # (word, unit kind), longest first


@lru_cache(maxsize=1)
def table_words() -> TableWords:
    """``lexicon/table_words.tsv`` by role, read once per process."""
    by_role: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for row in read_table("table_words"):
        word = row["word"].removeprefix("\\")
        by_role.setdefault(row["role"], set()).add(word)
        if row["role"].endswith("_header") and row["role"].startswith("kind_"):
            kinds[word] = row["role"].removeprefix("kind_").removesuffix("_header")

    def longest_first(role: str) -> tuple[str, ...]:
        return tuple(sorted(by_role.get(role, ()), key=len, reverse=True))

    return TableWords(
        frozenset(by_role.get("index_header", ())), frozenset(by_role.get("unit_header", ())),
        frozenset(by_role.get("remark_header", ())), frozenset(by_role.get("label_header", ())),
        frozenset(by_role.get("total_label", ())), longest_first("label_marker"),
        longest_first("percent_header"), longest_first("unitless_header"),
        tuple(sorted(kinds.items(), key=lambda item: -len(item[0]))),
    )


def plain(text: str) -> str:
    """A cell's text without the spaces that pad it (西 藏, 单 位)."""
    return text.replace(" ", "").replace("\u3000", "")


class ColumnReader:
    """Columns and units of the tables of one text (the lexicon's units; the table words)."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.words = table_words()

    # -- units ---------------------------------------------------------------------------------------
    def parse_unit(self, written: str, strict: bool = False) -> tuple[str, str] | None:
        """'亿元' -> ('亿', '元'), '%' -> ('', '%'); None if it is no unit.

        A unit the lexicon lacks is kept as written (元/人·月) unless ``strict``, which asks for a cell
        that is nothing but a known unit (the unit cell of a row). A label column's heading (省份, 地区)
        is never a unit.
        """
        written = _PLUS_MINUS.sub("", written).strip()
        if (not written or len(written) > 10 or any(ch.isdigit() for ch in written) or not _UNIT_CHAR.search(written)
                or plain(written) in self.words.label_headers):
            return None
        found = split_unit(written, self.lex.units)
        if found is not None:
            return found
        if strict or _PROSE.search(written) or "、" in written:
            return None
        return "", written

    def unit_list(self, written: str) -> tuple[tuple[str, str], ...]:
        """The units of a caption's 单位：… line, in order (个、亿元 -> ('', '个'), ('亿', '元'))."""
        units = []
        for part in _UNIT_SPLIT.split(written):
            unit = self.parse_unit(part, strict=True)
            if unit is None:
                return ()
            units.append(unit)
        return tuple(units)

    def is_value(self, norm: str) -> bool:
        """Whether a cell is a value: one number, with nothing after it or a unit of the lexicon (6.84万人).

        A year (2021年) or an age bracket (60岁及以上) heads a column or row; it is no value.
        """
        m = CELL_NUMBER.fullmatch(norm)
        if m is None:
            return False
        own = m.group("unit")
        if not own:
            return True
        found = split_unit(own, self.lex.units)
        return found is not None and found[1] not in _DATE_UNITS

    def header_unit(self, header: str) -> tuple[int, tuple[str, str] | None]:
        """Where the header's words end and the unit it gives its column, written or implied."""
        words = plain(header)
        if words in self.words.label_headers or words in self.words.unit_headers or words in self.words.index_headers:
            return len(header), None  # 地  区, 单  位: a role's heading, padded
        bracket = _BRACKET_UNIT.fullmatch(header)
        if bracket:
            unit = self.parse_unit(bracket.group("unit"))
            if unit is not None:
                return len(bracket.group("label")), unit
        trailing = _TRAILING_UNIT.fullmatch(_PLUS_MINUS.sub("", header)) if header else None
        if trailing and trailing.group("sign"):
            return len(trailing.group("words")), _PERCENT if trailing.group("sign") == "%" else ("", "‰")
        if trailing:
            unit = self.parse_unit(trailing.group("unit"), strict=True)
            if unit is not None and (self._measure(unit) or not trailing.group(0)[len(trailing.group("label"))].isspace()):
                return len(trailing.group("label")), unit
        whole = self.parse_unit(header, strict=True) if header else None
        if whole is not None and self._measure(whole):
            # a header that is only a unit of measure (亿元, %, 万个): a second header row's; 县区 or 个 alone
            # head a column of names or counts
            return 0, whole
        in_header = UNIT_LINE.search(header)
        if in_header:
            units = self.unit_list(in_header.group("units"))
            if len(units) == 1:
                return in_header.start(), units[0]
        if any(word in words for word in self.words.unitless_words):
            return len(header), NO_UNIT
        if words.endswith(self.words.percent_endings):
            return len(header), _PERCENT
        return len(header), None

    def _measure(self, unit: tuple[str, str]) -> bool:
        """Whether a unit standing alone is a unit of measure (亿元, %, 万个), not a classifier or a division's level."""
        return bool(unit[0]) or self.lex.units[unit[1]].kind != "count" if unit[1] in self.lex.units else bool(unit[0])

    # -- columns -------------------------------------------------------------------------------------
    def columns(self, rows: list[list[tuple[str, str]]]) -> tuple[Column, ...]:
        """The columns a table's header rows give (each cell as (normalised, original) text).

        Several header rows are read together, column by column (a year over 总量(亿元) and 增长(%)); a
        cell left empty in an upper row under a spanning cell takes the text to its left. A header cell
        with a unit heads a value column, never the label column, so a header whose corner cell is
        missing (| 产量(万吨) | 增长(%) |) has no label column: its rows' extra first cell is their label.
        """
        width = max(len(row) for row in rows)
        merged: list[list[tuple[str, str]]] = [[] for _ in range(width)]
        for number, row in enumerate(rows):
            upper = number < len(rows) - 1
            left = ("", "")
            for i in range(width):
                cell = row[i] if i < len(row) else ("", "")
                if upper and not cell[0].strip() and i:
                    cell = left
                left = cell
                if cell[0].strip() and cell not in merged[i]:
                    merged[i].append(cell)
        words = self.words
        out = []
        label_seen = False
        for parts in merged:
            header_norm = "".join(p[0].strip() for p in parts)
            header = "".join(p[1].strip() for p in parts)
            cut, unit = self.header_unit(header_norm)
            if unit is None and len(parts) > 1:  # a row of units under a row of words (2023年 over 亿元)
                for part_norm, _ in reversed(parts):
                    part_cut, unit = self.header_unit(part_norm.strip())
                    if unit is not None:
                        cut = len(header_norm) if part_cut == 0 else cut
                        break
            label = header[:cut] if unit is not None else header
            name = plain(header_norm)
            words_name = plain(header_norm[:cut])
            if name in words.index_headers and not label_seen:
                role = "index"
            elif name in words.unit_headers:
                role = "unit"
            elif name in words.remark_headers:
                role = "remark"
            elif not label_seen and (unit is None or words_name in words.label_headers):
                role, label_seen = "label", True  # 项目(万元) in the corner: a unit for every column
            else:
                role = "value"
            out.append(Column(header, label, role, unit if role != "index" and role != "unit" else None,
                              self._kind(name)))
        return tuple(out)

    @staticmethod
    def unnamed(values: list[bool], index_first: bool) -> tuple[Column, ...]:
        """Columns of a table without a header: the first is the row label (after a row number)."""
        roles = ["index", "label"] if index_first else ["label"]
        roles += ["value"] * (len(values) - len(roles))
        return tuple(Column("", "", role) for role in roles)

    def _kind(self, name: str) -> str:
        for word, kind in self.words.kind_words:
            if word in name:
                return kind
        return ""

    def caption_units(self, columns: tuple[Column, ...],
                      line_units: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str] | None, ...]:
        """The unit the caption's 单位：… list gives each column (None where it gives none).

        One unit is every column's. A list as long as the value columns without a unit of their own is
        read by position; a shorter list gives each column the unit of the kind its header counts
        (项目数 -> 个, 投资额 -> 亿元), else the unit at its position, else the list's last.
        """
        out: list[tuple[str, str] | None] = [None] * len(columns)
        if not line_units:
            return tuple(out)
        open_columns = [i for i, c in enumerate(columns) if c.role in ("value", "remark") and c.unit is None]
        if len(line_units) == 1:
            for i in open_columns:
                out[i] = line_units[0]
            return tuple(out)
        all_values = [i for i, c in enumerate(columns) if c.role in ("value", "remark")]
        if len(line_units) >= len(all_values):  # one unit per value column, own units included
            for number, i in enumerate(all_values):
                out[i] = line_units[number] if columns[i].unit is None else None
            return tuple(out)
        if len(line_units) == len(open_columns):
            for number, i in enumerate(open_columns):
                out[i] = line_units[number]
            return tuple(out)
        kinds: dict[str, list[tuple[str, str]]] = {}
        for unit in line_units:
            entry = self.lex.units.get(unit[1])
            kinds.setdefault(entry.kind if entry else "", []).append(unit)
        for number, i in enumerate(open_columns):
            by_kind = kinds.get(columns[i].kind, ())
            if len(by_kind) == 1:
                out[i] = by_kind[0]
            else:
                out[i] = line_units[min(number, len(line_units) - 1)]
        return tuple(out)

    def label_unit(self, label: str) -> tuple[str, str] | None:
        """A unit written in a row label: 粮食产量(万吨) -> ('万', '吨')."""
        bracket = _BRACKET_UNIT.fullmatch(label)
        return self.parse_unit(bracket.group("unit")) if bracket else None


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
