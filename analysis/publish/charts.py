"""Charts: pure functions from a DataFrame to a matplotlib Figure, plus one renderer and writer.

Every chart labels values as the report writes them (4.25万个, 超1.8亿元, 近1000万亩, 1200多户), names
the province of every bar, puts one unit on an axis, marks a log axis 对数刻度, ends a rate axis at
100 % (or where the data does, above it), and carries a source line (publisher and date).
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
SOURCE_STYLE = {"x": 0.01, "ha": "left", "fontsize": 8, "color": "0.35", "wrap": True}  # a long source line wraps
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


LOG_NOTE = "对数刻度"  # under every log axis: a bar a tenth as long is not a tenth as large
PERCENT_UNITS = frozenset({"%", "％"})


def _number_axis(ax, log: bool, axis: str = "x"):
    from matplotlib.ticker import FuncFormatter, LogLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    if log:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        target.set_major_locator(LogLocator(base=10))
        (ax.set_xlabel if axis == "x" else ax.set_ylabel)(LOG_NOTE, fontsize=8, color="0.35",
                                                          loc="right" if axis == "x" else "top")
    target.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v) if v > 0 or not log else ""))


def _value_limits(values, unit: str, log: bool) -> tuple[float, float]:
    """The extent of a value axis: from 0 (log: below the smallest), to 100 for a rate unless the data
    goes above it, else with room for the value labels."""
    values = [float(v) for v in values if v == v]
    top = max(values, default=1.0) or 1.0
    if unit in PERCENT_UNITS:
        return 0.0, max(100.0, top)
    if log:
        low = min((v for v in values if v > 0), default=1.0)
        return low / 3, top * 8
    return 0.0, top * 1.45


def _bar_values(ax, positions, values, texts, right: float, unit: str, log: bool) -> None:
    """Write each bar's value as the report writes it: past the bar's end, or inside it (white) on a
    rate axis, which ends where the data does."""
    for y, value, text in zip(positions, values, texts):
        if value != value:
            ax.annotate("无数据", (0, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9, color="0.4")
            continue
        inside = unit in PERCENT_UNITS and not log and value > right * 0.3
        ax.annotate(text, (value, y), xytext=(-3 if inside else 3, 0), textcoords="offset points", va="center",
                    ha="right" if inside else "left", fontsize=9, color="white" if inside else "black")


TOP_BARS = 10  # bars per panel: the largest figures; the rest are counted in a note
MAX_PANELS = 8  # panels per chart: the units with the most figures; the rest are counted in a note
CHANGE_SIGNS = {"up": "+", "down": "−"}
NO_PROVINCE_LABEL = "未标明省份"


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


def province_colours(provinces) -> dict[str, tuple]:
    """One colour per province, the same in every panel of a chart."""
    from matplotlib import colormaps

    palette = colormaps["tab10"].colors
    return {p: palette[i % len(palette)] for i, p in enumerate(dict.fromkeys(provinces))}


def _owned(province, label: str) -> str:
    """A bar's label: its province first, then what it counts (吉林·免耕播种机)."""
    owner = province if isinstance(province, str) and province else NO_PROVINCE_LABEL
    return f"{owner}·{label}" if label else owner


