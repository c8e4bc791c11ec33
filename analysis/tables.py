"""Pure builders from one decoded report to tidy pandas tables with explicit dtypes.

``build_tables(source)`` returns ``documents``, ``sections``, ``sentences``, ``figures``, ``dates`` and
``mentions`` for one report; rows are in text order. Columns are described in docs/ARCHITECTURE.md
and, for users, in data/clean/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .dates import infer_published
from .figures import iter_extract
from .normalize import normalize
from .provinces import find_provinces
from .segment import Segmented, segment

TABLE_NAMES = ("documents", "sections", "sentences", "figures", "dates", "mentions")

# name -> pandas dtype; the order here is the column order of each CSV
COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "string", "path": "string", "title": "string", "publisher": "string",
        "published": "string", "published_inferred": "boolean", "encoding": "string", "sha256": "string",
        "n_chars": "int64", "n_sections": "int64", "n_sentences": "int64", "n_mentions": "int64",
        "n_figures": "int64",
    },
    "sections": {
        "doc_id": "string", "section": "int64", "province": "string", "heading": "string",
        "span_start": "int64", "span_end": "int64",
    },
    "sentences": {
        "doc_id": "string", "sentence": "int64", "section": "int64", "paragraph": "int64",
        "province": "string", "span_start": "int64", "span_end": "int64", "text": "string",
    },
    "figures": {
        "doc_id": "string", "figure": "int64", "province": "string", "section": "int64", "sentence": "int64",
        "span_start": "int64", "span_end": "int64", "surface": "string", "value": "float64",
        "value_high": "float64", "unit": "string", "unit_kind": "string", "qualifier": "string",
        "as_of": "string", "cumulative": "boolean", "subject": "string", "sentence_text": "string",
    },
    "dates": {
        "doc_id": "string", "province": "string", "section": "int64", "sentence": "int64",
        "span_start": "int64", "span_end": "int64", "surface": "string", "date": "string",
        "date_start": "string", "date_end": "string", "role": "string",
    },
    "mentions": {
        "doc_id": "string", "mention": "int64", "span_start": "int64", "span_end": "int64",
        "surface": "string", "disposition": "string", "reason": "string",
    },
}  # fmt: skip


@dataclass(frozen=True)
class TextSource:
    """The minimum :func:`build_tables` needs; :class:`analysis.sources.Source` has these and more."""

    doc_id: str
    text: str
    published: date | None = None
    path: str = ""
    title: str | None = None
    publisher: str | None = None
    published_inferred: bool = False
    encoding: str = "utf-8"
    sha256: str = ""


def frame(name: str, rows: list[dict[str, Any]]):
    """A DataFrame with exactly the columns and dtypes of table ``name``."""
    import pandas as pd

    # One typed array per column: an object frame from row dicts followed by astype costs several
    # times the extraction itself (benchmarks/profile_extract.py --what tables).
    return pd.DataFrame({
        column: pd.array([row[column] for row in rows], dtype=dtype) for column, dtype in COLUMNS[name].items()
    })


def build_tables(source: Any) -> dict[str, Any]:
    """Every table for one report. ``source`` needs ``doc_id``, ``text`` and ``published``.

    >>> t = build_tables(TextSource("demo", "广东：就业　　截至9月底，广东新增就业120万人。", date(2021, 12, 1)))
    >>> t["figures"][["province", "value", "unit", "as_of"]].values.tolist()
    [['广东', 1200000.0, '人', '2021-09-30']]
    """
    text = source.text
    published, inferred = source.published, bool(source.published_inferred)
    if published is None:
        published, inferred = infer_published(normalize(text)), True
    seg = segment(text)
    sentence_province = _sentence_provinces(text, seg)

    # Rows are turned into typed frames every PIECE_ROWS mentions, so a very large report never
    # holds more than that many Python row objects at once (typed columns are far more compact).
    rows: dict[str, list] = {"figures": [], "dates": [], "mentions": []}
    pieces: dict[str, list] = {name: [] for name in rows}
    n_mentions = n_figures = 0
    for m in iter_extract(text, published):
        rows["mentions"].append({
            "doc_id": source.doc_id, "mention": n_mentions, "span_start": m.start, "span_end": m.end,
            "surface": m.surface, "disposition": m.disposition, "reason": m.reason,
        })
        n_mentions += 1
        sentence = seg.sentence_at(m.start)
        s_index = sentence.index if sentence else -1
        where = {
            "doc_id": source.doc_id,
            "province": sentence_province[s_index] if sentence else "",
            "section": sentence.section if sentence else 0,
            "sentence": s_index,
            "span_start": m.start, "span_end": m.end, "surface": m.surface,
        }
        if m.disposition == "figure":
            rows["figures"].append({
                **where, "figure": n_figures, "value": _float(m.value), "value_high": _float(m.value_high),
                "unit": m.unit, "unit_kind": m.unit_kind, "qualifier": m.qualifier, "as_of": m.as_of,
                "cumulative": m.cumulative, "subject": m.subject,
                "sentence_text": _context(text, sentence.start, sentence.end, m.start, m.end) if sentence else "",
            })
            n_figures += 1
        elif m.disposition == "date":
            rows["dates"].append({
                **where, "date": m.date,
                "date_start": m.date_start.isoformat() if m.date_start else "",
                "date_end": m.date_end.isoformat() if m.date_end else "", "role": m.role,
            })
        if len(rows["mentions"]) >= PIECE_ROWS:
            _flush(rows, pieces)
    _flush(rows, pieces)

    sections = [
        {"doc_id": source.doc_id, "section": s.index, "province": s.province, "heading": s.heading,
         "span_start": s.start, "span_end": s.end}
        for s in seg.sections
    ]
    sentence_pieces = [
        frame("sentences", [
            {"doc_id": source.doc_id, "sentence": s.index, "section": s.section, "paragraph": s.paragraph,
             "province": sentence_province[s.index], "span_start": s.start, "span_end": s.end,
             "text": text[s.start:s.end]}
            for s in seg.sentences[first:first + PIECE_ROWS]
        ])
        for first in range(0, max(len(seg.sentences), 1), PIECE_ROWS)
    ]
    title = source.title or (text[seg.title.start:seg.title.end] if seg.title else "")
    document = {
        "doc_id": source.doc_id, "path": str(source.path), "title": title, "publisher": source.publisher or "",
        "published": published.isoformat() if published else "",
        "published_inferred": inferred and published is not None, "encoding": source.encoding,
        "sha256": source.sha256, "n_chars": len(text), "n_sections": len(seg.sections),
        "n_sentences": len(seg.sentences), "n_mentions": n_mentions, "n_figures": n_figures,
    }
    return {
        "documents": frame("documents", [document]),
        "sections": frame("sections", sections),
        "sentences": _concat(sentence_pieces),
        "figures": _concat(pieces["figures"]),
        "dates": _concat(pieces["dates"]),
        "mentions": _concat(pieces["mentions"]),
    }


PIECE_ROWS = 50_000


def _flush(rows: dict[str, list], pieces: dict[str, list]) -> None:
    """Turn the rows gathered so far into typed frames; the first piece is kept even when empty."""
    for name, gathered in rows.items():
        if gathered or not pieces[name]:
            pieces[name].append(frame(name, gathered))
        rows[name] = []


def _concat(pieces: list):
    import pandas as pd

    if len(pieces) == 1:
        return pieces[0]
    return pd.concat([p for p in pieces if len(p)] or pieces[:1], ignore_index=True)


def _sentence_provinces(text: str, seg: Segmented) -> list[str]:
    """The province each sentence speaks for: its section's, else the one its paragraph names alone."""
    by_paragraph: dict[int, str] = {}
    out = []
    for s in seg.sentences:
        province = seg.sections[s.section].province
        if not province:
            if s.paragraph not in by_paragraph:
                para = seg.paragraphs[s.paragraph]
                named = find_provinces(text[para.start:para.end])
                by_paragraph[s.paragraph] = named[0] if len(named) == 1 else ""
            province = by_paragraph[s.paragraph]
        out.append(province)
    return out


CONTEXT_MAX = 300  # a figure's sentence_text is its sentence, or this much of it around the figure


def _context(text: str, start: int, end: int, span_start: int, span_end: int) -> str:
    """The sentence around a figure, cut to CONTEXT_MAX characters centred on it.

    Cutting keeps the figures table linear in the size of the input even when a text has no full
    stops (a run-on table or a scraped page), where every figure would otherwise repeat the whole text.
    """
    if end - start <= CONTEXT_MAX:
        return text[start:end]
    half = (CONTEXT_MAX - (span_end - span_start)) // 2
    lo = max(start, span_start - half)
    hi = min(end, lo + CONTEXT_MAX)
    lo = max(start, hi - CONTEXT_MAX)
    return ("…" if lo > start else "") + text[lo:hi] + ("…" if hi < end else "")


def _float(value) -> float:
    return float(value) if value is not None else float("nan")
