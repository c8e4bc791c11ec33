"""format_value: numbers as a Chinese reader expects them (table-driven, cn2an style)."""

import math

import pytest

from analysis.publish.formatting import format_number, format_value

CASES = [
    # (value, unit, qualifier, expected)
    (42500, "个", "exact", "4.25万个"),
    (195000, "个", "exact", "19.5万个"),
    (10_000_000, "亩", "approx", "近1000万亩"),
    (180_000_000, "元", "lower_bound", "超1.8亿元"),
    (276_000_000_000, "元", "exact", "2760亿元"),
    (99.89, "%", "exact", "99.89%"),
    (100, "%", "exact", "100%"),
    (109951, "项", "exact", "109951项"),  # not 10.9951万: printed as the reader saw it
    (33569, "支", "exact", "33569支"),
    (5_372_000, "件", "exact", "537.2万件"),
    (60_000_000, "次", "lower_bound", "超6000万次"),
    (240300, "人", "exact", "24.03万人"),
    (1200, "户", "lower_bound", "超1200户"),
    (3, "个工作日", "exact", "3个工作日"),
    (10000, "人", "exact", "1万人"),
    (1_000_000_000_000, "元", "exact", "1万亿元"),
    (7.5e12, "元", "exact", "7.5万亿元"),
    (5, "%", "upper_bound", "不到5%"),
    (3.5, "", "exact", "3.5"),
    (1_234_567, "元", "exact", "123.4567万元"),
    (123456.789, "元", "exact", "12.35万元"),
    (17.6612, "个", "exact", "17.66个"),  # a rate per 10,000 residents
    (0.001234, "元", "exact", "0.00123元"),
    (-35000, "人", "exact", "-3.5万人"),
]


@pytest.mark.parametrize(("value", "unit", "qualifier", "expected"), CASES)
def test_format_value_reads_the_chinese_way(value, unit, qualifier, expected):
    assert format_value(value, unit, qualifier) == expected


@pytest.mark.parametrize(("qualifier", "expected"), [
    ("approx", "≈1000万亩"), ("lower_bound", ">1000万亩"), ("upper_bound", "<1000万亩"), ("exact", "1000万亩"),
])
def test_symbol_style_marks_the_qualifier_for_charts(qualifier, expected):
    assert format_value(10_000_000, "亩", qualifier, style="symbol") == expected


def test_range_shows_both_ends():
    assert format_value(30000, "户", "range", value_high=50000) == "3万–5万户"
    assert format_value(3, "%", "range", value_high=5.5) == "3–5.5%"


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_value_is_a_dash(missing):
    assert format_value(missing, "个") == "—"


def test_missing_unit_and_qualifier_are_tolerated():
    assert format_value(42500, math.nan, None) == "4.25万"


def test_float_noise_does_not_leak():
    assert format_value(0.1 + 0.2, "%") == "0.3%"
    assert format_number(4.25e4) == "4.25万"


def test_unknown_qualifier_and_style_are_rejected():
    with pytest.raises(ValueError, match="unknown qualifier"):
        format_value(1, "个", "roughly")
    with pytest.raises(ValueError, match="style"):
        format_value(1, "个", "exact", style="emoji")
