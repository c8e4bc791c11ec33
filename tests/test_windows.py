"""A report read in windows gives the same tables as the report read whole.

This is what lets ``clean`` hold one window of a 100 MB file instead of the file: every row must
come out the same, whatever the window size and however the text arrives in chunks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.extract.windows import windows
from analysis.tables.build import TextSource, build_tables, iter_tables
from analysis.tables.contract import EXTRACTED_TABLES as TABLE_NAMES
from benchmarks.corpus_gen import iter_documents

# Lines that lean on what came before them: a month for a bare day, a table header for bare
# numbers, a 截至 for the figures after it, a province heading for the sentences below it.
LINES = [
    "甘肃：把实事办到群众心坎上",
    "一、就业帮扶",
    "截至9月底，全省新增城镇就业32.6万人，完成全年目标的108%。",
    "10月12日启动冬季供暖保障，15日全面供暖。",
    "单位：万元",
    "项目　资金",
    "道路改造　1250",
    "公园绿地　86.5",
    "",
    "全省12345热线受理诉求近200万件，办结率99.2%。",
    "今年以来，累计发放助学贷款三千七百余笔，惠及学生百分之九十以上。",
    "（1）改造农村公路1,250公里。",
    "2021-11-30 08:15 来源：新华社",
    "青海：守护群众健康",
    "全年培训基层医生1200多人次，投入超1.8亿元。",
    "数据截至发稿前，新增床位",
    "达到3",
    "20日，全省召开推进会。",  # a day whose month was stated earlier, perhaps windows ago
    "省里建立问题清单、任务清单和责任清单，逐项明确牵头单位和完成时限。" * 20,  # longer than the context
    "单位：万人\n" + "\n".join(f"第{n}季度　{n * 7}.5" for n in range(1, 80)),  # a table longer than it
    # tables printed as text: their headers, captions and units reach every row, however far below
    "表2　主要产品产量（截至11月底）",
    "| 产品 | 单位 | 产量 | 增长(%) |",
    "| --- | --- | --- | --- |",
    "| 水泥 | 万吨 | 812.4 | -3.5 |",
    "| #钢材 | 万吨 | 96.1 | 2.2 |",
    "序号  项目        单位  目标  完成",
    "1     新建驿站    个    300   318",
    "2     培训农民    万人次  5   5.6",
    "序号\n|\n城市\n|\n新增车位（个）\n|\n进度",
    "1\n|\n襄阳\n|\n1500\n|\n100%",
    "合计\n|\n4200\n|\n—",
    "\n".join(f"| 第{n}组 | {n * 3}.2 | {n}% |" for n in range(1, 60)),  # a pipe table longer than the context
    "城市\n|\n项目（个）\n" + "\n".join(f"第{n}片区\n|\n{n * 11}" for n in range(1, 60)),  # a flattened one
    # one cell a line with nothing between rows, single spaces, padded labels (issue 18)
    "序号\n地区\n新建（个）\n完成率\n1\n长沙市\n920\n100%\n2\n株洲市\n480\n98.5%",
    "合计\n1400\n99.3%",
    "城镇新增就业 万人 5.2 7.23 139.1%\n新建城市书房 20 23 115.0%",
    "全  国    69541.0    1.3\n浙  江    621.5    2.1",
    "序号\n地区\n数量（个）\n\n1\n北京\n23\n\n2\n天津\n15",
    "指标\n绝对数\n增长\n" + "\n".join(f"第{n}项（亿元）\n{n * 13}.4\n-{n % 7}.1" for n in range(1, 60)),  # longer than the context
]


@dataclass(frozen=True)
class ChunkedSource(TextSource):
    """A TextSource whose text arrives in chunks, as a large file read from disk does."""

    sizes: tuple[int, ...] = (7,)

    def chunks(self):
        at, turn = 0, 0
        while at < len(self.text):
            size = self.sizes[turn % len(self.sizes)]
            yield self.text[at:at + size]
            at, turn = at + size, turn + 1


def joined(source, window_size: int) -> dict[str, pd.DataFrame]:
    pieces = list(iter_tables(source, window_size))
    return {name: pd.concat([p[name] for p in pieces], ignore_index=True) for name in TABLE_NAMES}


def assert_same_tables(left: dict, right: dict, what: str) -> None:
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(left[name], right[name], obj=f"{name} ({what})")


def test_windows_tile_the_text_and_keep_their_context():
    rng = random.Random(3)
    text = "".join(rng.choice(["公园12个", "\n", "　　", "。", "3.5万", " "]) for _ in range(3000))
    chunks = [text[i:i + 97] for i in range(0, len(text), 97)]
    found = list(windows(chunks, size=200, context=64))
    assert "".join(w.text[w.lo:w.hi] for w in found) == text
    assert all(text[w.start:w.start + len(w.text)] == w.text for w in found)
    assert all(w.text[w.hi - 1] == "\n" for w in found[:-1])  # cut only after line breaks here
    assert all(w.lo == 64 for w in found[1:]) and all(len(w.text) - w.hi == 64 for w in found[:-1])
    assert [w.final for w in found] == [False] * (len(found) - 1) + [True]


def test_a_line_longer_than_four_windows_is_cut_at_a_paragraph_break():
    text = ("新建公园12个。" + "　　") * 400  # the layout of reports that run paragraphs together
    found = list(windows([text], size=300, context=40))
    assert len(found) > 3
    assert all(w.text[w.lo:w.hi].endswith("　　") for w in found[:-1])
    # once a line is known to be that long, every window of it is about ``size``, the last one too
    assert max(w.hi - w.lo for w in found) <= 300 + len("新建公园12个。　　")
    assert "".join(w.text[w.lo:w.hi] for w in found) == text


def test_generated_reports_give_the_same_tables_in_windows_and_whole():
    text = "".join(iter_documents(120_000, 3_000, seed=11))
    whole = build_tables(TextSource("many", text, date(2021, 12, 1)))
    assert len(whole["figures"]) > 500 and whole["documents"]["n_sections"].iloc[0] > 20
    streamed = ChunkedSource("many", text, date(2021, 12, 1), sizes=(4096, 333, 70_000))
    assert_same_tables(joined(streamed, 2_000), whole, "2,000-character windows, chunked")


def test_an_unknown_publication_date_is_inferred_from_the_whole_streamed_text():
    text = "今年新建公园12个。\n" * 300 + "2022-01-25 15:29 来源：某某日报\n" + "投入资金3亿元。\n" * 300
    whole = build_tables(TextSource("undated", text))
    streamed = joined(ChunkedSource("undated", text, sizes=(1000,)), 1_000)
    assert whole["documents"]["published"].iloc[0] == "2022-01-25"
    assert_same_tables(streamed, whole, "undated")


@pytest.mark.parametrize("window_size", [1, 7, 60, 333])
def test_tables_cut_by_windows_read_as_whole(window_size):
    text = "\n".join(["某市2021年主要指标（截至12月底）", "单位：个、亿元", *LINES[-13:], "全年完成投资3亿元。"])
    whole = build_tables(TextSource("t", text, date(2021, 12, 1)))
    assert whole["figures"]["table"].notna().sum() > 150
    streamed = joined(ChunkedSource("t", text, date(2021, 12, 1), sizes=(97,)), window_size)
    assert_same_tables(streamed, whole, f"windows of {window_size}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=120),
    window_size=st.integers(1, 900),
    chunk=st.integers(1, 5_000),
)
@pytest.mark.slow
def test_any_text_of_the_genre_gives_the_same_tables_in_windows_and_whole(lines, window_size, chunk):
    text = "\n".join(lines)
    whole = build_tables(TextSource("t", text, date(2021, 12, 1)))
    streamed = joined(ChunkedSource("t", text, date(2021, 12, 1), sizes=(chunk,)), window_size)
    assert_same_tables(streamed, whole, f"windows of {window_size}, chunks of {chunk}")
