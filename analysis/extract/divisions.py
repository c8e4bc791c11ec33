"""Which province a place name belongs to: cities, counties and districts, from ``lexicon/divisions.tsv``.

The file is built from a maintained division dataset (see its header and
``benchmarks/build_divisions.py``), never fetched at run time, and read here with the standard
library once per process. Names are matched exactly, as written or as a curated short name, or after
cutting one administrative suffix (无为市 -> 无为), never by prefix: 新建幼儿园 must not become 南昌's
新建区. A name held by districts of several provinces (朝阳区: 北京 and 吉林) is decided by the
province the report or section speaks for, and otherwise left open.

>>> province_of_label("大连"), province_of_label("昆山市"), province_of_label("朝阳区", "北京")
('辽宁', '江苏', '北京')
>>> division_of_label("西 藏").name, division_of_label("江北区", "浙江").code
('西藏自治区', '330205')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analysis.config import LEXICON_DIR
from analysis.extract.provinces import short_names

DIVISIONS_TSV = LEXICON_DIR / "divisions.tsv"
_SUFFIXES = ("自治州", "自治县", "地区", "新区", "市", "县", "区", "旗", "州", "盟")
_LABEL_SPACES = str.maketrans("", "", " \t\u3000\xa0")  # 西 藏: names padded to align a table's columns


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division: its 6-digit code, official name, level and province (short name).

    ``level``: 0 province, 1 prefecture (地级), 2 county (县级). ``aliases``: its curated short names.
    """

    code: str
    name: str
    level: int
    province: str
    aliases: tuple[str, ...] = ()

    def contains(self, other: "Division") -> bool:
        """Whether ``other`` is this division or lies inside it (by code: 32 province, 3201 prefecture)."""
        return other.code.startswith(self.code[:2 + 2 * self.level] if self.level < 2 else self.code)


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """Every province, prefecture and county of ``lexicon/divisions.tsv``, once each, by code.

    A municipality's second row (北京市 as its own prefecture) is left out: its province row stands for it.
    """
    provinces = set(short_names().values())
    found: dict[str, Division] = {}
    with open(DIVISIONS_TSV, encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        next(lines)  # the header
        for line in lines:
            code, name, alias, level, province = line.rstrip("\n").split("\t")
            if province not in provinces or code in found:
                continue
            found[code] = Division(code, name, int(level), province, tuple(a for a in alias.split("/") if a))
    return tuple(found[code] for code in sorted(found))


@lru_cache(maxsize=1)
def province_divisions() -> dict[str, Division]:
    """Province short name -> its division (level 0)."""
    return {d.province: d for d in divisions() if d.level == 0}


@lru_cache(maxsize=1)
def _label_index() -> dict[str, tuple[Division, ...]]:
    """Every prefecture and county name and short name -> the divisions so named (namesakes)."""
    names = short_names()
    seen: dict[str, list[Division]] = {}
    for division in divisions():
        if division.level == 0:
            continue
        for key in (division.name, *division.aliases):
            if key and key not in names:
                seen.setdefault(key, []).append(division)
    return {key: tuple(found) for key, found in seen.items()}


@lru_cache(maxsize=1)
def division_provinces() -> dict[str, frozenset[str]]:
    """Every prefecture and county name and short name -> the provinces that have a division so named.

    Province names themselves are left out: they are the gazetteer's (:mod:`analysis.extract.provinces`).
    """
    return {key: frozenset(d.province for d in found) for key, found in _label_index().items()}


def namesakes(label: str) -> tuple[Division, ...]:
    """The divisions a place name written alone (a row label, a heading) may be: exactly, or after one suffix.

    Spaces inside the name are ignored (西 藏). A province's name gives its province; never by prefix.
    """
    label = label.translate(_LABEL_SPACES)
    if not label:
        return ()
    province = short_names().get(label)
    if province:
        return (province_divisions()[province],)
    index = _label_index()
    found = index.get(label)
    if found is None:
        for suffix in _SUFFIXES:
            if label.endswith(suffix) and len(label) - len(suffix) >= 2:
                found = index.get(label[:-len(suffix)])
                break
    return found or ()


def division_of_label(label: str, context: str = "", within: Division | None = None) -> Division | None:
    """The division a row label or heading names, or None if it names none (or several, undecided).

    ``context``: the province the text around speaks for, and ``within``: the division it is about; they
    decide between namesakes (江北区 of 宁波 in a 浙江 report, of 重庆 in a 重庆 one).
    """
    found = namesakes(label)
    if len(found) > 1 and within is not None:
        found = tuple(d for d in found if within.contains(d)) or found
    if len(found) > 1 and context:
        found = tuple(d for d in found if d.province == context) or found
    if len(found) == 1:
        return found[0]
    provinces = {d.province for d in found}
    if len(provinces) == 1:  # namesakes in one province (two 城关区 of one province): the province is known
        return province_divisions()[provinces.pop()]
    return None


def province_of_label(label: str, context: str = "") -> str:
    """The province a row label names, as a short name, or '' if it names none (or several, undecided).

    ``context``: the province the text around speaks for; it decides between namesakes.
    """
    found = division_of_label(label, context)
    return found.province if found else ""
