"""Periods: which of an archive's figures a notebook shows, so that it compares like with like in time.

Every notebook takes a ``period`` parameter:

- ``latest`` (the default): for each province and each indicator (the comparison's key: indicator,
  measure, unit, :data:`analysis.publish.compare.LIKE_WITH_LIKE`), the figures of the latest date;
  a figure that feeds no indicator counts as an indicator of its own subject (what it counts, with
  its measure and unit), so the latest 地区生产总值 of a bulletin replaces last year's. In a single
  report, that is every figure.
- ``all``: every figure of every report.
- a year, ``2021``: the figures counted in that year.
- a date range, ``2021-01-01/2021-06-30`` (ISO, as the dates table writes periods; ``2021/2022`` and
  ``2021-03/2021-09`` are the years and months they name).

A figure's date is its ``as_of`` (截至…), else its report's publication date; a report's date is its
publication date, else the latest ``as_of`` of its figures. A value that is none of these is one line
listing what can be given (:func:`check_period`), in Chinese as every notebook error is.

Pure functions of DataFrames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.errors import InputError

LATEST, ALL = "latest", "all"
_YEAR = re.compile(r"^\d{4}$")
_PART = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_RANGE = re.compile(rf"^({_PART})/({_PART})$")
EXAMPLE_RANGE = "2021-01-01/2021-06-30"


@dataclass(frozen=True)
class Period:
    """A period as the notebooks take it: ``kind`` latest, all or range (a year is a range)."""

    kind: str
    text: str
    start: object = None  # pandas Timestamps for a range
    end: object = None

    @property
    def label(self) -> str:
        """The period in Chinese, for titles and captions."""
        if self.kind == LATEST:
            return "最新一期"
        if self.kind == ALL:
            return "全部各期"
        if _YEAR.match(self.text):
            return f"{self.text}年"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    @property
    def bounded(self) -> bool:
        return self.kind == "range"

    @property
    def suffix(self) -> str:
        """What a title adds for the period: nothing for the default (latest), else （2021年）."""
        return "" if self.kind == LATEST else f"（{self.label}）"

    @property
    def meaning(self) -> str:
        """One Chinese sentence saying which figures the period shows, for a page's captions."""
        if self.kind == LATEST:
            return ("时期：最新一期。每个省份的每项指标取日期最近的数字（截至日期，没有则用报道日期），"
                    "不属于任何指标的数字按统计对象取最近的。")
        if self.kind == ALL:
            return "时期：全部各期，每篇报道的每个数字都列出。"
        return f"时期：{self.label}，只列截至日期（没有则用报道日期）在这段时间内的数字。"


def _bounds(text: str, end: bool):
    """The first (or last) day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` covers."""
    import pandas as pd

    parts = text.split("-")
    if len(parts) == 3:
        return pd.Timestamp(text)
    start = pd.Timestamp(f"{parts[0]}-{parts[1] if len(parts) > 1 else '01'}-01")
    if not end:
        return start
    return (start + (pd.offsets.MonthEnd(1) if len(parts) == 2 else pd.offsets.YearEnd(1)))


def parse_period(value) -> Period:
    """A period from a parameter value; ValueError if it is none (see the module doc).

    >>> parse_period("2021").label, parse_period("2021-03/2021-09").label, parse_period("").kind
    ('2021年', '2021-03-01至2021-09-30', 'latest')
    """
    text = str(value if value is not None else "").strip()
    if text.lower() in ("", LATEST):
        return Period(LATEST, LATEST)
    if text.lower() == ALL:
        return Period(ALL, ALL)
    if _YEAR.match(text):
        return Period("range", text, _bounds(text, False), _bounds(text, True))
    match = _RANGE.match(text)
    if match:
        try:
            start, end = _bounds(match.group(1), False), _bounds(match.group(2), True)
        except ValueError:
            raise ValueError(text) from None
        if start <= end:
            return Period("range", text, start, end)
    raise ValueError(text)


