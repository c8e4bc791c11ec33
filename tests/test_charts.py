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


def test_figures_by_theme_labels_values_and_qualifiers():
    fig = charts.figures_by_theme(FIGURES, "山西：统计数字", SOURCE)
    texts = _texts(fig)
    assert ">320个" in texts and "≈5.6万人" in texts and "23亿元" in texts and "97.5%" in texts
    assert SOURCE in texts
    _render_without_tofu(fig)


def test_figures_by_theme_never_mixes_units_on_one_axis():
    fig = charts.figures_by_theme(FIGURES, "t", SOURCE)
    names = charts.unit_kind_labels()
    panels = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert sorted(panels) == sorted(names[k] for k in ["count", "length", "money", "people", "percent"])
    assert names["count"] == "数量" and names["money"] == "金额"


def test_wide_magnitudes_get_a_log_axis():
    fig = charts.figures_by_theme(FIGURES, "t", SOURCE)
    names = charts.unit_kind_labels()
    count_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == names["count"])
    assert count_panel.get_xscale() == "log"  # 320 and 41000 on one axis
    percent_panel = next(ax for ax in fig.axes if ax.get_title(loc="left") == names["percent"])
    assert percent_panel.get_xscale() == "linear"


def test_comparison_bars_raw_and_per_capita_panels():
    indicators = pd.DataFrame({
        "doc_id": "d", "figure": [0, 1], "indicator": "elder_canteens", "province": ["山西", "海南"],
        "value": [41000.0, 500.0], "unit": "个", "per_10k": [11.75, 0.89], "comparability_note": ["", "只计城市"],
    })
    table = views.comparison_table(indicators, "elder_canteens", ["山西", "海南"])
    fig = charts.comparison_bars(table, "社区食堂", SOURCE, per_capita=True)
    assert [ax.get_title() for ax in fig.axes] == ["原始数值", "每万常住人口"]
    texts = _texts(fig)
    assert "4.1万个" in texts and "11.75个" in texts and "0.89个" in texts and SOURCE in texts
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


@pytest.mark.parametrize("make", [
    lambda: charts.figures_by_theme(FIGURES.iloc[0:0], "空", SOURCE),
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
    first = charts.save_figure(charts.figures_by_theme(FIGURES, "山西", SOURCE), "same", tmp_path / "a")
    second = charts.save_figure(charts.figures_by_theme(FIGURES, "山西", SOURCE), "same", tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_render_shows_the_png_it_writes_drawn_once(tmp_path, monkeypatch):
    fig = charts.figures_by_theme(FIGURES, "山西", SOURCE)
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
    assert metadata == {"width": round(width * 100), "height": round(height * 100)}
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
    first = charts.figures_by_theme(FIGURES, "山西", SOURCE)
    saved = io.BytesIO()
    first.savefig(saved, format="png", dpi=charts.DPI)
    again = charts.figures_by_theme(FIGURES, "山西", SOURCE)
    assert charts.render(again, "x", "").png == saved.getvalue()
    assert again.dpi == first.dpi  # the figure keeps its own dpi for later use
