"""Charts: Chinese renders, values read the Chinese way, qualifiers and the source line show."""

import io
import warnings

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis.errors import InputError  # noqa: E402
from analysis.publish import charts, views  # noqa: E402
from analysis.publish.fonts import use_cjk_font  # noqa: E402

SOURCE = "来源：某某日报，2023-05-06"


@pytest.fixture(scope="module", autouse=True)
def cjk_font():
    use_cjk_font()


def _figures(rows):
    columns = ["doc_id", "figure", "province", "subject", "value", "value_high", "unit", "unit_kind", "qualifier", "theme"]
    return pd.DataFrame([dict(zip(columns, ("d", n, *row))) for n, row in enumerate(rows)])


FIGURES = _figures([
    ("山西", "新建养老服务站", 320, None, "个", "count", "lower_bound", "elderly"),
    ("山西", "培训农民", 56000, None, "人", "people", "approx", "agriculture"),
    ("海南", "培训渔民", 12000, None, "人", "people", "exact", "agriculture"),
    ("山西", "发放惠农补贴", 2.3e9, None, "元", "money", "exact", "agriculture"),
    ("海南", "投入资金", 1.8e8, None, "元", "money", "lower_bound", "finance"),
    ("山西", "改造供水管网", 12, None, "公里", "length", "exact", "housing"),
    ("山西", "群众满意率", 97.5, None, "%", "percent", "exact", "public_services"),
    ("海南", "按时办结率", 99.9, None, "%", "percent", "exact", "public_services"),
    ("山西", "新增社区食堂", 4.1e4, None, "个", "count", "exact", "elderly"),
])


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def _render_without_tofu(fig):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        fig.savefig(io.BytesIO(), format="png")


def _bar_labels(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]


def test_figures_by_unit_labels_values_and_qualifiers():
    fig = charts.figures_by_unit(FIGURES, "统计数字", SOURCE)
    texts = _texts(fig)
    assert "超320个" in texts and "近5.6万人" in texts and "23亿元" in texts and "超1.8亿元" in texts and "97.5%" in texts
    assert SOURCE in texts[-1] or any(SOURCE in t for t in texts)
    _render_without_tofu(fig)


def test_every_bar_names_its_province():
    labels = _bar_labels(charts.figures_by_unit(FIGURES, "t", SOURCE))
    assert labels and all(label.split("·")[0] in ("山西", "海南") for label in labels)
    assert "海南·投入资金" in labels


def test_values_as_the_report_writes_them_with_their_qualifier_words():
    text = "共帮助1200多户脱贫户，投入资金超1.8亿元，实施面积近1000万亩，补贴100万元以上。"
    figures = _figures([("吉林", "帮助", 1200, None, "户", "count", "lower_bound", "x"),
                        ("吉林", "投入资金", 1.8e8, None, "元", "money", "lower_bound", "x"),
                        ("吉林", "实施面积", 1e7, None, "亩", "area", "approx", "x"),
                        ("吉林", "补贴", 1e6, None, "元", "money", "lower_bound", "x")])
    figures["surface"] = ["1200多户", "1.8亿元", "1000万亩", "100万元"]
    figures["sentence_text"] = text
    figures["sentence"] = 0
    figures["span_start"] = [text.find(s) for s in figures["surface"]]
    assert views.as_written(figures) == ["1200多户", "超1.8亿元", "近1000万亩", "100万元以上"]


def _panel_titles(fig) -> list[str]:
    return [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]


def test_one_unit_per_axis_and_no_panel_for_a_lone_figure():
    fig = charts.figures_by_unit(FIGURES, "t", SOURCE)
    assert sorted(_panel_titles(fig)) == sorted(["数量（个）", "人数（人）", "金额（元）", "比率（%）"])
    assert any("只有一个数字的单位没有画出：公里" in t for t in _texts(fig))
    lone = charts.figures_by_unit(FIGURES[FIGURES["unit"] == "公里"], "t", SOURCE)
    assert lone is None, "nothing to compare: no chart rather than one full-length bar"


