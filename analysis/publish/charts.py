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

NO_PROVINCE = "（全文）"  # events and figures outside any province section

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


TOP_BARS = 10  # bars per panel: the largest figures; the rest are counted in a note
MAX_PANELS = 8  # panels per chart: the units with the most figures; the rest are counted in a note
CHANGE_SIGNS = {"up": "+", "down": "−"}


def _unit_panels(figures, directions):
    """``(key, heading, rows)`` per panel: one per unit as written, changes apart from levels."""
    from analysis.publish.views import unit_as_written

    kinds = unit_kind_labels()
    data = figures.assign(
        _unit=[unit_as_written(s, u) for s, u in zip(figures["surface"], figures["unit"])] if "surface" in figures
        else figures["unit"].fillna(""),
        _change=list(directions) if directions is not None else [""] * len(figures),
    )
    panels = []
    for (change, unit), rows in data.groupby([data["_change"].ne(""), "_unit"], sort=False):
        kind = kinds.get(str(rows["unit_kind"].iloc[0]), str(rows["unit_kind"].iloc[0]))
        unit_text = f"（{unit or '无单位'}）"
        heading = f"变化量{unit_text}" if change else (kind if unit_text in kind else f"{kind}{unit_text}")
        panels.append(((change, unit), heading, rows))
    panels.sort(key=lambda p: (-len(p[2]), p[0][0], p[1]))
    return panels


def figures_by_unit(figures, title: str, source: str, *, directions=None, top: int = TOP_BARS,
                    max_panels: int = MAX_PANELS):
    """The largest figures of each unit, one panel per unit as written (个, 台, 户, 个工作日 never
    share an axis), changes (再提高5元, signed and hatched) in panels of their own.

    Bounded whatever the number of figures: at most ``max_panels`` panels (the units with the most
    figures) of at most ``top`` bars; what is left out is counted under the panel or the chart.
    Bars are coloured by theme and labelled with the value as written (>1.8亿元).
    """
    if figures.empty:
        return _empty(title, source, "无数字")
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    from analysis.publish.views import label

    theme = figures["theme_label"] if "theme_label" in figures else figures["theme"]
    data = figures.assign(theme=theme.fillna("other").astype(str))
    panels = _unit_panels(data, directions)
    hidden = panels[max_panels:]
    panels = panels[:max_panels]
    themes = sorted(dict.fromkeys(t for _, _, rows in panels for t in rows.sort_values("value", ascending=False)
                                  .head(top)["theme"]))
    colours = dict(zip(themes, colormaps["tab10"].colors * 3))
    sizes = [min(len(rows), top) for _, _, rows in panels]
    height = 1.3 + BAR_HEIGHT_INCHES * sum(sizes) + 0.75 * len(panels)
    fig, axes = _subplots(len(panels), 1, figsize=(8, height), squeeze=False,
                          gridspec_kw={"height_ratios": [n + 1.2 for n in sizes]})
    for ax, ((change, unit), heading, rows) in zip(axes[:, 0], panels):
        panel = rows.sort_values(["value", "figure"], ascending=[False, True]).head(top).reset_index(drop=True)
        values = panel["value"].abs()
        positions = range(len(panel))
        ax.barh(positions, values, color=[colours[t] for t in panel["theme"]],
                hatch="//" if change else None, edgecolor="white" if change else None)
        sentences = panel["sentence_text"] if "sentence_text" in panel else [None] * len(panel)
        ax.set_yticks(list(positions), [label(s, t) for s, t in zip(panel["subject"], sentences)])
        ax.invert_yaxis()
        wide = _wide_range(values)
        _number_axis(ax, wide)
        ax.set_xlim(right=max(values.max(), 1) * (8 if wide else 1.4))
        high = panel["value_high"] if "value_high" in panel else [None] * len(panel)
        for y, (value, q, h, d) in enumerate(zip(values, panel["qualifier"], high,
                                                  panel["_change"] if "_change" in panel else [""] * len(panel))):
            text = format_value(value, unit, q, value_high=h, style="symbol")
            ax.annotate(CHANGE_SIGNS.get(d, "") + text, (value, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=9)
        more = len(rows) - len(panel)
        ax.set_title(heading + (f"：最大的 {len(panel)} 个，另有 {more} 个未画出" if more else ""),
                     loc="left", fontsize=10, color="0.3")
        ax.spines[["top", "right"]].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, color=colours[t]) for t in themes]
    fig.legend(handles, themes, loc="outside upper right", ncols=min(4, len(themes)), fontsize=8, frameon=False)
    fig.suptitle(title, x=0.01, ha="left")
    if hidden:
        source = f"另有 {len(hidden)} 种单位的 {sum(len(r) for _, _, r in hidden)} 个数字未画出。" + source
    return _finish(fig, source)


