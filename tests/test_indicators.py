"""Indicators: rules as data, units gate the match, projects comparable across provinces."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from _datapkg_tables import census_population, contract_tables, seed_tables

from analysis.raw.census import load_provinces
from analysis.tables import indicators
from analysis.tables.enrich import enrich

# (subject, sentence, surface, unit, expected indicator or None): invented, other provinces
CASES = [
    ("梳理民生实事项目", "年初，湖南梳理民生实事项目2.3万个。", "2.3万个", "个", "projects_listed"),
    ("", "截至9月底，河南已完成民生实事项目1.1万件。", "1.1万件", "件", "projects_completed"),
    ("实施民生实事项目", "广西实施民生实事项目8600项。", "8600项", "项", "projects_implemented"),
    ("市县领导领办实事项目", "市县领导领办实事项目900余项。", "900余项", "项", "projects_led"),
    ("实事项目", "今年全省实事项目共1200个。", "1200个", "个", "projects_reported"),
    ("城镇新增就业", "前三季度，河南城镇新增就业98.6万人。", "98.6万人", "人", "new_urban_jobs"),
    ("热线受理来电", "海南12345热线受理来电120万件。", "120万件", "件", "hotline_requests"),
    ("群众满意率", "群众满意率达98.7%。", "98.7%", "%", "rate_satisfaction"),
    ("", "贵州加装电梯完成审批860台，已建成投入使用420台。", "420台", "台", "elevators_completed"),
    ("", "贵州加装电梯完成审批860台，已建成投入使用420台。", "860台", "台", "elevators_approved"),
    ("发放普惠小微贷款", "云南累计发放普惠小微贷款1200亿元。", "1200亿元", "元", "credit_loans"),
    ("基础养老金", "甘肃将基础养老金每月提高10元。", "10元", "元", "pension_increase"),
    ("修缮村级文化广场", "贵州修缮村级文化广场150处。", "150处", "处", None),
]


@pytest.mark.parametrize("subject, sentence, surface, unit, expected", CASES)
def test_indicator_of_invented_figures(subject, sentence, surface, unit, expected):
    figure = pd.DataFrame([{"doc_id": "d", "figure": 0, "sentence": 0, "span_start": 0, "surface": surface,
                            "unit": unit, "subject": subject, "sentence_text": sentence}])
    result = indicators.assign(figure).iloc[0]
    assert (None if pd.isna(result) else result) == expected


def test_unit_gates_the_rule():
    # Same words, a money unit: a count-of-projects rule must not take it.
    assert indicators.match("完成民生实事项目", "完成民生实事项目30亿元", "", "元") is None
    assert indicators.match("完成民生实事项目", "完成民生实事项目30个", "", "个").indicator == "projects_completed"


def test_subject_is_tried_before_the_clause():
    # The clause lists three rates with one verb; each subject names its own.
    clause = "按时办结率、回复率、满意率分别达99%、98%、97%"
    assert indicators.match("回复率", clause, "", "%").indicator == "rate_response"
    assert indicators.match("满意率", clause, "", "%").indicator == "rate_satisfaction"


def test_rule_table_is_consistent():
    rules = indicators.load_rules()
    assert len({r.indicator for r in rules}) == len(rules)
    for rule in rules:
        assert rule.unit_kind in {"count", "money", "people", "area", "length", "weight", "percent",
                                  "duration", "frequency", "volume", "ratio", "other"}, rule.indicator
        if rule.unit_kind in {"percent", "duration", "frequency"}:
            assert not rule.per_capita, rule.indicator
    families = pd.DataFrame([(r.family, r.indicator, r.comparability_note) for r in rules],
                            columns=["family", "indicator", "note"])
    # a family with several stages must say how they compare
    multi = families.groupby("family").filter(lambda g: len(g) > 1)
    assert (multi["note"].str.len() > 20).all()


def test_figures_feeding_none_stay_visible():
    tables = enrich(contract_tables(), load_provinces())
    figures, fed = tables["figures"], tables["indicators"]
    unfed = figures[figures["indicator"].isna()]
    assert len(unfed) > 0 and "修缮村级文化广场" in unfed["subject"].tolist()
    assert len(fed) == figures["indicator"].notna().sum()
    assert set(zip(fed["doc_id"], fed["figure"])) == set(zip(*figures.loc[figures["indicator"].notna(), ["doc_id", "figure"]].T.values))


@pytest.fixture(scope="module")
def seed():
    return seed_tables()


def test_seed_projects_family_comparable_across_three_provinces(seed):
    rows = seed["indicators"].query("family == 'projects' and indicator != 'projects_led'")
    assert rows["province"].nunique() >= 3
    assert rows["indicator"].nunique() >= 3  # listed, implemented, completed: different stages
    assert rows["comparability_note"].str.contains("stages").all()
    population = census_population()
    # Hand computation from the census file and the report's figures (the answer key's values).
    expected = {"吉林": 42500, "江苏": 55000, "福建": 109951}
    for province, value in expected.items():
        row = rows[rows["province"] == province]
        assert row["value"].tolist() == [value]
        assert row["per_10k"].iloc[0] == pytest.approx(value / population[province] * 10000, rel=1e-12)
    assert rows.set_index("province").loc["吉林", "per_10k"] == pytest.approx(17.6543, abs=1e-4)


def test_seed_rates_and_durations_have_no_per_capita(seed):
    rows = seed["indicators"]
    no_capita = rows[rows["unit_kind"].isin(["percent", "duration", "frequency"])]
    assert len(no_capita) >= 4
    assert no_capita["per_10k"].isna().all()
    counted = rows[rows["unit_kind"].isin(["count", "people"]) & rows["province"].notna()]
    assert counted["per_10k"].notna().sum() >= 10


def test_seed_every_figure_keeps_its_link(seed):
    figures, rows = seed["figures"], seed["indicators"]
    linked = figures.merge(rows[["doc_id", "figure", "indicator"]], on=["doc_id", "figure"], how="inner",
                           suffixes=("", "_row"))
    assert (linked["indicator"] == linked["indicator_row"]).all()
    assert len(linked) == figures["indicator"].notna().sum()
    assert not math.isnan(figures["value"].sum())


# An invented report in the genre (other provinces, other wording), through the real extractor.
UNSEEN = (
    "湖南、广西、四川——用心用情为群众办实事　　各地持续深化“我为群众办实事”实践活动。　　湖南：聚焦急难愁盼　　"
    "截至11月底，湖南累计梳理民生实事项目2.6万个，城镇新增就业71.2万人。全省发放创业担保贷款超45亿元，"
    "新建社区养老服务站1200余个。　　广西：实事办到心坎上　　广西各级党组织已完成为民办实事项目3.1万件，"
    "组建党员志愿服务队1.5万支。全区12345热线受理群众诉求420万件，群众满意率98.6%。　　四川：群众家门口的实事　　"
    "截至目前，四川实施民生实事项目4.8万项，老旧小区改造惠及居民26万户，既有住宅加装电梯完成加装1800台。"
)


def test_unseen_report_feeds_the_same_indicators():
    from datetime import date

    from analysis.tables.build import TextSource, build_tables
    from analysis.tables.enrich import validate

    source = TextSource("901_unseen", UNSEEN, date(2021, 12, 5), path="unseen.txt", sha256="0" * 64)
    tables = validate(enrich(build_tables(source), load_provinces()))
    rows = tables["indicators"].set_index(["province", "indicator"])
    population = census_population()
    for province, indicator, value in [("湖南", "projects_listed", 26000), ("广西", "projects_completed", 31000),
                                       ("四川", "projects_implemented", 48000)]:
        assert rows.loc[(province, indicator), "value"] == value
        assert rows.loc[(province, indicator), "per_10k"] == pytest.approx(value / population[province] * 10000)
    assert rows.loc[("湖南", "new_urban_jobs"), "value"] == 712000
    assert rows.loc[("广西", "hotline_requests"), "value"] == 4200000
    assert pd.isna(rows.loc[("广西", "rate_satisfaction"), "per_10k"])
    assert rows.loc[("四川", "elevators_completed"), "value"] == 1800
    themes = tables["figures"].groupby("province")["theme"].agg(set)
    assert themes["湖南"] == {"projects", "employment", "finance", "elderly"}
    assert themes["四川"] == {"projects", "housing"}
