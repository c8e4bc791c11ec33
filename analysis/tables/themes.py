"""Classify figures into themes with the keyword table analysis/lexicon/themes.tsv.

A figure is read against its subject, then its clause, then its sentence (see context.py). The
first of those texts that matches any theme decides; among the themes matching there, the lowest
priority wins, except in the whole sentence, where the keyword nearest the figure wins (a long
sentence often covers several topics). A figure that feeds an indicator takes the indicator's
theme, so an indicator's figures never scatter across themes. No match: theme ``other``. Every figure keeps exactly one primary theme, and the
long table ``figure_themes`` lists every theme each figure touches, so nothing is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.config import LEXICON_DIR
from analysis.tables import contract
from analysis.tables.context import FigureTexts, texts_of
from analysis.tables.keywords import Keywords

if TYPE_CHECKING:  # pandas only for the frames: ``extract`` takes primary themes without it
    import pandas as pd
from analysis.tsv import alternatives, read_tsv

THEMES_TSV = LEXICON_DIR / "themes.tsv"
OTHER = "other"


@dataclass(frozen=True)
class Theme:
    theme: str
    label_zh: str
    label_en: str
    priority: int
    keywords: tuple[str, ...]


@cache
def load_themes(path: Path = THEMES_TSV) -> tuple[Theme, ...]:
    """The theme table, sorted by priority; raises ValueError if it is malformed."""
    themes = tuple(
        sorted(
            (
                Theme(row["theme"], row["label_zh"], row["label_en"], int(row["priority"]),
                      alternatives(row["keywords"]))
                for row in read_tsv(path)
            ),
            key=lambda t: (t.priority, t.theme),
        )
    )
    codes = [t.theme for t in themes]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path}: duplicate theme codes")
    if OTHER not in codes:
        raise ValueError(f"{path}: the fallback theme {OTHER!r} is missing")
    return themes


def themes_table(themes: tuple[Theme, ...] | None = None) -> pd.DataFrame:
    """The ``themes`` clean table: one row per theme with its labels, priority and keywords."""
    from analysis.tables.frames import records_frame

    themes = load_themes() if themes is None else themes
    return records_frame("themes", themes, keywords=lambda t: "|".join(t.keywords))


def match(text: str, themes: tuple[Theme, ...] | None = None) -> dict[str, str]:
    """Themes whose keywords occur in `text`, in priority order, each with the first keyword found.

    >>> match("新建社区养老服务站30个")
    {'elderly': '养老'}
    """
    themes = load_themes() if themes is None else themes
    found = {}
    for theme in themes:
        keyword = next((k for k in theme.keywords if k in text), None)
        if keyword is not None:
            found[theme.theme] = keyword
    return found


def nearest(text: str, offset: int, themes: tuple[Theme, ...] | None = None) -> dict[str, str]:
    """Like ``match``, but ordered by the distance of each theme's nearest keyword to ``offset``.

    >>> nearest("开展民生项目，新建蔬菜种植基地300个", 15)
    {'agriculture': '种植', 'projects': '民生项目'}
    """
    themes = load_themes() if themes is None else themes
    found = []
    for theme in themes:
        best = None
        for keyword in theme.keywords:
            start = text.find(keyword)
            while start >= 0:
                distance = max(start - offset, offset - start - len(keyword), 0)
                if best is None or distance < best[0]:
                    best = (distance, keyword)
                start = text.find(keyword, start + 1)
        if best is not None:
            found.append((best[0], theme.priority, theme.theme, best[1]))
    return {code: keyword for _, _, code, keyword in sorted(found)}


class _Matcher:
    """``match`` and ``nearest`` for one theme table, with every keyword found in one scan
    (:class:`analysis.tables.keywords.Keywords`) and each distinct text scanned once."""

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        self.keywords = Keywords(k for t in themes for k in t.keywords)
        # keyword -> (theme index, keyword index in that theme) for every theme listing it
        self.owners: dict[str, list[tuple[int, int]]] = {}
        for ti, theme in enumerate(themes):
            for ki, keyword in enumerate(theme.keywords):
                self.owners.setdefault(keyword, []).append((ti, ki))
        self._match: dict[str, dict[str, str]] = {}
        self._at: dict[str, list[tuple[int, str]]] = {}

    def match(self, text: str) -> dict[str, str]:
        """:func:`match`: per theme in priority order, its first keyword (in its own order) found."""
        found = self._match.get(text)
        if found is None:
            best: dict[int, int] = {}
            for keyword in self.keywords.found(text):
                for ti, ki in self.owners[keyword]:
                    if ki < best.get(ti, ki + 1):
                        best[ti] = ki
            found = {self.themes[ti].theme: self.themes[ti].keywords[ki] for ti, ki in sorted(best.items())}
            self._match[text] = found
        return found

    def nearest(self, text: str, offset: int) -> dict[str, str]:
        """:func:`nearest`: per theme its keyword nearest ``offset`` (the first in its order on a tie),
        ordered by distance, then priority."""
        at = self._at.get(text)
        if at is None:
            at = self._at[text] = self.keywords.at(text)
        best: dict[int, tuple[int, int]] = {}
        for start, keyword in at:
            distance = max(start - offset, offset - start - len(keyword), 0)
            for ti, ki in self.owners[keyword]:
                if (distance, ki) < best.get(ti, (distance + 1, 0)):
                    best[ti] = (distance, ki)
        order = sorted((d, self.themes[ti].priority, self.themes[ti].theme, ti, ki) for ti, (d, ki) in best.items())
        return {code: self.themes[ti].keywords[ki] for _, _, code, ti, ki in order}


def classify(
    figures: pd.DataFrame,
    sentences: pd.DataFrame | None = None,
    themes: tuple[Theme, ...] | None = None,
    indicator_themes: pd.Series | None = None,
    texts: FigureTexts | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Primary theme of each figure (a Series on figures' index) and the long ``figure_themes`` table.

    ``figure_themes`` has one row per (figure, theme touched): ``matched_on`` is the first text
    (subject, clause, sentence) where that theme matched, ``keyword`` the word found, ``primary``
    marks the theme chosen for the figure. A figure touching no theme has one row: ``other``, ``none``.
    `indicator_themes` (on figures' index, missing where none) overrides the keyword choice; a theme
    chosen only that way is recorded with ``matched_on`` ``indicator``. ``texts``: the figures'
    :func:`analysis.tables.context.texts_of`, if already computed.

    Every figure is matched as :func:`match` and :func:`nearest` would match it; the texts are
    scanned once each (``_Matcher``), which ``tests/test_fast_tables.py`` holds to the plain way.
    """
    import pandas as pd

    texts = texts_of(figures, sentences) if texts is None else texts
    forced_themes = [None] * len(figures) if indicator_themes is None else indicator_themes.tolist()
    primary = []
    columns: dict[str, list] = {name: [] for name in contract.columns("figure_themes")}
    doc_ids, numbers = figures["doc_id"].tolist(), figures["figure"].tolist()
    for doc_id, figure, (chosen, touched) in zip(doc_ids, numbers, themes_of(texts, forced_themes, themes)):
        primary.append(chosen)
        for theme, (level, keyword) in touched.items():
            columns["doc_id"].append(doc_id)
            columns["figure"].append(figure)
            columns["theme"].append(theme)
            columns["matched_on"].append(level)
            columns["keyword"].append(keyword or None)
            columns["primary"].append(theme == chosen)
    figure_themes = pd.DataFrame(columns)
    return pd.Series(primary, index=figures.index, dtype="str", name="theme"), figure_themes


