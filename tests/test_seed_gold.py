"""The extractor against the hand-made answer key of the seed report (tests/data/seed_gold.tsv).

Gold format: see the header of the TSV and docs; one row per numeric mention, ``occ`` is the
1-based occurrence of ``surface`` in the report (``0`` on a trap row: every occurrence).
The report is read from data/raw/, never copied into the tests.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
GOLD = Path(__file__).resolve().parent / "data" / "seed_gold.tsv"
PUBLISHED = date(2021, 12, 1)

NUMERAL_CHARS = frozenset(
    "0123456789０１２３４５６７８９"
    "〇零一二三四五六七八九十百千万亿两"
    "壹贰叁肆伍陆柒捌玖拾佰仟萬億兩"
)


def read_gold() -> list[dict[str, str]]:
    with GOLD.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


GOLD_ROWS = read_gold()
STATS = [r for r in GOLD_ROWS if r["kind"] == "stat"]
DATES = [r for r in GOLD_ROWS if r["kind"] == "date"]
TRAPS = [r for r in GOLD_ROWS if r["kind"] == "trap"]
OPTIONAL = [r for r in GOLD_ROWS if r["kind"] == "optional"]


def row_id(row: dict[str, str]) -> str:
    return f"{row['kind']}:{row['surface']}#{row['occ']}"


def read_seed() -> str:
    try:
        from analysis.raw.report import load_source
    except ImportError:
        return SEED.read_text(encoding="utf-8")
    return load_source(SEED).text


@pytest.fixture(scope="module")
def seed_text() -> str:
    return read_seed()


@pytest.fixture(scope="module")
def mentions(seed_text):
    from analysis.extract.figures import extract

    return extract(seed_text, PUBLISHED)


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    spans, pos = [], text.find(surface)
    while pos >= 0:
        spans.append((pos, pos + len(surface)))
        pos = text.find(surface, pos + 1)
    return spans


def span(text: str, row: dict[str, str]) -> tuple[int, int]:
    spans = occurrences(text, row["surface"])
    occ = int(row["occ"])
    assert 1 <= occ <= len(spans), f"gold error: {row_id(row)} has {len(spans)} occurrences"
    return spans[occ - 1]


def at(mentions, start: int, end: int):
    found = [m for m in mentions if (m.start, m.end) == (start, end)]
    near = [(m.surface, m.disposition) for m in mentions if m.start < end + 4 and start - 4 < m.end]
    assert found, f"no mention spans [{start},{end}); nearby: {near}"
    return found[0]


def test_gold_is_well_formed(seed_text):
    # Guards the copy of the gold: every surface occurs as often as its occ says.
    for row in STATS + DATES + OPTIONAL:
        span(seed_text, row)
    for row in TRAPS:
        assert occurrences(seed_text, row["surface"]), row_id(row)


@pytest.mark.parametrize("row", STATS, ids=row_id)
def test_stat_found(row, seed_text, mentions):
    m = at(mentions, *span(seed_text, row))
    got = {
        "disposition": m.disposition,
        "value": None if m.value is None else Decimal(str(m.value)),
        "unit": m.unit,
        "qualifier": m.qualifier,
        "as_of": m.as_of,
    }
    want = {
        "disposition": "figure",
        "value": Decimal(row["value"]),
        "unit": row["unit"],
        "qualifier": row["qualifier"] or "exact",
        "as_of": row["as_of"],
    }
    assert got == want


@pytest.mark.parametrize("row", DATES, ids=row_id)
def test_date_found(row, seed_text, mentions):
    m = at(mentions, *span(seed_text, row))
    assert (m.disposition, m.date) == ("date", row["value"])


@pytest.mark.parametrize("row", TRAPS, ids=row_id)
def test_trap_is_not_a_figure(row, seed_text, mentions):
    for start, end in occurrences(seed_text, row["surface"]):
        touching = [m for m in mentions if m.start < end and start < m.end]
        assert touching, f"{row['surface']!r} at {start} is in no mention"
        assert all(m.disposition not in {"figure", "date"} for m in touching), [
            (m.surface, m.disposition) for m in touching
        ]


def test_every_figure_is_a_gold_stat(seed_text, mentions):
    allowed = {span(seed_text, r) for r in STATS + OPTIONAL}
    extra = [(m.surface, m.start) for m in mentions
             if m.disposition == "figure" and (m.start, m.end) not in allowed]
    assert extra == []


def test_no_date_row_among_figures(seed_text, mentions):
    date_spans = {span(seed_text, r) for r in DATES}
    assert [m.surface for m in mentions
            if m.disposition == "figure" and (m.start, m.end) in date_spans] == []


def test_ledger_accounts_for_every_numeral(seed_text, mentions):
    for m in mentions:
        assert 0 <= m.start < m.end <= len(seed_text)
        assert seed_text[m.start:m.end] == m.surface
    covered = [0] * len(seed_text)
    for m in mentions:
        for i in range(m.start, m.end):
            covered[i] += 1
    bad = [(i, seed_text[max(0, i - 3):i + 4]) for i, ch in enumerate(seed_text)
           if ch in NUMERAL_CHARS and covered[i] != 1]
    assert bad == []
