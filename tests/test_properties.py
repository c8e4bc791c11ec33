"""Property tests (hypothesis) for the number grammar and the extractor.

* Round trips: a random number written in any style the genre uses (Arabic with or without
  thousands separators, full-width digits, 万/亿/万亿 multipliers, Chinese and financial numerals,
  years digit by digit) parses back to the same ``Decimal``.
* ``extract`` never raises on arbitrary Unicode, returns spans that are slices of the text, in
  order, and accounts for every numeral character exactly once (the mentions ledger).
* Adversarial inputs (long runs of digits, 万, 、，, 一二三 ...) cost work proportional to their
  length: measured by counting interpreter calls on inputs of two sizes, never by a clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

NUMERAL_CHARS = frozenset(
    "0123456789０１２３４５６７８９"
    "〇零一二三四五六七八九十百千万亿两"
    "壹贰叁肆伍陆柒捌玖拾佰仟萬億兩"
)
DISPOSITIONS = {"figure", "date", "code", "ordinal", "name", "idiom", "word", "list_marker",
                "timestamp", "bare", "truncated"}
QUALIFIERS = {"exact", "approx", "lower_bound", "upper_bound"}
UNIT_KINDS = {"count", "money", "people", "area", "length", "weight", "percent", "duration",
              "frequency", "volume", "other"}

SETTINGS = settings(deadline=None, max_examples=120,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def parse_number(text: str) -> Decimal:
    from analysis.extract.numerals import parse_number as parse

    return parse(text)


def extract(text: str, published: date | None = date(2021, 12, 1)) -> list:
    from analysis.extract.figures import extract as run

    return run(text, published)


# --- writing numbers the way reports do --------------------------------------------------------
CN_DIGITS = "零一二三四五六七八九"
FIN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _section(n: int, digits: str, units: tuple[str, str, str]) -> str:
    """0 < n < 10000 in Chinese numerals, with 零 for inner gaps (一千零五, 三千零五十)."""
    out, gap, started = [], False, False
    for d, unit in zip(f"{n:04d}", (*units, "")):
        if d == "0":
            gap = gap or started
            continue
        if gap:
            out.append(digits[0])
            gap = False
        out.append(digits[int(d)] + unit)
        started = True
    return "".join(out)


def to_chinese(n: int, financial: bool = False) -> str:
    """Standard Chinese numeral for 0 <= n < 10**12 (12 -> 十二 / 壹拾贰, 10001 -> 一万零一)."""
    digits = FIN_DIGITS if financial else CN_DIGITS
    units = ("仟", "佰", "拾") if financial else ("千", "百", "十")
    if n == 0:
        return digits[0]
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        text = to_chinese(high, financial) + "亿"
        if low:
            text += (digits[0] if low < 10**7 else "") + to_chinese(low, financial)
        return text
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        text = _section(high, digits, units) + "万"
        if low:
            text += (digits[0] if low < 1000 else "") + _section(low, digits, units)
        return text
    return _section(n, digits, units)


def colloquial_ten(text: str) -> str:
    # Everyday writing drops the leading 一 of 一十 (十二, 十三万), never an inner one (一百一十).
    return text[1:] if text.startswith("一十") else text


def plain(d: Decimal) -> str:
    """A Decimal as report text: no exponent, no trailing zeros after the point."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@st.composite
