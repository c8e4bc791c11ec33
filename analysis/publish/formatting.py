"""Numbers written the way a Chinese reader expects: 4.25万个, 超1.8亿元, 近1000万亩, 99.89%.

Pure functions; the qualifier words and chart symbols are data (``display/qualifiers.tsv``).
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from functools import cache
from pathlib import Path

QUALIFIERS_TSV = Path(__file__).resolve().parent / "display" / "qualifiers.tsv"

# Largest first. 万 alone is only used for values of a million or more unless it stays short
# (4.25万, 19.5万): a reader expects 109951项 as printed, not 10.9951万项.
_MAGNITUDES = ((Decimal("1e12"), "万亿"), (Decimal("1e8"), "亿"), (Decimal("1e4"), "万"))
_MAX_DECIMALS = 4
_SHORT_DECIMALS = 2
_PERCENT_UNITS = frozenset({"%", "％", "个百分点"})
MISSING = "—"
# How pandas prints a missing cell: pd.NA and NaT have no truth value, so they are told by their text.
_MISSING_TEXTS = frozenset({"<NA>", "NaT", "nan"})


def cell_text(value, *, strip: bool = True) -> str:
    """A table cell as display text: ``""`` for any missing value (None, NaN, pd.NA, NaT), a timestamp
    as its ISO day, anything else as ``str`` (stripped unless ``strip=False``).

    >>> cell_text(None), cell_text(float("nan")), cell_text(" 江西 "), cell_text(3)
    ('', '', '江西', '3')
    """
    if value is None or str(value) in _MISSING_TEXTS or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip() if strip else str(value)


@cache
def qualifier_marks() -> dict[str, dict[str, str]]:
    """``{qualifier: {"word": "近", "symbol": "≈", "meaning": ...}}`` from ``display/qualifiers.tsv``."""
    with QUALIFIERS_TSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["qualifier"]: {k: v or "" for k, v in row.items()} for row in rows}


def _decimal(value) -> Decimal:
    # str() of a float is its shortest round-tripping form: 42500.0, not 42499.99999...
    return Decimal(str(value))


def _plain(number: Decimal) -> str:
    """Digits without exponent or trailing zeros: Decimal('4.2500') -> '4.25'."""
    text = format(number.normalize(), "f")
    return text


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_number(value, percent: bool = False) -> str:
    """A number with 万/亿/万亿 where a reader expects it; no unit.

    >>> format_number(42500), format_number(276000000000), format_number(109951)
    ('4.25万', '2760亿', '109951')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    number = _decimal(value)
    if percent:
        return _plain(number.quantize(Decimal("0.01")) if _decimals(number) > 2 else number)
    magnitude = abs(number)
    for size, name in _MAGNITUDES:
        if magnitude < size:
            continue
        scaled = number / size
        places = _decimals(scaled)
        short_enough = places <= _SHORT_DECIMALS or magnitude >= Decimal("1e6")
        if places <= _MAX_DECIMALS and short_enough:
            return _plain(scaled) + name
    if _decimals(number) > _SHORT_DECIMALS:
        if magnitude >= Decimal("1e4"):
            # A fractional value too long for 万 or 亿: round, the way a newspaper would.
            size, name = next((s, n) for s, n in _MAGNITUDES if magnitude >= s)
            return _plain((number / size).quantize(Decimal("0.01"))) + name
        if magnitude >= 1:
            number = number.quantize(Decimal("0.01"))
        else:  # small rates (per 10,000 residents): keep three significant digits
            number = number.quantize(Decimal(1).scaleb(number.adjusted() - 2))
    return _plain(number)


def format_value(
    value,
    unit: str = "",
    qualifier: str = "exact",
    *,
    value_high=None,
    style: str = "word",
) -> str:
    """One figure as text: number, magnitude, unit, and its qualifier.

    ``style="word"`` writes the qualifier as a word for tables (近1000万亩, 超1.8亿元, 不到5%);
    ``style="symbol"`` as a sign for chart labels (≈1000万亩, >1.8亿元, <5%).

    >>> format_value(10_000_000, "亩", "approx")
    '近1000万亩'
    >>> format_value(180_000_000, "元", "lower_bound", style="symbol")
    '>1.8亿元'
    >>> format_value(30_000, "户", "range", value_high=50_000)
    '3万–5万户'
    """
    if style not in ("word", "symbol"):
        raise ValueError(f"style must be 'word' or 'symbol', not {style!r}")
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    qualifier = qualifier if isinstance(qualifier, str) and qualifier else "exact"
    marks = qualifier_marks()
    if qualifier not in marks:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(marks)}")
    percent = unit in _PERCENT_UNITS
    number = format_number(value, percent=percent)
    if number == MISSING:
        return MISSING
    has_high = value_high is not None and not (isinstance(value_high, float) and math.isnan(value_high))
    if qualifier == "range" and has_high:
        number = f"{number}–{format_number(value_high, percent=percent)}"
    return marks[qualifier][style] + number + unit
