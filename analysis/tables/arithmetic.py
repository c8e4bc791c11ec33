"""Arithmetic checks: a report's figures verified against each other (the ``checks`` table).

A report prints many figures that must agree: a table's total row is the sum of the rows it
totals, a completion rate is done / target, a share is part / whole, a growth rate follows from two
levels of the same quantity. When one of them was misread (a digit, a unit, a shifted column), the
check it takes part in fails, and the review list (:mod:`analysis.publish.review`) puts its figures
first. Four kinds:

- ``total``: in a table, a total row (``figures.total_row``: 合计, 全市) against the sum of the rows
  it totals in the same column: the rows since the previous total; right under subtotals (小计), the
  subtotals; at the head of the table, the rows below it up to the next total. A row marked
  as a part of the row above (``#工业``) is left out; a breakdown opened by ``其中：`` is a sum of
  its own, reported when it adds up (or exceeds the total), since 其中 may list only some parts.
  Only columns of additive units (counts, money, people, weights ...) are summed.
- ``completion_rate``: in a table row, a rate column (完成率, 开工率) against done / target x 100.
- ``share``: in a table row, a share column (比重, 占比) against the row's level / the whole's level
  x 100; the whole is the total row, or the row whose share is 100.
- ``growth``: in a table row, a growth column (增长, 增速) against two levels whose headers name two
  periods (2021年 and 2020年, 本年 and 上年); in prose, ``由 A 增加到 B，增长 C%`` (or a change
  ``增加 C`` in the levels' unit) in one sentence.

Each check says whether it holds **within the report's rounding**: every printed number stands for
an interval half a unit of its last digit wide (118.6 万人 is 1,185,500 to 1,186,500 people); the
expected value's interval is carried through the arithmetic, and the check holds when the reported
value's interval meets it. ``tolerance`` is the sum of the two half-widths.

Only exact figures take part (not 超, 约 or ranges). The roles of columns and the prose words are
data, ``lexicon/check_words.tsv``. Everything here is a pure function of the figures (and
sentences) tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from analysis.tables import contract

# Units whose values add up: a sum of rates, per-capita values or frequencies means nothing.
NOT_ADDITIVE_KINDS = frozenset({"percent", "ratio", "frequency", "other"})
# Things counted one by one: a whole number of them printed in the unit itself is exact, not rounded.
COUNTED_KINDS = frozenset({"count", "people"})
ROLE_ORDER = ("rate", "share", "growth", "target", "done", "current", "previous")
_NUMBER = re.compile(r"\d[\d,]*(?:\.(\d+))?")
_YEAR = re.compile(r"(19|20)\d{2}(?=年)")
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_CLAUSE_END = re.compile(r"[。；;！？!?]")
_CLAUSE_START = re.compile(r"[，,。；;：:！？!?]")
_EPSILON = 1e-9  # relative: float arithmetic on exact decimals


@dataclass(frozen=True)
class CheckWords:
    """``lexicon/check_words.tsv`` by role; words longest first."""

    roles: dict[str, tuple[str, ...]]

    def of(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, ())


@lru_cache(maxsize=1)
def check_words() -> CheckWords:
    """The check vocabulary, read once per process."""
    from analysis.extract.lexicon import read_table

    by_role: dict[str, set[str]] = {}
    for row in read_table("check_words"):
        by_role.setdefault(row["role"], set()).add(row["word"].removeprefix("\\"))
    return CheckWords({role: tuple(sorted(words, key=len, reverse=True)) for role, words in by_role.items()})


@lru_cache(maxsize=4096)  # a report's tables repeat their headers row after row
def column_role(header: str) -> str | None:
    """The part a table column plays in checks, from its header: rate, share, growth, target, done,
    current, previous, or None.

    >>> column_role("完成率"), column_role("年度任务（个）"), column_role("比上年增长(%)"), column_role("产量")
    ('rate', 'target', 'growth', None)
    """
    words = check_words()
    text = _BRACKETS.sub("", header or "")
    for role in ROLE_ORDER:
        if any(word in text for word in words.of(role)):
            return role
    return None


def half_unit(surface: str, value: float, counted: bool = False) -> float:
    """Half a unit of the last digit ``surface`` prints, in the units of ``value``.

    ``118.6`` under a 万人 header (value 1,186,000) stands for 1,185,500 to 1,186,500: 500. A whole
    number of things counted one by one (``counted``: 448 个, 3000 名) is exact: 0.

    >>> half_unit("118.6", 1186000.0), half_unit("107.8%", 107.8), half_unit("1345", 1345.0), half_unit("448", 448.0, True)
    (500.0, 0.05, 0.5, 0.0)
    """
    from analysis.extract.normalize import normalize

    match = _NUMBER.search(surface if surface.isascii() else normalize(surface))  # full-width digits
    if match is None:  # Chinese numerals (三千七百): exact to the unit
        return 0.0 if counted else 0.5
    decimals = len(match.group(1) or "")
    printed = float(match.group(0).replace(",", ""))
    scale = abs(value) / printed if printed else 1.0
    if counted and not decimals and abs(scale - 1.0) < _EPSILON:
        return 0.0
    return 0.5 * 10.0 ** -decimals * scale


# ---------------------------------------------------------------------------------------------
# The figures a check reads


@dataclass
class _Figure:
    figure: int
    start: int
    surface: str
    value: float
    unit: str
    additive: bool
    half: float
    sentence: int
    table: int | None
    row_label: str
    header: str
    total: bool
    marker: str  # "", "child" or "breakdown"

    @property
    def percent(self) -> bool:
        return self.unit == "%"


@dataclass
class _Row:
    label: str
    total: bool
    marker: str
    cells: dict[str, _Figure] = field(default_factory=dict)


def _text(value) -> str:
    """A cell as text: "" for None, NaN and pandas' NA."""
    if value is None or isinstance(value, float) and value != value or type(value).__name__ == "NAType":
        return ""
    return str(value)


