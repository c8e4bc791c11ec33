"""When a figure is counted: the 截至… clauses that scope the figures after them, and a caption's as-of date.

A figure's as-of date is a day, with what kind of day it is:

- ``stated``: the day is written (截至11月30日);
- ``month_end``: a month, quarter or year is written and the date is its last day (截至10月末, 截至9月,
  截至三季度末, 截至2021年底);
- ``report``: 截至目前 or 截至发稿时: the report's publication date, as its provenance gives it;
- ``inferred``: the same when the publication date is not given but inferred from the text (a page
  timestamp, the latest year it names).

A date whose year is unknown (no publication date at all) gives no as-of date.
"""

from __future__ import annotations

import re
from datetime import date

from analysis.extract import dates as _dates

STATED, MONTH_END, REPORT, INFERRED = "stated", "month_end", "report", "inferred"
AS_OF_KINDS = (STATED, MONTH_END, REPORT, INFERRED)
NO_DATE = ("", "")
_AS_OF = re.compile(r"截[至止]到?(?P<now>目前|当前|现在|今天|日前|发稿时|发稿前|本月|今年)?")


def as_of_of(resolved: _dates.DateValue, match: re.Match) -> tuple[str, str]:
    """The as-of date (ISO day) and its kind that a resolved date gives: its last day."""
    if resolved.end is None:
        return NO_DATE
    day_written = match.group("day") or match.group("day_only")
    return resolved.end.isoformat(), STATED if day_written else MONTH_END


class AsOfScopes:
    """截至… scopes (a mixin of the extractor's scan): reads ``norm`` and ``published``."""

    norm: str
    published: date | None
    published_inferred: bool

    def _report_date(self) -> tuple[str, str]:
        """The as-of date of 截至目前: the publication date, ``report`` or ``inferred``."""
        if self.published is None:
            return NO_DATE
        return self.published.isoformat(), INFERRED if self.published_inferred else REPORT

    def _as_of_marks(self) -> list[tuple[int, tuple[str, str]]]:
        """Where each 截至… ends, with the date it gives by itself (截至目前), or none (a date follows)."""
        marks = []
        if "截" not in self.norm:
            return marks
        for m in _AS_OF.finditer(self.norm):
            marks.append((m.end(), self._report_date() if m.group("now") else NO_DATE))
        return marks

    def _as_of_between(self, start: int, end: int) -> tuple[str, str]:
        """The as-of date and kind of a 截至… clause in ``norm[start:end]`` (a table caption), or none."""
        norm = self.norm
        for m in _AS_OF.finditer(norm, start, end):
            if m.group("now"):
                return self._report_date()
            found = _dates.DATE_PATTERN.match(norm, m.end())
            if found and found.end() <= end:
                resolved = _dates.resolve(found, self.published, None)
                if resolved is not None:
                    return as_of_of(resolved, found)
        return NO_DATE


_SENTENCE_STOP = re.compile(r"[。！？!?\n]")


def sentence_end(norm: str, pos: int) -> int:
    stop = _SENTENCE_STOP.search(norm, pos)
    return stop.start() if stop else len(norm)
