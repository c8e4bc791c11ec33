"""Review: the figures worth a look come first where readers look (the review command, the source
view), a correction is written from the command line, and every report says how much of it was
corrected and how many checks hold. The reports are invented for these tests."""

from __future__ import annotations

import pandas as pd
import pytest
from test_arithmetic import BULLETIN

from analysis import cli
from analysis.publish import review, views
from analysis.store.clean import clean
from analysis.store.corrections_file import read_corrections
from analysis.store.reader import read_table

DOC = "qingchuan"
MISPRINT = BULLETIN.replace("| 东河镇 | 95 | 88 | 92.6% |", "| 东河镇 | 95 | 98 | 92.6% |")


def write(raw, text):
    raw.mkdir(exist_ok=True)
    (raw / f"{DOC}.txt").write_text(text, encoding="utf-8")
    (raw / f"{DOC}.txt.source.yml").write_text("date_published: 2022-03-01\n", encoding="utf-8")


@pytest.fixture
def cleaned(tmp_path):
    write(tmp_path / "raw", MISPRINT)
    assert clean(tmp_path / "raw", tmp_path / "clean", corrections=None).ok
    return tmp_path


def run(argv, capsys):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_review_lists_the_cell_two_failed_checks_share_first(cleaned, capsys):
    status, out, _ = run(["review", DOC, "--clean-dir", str(cleaned / "clean"), "--limit", "3"], capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"{DOC}: 青川县2021年国民经济和社会发展统计公报"
    assert lines[1] == "统计数字 55 个，其中经人工更正 0 个；算术核对 17 项，相符 15 项"
    assert lines[3].startswith("   1. figure 32 「98」 = 98 户, 四川, 东河镇已完成: 算术核对不符（核对 7、10）")
    assert "check 7 (completion_rate) fails: 92.6% = 98 / 95; off by -10.5579 %, rounding allows 0.05" in lines
    assert "check 10 (total) fails: 294 = 126 + 98 + 80; off by -10 户, rounding allows 0" in lines


def test_a_correction_written_from_the_command_line_makes_the_checks_hold(cleaned, capsys):
    fixes = cleaned / "corrections.csv"
    argv = ["review", DOC, "--clean-dir", str(cleaned / "clean"), "--corrections", str(fixes)]
    status, out, _ = run([*argv, "--figure", "32", "--set", "value=88", "--note", "the report prints 88 in its text",
                          "--date", "2022-03-05"], capsys)
    assert status == 0 and f"{fixes}: row 2: set {DOC} 「98」 (occurrence 2)" in out  # the first is in 2980
    written = read_corrections(fixes).iloc[0]
    start = MISPRINT.index("| 95 | 98 |") + len("| 95 | ")
    assert (written["surface"], written["occurrence"], written["span_start"], written["span_end"]) == ("98", 2, start, start + 2)
    # a missed figure, by its surface; a figure to drop
    assert run([*argv, "--add", "6.3%", "--set", "value=6.3", "--set", "unit=%", "--note", "n"], capsys)[0] == 0
    assert run([*argv, "--figure", "2", "--drop", "--note", "n"], capsys)[0] == 0
    assert read_corrections(fixes)["action"].tolist() == ["set", "add", "drop"]
    clean(cleaned / "raw", cleaned / "clean", corrections=fixes)
    checks = read_table(cleaned / "clean", "checks")
    assert checks["holds"].all()
    record = read_table(cleaned / "clean", "corrections")
    assert record["status"].tolist() == ["applied", "not_needed", "applied"]  # 6.3% is read already


@pytest.mark.parametrize("extra, problem", [
    (["--figure", "32", "--set", "valeu=88", "--note", "n"],
     f"error: {DOC}: 'valeu' is not a column a correction sets; choose among province, place"),
    (["--figure", "32", "--set", "value=88"], "error: --note: say why the figure is wrong"),
    (["--figure", "999", "--drop", "--note", "n"], f"error: --figure: {DOC} has no figure 999; its figures are 0 to 54"),
    (["--figure", "32", "--note", "n"], "error: --figure: say what to change"),
    (["--add", "7777", "--set", "value=1", "--note", "n"], f"error: {DOC}: 「7777」 occurs 0 time(s) in {DOC}, not 1"),
    (["--figure", "32", "--set", "qualifier=roughly", "--note", "n"], "row 2: qualifier 'roughly' is not one of exact, approx"),
    (["--set", "value=1"], "error: --set/--clear/--drop/--note: say which figure to correct"),
])
def test_mistakes_on_the_command_line_are_one_line_and_write_nothing(cleaned, capsys, extra, problem):
    fixes = cleaned / "corrections.csv"
    status, _, err = run(["review", DOC, "--clean-dir", str(cleaned / "clean"), "--corrections", str(fixes), *extra],
                         capsys)
    assert status == 1 and err.count("\n") == 1 and problem in err, err
    assert not fixes.exists()


def test_an_unknown_report_lists_the_reports_there_are(cleaned, capsys):
    status, _, err = run(["review", "nope", "--clean-dir", str(cleaned / "clean")], capsys)
    assert status == 1 and err == f"error: nope: no such report in {cleaned / 'clean'}; choose one of {DOC}\n"


def _figures(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"doc_id": ["d"] * n, "figure": list(range(n)), "surface": ["1"] * n, "value": [1.0] * n,
            "value_high": [float("nan")] * n, "unit": ["个"] * n, "qualifier": ["exact"] * n, "province": ["江西"] * n,
            "subject": [""] * n, "table": pd.array([None] * n, dtype="Int64"), "column_header": [None] * n,
            "corrected": [False] * n}
    return pd.DataFrame({**base, **columns})


def test_reasons_rank_failed_checks_then_outliers_then_units_then_provinces():
    figures = _figures(province=["江西", None, "江西", "江西", "江西"],
                       table=pd.array([None, None, 0, 0, None], dtype="Int64"),
                       column_header=[None, None, "完成", "完成（个）", None], surface=["1", "1", "5", "5", "1"])
    checks = pd.DataFrame({"doc_id": ["d"], "check": [0], "figures": ["4 0"], "holds": [False]})
    indicators = pd.DataFrame({"doc_id": ["d", "e", "f", "g"], "figure": [1, 0, 0, 0], "indicator": ["x"] * 4,
                               "unit": ["个"] * 4, "province": ["江西", "湖南", "湖北", "河南"],
                               "value": [5000.0, 40.0, 50.0, 60.0], "per_10k": [float("nan")] * 4})
    listed = review.worth_a_look(figures, checks, indicators)
    assert listed["figure"].tolist() == [0, 4, 1, 2]  # figure 3's header says its unit
    assert listed["reasons"].tolist() == ["check_failed", "check_failed", "outlier no_province", "no_header_unit"]
    assert listed["why"].tolist()[2] == "与其他省份相差悬殊（其他省份中位数的百倍以上）；没有省份"
    corrected = review.worth_a_look(figures.assign(corrected=True), checks, indicators)
    assert corrected["figure"].tolist() == [0, 4], "a corrected figure was looked at: only a failed check keeps it"


def test_among_figures_of_one_failed_check_those_with_evidence_come_last():
    figures = _figures(value=[10.0, 4.0, 6.0, 99.0], surface=["10", "4", "6", "10"])  # figure 3 repeats 10
    checks = pd.DataFrame({"doc_id": ["d", "d"], "check": [0, 1], "figures": ["0 1 2", "2 3"], "holds": [False, True]})
    assert review.worth_a_look(figures.assign(value=[10.0, 4.0, 6.0, 10.0]), checks)["figure"].tolist() == [1, 0, 2]


def test_summary_counts_corrected_figures_and_checks_that_hold_per_report():
    documents = pd.DataFrame({"doc_id": ["a", "b"], "title": ["甲", ""]})
    figures = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "figure": [0, 1, 2, 0],
                            "corrected": [True, False, True, False]})
    checks = pd.DataFrame({"doc_id": ["a", "a", "b"], "figure": [0, 1, 0], "holds": [True, False, True]})
    summary = review.review_summary(documents, figures, checks)
    assert summary[["doc_id", "title", "figures", "corrected", "checks", "checks_hold"]].values.tolist() == [
        ["a", "甲", 3, 2, 2, 1], ["b", "b", 1, 0, 1, 1]]
    assert review.summary_sentence(summary.iloc[0]) == "统计数字 3 个，其中经人工更正 2 个；算术核对 2 项，相符 1 项"
    mine = review.review_summary(documents, figures[figures["figure"] != 1], checks)  # a province's figures only
    assert mine["checks"].tolist() == [1, 1]
    view = review.review_view(documents, figures[figures["doc_id"] == "a"], checks)
    assert view.columns.tolist() == ["报道", *views.REVIEW_NUMBERS] and len(view) == 1


