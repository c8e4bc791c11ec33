"""Charts: pure functions from a DataFrame to a matplotlib Figure, plus one renderer and writer.

Every chart labels values the Chinese way (4.25万个, >1.8亿元, ≈1000万亩), uses a log scale or
separate panels when magnitudes differ widely, and carries a source line (publisher and date).
Call :func:`analysis.publish.fonts.use_cjk_font` once before drawing; this module never touches fonts.

Figures are made with ``matplotlib.figure.Figure``, not pyplot: a notebook then never imports
pyplot or its inline backend, and nothing is kept in pyplot's registry. :func:`render` draws a
chart once; the same PNG bytes are displayed in the notebook and written to disk.
"""

from __future__ import annotations

import csv
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from analysis.publish.formatting import format_number, format_value

# Bars spanning more than this ratio (largest / smallest) get a log axis.
LOG_RATIO = 50
SOURCE_STYLE = {"x": 0.01, "ha": "left", "fontsize": 8, "color": "0.35"}
LABEL_CHARS = 16
BAR_HEIGHT_INCHES = 0.38
DPI = 150  # files on disk, and the PNG shown in notebooks
DISPLAY_DPI = 100  # the size Jupyter shows a chart at (matplotlib's default figure.dpi)


UNIT_KINDS_TSV = Path(__file__).resolve().parent / "display" / "unit_kinds.tsv"


@cache
def unit_kind_labels() -> dict[str, str]:
    """Panel headings for unit kinds (count -> 数量), from ``display/unit_kinds.tsv``."""
    with UNIT_KINDS_TSV.open(encoding="utf-8", newline="") as handle:
        return {row["unit_kind"]: row["label"] for row in csv.DictReader(handle, delimiter="\t")}


def _figure(**kwargs):
    """A constrained-layout Figure outside pyplot (no backend, no registry to close it from)."""
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _subplots(nrows=1, ncols=1, *, figsize, **kwargs):
    fig = _figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _finish(fig, source: str):
    """Put the source line under the chart."""
    fig.supxlabel(source, **SOURCE_STYLE)
    return fig


def _short(text, limit: int = LABEL_CHARS) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wide_range(values) -> bool:
    positive = [v for v in values if v == v and v > 0]
    return len(positive) > 1 and max(positive) / min(positive) > LOG_RATIO


def _number_axis(ax, log: bool, axis: str = "x"):
    from matplotlib.ticker import FuncFormatter, LogLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    if log:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        target.set_major_locator(LogLocator(base=10))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v) if v > 0 or not log else ""))


