"""Segmenting reports of the genre: titles, province sections, paragraphs and sentences."""

from __future__ import annotations

import pytest

from analysis.extract.provinces import find_provinces, gazetteer
from analysis.extract.segment import segment

IDEO = "\u3000\u3000"


def sections(text):
    return [(s.province, s.heading) for s in segment(text).sections]


def test_gazetteer_has_all_31_divisions_in_short_and_full_forms():
    provinces = gazetteer()
    assert len(provinces) == 31
    assert {p.short for p in provinces} >= {"北京", "内蒙古", "广西", "西藏", "新疆", "黑龙江"}
    assert find_provinces("宁夏回族自治区与黑龙江省、宁夏") == ["宁夏", "黑龙江"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"四省区推进民生工程{IDEO}导语一句。{IDEO}广东：稳就业保民生{IDEO}广东新增就业5万人。"
            f"{IDEO}四川：办好身边事{IDEO}四川完成改造3千户。",
            [("", ""), ("广东", "广东：稳就业保民生"), ("四川", "四川：办好身边事")],
            id="ideographic-spaces-and-colon-headings",
        ),
        pytest.param(
            "两地见闻\n\n云南省：边境小康村建设\n云南建成小康村374个。\n贵州：山区教育\n贵州新建学校12所。\n",
            [("", ""), ("云南", "云南省：边境小康村建设"), ("贵州", "贵州：山区教育")],
            id="line-breaks-and-full-names",
        ),
        pytest.param(
            f"标题一行{IDEO}【甘肃】山乡巨变{IDEO}甘肃新修道路80公里。{IDEO}■ 青海 生态保护{IDEO}青海种草3万亩。",
            [("", ""), ("甘肃", "【甘肃】山乡巨变"), ("青海", "■ 青海 生态保护")],
            id="decorated-headings",
        ),
        pytest.param(
            "湖南推进民生实事\n一、稳就业\n全省新增就业60万人。\n二、兜底线\n发放救助金12亿元。",
            [("湖南", ""), ("湖南", "一、稳就业"), ("湖南", "二、兜底线")],
            id="numbered-headings-inherit-the-title-province",
        ),
        pytest.param(
            "陕西：让群众办事更便捷\n一、放管服\n可办率96.5%。\n二、兜底线\n发放48.3亿元。",
            [("", ""), ("陕西", "陕西：让群众办事更便捷"), ("陕西", "一、放管服"), ("陕西", "二、兜底线")],
            id="numbered-headings-inside-a-province-part",
        ),
        pytest.param(
            "海南：自贸港建设提速。海南新增市场主体20万户。",
            [("", ""), ("海南", "海南：自贸港建设提速")],
            id="heading-inside-a-paragraph",
        ),
    ],
)
def test_sections(text, expected):
    assert sections(text) == expected


def test_a_report_without_headings_takes_the_province_named_alone_in_its_title():
    seg = segment("浙江：共同富裕示范区建设观察\n全省城乡居民收入比降至1.94。")
    assert seg.sections[-1].province == "浙江"
    seg = segment("山东持续改善民生\n山东今年新建养老床位2万张。")
    assert [s.province for s in seg.sections] == ["山东"]


def test_sentences_split_at_final_punctuation_and_keep_closing_quotes():
    text = "他说：“要办实事。”群众点赞！还有问题吗？最后一句没有句号"
    seg = segment(text)
    assert [text[s.start:s.end] for s in seg.sentences] == [
        "他说：“要办实事。”", "群众点赞！", "还有问题吗？", "最后一句没有句号",
    ]


def test_spans_cover_text_in_order_and_point_into_the_original():
    text = f"题目{IDEO}江苏：标题{IDEO}第一句。第二句。\r\n\r\n第三段。"
    seg = segment(text)
    starts = [s.start for s in seg.sentences]
    assert starts == sorted(starts)
    for s in seg.sentences:
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece
    assert seg.sentence_at(text.index("第二句")).start == text.index("第二句")
    assert seg.sentence_at(len(text) + 5) is None


def test_title_is_the_first_short_line_without_a_full_stop():
    seg = segment("广西：山水间的幸福账本\n正文第一句。")
    # a province heading on the first line opens a section; it is not taken as the title
    assert seg.title is None
    seg = segment("幸福账本（记者手记）\n正文第一句。")
    assert seg.title is not None and seg.title.start == 0


# Issue 22: a run of text without a full stop longer than a spreadsheet cell holds is several sentences.


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_sentence_never_exceeds_what_a_spreadsheet_cell_holds():
    from analysis.extract.segment import SENTENCE_MAX
    from analysis.tables.contract import CSV_MAX_CELL

    assert SENTENCE_MAX == CSV_MAX_CELL
    clause = "江西省累计建成充电桩1200个，"  # 15 characters
    text = "开头一句。" + clause * 7_000 + "结尾。" + "𠀀" * 20_000 + "好" * 5 + "。"
    seg = segment(text)
    pieces = [text[s.start:s.end] for s in seg.sentences]
    assert max(map(_units, pieces)) <= SENTENCE_MAX
    assert pieces[0] == "开头一句。" and pieces[-1].endswith("好。")
    long_run = [p for p in pieces if clause in p]
    assert len(long_run) == 4 and all(p.endswith("，") for p in long_run[:-1]), "cut after a clause break"
    assert "".join(long_run) == clause * 7_000 + "结尾。"
    astral = [p for p in pieces if "𠀀" in p]  # characters beyond U+FFFF count twice, as Excel counts them
    assert len(astral) == 2 and "".join(astral) == "𠀀" * 20_000 + "好" * 5 + "。"
    assert [s.index for s in seg.sentences] == list(range(len(seg.sentences)))


def test_a_cut_without_a_clause_break_never_splits_a_number():
    from analysis.extract.segment import SENTENCE_MAX

    text = "字" * (SENTENCE_MAX - 3) + "123456789" + "字" * 100
    pieces = [text[s.start:s.end] for s in segment(text).sentences]
    assert len(pieces) == 2 and pieces[1].startswith("123456789")


def test_short_sentences_are_untouched_by_the_limit():
    text = "全省新建公厕1200座。改造道路35公里！"
    assert [text[s.start:s.end] for s in segment(text).sentences] == ["全省新建公厕1200座。", "改造道路35公里！"]
