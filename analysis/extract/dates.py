"""Dates and periods written in reports, resolved to ISO strings with the publication year.

``11月25日`` -> 2021-11-25, ``10月末`` -> 2021-10-31, ``今年5月`` -> 2021-05, ``2021年`` -> 2021,
``1至10月`` -> 2021-01/2021-10 (an ISO 8601 interval), ``前三季度`` -> 2021-01/2021-09.
The patterns work on normalised text (:mod:`analysis.extract.normalize`).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

_CN_SMALL = "一二三四五六七八九"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_YEAR = r"(?:(?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3})"
RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
# words that may open a date before its first numeral: 今年5月, 前三季度, 前10个月
PREFIXES = (*RELATIVE_YEARS, "前")
_REL = "|".join(RELATIVE_YEARS)
_PART = r"(?:底|末|初|上旬|中旬|下旬)"

# Alternatives are tried in order at one position; the longest forms come first.
DATE_PATTERN = re.compile(
    rf"""
    (?:(?P<rel>{_REL})|(?P<year>{_YEAR})年(?:度)?)?
    (?:
        (?P<m1>{_MONTH})(?:月份?)?(?:至|到|-)(?P<m2>{_MONTH})月份?(?P<range_part>{_PART})?
      | (?P<qprefix>前)?(?P<quarter>[一二三四1-4])季度
      | 前(?P<first_months>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])个月
      | (?P<month>{_MONTH})月份?(?:(?P<day>{_DAY})[日号]|(?P<part>{_PART}))?
    )
    | (?P<year_only>{_YEAR})年(?:度)?(?P<year_part>底|末|初)?
    | (?P<y1>(?:19|20)\d{{2}})(?:年)?(?:至|到|-)(?P<y2>(?:19|20)\d{{2}})年
    | (?P<day_only>{_DAY})[日号]
    """,
    re.VERBOSE,
)


class DateValue(NamedTuple):
    """A resolved date: ``text`` is ISO (day, month, year or interval); start and end are days."""

    # a named tuple, not a frozen dataclass: one is built for every date in a text, at a quarter of the cost
    text: str
    start: date | None
    end: date | None


def cn_int(s: str) -> int:
    """1..31 written in Arabic or Chinese digits (十一, 二十五, 三十)."""
    if s.isdigit():
        return int(s)
    if s in ("十",):
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_SMALL.index(tens) + 1 if tens else 1) * 10 + (_CN_SMALL.index(ones) + 1 if ones else 0)
    return _CN_SMALL.index(s) + 1 if s in _CN_SMALL else int(s)


def cn_year(s: str) -> int:
    if s.isdigit():
        return int(s)
    return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in s))


def _last_day(year: int, month: int) -> int:
    # calendar.monthrange works out the weekday too, which costs more than all of resolve() besides
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    return _MONTH_DAYS[month] + (month == 2 and calendar.isleap(year))


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


_PART_DAYS = {"初": (1, 10), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, None)}


def _month_value(year: int | None, month: int, part: str | None) -> DateValue:
    if year is None:
        return DateValue(f"--{month:02d}", None, None)
    last = _last_day(year, month)
    if part in ("底", "末"):
        day = date(year, month, last)
        return DateValue(day.isoformat(), day, day)
    lo, hi = _PART_DAYS.get(part or "", (1, last))
    if hi is None:  # 下旬 runs to the month's last day
        hi = last
    return DateValue(f"{year:04d}-{month:02d}", date(year, month, lo), date(year, month, hi))


def resolve(match: re.Match, published: date | None, month_context: int | None = None) -> DateValue | None:
    """Turn a :data:`DATE_PATTERN` match into an ISO value.

    A month written without a year takes the publication year, or the year before when that month
    would fall after publication (a January report speaking of 12月).
    """
    g = match.groupdict()
    try:
        if g["y1"]:
            y1, y2 = int(g["y1"]), int(g["y2"])
            return DateValue(f"{y1}/{y2}", date(y1, 1, 1), date(y2, 12, 31))
        if g["year_only"]:
            year = cn_year(g["year_only"])
            if g["year_part"] in ("底", "末"):
                day = date(year, 12, 31)
                return DateValue(day.isoformat(), day, day)
            return DateValue(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))
        if g["day_only"]:
            if month_context is None or published is None:
                return DateValue("", None, None)
            return _day(published.year, month_context, cn_int(g["day_only"]))
        explicit = g["year"] is not None or g["rel"] is not None
        year = None
        if g["year"]:
            year = cn_year(g["year"])
        elif g["rel"] and published:
            year = published.year + RELATIVE_YEARS[g["rel"]]
        elif published:
            year = published.year
        if g["quarter"]:
            q = cn_int(g["quarter"])
            if year is None:
                return DateValue("", None, None)
            first = 1 if g["qprefix"] else 3 * q - 2
            start, end = date(year, first, 1), date(year, 3 * q, _last_day(year, 3 * q))
            return DateValue(f"{year:04d}-{first:02d}/{year:04d}-{3 * q:02d}", start, end)
        if g["first_months"]:
            last = cn_int(g["first_months"])
            if year is None or not 1 <= last <= 12:
                return None
            return DateValue(f"{year:04d}-01/{year:04d}-{last:02d}", date(year, 1, 1),
                             date(year, last, _last_day(year, last)))
        if g["m1"]:
            m1, m2 = cn_int(g["m1"]), cn_int(g["m2"])
            if not (1 <= m1 < m2 <= 12):
                return None
            if year is None:
                return DateValue(f"--{m1:02d}/--{m2:02d}", None, None)
            end = _month_value(year, m2, g["range_part"]).end
            return DateValue(f"{year:04d}-{m1:02d}/{year:04d}-{m2:02d}", date(year, m1, 1), end)
        month = cn_int(g["month"])
        if not 1 <= month <= 12:
            return None
        if year is not None and not explicit and published and date(year, month, 1) > published:
            year -= 1
        if g["day"]:
            if year is None:
                return DateValue(f"--{month:02d}-{cn_int(g['day']):02d}", None, None)
            return _day(year, month, cn_int(g["day"]))
        return _month_value(year, month, g["part"])
    except (ValueError, IndexError):
        return None


def _day(year: int, month: int, day: int) -> DateValue | None:
    if not 1 <= day <= _last_day(year, month):
        return None
    value = date(year, month, day)
    return DateValue(value.isoformat(), value, value)


_STAMP = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)")
_YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})年")


def infer_published(norm: str) -> date | None:
    """A stand-in publication date for a report that does not state one.

    A page timestamp or dateline (2021-11-28 06:12, （2021年12月02日 04版）) is taken when present:
    the latest full date written in the text. Failing that, the end of the latest year mentioned.

    >>> infer_published("2021-11-28 06:12 来源：人民日报。今年5月启动。")
    datetime.date(2021, 11, 28)
    >>> infer_published("2020年以来，全省新建学校12所。")
    datetime.date(2020, 12, 31)
    """
    return published_from_clues([published_clues(norm)])


def published_clues(norm: str) -> tuple[date | None, int | None]:
    """The latest full date and the latest year in ``norm``: what :func:`infer_published` goes by.

    A long text can be read in parts; :func:`published_from_clues` combines the parts' clues into the
    date ``infer_published`` gives for the whole.
    """
    days = []
    for m in _STAMP.finditer(norm):
        try:
            days.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    years = [int(y) for y in _YEAR_MENTION.findall(norm)]
    return (max(days) if days else None), (max(years) if years else None)


def published_from_clues(clues) -> date | None:
    """The stand-in publication date from the ``published_clues`` of the parts of one text."""
    days, years = [], []
    for day, year in clues:
        if day is not None:
            days.append(day)
        if year is not None:
            years.append(year)
    if days:
        return max(days)
    return date(max(years), 12, 31) if years else None
