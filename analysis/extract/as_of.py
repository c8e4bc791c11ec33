"""When a figure is counted: the 截至… clauses that scope the figures after them, and a caption's as-of date."""

from __future__ import annotations

import re
from datetime import date

from analysis.extract import dates as _dates

_AS_OF = re.compile(r"截[至止]到?(?P<now>目前|当前|现在|今天|日前|发稿时|发稿前|本月|今年)?")


class AsOfScopes:
    """截至… scopes (a mixin of the extractor's scan): reads ``norm`` and ``published``."""

    norm: str
    published: date | None

    def _as_of_marks(self) -> list[tuple[int, str]]:
        marks = []
        if "截" not in self.norm:
            return marks
        for m in _AS_OF.finditer(self.norm):
            marks.append((m.end(), "report" if m.group("now") else ""))
        return marks

    def _as_of_between(self, start: int, end: int) -> str:
        """The as-of date of a 截至… clause in ``norm[start:end]`` (a table caption), or ''."""
        norm = self.norm
        for m in _AS_OF.finditer(norm, start, end):
            if m.group("now"):
                return "report"
            found = _dates.DATE_PATTERN.match(norm, m.end())
            if found and found.end() <= end:
                resolved = _dates.resolve(found, self.published, None)
                if resolved is not None:
                    return resolved.text.split("/")[-1]
        return ""


_SENTENCE_STOP = re.compile(r"[。！？!?\n]")


def sentence_end(norm: str, pos: int) -> int:
    stop = _SENTENCE_STOP.search(norm, pos)
    return stop.start() if stop else len(norm)
