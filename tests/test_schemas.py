"""validate(): every clean table against its pandera schema, plus the references between tables."""

from __future__ import annotations

import pandas as pd
import pytest
from _datapkg_tables import contract_tables, make_tables

from analysis.raw.census import load_provinces
from analysis.tables.contract import CLEAN_TABLES, REVIEW_TABLES, columns
from analysis.tables.enrich import enrich, validate
from analysis.tables.schemas import TableError


@pytest.fixture
def tables():
    return enrich(contract_tables(), load_provinces())


def problems(tables) -> list[str]:
    with pytest.raises(TableError) as caught:
        validate(tables)
    return caught.value.problems


def test_fixture_tables_are_valid_and_come_back_in_schema_order(tables):
    checked = validate(tables)
    assert set(checked) == set(CLEAN_TABLES) - set(REVIEW_TABLES)  # clean adds the corrections it applied
    for name, df in checked.items():
        assert list(df.columns) == columns(name), name
    assert checked["figures"]["cumulative"].dtype == bool


def test_offsets_of_the_fixture_hold():
    tables = make_tables()
    text = tables.pop("text")
    for name in ("figures", "mentions", "dates"):
        df = tables[name]
        assert [text[s:e] for s, e in zip(df["span_start"], df["span_end"])] == df["surface"].tolist()


def test_bad_qualifier_names_table_column_row_and_value(tables):
    tables["figures"].loc[3, "qualifier"] = "roughly"
    [problem] = problems(tables)
    assert problem.startswith("figures.qualifier: fails isin")
    assert "rows 3" in problem and "'roughly'" in problem


def test_orphan_figure_is_rejected(tables):
    tables["figures"].loc[2, "doc_id"] = "no_such_report"
    found = "\n".join(problems(tables))
    assert "figures.doc_id: rows 2 reference no row of documents.doc_id (values 'no_such_report')" in found
    assert "figures.doc_id+section: rows 2 reference no row of sections.doc_id+section" in found


def test_duplicate_key_is_rejected(tables):
    tables["figures"].loc[5, "figure"] = tables["figures"].loc[4, "figure"]
    assert "figures.doc_id+figure: duplicate key at rows 4, 5" in problems(tables)


def test_unknown_province_is_rejected(tables):
    tables["figures"].loc[1, "province"] = "广州"  # a city, not a province
    found = "\n".join(problems(tables))
    assert "figures.province: rows 1 reference no row of provinces.province (values '广州')" in found


def test_bad_unit_kind_theme_and_disposition_are_rejected(tables):
    tables["figures"].loc[0, "unit_kind"] = "bananas"
    tables["figures"].loc[0, "theme"] = "sports"
    tables["mentions"].loc[0, "disposition"] = "guess"
    found = "\n".join(problems(tables))
    assert "figures.unit_kind: fails isin" in found
    assert "figures.theme: rows 0 reference no row of themes.theme (values 'sports')" in found
    assert "mentions.disposition: fails isin" in found


def test_bad_as_of_and_span_order_are_rejected(tables):
    tables["figures"].loc[0, "as_of"] = "last year"
    tables["sentences"].loc[0, "span_end"] = tables["sentences"].loc[0, "span_start"]
    found = "\n".join(problems(tables))
    assert "figures.as_of: fails str_matches" in found
    assert "sentences: fails spans_ordered at rows 0" in found


def test_missing_column_and_unknown_table_are_rejected(tables):
    tables["figures"] = tables["figures"].drop(columns=["qualifier"])
    tables["extras"] = pd.DataFrame({"x": [1]})
    found = "\n".join(problems(tables))
    assert "extras: no schema for this table" in found


def test_missing_column_is_named(tables):
    tables["figures"] = tables["figures"].drop(columns=["qualifier"])
    found = "\n".join(problems(tables))
    assert "figures" in found and "qualifier" in found


def test_missing_referenced_table_is_reported(tables):
    del tables["provinces"]
    assert any("references table provinces, which is missing" in p for p in problems(tables))


def test_blank_strings_become_missing_and_inputs_are_untouched():
    raw = contract_tables()
    raw["figures"].loc[0, "as_of"] = ""
    before = raw["figures"].copy()
    out = enrich(raw, load_provinces())
    pd.testing.assert_frame_equal(raw["figures"], before)
    assert pd.isna(out["figures"].loc[0, "as_of"]) and pd.isna(out["figures"].loc[0, "province"])


GENRE_PIECES = ["广东：", "四川省", "截至10月底，", "累计", "完成", "实事项目", "3.6万个", "约5亿元", "98%", "，", "。",
                "\n", "　　", "新增就业", "12万人", "11月3日", "今年5月", "第一次", "12345热线", "三级", "近", "余",
                "1.2万", "人次", "一是", "百分之九十", "前三季度", "2021年", "、", "（1）", "不到", "100", "户", "北京："]


@pytest.mark.slow
def test_extractor_output_always_fits_the_schemas():
    # Whatever the extractor makes of genre-like text, enrich + validate must accept it: a failure
    # here means the schemas and the extractor disagree about the contract.
    from datetime import date

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from analysis.tables.build import TextSource, build_tables

    provinces = load_provinces()

    @settings(max_examples=15, deadline=None)
    @given(st.lists(st.sampled_from(GENRE_PIECES), min_size=1, max_size=30), st.sampled_from([date(2021, 12, 1), None]))
    def check(pieces, published):
        source = TextSource("d", "".join(pieces), published, path="d.txt", sha256="0" * 64)
        validate(enrich(build_tables(source), provinces))

    check()


def test_enrich_names_missing_input_columns():
    tables = contract_tables()
    tables["figures"] = tables["figures"].drop(columns=["subject", "sentence_text"])
    with pytest.raises(TableError, match="figures: missing column subject, sentence_text"):
        enrich(tables, load_provinces())


def test_dates_without_a_known_year_are_accepted():
    from analysis.tables.build import TextSource, build_tables

    source = TextSource("r", "甲区：新建公园3个\n截至9月底，该区累计培训100人次。", None, path="r.txt", sha256="0" * 64)
    tables = validate(enrich(build_tables(source), load_provinces()))
    assert tables["dates"]["date"].tolist() == ["--09"]
    assert pd.isna(tables["figures"]["as_of"].tolist()[-1])  # no year, so no day: as_of stays empty


@pytest.mark.slow
def test_batches_check_references_to_rows_of_earlier_batches_and_the_open_section():
    from datetime import date

    from analysis.tables.build import TextSource, frames_of, iter_rows
    from analysis.tables.enrich import Batches

    text = "\n".join(["青海：守护群众健康", "全年培训基层医生1200多人次。"] * 60)
    pieces = list(iter_rows(TextSource("q", text, date(2021, 12, 1), path="q.txt", sha256="0" * 64), 200))
    assert len(pieces) > 3
    batches = Batches(load_provinces())
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        batches.check(frames_of([piece]), open_doc=None if last else "q")  # each batch alone is valid

    # a sentence pointing past the section the report is in is caught
    later = frames_of([pieces[1]])
    later["sentences"] = later["sentences"].assign(section=later["sentences"]["section"] + 5)
    with pytest.raises(TableError, match=r"sentences\.doc_id\+section"):
        Batches(load_provinces()).check(later, open_doc="q")
