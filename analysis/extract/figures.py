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
from dataclasses import dataclass, field
from datetime import date

from analysis.extract import dates as _dates
from analysis.extract.as_of import NO_DATE, AsOfScopes, sentence_end
from analysis.extract.dispositions import LINE_STARTS, Dispositions
from analysis.extract.lexicon import NUMERAL_CHARS, Lexicon, load
from analysis.extract.mention import Mention, TableFigure
from analysis.extract.normalize import normalize
from analysis.extract.quantities import Quantities, number_at
from analysis.extract.subject import Subjects
from analysis.extract.table_figures import TableFigures
from analysis.extract.tabular import Cell, TableReader, TableState, might_hold_tables

__all__ = ["Carry", "Mention", "TableFigure", "WindowExtractor", "extract"]

# A numeric token starts at any Arabic digit or Chinese numeral character.
_RUN = re.compile(f"[{NUMERAL_CHARS}][{NUMERAL_CHARS}]*")  # the first class lets search skip ahead fast
_ARTICLE_ONE = frozenset("一")
_NO_ARTICLE_KINDS = frozenset({"percent", "ratio"})  # 一成, 一倍: 一 before these counts
_TIME_NEXT = frozenset("-/.:")
_BEFORE_WINDOW = 6  # longest `before` context in affix_rules.tsv (浏览次数：) plus one
_DATE_NEXT = frozenset("年月日号季个至到-度")
_FINANCIAL = frozenset("壹贰叁肆伍陆柒捌玖拾佰仟")
_NO_TABLE = TableState()
_COMPOUND_NEXT = "半0123456789一二三四五六七八九"  # what may follow a unit in a compound (2天半, 1小时37分钟, 九成五)
_ORDINAL_JOINERS = frozenset("、和及至到-")  # 第1、2批, 第三至五届
_SIGNS = frozenset("-−负")  # in the normalised text: -, the minus sign −, 负
_MINUS = frozenset("-−－")  # as written: hyphen-minus, minus sign, full-width hyphen-minus (not — or –)
_NOT_BEFORE_MINUS = frozenset("%‰)）]】-−~/")  # after these a dash joins a range or a code
_NOT_BEFORE_FU = frozenset("正胜")  # 正负3% is ±, 胜负 a result
_DIGIT_CHARS = frozenset("0123456789零〇一二三四五六七八九两壹贰叁肆伍陆柒捌玖")


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


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

    def __init__(self, published: date | None, published_inferred: bool = False):
        """``published_inferred``: ``published`` was inferred from the whole text (None: no clue in it),
        so no window infers it again; with it false, a missing date is inferred window by window."""
        self.published = published
        self.published_inferred = published_inferred  # the date was inferred from the text, not given
        self.carry = Carry()

    def extract(self, text: str, base: int, lo: int, hi: int, final: bool, norm: str | None = None) -> Iterator[Mention]:
        """Mentions starting in ``[base + lo, base + hi)``, where ``text`` begins at offset ``base``;
        ``norm``: ``normalize(text)``, if the caller has it already."""
        scan = _Extractor(text, self.published, published_inferred=self.published_inferred,
                          month_context=self.carry.month_context,
                          table_unit=self.carry.table_unit, final=final, tables=self.carry.tables, lo=lo, hi=hi,
                          base=base, norm=norm)
        for mention in scan.run(max(lo, self.carry.floor - base), hi):
            mention.start += base
            mention.end += base
            self.carry.floor = mention.end
            yield mention
        self.carry.month_context = scan.month_context
        # the table the window's end is in goes on in the next window, up to its first blank line
        self.carry.table_unit = scan._table_unit(hi)
        self.carry.tables = scan.tables_after


