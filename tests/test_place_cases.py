"""Whose each figure is, and when: a table of invented reports, one per place source and trap.

Each row of ``tests/data/place_cases.tsv`` is a short report, one occurrence of a figure's surface in it and
the province (| between several, empty for national or unknown), place (official name of the finest
division) and as-of day that figure must get from ``build_tables``. Rows are data: a report that once
placed a figure wrong becomes a row.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from test_figure_cases import load_cases

from analysis.extract.places import find, place_text, resolve
from analysis.tables.build import TextSource, build_tables

CASES = Path(__file__).parent / "data" / "place_cases.tsv"
PUBLISHED = date(2023, 12, 31)


ROWS = load_cases(CASES)  # the same file format as figure_cases.tsv
_TABLES: dict[str, object] = {}


def _figures(text: str, title: str):
    key = title + "\x00" + text
    if key not in _TABLES:
        _TABLES[key] = build_tables(TextSource("case", text, PUBLISHED, title=title or None))["figures"]
    return _TABLES[key]


def test_every_place_source_and_trap_has_a_case():
    sources = {row["source"] for row in ROWS}
    assert {"title", "head line", "dateline", "site furniture", "national", "sentence", "table row",
            "place line", "caption", "section", "padded table", "respectively", "event name", "clause provinces",
            "province group"} <= sources
    assert len({row["case_id"] for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row["case_id"] for row in ROWS])
def test_place_of_a_figure(row):
    text = row["text"]
    start = -1
    for _ in range(int(row["occ"])):
        start = text.find(row["surface"], start + 1)
        assert start >= 0, f"occurrence {row['occ']} of {row['surface']!r} is not in the text"
    figures = _figures(text, row["title"])
    found = figures[figures["span_start"] == start]
    assert len(found) == 1, f"no figure at {row['surface']!r}"
    figure = found.iloc[0]
    got = (figure["province"], figure["place"], figure["as_of"])
    assert got == (row["province"], row["place"], row["as_of"]), row["note"]
    if figure["place"]:  # the code is the place's
        assert len(figure["place_code"]) == 6 and figure["place_code"].isdigit()
    else:
        assert figure["place_code"] == ""


@pytest.mark.parametrize(
    ("text", "context", "province"),
    [
        ("沿海城市", "", ""),  # 海城市 of 辽宁 is not read inside 沿海城市
        ("湖北发布", "", ""),  # an official account
        ("浙江新闻客户端", "", ""),
        ("湖北省新闻发布会", "", "湖北"),  # a press conference does place
        ("江苏网络零售额", "", "江苏"),  # 网络 is no site
        ("北京时间", "", ""),
        ("长治久安", "", ""),  # a short name that is mostly a word
        ("长治市", "", "山西"),
        ("昆山新增", "", ""),  # a county's short name never sets a province ...
        ("昆山新增", "江苏", "江苏"),  # ... it refines one
        ("获评全国文明城市", "", ""),
        ("江西省人民政府门户网站", "", ""),  # a government site's banner
        ("人民网江苏频道", "", ""),
        ("地址：江苏省南京市", "", ""),  # the site owner's address in the footer
        ("浙江省人民政府办公厅关于印发", "", "浙江"),  # a government office does place
    ],
)
def test_names_in_running_text(text, context, province):
    from analysis.extract.places import Place

    outer = Place((context,)) if context else Place()
    assert resolve(find(place_text(text)), outer).province == province


def test_no_subject_of_the_seed_or_the_genre_set_has_unbalanced_brackets_or_quotes():
    """Subjects are bar labels: every bracket and quote they open, they close (and none they do not open)."""
    from analysis.extract.subject import balance
    from analysis.raw.decode import read_text

    root = Path(__file__).resolve().parents[1]
    genre = root / "benchmarks" / "genre"
    with (genre / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        reports = [(genre / row["file"], date.fromisoformat(row["published"]))
                   for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    reports.append((root / "data" / "raw" / "000_ef22c67862e0d2cc.txt", date(2021, 12, 1)))
    unbalanced = []
    for path, published in reports:
        figures = build_tables(TextSource(path.stem, read_text(path).text, published))["figures"]
        unbalanced += [(path.stem, s) for s in figures["subject"] if isinstance(s, str) and balance(s) != s]
    assert not unbalanced
