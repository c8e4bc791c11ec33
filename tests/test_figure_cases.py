"""The extractor on a table of cases: every table form and the long tail of real reports.

Each row of ``tests/data/figure_cases.tsv`` is a short text, one occurrence of a surface in it and what
that occurrence must be: a figure with its value, unit, qualifier, as-of date and, for a table cell, its
row label, column header and province; or no figure at all (with the dispositions that fit). Rows are
data: a snippet that once broke becomes a row, not a new test function.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from analysis.extract.figures import TableFigure, extract
from analysis.tables.build import TextSource, iter_rows

CASES = Path(__file__).parent / "data" / "figure_cases.tsv"
PUBLISHED = date(2021, 12, 1)


def _unescape(cell: str) -> str:
    out, i = [], 0
    while i < len(cell):
        if cell[i] == "\\" and i + 1 < len(cell):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(cell[i + 1], cell[i:i + 2]))
            i += 2
        else:
            out.append(cell[i])
            i += 1
    return "".join(out)


def load_cases(path: Path = CASES) -> list[dict[str, str]]:
    """The rows of the cases file, texts unescaped."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["text"] = _unescape(row["text"])
    return rows


def _span(text: str, surface: str, occ: int) -> tuple[int, int]:
    pos = -1
    for _ in range(occ):
        pos = text.find(surface, pos + 1)
        assert pos >= 0, f"occurrence {occ} of {surface!r} is not in the text"
    return pos, pos + len(surface)


ROWS = load_cases()


def test_case_ids_are_unique_and_every_form_has_figure_and_non_figure_rows():
    ids = [row["case_id"] for row in ROWS]
    assert len(ids) == len(set(ids))
    forms = {row["form"] for row in ROWS}
    for form in ("pipe", "whitespace", "html_flat", "unit_line", "long_tail", "spaced", "cell_lines", "corner",
                 "mixed_units", "grammar"):
        assert form in forms
        kinds = {row["expect"] for row in ROWS if row["form"] == form}
        assert kinds == {"figure", "not_figure"}, form


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] == "figure"], ids=lambda r: r["case_id"])
def test_figure(row):
    start, end = _span(row["text"], row["surface"], int(row["occ"]))
    mentions = extract(row["text"], PUBLISHED)
    found = [m for m in mentions if (m.start, m.end) == (start, end)]
    near = [(m.surface, m.disposition, m.reason) for m in mentions if m.start < end and start < m.end]
    assert found, f"no mention spans {row['surface']!r}; overlapping: {near}"
    m = found[0]
    assert m.disposition == "figure", (m.disposition, m.reason)
    assert m.value == Decimal(row["value"])
    assert (m.unit, m.qualifier, m.as_of) == (row["unit"], row["qualifier"] or "exact", row["as_of"])
    if row["row_label"] or row["column_header"]:
        assert isinstance(m, TableFigure) and m.table >= 0
        assert (m.row_label, m.column_header) == (row["row_label"], row["column_header"])
    if row["province"]:
        pieces = list(iter_rows(TextSource("case", row["text"], PUBLISHED)))
        figures = [f for piece in pieces for f in piece["figures"] if (f["span_start"], f["span_end"]) == (start, end)]
        expected = "" if row["province"] == "(none)" else row["province"]  # (none): the figure has no province
        assert [f["province"] for f in figures] == [expected]
        assert math.isclose(figures[0]["value"], float(row["value"]))


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] == "not_figure"], ids=lambda r: r["case_id"])
def test_not_figure(row):
    start, end = _span(row["text"], row["surface"], int(row["occ"]))
    overlapping = [m for m in extract(row["text"], PUBLISHED) if m.start < end and start < m.end]
    assert not [m for m in overlapping if m.disposition == "figure"], [(m.surface, m.reason) for m in overlapping]
    if row["note"].startswith("allowed:"):
        allowed = set(row["note"].removeprefix("allowed:").split(";")[0].strip().split("|"))
        assert {m.disposition for m in overlapping} <= allowed, [(m.surface, m.disposition) for m in overlapping]
