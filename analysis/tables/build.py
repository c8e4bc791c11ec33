"""Pure builders from one decoded report to tidy pandas tables with explicit dtypes.

``build_tables(source)`` returns ``documents``, ``sections``, ``sentences``, ``figures``, ``dates`` and
``mentions`` for one report; rows are in text order. Columns and types are the table contract's
(:mod:`analysis.tables.contract`); for users they are described in data/clean/README.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis.extract import windows
from analysis.extract.dates import (
    infer_published,
    published_clues,
    published_from_clues,
)
from analysis.extract.attribution import HEAD, Attribution
from analysis.extract.figures import TableFigure, WindowExtractor
from analysis.extract.normalize import normalize
from analysis.extract.segment import Segmenter
from analysis.raw.pages import page_at
from analysis.tables import contract
from analysis.tables.frames import frame


@dataclass(frozen=True)
class TextSource:
    """The minimum :func:`build_tables` needs; :class:`analysis.raw.report.Source` has these and more."""

    doc_id: str
    text: str
    published: date | None = None
    path: str = ""
    recorded_path: str = ""  # documents.path, if not str(path)
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published_inferred: bool = False
    encoding: str = "utf-8"
    sha256: str = ""
    format: str = "text"
    page_starts: tuple[int, ...] = ()  # where each page starts in text (analysis.raw.pages)


def build_tables(source: Any) -> dict[str, Any]:
    """Every table for one report. ``source`` needs ``doc_id``, ``text`` and ``published``.

    >>> t = build_tables(TextSource("demo", "广东：就业　　截至9月底，广东新增就业120万人。", date(2021, 12, 1)))
    >>> t["figures"][["province", "value", "unit", "as_of"]].values.tolist()
    [['广东', 1200000.0, '人', '2021-09-30']]
    """
    pieces = list(iter_tables(source))
    return {name: stack([piece[name] for piece in pieces]) for name in contract.EXTRACTED_TABLES}


def iter_tables(source: Any, window_size: int | None = None,
                progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """:func:`build_tables` in pieces, one per window of text (:mod:`analysis.extract.windows`).

    Each piece has all six tables; concatenating the pieces table by table gives ``build_tables``.
    A section appears in the piece where it ends, the ``documents`` row in the last piece. Memory is
    set by the window size, so a report of any size can be written out piece by piece. The text comes
    from ``source.chunks()`` when the source has it (a large file streamed from disk), else from
    ``source.text``. ``progress``, if given, is called with the number of characters each window
    adds, after the window's piece is yielded.
    """
    for rows in iter_rows(source, window_size, progress):
        yield {name: frame(name, table_rows) for name, table_rows in rows.items()}


def frames_of(pieces: list[dict[str, list]]) -> dict[str, Any]:
    """One typed DataFrame per table from the row pieces of :func:`iter_rows` (of one report or many).

    Building frames costs about 20 µs a column, more than extracting a short report: a caller
    writing many reports gathers their rows and builds the frames once per batch.
    """
    return {name: frame(name, [row for piece in pieces for row in piece[name]]) for name in contract.EXTRACTED_TABLES}


def iter_rows(source: Any, window_size: int | None = None,
              progress: Callable[[int], None] | None = None,
              tables: Collection[str] = contract.EXTRACTED_TABLES) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """:func:`iter_tables` with each piece's tables as lists of row dicts (see :func:`frames_of`).

    ``tables``: the tables to build (the others' rows are not made and their keys are left out of
    the pieces). Without ``sentences``, a piece with figures also has ``sentence_starts``: the
    start of each sentence that holds a figure, by number, which is all the figures need of them
    (:func:`analysis.tables.context.texts_from`); ``extract`` builds only figures this way.
    """
    want_mentions, want_dates = "mentions" in tables, "dates" in tables
    want_sentences, want_sections = "sentences" in tables, "sections" in tables
    window_size = window_size or windows.SIZE
    published, inferred = source.published, bool(source.published_inferred)
    whole_norm = None  # the whole text normalised, when it is at hand: each window's is a slice of it
    if published is None:
        published, whole_norm = _infer_published(source, window_size)
        inferred = True
    segmenter = Segmenter()
    extractor = WindowExtractor(published, inferred)
    attribution = Attribution([source.title])
    if getattr(source, "chunks", None) is not None or len(source.text) > window_size:
        attribution.head(_head(source))  # else the one window is the whole text: it reads the report's place
    doc_id = source.doc_id
    title = source.title or None
    page_starts = tuple(getattr(source, "page_starts", ()))
    n_chars = n_sentences = n_mentions = n_figures = 0
    for window in windows.windows(_chunks(source), window_size):
        text, base = window.text, window.start
        # normalised once per window (once per report when it was for the publication date): the
        # extractor and the places read the same normalised text
        norm = whole_norm[base:base + len(text)] if whole_norm is not None else normalize(text)
        seg = segmenter.feed(text[window.lo:window.hi], base + window.lo)
        if title is None and seg.title is not None:
            title = text[seg.title.start - base:seg.title.end - base]
        attribution.window(text, base, seg, norm)
        # a sentence's place is for the sentences and dates tables: figures find their own
        sentence_province = ({s.index: attribution.sentence(s).province for s in seg.sentences}
                             if want_sentences or want_dates else {})
        figures, dates, mentions = [], [], []
        sentence_starts: dict[int, int] = {}
        for m in extractor.extract(text, base, window.lo, window.hi, window.final, norm):
            if want_mentions:
                mentions.append({
                    "doc_id": doc_id, "mention": n_mentions, "span_start": m.start, "span_end": m.end,
                    "surface": m.surface, "disposition": m.disposition, "reason": m.reason,
                })
            n_mentions += 1
            if m.disposition != "figure" and (m.disposition != "date" or not want_dates):
                continue
            sentence = seg.sentence_at(m.start)
            if m.disposition == "figure":
                table_cell = isinstance(m, TableFigure)
                place = attribution.figure(m.start, m.end, sentence, m.row_label if table_cell else "",
                                           m.column_header if table_cell else "")
                division = place.division
                figures.append({
                    "doc_id": doc_id, "province": place.province,
                    "section": sentence.section if sentence else 0, "sentence": sentence.index if sentence else -1,
                    "span_start": m.start, "span_end": m.end, "surface": m.surface,
                    "place": division.name if division else "",
                    "place_code": division.code if division else "", "figure": n_figures, "value": _float(m.value), "value_high": _float(m.value_high),
                    "unit": m.unit, "unit_kind": m.unit_kind, "qualifier": m.qualifier, "measure": m.measure or "level",
                    "as_of": m.as_of, "as_of_kind": m.as_of_kind,
                    "cumulative": m.cumulative, "subject": m.subject,
                    "sentence_text": _context(text, sentence.start - base, sentence.end - base, m.start - base,
                                              m.end - base) if sentence else "",
                    "table": None, "row_label": "", "column_header": "", "total_row": None,
                    "corrected": False,  # until a correction sets it (analysis.tables.corrections)
                    "page": page_at(page_starts, m.start),
                })
                if table_cell:
                    figures[-1].update(table=m.table, row_label=m.row_label, column_header=m.column_header,
                                       total_row=m.total)
                if sentence is not None and not want_sentences:
                    sentence_starts[sentence.index] = sentence.start
                n_figures += 1
            else:
                dates.append({
                    "doc_id": doc_id,
                    "province": sentence_province.get(sentence.index, "") if sentence else "",
                    "section": sentence.section if sentence else 0,
                    "sentence": sentence.index if sentence else -1,
                    "span_start": m.start, "span_end": m.end, "surface": m.surface, "date": m.date,
                    "date_start": m.date_start.isoformat() if m.date_start else "",
                    "date_end": m.date_end.isoformat() if m.date_end else "", "role": m.role,
                })
        n_chars += window.hi - window.lo
        n_sentences += len(seg.sentences)
        piece = {"documents": []}
        if want_sections:
            closed = seg.sections[:-1]  # the last one may go on in the next window
            piece["sections"] = [_section_row(doc_id, s, attribution) for s in closed]
        if want_sentences:
            piece["sentences"] = [
                {"doc_id": doc_id, "sentence": s.index, "section": s.section, "paragraph": s.paragraph,
                 "province": sentence_province[s.index], "span_start": s.start, "span_end": s.end,
                 "text": text[s.start - base:s.end - base]}
                for s in seg.sentences
            ]
        piece.update(figures=figures, dates=dates, mentions=mentions)
        if not want_sentences:
            piece["sentence_starts"] = sentence_starts
        yield {name: rows for name, rows in piece.items() if name in tables or name == "sentence_starts"}
        if progress is not None:
            progress(window.hi - window.lo)
    last = segmenter.close(n_chars)
    if "documents" not in tables and not want_sections:
        return
    document = {
        "doc_id": doc_id, "path": source.recorded_path or str(source.path), "title": title or "",
        "publisher": source.publisher or "", "url": getattr(source, "url", None) or "",
        "published": published.isoformat() if published else "",
        "published_inferred": inferred and published is not None, "format": getattr(source, "format", "text"),
        "encoding": source.encoding, "n_pages": len(page_starts) or None,
        "sha256": source.sha256, "n_chars": n_chars, "n_sections": last[-1].index + 1,
        "n_sentences": n_sentences, "n_mentions": n_mentions, "n_figures": n_figures,
    }
    piece = {
        "documents": [document],
        "sections": [_section_row(doc_id, s, attribution) for s in last] if want_sections else [],
        **{name: [] for name in ("sentences", "figures", "dates", "mentions")},
    }
    yield {name: rows for name, rows in piece.items() if name in tables}


def _chunks(source: Any) -> Iterable[str]:
    chunks = getattr(source, "chunks", None)
    return chunks() if chunks is not None else (source.text,)


def _head(source: Any) -> str:
    """The first ``attribution.HEAD`` characters of the text, read from its chunks if it is streamed."""
    if getattr(source, "chunks", None) is None:
        return source.text[:HEAD]
    parts, size = [], 0
    for chunk in source.chunks():
        parts.append(chunk)
        size += len(chunk)
        if size >= HEAD:
            break
    return "".join(parts)[:HEAD]


def _infer_published(source: Any, window_size: int) -> tuple[date | None, str | None]:
    """``dates.infer_published`` over the whole text, read window by window if it is streamed; and
    the whole text normalised (None if streamed), which the windows then slice instead of
    normalising their text again (normalising is character by character: a slice is the same)."""
    if getattr(source, "chunks", None) is None:
        norm = normalize(source.text)
        return infer_published(norm), norm
    return published_from_clues(
        published_clues(normalize(w.text[w.lo:w.hi])) for w in windows.windows(source.chunks(), window_size)
    ), None


def _section_row(doc_id: str, s, attribution: Attribution) -> dict[str, Any]:
    place = attribution.sections.get(s.index)
    province = place.provinces[0] if place is not None and len(place.provinces) == 1 else ""
    return {"doc_id": doc_id, "section": s.index, "province": province, "heading": s.heading,
            "span_start": s.start, "span_end": s.end}


def stack(pieces: list):
    """One table's pieces (DataFrames of the same columns) as one frame; empty pieces add nothing."""
    import pandas as pd

    kept = [p for p in pieces if len(p)]
    if len(kept) == 1:
        return kept[0]
    return pd.concat(kept or pieces[:1], ignore_index=True)


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