def _marker(row_label: str, line: str) -> str:
    """child or breakdown if the row line writes a marker right before its label (#工业, 其中：城镇)."""
    if not row_label:
        return ""
    at = line.find(row_label)
    if at <= 0:
        return ""
    before = line[:at].rstrip()
    words = check_words()
    for role, kind in (("child_marker", "child"), ("breakdown_marker", "breakdown")):
        if any(before.endswith(word) for word in words.of(role)):
            return kind
    return ""


_COLUMNS = ("doc_id", "figure", "span_start", "surface", "value", "unit", "unit_kind", "sentence", "table",
            "row_label", "column_header", "total_row", "sentence_text")


def _figures_of(figures) -> dict[str, list[_Figure]]:
    """Per report, the figures that can take part in a check: exact, one value; in a table, or in a
    sentence with at least three of them (a growth in prose needs two levels and the growth).

    Most figures of prose take part in no check: they are left out before anything is made of them
    (the checks then cost little next to extraction).
    """
    import pandas as pd

    usable = (figures["qualifier"].eq("exact").fillna(False) & figures["value_high"].isna()
              & figures["value"].notna()).to_numpy(dtype=bool)
    in_table = figures["table"].notna().to_numpy(dtype=bool)
    prose = usable & ~in_table
    crowded = pd.Series(False, index=figures.index)
    if prose.any():
        keys = figures.loc[prose, ["doc_id", "sentence"]]
        crowded.loc[keys.index] = keys.groupby(["doc_id", "sentence"])["sentence"].transform("size").ge(3)
    rows = figures[usable & (in_table | crowded.to_numpy(dtype=bool))]
    columns = {c: rows[c].tolist() for c in _COLUMNS}
    out: dict[str, list[_Figure]] = {}
    for i in range(len(rows)):
        unit, kind = _text(columns["unit"][i]), _text(columns["unit_kind"][i])
        table = columns["table"][i]
        tabled = table is not None and not pd.isna(table)
        row_label = _text(columns["row_label"][i])
        total = columns["total_row"][i]
        value = float(columns["value"][i])
        out.setdefault(columns["doc_id"][i], []).append(_Figure(
            figure=int(columns["figure"][i]), start=int(columns["span_start"][i]), surface=str(columns["surface"][i]),
            value=value, unit=unit, additive=bool(unit) and kind not in NOT_ADDITIVE_KINDS and "/" not in unit,
            half=half_unit(str(columns["surface"][i]), value, kind in COUNTED_KINDS), sentence=int(columns["sentence"][i]),
            table=int(table) if tabled else None, row_label=row_label, header=_text(columns["column_header"][i]),
            total=bool(total) if tabled and not pd.isna(total) else False,
            marker=_marker(row_label, _text(columns["sentence_text"][i])) if tabled else "",
        ))
    return out


