"""Place names in running text: provinces, prefectures and counties, each with its province and code.

One scan per text (an Aho-Corasick automaton of every name of ``lexicon/divisions.tsv``, pyahocorasick)
finds the names, the longest leftmost first, so 沿海城市 is 沿海 and not 海城市. What the words around
a name say decides whether it places anything (``lexicon/place_words.tsv``): the name of a newspaper, site
or broadcaster (西藏网, 北京青年报, 湖北发布) never does, nor a street (南京路) or 北京时间; after 对口支援
a place is the object of what is done. 全国 scopes a figure to the whole country, 全省 or 全市 to the
division the report is about. A page in traditional script is read through a same-length map of the
traditional forms of the characters of division names (``lexicon/traditional_place_chars.tsv``).

Names are trusted by how they are written. A province's name, a prefecture's name or short name (大连,
宁波), and a county's full name (闽侯县, 江宁区) place a figure; a county's two-character short name
(昆山, 南部, 合作, 平安) only refines a place already known to be in its province, since many are also
common words; a name that is mostly a word (长治, 白银, 阿里, 老城区) is not looked for in running text (长治市
is). Words that hold a name's first characters are read first, as a reader does (隆重庆祝 holds no 重庆).

>>> [(h.start, h.end, [d.name for d in h.candidates]) for h in find("中国西藏网讯 宁波市江北区新增就业")]
[(7, 10, ['宁波市']), (10, 13, ['江北区', '江北区'])]
>>> resolve(find("宁波市江北区新增就业")).division.code
'330205'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.extract.divisions import Division, divisions, province_divisions
from analysis.extract.lexicon import read_table
from analysis.extract.provinces import short_names

NATIONAL, OWN, WORD = "national", "own", "word"
BOUNDED = "bounded"  # an automaton entry, not a hit's scope: a name found only where a word starts
GROUP = "group"  # a name for several provinces together (京津冀): its candidates all apply, they are no namesakes
_PARENT_ENDS = frozenset("省市州盟")  # 安徽省歙县: a division name ends right before


@dataclass(frozen=True, slots=True)
class Hit:
    """A place name (or a scope word) at ``[start, end)`` of the text scanned.

    ``candidates``: the divisions so named (namesakes), empty for a scope word; ``scope``: ``national``
    (全国), ``own`` (全省, 全市: the division the report is about) or ''; ``weak``: a county's short name,
    which only refines a place known to be in its province; ``objective``: the place is the object of
    what is done (对口支援西藏); ``dateline``: the city a report was filed from (新华社合肥3月2日电).
    """

    start: int
    end: int
    candidates: tuple[Division, ...]
    scope: str = ""
    weak: bool = False
    objective: bool = False
    word: str = ""
    dateline: bool = False  # 新华社合肥3月2日电: where the report was filed, which only the report's place may use


@dataclass(frozen=True, slots=True)
class Place:
    """Whose a figure is: its provinces (several for 广东、江苏、山东三省), the finest division named, or national.

    ``own``: the text names only a scope word such as 全省: the place is that of the report or section.
    """

    provinces: tuple[str, ...] = ()
    division: Division | None = None
    national: bool = False
    own: str = ""

    @property
    def province(self) -> str:
        """The provinces as the tables write them: short names, | between several, '' for none."""
        return "|".join(self.provinces)

    @property
    def decided(self) -> bool:
        """Whether this says whose the figure is (a place or the whole country), so weaker sources are not asked."""
        return bool(self.provinces) or self.national

    def at_level(self, level: int) -> "Place":
        """The same place, no finer than ``level`` (0 province, 1 prefecture): 全省 in a county's report."""
        division = self.division
        if division is None or division.level <= level:
            return self
        if level == 0:
            return Place(self.provinces, province_divisions()[division.province])
        prefecture = next((d for d in divisions() if d.level == 1 and d.code == division.code[:4] + "00"), None)
        return Place(self.provinces, prefecture or province_divisions()[division.province])


# a date and 电 or 讯 right after a city: the dateline of a news report (新华社合肥3月2日电)
_DATELINE_AFTER = re.compile(r"\s?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日\s?[电讯]")
NOWHERE = Place()
NATIONWIDE = Place(national=True)


@dataclass(frozen=True)
class _Words:
    not_place_after: re.Pattern  # a masthead's or a street's words, or 北京时间's
    object_before: re.Pattern
    national_not: re.Pattern
    national_not_before: re.Pattern  # 占全国的24.1%: the country is the yardstick, not the scope
    scopes: dict[str, str]  # word -> national or own
    common_names: frozenset[str]
    furniture_lines: tuple[str, ...]


