"""The extractor's shortcuts give what the long way gives.

Each shortcut of the speed work stands in for a slower, plainer computation; these tests hold them
to it: the affix gate never turns away a window the rules' search would match, normalising scans a
text once but maps it as ``str.translate`` does, Chinese numerals read in int arithmetic agree with
the place values, the month table agrees with the calendar, ``exact`` keeps values.
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.extract import lexicon
from analysis.extract.dates import _last_day
from analysis.extract.figures import extract
from analysis.extract.normalize import TABLE, normalize
from analysis.extract.numerals import exact, parse_number

SETTINGS = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


# -- the affix rules' gate --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("第", {"第"}),
        ("(?:拨打|致电)[:：]?", {"打", "电", ":", "："}),
        ("[A-Ca-b]-?", {"A", "B", "C", "a", "b", "-"}),
        ("(?<=\\d[×x])", {"×", "x"}),  # a lookbehind at the end fixes the last character
        ("(?:^|(?<=[。，]))", {"。", "，"}),  # ^ at the end: only an empty window, which passes
    ],
)
def test_last_chars_of_known_patterns(pattern: str, expected: set[str]) -> None:
    chars, space, digit = lexicon._last_chars(pattern)
    assert chars == expected and not space and not digit


@pytest.mark.parametrize(
    "pattern",
    [
        "a?",  # may match nothing: any character may precede
        "[^a]",  # a negated set
        ".",
        "(?i)a",  # case folding would add characters
        "x(?=y)",  # a lookahead at the end looks past the window
        "a$",
        "a\\b",
    ],
)
def test_last_chars_give_up_on_what_they_cannot_bound(pattern: str) -> None:
    assert lexicon._last_chars(pattern) is None


def test_last_chars_record_classes_as_flags() -> None:
    assert lexicon._last_chars("[，\\s]") == ({"，"}, True, False)
    assert lexicon._last_chars("号\\d") == (set(), False, True)


def test_one_unknown_pattern_turns_the_gate_off() -> None:
    assert lexicon._before_last(["第", "a*"]) is None
    gate = lexicon._before_last(["第", "[数几]"])
    assert gate is not None and gate[0] == frozenset("第数几\n")


_WINDOW_CHARS = st.sampled_from(
    list("第党的拨打致电热线话号码数几年届中大是AGxXz-:：〔〕［］[]×*。；;，,“”\n \t\u3000")
    + list("0123456789一二三四五六七八九十百千万亿截至今前统进步累计共达到为了")
)


@SETTINGS
@given(st.lists(_WINDOW_CHARS, max_size=4).map("".join))
def test_before_gate_never_turns_away_a_matching_window(window: str) -> None:
    lex = lexicon.load()
    chars, space, digit = lex.before_last
    last = window[-1:]
    passes = not last or last in chars or space and last.isspace() or digit and last.isdecimal()
    if not passes:
        assert lex.any_before.search(window) is None


def test_before_gate_is_on_for_the_shipped_rules() -> None:
    # if a rule the analysis cannot bound is added, the gate turns off and every window is searched
    assert lexicon.load().before_last is not None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("届", ({"届"}, False, False)),
        ("(?:服务|便民)?(?:热线|专线)", ({"服", "便", "热", "专"}, False, False)),  # an optional head adds the next
        ("(?=[×x]\\d)", ({"×", "x"}, False, False)),  # a lookahead at the start fixes the first character
        ("[］\\]](?!\\d*号)", ({"］", "]"}, False, False)),
        ("\\s*年", ({"年"}, True, False)),
        ("(?<=a)b", ({"b"}, False, False)),  # a lookbehind at the start says nothing about it
    ],
)
def test_first_chars_of_known_patterns(pattern: str, expected) -> None:
    assert lexicon._first_chars(pattern) == expected


@pytest.mark.parametrize("pattern", ["a?", "[^a]", ".", "(?i)a", "^a", "\\ba", "(?=a?)b"])
def test_first_chars_give_up_on_what_they_cannot_bound(pattern: str) -> None:
    assert lexicon._first_chars(pattern) is None


_AFTER_CHARS = st.sampled_from(
    list("届中全会大热线专服务电话AGxX×*]］〕号是年来以内平均间期行动计划周千伏变电站所示列")
    + list("0123456789一二三十百千万亿元个%人 \n\t\u3000，。")
)


@SETTINGS
@given(st.lists(_AFTER_CHARS, max_size=8).map("".join))
def test_after_gate_never_turns_away_a_matching_position(text: str) -> None:
    lex = lexicon.load()
    chars, space, digit = lex.after_first
    first = text[:1]
    if not (first in chars or space and first.isspace() or digit and first.isdecimal()):
        assert lex.any_after.match(text) is None


def test_after_gate_is_on_for_the_shipped_rules() -> None:
    # if a rule the analysis cannot bound is added, the gate turns off and every number is matched
    assert lexicon.load().after_first is not None


@pytest.mark.parametrize(
    ("text", "disposition"),
    [
        ("市民可拨打12345反映问题", "code"),
        ("拨打12345热线", "code"),
        ("建成500千伏变电站", "name"),
        ("庆祝建党100周年", "name"),
        ("入选第3批名单", "ordinal"),
        ("抗击COVID-19疫情", "code"),
        ("提供7×24小时服务", "word"),
        ("重点有三：一是抓落实", "list_marker"),
        ("一是抓落实", "list_marker"),
    ],
)
def test_affix_rules_still_fire_behind_the_gate(text: str, disposition: str) -> None:
    digits = [m for m in extract(text) if any(c.isdigit() or c in "一" for c in m.surface)]
    assert digits[0].disposition == disposition, digits


# -- units by first character ------------------------------------------------------------------------
_UNIT_TEXT = st.lists(st.one_of(st.sampled_from(sorted(lexicon.load().units)),
                                st.sampled_from(list("千万亿瓦时标准煤的人次 12"))), max_size=6).map("".join)


@SETTINGS
@given(_UNIT_TEXT, st.integers(0, 8))
def test_units_by_first_char_match_as_the_whole_alternation_does(text: str, pos: int) -> None:
    lex = lexicon.load()
    plain = lex.unit_pattern.match(text, pos)
    units = lex.units_by_first.get(text[pos:pos + 1])
    fast = units.match(text, pos) if units is not None else None
    assert (fast and fast.group()) == (plain and plain.group())


def test_every_unit_is_reachable_by_its_first_char() -> None:
    lex = lexicon.load()
    for unit in lex.units:
        assert lex.units_by_first[unit[0]].match(unit).group() == lex.unit_pattern.match(unit).group()


# -- normalising in one scan --------------------------------------------------------------------------
_MAPPED = [chr(code) for code in TABLE]
_TEXT_CHARS = st.one_of(st.sampled_from(_MAPPED), st.sampled_from(list("，。的是了一二三12ab\n")))


@SETTINGS
@given(st.lists(_TEXT_CHARS, min_size=0, max_size=9000).map("".join))
def test_normalize_maps_as_translate_does(text: str) -> None:
    assert normalize(text) == text.translate(TABLE)


@pytest.mark.parametrize("mapped_every", [1, 3, 40, 5000])
def test_normalize_long_text_either_side_of_the_probe(mapped_every: int) -> None:
    # dense text goes through translate, sparse text through the replacement, both past 4,096 chars
    text = "".join("１" if i % mapped_every == 0 else "的" for i in range(10_000))
    assert normalize(text) == text.translate(TABLE)


# -- numbers ---------------------------------------------------------------------------------------
def _chinese(n: int) -> str:
    digits, units = "零一二三四五六七八九", ["", "十", "百", "千"]
    out, zero = "", False
    for power in range(3, -1, -1):
        d = n // 10**power % 10
        if d:
            out += ("零" if zero and out else "") + digits[d] + units[power]
            zero = False
        else:
            zero = True
    return out


@SETTINGS
@given(st.integers(1, 9999), st.integers(0, 9999), st.integers(0, 9999))
def test_chinese_numerals_read_with_ints(yi: int, wan: int, rest: int) -> None:
    text = _chinese(yi) + "亿"
    if wan:
        text += ("零" if wan < 1000 else "") + _chinese(wan) + "万"
    if rest:
        text += ("零" if rest < 1000 or not wan else "") + _chinese(rest)
    value = parse_number(text)
    assert value == yi * 10**8 + wan * 10**4 + rest
    assert value.as_tuple().exponent == 0


def test_chinese_numeral_past_decimal_precision_keeps_decimal_rounding() -> None:
    # 29 significant digits: Decimal arithmetic (28 digits) rounds, and the reading stays the same
    value = parse_number("九千九百九十九万亿亿亿")
    assert value == Decimal("9.999E+31")


@pytest.mark.slow
@SETTINGS
@given(st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: len(d.as_tuple().digits) <= 28))
def test_exact_keeps_the_value_and_drops_only_noise(value: Decimal) -> None:
    result = exact(value)
    assert result == value
    if result == result.to_integral_value():
        assert result.as_tuple().exponent == 0
    else:
        assert result.as_tuple().digits[-1] != 0  # no trailing zero after the point


# -- dates -----------------------------------------------------------------------------------------
def test_month_lengths_match_the_calendar() -> None:
    for year in range(1900, 2101):
        for month in range(1, 13):
            assert _last_day(year, month) == calendar.monthrange(year, month)[1]


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_out_of_range_is_rejected(month: int) -> None:
    with pytest.raises(ValueError):
        _last_day(2021, month)


def test_words_found_around_the_numeral_that_starts_the_token() -> None:
    # the numeral opens the word (一网通办), sits inside it (统一, 最后一公里), or is one of two (三会一课)
    found = [(m.surface, m.disposition) for m in extract("要进一步统一标准，打通最后一公里，推行一网通办和三会一课。")]
    assert found == [("进一步", "word"), ("统一", "word"), ("最后一公里", "idiom"), ("一网通办", "name"),
                     ("三会一课", "name")]


def test_subject_skips_filler_and_trailing_verb() -> None:
    figure = next(m for m in extract("截至目前，累计新建驿站达到120个。") if m.disposition == "figure")
    assert figure.subject == "新建驿站"
    assert re.fullmatch(r"\d+个", figure.surface)


# -- the table gate's double-space test ------------------------------------------------------------------
@SETTINGS
@given(st.lists(st.sampled_from(list("  表12年，\n\u3000")), max_size=12).map("".join), st.integers(0, 12))
def test_double_space_by_single_finds_is_the_two_char_find(text: str, lo: int) -> None:
    from analysis.extract.tabular import _has_double_space

    assert _has_double_space(text, lo) == (text.find("  ", lo) >= 0)


# -- the gates as one set each ------------------------------------------------------------------------
def test_no_whitespace_above_the_ideographic_space() -> None:
    # _spelled_out lists whitespace only up to U+3000
    assert max(i for i in range(0x110000) if chr(i).isspace()) == lexicon._LAST_SPACE


@SETTINGS
@given(st.one_of(_WINDOW_CHARS, _AFTER_CHARS, st.characters(), st.just("")))
def test_spelled_out_gates_let_through_what_the_three_tests_do(char: str) -> None:
    lex = lexicon.load()
    for gate, spelled, empty in ((lex.before_last, lex.before_gate, True), (lex.after_first, lex.after_gate, False)):
        chars, space, digit = gate
        passes = (empty and not char) or char in chars or space and char.isspace() or digit and char.isdecimal()
        assert (char in spelled) == passes


def test_spelled_out_digits_are_every_decimal() -> None:
    spelled = lexicon._spelled_out((frozenset("a"), False, True))
    assert "a" in spelled and "7" in spelled and "٣" in spelled and "x" not in spelled and " " not in spelled


def test_special_units_are_the_units_either_unit_test_looks_for() -> None:
    lex = lexicon.load()
    assert lex.special_units == lex.compound_openers | lex.arabic_only_units | lex.unit_blockers


# -- tables one cell a line, and the table gate ------------------------------------------------------
@SETTINGS
@given(st.text(alphabet="vdt", min_size=1, max_size=60), st.data())
def test_cell_lines_shortcut_finds_what_the_plain_search_does(kinds: str, data) -> None:
    from analysis.extract.cell_lines import find_layout, find_layout_plain

    numbers = [data.draw(st.one_of(st.none(), st.integers(1, 4))) if k == "v" else None for k in kinds]
    anchor = data.draw(st.integers(0, len(kinds) - 1))
    assert find_layout(kinds, numbers, anchor) == find_layout_plain(kinds, numbers, anchor)


_TABLE_TEXT = st.lists(st.sampled_from(["北京", "12", "3.5%", "万人", "序号", "—", "城镇 万人 5.2 7.23", "浙  江  1  2",
                                        "| 指标 | 1.2 |", "|", "新增就业12万人。", "\u3000\u3000全年增长5%", ""]),
                       max_size=30).map("\n".join)


@SETTINGS
@given(_TABLE_TEXT, st.integers(0, 40))
def test_table_gate_never_turns_away_a_table(text: str, lo: int) -> None:
    from unittest import mock

    from analysis.extract import tabular
    from analysis.extract.lexicon import load as load_lexicon

    lo = text.rfind("\n", 0, min(lo, len(text))) + 1  # the reader starts at a line

    def cells(plain: bool) -> list:
        reader = tabular.TableReader(normalize(text), text, load_lexicon(), lambda start, end: ("", ""))
        with mock.patch.object(tabular, "might_hold_tables", (lambda norm, lo: True) if plain else tabular.might_hold_tables), \
                mock.patch.object(tabular.TableReader, "_next_start",
                                  (lambda self, pos: pos) if plain else tabular.TableReader._next_start):
            reader.read(tabular.TableState(), lo, len(text))
        return [(c.start, c.end, c.role, c.unit) for c in reader.cells]

    # the gate and the skip to the next table mark turn away only lines no table can start at
    assert cells(plain=False) == cells(plain=True)
