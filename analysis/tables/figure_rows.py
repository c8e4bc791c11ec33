"""The ``theme`` and ``indicator`` of figures rows, without pandas: what ``extract`` writes.

``enrich`` (:mod:`analysis.tables.enrich`) does this for whole batches of typed frames; ``extract``
writes one table of one report, and importing pandas and building frames would cost it most of its
time (on a short report about 80 %). Both read each figure with the same matchers, on the same texts
(:func:`analysis.tables.context.texts_from`, :func:`analysis.tables.indicators.codes_of`,
:func:`analysis.tables.themes.primary_themes`): ``tests/test_lean_extract.py`` holds ``extract``'s CSV to
the ``figures.csv`` that ``clean`` writes, byte for byte.
"""

from __future__ import annotations

from functools import cache

from analysis.tables.context import texts_from
from analysis.tables.indicators import codes_of, load_rules
from analysis.tables.themes import primary_themes


@cache
def _indicator_themes() -> dict[str, str | None]:
    # an indicator with no theme written forces none (the definitions table reads "" as missing)
    return {rule.indicator: rule.theme or None for rule in load_rules()}


def themes_and_indicators(figures: list[dict], sentence_starts: dict[int, int]) -> tuple[list, list]:
    """The ``theme`` and ``indicator`` (None where it feeds none) of each of ``figures`` (rows of
    :func:`analysis.tables.build.iter_rows`), as two lists in their order. ``sentence_starts``: the
    start of each figure's sentence, by number (the figure's place in its sentence_text)."""
    if not figures:
        return [], []
    offsets = [row["span_start"] - sentence_starts[row["sentence"]] if row["sentence"] in sentence_starts else None
               for row in figures]
    texts = texts_from([row["subject"] for row in figures], [row["sentence_text"] for row in figures],
                       [row["surface"] for row in figures], offsets)
    codes = codes_of(texts, [row["unit"] for row in figures], [row["measure"] for row in figures])
    forced = [_indicator_themes().get(code) if code is not None else None for code in codes]
    themes = primary_themes(texts, forced)
    return themes, codes
