"""Derive comparable indicators from figures with the rule table analysis/lexicon/indicators.tsv.

An indicator is a thing measured the same way across provinces (projects completed, new urban
jobs ...). Rules are data; each figure feeds at most one indicator (the first rule that matches,
trying the subject before the clause), and figures feeding none keep an empty ``indicator``. A rule
takes figures of the measures it lists (``measures``: results by default), so a target (年度目标) never
lands in the indicator of what was achieved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.config import LEXICON_DIR
from analysis.tables.context import FigureTexts, texts_of
from analysis.tables.keywords import Keywords

if TYPE_CHECKING:  # pandas only for the frames: ``extract`` takes indicator codes without it
    import pandas as pd
from analysis.tsv import alternatives, read_tsv

INDICATORS_TSV = LEXICON_DIR / "indicators.tsv"
# the kinds of figure an indicator takes unless indicators.tsv says otherwise: results, never a target
RESULT_MEASURES = ("level", "cumulative", "rate")


@dataclass(frozen=True)
class Rule:
    indicator: str
    family: str
    label_zh: str
    label_en: str
    theme: str
    what: tuple[str, ...]
    how: tuple[str, ...]
    not_: tuple[str, ...]
    units: tuple[str, ...]
    unit_kind: str
    per_capita: bool
    comparability_note: str
    measures: tuple[str, ...] = RESULT_MEASURES

    def matches(self, text: str, sentence: str, unit: str, measure: str | None = "level") -> bool:
        """True if this rule accepts a figure of `unit` and `measure` read in `text` (its sentence being `sentence`);
        ``measure`` None: a figure whose measure is not known, which any rule may take."""
        if unit not in self.units or measure is not None and measure not in self.measures:
            return False
        if any(word in text for word in self.not_):
            return False
        if self.how:
            return _any(self.how, text) and (_any(self.what, text) or _any(self.what, sentence))
        return _any(self.what, text)


def _any(words: tuple[str, ...], text: str) -> bool:
    return any(word in text for word in words)


@cache
def load_rules(path: Path = INDICATORS_TSV) -> tuple[Rule, ...]:
    """The indicator rules in file order; raises ValueError if the table is malformed."""
    rules = []
    for row in read_tsv(path):
        if row["per_capita"] not in ("yes", "no"):
            raise ValueError(f"{path}: {row['indicator']}: per_capita must be yes or no")
        rule = Rule(
            indicator=row["indicator"], family=row["family"], label_zh=row["label_zh"],
            label_en=row["label_en"], theme=row["theme"], what=alternatives(row["what"]),
            how=alternatives(row["how"]), not_=alternatives(row["not"]), units=alternatives(row["units"]),
            unit_kind=row["unit_kind"], per_capita=row["per_capita"] == "yes",
            comparability_note=row["comparability_note"],
            measures=alternatives(row["measures"]) or RESULT_MEASURES,
        )
        if not rule.what or not rule.units:
            raise ValueError(f"{path}: {rule.indicator}: `what` and `units` must not be empty")
        rules.append(rule)
    codes = [r.indicator for r in rules]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: duplicate indicator codes")
    return tuple(rules)


def definitions_table(rules: tuple[Rule, ...] | None = None) -> pd.DataFrame:
    """The ``indicator_definitions`` clean table: one row per indicator with labels, units and note."""
    from analysis.tables.frames import records_frame

    rules = load_rules() if rules is None else rules
    return records_frame("indicator_definitions", rules, units=lambda r: "|".join(r.units),
                         measures=lambda r: "|".join(r.measures))


def match(subject: str, clause: str, sentence: str, unit: str, rules: tuple[Rule, ...] | None = None,
          measure: str | None = None) -> Rule | None:
    """The rule a figure feeds, or None: rules are tried on the subject first, then on the clause.

    >>> match("", "全年城镇新增就业8.6万人", "", "人").indicator
    'new_urban_jobs'
    """
    rules = load_rules() if rules is None else rules
    for text in (subject, clause):
        if text:
            for rule in rules:
                if rule.matches(text, sentence, unit, measure):
                    return rule
    return None


class _Matcher:
    """:func:`match` for one rule table: the rules a unit allows, tried in file order, with each
    rule's words looked up in the set of vocabulary words found in a text by one scan
    (:class:`analysis.tables.keywords.Keywords`); each distinct text is scanned once."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.keywords = Keywords(w for r in rules for w in (*r.what, *r.how, *r.not_))
        self.by_unit: dict[str, list[tuple[Rule, frozenset, frozenset, frozenset]]] = {}
        for rule in rules:
            for unit in dict.fromkeys(rule.units):
                self.by_unit.setdefault(unit, []).append(
                    (rule, frozenset(rule.what), frozenset(rule.how), frozenset(rule.not_)))
        self._found: dict[str, set[str]] = {}

    def found(self, text: str) -> set[str]:
        words = self._found.get(text)
        if words is None:
            words = self._found[text] = self.keywords.found(text)
        return words

    def match(self, subject: str, clause: str, sentence: str, unit: str, measure: str | None = "level") -> Rule | None:
        candidates = self.by_unit.get(unit)
        if candidates and measure is not None:
            candidates = [c for c in candidates if measure in c[0].measures]
        if not candidates:
            return None
        for text in (subject, clause):
            if not text:
                continue
            words = self.found(text)
            for rule, what, how, not_ in candidates:
                if not_ and not not_.isdisjoint(words):
                    continue
                if how:
                    if how.isdisjoint(words):
                        continue
                    if not what.isdisjoint(words) or not what.isdisjoint(self.found(sentence)):
                        return rule
                elif not what.isdisjoint(words):
                    return rule
        return None


def assign(
    figures: pd.DataFrame, sentences: pd.DataFrame | None = None, rules: tuple[Rule, ...] | None = None,
    texts: FigureTexts | None = None,
) -> pd.Series:
    """The indicator code each figure feeds (a str Series on figures' index, missing where none).

    Each figure gets what :func:`match` gives it; the rules are applied through ``_Matcher``, which
    ``tests/test_fast_tables.py`` holds to :func:`match`. ``texts``: the figures'
    :func:`analysis.tables.context.texts_of`, if already computed.
    """
    import pandas as pd

    texts = texts_of(figures, sentences) if texts is None else texts
    measures = figures["measure"].tolist() if "measure" in figures else [None] * len(figures)
    codes = codes_of(texts, figures["unit"].tolist(), measures, rules)
    return pd.Series(codes, index=figures.index, dtype="str", name="indicator")


def codes_of(texts: FigureTexts, units: list, measures: list, rules: tuple[Rule, ...] | None = None) -> list:
    """:func:`assign` without frames: per figure its indicator code, or None. A unit or measure that
    is not a string (None, NA) reads as "" and as unknown."""
    matcher = _Matcher(load_rules() if rules is None else rules)
    codes = []
    for subject, clause, sentence, unit, measure in zip(texts.subject, texts.clause, texts.sentence,
                                                        units, measures):
        rule = matcher.match(subject, clause, sentence, unit if isinstance(unit, str) else "",
                             measure if isinstance(measure, str) else None)
        codes.append(rule.indicator if rule else None)
    return codes