def test_wide_magnitudes_get_a_log_axis_marked_as_such():
    fig = charts.figures_by_unit(FIGURES, "t", SOURCE)
    count_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "数量（个）")
    assert count_panel.get_xscale() == "log"  # 320 and 41000 on one axis
    assert count_panel.get_xlabel() == charts.LOG_NOTE == "对数刻度"
    people_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "人数（人）")
    assert people_panel.get_xscale() == "linear" and people_panel.get_xlabel() == ""


def test_a_rate_axis_ends_at_100_unless_the_data_goes_above():
    fig = charts.figures_by_unit(FIGURES, "t", SOURCE)
    percent_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "比率（%）")
    assert percent_panel.get_xscale() == "linear" and percent_panel.get_xlim() == (0.0, 100.0)
    above = _figures([("甲", "增长率", 140.0, None, "%", "percent", "exact", "x"),
                      ("乙", "增长率", 20.0, None, "%", "percent", "exact", "x")])
    assert charts.figures_by_unit(above, "t", SOURCE).axes[0].get_xlim() == (0.0, 140.0)


def test_changes_have_their_own_signed_panel_and_units_stay_whole():
    figures = _figures([("江西", "养老金最低标准再提高", 5, None, "元", "money", "exact", "elderly"),
                        ("吉林", "补助标准提高", 20, None, "元", "money", "exact", "elderly"),
                        ("江西", "投入资金", 7e8, None, "元", "money", "approx", "finance"),
                        ("吉林", "投入资金", 1.8e8, None, "元", "money", "lower_bound", "finance"),
                        ("吉林", "办结时限缩短到", 3, None, "个", "duration", "exact", "services"),
                        ("江苏", "办结时限", 5, None, "个", "duration", "exact", "services")])
    figures["surface"] = ["5元", "20元", "7亿元", "1.8亿元", "3个工作日", "5个工作日"]
    fig = charts.figures_by_unit(figures, "t", SOURCE, directions=["up", "up", "", "", "", ""])
    assert sorted(_panel_titles(fig)) == ["变化量（元）", "时长（个工作日）", "金额（元）"]
    texts = _texts(fig)
    assert "+5元" in texts and "7亿元" in texts and "3个工作日" in texts
    _render_without_tofu(fig)


def test_labels_are_cut_at_word_boundaries_with_brackets_closed():
    figures = _figures([("吉林", "成立调研指导组分赴各任务县指", 9, None, "个", "count", "exact", "agriculture"),
                        ("江西", "惠及80个县（区", 80, None, "个", "count", "exact", "elderly")])
    figures["sentence_text"] = ["共成立9个调研指导组分赴各任务县指导免耕作业。", "惠及80个县（区）337万人。"]
    ticks = _bar_labels(charts.figures_by_unit(figures, "t", SOURCE))
    assert sorted(ticks) == ["吉林·成立调研指导组", "江西·惠及80个县（区）"]


def test_an_indicator_name_is_the_bar_label_when_there_is_one():
    figures = _figures([("吉林", "党员干部认领群众“微心愿", 195000, None, "个", "count", "exact", "x"),
                        ("吉林", "这一举措将切实惠及", 9, None, "个", "count", "exact", "x")])
    figures["indicator"] = ["wishes_claimed", None]
    definitions = pd.DataFrame({"indicator": ["wishes_claimed"], "label_zh": ["认领群众微心愿"]})
    labelled = views.with_labels(figures, definitions)
    assert list(labelled["bar_label"]) == ["认领群众微心愿", "这一举措将切实惠及"]
    assert "吉林·认领群众微心愿" in _bar_labels(charts.figures_by_unit(labelled, "t", SOURCE))
    twice = labelled.assign(bar_label="养老金惠及人数")
    assert sorted(_bar_labels(charts.figures_by_unit(twice, "t", SOURCE))) == [
        "吉林·养老金惠及人数（编号0）", "吉林·养老金惠及人数（编号1）"], "two bars never share a label"