def figures_by_unit(figures, title: str, source: str, *, directions=None, top: int = TOP_BARS,
                    max_panels: int = MAX_PANELS, min_bars: int = 2):
    """The largest figures of each unit, one panel per unit as written (个, 台, 户, 个工作日 never
    share an axis), changes (再提高5元, signed and hatched) in panels of their own.

    Every bar is labelled with its province and what it counts (``bar_label`` if the frame has it:
    the indicator's Chinese name or the clean subject; else the subject), coloured by province, and
    carries its value as the report writes it (``written`` if given). A unit with fewer than
    ``min_bars`` figures has nothing to compare and gets no panel (a full-length lone bar says
    nothing); the note under the chart names those units. Bounded whatever the number of figures:
    at most ``max_panels`` panels of at most ``top`` bars. ``None`` when no unit has a panel.
    """
    from matplotlib.patches import Rectangle

    from analysis.publish.views import as_written, label

    if figures.empty:
        return None
    data = figures.assign(
        written=figures["written"] if "written" in figures else as_written(figures),
        bar_label=figures["bar_label"] if "bar_label" in figures else
        [label(s, t) for s, t in zip(figures["subject"], figures.get("sentence_text", [None] * len(figures)))],
    )
    panels = _unit_panels(data, directions)
    alone = [p for p in panels if len(p[2]) < min_bars]
    panels = [p for p in panels if len(p[2]) >= min_bars]
    hidden = panels[max_panels:]
    panels = panels[:max_panels]
    if not panels:
        return None
    shown_rows = [rows.sort_values(["value", "figure"], ascending=[False, True]).head(top) for _, _, rows in panels]
    drawn = {p for rows in shown_rows for p in rows["province"].fillna(NO_PROVINCE_LABEL)}
    in_report_order = data.sort_values(["doc_id", "figure"]) if {"doc_id", "figure"} <= set(data) else data
    colours = province_colours(p for p in in_report_order["province"].fillna(NO_PROVINCE_LABEL) if p in drawn)
    sizes = [len(rows) for rows in shown_rows]
    height = 1.3 + BAR_HEIGHT_INCHES * sum(sizes) + 0.8 * len(panels)
    fig, axes = _subplots(len(panels), 1, figsize=(8, height), squeeze=False,
                          gridspec_kw={"height_ratios": [n + 1.3 for n in sizes]})
    for ax, ((change, unit), heading, rows), panel in zip(axes[:, 0], panels, shown_rows):
        panel = panel.reset_index(drop=True)
        values = panel["value"].abs()
        positions = list(range(len(panel)))
        provinces = panel["province"].fillna(NO_PROVINCE_LABEL)
        ax.barh(positions, values, color=[colours[p] for p in provinces],
                hatch="//" if change else None, edgecolor="white" if change else None)
        names = [_owned(p, b) for p, b in zip(panel["province"], panel["bar_label"])]
        if len(set(names)) < len(names):  # one indicator twice: the figure's number tells them apart
            from analysis.publish.views import figure_number

            names = [f"{n}（{figure_number(f)}）" if names.count(n) > 1 else n for n, f in zip(names, panel["figure"])]
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        wide = _wide_range(values) and unit not in PERCENT_UNITS
        _number_axis(ax, wide)
        left, right = _value_limits(values, unit, wide)
        ax.set_xlim(left, right)
        signs = panel["_change"] if "_change" in panel else [""] * len(panel)
        texts = [CHANGE_SIGNS.get(d, "") + w for w, d in zip(panel["written"], signs)]
        _bar_values(ax, positions, values, texts, right, unit, wide)
        more = len(rows) - len(panel)
        ax.set_title(heading + (f"：最大的 {len(panel)} 个，另有 {more} 个未画出" if more else ""),
                     loc="left", fontsize=10, color="0.3")
        ax.spines[["top", "right"]].set_visible(False)
    if len(colours) > 1:
        handles = [Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
        fig.legend(handles, list(colours), loc="outside upper right", ncols=min(6, len(colours)), fontsize=8,
                   frameon=False)
    fig.suptitle(title, x=0.01, ha="left")
    notes = []
    if alone:
        names = list(dict.fromkeys((unit or "无单位") + ("（变化量）" if change else "") for (change, unit), _, _ in alone))
        units = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
        notes.append(f"只有一个数字的单位没有画出：{units}。")
    if hidden:
        notes.append(f"另有 {len(hidden)} 种单位的 {sum(len(r) for _, _, r in hidden)} 个数字未画出。")
    return _finish(fig, "".join(notes) + source)


def value_histograms(figures, title: str, source: str, *, directions=None, max_panels: int = 6):
    """How large the figures of each unit are: small multiples, one histogram per unit (the units
    with the most figures), on a log scale of values. For hundreds of documents, where one bar per
    figure would be unreadable."""
    if figures.empty:
        return None
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


def _scale_units(group, column: int, unit: str) -> list[str]:
    """The unit a bar's axis is shared by: its unit class (件 and 项 as 个), per resident with its suffix."""
    if column == 0:
        return list(group[unit])
    return [f"{c}{u[len(o):]}" if u else "" for c, u, o in zip(group["unit_class"], group[unit], group["unit"])]


def comparison_chart(rows, keys, title: str, source: str, per_capita: bool = True, max_panels: int = MAX_PANELS):
    """Provinces side by side, one row of panels per comparison key (one indicator, one stage, one
    unit: :mod:`analysis.publish.compare`), the values as written on the left and, with
    ``per_capita``, the values per resident (元/人, 个/万人) on the right.

    Every bar is a province (with the figure's subject when a province has several); panels of one
    unit share one value axis, so a bar's length compares across panels; a log axis is marked
    对数刻度; a rate axis ends at 100 % unless the data goes above; the provinces that do not report
    a key are named under its heading. ``None`` when no key is reported by two provinces.
    """
    keys = keys[keys["comparable"]].head(max_panels) if len(keys) else keys
    if not len(keys):
        return None
    groups = [rows[rows["key"] == k] for k in keys["key"]]
    with_per = per_capita and any(g["per_resident"].notna().any() for g in groups)
    columns = [("value", "written", "unit_class")] + ([("per_resident", "per_resident_text", "per_resident_unit")]
                                                       if with_per else [])
    # One scale per unit across the panels: the same limits, and log for all if any needs it.
    scales: dict[tuple[int, str], list] = {}
    for g in groups:
        for n, (value, _, unit) in enumerate(columns):
            for u, v in zip(_scale_units(g, n, unit), g[value]):
                scales.setdefault((n, u), []).append(v)
    logs = {k: _wide_range(v) and k[1] not in PERCENT_UNITS for k, v in scales.items()}
    limits = {k: _value_limits(v, k[1], logs[k]) for k, v in scales.items()}
    colours = province_colours(p for g in groups for p in g["province"])
    sizes = [len(g) for g in groups]
    fig, axes = _subplots(len(groups), len(columns), figsize=(4.4 * len(columns) + 1.2, 1.2 + sum(0.42 * n + 0.95 for n in sizes)),
                          squeeze=False, gridspec_kw={"height_ratios": [n + 1.6 for n in sizes]})
    for row_axes, key, g in zip(axes, keys.itertuples(), groups):
        g = g.reset_index(drop=True)
        several = g["province"].duplicated(keep=False)
        names = [f"{p}·{s}" if many and s else p for p, s, many in zip(g["province"], g["subject_label"], several)]
        positions = list(range(len(g)))
        for n, (ax, (value, text, unit)) in enumerate(zip(row_axes, columns)):
            units = [u for u, v in zip(_scale_units(g, n, unit), g[value]) if u and v == v]
            if not units:
                ax.set_axis_off()
                ax.text(0, 0.5, "不按人口折算（比率、时长、人均标准等）", transform=ax.transAxes, fontsize=9, color="0.4")
                continue
            k = (n, units[0])
            values = g[value].astype(float)
            ax.barh(positions, values.fillna(0), color=[colours[p] for p in g["province"]])
            ax.set_yticks(positions, names)
            ax.invert_yaxis()
            _number_axis(ax, logs[k])
            ax.set_xlim(*limits[k])
            _bar_values(ax, positions, values, g[text], limits[k][1], g["unit_class"].iloc[0], logs[k])
            ax.spines[["top", "right"]].set_visible(False)
            if n == 0:
                heading = f"{key.label}（{key.unit_class}）"
                if key.missing:
                    heading += f"\n未报告：{'、'.join(key.missing)}"
                ax.set_title(heading, loc="left", fontsize=10)
            else:
                shown = "、".join(dict.fromkeys(u for u in g[unit] if u))
                ax.set_title(f"人均（{shown}，2020年普查人口）", loc="left", fontsize=9, color="0.3")
    fig.suptitle(title, x=0.01, ha="left")
    return _finish(fig, source)


def coverage_heatmap(coverage, title: str, source: str):
    """Which province reports on which theme: a province × theme grid of figure counts."""
    if coverage.empty:
        return None
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
MAX_TICKS = 6


@cache
def _date_formatter_class():
    """matplotlib's ConciseDateFormatter writing Chinese dates (2021年, 11月, 5日) without zero padding
    (strftime's %-m is not portable, so the padding is taken off the formatted labels)."""
    import re

    from matplotlib.dates import ConciseDateFormatter

    unpad = re.compile(r"(?<!\d)0(\d)")

    class ChineseDateFormatter(ConciseDateFormatter):
        def format_ticks(self, values):
            return [unpad.sub(r"\1", label) for label in super().format_ticks(values)]

        def get_offset(self):
            return unpad.sub(r"\1", super().get_offset())

    return ChineseDateFormatter


def _date_axis(ax, axis: str = "x") -> None:
    """A date axis by matplotlib's AutoDateLocator (at most MAX_TICKS ticks at round dates: month
    starts, weeks, days) and a concise Chinese formatter: 11月 for months, 11月25日 for days, the
    year once at the axis end (11月25日 … 12月1日, 2021年)."""
    from matplotlib.dates import AutoDateLocator

    locator = AutoDateLocator(minticks=3, maxticks=MAX_TICKS)
    formatter = _date_formatter_class()(
        locator,
        formats=["%Y年", "%m月", "%m月%d日", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y年", "%m月%d日", "%m月%d日", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y年", "%Y年", "%Y年%m月%d日", "%Y年%m月%d日", "%Y年%m月%d日 %H:%M"],
    )
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(formatter)


def events_timeline(events, title: str, source: str, report_date=None):
    """Dated events on a time axis, one row per province, each labelled with its date as written.

    The axis ends at ``report_date`` (the publication date) when given: nothing is drawn after the
    report. Past MAX_EVENT_LABELS events, each day's events are one dot sized by their number, and
    only the MAX_TIMELINE_ROWS provinces with most events get a row.
    """
    import pandas as pd

    if events.empty:
        return None
    data = events.assign(when=pd.to_datetime(events["date_start"], errors="coerce")).dropna(subset=["when"])
    end = pd.Timestamp(report_date) if report_date is not None and str(report_date) not in ("", "NaT") else None
    if end is not None:
        data = data[data["when"] <= end]
    if data.empty:
        return None
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
    _date_axis(ax)
    ax.grid(axis="x", color="0.9")
    ax.spines[["top", "right", "left"]].set_visible(False)
    if end is not None:
        ax.axvline(end, color="0.6", lw=0.8, ls="--")
    ax.set_title(title + ("（圆点大小为当天事件数）" if many else ""), loc="left")
    if hidden:
        source = f"另有 {hidden} 个省份的事件未画出。" + source
    return _finish(fig, source)


def indicator_over_time(rows, title: str, source: str):
    """Series over time, one panel each (:func:`analysis.publish.views.indicator_series`): ``rows`` have
    ``series`` (one quantity: indicator, measure, unit and subject), ``when`` (the report's date),
    ``value``, ``unit``, ``qualifier`` and ``written``. Each panel has its own value axis in its own
    unit, so two quantities never share a line or an axis; the time axis is shared; each point is
    labelled with its value as the report writes it. Without a ``series`` column, one per province."""
    import pandas as pd

    if rows.empty:
        return None
    data = rows.assign(when=pd.to_datetime(rows["when"], errors="coerce")).dropna(subset=["when"]).sort_values("when")
    if data.empty:
        return None
    if "series" not in data:
        data = data.assign(series=data["province"].fillna("").replace("", NO_PROVINCE))
    names = list(dict.fromkeys(data["series"]))
    fig, axes = _subplots(len(names), 1, figsize=(8, 0.6 + 2.3 * len(names)), sharex=True, squeeze=False)
    first, last = data["when"].min(), data["when"].max()
    pad = max((last - first) * 0.08, pd.Timedelta(days=20))
    for ax, name in zip(axes[:, 0], names):
        mine = data[data["series"] == name]
        ax.plot(mine["when"], mine["value"], marker="o", color="#1d4ed8")
        texts = mine["written"] if "written" in mine else [format_value(v, u, q) for v, u, q in
                                                          zip(mine["value"], mine["unit"], mine["qualifier"])]
        for when, value, text in zip(mine["when"], mine["value"], texts):
            ax.annotate(str(text), (when, value), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
        log = _wide_range(mine["value"])
        _number_axis(ax, log, axis="y")
        if not log:
            ax.set_ylim(bottom=0, top=float(mine["value"].max()) * 1.3 or 1)
        unit = "、".join(dict.fromkeys(str(u) for u in mine["unit"] if str(u) not in ("", "nan", "<NA>")))
        ax.set_title(_short(name, 40) + (f"（{unit}）" if unit else ""), loc="left", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="0.92")
    axes[0, 0].set_xlim(first - pad, last + pad)
    _date_axis(axes[-1, 0])
    fig.suptitle(title, x=0.01, ha="left")
    return _finish(fig, source + "；横轴为报道日期")


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


def render(fig, stem: str, reports_dir: str | Path = "", formats=("png", "svg")) -> Chart | None:
    """Draw ``fig`` once as PNG; with a ``reports_dir``, also write ``figures/<stem>.png`` (those
    bytes) and ``.svg`` (from the same layout). End a notebook cell with the result to show it.
    ``None`` (a chart with nothing to show) gives ``None``: nothing is drawn, shown or written.

    >>> charts.render(charts.coverage_heatmap(table, "覆盖", source), "overview_coverage", reports)  # doctest: +SKIP
    <Chart 600x400 with 1 Axes>
    """
    targets = _targets(stem, reports_dir, formats)  # refuses an unsafe stem before drawing
    if fig is None:
        return None
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
