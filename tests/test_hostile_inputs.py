"""One case per input class of issue 5, through the `extract` command as a user runs it.

Each case asserts either the figures expected (surface, value, unit) or the exact error line and
exit status, and that no traceback reaches the user. The sentences are written for this test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.cli import main

TEXT = "青海：生态移民\n截至10月底，青海搬迁群众3.2万户，新建安置点46个。"
FIGURES = [("3.2万户", 32000.0, "户"), ("46个", 46.0, "个")]


def run_extract(tmp_path, name: str, data: bytes, capsys, *extra: str):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out.csv"
    status = main(["extract", str(path), "--published", "2021-12-01", "-o", str(out), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    figures = pd.read_csv(out, keep_default_na=False) if status == 0 else None
    return status, captured.err, figures


def triples(figures) -> list[tuple]:
    return [(r.surface, float(r.value), r.unit) for r in figures.itertuples()]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16-le", "utf-16-be", "utf-16"],
)
def test_every_encoding_gives_the_same_figures(tmp_path, capsys, encoding):
    status, err, figures = run_extract(tmp_path, f"r-{encoding}.txt", TEXT.encode(encoding), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == FIGURES


def test_big5_in_traditional_characters(tmp_path, capsys):
    text = "青海：生態移民\n截至10月底，青海搬遷群眾3.2萬戶，新建安置點46個。"
    status, err, figures = run_extract(tmp_path, "big5.txt", text.encode("big5"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == [("3.2萬戶", 32000.0, "户"), ("46個", 46.0, "个")]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("binary.txt", bytes(range(256)) * 8, "not a text file (could not detect a text encoding)"),
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", " \n\u3000\n".encode(), "file is empty"),
    ],
)
def test_unreadable_files_are_one_error_line(tmp_path, capsys, name, data, problem):
    status, err, _ = run_extract(tmp_path, name, data, capsys)
    assert status == 1
    assert err == f"error: {tmp_path / name}: {problem}\n"
    assert not (tmp_path / "out.csv").exists(), "nothing half-written"


def test_missing_file_and_bad_date(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.txt")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.txt'}: no such file\n"
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    assert main(["extract", str(tmp_path / "ok.txt"), "--published", "2021-13-40"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --published: ") and err.count("\n") == 1


def test_html_page_gives_the_article_figures(tmp_path, capsys):
    page = (
        "<html><head><title>t</title><style>p{color:red}</style><script>var n = 12345;</script></head>"
        "<body><nav>首页 | 第2页</nav><p>青海：生态移民</p><p>截至10月底，青海搬迁群众3.2万户，"
        "新建安置点46个。</p></body></html>"
    )
    status, err, figures = run_extract(tmp_path, "page.html", page.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == FIGURES


def test_traditional_characters_with_a_pinyin_gloss(tmp_path, capsys):
    text = "廣東：全年投入資金5.05萬(wàn)億元，新建學校一百二十個，志願者兩萬餘人。"
    status, err, figures = run_extract(tmp_path, "trad.txt", text.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == [
        ("5.05萬(wàn)億元", 5.05e12, "元"), ("一百二十個", 120.0, "个"), ("兩萬餘人", 20000.0, "人"),
    ]
    assert figures["qualifier"].tolist() == ["exact", "exact", "lower_bound"]


def test_half_and_full_width_punctuation_list_markers_and_timestamps(tmp_path, capsys):
    text = (
        "2022-01-25 15:29 来源:本报\n"
        "(1)农村公路:新建改建1,250公里,完成率１０２．５％。\n"
        "一、养老服务\n"
        "1. 新增床位3000张。\n"
    )
    status, err, figures = run_extract(tmp_path, "punct.txt", text.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == [("1,250公里", 1250.0, "公里"), ("１０２．５％", 102.5, "%"), ("3000张", 3000.0, "张")]


def test_text_cut_off_inside_a_number(tmp_path, capsys):
    text = "四川新建农村公路1.5万公里，投入资金12"
    status, err, figures = run_extract(tmp_path, "cut.txt", text.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == [("1.5万公里", 15000.0, "公里")]


@pytest.mark.slow
def test_a_very_long_line_without_full_stops(tmp_path, capsys):
    text = "贵州：" + "新建通组公路12公里，" * 20000
    status, err, figures = run_extract(tmp_path, "long.txt", text.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert len(figures) == 20000 and set(figures["value"]) == {12.0}
    assert figures["sentence_text"].str.len().max() <= 302


def test_numbers_whose_unit_is_only_in_a_table_header(tmp_path, capsys):
    text = "甘肃各市民生投入（单位：万元）\n兰州\t12500\n天水\t8630.5\n\n全省新建公园15个。\n"
    status, err, figures = run_extract(tmp_path, "table.txt", text.encode("utf-8"), capsys)
    assert (status, err) == (0, "")
    assert triples(figures) == [("12500", 125000000.0, "元"), ("8630.5", 86305000.0, "元"), ("15个", 15.0, "个")]


def test_an_output_path_that_is_a_folder_is_one_error_line(tmp_path, capsys):
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    assert main(["extract", str(tmp_path / "ok.txt"), "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path}: ") and err.count("\n") == 1