def value_histograms(figures, title: str, source: str, *, directions=None, max_panels: int = 6):
    """How large the figures of each unit are: small multiples, one histogram per unit (the units
    with the most figures), on a log scale of values. For hundreds of documents, where one bar per
    figure would be unreadable."""
    if figures.empty:
        return _empty(title, source, "无数字")
    import numpy as np

    panels = [p for p in _unit_panels(figures, directions) if not p[0][0]][:max_panels]
    cols = 2 if len(panels) > 1 else 1
    rows_n = -(-len(panels) // cols)
    fig, axes = _subplots(rows_n, cols, figsize=(8, 1.2 + 2.1 * rows_n), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.set_axis_off()
    for ax, (_, heading, rows) in zip(axes.ravel(), panels):
        values = rows["value"][rows["value"] > 0].astype(float)
        if values.empty:
            ax.set_axis_off()
            continue
        low, high = np.log10(values.min()), np.log10(values.max())
        bins = np.logspace(np.floor(low), np.ceil(high) if high > np.floor(low) else np.floor(low) + 1,
                           int(min(30, max(5, 4 * (np.ceil(high) - np.floor(low))))) + 1)
        ax.hist(values, bins=bins, color="#3b6ea5")
        ax.set_xscale("log")
        _number_axis(ax, True)
        ax.set_title(f"{heading}：{len(rows)} 个", loc="left", fontsize=10, color="0.3")
        ax.spines[["top", "right"]].set_visible(False)
    fig.supylabel("数字个数", fontsize=9)
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
        panels.append(("per_10k", "per_10k_text", "每万常住人口（2020年普查）"))
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


MAX_EVENT_LABELS = 24  # more events than this are drawn as counts per day, without labels
MAX_TIMELINE_ROWS = 15  # provinces shown (those with the most events)
MAX_TICKS = 5


def _date_ticks(ax, start, end) -> None:
    """At most MAX_TICKS evenly spaced days from ``start`` to ``end``, written 11月25日 with the year
    on the first tick and wherever it changes: ticks a third of the width apart never overlap."""
    import pandas as pd
    from matplotlib.dates import date2num
    from matplotlib.ticker import FixedFormatter, FixedLocator

    first = start.normalize() + (pd.Timedelta(days=1) if start.normalize() < start else pd.Timedelta(0))
    days = max((end - first).days, 1)
    step = max(1, -(-days // (MAX_TICKS - 1)))
    ticks = [t for t in pd.date_range(first, end, freq=f"{step}D") if start <= t <= end][:MAX_TICKS]
    labels, year = [], None
    for t in ticks:
        labels.append(f"{t.year}年{t.month}月{t.day}日" if t.year != year else f"{t.month}月{t.day}日")
        year = t.year
    ax.xaxis.set_major_locator(FixedLocator([date2num(t) for t in ticks]))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))


def events_timeline(events, title: str, source: str, report_date=None):
    """Dated events on a time axis, one row per province, each labelled with its date as written.

    The axis ends at ``report_date`` (the publication date) when given: nothing is drawn after the
    report. Past MAX_EVENT_LABELS events, each day's events are one dot sized by their number, and
    only the MAX_TIMELINE_ROWS provinces with most events get a row.
    """
    import pandas as pd

    if events.empty:
        return _empty(title, source, "没有带日期的事件")
    data = events.assign(when=pd.to_datetime(events["date_start"], errors="coerce")).dropna(subset=["when"])
    end = pd.Timestamp(report_date) if report_date is not None and str(report_date) not in ("", "NaT") else None
    if end is not None:
        data = data[data["when"] <= end]
    if data.empty:
        return _empty(title, source, "没有可定位的日期")
    ordered = data.sort_values(["doc_id", "span_start"]) if {"doc_id", "span_start"} <= set(data) else data
    counts = ordered["province"].fillna("").value_counts()
    provinces = [p for p in dict.fromkeys(ordered["province"].fillna("")) if p in set(counts.index[:MAX_TIMELINE_ROWS])]
    hidden = len(counts) - len(provinces)
    data = data[data["province"].fillna("").isin(provinces)]
    many = len(data) > MAX_EVENT_LABELS
    fig, ax = _subplots(figsize=(8, 1.3 + 0.55 * len(provinces) + (0 if many else 0.12 * len(data))))
    for row, province in enumerate(provinces):
        mine = data[data["province"].fillna("") == province]
        if many:
            per_day = mine.groupby(mine["when"].dt.normalize()).size()
            ax.scatter(per_day.index, [row] * len(per_day), s=12 + 10 * per_day.to_numpy(), alpha=0.6, zorder=3)
            continue
        ax.scatter(mine["when"], [row] * len(mine), s=36, zorder=3)
        for n, (when, surface, text) in enumerate(zip(mine["when"], mine["surface"], mine["text"].fillna(""))):
            label = _short(text, 18) if str(surface) in str(text)[:12] else f"{surface} {_short(text, 14)}".strip()
            ax.annotate(label, (when, row), xytext=(4, 6 + 10 * (n % 2)), textcoords="offset points", fontsize=8,
                        annotation_clip=True)
    ax.set_yticks(range(len(provinces)), [p or NO_PROVINCE for p in provinces])
    ax.set_ylim(-0.6, len(provinces) - 0.2)
    ax.invert_yaxis()
    first, last = data["when"].min(), data["when"].max()
    pad = max((last - first) * 0.08, pd.Timedelta(days=2))
    right = end if end is not None else last + pad
    left = min(first - pad, right - pd.Timedelta(days=7))
    ax.set_xlim(left, right)
    _date_ticks(ax, left, right)
    ax.grid(axis="x", color="0.9")
    ax.spines[["top", "right", "left"]].set_visible(False)
    if end is not None:
        ax.axvline(end, color="0.6", lw=0.8, ls="--")
    ax.set_title(title + ("（圆点大小为当天事件数）" if many else ""), loc="left")
    if hidden:
        source = f"另有 {hidden} 个省份的事件未画出。" + source
    return _finish(fig, source)


def indicator_over_time(rows, title: str, source: str):
    """One indicator over time, one line per province: ``rows`` have ``when`` (as-of or publication
    date), ``value``, ``unit`` and ``province``; each point labelled with its value as written."""
    import pandas as pd

    if rows.empty:
        return _empty(title, source, "没有可比的时间点")
    data = rows.assign(when=pd.to_datetime(rows["when"], errors="coerce")).dropna(subset=["when"]).sort_values("when")
    fig, ax = _subplots(figsize=(8, 3.2))
    for province, mine in data.groupby("province", sort=False):
        ax.plot(mine["when"], mine["value"], marker="o", label=province or NO_PROVINCE)
        for when, value, unit, q in zip(mine["when"], mine["value"], mine["unit"], mine["qualifier"]):
            ax.annotate(format_value(value, unit, q, style="symbol"), (when, value), xytext=(0, 6),
                        textcoords="offset points", ha="center", fontsize=8)
    _number_axis(ax, _wide_range(data["value"]), axis="y")
    first, last = data["when"].min(), data["when"].max()
    pad = max((last - first) * 0.08, pd.Timedelta(days=3))
    ax.set_xlim(first - pad, last + pad)
    _date_ticks(ax, first - pad, last + pad)
    ax.set_ylim(bottom=0, top=data["value"].max() * 1.25 or 1)
    ax.spines[["top", "right"]].set_visible(False)
    if data["province"].nunique() > 1:
        ax.legend(frameon=False, fontsize=8)
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
        return self.png, {"width": int(width), "height": int(height), "alt": self.alt}

    @property
    def alt(self) -> str:
        """Alt text for the page: the chart's title."""
        suptitle = getattr(self.figure, "_suptitle", None)  # Figure.get_suptitle needs matplotlib 3.8
        title = suptitle.get_text() if suptitle is not None else ""
        if not title:
            titles = [ax.get_title(loc="left") or ax.get_title() for ax in self.figure.axes]
            title = next((t for t in titles if t), "")
        return title or "图表"

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
            if fmt == "svg":
                _renumber_ids(Path(temp))
    return targets


def _renumber_ids(path: Path) -> None:
    """Number the SVG's clip-path ids in order of appearance. matplotlib hashes each clip box's
    coordinates at full float precision, and a layout can differ from the last one in the last
    bit, which gave different ids (not a different picture) from one run to the next."""
    import re

    text = path.read_text(encoding="utf-8")
    ids: dict[str, str] = {}
    for found in re.findall(r'id="(p[0-9a-f]{10})"', text):
        ids.setdefault(found, f"clip{len(ids)}")
    if ids:
        text = re.sub(r"\b(p[0-9a-f]{10})\b", lambda m: ids.get(m.group(1), m.group(1)), text)
        path.write_text(text, encoding="utf-8")


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
