"""Reports as they are published: PDF, Word, Excel and saved web pages, on files the tests write.

tests/documents.py writes one invented bulletin (prose, three tables, one over two pages) as text,
PDF (a running header and a page number on every page), DOCX and XLSX, plus files with a table of
each kind a format has (merged headers, nested tables, percents, dates), a scan, and broken files.
"""

from __future__ import annotations

import collections
import re
import shutil
import zipfile
from pathlib import Path

import pytest

import documents
from analysis.errors import InputError
from analysis.raw import pages
from analysis.raw.discover import raw_reports
from analysis.raw.report import load_source
from analysis.tables.build import build_tables


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The bulletin in every format, each in a folder of its own (same doc_id)."""
    base = tmp_path_factory.mktemp("formats")
    for kind in ("txt", "pdf", "docx", "xlsx"):
        (base / kind).mkdir()
    (base / "txt" / "bulletin.txt").write_text(documents.plain_text(), encoding="utf-8")
    documents.pdf(base / "pdf" / "bulletin.pdf")
    documents.docx(base / "docx" / "bulletin.docx")
    documents.xlsx(base / "xlsx" / "bulletin.xlsx")
    return base


@pytest.fixture(scope="module")
def tables(folder) -> dict[str, dict]:
    return {kind: build_tables(load_source(folder / kind / f"bulletin.{kind}")) for kind in ("txt", "pdf", "docx", "xlsx")}


def figure_key(figures) -> collections.Counter:
    """What must agree across formats: value, unit, qualifier and province of every figure."""
    rows = figures[["value", "unit", "qualifier", "province"]].astype(str).values.tolist()
    return collections.Counter(map(tuple, rows))


# -- the same report in every format --------------------------------------------------------------------
def test_the_same_report_gives_the_same_figures_in_every_format(tables):
    text = figure_key(tables["txt"]["figures"])
    assert sum(text.values()) > 150
    for kind in ("pdf", "docx"):
        found = figure_key(tables[kind]["figures"])
        assert found == text, (kind, {"missing": text - found, "extra": found - text})
    in_tables = tables["txt"]["figures"][tables["txt"]["figures"]["table"].notna()]
    assert figure_key(tables["xlsx"]["figures"]) == figure_key(in_tables)


def test_every_offset_points_at_its_surface_in_every_format(folder, tables):
    for kind, built in tables.items():
        text = load_source(folder / kind / f"bulletin.{kind}").text
        for name in ("figures", "mentions", "sentences"):
            df = built[name]
            column = "text" if name == "sentences" else "surface"
            assert all(text[a:b] == s for a, b, s in zip(df["span_start"], df["span_end"], df[column])), (kind, name)


def test_documents_say_the_format_and_the_pages(tables):
    import pandas as pd

    rows = {kind: t["documents"].iloc[0] for kind, t in tables.items()}
    assert {kind: row["format"] for kind, row in rows.items()} == {"txt": "text", "pdf": "pdf", "docx": "docx", "xlsx": "xlsx"}
    assert rows["pdf"]["n_pages"] == 3 and rows["pdf"]["encoding"] == "" and rows["txt"]["encoding"] == "utf-8"
    assert all(pd.isna(rows[kind]["n_pages"]) for kind in ("txt", "docx", "xlsx"))
    assert rows["pdf"]["title"] == rows["txt"]["title"] == "甘肃省2023年国民经济和社会发展统计公报"


# -- PDF -------------------------------------------------------------------------------------------------
def test_pdf_running_header_and_page_numbers_are_left_out(folder):
    text = load_source(folder / "pdf" / "bulletin.pdf").text
    assert text.count(documents.HEADER) == 1  # the title on page 1, not the header on every page
    assert not re.search(r"—\s*\d+\s*—", text)
    assert text.startswith(documents.HEADER + "\n甘肃省统计局\n一、综合\n初步核算，")


def test_pdf_paragraphs_are_joined_and_tables_are_pipe_rows(folder):
    text = load_source(folder / "pdf" / "bulletin.pdf").text
    for block in documents.BULLETIN:
        if block.kind == "paragraph":
            assert block.text in text.splitlines()  # one line, wrapped lines joined without spaces
        elif block.kind == "table":
            header, *body = block.rows
            lines = text.splitlines()
            start = lines.index("| " + " | ".join(header) + " |")
            assert lines[start + 1:start + 1 + len(body)] == ["| " + " | ".join(r) + " |" for r in body]


def test_a_table_over_two_pages_is_one_table_with_one_header(folder, tables):
    text = load_source(folder / "pdf" / "bulletin.pdf").text
    header = "| 县区 | 常住人口(万人) | 地区生产总值(亿元) | 比上年增长(%) |"
    assert text.count(header) == 1
    figures = tables["pdf"]["figures"]
    county = figures[figures["row_label"].isin(documents.COUNTIES)]
    assert county["table"].nunique() == 1 and len(county) == 3 * len(documents.COUNTIES)
    assert county["page"].nunique() >= 2  # it does run over a page break


def test_each_figure_has_the_page_a_pdf_viewer_shows_it_on(folder, tables):
    import pdfplumber

    with pdfplumber.open(folder / "pdf" / "bulletin.pdf") as pdf:
        page_text = [p.extract_text().replace(" ", "") for p in pdf.pages]
    figures = tables["pdf"]["figures"]
    assert figures["page"].notna().all()
    county = figures[figures["row_label"].isin(documents.COUNTIES)]
    for label, page in zip(county["row_label"], county["page"]):
        # pdfplumber's own text of each page is the oracle: the row's label is on that page only
        on = [n for n, t in enumerate(page_text, start=1) if re.search(rf"(?<![\u4e00-\u9fff]){label}\d", t)]
        assert on == [page], label
    for kind in ("txt", "docx", "xlsx"):
        assert tables[kind]["figures"]["page"].isna().all()


def test_page_at_is_the_one_definition_of_a_page():
    starts = (0, 10, 10, 25)
    assert [pages.page_at(starts, o) for o in (0, 9, 10, 24, 25, 99)] == [1, 1, 3, 3, 4, 4]
    assert pages.page_at((), 3) is None


def test_a_pdf_table_with_a_two_row_merged_header_keeps_each_column_its_unit(tmp_path):
    source = load_source(documents.merged_header_pdf(tmp_path / "merged.pdf"))
    assert "| 地区 | 2023年 总量（亿元） | 2023年 增长(%) | 备注 |" in source.text.splitlines()
    figures = build_tables(source)["figures"]
    assert figures[["row_label", "value", "unit", "province"]].values.tolist() == [
        ["兰州", 348730000000.0, "元", "甘肃"], ["兰州", 5.1, "%", "甘肃"],
        ["天水", 89560000000.0, "元", "甘肃"], ["天水", 6.3, "%", "甘肃"]]


def test_a_pdf_label_merged_down_the_rows_labels_each_row(tmp_path):
    assert load_source(documents.merged_body_pdf(tmp_path / "body.pdf")).text.splitlines() == [
        "| 地区 | 项目 | 个数(个) | 投资(亿元) |", "| 兰州 | 学校 | 12 | 3.5 |", "| 兰州 | 医院 | 4 | 6.1 |",
        "| 兰州 | 公园 | 9 | 1.2 |", "| 天水 | 学校 | 7 | 2.0 |", "| 合计 |  | 32 | 12.8 |"]


@pytest.mark.slow  # a second or two: `make test` only
def test_pdf_text_pdfminer_cannot_map_is_read_through_pdfium(folder, tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    import pdfplumber

    path = documents.pdf(tmp_path / "locked.pdf", encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    with pdfplumber.open(path) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()  # what pdfminer alone gives here
    assert load_source(path).text == load_source(folder / "pdf" / "bulletin.pdf").text


# -- Word and Excel --------------------------------------------------------------------------------------
def test_docx_merged_header_and_nested_table(tmp_path):
    source = load_source(documents.docx_kinds(tmp_path / "kinds.docx"))
    assert source.text.splitlines() == [
        "宁夏回族自治区2023年部分指标",
        "| 地区 | 2023年 总量（亿元） | 2023年 增长(%) |",
        "| 银川 | 2685.6 | 6.2 |",
        "| 石嘴山 | 693.1 | 5.4 |",
        "附：重点项目",
        "重点项目",
        "",
        "| 项目 | 投资(亿元) |",
        "| 黄河大桥 | 12.5 |",
    ]
    figures = build_tables(source)["figures"]
    assert figures[["value", "unit", "province"]].values.tolist()[-1] == [1250000000.0, "元", "宁夏"]


def test_docx_headers_and_footers_are_not_the_text(folder):
    text = load_source(folder / "docx" / "bulletin.docx").text
    assert text.count(documents.HEADER) == 1 and "第1页" not in text


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_spreadsheet_sheets_are_captioned_tables_with_formats_as_shown(tmp_path, kind):
    make = documents.xlsx_kinds if kind == "xlsx" else documents.xls_kinds
    source = load_source(make(tmp_path / f"kinds.{kind}"))
    lines = source.text.splitlines()
    assert lines[:4] == ["青海省2023年主要经济指标", "表1 主要指标",
                         "| 指标 | 2023年 总量（亿元） | 2023年 增长" + (" | 统计日期 |" if kind == "xlsx" else " |"),
                         "| 地区生产总值 | 3799.1 | 5.3%" + (" | 2024年1月20日 |" if kind == "xlsx" else " |")]
    assert "2024年1月20日" in source.text and "99999" not in source.text  # a date as a date; no hidden sheet
    figures = build_tables(source)["figures"]
    assert figures[["value", "unit", "province"]].values.tolist()[:2] == [[379910000000.0, "元", "青海"], [5.3, "%", "青海"]]


def test_a_second_table_on_a_sheet_stays_a_table_of_its_own(tmp_path):
    figures = build_tables(load_source(documents.xlsx_kinds(tmp_path / "kinds.xlsx")))["figures"]
    last = figures.iloc[-1]
    assert (last["row_label"], last["value"], last["unit"]) == ("新开工项目", 512.0, "个")
    assert figures["table"].nunique() == 2


# -- saved web pages -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "page.html"
    path.write_text(documents.WEB_PAGE, encoding="utf-8")
    return path


def test_a_web_page_gives_its_articles_figures_and_none_of_its_furniture(web):
    source = load_source(web)
    built = build_tables(source)
    surfaces = set(built["figures"]["surface"])
    assert surfaces == documents.WEB_PAGE_FIGURES
    for furniture in ("37.1", "12836", "1234567", "7654321", "12345678", "32个", "8万亩", "5.6万人", "首页", "分享", "版权"):
        assert furniture not in source.text, furniture
    assert set(built["figures"]["province"]) == {"青海"}  # the headline names it; the site's name is not a place


def test_a_web_page_title_and_date_go_into_the_documents_row(web, tmp_path):
    document = build_tables(load_source(web))["documents"].iloc[0]
    assert (document["title"], document["published"], bool(document["published_inferred"]), document["format"]) == (
        "青海：前三季度新增城镇就业4.2万人", "2023-10-26", False, "html")
    # the user's sidecar wins over the page's metadata, and it is never written to
    copy = tmp_path / "page.html"
    shutil.copy(web, copy)
    side = tmp_path / "page.html.source.yml"
    side.write_text("title: 青海就业稳中有进\ndate_published: 2023-10-27\n", encoding="utf-8")
    before = side.read_bytes()
    source = load_source(copy)
    assert (source.title, source.published.isoformat()) == ("青海就业稳中有进", "2023-10-27")
    assert side.read_bytes() == before


def test_a_page_date_is_stated_never_guessed_from_a_year_in_the_headline():
    from analysis.raw.web_page import read_web_page

    page = read_web_page("<html><head><title>2023年统计公报解读</title></head><body><article><p>"
                         + "全年新增就业4.2万人。" * 10 + "</p></article></body></html>")
    assert page.published is None


# -- errors: one line each, nothing written --------------------------------------------------------------
def _broken(tmp_path: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    from reportlab.lib.pdfencrypt import StandardEncryption

    pdf = (folder / "pdf" / "bulletin.pdf").read_bytes()
    docx = (folder / "docx" / "bulletin.docx").read_bytes()
    xlsx = (folder / "xlsx" / "bulletin.xlsx").read_bytes()
    cases = {
        "scan.pdf": (None, "scanned PDF"),
        "blank.pdf": (None, "file is empty (no text in the PDF file)"),
        "locked.pdf": (None, "encrypted PDF that needs a password"),
        "half.pdf": (pdf[: len(pdf) // 2], "damaged or truncated"),
        "page.pdf": (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "not a PDF file: it is a web page"),
        "half.docx": (docx[: len(docx) // 2], "not a readable Word (.docx) file"),
        "half.xlsx": (xlsx[: len(xlsx) // 3], "not a readable Excel (.xlsx) file"),
        "junk.xls": (b"\x00\x01\x02 not a workbook" * 20, "not an Excel (.xls) file"),
        "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"),
                        "password-protected"),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "WordDocument".encode("utf-16-le"),
                    "old Word .doc"),
    }
    out = {}
    for name, (data, problem) in cases.items():
        path = tmp_path / name
        if name == "scan.pdf":
            documents.image_pdf(path)
        elif name == "blank.pdf":
            documents.pdf(path, (), header=None)
        elif name == "locked.pdf":
            documents.pdf(path, encrypt=StandardEncryption("secret", ownerPassword="owner"))
        else:
            path.write_bytes(data)
        out[name] = (path, problem)
    return out


def test_broken_files_are_one_line_errors_naming_the_file_and_the_problem(tmp_path, folder):
    for name, (path, problem) in _broken(tmp_path, folder).items():
        with pytest.raises(InputError) as err:
            load_source(path)
        message = str(err.value)
        assert "\n" not in message and message.startswith(str(path) + ": ") and problem in message, (name, message)


@pytest.mark.slow  # a second or two: `make test` only
def test_clean_goes_on_past_a_scan_and_a_broken_file(tmp_path, folder):
    from analysis.store.clean import clean

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(folder / "pdf" / "bulletin.pdf", raw / "bulletin.pdf")
    documents.image_pdf(raw / "scan.pdf")
    (raw / "half.docx").write_bytes((folder / "docx" / "bulletin.docx").read_bytes()[:500])
    report = clean(raw, tmp_path / "clean", progress=False)
    assert report.documents == ["bulletin"]
    assert sorted((p.name, "scanned" in why or "Word" in why) for p, why in report.failures) == [
        ("half.docx", True), ("scan.pdf", True)]
    from analysis.store.reader import load

    figures = load("figures", tmp_path / "clean")
    assert set(figures["doc_id"]) == {"bulletin"} and figures["page"].notna().all()


def test_discovery_takes_every_format_and_skips_office_lock_files(tmp_path):
    for name in ("a.pdf", "b.docx", "c.xlsx", "d.xls", "e.htm", "f.txt", "~$b.docx", ".~lock.c.xlsx#"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in raw_reports(tmp_path)] == ["a.pdf", "b.docx", "c.xlsx", "d.xls", "e.htm", "f.txt"]


def test_a_zip_that_is_no_office_file_is_refused(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "全镇新建公厕12座")
    with pytest.raises(InputError, match="a ZIP archive, not a report"):
        load_source(path)


# -- the source view -------------------------------------------------------------------------------------
def test_the_source_view_marks_each_page_and_gives_each_figure_its_page(folder, tables):
    import html

    from analysis.publish import source_view

    source = load_source(folder / "pdf" / "bulletin.pdf")
    built = tables["pdf"]
    doc = next(built["documents"].itertuples())
    labels, words = source_view._labels()
    body = source_view.document_body(doc, source.text, built["mentions"], built["figures"], built["dates"],
                                     built["sentences"], built["sections"], labels, words, page_starts=source.page_starts)
    assert re.findall(r'<span class="pg" title="原文第 (\d+) 页"', body) == ["2", "3"]
    article = re.search(r'<article class="text" lang="zh-CN">(.*)</article>', body, re.S).group(1)
    article = re.sub(r'<span class="note".*?</span></span>', "", article)
    assert html.unescape(re.sub(r"<[^>]+>", "", article)) == source.text  # markers add no character
    last = built["figures"].iloc[-1]
    note = re.search(rf'id="n-f-{last["figure"]}" role="tooltip">(.*?)</span></span>', body).group(1)
    assert f"原文第 {last['page']} 页" in note


@pytest.mark.slow  # a second or two: `make test` only
def test_extract_of_a_scan_is_one_line_and_leaves_the_output_as_it_was(tmp_path, folder):
    from test_cli import assert_one_line_error, cli

    scan = documents.image_pdf(tmp_path / "scan.pdf")
    out = tmp_path / "out.csv"
    out.write_text("earlier output\n", encoding="utf-8")
    assert_one_line_error(cli("extract", scan, "-o", out), "scan.pdf", "scanned PDF", "no text layer")
    assert out.read_text(encoding="utf-8") == "earlier output\n"
    assert cli("extract", folder / "pdf" / "bulletin.pdf", "-o", out).returncode == 0
    import pandas as pd

    pages_written = pd.read_csv(out, encoding="utf-8-sig")["page"]
    assert pages_written.notna().all() and set(pages_written) == {1, 2, 3}


# -- the grid every table format hands over --------------------------------------------------------------
GRIDS = [
    # (rows, merged, lines)
    ([["指标", "2023年"], ["粮食(万吨)", "1272.9"]], {}, ["| 指标 | 2023年 |", "| 粮食(万吨) | 1272.9 |"]),
    # a title merged across, a two-row header, a note under the table
    ([["主要指标", "", ""], ["地区", "2023年", ""], ["", "总量(亿元)", "增长(%)"], ["兰州", "3487.3", "5.1"],
      ["注：初步核算数", "", ""]],
     {(0, 1): (0, 0), (0, 2): (0, 0), (1, 2): (1, 1), (2, 0): (1, 0), (4, 1): (4, 0), (4, 2): (4, 0)},
     ["主要指标", "| 地区 | 2023年 总量(亿元) | 2023年 增长(%) |", "| 兰州 | 3487.3 | 5.1 |", "注：初步核算数"]),
    # in the body a label merged down fills its rows, a number merged down or across is written once
    ([["地区", "项目", "个数"], ["兰州", "学校", "12"], ["", "医院", ""], ["天水", "合计", ""]],
     {(2, 0): (1, 0), (2, 2): (1, 2), (3, 2): (3, 1)},
     ["| 地区 | 项目 | 个数 |", "| 兰州 | 学校 | 12 |", "| 兰州 | 医院 |  |", "| 天水 | 合计 |  |"]),
    # one column is a list of lines; a | inside a cell cannot split a row; a cell's lines are joined
    ([["第一行"], ["第二行"]], {}, ["第一行", "第二行"]),
    ([["指标|说明", "数值"], ["绝对数\n(亿元)", "5"]], {}, ["| 指标｜说明 | 数值 |", "| 绝对数(亿元) | 5 |"]),
    # empty rows and columns go
    ([["", "", ""], ["指标", "", "数值"], ["粮食", "", "9"]], {}, ["| 指标 | 数值 |", "| 粮食 | 9 |"]),
]


@pytest.mark.parametrize("rows, merged, lines", GRIDS)
def test_a_grid_becomes_the_lines_the_table_reader_reads(rows, merged, lines):
    from analysis.raw.grid import Grid, table_lines

    assert table_lines(Grid(rows, merged)) == lines


@pytest.mark.parametrize("value, number_format, shown", [
    (0.061, "0.0%", "6.1%"), (0.5, "0%", "50%"), (1234.5, "#,##0.00", "1234.50"), (1200.0, "General", "1200"),
    (11863.8, None, "11863.8"), (3, "0", "3"), (-8.2, "0.0;[Red]-0.0", "-8.2"), (1e-05, "General", "0.00001"),
])
def test_a_spreadsheet_number_reads_as_the_sheet_shows_it(value, number_format, shown):
    from analysis.raw.spreadsheet import number_text

    assert number_text(value, number_format) == shown


@pytest.mark.parametrize("magic", [b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_arbitrary_bytes_in_a_binary_format_are_an_input_error_or_read(tmp_path, magic):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.binary(max_size=2000))
    def check(tail):
        path = tmp_path / "r.bin"
        path.write_bytes(magic + tail)
        try:
            load_source(path)
        except InputError as err:
            assert "\n" not in str(err) and "this is a bug" not in str(err)

    check()


@pytest.mark.slow  # matplotlib: `make test` only
@pytest.mark.parametrize("fonttype", [3, 42])
def test_a_pdf_drawn_by_matplotlib_with_the_packages_font_reads_line_by_line(tmp_path, fonttype):
    # Type 3 puts Latin glyphs higher than Chinese ones, so pdfplumber first sees two lines
    lines = ["青海省2023年统计公报", "全年地区生产总值3799.1亿元，比上年增长5.3%。", "年末常住人口594万人。"]
    drawn = [lines[0]] + ["\u3000\u3000" + line for line in lines[1:]]  # indented paragraphs
    path = documents.matplotlib_pdf(tmp_path / f"type{fonttype}.pdf", drawn, fonttype)
    assert load_source(path).text.splitlines() == lines


@pytest.mark.slow  # a second and a half: `make test` only
def test_the_seed_report_as_pdf_and_docx_gives_the_seed_figures(tmp_path):
    """The seed as a person would convert it (paragraphs at its runs of ideographic spaces), with a
    running header: the same figures, down to the as-of date and what is counted."""
    import datetime as dt

    from analysis.config import RAW_DIR
    from analysis.tables.build import TextSource

    seed = load_source(RAW_DIR / "000_ef22c67862e0d2cc.txt")
    blocks = documents.blocks_of_text(seed.text)
    columns = ["value", "unit", "qualifier", "province", "as_of", "subject"]

    def figures(text):
        rows = build_tables(TextSource("seed", text, dt.date(2021, 12, 1)))["figures"][columns]
        return collections.Counter(map(tuple, rows.astype(str).values.tolist()))

    want = figures(seed.text)
    for make, name in ((documents.pdf, "seed.pdf"), (documents.docx, "seed.docx")):
        assert figures(load_source(make(tmp_path / name, blocks, header="人民日报")).text) == want, name


@pytest.mark.parametrize("named_in", ["title", "banner only"])
def test_a_site_named_after_a_province_lends_its_name_to_no_figure(tmp_path, named_in):
    # 中国西藏网 carries an article about 青海: its name in a banner must not become the province
    page = documents.WEB_PAGE.replace('<meta property="og:site_name" content="高原新闻网">', "")
    page = page.replace("高原新闻网", "中国西藏网").replace('<div class="main">', '<div class="main"><div class="logo">中国西藏网</div>')
    if named_in == "banner only":
        page = page.replace("_要闻_中国西藏网", "")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    source = load_source(path)
    assert "西藏" not in source.text
    assert set(build_tables(source)["figures"]["province"]) == {"青海"}
