"""Split a report into title, sections (by province headings), paragraphs and sentences.

All spans are ``[start, end)`` offsets into the text given, so they point into the decoded original.
Reports of this genre separate paragraphs with runs of U+3000 (ideographic space) or line breaks,
head each province's part with ``吉林：…`` or numbered headings ``一、…``, or have no headings and name
one province in the title; all are handled here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from analysis.extract.provinces import find_provinces, name_pattern, short_names

_PARAGRAPH_BREAK = re.compile(r"[ \t\u3000\xa0]*(?:\r\n|\r|\n)[ \t\u3000\xa0\r\n]*|\u3000{2,}")
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|……(?=[”’」』]?[^，,；;])")
_NUMBERED_HEADING = re.compile(r"(?:[一二三四五六七八九十]+[、.．]|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+(?:部分|章|节)\s*)")
_HEADING_LEAD = re.compile(r"[【\[■●◆▲★□◇·\s]*")  # decorations before a heading's province name
# a cell holding only a number after a table's column gap (tabs, spaces, ideographic spaces or a pipe)
_TABLE_ROW = re.compile(r"(?:\t|[ \u3000]{2,}|\u3000|\|)\s*[-+]?\d[\d.,]*%?(?=\s|\||$)")
_TITLE_MAX = 120
_HEADING_MAX = 50
# The longest sentence, in UTF-16 code units: the most text a spreadsheet cell holds (Excel's 32,767
# characters, which it counts in UTF-16). A longer run with no full stop (a one-line scraped page, a
# table flattened into prose) is cut into sentences this long, at a clause break where there is one,
# so sentences.text opens in Excel and each piece still is text[span_start:span_end].
# tests/test_segment.py keeps it equal to analysis.tables.contract.CSV_MAX_CELL.
SENTENCE_MAX = 32_767
_CLAUSE_BREAK = re.compile(r"[，,；;、：:）)\s]")
_DIGIT = re.compile(r"[0-9０-９.,．%％]")


class Span(NamedTuple):
    # a tuple, not a frozen dataclass: a report has a span per paragraph and sentence piece, and a
    # tuple is made several times faster
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    index: int
    start: int
    end: int
    heading: str
    province: str


class Sentence(NamedTuple):
    index: int
    start: int
    end: int
    section: int
    paragraph: int


class Sentences(Sequence):
    """The sentences of a piece of text as four plain integer lists, numbered from ``first``.

    One object per sentence cost more than finding the sentences (a frozen dataclass each: 0.39 s of
    ``extract`` on 1.74 M characters); most sentences are never looked at one by one (``extract``
    reads only those holding a figure). An item is a :class:`Sentence` made when asked for.
    ``tests/test_lean_core.py`` holds :meth:`at` to a scan of the sentences one by one.
    """

    __slots__ = ("first", "starts", "ends", "sections", "paragraphs")

    def __init__(self, first: int = 0):
        self.first = first
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.sections: list[int] = []
        self.paragraphs: list[int] = []

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        if at < 0:
            at += len(self.starts)
        return Sentence(self.first + at, self.starts[at], self.ends[at], self.sections[at], self.paragraphs[at])

    def __iter__(self) -> Iterator[Sentence]:
        first = self.first
        for at, (start, end, section, paragraph) in enumerate(zip(self.starts, self.ends, self.sections,
                                                                 self.paragraphs)):
            yield Sentence(first + at, start, end, section, paragraph)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (Sentences, list)) else NotImplemented

    def at(self, position: int) -> Sentence | None:
        """The sentence containing ``position``: the first ending after it, if it starts at or before it."""
        at = bisect_right(self.ends, position)
        if at < len(self.starts) and self.starts[at] <= position:
            # self[at] without __getitem__'s tests: asked once a figure
            return Sentence(self.first + at, self.starts[at], self.ends[at], self.sections[at], self.paragraphs[at])
        return None


@dataclass
class Segmented:
    title: Span | None
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    sentences: Sentences = field(default_factory=Sentences)

    def sentence_at(self, position: int) -> Sentence | None:
        """The sentence containing ``position`` (binary search)."""
        return self.sentences.at(position)


def paragraphs(text: str) -> list[Span]:
    """Non-empty paragraphs, stripped of surrounding whitespace."""
    spans = []
    start = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.append(Span(start, brk.start()))
        start = brk.end()
    spans.append(Span(start, len(text)))
    return [s for s in (_strip(text, s) for s in spans) if s.end > s.start]


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _is_title(text: str, span: Span) -> bool:
    body = text[span.start:span.end]
    return len(body) <= _TITLE_MAX and not re.search(r"[。！？!?]", body)


def heading_province(text: str, span: Span) -> tuple[bool, str, int]:
    """Whether a paragraph opens a section; its province and where its heading ends."""
    body = text[span.start:span.end]
    if _TABLE_ROW.search(body):  # 北京  1200  1136 is a row of a table, not the start of 北京's part
        return False, "", span.start
    lead = _HEADING_LEAD.match(body).end()
    named = name_pattern().match(body, lead)
    if named:
        rest = body[named.end():named.end() + 3]
        colon = re.match(r"(?:省|市|自治区)?(?:[：:】\]]|\s)", rest) or (lead and len(body) <= _HEADING_MAX)
        if colon:
            end = body.find("。")
            heading_end = span.end if end < 0 else span.start + end + 1
            return True, short_names()[named.group()], heading_end
    if _NUMBERED_HEADING.match(body) and len(body) <= _HEADING_MAX and "。" not in body[:-1]:
        provinces = find_provinces(body)
        return True, provinces[0] if provinces else "", span.end
    return False, "", span.start


def sentences_of(text: str, span: Span) -> list[Span]:
    """Sentence spans inside one paragraph."""
    out = []
    start = span.start
    for end in _SENTENCE_END.finditer(text, span.start, span.end):
        out.append(Span(start, end.end()))
        start = end.end()
    if start < span.end:
        out.append(Span(start, span.end))
    out = [s for s in (_strip(text, s) for s in out) if s.end > s.start]
    if any(s.end - s.start > SENTENCE_MAX // 2 for s in out):  # only then can one exceed the limit
        out = [piece for s in out for piece in _within_limit(text, s)]
    return out


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """:func:`sentences_of` for the paragraph ``[start, end)`` as plain tuples, for the segmenter.

    Speed trick (no Span and no strip call a sentence): a paragraph is stripped, and each sentence
    but the last ends with a full stop, so every piece ends with a character that is no space and
    holds one; only its leading spaces are to be skipped. A paragraph long enough for a sentence to
    need cutting is left to :func:`sentences_of`. ``tests/test_lean_core.py`` holds it to it.
    """
    if end - start > SENTENCE_MAX // 2:
        return [tuple(s) for s in sentences_of(text, Span(start, end))]
    out = []
    for stop in _SENTENCE_END.finditer(text, start, end):
        stop = stop.end()
        while text[start].isspace():
            start += 1
        out.append((start, stop))
        start = stop
    if start < end:
        while text[start].isspace():
            start += 1
        out.append((start, end))
    return out


def _units(text: str, start: int, end: int) -> int:
    """Length of ``text[start:end]`` in UTF-16 code units (a character beyond U+FFFF counts two)."""
    return len(text[start:end].encode("utf-16-le")) // 2


def _within_limit(text: str, span: Span) -> list[Span]:
    """``span`` cut into sentences of at most SENTENCE_MAX UTF-16 units: after the last clause break
    in the second half of each piece, else not inside a number, else at the limit."""
    out = []
    start = span.start
    while _units(text, start, span.end) > SENTENCE_MAX:
        limit = min(start + SENTENCE_MAX, span.end)
        while (excess := _units(text, start, limit) - SENTENCE_MAX) > 0:
            limit -= max(1, excess // 2)
        cut = limit
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, start + SENTENCE_MAX // 2, limit)]
        if breaks:
            cut = breaks[-1]
        else:
            while cut > limit - 64 and _DIGIT.match(text, cut - 1) and _DIGIT.match(text, cut):
                cut -= 1
            if cut == limit - 64:
                cut = limit
        piece = _strip(text, Span(start, cut))
        if piece.end > piece.start:
            out.append(piece)
        start = cut
    last = _strip(text, Span(start, span.end))
    if last.end > last.start:
        out.append(last)
    return out


def segment(text: str) -> Segmented:
    """Title, sections, paragraphs and sentences of one report.

    >>> seg = segment("四川：办实事　　截至目前，四川完成3万件。")
    >>> [(s.index, s.province, s.heading) for s in seg.sections]
    [(0, '', ''), (1, '四川', '四川：办实事')]
    """
    segmenter = Segmenter()
    result = segmenter.feed(text)
    result.sections = [*result.sections[:-1], *segmenter.close(len(text))]
    return result


class Segmenter:
    """:func:`segment` for a text that arrives in pieces cut at line breaks (see analysis.extract.windows).

    ``feed(piece, base)`` segments one piece, where ``base`` is the piece's offset in the whole
    text; spans come back as offsets into the whole text and numbering continues across pieces. Its
    ``sections`` are those the piece touched: all closed but the last, which stays open (its end is
    provisional) until a later heading closes it or :meth:`close` ends the text.
    """

    def __init__(self) -> None:
        self.paragraphs = 0
        self.sentences = 0
        self.title: Span | None = None
        self.default_province = ""
        self.open: Section | None = None  # the section the text is in now

    def feed(self, text: str, base: int = 0) -> Segmented:
        paras = paragraphs(text)
        result = Segmented(title=None, paragraphs=[Span(p.start + base, p.end + base) for p in paras])
        first_body = 0
        if self.open is None:  # the first piece with text: the report's title and section 0
            if not paras:
                return result
            if paras and _is_title(text, paras[0]) and not heading_province(text, paras[0])[0]:
                self.title = Span(paras[0].start + base, paras[0].end + base)
                first_body = 1
            title_provinces = find_provinces(text[paras[0].start:paras[0].end]) if first_body else []
            self.default_province = title_provinces[0] if len(title_provinces) == 1 else ""
            self.open = Section(0, 0, base + len(text), "", self.default_province)
        result.title = self.title

        sections = [self.open]
        # the section each paragraph opens, if any
        opened: dict[int, int] = {}
        for number, para in enumerate(paras):
            if number < first_body:
                continue
            opens, province, heading_end = heading_province(text, para)
            if opens:
                previous = sections[-1]
                sections[-1] = Section(previous.index, previous.start, para.start + base, previous.heading,
                                       previous.province)
                heading = text[para.start:heading_end].rstrip("。")
                # a numbered heading that names no province stays with the province of the part it is in
                province = province or previous.province or self.default_province
                sections.append(Section(previous.index + 1, para.start + base, base + len(text), heading, province))
                opened[number] = len(sections) - 1
        self.open = sections[-1]
        result.sections = sections

        at = 0  # position in ``sections`` of the section the paragraph is in
        found = result.sentences = Sentences(self.sentences)
        starts, ends, in_section, in_paragraph = found.starts, found.ends, found.sections, found.paragraphs
        for number, para in enumerate(paras):
            at = opened.get(number, at)
            section = sections[at].index
            paragraph = self.paragraphs + number
            spans = _sentence_spans(text, para.start, para.end)
            for start, end in spans:
                starts.append(start + base)
                ends.append(end + base)
            in_section.extend([section] * len(spans))
            in_paragraph.extend([paragraph] * len(spans))
        self.sentences += len(starts)
        self.paragraphs += len(paras)
        return result

    def close(self, length: int) -> list[Section]:
        """The last section, ended at ``length``, the length of the whole text."""
        if self.open is None:
            return [Section(0, 0, length, "", "")]
        return [Section(self.open.index, self.open.start, length, self.open.heading, self.open.province)]
