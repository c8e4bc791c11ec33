"""Like with like: a comparison puts side by side only the same indicator, stage and unit, names
the provinces that lack it, keeps stages in a table, and says its caveats in Chinese, once."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.publish import compare, views

FIXTURE_CLEAN = Path(__file__).parent / "fixtures" / "clean_small"
PROVINCES = ["湖南", "四川", "广东"]


@pytest.fixture(scope="module")
def tables():
    names = ["figures", "indicators", "indicator_definitions", "sentences"]
    return {name: views.load(name, FIXTURE_CLEAN) for name in names}


@pytest.fixture(scope="module")
def compared(tables):
    return compare.compare(tables["indicators"], tables["figures"], PROVINCES,
                           definitions=tables["indicator_definitions"], sentences=tables["sentences"])


def _key(keys, indicator):
    return keys[keys["indicator"] == indicator].iloc[0]


def test_the_same_stage_in_two_provinces_is_one_comparison_and_the_third_is_named_missing(compared):
    rows, keys = compared
    completed = _key(keys, "projects_completed")
    assert completed["comparable"] and completed["reporting"] == ["湖南", "四川"] and completed["missing"] == ["广东"]
    assert keys.iloc[0]["indicator"] == "projects_completed", "the most widely reported first"
    group = rows[rows["key"] == completed["key"]]
    assert list(group["written"]) == ["2.6万个", "8120项"], "件, 项 and 个 of projects count as one unit"


def test_another_stage_of_the_family_is_never_on_the_same_axis(compared):
    rows, keys = compared
    implemented = _key(keys, "projects_implemented")
    assert implemented["key"] != _key(keys, "projects_completed")["key"] and not implemented["comparable"]
    stages = dict(compare.stage_tables(rows, keys, PROVINCES))
    table = stages["办实事项目"]
    assert list(table.columns) == ["省份", "已完成实事项目", "实施中实事项目"]
    assert list(table["已完成实事项目"]) == ["2.6万个", "8120项", "—"]
    assert list(table["实施中实事项目"]) == ["—", "—", "1.2万件"]


def test_people_are_not_persons_times_and_households_are_not_people():
    rows = compare.comparison_rows(pd.DataFrame({
        "doc_id": "d", "figure": [0, 1, 2], "indicator": "visits", "family": "", "province": ["甲", "乙", "丙"],
        "value": [10.0, 20.0, 30.0], "value_high": None, "unit": ["人", "人次", "名"], "unit_kind": "people",
        "qualifier": "exact", "as_of": None, "per_10k": float("nan"), "comparability_note": ""}),
        pd.DataFrame(columns=["doc_id", "figure"]), ["甲", "乙", "丙"])
    keys = compare.comparisons(rows, ["甲", "乙", "丙"])
    assert sorted(map(sorted, keys["reporting"])) == [["丙", "甲"], ["乙"]], "名 counts as 人; 人次 apart"


def test_the_matrix_shows_every_indicator_with_missing_provinces_marked(compared):
    rows, keys = compared
    matrix = compare.matrix(rows, keys, PROVINCES)
    assert list(matrix.columns) == ["指标", *PROVINCES]
    jobs = matrix[matrix["指标"] == "城镇新增就业"].iloc[0]
    assert (jobs["湖南"], jobs["四川"], jobs["广东"]) == ("近45万人", "—", "—")


def test_values_per_resident_are_written_as_a_reader_writes_them(compared):
    rows, keys = compared
    per = compare.matrix(rows, keys, PROVINCES, per_resident=True)
    completed = per[per["指标"] == "已完成实事项目"].iloc[0]
    assert completed["湖南"] == "3.91个/万人" and completed["四川"] == "0.97项/万人"
    assert compare.per_resident_text(74771.16, "money", "元") == "7.48元/人", "money per person"
    assert compare.per_resident_text(float("nan"), "count", "个") == ""
    assert compare.per_resident_text(3.0, "percent", "%") == "", "a rate has no per-resident value"


def test_caveats_are_short_chinese_sentences_each_once(compared):
    rows, keys = compared
    lines = compare.caveats(rows, keys[keys["comparable"]])
    assert lines == list(dict.fromkeys(lines))
    assert any(line.startswith("已完成实事项目：已完成项目") for line in lines), "the indicator's own note, in Chinese"
    assert any("截至日期不同（湖南截至2022-03-10，四川截至2022-02-28）" in line for line in lines)
    assert not any("a" <= c.lower() <= "z" for line in lines for c in line)


def test_every_indicator_has_a_chinese_note_and_every_family_a_name():
    from analysis.tables.indicators import load_rules

    rules = load_rules()
    assert {r.indicator for r in rules} <= set(compare.indicator_notes())
    assert {r.family for r in rules} <= set(compare.family_labels())


def test_one_indicator_or_family_can_be_asked_for(compared, tables):
    rows, keys = compared
    one_rows, one_keys = compare.select(rows, keys, "projects")
    assert set(one_keys["indicator"]) == {"projects_completed", "projects_implemented"}
    assert set(one_rows["key"]) == set(one_keys["key"])
    assert "projects" in compare.indicator_codes(tables["indicators"])
    assert compare.title(PROVINCES, "projects") == "省份比较：办实事项目"
    assert compare.summary(keys, PROVINCES) == "湖南、四川、广东：4 项指标，其中 1 项有两个以上省份报告了同一指标、同一阶段、同一单位"


def test_the_comparison_key_takes_a_measure_column_when_the_data_has_one(tables):
    indicators = tables["indicators"].assign(measure=["level"] * len(tables["indicators"]))
    indicators.loc[indicators["figure"] == 4, "measure"] = "target"
    rows, keys = compare.compare(indicators, tables["figures"], PROVINCES, definitions=tables["indicator_definitions"])
    assert "measure_class" in compare.key_columns(rows)
    assert not _key(keys, "projects_completed")["comparable"], "a target is not an achieved figure"
    assert set(keys.loc[keys["indicator"] == "projects_completed", "label"]) == {"已完成实事项目", "已完成实事项目·目标"}


def test_a_cumulative_total_stands_beside_a_level_of_the_same_indicator(tables):
    """累计 says how a total was counted, not what it counts: both are what has been achieved."""
    indicators = tables["indicators"].assign(measure=["level"] * len(tables["indicators"]))
    indicators.loc[indicators["figure"] == 0, "measure"] = "cumulative"
    rows, keys = compare.compare(indicators, tables["figures"], PROVINCES, definitions=tables["indicator_definitions"])
    assert _key(keys, "projects_completed")["comparable"]
    assert set(keys.loc[keys["indicator"] == "projects_completed", "label"]) == {"已完成实事项目"}