def test_a_chart_of_many_figures_stays_bounded():
    many = _figures([("山西", f"项目{i}", float(i + 1), None, "个", "count", "exact", "projects") for i in range(300)]
                    + [("山西", f"指标{i}", 1.0 + j, None, f"单位{i}", "count", "exact", "other")
                       for i in range(20) for j in range(2)])
    fig = charts.figures_by_unit(many, "t", SOURCE)
    panels = _panel_titles(fig)
    assert len(panels) == charts.MAX_PANELS
    assert panels[0] == f"数量（个）：最大的 {charts.TOP_BARS} 个，另有 {300 - charts.TOP_BARS} 个未画出"
    assert sum(len(ax.patches) for ax in fig.axes) <= charts.MAX_PANELS * charts.TOP_BARS
    assert any(f"另有 {20 - charts.MAX_PANELS + 1} 种单位" in t for t in _texts(fig))
    assert fig.get_size_inches()[1] < 40


@pytest.mark.slow
def test_value_histograms_are_small_multiples_by_unit():
    many = _figures([("山西", f"项目{i}", float(10 ** (i % 5)), None, "个", "count", "exact", "x") for i in range(50)]
                    + [("山西", f"资金{i}", 1e6 * (i + 1), None, "元", "money", "exact", "x") for i in range(30)])
    fig = charts.value_histograms(many, "分布", SOURCE)
    assert _panel_titles(fig) == ["数量（个）：50 个", "金额（元）：30 个"]
    _render_without_tofu(fig)


def _comparison(indicators, figures=None):
    from analysis.publish import compare

    provinces = list(dict.fromkeys(indicators["province"]))
    figures = figures if figures is not None else indicators.iloc[0:0]
    return compare.compare(indicators, figures, provinces)


INDICATORS = pd.DataFrame({
    "doc_id": "d", "figure": [0, 1, 2, 3], "indicator": ["elder_canteens", "elder_canteens", "funds", "funds"],
    "family": "", "province": ["山西", "海南", "山西", "海南"], "value": [41000.0, 500.0, 2.3e9, 1.8e8],
    "value_high": float("nan"), "unit": ["个", "个", "元", "元"], "unit_kind": ["count", "count", "money", "money"],
    "qualifier": ["exact", "exact", "exact", "lower_bound"], "as_of": None,
    "per_10k": [11.75, 0.89, 662000.0, 17600.0], "comparability_note": "",
})


def test_comparison_chart_one_panel_per_key_each_bar_a_province():
    rows, keys = _comparison(INDICATORS)
    fig = charts.comparison_chart(rows, keys, "比较", SOURCE, per_capita=True)
    texts = _texts(fig)
    assert "4.1万个" in texts and "11.75个/万人" in texts and "超1.8亿元" in texts and "66.2元/人" in texts
    assert set(_bar_labels(fig)) == {"山西", "海南"}
    raw = [ax for ax in fig.axes if ax.get_title(loc="left").startswith("elder_canteens")]
    assert raw and raw[0].get_xscale() == "log" and raw[0].get_xlabel() == "对数刻度"  # 41000 vs 500
    raw_only = charts.comparison_chart(rows, keys, "比较", SOURCE, per_capita=False)
    assert len(raw_only.axes) == 2
    _render_without_tofu(fig)


def test_panels_of_one_unit_share_their_axis_and_missing_provinces_are_named():
    indicators = pd.concat([INDICATORS.iloc[:2], INDICATORS.iloc[:2].assign(indicator="sites", figure=[5, 6],
                                                                            value=[30.0, 20.0], per_10k=[0.1, 0.3]),
                            INDICATORS.iloc[:1].assign(province="湖南", indicator="sites", figure=9, value=900.0)])
    from analysis.publish import compare

    rows = compare.comparison_rows(indicators, indicators.iloc[0:0], ["山西", "海南", "湖南"])
    keys = compare.comparisons(rows, ["山西", "海南", "湖南"])
    fig = charts.comparison_chart(rows, keys, "比较", SOURCE, per_capita=False)
    limits = {ax.get_xlim() for ax in fig.axes}
    assert len(limits) == 1, "one unit (个), one axis"
    assert any("未报告：湖南" in ax.get_title(loc="left") for ax in fig.axes)
    assert charts.comparison_chart(rows, keys[~keys["comparable"]], "比较", SOURCE) is None


