"""What a numeral run is when it is not a quantity: a timestamp, list marker, date, phone number, code, name or word.

The checks of :class:`Dispositions` are tried before the number grammar (:mod:`analysis.extract.quantities`),
each only where a cheap test of the characters around the run lets it match (see the scan in
:mod:`analysis.extract.figures`). The affix rules and the listed words are data (``lexicon/affix_rules.tsv``,
``lexicon/numeral_words.tsv``).
"""

from __future__ import annotations

import re
from datetime import date

from analysis.extract import dates as _dates
from analysis.extract.as_of import as_of_of
from analysis.extract.lexicon import Lexicon
from analysis.extract.mention import Mention

_TIMESTAMP = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}(?::\d{2})?")
_PHONE = re.compile(r"(?:\d{3,4}-)?\d{7,8}(?!\d)|1[3-9]\d{9}(?!\d)")
_LIST_PAREN = re.compile(r"[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]")
_LIST_CN = re.compile(r"[一二三四五六七八九十]{1,3}、")
_LIST_ARABIC = re.compile(r"\d{1,2}[.、](?![\d])")
LINE_STARTS = "\n\r\u3000。！？!?；;：:"
_PREFIX_ENDS = "".join({p[-1] for p in _dates.PREFIXES})  # 年, 前: a date prefix can only end so


class Dispositions:
    """The checks for what is not a statistic (a mixin of the extractor's scan).

    Reads ``norm``, ``lex`` and ``published`` of the scan; ``month_context`` (the month of the last date,
    for a later 15日) is read and set.
    """

    norm: str
    lex: Lexicon
    published: date | None
    month_context: int | None

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
        return i < 0 or self.norm[i] in LINE_STARTS

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
        if re.search(r"截[至止]到?$", norm[max(0, begin - 3):begin]):
            as_of, kind = as_of_of(resolved, m)
            return Mention(begin, m.end(), "", "date", "date or period", as_of=as_of, date=resolved.text,
                           date_start=resolved.start, date_end=resolved.end, role="as_of", as_of_kind=kind)
        return Mention(begin, m.end(), "", "date", "date or period", date=resolved.text,
                       date_start=resolved.start, date_end=resolved.end, role="event")

    def _phone(self, start: int, floor: int) -> Mention | None:
        m = _PHONE.match(self.norm, start)
        if m and not self.norm[m.end():m.end() + 1] in ("万", "亿", ".") and (
            "-" in m.group() or self._unit_at(m.end())[0] == ""
        ):
            return Mention(start, m.end(), "", "code", "telephone number")
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