@lru_cache(maxsize=1)
def _words() -> _Words:
    by_role: dict[str, list[str]] = {}
    for row in read_table("place_words"):
        by_role.setdefault(row["role"], []).append(row["word"].removeprefix("\\"))

    def union(role: str, anchor: str = "") -> re.Pattern:
        return re.compile("(?:" + "|".join(by_role.get(role, ())) + ")" + anchor)

    scopes = {word: NATIONAL for word in by_role.get("national", ())}
    scopes.update({word: OWN for word in by_role.get("own", ())})
    scopes.update({word: WORD for word in by_role.get("word", ())})
    after = by_role.get("media_after", []) + by_role.get("not_place_after", [])
    return _Words(re.compile("(?:" + "|".join(after) + ")"), union("object_before", r"\Z"),
                  union("national_not"), union("national_not_before", r"\Z"), scopes,
                  frozenset(by_role.get("common_name", ())),
                  tuple(by_role.get("furniture_line", ())))


@lru_cache(maxsize=1)
def traditional_map() -> dict[int, str]:
    """``str.translate`` table from the traditional forms of place-name characters to the simplified."""
    return {ord(row["traditional"]): row["simplified"] for row in read_table("traditional_place_chars")}


@lru_cache(maxsize=1)
def _automaton():
    """The automaton of every name to look for, each with its entry: (candidates, scope, weak)."""
    import ahocorasick

    words = _words()
    provinces = short_names()
    entries: dict[str, tuple[tuple[Division, ...], str, bool]] = {}
    by_province = province_divisions()
    for name, short in provinces.items():
        entries[name] = ((by_province[short],), "", False)
    strong: dict[str, list[Division]] = {}
    weak: dict[str, list[Division]] = {}
    bounded: dict[str, list[Division]] = {}
    for division in divisions():
        if division.level == 0:
            continue
        for key in (division.name, *division.aliases):
            if len(key) < 2 or key in provinces:
                continue
            if key in words.common_names:
                continue
            is_name = key == division.name
            if division.level == 2 and len(key) < 3:
                # 歙县, 沛县: two characters with the suffix are inside too many words (提高县域), so such a
                # name counts only where a word starts (see find); a two-character short name is weak
                (bounded if is_name else weak).setdefault(key, []).append(division)
                continue
            strong.setdefault(key, []).append(division)
    for key, found in strong.items():
        entries.setdefault(key, (tuple(dict.fromkeys(found)), "", False))
    for key, found in weak.items():
        entries.setdefault(key, (tuple(dict.fromkeys(found)), "", True))
    for key, found in bounded.items():
        entries.setdefault(key, (tuple(dict.fromkeys(found)), BOUNDED, False))
    for word, scope in words.scopes.items():
        entries[word] = ((), scope, False)
    for row in read_table("province_groups"):  # 京津冀: all three provinces at once
        entries[row["word"]] = (tuple(by_province[p] for p in row["provinces"].split("|")), GROUP, False)
    automaton = ahocorasick.Automaton()
    automaton.add_word(_STAND_IN + _NEVER, None)  # first, so the stand-in is the root's first child (see scan_text)
    for key, (candidates, scope, is_weak) in entries.items():
        automaton.add_word(key, (len(key), candidates, scope, is_weak))
    automaton.make_automaton()
    return automaton


# Speed trick, ``scan_text``: pyahocorasick finds a character among a trie node's children one by one,
# and the root has a child for each first character of a name (about 950), so each character that is
# in no name cost a look through all of them: half the characters of a report, most of the scan's
# 0.25 s per million characters. The scan reads a copy of the text (same length) where every such
# character is one stand-in, the root's first child; the stand-in's node has one child, a character
# that never occurs. At a character in no name the automaton goes back to the root whatever the
# character is, so the names found are the same. ``tests/test_lean_core.py`` holds it to the plain scan.
_STAND_IN, _NEVER = "\x00", "\x01"


@lru_cache(maxsize=1)
def _stand_in_table() -> tuple[int, ...]:
    """``str.translate`` table indexed by code point below 0x10000 (any other is left as it is, and is in
    no name): a character of a name to itself, any other to the stand-in. Code points, not characters:
    ``translate`` then makes no string a character (a fifth faster)."""
    table = [ord(_STAND_IN)] * 0x10000
    for key in _automaton().keys():
        for char in key:
            if char != _STAND_IN and char != _NEVER:
                table[ord(char)] = ord(char)
    return tuple(table)


def scan_text(text: str) -> str:
    """What the automaton reads for ``text``: characters in no name replaced by the stand-in (same length)."""
    return text.translate(_stand_in_table())


def place_text(norm: str) -> str:
    """The normalised text with traditional place characters simplified (same length): what :func:`find` reads.

    Most reports hold few of those characters (覆 is one): only they are replaced, found by one
    search (a few ms on 1 M characters), where ``translate`` looks every character up in a dict
    (about 0.1 s on 1 M characters). ``tests/test_lean_core.py`` holds it to ``translate``.
    """
    return _traditional_chars().sub(_simplified, norm)


@lru_cache(maxsize=1)
def _traditional_chars() -> re.Pattern:
    return re.compile("[" + re.escape("".join(map(chr, traditional_map()))) + "]")


def _simplified(match: re.Match) -> str:
    return traditional_map()[ord(match.group())]


