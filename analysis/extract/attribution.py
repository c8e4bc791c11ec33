"""Whose each figure is: its province (several for 广东、江苏、山东三省) and the finest place named for it.

The place of a figure comes from the strongest source that names one:

1. its table row: the row label, else the column header (大连 -> 辽宁, 西 藏 -> 西藏, 全国 -> national);
2. its own words: the names between the previous figure of its sentence (or the sentence's start) and
   the figure (广东新增就业120万人，江苏100万人); 全国 makes it national, 全省 or 全市 the report's own;
3. the figure before it in its sentence (…，增长5.2%);
4. the nearest sentence before it in its paragraph that names a place;
5. a place line above it: a heading that is a place name (（三）南京市), or the label line of a table
   printed one cell a line;
6. its section's heading (吉林：…);
7. the report: its title, a dateline (新华网福州10月29日电), the short lines under the title and the lead
   (——在湖北省第十三届人民代表大会第六次会议上), or else the province most of the names of its head are in.

A name of several namesakes is decided by the places around it, never guessed (:mod:`analysis.extract.places`).
Everything here reads the text through :func:`analysis.extract.places.place_text`; offsets are the text's.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from analysis.extract.divisions import division_of_label, province_divisions
from analysis.extract.normalize import normalize
from analysis.extract.places import NATIONAL, NATIONWIDE, NOWHERE, Hit, Place, find, place_text, resolve
from analysis.extract.segment import Section, Segmented, Sentence, Sentences, segment

_DATELINE_REACH = 1000  # a dateline opens the report
_HEAD_LINE_MAX = 80  # a line under the title (——在…会议上, 宁波市统计局) is short and no sentence
_CELL_LINE_MAX = 40  # a cell of a table printed one cell a line
_HEAD_LINES = 4  # lines under the title before the lead: ——在…会议上, the issuing office, a date
_TABLE_LINE = re.compile(r"\|.*|.*\|.*\||.*(?:\t|  |\u3000\u3000).*")  # a table's row or | line
_SENTENCE_END = re.compile(r"[。！？!?；;]")
# what may stand around a place name on a line of its own: numbering, brackets, decorations, a colon
_LINE_DECORATION = re.compile(r"^[\s【\[■●◆▲★□◇·]*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])?"
                              r"\s*(?P<name>.*?)[\s】\]：:]*$")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部章节])")
_NUMERAL = re.compile(r"\d")
_NATIONAL_LABELS = frozenset({"全国", "全国合计", "全国总计", "总计（全国）"})
_DOMINANT_SHARE, _DOMINANT_MIN = 0.6, 3
_CAPITAL = "北京"
HEAD = 20_000  # the report's place is read from this many characters at its start
_RESPECTIVELY = "分别"


class Attribution:
    """The places of one report's figures and sentences, read window by window (:mod:`analysis.extract.windows`).

    ``titles``: titles given from outside the text (the provenance sidecar's). Call :meth:`window` for
    each window with its segments, then :meth:`figure` for its figures in text order and
    :meth:`sentence` for its sentences.
    """

    def __init__(self, titles: Iterable[str | None] = ()):
        self.titles = [t for t in titles if t]
        self.document: Place | None = None
        self.sections: dict[int, Place] = {}
        self._line: Place | None = None  # the place line in force
        self._line_headed = False  # a heading (its place holds over prose) or a table's label line
        self._section = -1
        self._norm = ""
        self._base = 0
        self._hits: list[Hit] = []
        self._starts: list[int] = []
        self._outer: dict[int, tuple[Place, Place]] = {}  # paragraph -> its outer places (see _paragraph_places)
        self._sentences: Sentences = Sentences()
        self._named: dict[int, Place] = {}  # sentence -> the place its words name, if any
        self._last = (-1, 0, NOWHERE)  # the previous figure: its sentence, end, place
        # the places of an A、B分别… list: (sentence, where 分别 is), the places, figures given one so far
        self._listed: tuple[tuple[int, int], list[Place], int] | None = None

    # -- windows ---------------------------------------------------------------------------------------
    def head(self, text: str) -> None:
        """Read the place the report is about from its head, the first :data:`HEAD` characters of its text.

        Called before the first window, so the report's place does not depend on how the text is cut.
        """
        head = text[:HEAD]
        norm = place_text(normalize(head))
        hits = find(norm)
        self.document = self._document(norm, hits, segment(head))

    def window(self, text: str, base: int, seg: Segmented, norm: str | None = None) -> None:
        """Read one window: ``text`` begins at offset ``base`` of the report, ``seg`` are its segments;
        ``norm``: ``normalize(text)``, if the caller has it already."""
        norm = place_text(normalize(text) if norm is None else norm)
        self._norm, self._base = norm, base
        self._hits = find(norm)
        self._starts = [h.start for h in self._hits]
        self._sentences = seg.sentences
        self._named = {}
        if self.document is None:  # the hits' offsets into the report (the same hits in the first window)
            hits = self._hits if base == 0 else [replace(h, start=h.start + base, end=h.end + base) for h in self._hits]
            self.document = self._document(norm, hits, seg)
        for section in seg.sections:
            if section.index not in self.sections:
                self.sections[section.index] = self._section_place(section)
        self._outer = self._paragraph_places(seg)

    def _between(self, start: int, end: int) -> list[Hit]:
        """The hits inside ``[start, end)`` of the report."""
        lo, hi = start - self._base, end - self._base
        at = bisect_left(self._starts, lo)
        found = []
        while at < len(self._hits) and self._hits[at].start < hi:
            if self._hits[at].end <= hi:
                found.append(self._hits[at])
            at += 1
        return found

    def _document(self, norm: str, hits: list[Hit], seg: Segmented) -> Place:
        """The place the report is about, from its title, dateline, head lines, lead, or its names' majority.

        ``hits`` and ``seg`` have offsets into the report; ``norm`` is its text from offset 0 (its head).
        """
        starts = [h.start for h in hits]

        def between(start: int, end: int) -> list[Hit]:
            return [h for h in hits[bisect_left(starts, start):] if h.end <= end]

        titles = [find(place_text(normalize(t))) for t in self.titles]
        if seg.title is not None:
            titles.append(between(seg.title.start, seg.title.end))
        title = resolve([h for found in titles for h in found])
        if title.national or len(title.provinces) > 1:
            return NOWHERE if len(title.provinces) > 1 else NATIONWIDE
        if title.provinces:
            return title
        filed = [replace(h, dateline=False) for h in hits if h.dateline and h.start < _DATELINE_REACH]
        if filed:
            found = resolve(filed[:1])
            national = any(h.scope == NATIONAL for h in hits if h.start < _DATELINE_REACH * 2)
            # 新华社北京…电 opens most national news: with 全国 near it, the capital is only where it was filed
            if len(found.provinces) == 1 and not (national and found.provinces == (_CAPITAL,)):
                return found
        head, lead = [], []
        lines = 0
        for para in seg.paragraphs:
            if seg.title is not None and para.start < seg.title.end:
                continue
            body = norm[para.start:para.end]
            if _TABLE_LINE.fullmatch(body.strip()):
                break  # a table starts: its rows are no head lines
            if len(body) <= _HEAD_LINE_MAX and not _SENTENCE_END.search(body):
                lines += 1
                if lines > _HEAD_LINES:
                    break
                head.extend(between(para.start, para.end))
                continue
            lead = between(para.start, para.end)
            break
        for found_hits in (head, lead):
            found = resolve(found_hits)
            if len(found.provinces) == 1:
                return found
            if found.national and found_hits is lead:
                return NATIONWIDE
        return _dominant(hits)

    def _section_place(self, section: Section) -> Place:
        """The place a section's heading names; the report's when it names none."""
        document = self.document or NOWHERE
        if not section.heading:
            return document
        found = resolve(self._between(section.start, section.start + len(section.heading)), document)
        if found.decided:
            return found
        if section.province and section.province not in document.provinces and section.index:
            return Place((section.province,), province_divisions()[section.province])
        return document

    def _paragraph_places(self, seg: Segmented) -> dict[int, tuple[Place, Place]]:
        """Each paragraph's outer places: for prose (the place line in force, else its section's, else the
        report's) and for table cells (only a heading's place line: a table's own label lines do not count)."""
        out: dict[int, tuple[Place, Place]] = {}
        if not seg.sentences:
            return out
        first = seg.sentences.paragraphs[0]
        sections = dict(zip(seg.sentences.paragraphs, seg.sentences.sections))  # the lists, no object a sentence
        norm, base = self._norm, self._base
        for number, para in enumerate(seg.paragraphs):
            index = first + number
            section = sections.get(index, self._section)
            if section != self._section:
                self._section, self._line = section, None
            outer = self.sections.get(section, self.document or NOWHERE)
            body = norm[para.start - base:para.end - base]
            line = self._place_line(body, outer)
            if line is not None:
                self._line = line
                self._line_headed = bool(_NUMBERED.match(body)) or body.rstrip().endswith(("：", ":"))
            elif _NUMBERED.match(body) and len(body) <= _HEAD_LINE_MAX:
                self._line = None  # a heading of its own ends the place line's part
            elif not self._line_headed and (len(body) > _CELL_LINE_MAX or _SENTENCE_END.search(body)
                                            or not _NUMERAL.search(body)):
                self._line = None  # prose after a table printed one cell a line, or the next row's label (合计)
            line = self._line
            out[index] = (line or outer, line if line is not None and self._line_headed else outer)
        return out

    @staticmethod
    def _place_line(body: str, outer: Place) -> Place | None:
        """The place a line names when it holds nothing but a place name (（三）南京市, 西 藏, 【宁波】)."""
        if len(body) > 24:
            return None
        name = _LINE_DECORATION.match(body).group("name")
        if not name or len(name) > 16:
            return None
        province = outer.provinces[0] if len(outer.provinces) == 1 else ""
        found = division_of_label(name, province, outer.division)
        if found is None:
            return None
        return Place((found.province,), found)

    # -- figures and sentences ----------------------------------------------------------------------
    def _outer_of(self, sentence: Sentence | None, table: bool = False) -> Place:
        document = self.document or NOWHERE
        if sentence is None:
            return document
        found = self._outer.get(sentence.paragraph)
        return document if found is None else found[table]

    def _words_of(self, sentence: Sentence, outer: Place) -> Place:
        """The place a sentence's own words name (decided), else NOWHERE."""
        found = self._named.get(sentence.index)
        if found is None:
            hits = self._between(sentence.start, sentence.end)
            found = resolve(hits, outer) if hits else NOWHERE
            found = found if found.decided else NOWHERE
            self._named[sentence.index] = found
        return found

    def _paragraph(self, sentence: Sentence, outer: Place) -> Place:
        """The nearest sentence before ``sentence`` in its paragraph that names a place; else ``outer``."""
        sentences = self._sentences
        at = sentence.index - sentences.first - 1
        while at >= 0 and sentences.paragraphs[at] == sentence.paragraph:
            found = self._words_of(self._sentences[at], outer)
            if found.decided:
                return found
            at -= 1
        return outer

    def sentence(self, sentence: Sentence) -> Place:
        """The place a sentence speaks for: its own words', else its paragraph's, line's, section's or the report's."""
        outer = self._outer_of(sentence)
        hits = self._between(sentence.start, sentence.end)
        if not hits:
            return self._paragraph(sentence, outer)
        found = resolve(hits, outer)
        if found.decided:
            return found
        if found.own:
            return _own(found, outer)
        return self._paragraph(sentence, outer)

    def figure(self, start: int, end: int, sentence: Sentence | None, row_label: str = "",
               column_header: str = "") -> Place:
        """The place of the figure at ``[start, end)``; ``row_label`` and ``column_header`` for a table cell."""
        outer = self._outer_of(sentence, table=bool(row_label or column_header))
        found = self._label(row_label, outer) or self._label(column_header, outer)
        if found is None and sentence is not None:
            index, last_end, last = self._last
            same = index == sentence.index
            hits = self._between(last_end if same else sentence.start, start)
            own = resolve(hits, outer) if hits else NOWHERE
            listed = self._respectively(start, sentence, hits, outer)
            if listed is not None:
                found = listed
            elif own.decided:
                found = own
            elif own.own:
                found = _own(own, outer)
            elif same and last.decided:
                found = last
            else:
                found = self._paragraph(sentence, outer)
        if found is None:
            found = outer
        if sentence is not None:
            self._last = (sentence.index, end, found)
        return found

    def _respectively(self, start: int, sentence: Sentence, hits: list[Hit], outer: Place) -> Place | None:
        """The place of a figure in an A、B、C分别为x、y、z list: the n-th figure after 分别 is the n-th place's.

        ``hits``: the names between the previous figure (or the sentence's start) and this one; the list holds
        when two or more places are named before 分别 and none after it. Names written together
        (南京市江宁区) are one place; figures past the list's length go round again (分别新增…和…，增长…和…).
        """
        norm, base = self._norm, self._base
        at = norm.rfind(_RESPECTIVELY, sentence.start - base, start - base)
        if at < 0:
            return None
        at += base
        key = (sentence.index, at)
        if self._listed is None or self._listed[0] != key:
            places = []
            group: list[Hit] = []
            for hit in self._between(sentence.start, at):
                if hit.weak:  # a county's short name (新建, 南部) is too often a word to open a place
                    continue
                if group and hit.start > group[-1].end:
                    places.append(resolve(group, outer))
                    group = []
                group.append(hit)
            if group:
                places.append(resolve(group, outer))
            places = [p for p in places if p.decided]
            self._listed = (key, places if len(places) > 1 else [], 0)
        key, places, count = self._listed
        if not places or any(h.start > at and not h.weak for h in hits):  # a place named after 分别 speaks for itself
            return None
        self._listed = (key, places, count + 1)
        return places[count % len(places)]

    def _label(self, label: str, outer: Place) -> Place | None:
        """The place a table's row label or column header names, None if it names none."""
        label = label.strip()
        if not label:
            return None
        if label.replace(" ", "").replace("\u3000", "") in _NATIONAL_LABELS:
            return NATIONWIDE
        province = outer.provinces[0] if len(outer.provinces) == 1 else ""
        found = division_of_label(place_text(normalize(label)), province, outer.division)
        if found is None:
            return None
        return Place((found.province,), found)


def _dominant(hits: list[Hit]) -> Place:
    """The province most of the names are in, if it has most of them (a report about one place)."""
    named = Counter()
    for hit in hits:
        if hit.candidates and not hit.weak and not hit.objective:
            provinces = {d.province for d in hit.candidates}
            if len(provinces) == 1:
                named[provinces.pop()] += 1
    if not named:
        return NOWHERE
    province, count = named.most_common(1)[0]
    if count >= _DOMINANT_MIN and count >= _DOMINANT_SHARE * sum(named.values()):
        return Place((province,), province_divisions()[province])
    return NOWHERE


def _own(found: Place, outer: Place) -> Place:
    """The outer place for 全省 (at the province's level) or 全市, 全县 (as the report says)."""
    if not outer.decided:
        return outer
    return outer.at_level(0) if "省" in found.own else outer
