"""Arithmetic checks: a report's figures against each other, within the rounding the report prints.

Every report here is invented for these tests (a county that does not exist, figures made up so they
add up); the genre set's reports (benchmarks/genre/) were written for the benchmarks, likewise.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.raw.census import load_provinces
from analysis.tables.arithmetic import arithmetic_checks, column_role, half_unit
from analysis.tables.build import TextSource, build_tables
from analysis.tables.enrich import enrich

ROOT = Path(__file__).resolve().parents[1]
GENRE = ROOT / "benchmarks" / "genre"

BULLETIN = """青川县2021年国民经济和社会发展统计公报

表1　2021年各乡镇主要指标
| 乡镇 | 户籍人口（万人） | 粮食产量（吨） | 比上年增长(%) |
| 全县 | 32.6 | 15840 | 2.1 |
| 城关镇 | 8.4 | 2310 | 1.5 |
| 东河镇 | 6.1 | 3620 | 2.8 |
| 西岭乡 | 5.3 | 2980 | 1.9 |
| 南坪乡 | 7.2 | 4105 | 2.4 |
| 北山乡 | 5.6 | 2825 | 1.7 |

表2　2021年一般公共预算支出
| 项目 | 支出（万元） | 比重（%） |
| 一般公共预算支出 | 28640 | 100.0 |
| 其中：教育 | 7520 | 26.3 |
| 社会保障和就业 | 5130 | 17.9 |
| 卫生健康 | 3380 | 11.8 |
| #公立医院 | 1210 | 4.2 |

表3　各乡镇农村危房改造进展
| 乡镇 | 年度任务（户） | 已完成（户） | 完成率 |
| 城关镇 | 120 | 126 | 105.0% |
| 东河镇 | 95 | 88 | 92.6% |
| 西岭乡 | 80 | 80 | 100% |
| 合计 | 295 | 294 | 99.7% |

表4　主要农产品产量
| 产品 | 本年 | 上年 | 增长(%) |
| 茶叶（吨） | 1260 | 1150 | 9.6 |
| 中药材（吨） | 3420 | 3610 | -5.3 |

