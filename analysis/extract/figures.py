"""Every numeric token of a text, with its value, unit, qualifier, date scope and disposition.

The scan is one pass over the normalised text (:mod:`analysis.extract.normalize`): a cheap regular expression
finds each run of numeral characters; anchored patterns then decide, in order, whether the run is a
timestamp, a list marker, a date, a code, an ordinal or a name, a word, or a number with a unit. Every
numeral character of the text ends up inside exactly one :class:`Mention` (the ledger invariant), and
every mention's ``surface`` is ``text[start:end]`` of the original text.

>>> [(m.surface, m.value, m.unit, m.qualifier) for m in extract("累计投入超1.8亿元。") if m.disposition == "figure"]
[('1.8亿元', Decimal('180000000'), '元', 'lower_bound')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from analysis.extract import dates as _dates
from analysis.extract.lexicon import NUMERAL_CHARS, Lexicon, load
from analysis.extract.normalize import normalize
from analysis.extract.numerals import exact, multiplier, parse_normalised, parse_number
from analysis.extract.tabular import Cell, TableReader, TableState, might_hold_tables, split_unit

# A numeric token starts at any Arabic digit or Chinese numeral character.
_RUN = re.compile(f"[{NUMERAL_CHARS}][{NUMERAL_CHARS}]*")  # the first class lets search skip ahead fast
_CN = "零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
_GLOSS = r"(?:\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\))"
NUMBER = re.compile(
    rf"""
    (?P<core>(?:\d{{1,3}}(?:[,，]\d{{3}})+|\d+)(?:\.\d+)?
           |[{_CN}]+(?:点[零〇一二三四五六七八九]+)?)
    (?P<in1>[余多几])?
    (?P<mult>\x20?(?:[十百千万亿]{_GLOSS}?)+(?:\d+[千百十万](?:{_GLOSS})?)*)?
    (?P<in2>[余多](?![少种样方元]))?
    """,
    re.VERBOSE,
)
_TIMESTAMP = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?")
_PHONE = re.compile(r"(?:\d{3,4}-)?\d{7,8}(?!\d)|1[3-9]\d{9}(?!\d)")
_LIST_PAREN = re.compile(r"[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]")
_LIST_CN = re.compile(r"[一二三四五六七八九十]{1,3}、")
_LIST_ARABIC = re.compile(r"\d{1,2}[.、](?![\d])")
_GLOSS_RE = re.compile(_GLOSS)
_DANGLING = re.compile(r"[,，.]\d{0,2}\s*$")  # 1,2 or 3. at the very end: cut off mid-number
_RANGE_SEP = re.compile(r"(?:至|到|-)")
_RANGE_FIRST = frozenset("至到-")
_AS_OF = re.compile(r"截[至止]到?(?P<now>目前|当前|现在|今天|日前|发稿时|发稿前|本月|今年)?")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n|\u3000{2,}")  # a table under 单位：… ends here
_TABLE_UNIT = re.compile(r"单位[:：]\s*(?P<mult>[十百千万亿]*)(?P<unit>[^\s，。；,;)）]{0,4})")
_CLAUSE_DELIMS = "，,；;。！？!?：:\n\u3000"
_FOLLOW = re.compile(f"[^{_CLAUSE_DELIMS}、]*")  # the words after a number, up to the clause's end
_LAST_DELIM = re.compile(r"(?s).*[，,；;。！？!?：:\n\u3000]")  # greedy: ends after the last one
# words (or patterns) opening a clause that say nothing of what is counted; each starts with one character
_FILLER_WORDS = (r"截[至止]到?(?:目前|当前|现在)?", "目前", "累计", "共计", "总计", "共", "全省", "全市", "全区", "已经",
                 "已", "其中", "同比", "先后", "还")
_SUBJECT_FILLERS = re.compile("^(?:" + "|".join(_FILLER_WORDS) + ")+")
_FILLER_FIRST = "".join(word[0] for word in _FILLER_WORDS)  # a phrase opening otherwise has none
_SUBJECT_TRAILERS = ("达到", "达", "为", "是", "有", "共", "超过", "超", "约", "近", "逾", "不到", "不足", "突破", "到", "至", "了")
_TRAILER_LAST = "".join(trailer[-1] for trailer in _SUBJECT_TRAILERS)  # a phrase ending otherwise has none
_LINE_STARTS = "\n\r\u3000。！？!?；;：:"
_ARTICLE_ONE = frozenset("一")
_TIME_NEXT = frozenset("-/.:")
_THRESHOLD_UNITS = frozenset({"岁"})
_BEFORE_WINDOW = 4  # longest `before` context in affix_rules.tsv (拨打：) plus one
_PREFIX_ENDS = "".join({p[-1] for p in _dates.PREFIXES})  # 年, 前: a date prefix can only end so
_DATE_NEXT = frozenset("年月日号季个至到-度")
_FINANCIAL = frozenset("壹贰叁肆伍陆柒捌玖拾佰仟")
# a table cell that is one number: a sign, the number, its own multiplier and unit, a footnote marker
_CELL_NUMBER = re.compile(r"(?P<sign>[-+−])?(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                          r"(?P<unit>[^\d\s\[]{1,6})?(?:\[\d{1,2}\])?")
_NO_TABLE = TableState()
_COMPOUND_NEXT = "半0123456789一二三四五六七八九"  # what may follow a unit in a compound (2天半, 1小时37分钟, 九成五)
_SMALLER_UNIT = {"小时": ("分钟", 60)}  # 1小时37分钟 is recorded in the smaller unit
_TENTH_DIGITS = "〇一二三四五六七八九"
_DIGIT_CHARS = frozenset("0123456789零〇一二三四五六七八九两壹贰叁肆伍陆柒捌玖")


@dataclass(slots=True)
class Mention:
    """One numeric token and what it is. Spans point into the original text."""

    start: int
    end: int
    surface: str
    disposition: str
    reason: str = ""
    value: Decimal | None = None
    value_high: Decimal | None = None
    unit: str = ""
    unit_kind: str = ""
    qualifier: str = ""
    as_of: str = ""
    cumulative: bool = False
    subject: str = ""
    date: str = ""
    date_start: date | None = None
    date_end: date | None = None
    role: str = ""


@dataclass(slots=True)
class TableFigure(Mention):
    """A figure in a table: also the table's number in the report, its row label and column header.

    A subclass rather than more fields of :class:`Mention`: every token makes a Mention, few sit in tables.
    """

    table: int = 0
    row_label: str = ""
    column_header: str = ""
    total: bool = False  # the figure sits in a total row (合计)


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))


def extract(text: str, published: date | None = None) -> list[Mention]:
    """All numeric tokens of ``text`` in order, each with a disposition.

    ``published`` resolves dates written without a year; when it is missing,
    :func:`analysis.extract.dates.infer_published` stands in for it.
    """
    return list(_Extractor(text, published).run())


@dataclass
class Carry:
    """What the scan of one window of a long text hands to the next (see :class:`WindowExtractor`).

    ``month_context``: the month of the last date, for a later 15日 without one. ``table_unit``: the
    (multiplier, unit) of a 单位：… table still open at the end of the window. ``floor``: the absolute
    offset where the last mention ended; the next window's mentions start at or after it. ``tables``:
    the table the window's end cuts, if any (:class:`analysis.extract.tabular.TableState`).
    """

    month_context: int | None = None
    table_unit: tuple[str, str] | None = None
    floor: int = 0
    tables: TableState = field(default_factory=TableState)


class WindowExtractor:
    """The mentions of a long text, one window at a time, as if the whole text had been scanned.

    Each window is ``text[lo:hi]`` of the whole text, given with some context on both sides
    (:mod:`analysis.extract.windows`); only mentions starting in ``[lo, hi)`` are produced, with absolute
    offsets. What crosses a window boundary (a month stated earlier, an open 单位：… table, a mention
    running past the boundary) travels in :class:`Carry`. Every look-behind and look-ahead of the
    scan is shorter than the context, and sentence scopes (截至…) end at a line break, where windows
    are cut; so the mentions are those of one scan over the whole text.
    """

    def __init__(self, published: date | None):
        self.published = published
        self.carry = Carry()

    def extract(self, text: str, base: int, lo: int, hi: int, final: bool) -> Iterator[Mention]:
        """Mentions starting in ``[base + lo, base + hi)``, where ``text`` begins at offset ``base``."""
        scan = _Extractor(text, self.published, month_context=self.carry.month_context,
                          table_unit=self.carry.table_unit, final=final, tables=self.carry.tables, lo=lo, hi=hi,
                          base=base)
        for mention in scan.run(max(lo, self.carry.floor - base), hi):
            mention.start += base
            mention.end += base
            self.carry.floor = mention.end
            yield mention
        self.carry.month_context = scan.month_context
        # the table the window's end is in goes on in the next window, up to its first blank line
        self.carry.table_unit = scan._table_unit(hi)
        self.carry.tables = scan.tables_after


class _Extractor:
    def __init__(self, text: str, published: date | None, *, month_context: int | None = None,
                 table_unit: tuple[str, str] | None = None, final: bool = True,
                 tables: TableState | None = None, lo: int = 0, hi: int | None = None, base: int = 0):
        self.text = text
        self.norm = normalize(text)
        self.lex: Lexicon = load()
        self.published = published or _dates.infer_published(self.norm)
        self.month_context = month_context
        # where the whole text ends, if it ends in this string (only then is a number at the end cut off)
        self.text_end = len(self.norm) if final else -1
        self.as_of_marks = self._as_of_marks()
        self.table_scopes = self._table_scopes(table_unit)
        # tables printed as text, read from the window's first line on; cells by start, for a binary search
        tables = tables or _NO_TABLE
        self.cells: list[Cell] = []
        self.cell_starts: list[int] = []
        if tables.open or might_hold_tables(self.norm, lo):
            reader = TableReader(self.norm, text, self.lex, self._as_of_between)
            self.tables_after = reader.read(tables, lo, len(self.norm) if hi is None else hi, base)
            self.cells = sorted(reader.cells, key=lambda c: c.start)
            self.cell_starts = [c.start for c in self.cells]
        else:  # prose: no table starts here and none goes on (the state is never changed in place)
            self.tables_after = tables

    # -- the scan -------------------------------------------------------------------------------
    def run(self, pos: int = 0, stop: int | None = None) -> Iterator[Mention]:
        """Mentions in text order, one at a time, so a caller can keep memory to what it holds.

        Only mentions starting in ``[pos, stop)`` are produced; the text around gives them context.
        """
        norm, text = self.norm, self.text
        n = len(norm) if stop is None else stop
        floor = pos  # no mention may start before the end of the previous one
        # 截至… applies to the figures after it in the same sentence
        marks = iter(self.as_of_marks)
        mark = next(marks, None)
        as_of, sentence_end = "", -1
        # the table test of _classify only where the window has tables: most windows have none
        classify = self._classify if self.cell_starts else self._classify_text
        while pos < n:
            hit = _RUN.search(norm, pos)  # no end bound: a run starting before stop may go on past it
            if not hit:
                break
            start, run_end = hit.span()
            if start >= n:
                break
            mention = classify(start, run_end, floor)
            if mention.start < floor:
                mention.start = floor
            if mention.end <= start:  # never stall: the run itself must be consumed
                mention.end = run_end
            mention.surface = text[mention.start:mention.end]
            while mark is not None and mark[0] <= mention.start:
                as_of = mark[1]
                sentence_end = _sentence_end(norm, mark[0])
                mark = next(marks, None)
            if mention.start >= sentence_end:
                as_of = ""
            disposition = mention.disposition
            if disposition == "figure":
                if as_of:
                    mention.as_of = as_of
            elif disposition == "date" and mention.role == "as_of":
                as_of = mention.date.split("/")[-1]
                sentence_end = _sentence_end(norm, mention.end)
            floor = pos = mention.end  # before yielding: the caller may shift the mention's offsets
            yield mention

    def _classify(self, start: int, run_end: int, floor: int) -> Mention:
        """The mention a numeral run starts; in a table cell, what the table makes of it."""
        if self.cell_starts:  # the window has tables
            at = bisect_right(self.cell_starts, start) - 1
            if at >= 0 and start < self.cells[at].end:
                return self._in_table(self.cells[at], start, run_end, floor)
        return self._classify_text(start, run_end, floor)

    def _classify_text(self, start: int, run_end: int, floor: int) -> Mention:
        norm = self.norm
        after = norm[run_end:run_end + 1]
        is_arabic = norm[start].isdigit()
        # cheap gates first: each check below can only match when the next character allows it
        if after in _TIME_NEXT and is_arabic:
            found = self._timestamp(start, floor)
            if found:
                return found
        if start:
            prev = norm[start - 1]
            # _at_line_start only has to look further back past spaces and tabs
            listy = (prev in "(（" or after in "、.是" or prev in _LINE_STARTS
                     or prev in " \t" and self._at_line_start(start))
        else:
            listy = True
        if listy:
            found = self._list_marker(start, floor)
            if found:
                return found
        if after in _DATE_NEXT:
            found = self._date(start, floor)
            if found:
                return found
        if run_end - start >= 7 or after == "-":
            found = self._phone(start, floor)
            if found:
                return found
        if after == "分" and norm[start] in "百千":
            found = self._percent_words(start, floor)
            if found:
                return found
        match = NUMBER.match(norm, start)
        if match is not None and match.group("mult"):
            match = self._cut_at_unit(start, match)
        if match is not None:
            end = match.end()
            core_end = match.end("core")
        else:
            end = core_end = run_end
        lex = self.lex
        # The characters at the number's end and at its core's end, each sliced once: the multiplier-unit
        # test, the unit lookup and the after gate all look at them (a slice costs more than the tests).
        at_end = norm[end:end + 1]
        at_core = at_end if core_end == end else after if core_end == run_end else norm[core_end:core_end + 1]
        if not is_arabic and at_core in lex.multiplier_unit_seconds and match is not None:
            # 三十九千瓦 is 39 千瓦: a unit that starts with a multiplier ends the Chinese numeral before it
            core = match.group("core")
            if len(core) > 1 and self._unit_at(core_end - 1)[0][:1] == core[-1]:
                match = NUMBER.match(norm, start, core_end - 1)
                end, core_end = match.end(), match.end("core")
                at_end, at_core = norm[end:end + 1], norm[core_end:core_end + 1]
        unit_pos, first = end, at_end  # _unit_at, inlined
        if at_end == " ":
            unit_pos += 1
            first = norm[unit_pos:unit_pos + 1]
        units = lex.units_by_first.get(first)
        found = units.match(norm, unit_pos) if units is not None else None
        unit, unit_end = (found.group(), found.end()) if found else ("", 0)
        if unit in lex.special_units:  # one lookup says most units need neither test below
            if not is_arabic and unit in lex.arabic_only_units:
                unit, unit_end = "", 0
            elif (unit in lex.compound_openers and norm[unit_end:unit_end + 1] in _COMPOUND_NEXT
                  and unit_end < len(norm) and match is not None):
                found = self._compound(start, match, unit, unit_end)
                if found:
                    return found

        # the affix rules' combined tests first: most numbers have no affix, and this says so cheaply
        window = norm[start - _BEFORE_WINDOW if start > _BEFORE_WINDOW else 0:start]
        # the after gate as the before gate below: most numbers are followed by no rule's first character
        gate = lex.after_gate
        if gate is None or at_core in gate:
            after_ok = lex.any_after.match(norm, core_end) is not None
        else:  # no rule's `after` can start with this character (or the text ends): the match would fail
            after_ok = False
        gate = lex.before_gate
        if gate is None or window[-1:] in gate:
            before_ok = lex.any_before.search(window) is not None
        else:  # no rule's context can end with this character: the search would fail
            before_ok = False
        special = (after_ok or before_ok) and self._affix(start, core_end, is_arabic, window, after_ok, before_ok)
        if not special and not is_arabic:
            special = self._word(start, core_end, unit_end or end)
        if special:
            return special
        if norm.rfind("“", start - 10 if start > 10 else 0, start) >= 0:  # most numbers are not quoted
            quoted = self._quoted(start, end)
            if quoted:
                return quoted
        if not match:
            return Mention(start, end, "", "bare", "no number here")
        core = match.group("core")
        if len(core) == 1 and core in _FINANCIAL and not match.group("mult") and not unit:
            return Mention(start, end, "", "word", "financial numeral inside a word (队伍, 陆续)")
        if not is_arabic and not (_DIGIT_CHARS & set(core)) and not core.startswith("十"):
            if unit and (match.group("in1") or match.group("in2") or self._qualifier_before(start, "round")[0]):
                # 千余名, 百余家, 万余人, 近百场, 上万人: a round number with a unit is a statistic
                return self._number(start, match, unit, unit_end, implied_one=True)
            return Mention(start, end, "", "word", "multiplier without a digit (百姓, 万屏)")
        if not is_arabic and core in ("零", "〇") and not match.group("mult"):
            return Mention(start, end, "", "word", "零 in a word (零容忍, 零事故)")
        if not is_arabic and core in _ARTICLE_ONE and not match.group("mult"):
            return Mention(start, max(end, unit_end or end), "", "word", "一 before a classifier reads as an article")
        return self._number(start, match, unit, unit_end)

    def _cut_at_unit(self, start: int, match: re.Match) -> re.Match:
        """The number grammar at ``start``, ended where a unit beginning with a multiplier (千米, 千克) starts."""
        for pos in range(match.start("mult"), match.end("mult")):
            unit, _ = self._unit_at(pos)
            if unit and unit[0] in "十百千万亿":
                return NUMBER.match(self.norm, start, max(pos, match.end("core")))
        return match

    # -- checks tried before the number grammar ----------------------------------------------------
    def _timestamp(self, start: int, floor: int) -> Mention | None:
        m = _TIMESTAMP.match(self.norm, start)
        if m and (":" in m.group() or m.group().count("-") == 2 or m.group().count("/") == 2):
            return Mention(start, m.end(), "", "timestamp", "page or publication timestamp")
        return None

    def _list_marker(self, start: int, floor: int) -> Mention | None:
        norm = self.norm
        if start > 0 and norm[start - 1] in "(（" and start - 1 >= floor:
            m = _LIST_PAREN.match(norm, start - 1)
            if m:
                return Mention(start - 1, m.end(), "", "list_marker", "numbered list item")
        if self._at_line_start(start):
            m = _LIST_CN.match(norm, start) or _LIST_ARABIC.match(norm, start)
            if m:
                return Mention(start, m.end(), "", "list_marker", "numbered list item")
        return None

    def _at_line_start(self, start: int) -> bool:
        i = start - 1
        while i >= 0 and self.norm[i] in " \t":
            i -= 1
        return i < 0 or self.norm[i] in _LINE_STARTS

    def _date(self, start: int, floor: int) -> Mention | None:
        norm = self.norm
        begin = start
        for prefix in _dates.PREFIXES if norm[start - 1:start] in _PREFIX_ENDS else ():
            if norm.startswith(prefix, start - len(prefix)) and start - len(prefix) >= floor:
                begin = start - len(prefix)
                break
        m = _dates.DATE_PATTERN.match(norm, begin)
        if (not m or m.end() <= start) and begin != start:
            begin = start
            m = _dates.DATE_PATTERN.match(norm, start)
        if not m or m.end() <= start:
            return None
        if m.group("day_only") and self.month_context is None:
            return None
        # 3年 or 5个月 is a duration, not a date; only four-digit years count as dates
        resolved = _dates.resolve(m, self.published, self.month_context)
        if resolved is None:
            return None
        month = m.group("month") or m.group("m2")
        if month:
            self.month_context = _dates.cn_int(month)
        role = "as_of" if re.search(r"截[至止]到?$", norm[max(0, begin - 3):begin]) else "event"
        return Mention(begin, m.end(), "", "date", "date or period", date=resolved.text,
                       date_start=resolved.start, date_end=resolved.end, role=role)

    def _phone(self, start: int, floor: int) -> Mention | None:
        m = _PHONE.match(self.norm, start)
        if m and not self.norm[m.end():m.end() + 1] in ("万", "亿", ".") and (
            "-" in m.group() or self._unit_at(m.end())[0] == ""
        ):
            return Mention(start, m.end(), "", "code", "telephone number")
        return None

    def _percent_words(self, start: int, floor: int) -> Mention | None:
        norm = self.norm
        for prefix, unit in (("百分之", "%"), ("千分之", "‰")):
            if norm.startswith(prefix, start):
                m = NUMBER.match(norm, start + 3)
                if not m:
                    return None
                try:
                    # 百分之百: a bare 百 is a number here
                    value = parse_number("一" + m.group("core") if m.group("core")[0] in "十百" else m.group("core"))
                except ValueError:
                    return None
                qualifier, q_start = self._qualifier_before(start)
                qualifier = qualifier or self._qualifier_after(m.end("core")) or "exact"
                mention = Mention(start, m.end("core"), "", "figure", "", value=value, unit=unit,
                                  unit_kind="percent", qualifier=qualifier)
                self._fill_context(mention, q_start)
                return mention
        return None

    def _affix(self, start: int, core_end: int, is_arabic: bool, window: str, after_ok: bool,
               before_ok: bool) -> Mention | None:
        """The first affix rule that matches; the combined tests ``after_ok``/``before_ok`` leave the candidates."""
        norm = self.norm
        for rule in self.lex.affix_candidates[after_ok, before_ok]:
            if rule.token == "arabic" and not is_arabic or rule.token == "chinese" and is_arabic:
                continue
            if rule.token == "round" and norm[start] not in "十百千万":
                continue
            begin, end = start, core_end
            if rule.before is not None:
                m = rule.before.search(window)
                if not m:
                    continue
                begin = start - (len(window) - m.start())
            if rule.after is not None:
                m = rule.after.match(norm, core_end)
                if not m:
                    continue
                end = m.end()
            if rule.before is None and rule.after is None:
                continue
            return Mention(begin, end, "", rule.disposition, rule.note)
        return None

    def _word(self, start: int, core_end: int, unit_end: int) -> Mention | None:
        """A numeral inside a listed word (统一, 最后一公里), unless a unit reaches past the word."""
        norm = self.norm
        best = None  # (length, -offset, begin, end, word): the longest word, then the one starting latest
        if core_end > start:
            # A word covering the token holds its first numeral, and word_index lists every word under
            # each of its numerals: the candidates under norm[start] are all there are.
            need = max(core_end, unit_end) - start
            before, after = norm[start - 1:start] if start else "", norm[start + 1:start + 2]
            for reach, offset, length, words, neighbours in self.lex.word_index.get(norm[start], ()):
                if reach < need:  # this word, and every one after it, ends before the number does
                    break
                if neighbours is not None and (before if offset else after) not in neighbours:
                    continue
                begin = start - offset
                if begin < 0:
                    continue
                word = norm[begin:start + reach]
                if word in words and (best is None or (length, -offset) > best[:2]):
                    best = (length, -offset, begin, start + reach, word)
        if not best:
            return None
        disposition, note = self.lex.words[best[4]]
        return Mention(best[2], best[3], "", disposition, note or best[4])

    def _quoted(self, start: int, end: int) -> Mention | None:
        """A numeral inside a short quotation (“五关爱行动”) names a slogan, not a quantity."""
        norm = self.norm
        left = norm.rfind("“", max(0, start - 10), start)
        if left < 0 or "”" in norm[left:start]:
            return None
        right = norm.find("”", end, end + 10)
        if right < 0 or "“" in norm[end:right] or right - left > 14:
            return None
        return Mention(start, end, "", "name", "inside a quoted slogan or name")

    # -- tables ----------------------------------------------------------------------------------------
    def _in_table(self, cell: Cell, start: int, run_end: int, floor: int) -> Mention:
        """A numeral inside a table cell: a figure from the cell and its row, column and caption, or no figure."""
        if cell.role == "index":
            return Mention(start, run_end, "", "list_marker", "row number of a table")
        if cell.role == "unit":
            return Mention(start, run_end, "", "word", "the unit cell of a table row")
        if cell.role == "value":
            found = self._cell_figure(cell, start)
            if found:
                return found
        mention = self._classify_text(start, run_end, floor)
        if mention.disposition == "figure":
            if cell.role != "value":  # 60岁及以上, 2021年: what a row or column is, not a statistic
                mention.disposition, mention.reason = "bare", "a number in a table's row label or header"
            else:  # a remark with its own unit: 达到目标80元
                return self._place(mention, cell)
        return mention

    def _cell_figure(self, cell: Cell, start: int) -> Mention | None:
        """A cell that is one number (with a sign, its own unit or a footnote marker): 52.36, -8.2, 6.84万人, 100%."""
        norm = self.norm
        m = _CELL_NUMBER.fullmatch(norm, cell.start, cell.end)
        if m is None or m.start("number") != start:
            return None
        value = Decimal(m.group("number").replace(",", ""))
        if m.group("sign") in ("-", "−"):
            value = -value
        own = m.group("unit")
        lex = self.lex
        if own:
            found = split_unit(own, lex.units)
            if found is None:
                return None
            mult, unit = found
        elif cell.unit is not None:
            mult, unit = cell.unit
        else:
            mult, unit = "", ""
        if mult:
            value *= multiplier(mult)
        entry = lex.units.get(unit)
        if entry is not None:
            value *= entry.scale
            unit, kind = entry.unit, entry.kind
        else:
            kind = "other" if unit else "count"
        end = m.end("unit") if own else m.end("number")
        return self._place(Mention(m.start(), end, "", "figure", "", exact(value), None, unit, kind, "exact"), cell)

    def _place(self, mention: Mention, cell: Cell) -> TableFigure:
        """Where a table figure sits: table, row label, column header, total row; subject and as-of from them."""
        column = cell.column
        placed = TableFigure(*(getattr(mention, name) for name in _MENTION_FIELDS), table=cell.table.index,
                             row_label=cell.row_label, column_header=column.header if column else "",
                             total=cell.total)
        placed.subject = (cell.row_label + (column.label if column else ""))[-24:]
        if not placed.as_of:
            placed.as_of = cell.table.as_of
        return placed

    def _as_of_between(self, start: int, end: int) -> str:
        """The as-of date of a 截至… clause in ``norm[start:end]`` (a table caption), or ''."""
        norm = self.norm
        for m in _AS_OF.finditer(norm, start, end):
            if m.group("now"):
                return "report"
            found = _dates.DATE_PATTERN.match(norm, m.end())
            if found and found.end() <= end:
                resolved = _dates.resolve(found, self.published, None)
                if resolved is not None:
                    return resolved.text.split("/")[-1]
        return ""

    # -- numbers -------------------------------------------------------------------------------------
    def _compound(self, start: int, match: re.Match, unit: str, unit_end: int) -> Mention | None:
        """A quantity written in two parts: 四个半小时 (4.5 小时), 2天半, 1小时37分钟 (97 分钟), 九成五 (95 %)."""
        norm, units = self.norm, self.lex.units
        entry = units[unit]
        nxt = norm[unit_end:unit_end + 1]
        end = 0
        if nxt == "半":
            if unit == "个":  # 个半小时, 个半月: the half sits between the classifier and the unit
                found = self.lex.unit_pattern.match("个" + norm[unit_end + 1:unit_end + 5])
                if found and units[found.group()].kind == "duration":
                    entry, end = units[found.group()], unit_end + len(found.group())
            elif entry.kind == "duration":
                end = unit_end + 1
            extra = Decimal("0.5") * entry.scale
        elif entry.kind == "duration" and entry.unit in _SMALLER_UNIT:
            smaller, factor = _SMALLER_UNIT[entry.unit]
            second = NUMBER.match(norm, unit_end)
            if second and not second.group("mult") and norm.startswith(smaller, second.end()):
                try:
                    minutes = parse_number(second.group("core"))
                except ValueError:
                    return None
                first = self._plain_value(match)
                if first is None:
                    return None
                mention = Mention(start, second.end() + len(smaller), "", "figure", "", exact(first * factor + minutes),
                                  None, smaller, "duration")
                return self._finish_figure(mention, start)
            return None
        elif unit == "成" and nxt in _TENTH_DIGITS and norm[unit_end + 1:unit_end + 2] not in NUMERAL_CHARS:
            entry, end, extra = units[unit], unit_end + 1, Decimal(_TENTH_DIGITS.index(nxt))
        if not end:
            return None
        first = self._plain_value(match)
        if first is None:
            return None
        value = first * entry.scale + extra
        mention = Mention(start, end, "", "figure", "", exact(value), None, entry.unit, entry.kind)
        return self._finish_figure(mention, start)

    def _plain_value(self, match: re.Match) -> Decimal | None:
        """The value of a number with no multiplier or qualifier inside it (四, 2, 1.5), else None."""
        if match.group("mult") or match.group("in1") or match.group("in2"):
            return None
        try:
            return parse_number(match.group("core"))
        except ValueError:
            return None

    def _finish_figure(self, mention: Mention, start: int) -> Mention:
        qualifier, q_start = self._qualifier_before(start)
        mention.qualifier = qualifier or self._qualifier_after(mention.end) or "exact"
        self._fill_context(mention, q_start)
        return mention

    def _unit_at(self, pos: int) -> tuple[str, int]:
        norm = self.norm
        if norm[pos:pos + 1] == " ":  # copied from PDF: 2.5 万人, 30 个
            pos += 1
        units = self.lex.units_by_first.get(norm[pos:pos + 1])
        found = units.match(norm, pos) if units is not None else None
        return (found.group(), found.end()) if found else ("", 0)

    def _number(self, start: int, match: re.Match, unit_surface: str, unit_end: int,
                implied_one: bool = False) -> Mention:
        norm = self.norm
        core, mult, in1, in2 = match.group("core", "mult", "in1", "in2")
        if implied_one:
            core = "一" + core
        mult = _plain(mult) if mult else ""
        if len(core) > 15:
            return Mention(start, match.end(), "", "code", "too many digits for a statistic")
        # Digits times whole multipliers and scales keep exponent 0, so exact() would return the same
        # Decimal: skip it (it costs a third of the number's arithmetic).
        integral = core.isdecimal() and (not mult or mult.isalpha())
        if integral and not mult:
            value = Decimal(core)
        else:
            try:
                value = _value(core, mult)
            except ValueError:
                return Mention(start, match.end(), "", "bare", "not a well-formed number")
        end = match.end()
        inside = in1 or in2
        value_high = None
        # a range: 3至5个, 3-5万人, 10%-20%
        after_first = unit_end or end
        sep = _RANGE_SEP.match(norm, after_first) if norm[after_first:after_first + 1] in _RANGE_FIRST else None
        if sep:
            second = NUMBER.match(norm, sep.end())
            if second and norm[sep.end()].isdigit() == norm[start].isdigit():
                second_mult = _plain(second.group("mult"))
                second_unit, second_unit_end = self._unit_at(second.end())
                if (unit_surface == "" or second_unit == unit_surface) and (second_unit or not unit_surface):
                    try:
                        high = parse_number(second.group("core") + second_mult)
                    except ValueError:
                        high = None
                    if high is not None:
                        if not mult and second_mult:
                            value = parse_number(core + second_mult)
                            integral = False
                        if value < high:
                            value_high = high
                            end = second.end()
                            unit_surface, unit_end = second_unit, second_unit_end
        unit = kind = ""
        if unit_surface:
            entry = self.lex.units[unit_surface]
            unit, kind = entry.unit, entry.kind
            end = unit_end
            if entry.scale != 1:
                value *= entry.scale
                value_high = value_high * entry.scale if value_high is not None else None
        if not unit_surface:
            dangling = _DANGLING.match(norm, end) if norm[end:end + 1] in ",，." else None
            if dangling and self.text_end >= 0:
                return Mention(start, dangling.end(), "", "truncated", "the text ends inside this number")
            if end == self.text_end and not mult and not self._table_unit(start):
                return Mention(start, end, "", "truncated", "the text ends right after this number")
        disposition, reason = "figure", ""
        if not unit:
            table = self._table_unit(start)
            if table and norm[start].isdigit() and not mult:
                t_mult, t_unit = table
                value = value * multiplier(t_mult)
                if value_high is not None:
                    value_high = value_high * multiplier(t_mult)
                entry = self.lex.units.get(t_unit)
                unit, kind = (entry.unit, entry.kind) if entry else (t_unit, "other" if t_unit else "count")
            elif mult:
                kind = "count"
            elif norm[start].isdigit() and len(core) >= 5 and "." not in core and "," not in core:
                disposition, reason = "code", "long number without a unit (a code or hotline)"
            else:
                disposition, reason = "bare", "a number without a unit"
        if implied_one:  # 近百场, 上万人: the qualifiers of round numbers first
            qualifier, q_start = self._qualifier_before(start, "round")
            if not qualifier:
                qualifier, q_start = self._qualifier_before(start)
        else:
            qualifier, q_start = self._qualifier_before(start)
        after_q = self._qualifier_after(end)
        if unit in _THRESHOLD_UNITS and (after_q or value_high is not None) and disposition == "figure":
            # 65周岁以上老年人, 18—35岁青年: an age bracket defines who is counted; it is no statistic
            disposition, reason = "bare", "an age threshold or bracket, not a statistic"
        # a range (3至5个) is told by value_high; its qualifier still says how exact its ends are
        qualifier = qualifier or (self.lex.qualifiers["inside"].get(inside) if inside else "") or after_q or "exact"
        # positional: keywords cost as much again as the construction itself
        mention = Mention(start, end, "", disposition, reason, value if integral else exact(value),
                          exact(value_high) if value_high is not None else None, unit, kind, qualifier)
        if disposition == "figure":
            self._fill_context(mention, q_start)
        return mention

    def _qualifier_before(self, start: int, position: str = "before") -> tuple[str, int]:
        if start:
            norm = self.norm
            for length, word, qualifier in self.lex.qualifier_index[position].get(norm[start - 1], ()):
                if start >= length and norm.startswith(word, start - length):
                    return qualifier, start - length
        return "", start

    def _qualifier_after(self, end: int) -> str:
        norm = self.norm
        for _, word, qualifier in self.lex.qualifier_index["after"].get(norm[end:end + 1], ()):
            if norm.startswith(word, end):
                return qualifier
        return ""

    def _table_unit(self, start: int) -> tuple[str, str] | None:
        # the latest header wins: a second 单位：… before a blank line starts a new table
        for scope_start, scope_end, mult, unit in reversed(self.table_scopes):
            if scope_start <= start < scope_end:
                return mult, unit
        return None

    def _table_scopes(self, carried: tuple[str, str] | None = None) -> list[tuple[int, int, str, str]]:
        """单位：万元 in a table header: bare numbers below it, up to a blank line, are in 万元.

        ``carried``: a table whose header came before this text, still open where the text begins.
        """
        scopes = []
        if carried is not None:
            blank = _BLANK_LINE.search(self.norm)
            scopes.append((0, blank.start() if blank else len(self.norm), *carried))
        if "单位" not in self.norm:
            return scopes
        for m in _TABLE_UNIT.finditer(self.norm):
            blank = _BLANK_LINE.search(self.norm, m.end())
            unit = m.group("unit")
            if unit and unit not in self.lex.units:
                continue  # 单位：个、亿元 names a unit per column: the table reader's job (analysis.extract.tabular)
            scopes.append((m.end(), blank.start() if blank else len(self.norm), m.group("mult"), unit))
        return scopes

    # -- context: subject, cumulative, as-of --------------------------------------------------------
    def _fill_context(self, mention: Mention, q_start: int) -> None:
        norm = self.norm
        lower = q_start - 60 if q_start > 60 else 0
        last = _LAST_DELIM.match(norm, lower, q_start)
        clause_start = last.end() if last else lower
        before = self.text[clause_start:q_start]
        mention.cumulative = "累计" in norm[clause_start:q_start]
        # what is counted: the clause before the number, or the noun after its classifier
        subject = _clean_subject(before[before.rfind("、") + 1:])
        if len(subject) <= 3:
            end = mention.end
            follow_end = _FOLLOW.match(norm, end, end + 12).end()
            subject = (subject + self.text[end:follow_end]).strip()
        if len(subject) <= 1:
            subject = _clean_subject(before)
        mention.subject = subject[-24:]

    def _as_of_marks(self) -> list[tuple[int, str]]:
        marks = []
        if "截" not in self.norm:
            return marks
        for m in _AS_OF.finditer(self.norm):
            marks.append((m.end(), "report" if m.group("now") else ""))
        return marks



def _clean_subject(phrase: str) -> str:
    phrase = phrase.strip(" 、“”（）()")
    if phrase[:1] in _FILLER_FIRST:  # phrase[:1] is "" for an empty phrase: the match then finds nothing
        filler = _SUBJECT_FILLERS.match(phrase)
        if filler:
            phrase = phrase[filler.end():]
    while phrase[-1:] in _TRAILER_LAST and phrase.endswith(_SUBJECT_TRAILERS):  # verbs that lead into the number: 达到, 超过
        for trailer in _SUBJECT_TRAILERS:
            if phrase.endswith(trailer):
                phrase = phrase[: -len(trailer)]
                break
    return phrase


_MULTIPLIERS: dict[str, Decimal] = {}


def _value(core: str, mult: str) -> Decimal:
    """parse_number for the common case of Arabic digits and a plain multiplier, without re-normalising."""
    # NUMBER's core is either all Arabic (digits, separators, point) or all Chinese
    if core[0].isdigit() and (not mult or mult.isalpha()):
        factor = _MULTIPLIERS.get(mult)
        if factor is None:
            factor = _MULTIPLIERS.setdefault(mult, multiplier(mult))
        return Decimal(core.replace(",", "").replace("，", "")) * factor
    # the grammar's core and a plain multiplier are normalised and hold no 余/多/几 already
    return parse_normalised(core + mult)


def _plain(mult: str | None) -> str:
    """A multiplier run without pinyin glosses or spaces: ' 万(wàn)亿' -> '万亿'."""
    if not mult:
        return ""
    if "(" not in mult and " " not in mult:
        return mult
    return _GLOSS_RE.sub("", mult).strip()


_SENTENCE_STOP = re.compile(r"[。！？!?\n]")


def _sentence_end(norm: str, pos: int) -> int:
    stop = _SENTENCE_STOP.search(norm, pos)
    return stop.start() if stop else len(norm)
