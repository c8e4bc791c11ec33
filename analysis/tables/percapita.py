"""Values per 10,000 residents, only where the unit makes that meaningful.

Two gates, both data: the figure's ``unit_kind`` must allow it (lexicon/per_capita.tsv: counts,
people and money do; percentages, durations, frequencies, areas do not), and the indicator must
too (indicators.tsv ``per_capita``: a per-person pension standard is money but not a total).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from analysis.config import LEXICON_DIR
from analysis.tsv import read_tsv

PER_CAPITA_TSV = LEXICON_DIR / "per_capita.tsv"
PER = 10_000
# Words that make a figure a per-person (or per-household) standard already: 人均地区生产总值73858元 is
# what one resident has, and divided by the residents again it means nothing.
PER_PERSON_WORDS = ("人均", "户均", "每人", "每户")


def per_person(subject) -> bool:
    """Whether a figure's subject says it is per person or per household already.

    >>> per_person("人均地区生产总值"), per_person("农村居民人均可支配收入"), per_person("新建农村公路")
    (True, True, False)
    """
    return isinstance(subject, str) and any(word in subject for word in PER_PERSON_WORDS)


@cache
def per_capita_kinds(path: Path = PER_CAPITA_TSV) -> frozenset[str]:
    """The unit kinds that may carry a value per 10,000 residents."""
    return frozenset(row["unit_kind"] for row in read_tsv(path) if row["per_capita"] == "yes")


def per_10k(values: pd.Series, unit_kinds: pd.Series, provinces: pd.Series, population: pd.DataFrame,
            allowed: pd.Series | None = None) -> pd.Series:
    """``value / population_2020 * 10000`` where allowed, else missing (float64, same index).

    `population` is the provinces table; a figure without a known province gets no value, and so
    does one whose unit kind is not per-capita, or whose `allowed` flag (the indicator's) is False.

    >>> prov = pd.DataFrame({"province": ["甲"], "population_2020": [2_000_000]})
    >>> per_10k(pd.Series([500.0, 90.0]), pd.Series(["count", "percent"]), pd.Series(["甲", "甲"]), prov).tolist()
    [2.5, nan]
    """
    residents = provinces.map(population.set_index("province")["population_2020"]).astype("float64")
    ok = unit_kinds.isin(per_capita_kinds()) & residents.notna()
    if allowed is not None:
        ok &= allowed.fillna(False).astype(bool)
    result = values.astype("float64") / residents * PER
    return result.where(ok).astype("float64")
