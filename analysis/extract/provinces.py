"""The gazetteer of the 31 provincial-level divisions, from the census reference table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Province:
    short: str
    full: str
    name_en: str
    region: str
    population_2020: int


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Province, ...]:
    """All 31 provinces in the census table's order (read and checked by :func:`analysis.raw.census.census_rows`)."""
    from analysis.raw.census import census_rows

    return tuple(
        Province(r["province"], r["province_full"], r["name_en"], r["region"], r["population_2020"])
        for r in census_rows()
    )


@lru_cache(maxsize=1)
def name_pattern() -> re.Pattern:
    """Matches any full or short province name, longest first (黑龙江省 before 黑龙江)."""
    names = {p.full for p in gazetteer()} | {p.short for p in gazetteer()}
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    """Full or short name -> short name."""
    mapping = {}
    for p in gazetteer():
        mapping[p.full] = p.short
        mapping[p.short] = p.short
    return mapping


def find_provinces(text: str) -> list[str]:
    """Short names of the provinces named in ``text``, in order of first mention, without repeats.

    >>> find_provinces("广西壮族自治区和四川省、广西")
    ['广西', '四川']
    """
    seen: dict[str, None] = {}
    for match in name_pattern().finditer(text):
        seen.setdefault(short_names()[match.group()], None)
    return list(seen)