def _empty(title: str, source: str, message: str):
    fig, ax = _subplots(figsize=(6, 2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    return _finish(fig, source)


def figures_by_theme(figures, title: str, source: str):
    """One bar per figure, grouped by theme, one panel per kind of unit (count, money, percent...).

    Counts and yuan never share an axis; inside a panel a log axis is used when values differ
    by more than ``LOG_RATIO``. Each bar is labelled with its value as written (>1.8亿元).
    """
    if figures.empty:
        return _empty(title, source, "无数字")
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    theme = figures["theme_label"] if "theme_label" in figures else figures["theme"]
    data = figures.assign(theme=theme.fillna("other"), unit_kind=figures["unit_kind"].fillna("other"))
    data = data.sort_values(["unit_kind", "theme", "figure"])
    kinds = list(dict.fromkeys(data["unit_kind"]))
    sizes = [int((data["unit_kind"] == k).sum()) for k in kinds]
    themes = sorted(dict.fromkeys(data["theme"]))
    colours = dict(zip(themes, colormaps["tab10"].colors * 3))
    height = 1.2 + BAR_HEIGHT_INCHES * sum(sizes) + 0.6 * len(kinds)
    fig, axes = _subplots(len(kinds), 1, figsize=(8, height), squeeze=False,
                          gridspec_kw={"height_ratios": [s + 1 for s in sizes]})
    for ax, kind in zip(axes[:, 0], kinds):
        panel = data[data["unit_kind"] == kind].reset_index(drop=True)
        positions = range(len(panel))
        ax.barh(positions, panel["value"], color=[colours[t] for t in panel["theme"]])
        ax.set_yticks(list(positions), [_short(s) for s in panel["subject"].fillna("")])
        ax.invert_yaxis()
        _number_axis(ax, _wide_range(panel["value"]))
        high = max(panel["value"].max(), 1)
        ax.set_xlim(right=high * (8 if _wide_range(panel["value"]) else 1.35))
        labels = [format_value(v, u, q, value_high=h, style="symbol") for v, u, q, h in
                  zip(panel["value"], panel["unit"], panel["qualifier"], panel.get("value_high", [None] * len(panel)))]
        for y, (value, label) in enumerate(zip(panel["value"], labels)):
            ax.annotate(label, (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
        ax.set_title(unit_kind_labels().get(kind, kind), loc="left", fontsize=10, color="0.3")
        ax.spines[["top", "right"]].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, color=colours[t]) for t in themes]
    fig.legend(handles, themes, loc="outside upper right", ncols=min(4, len(themes)), fontsize=8, frameon=False)
    fig.suptitle(title, x=0.01, ha="left")
    return _finish(fig, source)


def comparison_bars(table, title: str, source: str, per_capita: bool = True):
    """Provinces side by side: raw values and, with ``per_capita``, per 10,000 residents.

    ``table`` is :func:`analysis.publish.views.comparison_table` output (value, value_text, per_10k, per_10k_text).
    Raw and per-capita values sit on separate panels since their magnitudes differ.
    """
    if table.empty:
        return _empty(title, source, "所选省份没有这一指标")
    panels = [("value", "value_text", "原始数值")]
    if per_capita:
        panels.append(("per_10k", "per_10k_text", "每万常住人口"))
    fig, axes = _subplots(1, len(panels), figsize=(4.2 * len(panels) + 1, 1.4 + 0.5 * len(table)), squeeze=False)
    for ax, (column, text, heading) in zip(axes[0], panels):
        values = table[column].astype(float)
        positions = range(len(table))
        ax.barh(positions, values.fillna(0), color="#3b6ea5")
        names = list(table["province"])
        if "indicator_label" in table and table["indicator_label"].nunique() > 1:  # stages of a family differ
            names = [f"{p}\n{_short(i, 10)}" for p, i in zip(table["province"], table["indicator_label"])]
        ax.set_yticks(list(positions), names)
        ax.invert_yaxis()
        log = _wide_range(values)
        _number_axis(ax, log)
        top = values.max() if values.notna().any() else 1
        ax.set_xlim(right=top * (8 if log else 1.4))
        for y, (value, label) in enumerate(zip(values, table[text])):
            ax.annotate("无数据" if value != value else label, (0 if value != value else value, y),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
        ax.set_title(heading, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title, x=0.01, ha="left")
    return _finish(fig, source)


def coverage_heatmap(coverage, title: str, source: str):
    """Which province reports on which theme: a province × theme grid of figure counts."""
    if coverage.empty:
        return _empty(title, source, "无数字")
    rows, cols = coverage.shape
    fig, ax = _subplots(figsize=(1.6 + 0.75 * cols, 1.4 + 0.45 * rows))
    ax.imshow(coverage.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(cols), [str(c) for c in coverage.columns], rotation=40, ha="right")
    ax.set_yticks(range(rows), [str(r) for r in coverage.index])
    top = coverage.to_numpy().max()
    for (r, c), count in zip(((r, c) for r in range(rows) for c in range(cols)), coverage.to_numpy().ravel()):
        colour = "white" if top and count > top * 0.6 else "black"
        ax.text(c, r, str(int(count)) if count else "·", ha="center", va="center", fontsize=9, color=colour)
    ax.set_title(title, loc="left")
    return _finish(fig, source)


def events_timeline(events, title: str, source: str):
    """Dated events on a time axis, one row per province, each labelled with its date as written."""
    import pandas as pd

    if events.empty:
        return _empty(title, source, "没有带日期的事件")
    data = events.assign(when=pd.to_datetime(events["date_start"], errors="coerce")).dropna(subset=["when"])
    if data.empty:
        return _empty(title, source, "没有可定位的日期")
    # Provinces in the order the report presents them, when the offsets are known.
    ordered = data.sort_values(["doc_id", "span_start"]) if {"doc_id", "span_start"} <= set(data) else data
    provinces = list(dict.fromkeys(ordered["province"].fillna("")))
    fig, ax = _subplots(figsize=(8, 1.2 + 0.6 * len(provinces) + 0.15 * len(data)))
    for row, province in enumerate(provinces):
        mine = data[data["province"].fillna("") == province]
        ax.scatter(mine["when"], [row] * len(mine), s=36, zorder=3)
        for n, (when, surface, text) in enumerate(zip(mine["when"], mine["surface"], mine["text"].fillna(""))):
            label = _short(text, 18) if str(surface) in str(text)[:12] else f"{surface} {_short(text, 14)}".strip()
            ax.annotate(label, (when, row), xytext=(4, 6 + 10 * (n % 2)), textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(provinces)), provinces)
    ax.set_ylim(-0.6, len(provinces) - 0.2)
    ax.invert_yaxis()
    span = data["when"].max() - data["when"].min()
    pad = max(span * 0.15, pd.Timedelta(days=5))
    ax.set_xlim(data["when"].min() - pad, data["when"].max() + pad * 3)
    from matplotlib.dates import AutoDateLocator, DateFormatter

    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    ax.xaxis.set_major_formatter(DateFormatter("%Y年%-m月%-d日"))
    ax.grid(axis="x", color="0.9")
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_title(title, loc="left")
    return _finish(fig, source)


class Chart:
    """A chart drawn once: ``figure``, its ``png`` bytes and the ``files`` written (if any).

    Jupyter displays it from the same PNG that was written to disk, at the size the inline
    backend would show the figure (``DISPLAY_DPI``), so nothing is drawn again for the notebook.
    """

    def __init__(self, figure, png: bytes, files: list[Path]):
        self.figure, self.png, self.files = figure, png, files

    def _repr_png_(self):
        width, height = (self.figure.get_size_inches() * DISPLAY_DPI).round()
        return self.png, {"width": int(width), "height": int(height)}

    def __repr__(self) -> str:
        width, height = (self.figure.get_size_inches() * DISPLAY_DPI).round()
        return f"<Chart {int(width)}x{int(height)} with {len(self.figure.axes)} Axes>"


def _png_bytes(fig) -> bytes:
    """The PNG ``fig.savefig(format="png", dpi=DPI)`` writes (same bytes), in one draw.

    savefig lays a constrained-layout figure out in a draw of its own before the real one;
    an Agg canvas lays out and renders in the same draw, a fifth to a quarter less work.
    """
    import io

    import matplotlib.image
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas, dpi = FigureCanvasAgg(fig), fig.dpi
    fig.dpi = DPI
    try:
        canvas.draw()
        buffer = io.BytesIO()
        matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper", dpi=DPI)
    finally:
        fig.dpi = dpi
    return buffer.getvalue()


@contextmanager
def _layout_kept(fig):
    """Draw again with the positions the last draw computed: the layout is not redone.

    Constrained layout's positions are fractions of the figure, so they hold at any dpi; skipping
    it halves the cost of the second format of a many-panel chart.
    """
    import matplotlib

    engine = fig.get_layout_engine()
    # None, not "none": with any engine set (even the placeholder) savefig draws twice.
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield fig
    finally:
        fig.set_layout_engine(engine)


def _targets(stem: str, reports_dir, formats) -> list[Path]:
    from analysis.publish.params import inside

    if not str(reports_dir or "").strip():
        return []
    folder = Path(reports_dir) / "figures"
    return [inside(folder, f"{stem}.{fmt}") for fmt in formats]


def _write(fig, png: bytes, stem: str, targets: list[Path]) -> list[Path]:
    """Write ``png`` as given and every other format from the laid-out figure, each atomically."""
    import matplotlib

    from analysis.store.atomic import atomic_path, write_bytes_atomic

    for target in targets:
        fmt = target.suffix[1:]
        if fmt == "png":
            write_bytes_atomic(target, png)
            continue
        # No date and fixed element ids: the same chart gives the same bytes on every run.
        with atomic_path(target) as temp, matplotlib.rc_context({"svg.hashsalt": stem}), _layout_kept(fig):
            fig.savefig(temp, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    return targets


def render(fig, stem: str, reports_dir: str | Path = "", formats=("png", "svg")) -> Chart:
    """Draw ``fig`` once as PNG; with a ``reports_dir``, also write ``figures/<stem>.png`` (those
    bytes) and ``.svg`` (from the same layout). End a notebook cell with the result to show it.

    >>> charts.render(charts.coverage_heatmap(table, "覆盖", source), "overview_coverage", reports)  # doctest: +SKIP
    <Chart 600x400 with 1 Axes>
    """
    targets = _targets(stem, reports_dir, formats)  # refuses an unsafe stem before drawing
    png = _png_bytes(fig)
    return Chart(fig, png, _write(fig, png, stem, targets))


def save_figure(fig, stem: str, reports_dir: str | Path, formats=("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<reports_dir>/figures/<stem>.png`` and ``.svg``, each atomically.

    ``stem`` must be a safe file-name stem (see :func:`analysis.publish.params.safe_slug`), so nothing
    derived from a parameter can write outside ``reports_dir``. Returns the written paths;
    an empty ``reports_dir`` writes nothing (interactive runs do not litter the project).
    Use :func:`render` to also display the chart without drawing it again.
    """
    targets = _targets(stem, reports_dir, formats)
    if not targets:
        return []
    if "png" in formats:
        return _write(fig, _png_bytes(fig), stem, targets)
    fig.draw_without_rendering()  # the layout the other formats keep
    return _write(fig, b"", stem, targets)