def _rows_of(cells: list[_Figure]) -> list[_Row]:
    """A table's cells (in text order) as rows: a row goes on while the label stays the same and no
    column comes twice."""
    rows: list[_Row] = []
    for cell in cells:
        row = rows[-1] if rows else None
        if row is None or row.label != cell.row_label or cell.header in row.cells:
            row = _Row(cell.row_label, cell.total, cell.marker)
            rows.append(row)
        row.cells[cell.header] = cell
        row.total = row.total or cell.total
    return rows


# ---------------------------------------------------------------------------------------------
# Checks


@dataclass
class _Check:
    kind: str
    checked: _Figure
    parts: list[_Figure]
    formula: str
    expected: float
    spread: float  # half-width of expected's interval

    def row(self) -> dict[str, Any]:
        difference = self.checked.value - self.expected
        tolerance = self.checked.half + self.spread
        slack = _EPSILON * max(abs(self.checked.value), abs(self.expected), 1.0)
        return {
            "kind": self.kind, "figure": self.checked.figure,
            "figures": " ".join(str(f.figure) for f in [self.checked, *self.parts]),
            "table": self.checked.table, "formula": self.formula, "unit": self.checked.unit or None,
            "reported": self.checked.value, "expected": self.expected, "difference": difference,
            "tolerance": tolerance, "holds": abs(difference) <= tolerance + slack,
        }


def _sum_check(total: _Figure, parts: list[_Figure]) -> _Check:
    expected = sum(p.value for p in parts)
    formula = f"{total.surface} = " + " + ".join(p.surface for p in parts)
    return _Check("total", total, parts, formula, expected, sum(p.half for p in parts))


def _holds(check: _Check) -> bool:
    return bool(check.row()["holds"])


def _segments(rows: list[_Row], header: str) -> Iterable[tuple[_Figure, list[_Figure]]]:
    """(total cell, the cells it totals) for each total row's cell in column ``header``."""
    column = [(row, row.cells[header]) for row in rows if header in row.cells]
    for i, (row, cell) in enumerate(column):
        if not row.total:
            continue
        if i and column[i - 1][0].total:  # right under subtotals: their sum
            yield cell, [other_cell for other, other_cell in column[:i] if other.total]
            continue
        before: list[_Figure] = []
        for other, other_cell in reversed(column[:i]):
            if other.total:
                break
            before.append(other_cell)
        if before:
            yield cell, list(reversed(before))
            continue
        after = []
        for other, other_cell in column[i + 1:]:
            if other.total:
                break
            after.append(other_cell)
        if after:
            yield cell, after


def _total_checks(rows: list[_Row]) -> list[_Check]:
    headers = list(dict.fromkeys(h for row in rows for h in row.cells))
    out = []
    for header in headers:
        for total, cells in _segments(rows, header):
            if not total.additive or any(c.unit != total.unit for c in cells):
                continue
            plain: list[_Figure] = []
            breakdowns: list[list[_Figure]] = []
            for cell in cells:
                if cell.marker == "child":
                    continue  # a part of the row above, already in it
                if cell.marker == "breakdown":
                    breakdowns.append([cell])
                elif breakdowns:
                    breakdowns[-1].append(cell)
                else:
                    plain.append(cell)
            if plain:
                out.append(_sum_check(total, plain))
            for group in breakdowns:  # 其中 may list only some parts: a sum short of the total says nothing
                check = _sum_check(total, group)
                if _holds(check) or check.expected > total.value:
                    out.append(check)
    return out


def _ratio(top: _Figure, bottom: _Figure) -> tuple[float, float]:
    """top / bottom x 100 and the half-width of its interval, from the two printed intervals."""
    value = top.value / bottom.value * 100
    low_bottom = bottom.value - bottom.half
    if low_bottom <= 0:
        return value, float("inf")
    high = (top.value + top.half) / low_bottom * 100
    low = (top.value - top.half) / (bottom.value + bottom.half) * 100
    return value, max(high - value, value - low)


