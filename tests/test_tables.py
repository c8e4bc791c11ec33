"""The per-document tables: columns, dtypes, spans into the original text, provinces, determinism."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.tables import contract
from analysis.tables.build import TextSource, build_tables
from analysis.tables.frames import dtype

TABLE_NAMES = contract.EXTRACTED_TABLES
COLUMNS = {name: {c.name: dtype(c) for c in contract.TABLES[name].columns if not c.enriched} for name in TABLE_NAMES}

REPORT = (
    "两省区民生实事进展\n"
    "宁夏：办好群众家门口的事\n"
    "截至１０月底，宁夏累计改造老旧小区３１２个，惠及居民４．６万户。\n"
    "全区12345热线受理诉求58万余件，办结率98.6%。\n"
    "西藏：守护高原群众健康\n"
    "今年6月，西藏启动义诊活动，近2000名医生下乡，服务群众超过15万人次。\n"
)


@pytest.fixture(scope="module")
def tables():
    return build_tables(TextSource("demo", REPORT, date(2021, 12, 1), path="data/raw/demo.txt"))


def test_every_table_has_its_declared_columns_and_dtypes(tables):
    assert set(tables) == set(TABLE_NAMES)
    for name, df in tables.items():
        assert list(df.columns) == list(COLUMNS[name]), name
        for column, dtype in COLUMNS[name].items():
            assert str(df[column].dtype).startswith(dtype.split("[")[0]) or (
                dtype == "string" and isinstance(df[column].dtype, pd.StringDtype)
            ), (name, column, df[column].dtype)


def test_spans_point_at_the_surface_in_the_original_text(tables):
    for name in ("figures", "dates", "mentions"):
        for row in tables[name].itertuples():
            assert REPORT[row.span_start:row.span_end] == row.surface
    for row in tables["sentences"].itertuples():
        assert REPORT[row.span_start:row.span_end] == row.text


def test_figures_carry_province_value_unit_qualifier_and_as_of(tables):
    figures = tables["figures"].set_index("surface")
    assert figures.loc["３１２个", ["province", "value", "unit", "as_of"]].tolist() == ["宁夏", 312.0, "个", "2021-10-31"]
    assert bool(figures.loc["３１２个", "cumulative"])
    assert figures.loc["４．６万户", "value"] == 46000.0
    assert figures.loc["58万余件", "qualifier"] == "lower_bound"
    assert figures.loc["2000名", ["province", "qualifier"]].tolist() == ["西藏", "approx"]
    assert figures.loc["15万人次", ["value", "unit", "qualifier"]].tolist() == [150000.0, "人次", "lower_bound"]
    assert "12345" not in "".join(figures.index)


def test_dates_are_resolved_and_mark_their_role(tables):
    dates = tables["dates"].set_index("surface")
    assert dates.loc["１０月底", ["date", "role"]].tolist() == ["2021-10-31", "as_of"]
    assert dates.loc["今年6月", ["date", "date_start", "date_end", "role"]].tolist() == [
        "2021-06", "2021-06-01", "2021-06-30", "event",
    ]


def test_documents_row_counts_what_the_other_tables_hold(tables):
    doc = tables["documents"].iloc[0]
    assert doc["n_figures"] == len(tables["figures"])
    assert doc["n_mentions"] == len(tables["mentions"])
    assert doc["n_sections"] == len(tables["sections"]) == 3
    assert doc["published"] == "2021-12-01"
    assert doc["title"] == "两省区民生实事进展"


def test_ledger_accounts_for_every_figure_and_date(tables):
    ledger = tables["mentions"]
    assert (ledger["disposition"] == "figure").sum() == len(tables["figures"])
    assert (ledger["disposition"] == "date").sum() == len(tables["dates"])
    assert ledger["mention"].tolist() == list(range(len(ledger)))


def test_building_twice_gives_equal_tables_and_leaves_the_source_alone(tables):
    source = TextSource("demo", REPORT, date(2021, 12, 1), path="data/raw/demo.txt")
    again = build_tables(source)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(tables[name], again[name])
    assert source.text == REPORT


def test_a_text_without_numbers_gives_empty_typed_tables():
    empty = build_tables(TextSource("quiet", "这篇短文没有任何数字。"))
    assert empty["figures"].empty and empty["mentions"].empty
    assert list(empty["figures"].columns) == list(COLUMNS["figures"])
    assert empty["documents"].iloc[0]["published"] == ""


def test_sentence_text_of_a_run_on_text_is_cut_around_the_figure():
    # no full stop at all: each figure must not repeat the whole text (the table would grow quadratically)
    text = "新建公园12个，" * 400
    figures = build_tables(TextSource("long", text))["figures"]
    assert len(figures) == 400
    assert figures["sentence_text"].str.len().max() <= 302
    middle = figures.iloc[200]
    assert middle["surface"] in middle["sentence_text"]
    assert middle["sentence_text"].startswith("…") and middle["sentence_text"].endswith("…")


def test_tables_built_window_by_window_equal_tables_built_at_once(tables):
    # a long report is read in windows cut at line breaks; small windows must not change any row
    from analysis.tables.build import iter_tables

    text = REPORT.replace("。", "。\n") * 12  # each window carries 512 characters of context each side
    whole = build_tables(TextSource("demo", text, date(2021, 12, 1), path="data/raw/demo.txt"))
    for size in (1, 100, 700):
        pieces = list(iter_tables(TextSource("demo", text, date(2021, 12, 1), path="data/raw/demo.txt"), size))
        assert len(pieces) > 2
        for name in TABLE_NAMES:
            joined = pd.concat([p[name] for p in pieces], ignore_index=True)
            pd.testing.assert_frame_equal(joined, whole[name], obj=f"{name} in windows of {size}")
