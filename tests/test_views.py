"""What the notebooks show: ledger summary, coverage, headline figures, comparisons and caveats."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.publish import views

FIXTURE_CLEAN = Path(__file__).parent / "fixtures" / "clean_small"


@pytest.fixture(scope="module")
def tables():
    names = ["documents", "figures", "mentions", "dates", "sentences", "indicators", "indicator_definitions", "themes",
             "provinces"]
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


def test_events_and_source_line(tables):
    events = views.province_events(tables["dates"], "四川", tables["sentences"])
    assert list(events["surface"]) == ["2月18日"] and events["text"].iloc[0].startswith("2月18日")
    assert views.source_line(tables["documents"]) == "来源：示例日报，2022-03-10"
    inferred = tables["documents"].assign(published=pd.Timestamp("2022-03-10"), published_inferred=True)
    assert views.source_line(inferred) == "来源：示例日报，2022-03-10（推定）"


def test_views_do_not_modify_their_input(tables):
    before = tables["figures"].copy()
    views.headline_view(tables["figures"], "湖南", provinces=tables["provinces"], sentences=tables["sentences"])
    views.figure_sources_view(tables["figures"], "湖南")
    views.coverage(views.label_themes(tables["figures"], tables["themes"]))
    pd.testing.assert_frame_equal(tables["figures"], before)


def test_figure_sources_quote_each_sentence_once(tables):
    table = views.figure_sources_view(tables["figures"], "湖南")
    assert len(table) == 2 and list(table.columns) == ["原句", "读出的数字"]
    assert table["读出的数字"].iloc[0] == "2.6万个；近45万人"
    assert table["原句"].iloc[0].endswith("新增城镇就业近45万人。")


def test_without_the_themes_table_codes_stand_in_for_labels(tables, tmp_path):
    assert views.load_optional("themes", tmp_path) is None
    labelled = views.label_themes(tables["figures"], None)
    assert list(labelled["theme_label"]) == list(tables["figures"]["theme"])
    bare = views.label_themes(tables["figures"].drop(columns="theme"), None)
    assert set(bare["theme_label"]) == {"other"}


# --- what the reports show people ------------------------------------------------------------

@pytest.mark.parametrize(("prefix", "direction"), [
    ("明确将江西省基础养老金最低标准再提高", "up"), ("增长了约", "up"), ("时限缩短", "down"),
    ("时限缩短到", ""), ("提高至", ""), ("城镇新增就业", ""), ("累计列出实事项目", ""),
])
def test_changes_are_told_from_levels_by_the_words_before_the_number(prefix, direction):
    assert views.change_direction(prefix) == direction


def test_changes_of_a_table_use_each_figure_offset_in_its_sentence():
    text = "明确将养老金最低标准再提高5元，惠及527万人，人均5元。"
    figures = pd.DataFrame({"doc_id": ["d", "d"], "sentence": [0, 0], "span_start": [text.find("5元"), text.rfind("5元")],
                            "surface": ["5元", "5元"], "sentence_text": [text] * 2})
    sentences = pd.DataFrame({"doc_id": ["d"], "sentence": [0], "span_start": [0]})
    assert views.changes(figures, sentences) == ["up", ""]


@pytest.mark.parametrize(("surface", "unit", "written"), [
    ("3个工作日", "个", "个工作日"), ("4.25万个", "个", "个"), ("1200多户", "户", "户"), ("近1000万亩", "亩", "亩"),
    ("三千七百余项", "项", "项"), ("百分之九十", "%", "%"), ("99.89%", "%", "%"),
])
def test_units_stay_whole_as_written(surface, unit, written):
    assert views.unit_as_written(surface, unit) == written


@pytest.mark.parametrize(("subject", "sentence", "shown"), [
    ("成立调研指导组分赴各任务县指", "共成立9个调研指导组分赴各任务县指导免耕作业", "成立调研指导组"),
    ("惠及80个县（区", "惠及80个县（区）337万人", "惠及80个县（区）"),
    ("区）县处级以上领导班子成员领办", None, "县处级以上领导班子成员领办"),
    ("党员干部认领群众“微心愿", "党员干部认领群众“微心愿”19.5万个", "党员干部认领群众“微心愿”"),
    ("列出实事项目", "累计列出实事项目4.25万个", "列出实事项目"),
    ("全省城乡居民基本医疗保险财政补助标准提高部分资金", None, "全省城乡居民基本医疗保险财政补…"),
    ("新建养老服务站和社区食堂以及老年人活动中心", None, "新建养老服务站和社区食堂"),
])
def test_labels_close_brackets_and_cut_at_word_boundaries(subject, sentence, shown):
    assert views.label(subject, sentence) == shown


def test_the_profile_table_is_for_people(tables):
    from analysis.publish.styling import Links

    figures = views.label_themes(tables["figures"], tables["themes"])
    links = Links("province_profile", Path("/p/reports"), Path("/p/data/clean"), Path("/p/reports/province_profile"))
    table = views.headline_view(figures, "湖南", provinces=tables["provinces"], sentences=tables["sentences"], links=links)
    assert list(table.columns) == ["主题", "统计对象", "数值", "人均", "截至", "原文"], "变化 only when a figure is one"
    assert list(table["数值"]) == ["2.6万个", "近45万人", "超32亿元", "1500多户"], "as the report writes them"
    people = table.loc[table["数值"] == "近45万人", "人均"].iloc[0]
    assert people.endswith("人/万人"), "people per 10,000 residents"
    money = table.loc[table["数值"] == "超32亿元", "人均"].iloc[0]
    assert money.startswith("超") and money.endswith("元/人"), "money per person, as a reader writes it"
    assert table.loc[table["数值"] == "2.6万个", "人均"].iloc[0] == "", "counts do not, in the profile"
    assert table["原文"].iloc[0] == '<a href="../source/fixture_report.html#f-0">编号0</a>'
    assert table.index.tolist() == list(range(len(table)))


def test_links_from_a_staged_report_point_where_the_page_will_be(tmp_path):
    from analysis.publish.styling import Links

    clean = tmp_path / "data" / "clean"
    clean.mkdir(parents=True)
    (clean / "figures.csv").write_text("x", encoding="utf-8")
    staged = Links.of("province_profile", str(tmp_path / "reports" / ".staging-1234-abc"), clean)
    final = Links.of("province_profile", str(tmp_path / "reports"), clean)
    assert staged == final
    assert final.table("figures") == "../data/figures.csv", "the copy published inside reports/"
    assert final.source("d1", 3) == "../source/d1.html#f-3"


def test_a_capped_table_says_how_many_rows_and_links_the_csv(tmp_path):
    from analysis.publish import styling

    links = styling.Links("overview", tmp_path / "reports", tmp_path / "clean", tmp_path / "reports" / "overview")
    frame = pd.DataFrame({"省份": [f"省{i}" for i in range(60)], "占比": [i / 100 for i in range(60)]})
    html = styling.table(frame, percent=["占比"], max_rows=10, csv_name="figures", links=links)._repr_html_()
    assert html.count("<tr") == 11 and "共 60 行，这里只列前 10 行" in html and "../../clean/figures.csv" in html
    assert "9.0%" in html and "<th class=\"blank" not in html and ">0<" not in html.split("<tbody>")[1][:200]


def test_a_bullet_list_says_each_line_once():
    from analysis.publish import styling

    lines = ["甲：注意一。", "乙：注意二。"]
    html = styling.bullet_list(lines + lines)._repr_html_()
    assert html.count("<li>") == 2 and "<pre" not in html
    assert styling.bullet_list([], empty="没有记录的注意事项。")._repr_html_() == "<p>没有记录的注意事项。</p>"


def test_tables_carry_their_own_styles_for_jupyterlab():
    from analysis.publish import styling

    frame = pd.DataFrame({"原句": ["很长的一句话" * 10], "截至": ["截至2021-11-30"], "数值": ["109951项"]})
    html = styling.table(frame, numeric=["数值"])._repr_html_()
    uuid = html.split('id="T_')[1].split('"')[0]
    assert f"#T_{uuid} td {{" in html and "text-align: left" in html, "text left-aligned whatever the notebook's CSS"
    assert f"#T_{uuid} td.num {{" in html and f"#T_{uuid} th.col2 {{" in html, "numbers right-aligned, header too"
    assert 'class="data row0 col1 short"' in html, "a short column (dates) does not wrap"
    assert styling.table(None) is None


def test_a_section_with_nothing_to_show_is_left_out(monkeypatch):
    import IPython.display

    from analysis.publish import styling

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.extend(a))
    styling.section("空", None, styling.table(pd.DataFrame({"a": []})), styling.bullet_list([]))
    assert shown == []
    styling.section("有", None, styling.bullet_list(["一条"]), intro="说明")
    assert len(shown) == 2 and shown[0].data.startswith("## 有")


@pytest.mark.parametrize(("disposition", "reason", "context", "at", "label"), [
    ("date", "date or period", "", None, "日期或时期"),
    ("idiom", "one plan per lift", "推行“一梯一策”", 5, "习语“一梯一策”"),
    ("word", "common people", "为老百姓办实事", 2, "词语“老百姓”"),
    ("ordinal", "十九届", "", None, "“……届”序数"),
    ("name", "六中全会", "", None, "全会名称"),
    ("name", "a reason nobody labelled yet", "", None, "名称"),
    ("bare", "", "", None, "—"),
])
def test_reasons_are_shown_in_chinese(disposition, reason, context, at, label):
    assert views.reason_label(disposition, reason, context, at) == label


def test_every_reason_the_extractor_gives_has_a_chinese_label():
    """Reasons are English in the mentions table; every one the extractor can write is labelled
    (display/reasons.tsv, or the numeral word itself), so no English reaches a page."""
    import ast

    from analysis import config
    from analysis.tsv import read_tsv

    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted((config.PACKAGE_DIR / "extract").glob("*.py"))]
    reasons = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Mention" and len(node.args) >= 5:
            if isinstance(node.args[4], ast.Constant) and node.args[4].value:
                reasons.add(node.args[4].value)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
            target = node.targets[0]
            if isinstance(target, ast.Tuple) and any(getattr(e, "id", getattr(e, "attr", "")) == "reason"
                                                    for e in target.elts):
                value = node.value.elts[1]
                if isinstance(value, ast.Constant) and value.value:
                    reasons.add(value.value)
    reasons |= {row["note"] for row in read_tsv(config.LEXICON_DIR / "affix_rules.tsv")}
    assert len(reasons) > 30
    for reason in reasons:
        label = views.reason_label("word", reason)
        assert label != "词语" and not any("a" <= c.lower() <= "z" for c in label.replace("G20", "")), reason
    for row in read_tsv(config.LEXICON_DIR / "numeral_words.tsv"):
        assert row["word"] in views.reason_label(row["disposition"], row["note"], row["word"], 0)


def test_the_ledger_shows_no_codes(tables):
    assert list(views.ledger_view(tables["mentions"]).columns) == ["类别", "个数", "占比"]
    reasons = views.reasons_view(tables["mentions"], sentences=tables["sentences"])
    assert not any("a" <= c.lower() <= "z" for text in reasons["判定依据"] for c in text)


def test_a_corpus_source_line_counts_the_reports():
    documents = pd.DataFrame({"doc_id": [f"d{i}" for i in range(5)], "publisher": ["甲报", "乙报", "甲报", "丙报", "丁报"],
                              "published": ["2021-01-0" + str(i + 1) for i in range(5)], "published_inferred": False,
                              "title": ["t"] * 5})
    assert views.source_line(documents) == "来源：5 篇报道（甲报、乙报、丙报等），2021-01-01 至 2021-01-05"


def test_an_indicator_over_time_is_dated_by_its_reports():
    indicators = pd.DataFrame({"doc_id": ["a", "b", "c"], "figure": [0, 0, 0], "indicator": ["jobs"] * 3,
                               "province": ["吉林"] * 3, "as_of": ["2021-06-30", None, None], "measure": "level",
                               "unit": "人", "qualifier": "exact", "value": [1.0, 2.0, 3.0]})
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "published": pd.to_datetime(["2021-07-01", "2021-09-01", "2021-12-01"])})
    series = views.indicator_series(indicators, documents, "吉林")
    assert [d.date().isoformat() for d in series["when"]] == ["2021-07-01", "2021-09-01", "2021-12-01"]
    assert views.indicator_series(indicators.iloc[:2], documents, "吉林").empty, "two editions are no series"


def test_in_jupyterlab_links_go_through_the_servers_files_url(monkeypatch, tmp_path):
    """Lab's own HTML viewer drops a link's #fragment; a /files/ URL is opened by the browser, at the figure."""
    import jupyter_server.serverapp

    from analysis import config
    from analysis.publish import styling

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert styling.Links.of("province_profile", "", tmp_path).source("d", 3) == "../reports/source/d.html#f-3"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/province_profile.ipynb")
    monkeypatch.setattr(jupyter_server.serverapp, "list_running_servers",
                        lambda: [{"root_dir": str(tmp_path / "elsewhere"), "base_url": "/a/"},
                                 {"root_dir": str(config.ROOT), "base_url": "/user/x/"}])
    links = styling.Links.of("province_profile", "", tmp_path)
    assert links.source("d", 3) == "/user/x/files/reports/source/d.html#f-3"
