"""Vocabularies as data: units, qualifier words, numeral words and affix rules.

Each table lives in ``analysis/lexicon/<name>.tsv`` (tab-separated, ``#`` comments). This module only
loads them into lookup structures; the decisions are made by :mod:`analysis.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ._tsv import read_tsv
from .config import LEXICON_DIR


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``lexicon/<name>.tsv`` as dicts keyed by its header row (``#`` lines are comments)."""
    return read_tsv(LEXICON_DIR / f"{name}.tsv")


@dataclass(frozen=True)
class Unit:
    surface: str
    unit: str
    kind: str
    scale: int = 1


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
    # numeral char -> ((reach, offset of the char in the word, word length, words), ...), reach (how far
    # the word runs from the char: length - offset) descending: a candidate word is one slice of the text
    # and one set lookup away, and the scan stops at the first word too short to cover the number
    word_index: dict[str, tuple[tuple[int, int, int, frozenset[str]], ...]]
    affix_rules: tuple[AffixRule, ...]
    unit_pattern: re.Pattern  # any unit, longest first, so one match finds the longest unit
    any_before: re.Pattern  # matches when some rule's `before` could apply (a fast gate)
    any_after: re.Pattern  # matches when some rule's `after` could apply
    affix_candidates: dict[tuple[bool, bool], tuple[AffixRule, ...]]  # (after_ok, before_ok) -> rules

    @property
    def unit_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({u.kind for u in self.units.values()}))


NUMERAL_CHARS = "0123456789零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"


def _by_edge(words: dict[str, str], edge: int) -> dict[str, tuple[tuple[int, str, str], ...]]:
    """Words keyed by their character at ``edge`` (0 or -1), longest first."""
    index: dict[str, list[tuple[int, str, str]]] = {}
    for word, qualifier in words.items():
        index.setdefault(word[edge], []).append((len(word), word, qualifier))
    return {char: tuple(sorted(entries, key=lambda e: -e[0])) for char, entries in index.items()}


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """Load every vocabulary table once per process."""
    units = {r["unit"]: Unit(r["unit"], r["canonical"], r["unit_kind"], int(r["scale"])) for r in read_table("units")}
    qualifiers: dict[str, dict[str, str]] = {"before": {}, "inside": {}, "after": {}}
    for row in read_table("qualifiers"):
        qualifiers[row["position"]][row["word"]] = row["qualifier"]
    words = {row["word"]: (row["disposition"], row["note"]) for row in read_table("numeral_words")}
    grouped: dict[str, dict[tuple[int, int], set[str]]] = {}
    for word in words:
        for offset, char in enumerate(word):
            if char in NUMERAL_CHARS:
                grouped.setdefault(char, {}).setdefault((offset, len(word)), set()).add(word)
    index = {
        char: tuple(sorted(((length - offset, offset, length, frozenset(ws)) for (offset, length), ws in by_shape.items()),
                           key=lambda entry: -entry[0]))
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
    befores = [f"(?:{row['before']})" for row in affix_rows if row["before"]]
    afters = [f"(?:{row['after']})" for row in affix_rows if row["after"]]
    return Lexicon(
        units=units,
        qualifiers=qualifiers,
        qualifier_index={"before": _by_edge(qualifiers["before"], -1), "after": _by_edge(qualifiers["after"], 0)},
        words=words,
        word_index=index,
        affix_rules=tuple(rules),
        unit_pattern=re.compile("|".join(map(re.escape, sorted(units, key=len, reverse=True)))),
        any_before=re.compile(f"(?:{'|'.join(befores)})$"),
        any_after=re.compile("|".join(afters)),
        affix_candidates={
            (after_ok, before_ok): tuple(
                r for r in rules if (r.after is None or after_ok) and (r.before is None or before_ok)
            )
            for after_ok in (False, True)
            for before_ok in (False, True)
        },
    )