　　全县地区生产总值由2020年的118.4亿元增加到126.9亿元，增长7.2%。城镇常住人口从15.2万人增加到15.8万人，增加0.6万人。全县二氧化硫排放量由1260吨下降到1180吨，下降6.3%。
"""

# (kind, formula) of every check the bulletin allows, in text order of the figure checked
EXPECTED = [
    ("total", "32.6 = 8.4 + 6.1 + 5.3 + 7.2 + 5.6"),
    ("total", "15840 = 2310 + 3620 + 2980 + 4105 + 2825"),
    ("share", "26.3 = 7520 / 28640 × 100"),
    ("share", "17.9 = 5130 / 28640 × 100"),
    ("share", "11.8 = 3380 / 28640 × 100"),
    ("share", "4.2 = 1210 / 28640 × 100"),
    ("completion_rate", "105.0% = 126 / 120"),
    ("completion_rate", "92.6% = 88 / 95"),
    ("completion_rate", "100% = 80 / 80"),
    ("total", "295 = 120 + 95 + 80"),
    ("total", "294 = 126 + 88 + 80"),
    ("completion_rate", "99.7% = 294 / 295"),
    ("growth", "9.6 = (1260 / 1150 - 1) × 100"),
    ("growth", "-5.3 = (3420 / 3610 - 1) × 100"),
    ("growth", "7.2% = 126.9亿元 / 118.4亿元 - 1"),
    ("growth", "0.6万人 = 15.8万人 - 15.2万人"),
    ("growth", "6.3% = 1180吨 / 1260吨 - 1"),
]


def tables_of(text: str, doc_id: str = "qingchuan") -> dict[str, pd.DataFrame]:
    return enrich(build_tables(TextSource(doc_id, text, dt.date(2022, 3, 1))), load_provinces())


def test_every_check_the_bulletin_allows_is_made_and_holds():
    checks = tables_of(BULLETIN)["checks"]
    assert list(zip(checks["kind"], checks["formula"])) == EXPECTED
    assert checks["holds"].all()
    assert checks["check"].tolist() == list(range(len(EXPECTED)))
    first = checks.iloc[0]  # 32.6 万人 is 325,500 to 326,500; so is each part to its own 500
    assert (first["reported"], first["expected"], first["tolerance"], first["unit"]) == (326000, 326000, 3000, "人")
    rate = checks[checks["formula"] == "92.6% = 88 / 95"].iloc[0]  # households are counted: only the rate rounds
    assert rate["tolerance"] == pytest.approx(0.05) and rate["difference"] == pytest.approx(92.6 - 88 / 95 * 100)


@pytest.mark.parametrize("cell, misread, failing", [
    ("| 东河镇 | 95 | 88 | 92.6% |", "| 东河镇 | 95 | 98 | 92.6% |", ["92.6% = 98 / 95", "294 = 126 + 98 + 80"]),
    ("| 南坪乡 | 7.2 | 4105 | 2.4 |", "| 南坪乡 | 7.2 | 4150 | 2.4 |", ["15840 = 2310 + 3620 + 2980 + 4150 + 2825"]),
    ("| 卫生健康 | 3380 | 11.8 |", "| 卫生健康 | 3830 | 11.8 |", ["11.8 = 3830 / 28640 × 100"]),
    ("| 茶叶（吨） | 1260 | 1150 | 9.6 |", "| 茶叶（吨） | 1260 | 1510 | 9.6 |", ["9.6 = (1260 / 1510 - 1) × 100"]),
    ("增加到126.9亿元", "增加到129.6亿元", ["7.2% = 129.6亿元 / 118.4亿元 - 1"]),
])
def test_a_digit_read_wrong_fails_exactly_the_checks_it_is_in(cell, misread, failing):
    checks = tables_of(BULLETIN.replace(cell, misread))["checks"]
    assert checks.loc[~checks["holds"], "formula"].tolist() == failing


def test_a_breakdown_after_qi_zhong_sums_on_its_own_and_a_part_of_a_row_is_left_out():
    text = """表5　全县从业人员构成
| 指标 | 人数（人） |
| 合计 | 1000 |
| 其中：男 | 520 |
| 女 | 480 |
| 其中：城镇 | 610 |
| 乡村 | 390 |
| #乡村学生 | 120 |
| 其中：外出务工 | 300 |
"""
    checks = tables_of(text)["checks"]
    # 其中：外出务工 alone is only some of the 1000: no check; #乡村学生 is part of 乡村
    assert checks["formula"].tolist() == ["1000 = 520 + 480", "1000 = 610 + 390"] and checks["holds"].all()
    over = tables_of(text.replace("| 其中：外出务工 | 300 |", "| 其中：外出务工 | 1300 |"))["checks"]
    assert over.loc[~over["holds"], "formula"].tolist() == ["1000 = 1300"]  # more than the whole: read wrong


def test_a_total_under_subtotals_sums_the_subtotals():
    text = """表6　项目投资
| 类别 | 投资（万元） |
| 道路 | 300 |
| 桥梁 | 200 |
| 小计 | 500 |
| 学校 | 150 |
| 医院 | 250 |
| 小计 | 400 |
| 合计 | 900 |
"""
    checks = tables_of(text)["checks"]
    assert checks["formula"].tolist() == ["500 = 300 + 200", "400 = 150 + 250", "900 = 500 + 400"]
    assert checks["holds"].all()


def test_only_exact_additive_figures_take_part():
    text = """表7　各乡镇指标
