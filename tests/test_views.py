"""What the notebooks show: ledger summary, coverage, headline figures, comparisons and caveats."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.publish import views

FIXTURE_CLEAN = Path(__file__).parent / "fixtures" / "clean_small"


@pytest.fixture(scope="module")
def tables():
    names = ["documents", "figures", "mentions", "dates", "sentences", "indicators", "indicator_definitions", "themes"]
    return {name: views.load(name, FIXTURE_CLEAN) for name in names}


def test_ledger_accounts_for_every_token(tables):
    ledger = views.ledger_summary(tables["mentions"])
    assert ledger["mentions"].sum() == len(tables["mentions"])
    assert ledger.iloc[0]["disposition"] == "figure"
    assert ledger.set_index("disposition").loc["figure", "mentions"] == len(tables["figures"])
    assert ledger.set_index("disposition").loc["bare", "label"] == "无单位数字"
    reasons = views.ledger_reasons(tables["mentions"])
    assert "figure" not in set(reasons["disposition"])


def test_coverage_is_province_by_theme_label(tables):
    figures = views.label_themes(tables["figures"], tables["themes"])
    coverage = views.coverage(figures)
    assert list(coverage.index) == ["湖南", "四川", "广东"]
    assert coverage.loc["湖南", "金融/资金"] == 2 and coverage.loc["广东", "金融/资金"] == 0
    assert coverage.to_numpy().sum() == len(figures)


def test_headline_figures_read_with_qualifiers(tables):
    headline = views.headline_figures(tables["figures"], "湖南")
    assert list(headline["value"]) == ["2.6万个", "近45万人", "超32亿元", "超1500户"]
    assert list(headline["as_of"])[:2] == ["截至发稿", "截至发稿"]
    assert headline["sentence_text"].str.len().min() > 0


def test_events_and_source_line(tables):
    events = views.province_events(tables["dates"], "四川", tables["sentences"])
    assert list(events["surface"]) == ["2月18日"] and events["text"].iloc[0].startswith("2月18日")
    assert views.source_line(tables["documents"]) == "来源：示例日报，2022-03-10"
    inferred = tables["documents"].assign(published=pd.Timestamp("2022-03-10"), published_inferred=True)
    assert views.source_line(inferred) == "来源：示例日报，2022-03-10（推定）"


def test_a_family_is_the_default_comparison_when_it_spans_more_provinces(tables):
    indicators = tables["indicators"]
    assert views.indicator_choices(indicators)[0] == "projects"  # completed in two, implemented in one
    table = views.comparison_table(indicators, "projects", ["广东", "湖南", "四川"], tables["figures"])
    assert list(table["province"]) == ["广东", "湖南", "四川"]
    assert list(table["value_text"]) == ["1.2万件", "2.6万个", "8120项"]
    caveats = views.caveats(indicators, "projects", ["广东", "湖南", "四川"], tables["indicator_definitions"])
    assert caveats[0].startswith("阶段或口径不同") and "实施中实事项目" in caveats[0]
    assert any(c.startswith("截至日期不同") for c in caveats)


def test_one_indicator_shares_its_note_once(tables):
    caveats = views.caveats(tables["indicators"], "projects_completed", ["湖南", "四川"])
    assert sum("Projects completed" in c for c in caveats) == 1


def test_per_capita_gaps_and_loose_values_are_caveats():
    indicators = pd.DataFrame({
        "doc_id": "d", "figure": [0, 1], "indicator": "rate", "family": "rate", "province": ["甲", "乙"],
        "value": [98.0, 97.0], "unit": "%", "unit_kind": "percent", "qualifier": ["exact", "lower_bound"],
        "as_of": [None, None], "per_10k": [float("nan")] * 2, "comparability_note": [None, None],
    })
    caveats = views.caveats(indicators, "rate", ["甲", "乙"])
    assert "非精确数（近、超、不到等）：乙" in caveats
    assert "无每万人数值（百分比、时长或人口未知）：甲、乙" in caveats


def test_family_table_puts_stages_side_by_side(tables):
    table = views.family_table(tables["indicators"], "projects_completed", ["湖南", "广东"], tables["indicator_definitions"])
    assert table.loc["湖南", "已完成实事项目"] == "2.6万个"
    assert table.loc["广东", "实施中实事项目"] == "1.2万件"


def test_views_do_not_modify_their_input(tables):
    before = tables["figures"].copy()
    views.headline_figures(tables["figures"], "湖南")
    views.coverage(views.label_themes(tables["figures"], tables["themes"]))
    pd.testing.assert_frame_equal(tables["figures"], before)


def test_figure_sources_quote_each_sentence_once(tables):
    lines = views.figure_sources(views.headline_figures(tables["figures"], "湖南"))
    assert len(lines) == 2
    assert lines[0].startswith("2.6万个（完成民生实事项目）；近45万人（新增城镇就业）\n")
    assert lines[0].endswith("新增城镇就业近45万人。")


def test_without_the_themes_table_codes_stand_in_for_labels(tables, tmp_path):
    assert views.load_optional("themes", tmp_path) is None
    labelled = views.label_themes(tables["figures"], None)
    assert list(labelled["theme_label"]) == list(tables["figures"]["theme"])
    bare = views.label_themes(tables["figures"].drop(columns="theme"), None)
    assert set(bare["theme_label"]) == {"other"}
