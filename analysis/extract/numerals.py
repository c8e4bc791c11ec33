"""The number grammar alone: one numeral string in, one exact ``Decimal`` out.

Handles Arabic digits (with ``,`` thousands separators and decimals, full-width or not), Chinese
numerals (三千七百, 一百零五, 十三万五, 二〇二一), financial numerals (壹贰叁), and multipliers written
after either (4.25万, 5.05万亿, 三千万). Qualifiers, units and percent signs are not this module's job.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from analysis.extract.normalize import normalize

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}  # fmt: skip
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
MULTIPLIER_CHARS = "十百千万亿"

_ARABIC = re.compile(r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?")


def parse_number(text: str) -> Decimal:
    """Return the exact value of one numeral string.

    >>> parse_number("4.25万")
    Decimal('42500')
    >>> parse_number("三千七百")
    Decimal('3700')
    >>> parse_number("１，２３４万")
    Decimal('12340000')
    >>> parse_number("1亿2000万")
    Decimal('120000000')

    余, 多 and 几 written inside the number (2760余亿, 6000多万) are read as the round number; the
    qualifier they carry is the extractor's business. Raises ``ValueError`` when ``text`` is not a number.
    """
    s = _APPROX_INSIDE.sub("", normalize(text.strip()))
    if not s:
        raise ValueError("empty numeral")
    return parse_normalised(s)


def parse_normalised(s: str) -> Decimal:
    """:func:`parse_number` for a numeral already normalised, stripped and free of 余/多/几.

    The extractor's number grammar hands over such strings; skipping the clean-up is what it saves.
    """
    head = _ARABIC.match(s)
    if head and head.end() == len(s):
        return exact(_arabic(head.group()))
    if head and all(c in MULTIPLIER_CHARS for c in s[head.end():]):
        return exact(_arabic(head.group()) * multiplier(s[head.end():]))
    if "点" in s:
        return exact(parse_chinese(s))
    return exact(_grouped(_tokens(s), s))


_APPROX_INSIDE = re.compile(r"(?<=[\d零〇一二三四五六七八九十百千万亿两])[余多几]")
_TOKEN = re.compile(r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?|.")


def _arabic(s: str) -> Decimal:
    return Decimal(s.replace(",", "").replace("，", ""))


# A Chinese numeral character as a token: a digit's value, or a multiplier as itself.
_CHAR_TOKENS: dict[str, int | str] = {**DIGITS, **{u: u for u in (*SMALL_UNITS, *BIG_UNITS)}}


def _tokens(s: str) -> list[Decimal | int | str]:
    """Digits as values (Arabic runs as Decimal, Chinese digit characters as int); multipliers as strings."""
    try:
        if s.isalpha():  # Chinese characters only (no Arabic run, point or separator): one token each
            return [_CHAR_TOKENS[char] for char in s]
        return [_arabic(piece) if piece[0].isdigit() else _CHAR_TOKENS[piece] for piece in _TOKEN.findall(s)]
    except KeyError:
        raise ValueError(f"not a number: {s!r}") from None


def multiplier(chars: str) -> Decimal:
    """Product of a run of multiplier characters: 万 -> 10000, 万亿 -> 10**12, 百万 -> 10**6."""
    value = Decimal(1)
    for char in chars:
        factor = SMALL_UNITS.get(char) or BIG_UNITS.get(char)
        if factor is None:
            raise ValueError(f"not a multiplier: {char!r}")
        value *= factor
    return value


def parse_chinese(s: str) -> Decimal:
    """Value of a Chinese numeral, with an optional decimal part after 点 (三点五万 = 35000)."""
    integer, point, fraction = s.partition("点")
    if point and not fraction:
        raise ValueError(f"nothing after the decimal point: {s!r}")
    if not fraction:
        return _grouped(_tokens(integer), s)
    digits = fraction.rstrip("万亿")
    scale = multiplier(fraction[len(digits):])
    if not integer or not digits or any(c not in DIGITS for c in digits):
        raise ValueError(f"not a number: {s!r}")
    frac = Decimal("0." + "".join(str(DIGITS[c]) for c in digits))
    return (_grouped(_tokens(integer), s) + frac) * scale


def _grouped(tokens: list[Decimal | int | str], s: str) -> Decimal:
    """The place-value reading of digits and multipliers: 三千七百 = 3*1000 + 7*100."""
    # Chinese digits are read with int arithmetic, several times faster than Decimal and exact; only a
    # value past the 28 digits of the Decimal context is read again in Decimal, which rounds there.
    value = _place_value(tokens, s, 0)
    if not isinstance(value, int):
        return value
    if value < _DECIMAL_LIMIT:
        return Decimal(value)
    return _place_value([Decimal(t) if isinstance(t, int) else t for t in tokens], s, Decimal(0))


_DECIMAL_LIMIT = 10**28


def _place_value(tokens: list[Decimal | int | str], s: str, zero: Decimal | int) -> Decimal | int:
    if not tokens:
        raise ValueError("empty numeral")
    if len(tokens) > 1 and str not in map(type, tokens):  # no multiplier among them
        # 二〇二一: digit by digit, as years and codes are written; 三五 (three to five) is no number
        if len(tokens) < 4 and "〇" not in s and "零" not in s or any(t > 9 for t in tokens):
            raise ValueError(f"digits without units: {s!r}")
        return Decimal("".join(str(t) for t in tokens))
    total = zero  # completed 亿 groups
    section = zero  # completed 万 groups below the current 亿
    group = zero  # below 万
    digit: Decimal | int | None = None
    last_unit = None  # the last multiplier seen, for the colloquial 十三万五 = 135000
    for token in tokens:
        if not isinstance(token, str):
            if digit is not None and token != 0 and digit != 0:
                raise ValueError(f"two digits in a row: {s!r}")
            digit = token
            continue
        if token in SMALL_UNITS:
            factor = SMALL_UNITS[token]
            if digit is None or factor == 10 and digit == 0:  # 零十 is 零一十: 一千零十 = 1010
                if factor != 10 or group % 100:  # a bare 十 means 10; a bare 百 is not a number
                    raise ValueError(f"multiplier without a digit: {s!r}")
                digit = zero + 1
            if group and group % (factor * 10) >= factor:
                raise ValueError(f"unit out of order: {s!r}")
            group += digit * factor
            digit = None
            last_unit = factor
            continue
        factor = BIG_UNITS[token]
        if digit:
            group += digit
        digit = None
        if group == 0 and section == 0 and (factor == 10**4 or total == 0):
            raise ValueError(f"multiplier without a digit: {s!r}")
        if factor == 10**4:
            section = (section + group) * factor
        else:
            total = (total + section + group) * factor
            section = 0
        group = zero
        last_unit = factor
    if digit:
        after_unit = len(tokens) > 1 and isinstance(tokens[-2], str)
        whole = isinstance(digit, int) or digit == digit.to_integral_value()
        if last_unit and last_unit >= 100 and after_unit and digit < 10 and whole:
            # 十三万五 = 135000, 三千五 = 3500: a trailing digit counts in the next unit down
            group += digit * (last_unit // 10)
        else:
            group += digit
    return total + section + group


_ONE = Decimal(1)


def exact(value: Decimal) -> Decimal:
    """Drop a meaningless exponent or trailing zeros (42500.00 -> 42500) without rounding.

    >>> exact(Decimal("4.25") * 10000)
    Decimal('42500')
    """
    text = str(value)
    if "." not in text and "E" not in text:  # exponent 0 already: nothing to drop (the common case)
        return value
    try:
        if value == value.to_integral_value():
            return value.quantize(_ONE)
        return value.normalize()
    except InvalidOperation:  # more digits than the context holds: leave as is
        return value
