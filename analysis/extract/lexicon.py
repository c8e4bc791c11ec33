"""Vocabularies as data: units, qualifier words, numeral words and affix rules.

Each table lives in ``analysis/lexicon/<name>.tsv`` (tab-separated, ``#`` comments). This module only
loads them into lookup structures; the decisions are made by :mod:`analysis.extract.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.config import LEXICON_DIR
from analysis.tsv import read_tsv


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``lexicon/<name>.tsv`` as dicts keyed by its header row (``#`` lines are comments)."""
    return read_tsv(LEXICON_DIR / f"{name}.tsv")


@dataclass(frozen=True)
class Unit:
    surface: str
    unit: str
    kind: str
    scale: int = 1
    arabic_only: bool = False  # read only after Arabic digits (17市; 三省一市 is a name)


@dataclass(frozen=True)
class AffixRule:
    name: str
    token: str  # any, arabic, chinese
    before: re.Pattern | None  # searched in the text just before the token, anchored at its end
    after: re.Pattern | None  # matched right after the token
    disposition: str
    note: str


@dataclass(frozen=True)
class Lexicon:
    units: dict[str, Unit]
    qualifiers: dict[str, dict[str, str]]  # position -> word -> qualifier
    # position -> the character next to the number (the word's last before it, its first after it) ->
    # ((length, word, qualifier), ...) longest first: most numbers have no qualifier, one lookup says so
    qualifier_index: dict[str, dict[str, tuple[tuple[int, str, str], ...]]]
    words: dict[str, tuple[str, str]]  # word -> (disposition, note)
    # numeral char -> ((reach, offset of the char in the word, word length, words, neighbours), ...), reach
    # (how far the word runs from the char: length - offset) descending: a candidate word is one slice of
    # the text and one set lookup away, and the scan stops at the first word too short to cover the
    # number. neighbours: the characters before the numeral in those words (after it, at offset 0; None
    # for a one-character word), a cheaper first test than the slice.
    word_index: dict[str, tuple[tuple[int, int, int, frozenset[str], frozenset[str] | None], ...]]
    affix_rules: tuple[AffixRule, ...]
    unit_pattern: re.Pattern  # any unit, longest first, so one match finds the longest unit
    compound_openers: frozenset[str]  # units a two-part quantity may start with: 四个半小时, 2天半, 九成五
    arabic_only_units: frozenset[str]  # units read only after Arabic digits (17市, but 三省一市)
    special_units: frozenset[str]  # compound_openers | arabic_only_units | unit_blockers: most units are in none
    unit_blockers: frozenset[str]  # words the unit trie finds that are no unit (成员, 城镇, 台湾)
    # the second characters of units that start with a multiplier (千瓦, 千米, 万吨 would be 万 x 吨): after a
    # Chinese numeral ending in that multiplier, one set lookup says whether the unit may have begun there
    multiplier_unit_seconds: frozenset[str]
    # Units by first character: the plain unit_pattern tries every unit at every number, so its cost
    # grows with the vocabulary; one dict lookup leaves only the units that can start there.
    units_by_first: dict[str, re.Pattern]
    any_before: re.Pattern  # matches when some rule's `before` could apply (a fast gate)
    # What the last character before a token must be for any_before to match (chars, any whitespace,
    # any digit), or None when the rules are beyond _last_chars: one set lookup spares most searches.
    before_last: tuple[frozenset[str], bool, bool] | None
    any_after: re.Pattern  # matches when some rule's `after` could apply
    # What the first character after a token's core must be for any_after to match (as before_last),
    # or None: most numbers are followed by 万, 元, % or a clause's end, and one set lookup says so.
    after_first: tuple[frozenset[str], bool, bool] | None
    # The two gates spelled out as one set each (classes expanded, "" for an empty window): the scan
    # tests every number against both, and one set lookup costs a third of the three tests.
    before_gate: frozenset[str] | None
    after_gate: frozenset[str] | None
    affix_candidates: dict[tuple[bool, bool], tuple[AffixRule, ...]]  # (after_ok, before_ok) -> rules

    @property
    def unit_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({u.kind for u in self.units.values()}))


NUMERAL_CHARS = "0123456789零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"


def _neighbours(words: set[str], offset: int) -> frozenset[str] | None:
    """The characters next to the numeral at ``offset`` in ``words``: before it, or after it at offset 0."""
    if offset:
        return frozenset(word[offset - 1] for word in words)
    if all(len(word) > 1 for word in words):
        return frozenset(word[1] for word in words)
    return None


def _by_edge(words: dict[str, str], edge: int) -> dict[str, tuple[tuple[int, str, str], ...]]:
    """Words keyed by their character at ``edge`` (0 or -1), longest first."""
    index: dict[str, list[tuple[int, str, str]]] = {}
    for word, qualifier in words.items():
        index.setdefault(word[edge], []).append((len(word), word, qualifier))
    return {char: tuple(sorted(entries, key=lambda e: -e[0])) for char, entries in index.items()}


