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
    ("山西", "发放惠农补贴", 2.3e9, None, "元", "money", "exact", "agriculture"),
    ("山西", "改造供水管网", 12, None, "公里", "length", "exact", "housing"),
    ("山西", "群众满意率", 97.5, None, "%", "percent", "exact", "public_services"),
    ("山西", "新增社区食堂", 4.1e4, None, "个", "count", "exact", "elderly"),
])


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def _render_without_tofu(fig):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        fig.savefig(io.BytesIO(), format="png")


def test_figures_by_unit_labels_values_and_qualifiers():
    fig = charts.figures_by_unit(FIGURES, "山西：统计数字", SOURCE)
    texts = _texts(fig)
    assert ">320个" in texts and "≈5.6万人" in texts and "23亿元" in texts and "97.5%" in texts
    assert SOURCE in texts
    _render_without_tofu(fig)


def _panel_titles(fig) -> list[str]:
    return [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]


def test_one_unit_per_axis_not_one_unit_kind():
    figures = pd.concat([FIGURES, _figures([("山西", "购置农机", 35000, None, "台", "count", "exact", "agriculture")])
                         .assign(figure=6)], ignore_index=True)
    panels = _panel_titles(charts.figures_by_unit(figures, "t", SOURCE))
    assert sorted(panels) == sorted(["数量（个）", "数量（台）", "人数（人）", "金额（元）", "长度（公里）", "比率（%）"])


def test_wide_magnitudes_get_a_log_axis():
    fig = charts.figures_by_unit(FIGURES, "t", SOURCE)
    count_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "数量（个）")
    assert count_panel.get_xscale() == "log"  # 320 and 41000 on one axis
    percent_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == "比率（%）")
    assert percent_panel.get_xscale() == "linear"


def test_changes_have_their_own_signed_panel_and_units_stay_whole():
    figures = _figures([("江西", "养老金最低标准再提高", 5, None, "元", "money", "exact", "elderly"),
                        ("江西", "投入资金", 7e8, None, "元", "money", "approx", "finance"),
                        ("吉林", "办结时限缩短到", 3, None, "个", "duration", "exact", "services")])
    figures["surface"] = ["5元", "7亿元", "3个工作日"]
    fig = charts.figures_by_unit(figures, "t", SOURCE, directions=["up", "", ""])
    assert sorted(_panel_titles(fig)) == ["变化量（元）", "时长（个工作日）", "金额（元）"]
    texts = _texts(fig)
    assert "+5元" in texts and "≈7亿元" in texts and "3个工作日" in texts
    _render_without_tofu(fig)


def test_labels_are_cut_at_word_boundaries_with_brackets_closed():
    figures = _figures([("吉林", "成立调研指导组分赴各任务县指", 9, None, "个", "count", "exact", "agriculture"),
                        ("江西", "惠及80个县（区", 3370000, None, "人", "people", "exact", "elderly")])
    figures["sentence_text"] = ["共成立9个调研指导组分赴各任务县指导免耕作业。", "惠及80个县（区）337万人。"]
    fig = charts.figures_by_unit(figures, "t", SOURCE)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert sorted(ticks) == ["惠及80个县（区）", "成立调研指导组"]


def test_a_chart_of_many_figures_stays_bounded():
    many = _figures([("山西", f"项目{i}", float(i + 1), None, "个", "count", "exact", "projects") for i in range(300)]
                    + [("山西", f"指标{i}", 1.0, None, f"单位{i}", "count", "exact", "other") for i in range(20)])
    fig = charts.figures_by_unit(many, "t", SOURCE)
    panels = _panel_titles(fig)
    assert len(panels) == charts.MAX_PANELS
    assert panels[0] == f"数量（个）：最大的 {charts.TOP_BARS} 个，另有 {300 - charts.TOP_BARS} 个未画出"
    assert sum(len(ax.patches) for ax in fig.axes) <= charts.MAX_PANELS * charts.TOP_BARS
    assert any(t.startswith(f"另有 {20 - charts.MAX_PANELS + 1} 种单位") for t in _texts(fig))
    assert fig.get_size_inches()[1] < 40


@pytest.mark.slow
def test_value_histograms_are_small_multiples_by_unit():
    many = _figures([("山西", f"项目{i}", float(10 ** (i % 5)), None, "个", "count", "exact", "x") for i in range(50)]
                    + [("山西", f"资金{i}", 1e6 * (i + 1), None, "元", "money", "exact", "x") for i in range(30)])
    fig = charts.value_histograms(many, "分布", SOURCE)
    assert _panel_titles(fig) == ["数量（个）：50 个", "金额（元）：30 个"]
    _render_without_tofu(fig)


def test_comparison_bars_raw_and_per_capita_panels():
    indicators = pd.DataFrame({
        "doc_id": "d", "figure": [0, 1], "indicator": "elder_canteens", "province": ["山西", "海南"],
        "value": [41000.0, 500.0], "unit": "个", "per_10k": [11.75, 0.89], "comparability_note": ["", "只计城市"],
    })
    table = views.comparison_table(indicators, "elder_canteens", ["山西", "海南"])
    fig = charts.comparison_bars(table, "社区食堂", SOURCE, per_capita=True)
    assert [ax.get_title() for ax in fig.axes] == ["原始数值", "每万常住人口（2020年普查）"]
    texts = _texts(fig)
    assert "4.1万个" in texts and "11.75个/万人" in texts and "0.89个/万人" in texts and SOURCE in texts
    assert fig.axes[0].get_xscale() == "log"  # 41000 vs 500
    raw_only = charts.comparison_bars(table, "社区食堂", SOURCE, per_capita=False)
    assert [ax.get_title() for ax in raw_only.axes] == ["原始数值"]
    _render_without_tofu(fig)


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
    assert ax.get_xticklabels()[0].get_text().startswith("2021年"), "the year is on the first tick"


def test_many_events_become_counts_per_day_without_labels():
    n = charts.MAX_EVENT_LABELS + 30
    events = pd.DataFrame({"province": ["吉林"] * n, "date_start": ["2021-11-01"] * (n // 2) + ["2021-11-20"] * (n - n // 2),
                           "surface": ["x"] * n, "text": ["y"] * n})
    fig = charts.events_timeline(events, "事件", SOURCE)
    assert not [t for t in fig.axes[0].texts if t.get_text()], "no labels"
    assert len(fig.axes[0].collections) == 1 and len(fig.axes[0].collections[0].get_offsets()) == 2


def test_an_indicator_over_time_has_one_point_per_date():
    rows = pd.DataFrame({"province": ["吉林"] * 3, "when": ["2021-06-30", "2021-09-30", "2021-12-01"],
                         "value": [1e4, 2.5e4, 4.25e4], "unit": ["个"] * 3, "qualifier": ["exact"] * 3})
    fig = charts.indicator_over_time(rows, "吉林：列出实事项目", SOURCE)
    assert len(fig.axes[0].lines[0].get_xdata()) == 3
    assert {"1万个", "2.5万个", "4.25万个"} <= set(_texts(fig))
    _render_without_tofu(fig)


@pytest.mark.parametrize("make", [
    lambda: charts.figures_by_unit(FIGURES.iloc[0:0], "空", SOURCE),
    lambda: charts.events_timeline(pd.DataFrame(columns=["province", "date_start", "surface", "text"]), "空", SOURCE),
    lambda: charts.coverage_heatmap(pd.DataFrame(), "空", SOURCE),
])
def test_empty_input_still_gives_a_sourced_chart(make):
    fig = make()
    assert SOURCE in _texts(fig)


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
