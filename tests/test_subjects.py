"""What a figure counts, on invented sentences: a change measured against a baseline (比上年, 同比,
较2020年末) is the change of the figure just before it, never a subject of its own; dates, note
markers, a change's starting point and a change word said twice are no part of a subject."""

from __future__ import annotations

import pytest

from analysis.extract.figures import extract


def _figures(text: str) -> dict[str, tuple[str, str]]:
    return {m.surface: (m.subject, m.measure) for m in extract(text) if m.disposition == "figure"}


@pytest.mark.parametrize(("text", "surface", "subject", "measure"), [
    ("全年全县粮食产量41.2万吨，比上年增长3.5%。", "3.5%", "全年全县粮食产量增长", "increase"),
    ("年末常住人口118.6万人，比上年末减少0.7万人。", "0.7万人", "年末常住人口减少", "decrease"),
    ("城镇化率为57.3%，比上年末提高1.2个百分点。", "1.2个百分点", "城镇化率提高", "increase"),
    ("全市生产总值2310亿元，按可比价格计算，比上年增长6.4%。", "6.4%", "生产总值增长", "increase"),
    ("外贸进出口总额85亿元，同比下降2.3%。", "2.3%", "外贸进出口总额下降", "decrease"),
    ("森林覆盖率达到61.5%，较2020年末提高0.8个百分点。", "0.8个百分点", "森林覆盖率提高", "increase"),
    ("全年全县地区生产总值[1]236.4亿元，比上年增长5.1%。", "5.1%", "全年全县地区生产总值增长", "increase"),
    ("截至6月末推出民生实事项目3739项。", "3739项", "推出民生实事项目", "level"),
    ("截至2023年9月底全县发放补贴4.6亿元。", "4.6亿元", "发放补贴", "level"),
    ("平均每户人口为3.12人，比一九九〇年减少0.41人。", "0.41人", "平均每户人口减少", "decrease"),
    ("具有高中程度的由4120人上升为5230人。", "5230人", "具有高中程度", "level"),
    ("参保人数分别为2.1亿人、0.9亿人，同比分别增加120万人、56万人。", "56万人", "参保人数增加", "increase"),
    ("车程由原来的三个小时缩短到一个半小时。", "三个小时", "车程", "level"),
])
def test_subject_and_measure_of_invented_sentences(text, surface, subject, measure):
    assert _figures(text)[surface] == (subject, measure)


def test_a_baseline_does_not_reach_back_across_a_sentence():
    subject, _ = _figures("全年完成投资120亿元。比上年增长12%。")["12%"]
    assert "投资" not in subject


def test_a_note_marker_is_no_part_of_the_subject():
    assert _figures("全年全县地区生产总值[1]236.4亿元，居民人均可支配收入［2］31250元。") == {
        "236.4亿元": ("全年全县地区生产总值", "level"), "31250元": ("居民人均可支配收入", "level")}
