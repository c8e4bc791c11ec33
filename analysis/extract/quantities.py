"""The quantity grammar: a numeral run read as a number with its multiplier, unit, range, compound and qualifier.

``NUMBER`` is the pattern of one number (Arabic or Chinese digits, a 余/多 inside or after it, multipliers
with pinyin glosses); the methods of :class:`Quantities` read what follows it (the unit, a second number
of a range, the second part of a compound such as 1小时37分钟) and what precedes it (a qualifier). The
value of a numeral string alone is :mod:`analysis.extract.numerals`'s job; whether a run is a statistic at
all is decided first by :mod:`analysis.extract.dispositions`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from analysis.extract.lexicon import NUMERAL_CHARS, Lexicon
from analysis.extract.mention import Mention
from analysis.extract.numerals import exact, multiplier, parse_normalised, parse_number

_CN = "零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
_GLOSS = r"(?:\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\))"
NUMBER = re.compile(
    rf"""
    (?P<core>(?:\d{{1,3}}(?:[,，]\d{{3}})+|\d+)(?:\.\d+)?
           |[{_CN}]+(?:点[零〇一二三四五六七八九]+)?)
    (?P<in1>[余多几])?
    (?P<mult>\x20?(?:[十百千万亿]{_GLOSS}?)+(?:\d+[千百十万](?:{_GLOSS})?)*(?:(?<=万)\d{{1,4}}(?![\d.,，]))?)?
    (?P<in2>[余多](?![少种样方元]))?
    """,
    re.VERBOSE,
)
# The grammar at a position, as a function for the scan's module: a method called on a name that module
# imports would be bound anew at every call (CPython compiles it as an attribute load, not a method call).
number_at = NUMBER.match
_GLOSS_RE = re.compile(_GLOSS)
_DANGLING = re.compile(r"[,，.]\d{0,2}\s*$")  # 1,2 or 3. at the very end: cut off mid-number
_RANGE_SEP = re.compile(r"(?:至|到|-)")
_RANGE_FIRST = frozenset("至到-")
_THRESHOLD_UNITS = frozenset({"岁"})
_SMALLER_UNIT = {"小时": ("分钟", 60)}  # 1小时37分钟 is recorded in the smaller unit
_TENTH_DIGITS = "〇一二三四五六七八九"
_PER_UNIT = {"百": "%", "千": "‰", "万": "‱"}  # 百分之, 千分之, 万分之
_CENT = Decimal("0.01")
_PLACE_CHARS = frozenset("十百千万亿拾佰仟")
_CLASSIFIERS_BEFORE_MONEY = frozenset("个枚")
_LIST_JOINERS = "、和及"
_LIST_MAX = 12
_DIGIT_VALUES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NOT_SHARED = frozenset({"年", "岁"})  # 2019、2020年 are dates; 60、70岁 an age bracket
_HALF_NEXT = frozenset("的左多以")  # what may follow the 半 of 三斤半 (三斤半的, 两米半左右); any other character opens a word


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


class Quantities:
    """The number grammar at a position of the scanned text (a mixin of the extractor's scan).

    Reads ``norm`` (the normalised text), ``text``, ``lex`` and ``text_end`` of the scan; the 单位：… scope
    of a bare number comes from :class:`analysis.extract.table_figures.TableFigures`, the subject from
    :class:`analysis.extract.subject.Subjects`.
    """

    norm: str
    text: str
    lex: Lexicon
    text_end: int

    def _cut_at_unit(self, start: int, match: re.Match) -> re.Match:
        """The number grammar at ``start``, ended where a unit beginning with a multiplier (千米, 千克) starts."""
        for pos in range(match.start("mult"), match.end("mult")):
            unit, _ = self._unit_at(pos)
            if unit and unit[0] in "十百千万亿":
                return NUMBER.match(self.norm, start, max(pos, match.end("core")))
        return match

    def _fraction(self, start: int, run_end: int) -> Mention | None:
        """A fraction in words: 百分之六十 (60 %), 千分之五 (5 ‰), 万分之三 (3 ‱), 三分之一 (33.33 %).

        ``norm[start:run_end]`` is the denominator, followed by 分之 and the numerator. A denominator of
        百, 千 or 万 names the unit; any other gives the share in per cent, to two decimals.
        """
        norm = self.norm
        denominator = norm[start:run_end]
        m = NUMBER.match(norm, run_end + 2)
        if not m or m.group("mult") and denominator not in _PER_UNIT:
            return None
        core = m.group("core")
        try:
            # 百分之百: a bare 十 or 百 is a number here
            value = parse_number("一" + core if core[0] in "十百" else core)
            if m.group("mult"):
                value = exact(value * multiplier(_plain(m.group("mult"))))
        except ValueError:
            return None
        unit = _PER_UNIT.get(denominator)
        if unit is None:
            try:
                whole = parse_number("一" + denominator if denominator[0] in "十百千万" else denominator)
            except ValueError:
                return None
            if not whole or value > whole:
                return None
            value, unit = exact((value * 100 / whole).quantize(_CENT)), "%"
        qualifier, q_start = self._qualifier_before(start)
        end = m.end("mult") if m.group("mult") else m.end("core")
        qualifier = qualifier or self._qualifier_after(end) or "exact"
        mention = Mention(start, end, "", "figure", "", value=value, unit=unit, unit_kind="percent",
                          qualifier=qualifier)
        self._fill_context(mention, q_start)
        return mention

    def _compound(self, start: int, match: re.Match, unit: str, unit_end: int) -> Mention | None:
        """A quantity written in two parts: 四个半小时 (4.5 小时), 2天半, 1小时37分钟 (97 分钟), 九成五 (95 %)."""
        norm, units = self.norm, self.lex.units
        entry = units[unit]
        nxt = norm[unit_end:unit_end + 1]
        end = 0
        if nxt == "半":
            after_half = norm[unit_end + 1:unit_end + 2]
            if unit == "个":  # 个半小时, 个半月: the half sits between the classifier and the unit
                found = self.lex.unit_pattern.match("个" + norm[unit_end + 1:unit_end + 5])
                if found and found.group() in units and units[found.group()].kind == "duration":
                    entry, end = units[found.group()], unit_end + len(found.group())
                elif not _is_han(after_half) or after_half in _HALF_NEXT:
                    end = unit_end + 1  # 两个半: two and a half
            elif entry.kind == "duration" or not _is_han(after_half) or after_half in _HALF_NEXT:
                # 三斤半, 两米半, 一吨半, 三成半; not 3台半自动 or 5家半价 (a word starts at 半)
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
        if found is None or found.group() in self.lex.unit_blockers:  # 城镇, 成员: no unit
            return "", 0
        return found.group(), found.end()

    def _shared_unit(self, end: int) -> tuple[str, str] | None:
        """The multiplier and unit a list of numbers shares, written after its last (0.15、-5.64、1.34个百分点).

        ``end``: where the first number ends, at a 、, 和 or 及. Every member must be an Arabic number
        (with its sign); a year or an age list (2019、2020年, 60、70岁) shares nothing.
        """
        norm = self.norm
        pos, last = end, None
        for _ in range(_LIST_MAX):  # a longer run of numbers is a series, not a list (and costs no more)
            if pos >= len(norm) or norm[pos] not in _LIST_JOINERS:
                break
            at = pos + 1
            if norm[at:at + 1] in "-−":
                at += 1
            last = NUMBER.match(norm, at)
            if last is None or not norm[at].isdigit():
                return None
            pos = last.end()
        else:
            return None
        unit, _ = self._unit_at(pos)
        if last is None or not unit or unit in _NOT_SHARED:
            return None
        return _plain(last.group("mult")), unit

    def _number(self, start: int, match: re.Match, unit_surface: str, unit_end: int,
                implied_one: bool = False) -> Mention:
        norm = self.norm
        core, mult, in1, in2 = match.group("core", "mult", "in1", "in2")
        if implied_one:
            core = "一" + core
        mult = _plain(mult) if mult else ""
        if len(core) > 15 and (core[0].isdigit() or not _PLACE_CHARS.intersection(core)):
            # a Chinese numeral with place values is as long as its value needs (一亿二千六百五十八万…)
            return Mention(start, match.end(), "", "code", "too many digits for a statistic")
        # Digits times whole multipliers and scales keep exponent 0, so exact() would return the same
        # Decimal: skip it (it costs a third of the number's arithmetic).
        integral = core.isdecimal() and (not mult or mult.isalpha())
        value_high = None
        rough = False
        if integral and not mult:
            value = Decimal(core)
        else:
            try:
                value = _value(core, mult)
            except ValueError:
                pair = _neighbour_digits(core + mult) if unit_surface else None
                if pair is None:
                    return Mention(start, match.end(), "", "bare", "not a well-formed number")
                value, value_high = pair  # 五六个, 三四十人: one number or the next, roughly
                rough = True
        end = match.end()
        inside = in1 or in2
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
        if unit_surface in _CLASSIFIERS_BEFORE_MONEY:  # 20个比特币: the currency is the unit
            money, money_end = self._unit_at(unit_end)
            if money and self.lex.units[money].kind == "money":
                unit_surface, unit_end = money, money_end
        elif not unit_surface and end < len(norm) and norm[end] in _LIST_JOINERS and norm[start].isdigit():
            shared = self._shared_unit(end)  # 0.15、-5.64、1.34个百分点: the list's unit is each one's
            if shared is not None:
                shared_mult, unit_surface = shared
                unit_end = end  # the unit is written after the list's last number, not here
                if shared_mult and not mult:
                    value = exact(value * multiplier(shared_mult))
                    integral = False
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
        qualifier = (qualifier or (self.lex.qualifiers["inside"].get(inside) if inside else "") or after_q
                     or ("approx" if rough else "exact"))
        # positional: keywords cost as much again as the construction itself
        mention = Mention(start, end, "", disposition, reason, value if integral else exact(value),
                          exact(value_high) if value_high is not None else None, unit, kind, qualifier)
        if disposition == "figure":
            self._fill_context(mention, q_start)
        return mention

    def _qualifier_before(self, start: int, position: str = "before") -> tuple[str, int]:
        """The qualifier written right before ``start`` and where it starts; a link word may stand between
        a ``before`` qualifier and the number (至少有5个, 约合人民币3000元)."""
        if start:
            norm = self.norm
            index = self.lex.qualifier_index
            prev = norm[start - 1]
            for length, word, qualifier in index[position].get(prev, ()):
                if start >= length and norm.startswith(word, start - length):
                    return qualifier, start - length
            links = index["link"].get(prev) if position == "before" else None
            if links:  # most numbers have neither a qualifier nor a link word before them
                for length, word, _ in links:
                    if start > length and norm.startswith(word, start - length):
                        found = self._qualifier_before(start - length, "linked")
                        if found[0]:
                            return found
        return "", start

    def _qualifier_after(self, end: int) -> str:
        norm = self.norm
        for _, word, qualifier in self.lex.qualifier_index["after"].get(norm[end:end + 1], ()):
            if norm.startswith(word, end):
                return qualifier
        return ""


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


_NEIGHBOURS = re.compile(r"([一二两三四五六七八])([二两三四五六七八九])([十百千万亿]*)")


def _neighbour_digits(numeral: str) -> tuple[Decimal, Decimal] | None:
    """Two neighbouring digits for a rough count: 五六 -> (5, 6), 三四十 -> (30, 40), 二三十万 -> (200000, 300000)."""
    m = _NEIGHBOURS.fullmatch(numeral)
    if m is None:
        return None
    low, high = _DIGIT_VALUES[m.group(1)], _DIGIT_VALUES[m.group(2)]
    if high != low + 1:
        return None
    scale = multiplier(m.group(3)) if m.group(3) else Decimal(1)
    return Decimal(low) * scale, Decimal(high) * scale


def _plain(mult: str | None) -> str:
    """A multiplier run without pinyin glosses or spaces: ' 万(wàn)亿' -> '万亿'."""
    if not mult:
        return ""
    if "(" not in mult and " " not in mult:
        return mult
    return _GLOSS_RE.sub("", mult).strip()
