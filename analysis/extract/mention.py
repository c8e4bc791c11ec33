"""The records the extractor makes: one :class:`Mention` per numeric token, a :class:`TableFigure` per table cell figure."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal


@dataclass(slots=True)
class Mention:
    """One numeric token and what it is. Spans point into the original text."""

    start: int
    end: int
    surface: str
    disposition: str
    reason: str = ""
    value: Decimal | None = None
    value_high: Decimal | None = None
    unit: str = ""
    unit_kind: str = ""
    qualifier: str = ""
    as_of: str = ""  # ISO day, or '' (see analysis.extract.as_of)
    cumulative: bool = False
    subject: str = ""
    date: str = ""
    date_start: date | None = None
    date_end: date | None = None
    role: str = ""
    as_of_kind: str = ""  # stated, month_end, report or inferred (see analysis.extract.as_of)
    measure: str = ""  # level, cumulative, change, target or rate (see analysis.extract.subject)


@dataclass(slots=True)
class TableFigure(Mention):
    """A figure in a table: also the table's number in the report, its row label and column header.

    A subclass rather than more fields of :class:`Mention`: every token makes a Mention, few sit in tables.
    """

    table: int = 0
    row_label: str = ""
    column_header: str = ""
    total: bool = False  # the figure sits in a total row (合计)


MENTION_FIELDS = tuple(f.name for f in fields(Mention))