def test_the_notebooks_view_reads_the_checks_when_the_folder_has_them(cleaned):
    documents = read_table(cleaned / "clean", "documents")
    figures = read_table(cleaned / "clean", "figures")
    table = views.review_view(documents, figures, cleaned / "clean")
    assert table.iloc[0].tolist()[1:] == [55, 0, 17, 15]
    (cleaned / "clean" / "checks.csv").unlink()  # a folder cleaned before checks existed
    assert views.review_view(documents, figures, cleaned / "clean").iloc[0].tolist()[1:] == [55, 0, 0, 0]


@pytest.mark.slow
def test_the_source_view_marks_corrections_and_lists_what_to_look_at(cleaned):
    from analysis.publish import pages, source_view
    from analysis.publish import webfont

    fixes = cleaned / "fixes.csv"
    fixes.write_text("doc_id,surface,occurrence,action,subject,note,date\n"
                     f"{DOC},2.1,1,drop,,a growth of the whole county: not needed here,2022-03-05\n"
                     f"{DOC},0.6万人,1,set,城镇常住人口净增,checked,2022-03-05\n", encoding="utf-8")
    clean(cleaned / "raw", cleaned / "clean", corrections=fixes)
    reports = cleaned / "reports"
    skipped, chars = source_view.write_views(cleaned / "clean", reports, [DOC], raw_dir=cleaned / "raw")
    assert skipped == []
    page = (reports / "source" / f"{DOC}.html").read_text(encoding="utf-8")
    assert webfont.uncovered(page) == ""  # every character of the page has a glyph (※ too)
    assert page.count('class="m d-figure x"') == 1 and "不是统计数字：按 data/corrections.csv 删去" in page
    assert "算术核对 17 项，相符 15 项" in page and '<h2 id="review">值得核对的数字</h2>' in page
    review_rows = page.split('<h2 id="review">')[1].split("</table>")[0]
    assert review_rows.index('href="#f-32"') < review_rows.index('href="#f-31"')  # the misprint first
    assert "<li>核对 10：294 = 126 + 98 + 80，相差 -10" in page
    assert page.count('class="m d-figure c"') == 1 and "已按 data/corrections.csv 更正" in page
    assert pages.problems(page, reports / "source") == []
    assert "※" in webfont.page_characters(page)