def test_coverage_heatmap_counts_each_cell():
    figures = _figures([("山西", "a", 1, None, "个", "count", "exact", "elderly"),
                        ("山西", "b", 2, None, "个", "count", "exact", "elderly"),
                        ("海南", "c", 3, None, "人", "people", "exact", "employment")])
    coverage = views.coverage(figures)
    assert coverage.loc["山西", "elderly"] == 2 and coverage.loc["海南", "elderly"] == 0
    fig = charts.coverage_heatmap(coverage, "覆盖", SOURCE)
    texts = _texts(fig)
    assert "2" in texts and "1" in texts and "·" in texts and SOURCE in texts
    _render_without_tofu(fig)


def test_events_timeline_places_each_province():
    events = pd.DataFrame({"province": ["山西", "海南"], "date": ["2023-04-02", "2023-04"],
                           "date_start": ["2023-04-02", "2023-04-01"], "surface": ["4月2日", "4月"],
                           "text": ["4月2日，山西省召开推进会。", "海南4月开展专项行动。"]})
    fig = charts.events_timeline(events, "事件", SOURCE)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["山西", "海南"]
    assert SOURCE in _texts(fig)
    _render_without_tofu(fig)


def test_the_timeline_ends_at_the_report_date_and_its_ticks_never_overlap():
    from matplotlib.dates import num2date

    events = pd.DataFrame({"province": ["吉林", "吉林", "江苏"], "date_start": ["2021-11-21", "2021-11-29", "2021-12-01"],
                           "surface": ["11月21日", "11月29日", "12月1日"], "text": ["a", "b", "c"]})
    fig = charts.events_timeline(events, "事件", SOURCE, report_date=pd.Timestamp("2021-12-01"))
    ax = fig.axes[0]
    assert num2date(ax.get_xlim()[1]).date().isoformat() == "2021-12-01"
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert 2 <= len(boxes) <= charts.MAX_TICKS
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), "tick labels overlap"
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(label.endswith(("日", "月")) and not label.startswith("0") for label in labels), labels
    assert ax.xaxis.get_major_formatter().get_offset() == "2021年", "the year once, at the axis end"
    from matplotlib.dates import AutoDateLocator

    assert isinstance(ax.xaxis.get_major_locator(), AutoDateLocator), "matplotlib's locator, not hand-made ticks"


def test_many_events_become_counts_per_day_without_labels():
    n = charts.MAX_EVENT_LABELS + 30
    events = pd.DataFrame({"province": ["吉林"] * n, "date_start": ["2021-11-01"] * (n // 2) + ["2021-11-20"] * (n - n // 2),
                           "surface": ["x"] * n, "text": ["y"] * n})
    fig = charts.events_timeline(events, "事件", SOURCE)
    assert not [t for t in fig.axes[0].texts if t.get_text()], "no labels"
    assert len(fig.axes[0].collections) == 1 and len(fig.axes[0].collections[0].get_offsets()) == 2


def test_an_indicator_over_time_has_one_point_per_date():
    rows = pd.DataFrame({"series": ["列出实事项目"] * 3, "when": ["2021-06-30", "2021-09-30", "2021-12-01"],
                         "value": [1e4, 2.5e4, 4.25e4], "unit": ["个"] * 3, "qualifier": ["exact"] * 3})
    fig = charts.indicator_over_time(rows, "吉林：列出实事项目", SOURCE)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines[0].get_xdata()) == 3
    assert {"1万个", "2.5万个", "4.25万个"} <= set(_texts(fig))
    _render_without_tofu(fig)


@pytest.mark.parametrize("make", [
    lambda: charts.figures_by_unit(FIGURES.iloc[0:0], "空", SOURCE),
    lambda: charts.events_timeline(pd.DataFrame(columns=["province", "date_start", "surface", "text"]), "空", SOURCE),
    lambda: charts.coverage_heatmap(pd.DataFrame(), "空", SOURCE),
    lambda: charts.indicator_over_time(pd.DataFrame(columns=["province", "when", "value", "unit", "qualifier"]), "空", SOURCE),
])
def test_nothing_to_draw_is_no_chart_and_renders_to_nothing(make, tmp_path):
    assert make() is None
    assert charts.render(make(), "x", tmp_path) is None and not (tmp_path / "figures").exists()