def figure_dates(frame, documents):
    """Each row's date (a Timestamp, NaT if none): its ``as_of``, else its report's publication date."""
    import pandas as pd

    published = dict(zip(documents["doc_id"], pd.to_datetime(documents["published"], errors="coerce")))
    as_of = pd.to_datetime(frame["as_of"], errors="coerce") if "as_of" in frame else pd.Series(pd.NaT, index=frame.index)
    fallback = pd.Series([published.get(d, pd.NaT) for d in frame["doc_id"]], index=frame.index, dtype="datetime64[ns]")
    return as_of.astype("datetime64[ns]").fillna(fallback)


def report_dates(documents, figures=None):
    """``{doc_id: date}``: a report's publication date, else the latest ``as_of`` of its figures."""
    import pandas as pd

    dates = dict(zip(documents["doc_id"], pd.to_datetime(documents["published"], errors="coerce")))
    if figures is not None and "as_of" in figures and len(figures):
        latest = pd.to_datetime(figures["as_of"], errors="coerce").groupby(figures["doc_id"]).max()
        for doc, when in latest.items():
            if pd.isna(dates.get(doc, pd.NaT)):
                dates[doc] = when
    return dates


def available(frame, documents) -> list[str]:
    """The years the rows of ``frame`` are dated in, oldest first (what a year may be)."""
    dates = figure_dates(frame, documents).dropna()
    return [str(y) for y in sorted(dates.dt.year.unique())]


def check_period(value, frame, documents, name: str = "period") -> Period:
    """The period ``value`` names, checked against the data: an unknown form, or a year or range
    with no figure in it, is an InputError (one Chinese line listing what can be given)."""
    years = available(frame, documents) if len(frame) else []
    listed = "、".join([LATEST, ALL, *years])
    try:
        period = parse_period(value)
    except ValueError:
        raise InputError(name, f"{value!r} 不是可用的时期，可选：{listed}，或日期范围（如 {EXAMPLE_RANGE}）") from None
    if period.bounded and len(frame):
        dates = figure_dates(frame, documents)
        if not ((dates >= period.start) & (dates <= period.end)).any():
            raise InputError(name, f"{value!r} 这段时期没有统计数字，数据中的年份：{'、'.join(years) or '（无）'}")
    return period


def series_keys(frame) -> list:
    """What makes figures one series for ``latest``: the comparison's key columns
    (:data:`analysis.publish.compare.LIKE_WITH_LIKE`), the unit class made from the unit when the
    frame has no such column, each as a Series of text."""
    from analysis.publish.compare import LIKE_WITH_LIKE, same_units

    keys = []
    for column in LIKE_WITH_LIKE:
        if column in frame:
            keys.append(frame[column].astype("string").fillna(""))
        elif column == "unit_class" and "unit" in frame:
            units = same_units()
            keys.append(frame["unit"].astype("string").fillna("").map(lambda u: units.get(u, u)))
    return keys


def select(frame, documents, period: Period):
    """The rows of ``frame`` (figures or indicators: ``doc_id``, ``province``, ``as_of``) in ``period``."""
    import pandas as pd

    if period.kind == ALL or frame.empty:
        return frame
    dates = figure_dates(frame, documents)
    if period.bounded:
        return frame[((dates >= period.start) & (dates <= period.end)).to_numpy()]
    # latest: per province and indicator the latest date; a figure of no indicator is one of its subject
    province = frame["province"].fillna("").astype(str)
    keys = [province, *series_keys(frame)]
    if "indicator" in frame and "subject" in frame:
        indicator = frame["indicator"].astype("string").fillna("")
        keys.append(frame["subject"].astype("string").fillna("").where(indicator == "", ""))
    filled = dates.fillna(pd.Timestamp.min)
    newest = filled.groupby(keys).transform("max")
    return frame[(filled == newest).to_numpy()]


def documents_in(documents, *frames):
    """The reports that rows of ``frames`` come from, in the documents table's order."""
    docs = set()
    for frame in frames:
        docs |= set(frame["doc_id"])
    return documents[documents["doc_id"].isin(docs)]