def written_numbers(draw) -> tuple[str, Decimal]:
    style = draw(st.sampled_from(
        ["arabic", "separators", "full_width", "full_width_separators", "multiplier",
         "multiplier_separators", "chinese", "chinese_colloquial", "chinese_liang", "financial",
         "year_digits", "decimal", "abbreviated"]))
    n = draw(st.integers(min_value=0, max_value=10**12 - 1))
    if style == "arabic":
        return str(n), Decimal(n)
    if style == "separators":
        return f"{n:,}", Decimal(n)
    if style == "full_width":
        return str(n).translate(FULL_WIDTH), Decimal(n)
    if style == "full_width_separators":
        return f"{n:,}".replace(",", "\x00").translate(FULL_WIDTH).replace("\x00", ","), Decimal(n)
    if style in {"multiplier", "multiplier_separators"}:
        mult, scale = draw(st.sampled_from([("万", 10**4), ("亿", 10**8), ("万亿", 10**12),
                                            ("千万", 10**7), ("百万", 10**6)]))
        mantissa = Decimal(draw(st.integers(min_value=1, max_value=99_999))) / 100
        text = plain(mantissa)
        if style == "multiplier_separators":
            whole, _, frac = text.partition(".")
            text = f"{int(whole):,}" + (f".{frac}" if frac else "")
        return text + mult, mantissa * scale
    if style == "chinese":
        return to_chinese(n), Decimal(n)
    if style == "chinese_colloquial":
        return colloquial_ten(to_chinese(n)), Decimal(n)
    if style == "chinese_liang":
        m = 2 * 10 ** draw(st.sampled_from([2, 3, 4, 8])) + draw(st.integers(0, 99))
        return "两" + to_chinese(m)[1:], Decimal(m)
    if style == "financial":
        return to_chinese(n, financial=True), Decimal(n)
    if style == "year_digits":
        year = draw(st.integers(min_value=1900, max_value=2099))
        return "".join("〇一二三四五六七八九"[int(c)] for c in str(year)), Decimal(year)
    if style == "abbreviated":
        # 三千五 = 3500, 一万五 = 15000, 十三万五 = 135000: a trailing digit takes the next unit down.
        k = draw(st.sampled_from([2, 3, 4]))
        lead = draw(st.integers(min_value=1, max_value=99 if k == 4 else 9))
        tail = draw(st.integers(min_value=1, max_value=9))
        text = colloquial_ten(to_chinese(lead * 10**k)) + CN_DIGITS[tail]
        return text, Decimal(lead * 10**k + tail * 10 ** (k - 1))
    whole = draw(st.integers(min_value=0, max_value=10**6))
    frac = draw(st.integers(min_value=1, max_value=99))
    d = Decimal(whole) + Decimal(frac) / 100
    return plain(d), d


def test_chinese_formatter_matches_hand_written_forms():
    # The generator must itself be right, or the round trip proves nothing.
    assert to_chinese(1005) == "一千零五"
    assert to_chinese(3050) == "三千零五十"
    assert to_chinese(10001) == "一万零一"
    assert to_chinese(100300) == "一十万零三百"
    assert colloquial_ten(to_chinese(130000)) == "十三万"
    assert to_chinese(350000000) == "三亿五千万"
    assert to_chinese(100010000) == "一亿零一万"
    assert to_chinese(5 * 10**11) == "五千亿"
    assert to_chinese(1234, financial=True) == "壹仟贰佰叁拾肆"
    assert plain(Decimal("4.250")) == "4.25"
    assert colloquial_ten(to_chinese(130000)) + "五" == "十三万五"


@SETTINGS
@given(written_numbers())
def test_written_number_parses_back(case):
    text, expected = case
    assert parse_number(text) == expected, text


# --- extract on arbitrary and on genre-like text ---------------------------------------------------
GENRE_FRAGMENTS = [
    "截至10月末，", "截至目前，", "累计", "全省", "新增就业", "近", "超", "约", "逾", "不到",
    "余", "多", "以上", "左右", "以内", "万", "亿", "万亿", "千", "百", "十", "个", "台", "户",
    "人次", "元", "%", "％", "个百分点", "12345热线", "十九届六中全会", "第一次", "最后一公里",
    "统一", "进一步", "（1）", "一、", "1.", "2022-01-25 15:29", "11月25日", "今年5月", "3至5",
    "—", "-", "～", "，", "、", "。", "\n", "\u3000", " ", "4.25", "1,234", "１２３．４", "三千七百",
    "两万", "百分之九十", "〇", "二〇二一", "萬", "億", "個", "餘", "壹", "拾", "单位：万元",
    "七台河", "四川", "5G", "吉林：", "黑龙江", "0", "9", "00", ".", ",", "(", ")", "第",
]
genre_text = st.lists(
    st.one_of(st.sampled_from(GENRE_FRAGMENTS),
              st.integers(min_value=0, max_value=10**9).map(str),
              st.text(alphabet="0123456789.,万亿余多", max_size=6)),
    max_size=60,
).map("".join)
any_text = st.text(max_size=300)
published_dates = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1),
                                                 max_value=date(2035, 12, 31)))


def check_ledger(text: str, mentions: list) -> None:
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.surface
        assert m.start >= previous_end, "mentions overlap or are out of order"
        previous_end = m.end
        assert m.disposition in DISPOSITIONS
        if m.disposition == "figure":
            assert isinstance(m.value, Decimal)
            assert m.qualifier in QUALIFIERS
            assert m.unit_kind in UNIT_KINDS
            if m.value_high is not None:  # a range: its high end lies above its low end
                assert m.value_high > m.value
    covered = [0] * len(text)
    for m in mentions:
        for i in range(m.start, m.end):
            covered[i] += 1
    missing = [(i, ch) for i, ch in enumerate(text) if ch in NUMERAL_CHARS and covered[i] != 1]
    assert missing == [], text