class _Extractor(Quantities, Dispositions, TableFigures, Subjects, AsOfScopes):
    """One scan of a text: each numeral run, classified by the checks of the mixins in a fixed order."""

    def __init__(self, text: str, published: date | None, *, published_inferred: bool = False,
                 month_context: int | None = None,
                 table_unit: tuple[str, str] | None = None, final: bool = True,
                 tables: TableState | None = None, lo: int = 0, hi: int | None = None, base: int = 0,
                 norm: str | None = None):
        self.text = text
        self.norm = normalize(text) if norm is None else norm
        self.lex: Lexicon = load()
        self.published_inferred = published_inferred or published is None
        # A date inferred before (over the whole report, by WindowExtractor's caller) is not looked for
        # again in each window: a report with no clue has none in any of its windows either.
        self.published = published if published is not None or published_inferred else _dates.infer_published(self.norm)
        self.month_context = month_context
        # where the whole text ends, if it ends in this string (only then is a number at the end cut off)
        self.text_end = len(self.norm) if final else -1
        self.as_of_marks = self._as_of_marks()
        self._previous = (-1, "", "", "")  # the last figure's end, verb, subject and measure (see Subjects)
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
        as_of, scope_end = NO_DATE, -1
        ordinal_end = -2  # where the last ordinal ended (第1 of 第1、2批)
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
            elif mention.start > floor and mention.disposition == "figure":
                if mention.start == ordinal_end + 1 and norm[ordinal_end] in _ORDINAL_JOINERS:
                    # 第1、2批, 第三至五届: the ordinal's list goes on
                    mention.disposition, mention.reason = "ordinal", "an ordinal in a list (第1、2批)"
                    mention.value = None
                    mention.unit = mention.unit_kind = mention.qualifier = mention.subject = mention.measure = ""
                    mention.cumulative = False
                elif norm[mention.start - 1] in _SIGNS:
                    self._signed(mention, floor)
            if mention.end <= start:  # never stall: the run itself must be consumed
                mention.end = run_end
            mention.surface = text[mention.start:mention.end]
            while mark is not None and mark[0] <= mention.start:
                as_of = mark[1]
                scope_end = sentence_end(norm, mark[0])
                mark = next(marks, None)
            if mention.start >= scope_end:
                as_of = NO_DATE
            disposition = mention.disposition
            if disposition == "figure":
                if as_of is not NO_DATE and as_of[0]:
                    mention.as_of, mention.as_of_kind = as_of
            elif disposition == "date" and mention.role == "as_of":
                as_of = (mention.as_of, mention.as_of_kind)
                scope_end = sentence_end(norm, mention.end)
            if mention.disposition == "ordinal":
                ordinal_end = mention.end
            floor = pos = mention.end  # before yielding: the caller may shift the mention's offsets
            yield mention

    def _signed(self, mention: Mention, floor: int) -> None:
        """A minus sign (-, −, 负) right before a figure joins its span and makes it negative: 增长-2.1%, 负3.9%.

        Not after a digit, letter, bracket or dash (a range, a code: 3-5, G-20), and not 正负 (±).
        """
        at = mention.start - 1
        before = self.norm[at - 1:at] if at > floor else ""
        if self.norm[at] == "负":
            if before in _NOT_BEFORE_FU:
                return
        elif self.text[at] not in _MINUS or before and (before.isalnum() and not _is_han(before) or before in _NOT_BEFORE_MINUS):
            return  # an en or em dash is a range's or a sentence's, not a sign
        if mention.value is None or mention.value_high is not None or isinstance(mention, TableFigure):
            return
        mention.start, mention.value = at, -mention.value
        if mention.qualifier == "exact":  # 约-2%: the qualifier stands before the sign
            mention.qualifier = self._qualifier_before(at)[0] or "exact"

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
            listy = (prev in "(（" or after in "、.是" or prev in LINE_STARTS
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
        if after == "分" and norm.startswith("之", run_end + 1):
            found = self._fraction(start, run_end)  # 三分之一, 百分之六十, 万分之三
            if found:
                return found
        match = number_at(norm, start)
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
                match = number_at(norm, start, core_end - 1)
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
            if unit in lex.unit_blockers or not is_arabic and unit in lex.arabic_only_units:
                unit, unit_end = "", 0  # 城镇, 成员: the longest word there is no unit; 五角星
            elif (unit in lex.compound_openers and norm[unit_end:unit_end + 1] in _COMPOUND_NEXT
                  and unit_end < len(norm) and match is not None):
                found = self._compound(start, match, unit, unit_end)
                if found:
                    return found
        elif unit and match is not None and norm.startswith("半", unit_end):  # 三斤半, 一吨半
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
        if len(core) == 1 and core in _FINANCIAL and not match.group("mult") and (
                not unit or lex.units[unit].kind != "money"):
            # one financial numeral alone is a word's character (队伍, 陆续, 大陆, 着陆场), unless money follows (壹元)
            return Mention(start, end, "", "word", "financial numeral inside a word (队伍, 陆续)")
        if not is_arabic and not (_DIGIT_CHARS & set(core)) and not core.startswith("十"):
            if unit and (match.group("in1") or match.group("in2") or self._qualifier_before(start, "round")[0]):
                # 千余名, 百余家, 万余人, 近百场, 上万人: a round number with a unit is a statistic
                return self._number(start, match, unit, unit_end, implied_one=True)
            return Mention(start, end, "", "word", "multiplier without a digit (百姓, 万屏)")
        if not is_arabic and core in ("零", "〇") and not match.group("mult"):
            return Mention(start, end, "", "word", "零 in a word (零容忍, 零事故)")
        if not is_arabic and core in _ARTICLE_ONE and not match.group("mult") and (
                not unit or lex.units[unit].kind not in _NO_ARTICLE_KINDS):  # 一成 is 10 %, 一倍 once over
            return Mention(start, max(end, unit_end or end), "", "word", "一 before a classifier reads as an article")
        return self._number(start, match, unit, unit_end)