def find(text: str, start: int = 0, end: int | None = None) -> list[Hit]:
    """The place names and scope words in ``text[start:end]`` that may place a figure, in text order.

    ``text`` is normalised (:func:`place_text`); offsets are into it. Names of media and streets, names
    on a furniture line (责任编辑：…) and 全国 in a title (全国文明城市) are left out.
    """
    end = len(text) if end is None else end
    if end <= start:
        return []
    words = _words()
    not_place_after = words.not_place_after.match
    hits = []
    line_start, furniture = -1, False
    line_of = LineStarts(text)
    for last, (length, candidates, scope, weak) in _automaton().iter_long(scan_text(text), start, end):
        begin, stop = last + 1 - length, last + 1
        if scope == BOUNDED:
            before = text[begin - 1] if begin else ""
            if "\u4e00" <= before <= "\u9fff" and before not in _PARENT_ENDS:
                continue
        elif scope and scope != GROUP:
            if scope == WORD or scope == NATIONAL and (
                    words.national_not.match(text, stop)
                    or words.national_not_before.search(text, max(0, begin - 3), begin)):
                continue  # a word read first, so no name inside it is found; 全国 in a name or a yardstick
            hits.append(Hit(begin, stop, (), scope, word=text[begin:stop]))
            continue
        if not_place_after(text, stop):
            continue
        here = line_of.start(begin)
        if here != line_start:
            line_start = here
            furniture = text.startswith(words.furniture_lines, here)
        if furniture:
            continue
        objective = words.object_before.search(text, max(0, begin - 6), begin) is not None
        dateline = _DATELINE_AFTER.match(text, stop) is not None
        hits.append(Hit(begin, stop, candidates, GROUP if scope == GROUP else "", weak, objective, text[begin:stop],
                        dateline))
    return hits


class LineStarts:
    """Where the line holding a position starts (``text.rfind("\\n", 0, position) + 1``), for
    positions asked in increasing order: each character is scanned once, where asking ``rfind``
    every time scans back to the last line break, which on a text of one long line (a scraped page,
    a report with paragraphs marked by spaces) made :func:`find` quadratic in the window.
    ``tests/test_lean_core.py`` holds it to ``rfind``."""

    def __init__(self, text: str):
        self.text = text
        self.scanned = 0  # every line break before this position has been seen
        self.line = 0  # the start of the line holding ``scanned``

    def start(self, position: int) -> int:
        if position < self.scanned:  # asked out of order: the plain way
            return self.text.rfind("\n", 0, position) + 1
        found = self.text.rfind("\n", self.scanned, position)
        if found >= 0:
            self.line = found + 1
        self.scanned = position
        return self.line


def resolve(hits: list[Hit], context: Place = NOWHERE) -> Place:
    """Whose the text holding ``hits`` speaks of, given the place of the text around it (``context``).

    Namesakes are decided by the other names of the text and by the context, never guessed; a weak
    name only refines the context; an object (对口支援西藏) counts only with no context. A text that
    names nothing but 全国 is national; one that names nothing but 全省 defers to the context (``own``).
    """
    named = [h for h in hits if h.candidates and not h.dateline and not (h.objective and context.provinces)]
    if not named:
        scopes = [h for h in hits if h.scope]
        if any(h.scope == NATIONAL for h in scopes):
            return NATIONWIDE
        if scopes:
            return Place(own=scopes[0].word)
        return NOWHERE
    sure = [h.candidates[0] for h in named if len(h.candidates) == 1 and not h.weak]
    chosen: list[Division] = []
    for hit in named:
        if hit.scope == GROUP:
            chosen.extend(hit.candidates)
            continue
        found = _choose(hit, sure, context)
        if found is not None:
            chosen.append(found)
    if not chosen:
        return NOWHERE
    provinces = tuple(dict.fromkeys(d.province for d in chosen))
    return Place(provinces, _finest(chosen) if len(provinces) == 1 else None)


def _choose(hit: Hit, sure: list[Division], context: Place) -> Division | None:
    candidates = hit.candidates
    if hit.weak:  # a short county name refines a place known to be in its province, never sets one
        candidates = tuple(d for d in candidates if d.province in context.provinces)
    if len(candidates) > 1:
        around = [*sure, *([context.division] if context.division else [])]
        inside = tuple(d for d in candidates if any(a.contains(d) for a in around if a.level < d.level))
        provinces = {d.province for d in sure} | set(context.provinces)
        candidates = inside or tuple(d for d in candidates if d.province in provinces) or candidates
    if len(candidates) == 1:
        return candidates[0]
    if candidates and len({d.province for d in candidates}) == 1:
        return province_divisions()[candidates[0].province]
    return None


def _finest(chosen: list[Division]) -> Division:
    """The deepest division when all lie on one line of containment (江苏, 南京, 江宁区), else the province."""
    if len(chosen) == 1:  # most figures: a division contains itself
        return chosen[0]
    deepest = max(chosen, key=lambda d: d.level)
    if all(d.contains(deepest) for d in chosen):
        return deepest
    return province_divisions()[deepest.province]