@SETTINGS
@given(any_text, published_dates)
def test_extract_never_raises_on_arbitrary_text(text, published):
    check_ledger(text, extract(text, published))


@SETTINGS
@given(genre_text, published_dates)
def test_extract_ledger_on_generated_genre_text(text, published):
    check_ledger(text, extract(text, published))


@settings(deadline=None, max_examples=40)
@given(genre_text)
def test_extract_is_deterministic(text):
    first = [(m.start, m.end, m.disposition, m.value, m.unit, m.qualifier) for m in extract(text)]
    second = [(m.start, m.end, m.disposition, m.value, m.unit, m.qualifier) for m in extract(text)]
    assert first == second


# --- adversarial inputs: work grows linearly with length ----------------------------------------
ADVERSARIAL_UNITS = ["1", "9,", "1.", "万", "亿", "万亿", "一二三", "十", "一万", "、", "，",
                     "、1", "1万", "约", "余", "第", "（1）", "3至", "百分之", "截至10月末，",
                     "12345热线", "1,234", "１２３", "壹拾", "零", "－1"]


def call_count(text: str) -> int:
    """Python and builtin calls made while extracting ``text``: a clock-free measure of work."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    extract(text)  # warm caches (lexicon loading, compiled patterns) outside the measurement
    sys.setprofile(profile)
    try:
        extract(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_work_grows_linearly_on_runs(unit):
    small, large = unit * 150, unit * 1200  # 8x longer
    ratio = call_count(large) / max(call_count(small), 1)
    # Linear work gives ~8; quadratic would give ~64. Allow 2x slack for constant overheads.
    assert ratio <= 16, f"{unit!r}: 8x longer input costs {ratio:.1f}x the calls"


@pytest.mark.parametrize("unit", ["1", "万", "、", "，", "一二三", "1,", "十万"])
def test_long_runs_finish_and_keep_ledger(unit):
    # Runs long enough to hit int()'s 4300-digit limit and any catastrophic regex backtracking.
    # Run in a child so a hang fails this test instead of the whole suite (a guard, not a timing).
    code = textwrap.dedent(f"""
        from analysis.extract.figures import extract
        text = {unit!r} * 6000
        mentions = extract(text)
        assert all(text[m.start:m.end] == m.surface for m in mentions)
        print(len(mentions))
    """)
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"extract on {unit!r} * 6000 did not finish within 300 s")
    assert done.returncode == 0, done.stderr[-2000:]


# --- the rest of the path: reader, segmenter, table builders -------------------------------------
@SETTINGS
@given(st.one_of(any_text, genre_text))
def test_segment_spans_stay_inside_and_in_order(text):
    from analysis.extract.segment import segment

    seg = segment(text)
    for group in (seg.paragraphs, seg.sentences, seg.sections):
        previous_end = 0
        for span in group:
            assert previous_end <= span.start <= span.end <= len(text)
            previous_end = span.end
    section_ids = {s.index for s in seg.sections} | {0}
    assert all(s.section in section_ids for s in seg.sentences)


@pytest.mark.slow
@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(genre_text)
def test_every_table_row_points_at_its_surface(text):
    from analysis.tables.build import TextSource, build_tables

    source = TextSource("fuzz", text, date(2021, 12, 1))
    tables = build_tables(source)
    for name in ("figures", "dates", "mentions"):
        for start, end, surface in tables[name][["span_start", "span_end", "surface"]].itertuples(
                index=False):
            assert text[start:end] == surface, name
    for start, end, sentence in tables["sentences"][["span_start", "span_end", "text"]].itertuples(
            index=False):
        assert text[start:end] == sentence
    again = build_tables(source)
    assert all(tables[name].equals(again[name]) for name in tables)


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=400),
    genre_text.map(lambda t: t.encode("gb18030")),
    genre_text.map(lambda t: t.encode("utf-16")),
    genre_text.map(lambda t: t.encode("utf-8")[:-1]),  # cut inside a multi-byte character
))
def test_reader_returns_text_or_a_clear_input_error(data):
    import tempfile

    from analysis.errors import InputError
    from analysis.raw.decode import read_text

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.txt"
        path.write_bytes(data)
        try:
            decoded = read_text(path)
        except InputError as err:
            assert "\n" not in str(err) and str(path) in str(err)
        else:
            assert isinstance(decoded.text, str) and decoded.text.strip()
            check_ledger(decoded.text, extract(decoded.text))