def test_save_figure_writes_png_and_svg_atomically(tmp_path):
    fig = charts.coverage_heatmap(views.coverage(FIGURES), "覆盖", SOURCE)
    written = charts.save_figure(fig, "overview_coverage", tmp_path)
    assert written == [tmp_path / "figures" / "overview_coverage.png", tmp_path / "figures" / "overview_coverage.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written[1].read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["overview_coverage.png", "overview_coverage.svg"]


def test_save_figure_with_no_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert charts.save_figure(charts.coverage_heatmap(views.coverage(FIGURES), "t", SOURCE), "x", "") == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stem", ["../x", "a/b", ".hidden"])
def test_save_figure_refuses_unsafe_names(tmp_path, stem):
    fig = charts.coverage_heatmap(views.coverage(FIGURES), "t", SOURCE)
    with pytest.raises(InputError):
        charts.save_figure(fig, stem, tmp_path)
    assert not (tmp_path / "x.png").exists()
    assert not (tmp_path / "figures").exists() or not list((tmp_path / "figures").iterdir())


@pytest.mark.slow
def test_saved_charts_are_byte_identical_between_runs(tmp_path):
    first = charts.save_figure(charts.figures_by_unit(FIGURES, "山西", SOURCE), "same", tmp_path / "a")
    second = charts.save_figure(charts.figures_by_unit(FIGURES, "山西", SOURCE), "same", tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_render_shows_the_png_it_writes_drawn_once(tmp_path, monkeypatch):
    fig = charts.figures_by_unit(FIGURES, "山西", SOURCE)
    draws, draw = [], type(fig).draw

    def counted(self, renderer):
        draws.append(1)
        return draw(self, renderer)

    monkeypatch.setattr(type(fig), "draw", counted)
    chart = charts.render(fig, "shanxi", tmp_path)
    assert chart.files == [tmp_path / "figures" / "shanxi.png", tmp_path / "figures" / "shanxi.svg"]
    png, metadata = chart._repr_png_()
    assert png == chart.files[0].read_bytes()
    assert "<svg" in chart.files[1].read_text(encoding="utf-8")
    width, height = fig.get_size_inches()
    assert metadata == {"width": round(width * 100), "height": round(height * 100), "alt": "山西"}
    assert len(draws) == 2  # PNG (laid out in the same draw), SVG (layout kept); none for the notebook
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"


def test_render_without_a_folder_only_draws_the_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chart = charts.render(charts.coverage_heatmap(views.coverage(FIGURES), "t", SOURCE), "x", "")
    assert chart.files == [] and chart._repr_png_()[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_unsafe_names_before_drawing(tmp_path):
    with pytest.raises(InputError):
        charts.render(charts.coverage_heatmap(views.coverage(FIGURES), "t", SOURCE), "../x", tmp_path)
    assert not (tmp_path / "figures").exists()


@pytest.mark.slow
def test_charts_do_not_need_pyplot():
    import subprocess
    import sys

    code = ("import sys, pandas as pd; from analysis.publish import charts, views;"
            "f = pd.DataFrame({'province': ['山西'], 'theme': ['x'], 'figure': [0], 'doc_id': ['d']});"
            "charts.render(charts.coverage_heatmap(views.coverage(f), 't', 's'), 'x', '');"
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=charts.Path(charts.__file__).parents[1])
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_rendered_png_is_what_savefig_writes():
    first = charts.figures_by_unit(FIGURES, "山西", SOURCE)
    saved = io.BytesIO()
    first.savefig(saved, format="png", dpi=charts.DPI)
    again = charts.figures_by_unit(FIGURES, "山西", SOURCE)
    assert charts.render(again, "x", "").png == saved.getvalue()
    assert again.dpi == first.dpi  # the figure keeps its own dpi for later use
