"""Which province a place name belongs to: cities, counties and districts, from ``lexicon/divisions.tsv``.

The file is built from a maintained division dataset (see its header and
``benchmarks/build_divisions.py``), never fetched at run time, and read here with the standard
library once per process. Names are matched exactly, as written or as a curated short name, or after
cutting one administrative suffix (无为市 -> 无为), never by prefix: 新建幼儿园 must not become 南昌's
新建区. A name held by districts of several provinces (朝阳区: 北京 and 吉林) is decided by the
province the report or section speaks for, and otherwise left open.

>>> province_of_label("大连"), province_of_label("昆山市"), province_of_label("朝阳区", "北京")
('辽宁', '江苏', '北京')
"""

from __future__ import annotations

from functools import lru_cache

from analysis.config import LEXICON_DIR
from analysis.extract.provinces import short_names

DIVISIONS_TSV = LEXICON_DIR / "divisions.tsv"
_SUFFIXES = ("自治州", "自治县", "地区", "新区", "市", "县", "区", "旗", "州", "盟")


@lru_cache(maxsize=1)
def division_provinces() -> dict[str, frozenset[str]]:
    """Every prefecture and county name and short name -> the provinces that have a division so named.

    Province names themselves are left out: they are the gazetteer's (:mod:`analysis.extract.provinces`).
    """
    provinces = set(short_names().values())
    seen: dict[str, set[str]] = {}
    with open(DIVISIONS_TSV, encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        next(lines)  # the header
        for line in lines:
            code, name, alias, level, province = line.rstrip("\n").split("\t")
            if level == "0" or province not in provinces:
                continue
            for key in (name, *alias.split("/")):
                if key:
                    seen.setdefault(key, set()).add(province)
    names = short_names()
    return {key: frozenset(found) for key, found in seen.items() if key not in names}


def province_of_label(label: str, context: str = "") -> str:
    """The province a row label names, as a short name, or '' if it names none (or several, undecided).

    ``context``: the province the text around speaks for; it decides between namesakes.
    """
    label = label.strip()
    if not label:
        return ""
    province = short_names().get(label)
    if province:
        return province
    names = division_provinces()
    found = names.get(label)
    if found is None:
        for suffix in _SUFFIXES:
            if label.endswith(suffix) and len(label) - len(suffix) >= 2:
                found = names.get(label[:-len(suffix)])
                break
    if not found:
        return ""
    if context in found:
        return context
    return next(iter(found)) if len(found) == 1 else ""