| 乡镇 | 人均收入（元/人） | 覆盖率（%） | 户数（户） |
| 全县 | 21000 | 90.0 | 约300 |
| 甲镇 | 20000 | 88.0 | 100 |
| 乙镇 | 22000 | 92.0 | 200 |
"""
    assert tables_of(text)["checks"].empty  # per-person values and rates do not add up; 约300 is not exact


@pytest.mark.parametrize("surface, value, counted, half", [
    ("118.6", 1_186_000.0, False, 500.0),
    ("107.8%", 107.8, False, 0.05),
    ("1345.0", 1.345e11, False, 5e6),  # 1345.0 亿元: 0.05 亿
    ("448", 448.0, True, 0.0),
    ("448", 448.0, False, 0.5),
    ("6.84万人", 68_400.0, True, 50.0),
    ("１２３．４万", 1_234_000.0, False, 500.0),
    ("1,234", 1234.0, True, 0.0),
    ("-8.2", -8.2, False, 0.05),
    ("三千七百", 3700.0, True, 0.0),
])
def test_the_half_unit_of_what_is_printed(surface, value, counted, half):
    assert half_unit(surface, value, counted) == pytest.approx(half)


@pytest.mark.parametrize("header, role", [
    ("完成率", "rate"), ("开工率", "rate"), ("比重（%）", "share"), ("比上年增长(%)", "growth"),
    ("年度目标", "target"), ("年度任务（个）", "target"), ("已开工（个）", "done"), ("完成", "done"),
    ("本年", "current"), ("上年同期", "previous"), ("地区生产总值（亿元）", None), ("项目数", None),
])
def test_column_roles_come_from_the_vocabulary(header, role):
    assert column_role(header) == role


def test_checks_are_pure():
    tables = tables_of(BULLETIN)
    figures, sentences = tables["figures"].copy(), tables["sentences"].copy()
    arithmetic_checks(tables["figures"], tables["sentences"])
    pd.testing.assert_frame_equal(tables["figures"], figures)
    pd.testing.assert_frame_equal(tables["sentences"], sentences)


@pytest.fixture(scope="module")
def genre(tmp_path_factory):
    """The genre set cleaned, as `clean` writes it."""
    from analysis.store.clean import clean

    raw = tmp_path_factory.mktemp("genre")
    for path in GENRE.glob("*.txt"):
        shutil.copy(path, raw / path.name)
    out = raw.parent / "genre_clean"
    assert clean(raw, out, corrections=None).ok
    from analysis.store.reader import read_table

    return {name: read_table(out, name) for name in ("figures", "sentences", "checks", "indicators")}


def test_on_the_genre_set_every_check_holds_and_every_table_with_a_total_row_is_checked(genre):
    checks, figures = genre["checks"], genre["figures"]
    assert checks["holds"].all()
    counts = checks.groupby("kind").size().to_dict()
    assert counts == {"completion_rate": 55, "share": 6, "total": 14}
    with_totals = figures[figures["total_row"].fillna(False).astype(bool)]
    totalled = {(d, t) for d, t in zip(with_totals["doc_id"], with_totals["table"])}
    checked = set(zip(checks.loc[checks["kind"] == "total", "doc_id"], checks.loc[checks["kind"] == "total", "table"]))
    assert totalled == checked == {("08_ningbo_bulletin", 0), ("08_ningbo_bulletin", 2), ("10_mohurd_html_table", 0),
                                   ("17_national_renovation_table", 0), ("21_hunan_web_cells", 0),
                                   ("22_mianyang_unit_list", 0)}


def test_a_cell_misread_on_purpose_fails_its_checks_and_tops_the_review_list(genre):
    from analysis.publish.review import worth_a_look

    doc = "10_mohurd_html_table"
    figures = genre["figures"][genre["figures"]["doc_id"] == doc]
    cell = figures[(figures["row_label"] == "北京") & (figures["column_header"] == "已开工（个）")].index[0]
    misread = figures.copy()
    misread.loc[cell, ["surface", "value"]] = ["1163", 1163.0]  # 1136 with two digits swapped
    checks = arithmetic_checks(misread, genre["sentences"])
    failed = checks[~checks["holds"]]
    assert failed["formula"].tolist()[0] == "94.7% = 1163 / 1200"
    assert failed["formula"].tolist()[1].startswith("31681 = 1163 + 3600")
    assert failed["difference"].tolist()[1] == -27
    listed = worth_a_look(misread, checks, genre["indicators"])
    top = listed.iloc[0]
    assert (top["surface"], top["failed_checks"]) == ("1163", 2)
    assert top["why"].startswith("算术核对不符（核对 ")
    assert listed["failed_checks"].iloc[1] == 1  # the others of the two checks come after it