def themes_of(texts: FigureTexts, forced_themes: list, themes: tuple[Theme, ...] | None = None):
    """Per figure, its primary theme and the themes it touches (theme -> (matched_on, keyword)), in
    order: :func:`classify` without frames. ``forced_themes``: per figure its indicator's theme, or
    None (or NA) where it feeds none."""
    matcher = _Matcher(load_themes() if themes is None else themes)
    for subject, clause, sentence, offset, forced in zip(
        texts.subject, texts.clause, texts.sentence, texts.offset, forced_themes,
    ):
        touched: dict[str, tuple[str, str]] = {}
        chosen = None
        for level, found in (("subject", matcher.match(subject)), ("clause", matcher.match(clause)),
                             ("sentence", matcher.nearest(sentence, offset))):
            if found and chosen is None:
                chosen = next(iter(found))
            for theme, keyword in found.items():
                touched.setdefault(theme, (level, keyword))
        if isinstance(forced, str) and forced:
            chosen = forced
            touched.setdefault(forced, ("indicator", ""))
        if chosen is None:
            chosen = OTHER
            touched[OTHER] = ("none", "")
        yield chosen, touched


def primary_themes(texts: FigureTexts, forced_themes: list, themes: tuple[Theme, ...] | None = None) -> list[str]:
    """Per figure, its primary theme alone: the first of :func:`themes_of`'s pairs.

    Speed trick for ``extract``, which writes no ``figure_themes``: the texts are read only until
    one decides (a figure whose subject names a theme never has its clause and sentence matched,
    one with an indicator's theme none of them), where :func:`themes_of` reads all three for the
    themes a figure touches. ``tests/test_lean_core.py`` holds it to :func:`themes_of`.
    """
    matcher = _Matcher(load_themes() if themes is None else themes)
    primary = []
    for subject, clause, sentence, offset, forced in zip(
        texts.subject, texts.clause, texts.sentence, texts.offset, forced_themes,
    ):
        if isinstance(forced, str) and forced:
            primary.append(forced)
            continue
        found = matcher.match(subject) or matcher.match(clause) or matcher.nearest(sentence, offset)
        primary.append(next(iter(found)) if found else OTHER)
    return primary
