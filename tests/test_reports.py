"""The reports a fresh `make run` publishes, read as a reader and an analyst would: Chinese pages (no
English word but file names), no empty section, one numbering of figures in the profile, the source
view and the CSV, a reports/ folder that works when copied elsewhere, and a workbook that keeps
text as text, numbers as stated and dates as dates."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from analysis import config
from analysis.publish import pages, views

pytestmark = pytest.mark.slow  # one whole run of the notebook plan: `make test` only


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "reports"
    done = subprocess.run([sys.executable, "-m", "analysis", "run", "--no-clean", "--no-progress",
                           "--reports-dir", str(out)], capture_output=True, text=True, cwd=config.ROOT, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    return out


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_every_page_is_in_chinese(reports):
    counted = {p.relative_to(reports).as_posix(): pages.english_words(p.read_text(encoding="utf-8"))
               for p in _pages(reports)}
    assert len(counted) >= 9
    assert {name: words for name, words in counted.items() if words} == {}


def test_no_page_shows_an_empty_section(reports):
    for page in _pages(reports):
        html = page.read_text(encoding="utf-8")
        for chunk in re.split(r"<h2\b", html)[1:]:
            heading = re.sub(r"<[^>]+>", "", chunk.split("</h2>")[0].split(">", 1)[1])
            assert re.search(r"<(table|img|li)\b", chunk), f"{page.name}: section {heading!r} shows nothing"


def test_the_profile_and_the_source_view_number_a_figure_as_the_csv_does(reports):
    figures = views.load("figures")
    seen = 0
    for profile in (reports / "province_profile").glob("*.html"):
        html = unquote(profile.read_text(encoding="utf-8"))
        for doc_id, anchor, shown in re.findall(r'href="\.\./source/([^"#]+)\.html#f-(\d+)">编号(\d+)<', html):
            assert anchor == shown, f"{profile.name}: the link to figure {anchor} says {shown}"
            row = figures[(figures["doc_id"] == doc_id) & (figures["figure"] == int(anchor))]
            assert len(row) == 1 and row["province"].iloc[0] == profile.stem
            view = (reports / "source" / f"{doc_id}.html").read_text(encoding="utf-8")
            note = re.search(rf'id="n-f-{anchor}" role="tooltip"><span class="k">统计数字</span><span class="v">([^<]*)<',
                             view).group(1)
            assert note.startswith(f"编号{anchor}："), note
            seen += 1
    assert seen >= len(figures[figures["province"].fillna("") != ""]), "every figure of a province is linked"


def test_a_copied_reports_folder_keeps_every_link(reports, tmp_path):
    copy = tmp_path / "published"
    shutil.copytree(reports, copy)
    broken = []
    for page in _pages(copy):
        for href in re.findall(r'(?:href|src)="([^"#]+)', page.read_text(encoding="utf-8")):
            if href.startswith("data:"):
                continue
            target = (page.parent / unquote(href)).resolve()
            if not target.exists() or not target.is_relative_to(copy.resolve()):
                broken.append(f"{page.relative_to(copy)} -> {href}")
    assert broken == []
    assert (copy / "data" / "figures.csv").read_bytes() == (config.CLEAN_DIR / "figures.csv").read_bytes()
    assert not list(copy.rglob("*.woff2")), "every page carries its font inline"


def test_the_index_previews_are_readable(reports):
    from matplotlib import image

    thumbs = sorted((reports / "figures" / "thumbs").glob("*.png"))
    assert thumbs and all(image.imread(t).shape[1] >= 500 for t in thumbs)


def test_the_workbook_keeps_what_the_report_wrote(reports):
    import datetime as dt

    from openpyxl import load_workbook

    book = load_workbook(reports / "data" / "tables.xlsx")
    assert book.sheetnames[:4] == ["说明", "统计数字", "指标", "报道"]
    sheet = book["统计数字"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["报道编号", "数字编号", "省份"] and "原文写法" in header
    assert "列名：surface" in sheet.cell(1, header.index("原文写法") + 1).comment.text
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    surfaces = {r["原文写法"]: r for r in rows}
    assert surfaces["99.9%"]["原文写法"] == "99.9%", "text stays text, not the number 0.999"
    assert surfaces["24.03万人"]["数值"] == 240300 and surfaces["99.89%"]["数值"] == 99.89
    assert isinstance(surfaces["24.03万人"]["截至"], dt.datetime), "a day is a date"
    assert isinstance(surfaces["4.25万个"]["截至"], dt.datetime), "截至目前 is the report's date"
    indicators = [[c.value for c in row] for row in book["指标"].iter_rows()]
    column = indicators[0].index("每万人")
    per = [row[column] for row in indicators[1:] if row[column] is not None]
    assert per and all(round(v, 2) == v for v in per), "derived values to two decimals"
    assert isinstance(book["报道"]["F2"].value, dt.datetime)