def _ratio_check(kind: str, checked: _Figure, top: _Figure, bottom: _Figure) -> _Check | None:
    if not bottom.value or top.unit != bottom.unit:
        return None
    expected, spread = _ratio(top, bottom)
    per = "" if checked.surface.rstrip().endswith("%") else " × 100"
    return _Check(kind, checked, [top, bottom], f"{checked.surface} = {top.surface} / {bottom.surface}{per}",
                  expected, spread)


def _columns_with(rows: list[_Row], role: str) -> list[str]:
    headers = dict.fromkeys(h for row in rows for h in row.cells)
    return [h for h in headers if column_role(h) == role]


def _stem(header: str) -> str:
    text = _BRACKETS.sub("", header)
    for word in check_words().of("rate"):
        text = text.replace(word, word.rstrip("率").removesuffix("进度").removesuffix("比例"))
    return text


def _done_column(rate: str, done: list[str]) -> str | None:
    """The done column a rate column is computed from: the one sharing its stem (开工率: 已开工), or the only one."""
    if len(done) == 1:
        return done[0]
    stem = _stem(rate)
    matching = [h for h in done if stem and (stem in h or _BRACKETS.sub("", h).lstrip("已") in stem)]
    return matching[0] if len(matching) == 1 else None


def _completion_checks(rows: list[_Row]) -> list[_Check]:
    targets, done = _columns_with(rows, "target"), _columns_with(rows, "done")
    if len(targets) != 1 or not done:
        return []
    out = []
    for rate in _columns_with(rows, "rate"):
        done_header = _done_column(rate, done)
        if done_header is None:
            continue
        for row in rows:
            cells = row.cells
            if rate in cells and targets[0] in cells and done_header in cells and cells[rate].percent:
                check = _ratio_check("completion_rate", cells[rate], cells[done_header], cells[targets[0]])
                if check is not None:
                    out.append(check)
    return out


def _share_checks(rows: list[_Row]) -> list[_Check]:
    out = []
    headers = list(dict.fromkeys(h for row in rows for h in row.cells))
    for share in _columns_with(rows, "share"):
        left = [h for h in headers[:headers.index(share)]
                if all(not row.cells[h].percent for row in rows if h in row.cells)]
        if not left:
            continue
        level = left[-1]  # the level a share column follows: 年末数 | 比重
        wholes = [row for row in rows if level in row.cells and share in row.cells
                  and (row.total or abs(row.cells[share].value - 100) <= row.cells[share].half)]
        if not wholes:
            continue
        whole = wholes[0]
        for row in rows:
            if row is whole or level not in row.cells or share not in row.cells or not row.cells[share].percent:
                continue
            check = _ratio_check("share", row.cells[share], row.cells[level], whole.cells[level])
            if check is not None:
                out.append(check)
    return out


def _growth_check(checked: _Figure, earlier: _Figure, later: _Figure, sign: int = 1) -> _Check | None:
    """``checked`` as the growth from ``earlier`` to ``later``: in percent, or a change in their unit."""
    if earlier.unit != later.unit or earlier.percent:
        return None
    if checked.percent:
        if not earlier.value:
            return None
        ratio, spread = _ratio(later, earlier)
        expected = sign * (ratio - 100)
        formula = f"{checked.surface} = {later.surface} / {earlier.surface} - 1"
        if not checked.surface.rstrip().endswith("%"):
            formula = f"{checked.surface} = ({later.surface} / {earlier.surface} - 1) × 100"
        return _Check("growth", checked, [later, earlier], formula, expected, spread)
    if checked.unit != later.unit:
        return None
    expected = sign * (later.value - earlier.value)
    return _Check("growth", checked, [later, earlier], f"{checked.surface} = {later.surface} - {earlier.surface}",
                  expected, later.half + earlier.half)


def _period(header: str) -> tuple[int, int] | None:
    """(order, year) of a level column naming a period: later periods sort higher."""
    year = _YEAR.search(header)
    if year:
        return 1, int(year.group(0))
    role = column_role(header)
    if role == "current":
        return 0, 1
    if role == "previous":
        return 0, 0
    return None


