"""Themes: keyword rules as data, subject before clause before sentence, nothing dropped."""

from __future__ import annotations

import pandas as pd
import pytest
from _datapkg_tables import contract_tables, seed_tables

from analysis.tables import themes
from analysis.tables.context import clause_at
from analysis.tables.indicators import load_rules

REQUIRED = {"projects", "employment", "elderly", "finance", "public_services", "volunteers", "study",
            "publicity", "agriculture", "housing", "other"}


def one_figure(subject: str, sentence: str, surface: str, **extra) -> pd.DataFrame:
    return pd.DataFrame([{"doc_id": "d", "figure": 0, "sentence": 0, "span_start": 0, "surface": surface,
                          "subject": subject, "sentence_text": sentence, **extra}])


# (subject, sentence, surface, expected theme): invented sentences in the genre, other provinces
CASES = [
    ("新开工民生实事项目", "今年以来，湖南新开工民生实事项目860个。", "860个", "projects"),
    ("城镇新增就业", "前三季度，河南城镇新增就业98.6万人。", "98.6万人", "employment"),
    ("新建社区养老服务站", "广西新建社区养老服务站320个。", "320个", "elderly"),
    ("发放普惠小微贷款", "云南累计发放普惠小微贷款1200亿元。", "1200亿元", "finance"),
    ("政务服务事项实现网上办理", "浙江98%的政务服务事项实现网上办理。", "98%", "public_services"),
    ("党员志愿者", "上海组织党员志愿者12万人次下沉社区。", "12万人次", "volunteers"),
    ("举办党史学习教育专题讲座", "陕西举办党史学习教育专题讲座3000余场。", "3000余场", "study"),
    ("推送短视频", "天津推送短视频1.2万条。", "1.2万条", "publicity"),
    ("推广保护性耕作面积", "黑龙江推广保护性耕作面积4000万亩，农业机械化水平稳步提高。", "4000万亩", "agriculture"),
    ("改造老旧小区", "重庆改造老旧小区1500个，惠及居民30万户。", "1500个", "housing"),
    ("修缮村级文化广场", "贵州修缮村级文化广场150处。", "150处", "other"),
]


@pytest.mark.parametrize("subject, sentence, surface, expected", CASES)
def test_theme_of_invented_figures(subject, sentence, surface, expected):
    primary, long = themes.classify(one_figure(subject, sentence, surface))
    assert primary.tolist() == [expected]
    assert long.loc[long["primary"], "theme"].tolist() == [expected]


def test_required_themes_are_in_the_table_and_codes_unique():
    table = themes.themes_table()
    assert REQUIRED <= set(table["theme"])
    assert table["theme"].is_unique
    assert table.set_index("theme").loc["other", "keywords"] == ""


def test_every_indicator_theme_exists():
    assert {rule.theme for rule in load_rules()} <= set(themes.themes_table()["theme"])


def test_keywords_are_genre_words_not_report_phrases():
    # A rule keyed on one report would need long phrases; genre words are short.
    for theme in themes.load_themes():
        assert all(1 < len(k) <= 6 for k in theme.keywords), theme.theme


def test_unmatched_figure_is_kept_as_other_with_one_row():
    primary, long = themes.classify(one_figure("修缮村级文化广场", "贵州修缮村级文化广场150处。", "150处"))
    assert primary.tolist() == ["other"]
    assert long[["theme", "matched_on", "primary"]].values.tolist() == [["other", "none", True]]
    assert long["keyword"].isna().all()


def test_subject_beats_sentence_and_priority_breaks_ties():
    # The sentence talks about projects; the subject is about pensions and money.
    figure = one_figure("提高养老金补助资金", "湖北落实民生实事项目，提高养老金补助资金5亿元。", "5亿元")
    primary, long = themes.classify(figure)
    assert primary.tolist() == ["elderly"]  # elderly (50) before finance (70), both in the subject
    touched = dict(zip(long["theme"], long["matched_on"]))
    assert touched == {"elderly": "subject", "finance": "subject", "projects": "sentence"}


def test_clause_beats_the_rest_of_the_sentence():
    sentence = "安徽推进民生实事项目，新增城镇就业岗位5万个。"
    primary, _ = themes.classify(one_figure("", sentence, "5万个"))
    assert primary.tolist() == ["employment"]
    assert clause_at(sentence, sentence.index("5万个")) == "新增城镇就业岗位5万个"


def test_in_a_long_sentence_the_nearest_keyword_wins():
    sentence = "山西实施民生实事项目，开展高标准农田建设，新建灌溉渠道80公里"
    primary, _ = themes.classify(one_figure("灌溉渠道", sentence, "80公里"))
    # clause "新建灌溉渠道80公里" has no keyword; 农田 is nearer than 民生实事
    assert primary.tolist() == ["agriculture"]


def test_indicator_theme_overrides_keywords():
    figure = one_figure("发放创业担保贷款", "四川发放创业担保贷款45亿元。", "45亿元")
    primary, long = themes.classify(figure, indicator_themes=pd.Series(["finance"]))
    assert primary.tolist() == ["finance"]
    flags = long.set_index("theme")["primary"]
    assert flags["finance"] and not flags["employment"]


def test_classify_keeps_every_figure_and_does_not_mutate():
    tables = contract_tables()
    figures = tables["figures"]
    before = figures.copy()
    primary, long = themes.classify(figures, tables["sentences"])
    pd.testing.assert_frame_equal(figures, before)
    assert len(primary) == len(figures) and primary.notna().all()
    assert set(zip(long["doc_id"], long["figure"])) == set(zip(figures["doc_id"], figures["figure"]))
    assert long.groupby(["doc_id", "figure"])["primary"].sum().eq(1).all()


def test_seed_each_province_groups_its_figures_into_themes():
    figures = seed_tables()["figures"]
    assert figures["theme"].notna().all()
    by_province = figures.groupby("province")["theme"].nunique()
    assert set(by_province.index) >= {"吉林", "江苏", "福建", "江西"}
    assert (by_province >= 3).all()
