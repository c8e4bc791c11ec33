"""The texts a figure is read against: its subject, the clause holding it, its sentence.

Theme and indicator rules look at these texts in that order, so a word next to the number counts
for more than a word elsewhere in a long sentence.
"""

from __future__ import annotations

import re

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


def figure_texts(figures: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per figure (same index): `subject`, `clause`, `sentence` texts (empty strings if unknown)
    and `offset`, the figure's position in its sentence.

    The figure's place in its sentence comes from the sentence's span when `sentences` is given,
    otherwise from the first occurrence of its surface in the sentence text.
    """
    sentence_text = figures["sentence_text"].fillna("").astype(str)
    if sentences is not None and len(sentences) and len(figures):
        starts = sentences.set_index(["doc_id", "sentence"])["span_start"]
        keys = pd.MultiIndex.from_arrays([figures["doc_id"], figures["sentence"]])
        sentence_start = pd.Series(starts.reindex(keys).to_numpy(), index=figures.index)
        offsets = (figures["span_start"] - sentence_start).astype("Float64")
    else:
        offsets = pd.Series(pd.NA, index=figures.index, dtype="Float64")
    fallback = [text.find(surface) if isinstance(surface, str) else -1
                for text, surface in zip(sentence_text, figures["surface"])]
    positions = [int(off) if pd.notna(off) and off >= 0 else max(alt, 0)
                 for off, alt in zip(offsets, fallback)]
    return pd.DataFrame(
        {
            "subject": figures["subject"].fillna("").astype(str),
            "clause": [clause_at(text, pos) for text, pos in zip(sentence_text, positions)],
            "sentence": sentence_text,
            "offset": positions,
        },
        index=figures.index,
    )