def _table_growth_checks(rows: list[_Row]) -> list[_Check]:
    growth = _columns_with(rows, "growth")
    headers = list(dict.fromkeys(h for row in rows for h in row.cells))
    periods = {h: _period(h) for h in headers if h not in growth and column_role(h) in (None, "current", "previous")}
    periods = {h: p for h, p in periods.items() if p is not None}
    kinds = {p[0] for p in periods.values()}
    if not growth or len(periods) != 2 or len(kinds) != 1 or len(set(periods.values())) != 2:
        return []
    earlier, later = sorted(periods, key=periods.__getitem__)
    out = []
    for header in growth:
        for row in rows:
            cells = row.cells
            if header in cells and earlier in cells and later in cells and cells[header].percent:
                check = _growth_check(cells[header], cells[earlier], cells[later])
                if check is not None:
                    out.append(check)
    return out


def _prose_growth_checks(figures: list[_Figure], sentences: dict[int, tuple[int, str]]) -> list[_Check]:
    """由 A 增加到 B，增长 C% in one sentence: C against A and B."""
    words = check_words()
    by_sentence: dict[int, list[_Figure]] = {}
    for f in figures:
        if f.table is None:
            by_sentence.setdefault(f.sentence, []).append(f)
    out = []
    for number, group in by_sentence.items():
        if len(group) < 3 or number not in sentences:
            continue
        start, text = sentences[number]
        group.sort(key=lambda f: f.start)

        def between(x: _Figure, y: _Figure) -> str:
            return text[x.start + len(x.surface) - start:y.start - start]

        for a, b, c in zip(group, group[1:], group[2:]):
            lead = text[:a.start - start]
            clause = _CLAUSE_START.split(lead)[-1]
            link, after = between(a, b), between(b, c)
            if (not any(w in clause for w in words.of("from")) or not any(w in link for w in words.of("to"))
                    or _CLAUSE_END.search(link) or _CLAUSE_END.search(after) or len(after) > 12):
                continue
            fall = any(w in after for w in words.of("fall"))
            if not fall and not any(w in after for w in words.of("rise")):
                continue
            check = _growth_check(c, a, b, sign=-1 if fall else 1)
            if check is not None:
                out.append(check)
    return out


def arithmetic_checks(figures, sentences=None, first: dict[str, int] | None = None):
    """The ``checks`` table of ``figures`` (of one report or many): every check that can be made, in
    report then text order of the figure checked, numbered per report from 0 (or from ``first[doc_id]``).

    ``sentences``: the sentences table, for checks in prose (without it only tables are checked).
    Pure: the inputs are not modified.
    """
    from analysis.tables.frames import columns_frame

    names = contract.columns("checks")
    data: dict[str, list] = {name: [] for name in names}
    if figures is None or figures.empty:
        return columns_frame("checks", data)
    usable_of = _figures_of(figures)
    wanted = {(doc, f.sentence) for doc, usable in usable_of.items() for f in usable if f.table is None}
    texts: dict[str, dict[int, tuple[int, str]]] = {}
    if wanted and sentences is not None and not sentences.empty:
        for doc_id, number, start, text in zip(sentences["doc_id"].tolist(), sentences["sentence"].tolist(),
                                               sentences["span_start"].tolist(), sentences["text"].tolist()):
            if (doc_id, number) in wanted:
                texts.setdefault(doc_id, {})[int(number)] = (int(start), _text(text))
    for doc_id, usable in usable_of.items():
        checks: list[_Check] = []
        tables: dict[int, list[_Figure]] = {}
        for f in usable:
            if f.table is not None:
                tables.setdefault(f.table, []).append(f)
        for cells in tables.values():
            rows = _rows_of(sorted(cells, key=lambda f: f.start))
            checks += _total_checks(rows) + _completion_checks(rows) + _share_checks(rows) + _table_growth_checks(rows)
        checks += _prose_growth_checks(usable, texts.get(doc_id, {}))
        kinds = contract.CHECK_KINDS
        checks.sort(key=lambda c: (c.checked.start, kinds.index(c.kind), [p.start for p in c.parts]))
        number = (first or {}).get(doc_id, 0)
        for check in checks:
            row = check.row()
            data["doc_id"].append(doc_id)
            data["check"].append(number)
            for name in names[2:]:
                data[name].append(row[name])
            number += 1
    return columns_frame("checks", data)