_LAST_SPACE = 0x3000  # no character above the ideographic space is whitespace (tests/test_fast_paths.py)


def _spelled_out(gate: tuple[frozenset[str], bool, bool] | None, *extra: str) -> frozenset[str] | None:
    """The characters a gate lets through, whitespace and digits listed out, plus ``extra``."""
    if gate is None:
        return None
    chars, space, digit = gate
    out = set(chars) | set(extra)
    if space:
        out.update(c for c in map(chr, range(_LAST_SPACE + 1)) if c.isspace())
    if digit:
        out.update(c for c in map(chr, range(0x110000)) if c.isdecimal())
    return frozenset(out)


def _after_first(patterns: list[str]) -> tuple[frozenset[str], bool, bool] | None:
    """The characters that can start a match of ``p1|p2|...``, or None if unknown (see :func:`_first_chars`)."""
    return _edge_union(patterns, _first_chars, set())


def _before_last(patterns: list[str]) -> tuple[frozenset[str], bool, bool] | None:
    """The characters that can end a window matched by ``(?:p1|p2|...)$``, or None if unknown.

    A window that is empty or ends with a newline (``$`` matches before one) always passes; otherwise
    its last character must be in the set (or be whitespace or a digit, when a pattern says so).
    """
    return _edge_union(patterns, _last_chars, {"\n"})


def _edge_union(patterns: list[str], edge_chars, chars: set[str]) -> tuple[frozenset[str], bool, bool] | None:
    """``edge_chars`` of every pattern together, starting from ``chars``; None if any is unknown."""
    space = digit = False
    for pattern in patterns:
        try:
            found = edge_chars(pattern)
        except (ImportError, AttributeError):  # the parser's internals moved: do without the gate
            return None
        if found is None:
            return None
        chars |= found[0]
        space |= found[1]
        digit |= found[2]
    return frozenset(chars), space, digit


def _last_chars(pattern: str) -> tuple[set[str], bool, bool] | None:
    """What the character before the end of a match of ``pattern`` can be: (chars, whitespace, digit).

    Worked out on the parsed pattern; anything it does not know (negated sets, ``.``, lookaheads at
    the end, flags, a pattern that can match nothing at all unconditionally) gives None: no gate.
    A ``^`` at the end means an empty window, which always passes the gate.
    """
    return _edge_chars(pattern, last=True)


def _first_chars(pattern: str) -> tuple[set[str], bool, bool] | None:
    """What the first character of a match of ``pattern`` can be: (chars, whitespace, digit), or None.

    The mirror of :func:`_last_chars`: a lookahead at the start fixes the character, a lookbehind
    there says nothing about it; anchors, and a pattern that can match nothing at all, give None.
    """
    return _edge_chars(pattern, last=False)


def _edge_chars(pattern: str, last: bool) -> tuple[set[str], bool, bool] | None:
    """:func:`_last_chars` (``last``) or :func:`_first_chars`."""
    try:
        from re import _constants as c  # Python 3.11+
        from re import _parser as parser
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as c
        import sre_parse as parser
    try:
        parsed = parser.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL):
        return None
    chars: set[str] = set()
    flags = [False, False]  # whitespace, digit

    def in_set(items) -> bool:
        for op, av in items:
            if op is c.LITERAL:
                chars.add(chr(av))
            elif op is c.RANGE and av[1] - av[0] < 5000:
                chars.update(map(chr, range(av[0], av[1] + 1)))
            elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
                flags[0] = True
            elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
                flags[1] = True
            else:
                return False
        return True

    def sequence(items) -> bool | None:
        """Walk from the edge inwards; True when an item fixes the edge character, None if unknown."""
        for op, av in (reversed(list(items)) if last else items):
            ends = item(op, av)
            if ends is None or ends:
                return ends
        return False  # every item may match nothing: the one before the pattern decides

    def item(op, av) -> bool | None:
        if op is c.LITERAL:
            chars.add(chr(av))
            return True
        if op is c.IN:
            return True if in_set(av) else None
        if op is c.SUBPATTERN:
            return None if av[1] or av[2] else sequence(av[-1])
        if op is c.BRANCH:
            ends = [sequence(alternative) for alternative in av[1]]
            return None if None in ends else all(ends)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            ends = sequence(av[2])
            return None if ends is None else ends and av[0] >= 1
        if op is c.AT and last and av in (c.AT_BEGINNING, c.AT_BEGINNING_STRING):
            return True  # matches only at the window's start: the window is empty
        if op is c.ASSERT and (av[0] < 0) == last:  # lookbehind at the end, lookahead at the start
            return True if sequence(av[1]) else None
        if op is c.ASSERT and not last:  # a lookbehind at the start: only about what comes before
            return False
        if op is c.ASSERT_NOT:
            return False  # says nothing usable about the character; look further back
        return None

    ends = sequence(parsed)
    return (chars, flags[0], flags[1]) if ends else None


