"""Vocabularies as data: units, qualifier words, numeral words and affix rules.

Each table lives in ``analysis/lexicon/<name>.tsv`` (tab-separated, ``#`` comments). This module only
loads them into lookup structures; the decisions are made by :mod:`analysis.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .config import LEXICON_DIR


def read_table(name: str) -> list[list[str]]:
    """Rows of ``lexicon/<name>.tsv`` without comments and blank lines, each padded to the header width."""
    rows = []
    with open(LEXICON_DIR / f"{name}.tsv", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


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
    unit_lengths: tuple[int, ...]  # distinct surface lengths, longest first
    qualifiers: dict[str, dict[str, str]]  # position -> word -> qualifier
    qualifier_lengths: dict[str, tuple[int, ...]]
    words: dict[str, tuple[str, str]]  # word -> (disposition, note)
    # numeral char -> ((offset of the char in the word, word length, words), ...): a candidate word is
    # one slice of the text and one set lookup away
    word_index: dict[str, tuple[tuple[int, int, frozenset[str]], ...]]
    affix_rules: tuple[AffixRule, ...]
    unit_pattern: re.Pattern  # any unit, longest first, so one match finds the longest unit
    any_before: re.Pattern  # matches when some rule's `before` could apply (a fast gate)
    any_after: re.Pattern  # matches when some rule's `after` could apply
    affix_candidates: dict[tuple[bool, bool], tuple[AffixRule, ...]]  # (after_ok, before_ok) -> rules

    @property
    def unit_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({u.kind for u in self.units.values()}))


NUMERAL_CHARS = "0123456789零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"


def _lengths(words) -> tuple[int, ...]:
    return tuple(sorted({len(w) for w in words}, reverse=True))


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """Load every vocabulary table once per process."""
    units = {row[0]: Unit(row[0], row[1], row[2], int(row[3])) for row in read_table("units")}
    qualifiers: dict[str, dict[str, str]] = {"before": {}, "inside": {}, "after": {}}
    for word, position, qualifier, *_ in read_table("qualifiers"):
        qualifiers[position][word] = qualifier
    words = {row[0]: (row[1], row[2] if len(row) > 2 else "") for row in read_table("numeral_words")}
    grouped: dict[str, dict[tuple[int, int], set[str]]] = {}
    for word in words:
        for offset, char in enumerate(word):
            if char in NUMERAL_CHARS:
                grouped.setdefault(char, {}).setdefault((offset, len(word)), set()).add(word)
    index = {
        char: tuple((offset, length, frozenset(ws)) for (offset, length), ws in sorted(by_shape.items()))
        for char, by_shape in grouped.items()
    }
    rules = []
    for name, token, before, after, disposition, *note in read_table("affix_rules"):
        rules.append(
            AffixRule(
                name=name,
                token=token,
                before=re.compile(f"(?:{before})$") if before else None,
                after=re.compile(after) if after else None,
                disposition=disposition,
                note=note[0] if note else "",
            )
        )
    befores = [f"(?:{row[2]})" for row in read_table("affix_rules") if row[2]]
    afters = [f"(?:{row[3]})" for row in read_table("affix_rules") if row[3]]
    return Lexicon(
        units=units,
        unit_lengths=_lengths(units),
        qualifiers=qualifiers,
        qualifier_lengths={pos: _lengths(ws) for pos, ws in qualifiers.items()},
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
