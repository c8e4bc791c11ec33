"""The texts a figure is read against: its subject, the clause holding it, its sentence.

Theme and indicator rules look at these texts in that order, so a word next to the number counts
for more than a word elsewhere in a long sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only when a frame is asked for: ``extract`` reads figures without it
    import pandas as pd

# Clause boundaries inside a sentence. The enumeration comma 、 is not one: "A、B分别达x、y" is a
# single clause whose figures share a predicate.
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?]")


def clause_at(sentence_text: str, offset: int) -> str:
    """The clause of `sentence_text` containing character `offset`.

    >>> clause_at("截至本月，共建成驿站12个，服务老人3000人次。", 12)
    '共建成驿站12个'
    """
    if not isinstance(sentence_text, str) or not sentence_text:
        return ""
    offset = min(max(offset, 0), len(sentence_text) - 1)
    start = 0
    for match in _CLAUSE_BREAK.finditer(sentence_text):
        if match.start() >= offset:
            return sentence_text[start : match.start()]
        start = match.end()
    return sentence_text[start:]


@dataclass(frozen=True)
class FigureTexts:
    """Per figure, as plain lists in the figures' order: the texts it is read against and its place.

    Lists, not a frame: themes and indicators loop over them in Python, and a list is read several
    times faster than an Arrow-backed column.
    """

    subject: list[str]
    clause: list[str]
    sentence: list[str]
    offset: list[int]


def texts_of(figures: pd.DataFrame, sentences: pd.DataFrame | None = None) -> FigureTexts:
    """:func:`figure_texts` as lists; computed once per batch and shared by themes and indicators."""
    import pandas as pd

    if sentences is not None and len(sentences) and len(figures):
        starts = sentences.set_index(["doc_id", "sentence"])["span_start"]
        keys = pd.MultiIndex.from_arrays([figures["doc_id"], figures["sentence"]])
        sentence_start = starts.reindex(keys).to_numpy(dtype="float64", na_value=float("nan"))
        offsets = (figures["span_start"].to_numpy(dtype="float64") - sentence_start).tolist()
    else:
        offsets = [float("nan")] * len(figures)
    return texts_from(figures["subject"].tolist(), figures["sentence_text"].tolist(), figures["surface"].tolist(),
                      offsets)


def texts_from(subjects: list, sentence_texts: list, surfaces: list, offsets: list) -> FigureTexts:
    """:class:`FigureTexts` from plain per-figure lists (no pandas: ``extract`` builds them itself).

    ``offsets``: each figure's start less its sentence's start, NaN or None where the sentence is not
    known (then the surface's first occurrence in the sentence text stands in). A missing text
    (None, NaN, NA) reads as "".
    """
    sentence_text = [t if isinstance(t, str) else "" for t in sentence_texts]
    positions = []
    for text, surface, off in zip(sentence_text, surfaces, offsets):
        if off is not None and off == off and off >= 0:  # not NaN
            positions.append(int(off))
        else:  # the first occurrence of the surface
            positions.append(max(text.find(surface) if isinstance(surface, str) else -1, 0))
    return FigureTexts(
        subject=[t if isinstance(t, str) else "" for t in subjects],
        clause=[clause_at(text, pos) for text, pos in zip(sentence_text, positions)],
        sentence=sentence_text,
        offset=positions,
    )


def figure_texts(figures: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per figure (same index): `subject`, `clause`, `sentence` texts (empty strings if unknown)
    and `offset`, the figure's position in its sentence.

    The figure's place in its sentence comes from the sentence's span when `sentences` is given,
    otherwise from the first occurrence of its surface in the sentence text.
    """
    import pandas as pd

    texts = texts_of(figures, sentences)
    return pd.DataFrame(
        {"subject": texts.subject, "clause": texts.clause, "sentence": texts.sentence, "offset": texts.offset},
        index=figures.index,
    )