def _alternation(words) -> re.Pattern:
    """One pattern matching any of ``words``, longest first, so a match is the longest word there."""
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _by_first_char(words) -> dict[str, re.Pattern]:
    """:func:`_alternation` split by the words' first character (see ``Lexicon.units_by_first``).

    Each pattern is shaped as a trie (个(?:百分点|工作日|小时|月)?): the words sharing a first character
    are tried one character at a time, not each from its start. Greedy optional tails give the longest
    word, as the plain alternation does (tests/test_fast_paths.py holds the two to the same answers).
    """
    grouped: dict[str, list[str]] = {}
    for word in words:
        grouped.setdefault(word[0], []).append(word)
    return {char: re.compile(_trie(group)) for char, group in grouped.items()}


def _trie(words: list[str]) -> str:
    """A pattern matching the longest of ``words`` (all non-empty) at a position, branching per character."""
    children: dict[str, list[str]] = {}
    for word in words:
        children.setdefault(word[0], []).append(word[1:])
    branches = []
    for char in sorted(children):
        rests = children[char]
        tails = [rest for rest in rests if rest]
        tail = _trie(tails) if tails else ""
        if tails and len(tails) < len(rests):  # the word can also end here: the tail is optional
            tail = f"(?:{tail})?"
        branches.append(re.escape(char) + tail)
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """Load every vocabulary table once per process."""
    unit_rows = read_table("units")
    units = {r["unit"]: Unit(r["unit"], r["canonical"], r["unit_kind"], int(r["scale"]), r["numerals"] == "arabic")
             for r in unit_rows if r["unit_kind"] != "none"}
    # words that start with a unit's characters and are no unit (成员, 城镇): found by the same trie, so the
    # unit after a number is the longest word there
    blockers = frozenset(r["unit"] for r in unit_rows if r["unit_kind"] == "none")
    qualifiers: dict[str, dict[str, str]] = {"before": {}, "inside": {}, "after": {}, "round": {}, "link": {}}
    for row in read_table("qualifiers"):
        # `none`: a word that only looks like a qualifier there (以上万元); found first, it says "no qualifier"
        qualifiers[row["position"]][row["word"]] = "" if row["qualifier"] == "none" else row["qualifier"]
    words = {row["word"]: (row["disposition"], row["note"]) for row in read_table("numeral_words")}
    grouped: dict[str, dict[tuple[int, int], set[str]]] = {}
    for word in words:
        for offset, char in enumerate(word):
            if char in NUMERAL_CHARS:
                grouped.setdefault(char, {}).setdefault((offset, len(word)), set()).add(word)
    index = {
        char: tuple(sorted(((length - offset, offset, length, frozenset(ws), _neighbours(ws, offset))
                            for (offset, length), ws in by_shape.items()), key=lambda entry: -entry[0]))
        for char, by_shape in grouped.items()
    }
    rules = []
    affix_rows = read_table("affix_rules")
    for row in affix_rows:
        before, after = row["before"], row["after"]
        rules.append(
            AffixRule(
                name=row["name"],
                token=row["token"],
                before=re.compile(f"(?:{before})$") if before else None,
                after=re.compile(after) if after else None,
                disposition=row["disposition"],
                note=row["note"],
            )
        )
    before_last = _before_last([row["before"] for row in affix_rows if row["before"]])
    after_first = _after_first([row["after"] for row in affix_rows if row["after"]])
    openers = frozenset(u for u, entry in units.items() if entry.kind == "duration") | {"个", "成"}
    befores = [f"(?:{row['before']})" for row in affix_rows if row["before"]]
    afters = [f"(?:{row['after']})" for row in affix_rows if row["after"]]
    return Lexicon(
        units=units,
        qualifiers=qualifiers,
        qualifier_index={"before": _by_edge(qualifiers["before"], -1), "after": _by_edge(qualifiers["after"], 0),
                         "round": _by_edge(qualifiers["round"], -1), "link": _by_edge(qualifiers["link"], -1),
                         "linked": _by_edge(qualifiers["before"], -1)},  # a before qualifier ahead of a link word
        words=words,
        word_index=index,
        affix_rules=tuple(rules),
        unit_pattern=_alternation([*units, *blockers]),
        units_by_first=_by_first_char([*units, *blockers]),
        unit_blockers=blockers,
        compound_openers=openers,
        arabic_only_units=frozenset(u for u, entry in units.items() if entry.arabic_only),
        special_units=openers | frozenset(u for u, entry in units.items() if entry.arabic_only) | blockers,
        multiplier_unit_seconds=frozenset(u[1] for u in units if len(u) > 1 and u[0] in "十百千万亿"),
        any_before=re.compile(f"(?:{'|'.join(befores)})$"),
        before_last=before_last,
        before_gate=_spelled_out(before_last, ""),  # an empty window: any_before's ^ may match it
        any_after=re.compile("|".join(afters)),
        after_first=after_first,
        after_gate=_spelled_out(after_first),
        affix_candidates={
            (after_ok, before_ok): tuple(
                r for r in rules if (r.after is None or after_ok) and (r.before is None or before_ok)
            )
            for after_ok in (False, True)
            for before_ok in (False, True)
        },
    )
