"""The source view: each document's whole text, every numeric token highlighted by disposition and
checked against the mentions table, every figure anchored once for the reports to link to."""

from __future__ import annotations

import html
import re

import pytest

from analysis import config
from analysis.publish import pages, source_view, views

pytestmark = pytest.mark.slow  # a font subset and the whole seed text: `make test` only
SEED = "000_ef22c67862e0d2cc"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    skipped, _ = source_view.write_views(config.CLEAN_DIR, reports, [SEED])
    source_view.write_list(config.CLEAN_DIR, reports, skipped)
    return reports, skipped


def test_every_mention_is_highlighted_in_text_order_with_its_disposition(written):
    reports, skipped = written
    assert skipped == []
    page = (reports / "source" / f"{SEED}.html").read_text(encoding="utf-8")
    mentions = views.load("mentions").query("doc_id == @SEED").sort_values("span_start")
    spans = re.findall(r'<a class="m d-(\w+)" id="([fm]-\d+)" href="#\2"[^>]*>([^<]*)</a>', page)
    assert [(d, html.unescape(s)) for d, _, s in spans] == list(zip(mentions["disposition"], mentions["surface"]))


def test_every_figure_is_anchored_once_with_its_details(written):
    reports, _ = written
    page = (reports / "source" / f"{SEED}.html").read_text(encoding="utf-8")
    figures = views.load("figures").query("doc_id == @SEED")
    for figure in figures["figure"]:
        assert page.count(f'id="f-{figure}"') == 1 and page.count(f'id="n-f-{figure}"') == 1
    note = re.search(r'<span class="note" id="n-f-5" role="tooltip">(.*?)</span></span>', page).group(1)
    assert "编号5：" in note and "超1.8亿元" in note and "统计对象" in note and "时点" in note
    assert 'href="#f-5">编号5</a>' in page, "the list of figures numbers them the same way"


def test_the_text_is_the_document_text_every_character_in_order(written):
    reports, _ = written
    page = (reports / "source" / f"{SEED}.html").read_text(encoding="utf-8")
    article = re.search(r'<article class="text" lang="zh-CN">(.*)</article>', page, re.S).group(1)
    article = re.sub(r'<span class="note".*?</span></span>', "", article)
    text = html.unescape(re.sub(r"<[^>]+>", "", article))
    raw = (config.RAW_DIR / f"{SEED}.txt").read_text(encoding="utf-8").lstrip("\ufeff")
    assert text == raw


def test_source_pages_are_self_contained_each_with_its_font_inline_and_in_chinese(written):
    reports, _ = written
    for path in (reports / "source").glob("*.html"):
        page = path.read_text(encoding="utf-8")
        assert pages.problems(page) == [], path.name  # no folder: a font file beside the page would not count
        assert pages.english_words(page) == [], path.name
    assert sorted(p.suffix for p in (reports / "source").iterdir()) == [".html", ".html"], "no separate font file"


def test_a_document_whose_raw_file_is_gone_is_listed_without_a_view(tmp_path):
    import shutil

    clean = tmp_path / "clean"
    shutil.copytree(config.CLEAN_DIR, clean)
    documents = (clean / "documents.csv").read_text(encoding="utf-8-sig").replace(f"{SEED}.txt", "gone/x.txt")
    (clean / "documents.csv").write_text(documents, encoding="utf-8-sig")
    skipped, _ = source_view.write_views(clean, tmp_path / "reports", [SEED])
    assert [doc for doc, _ in skipped] == [SEED] and not (tmp_path / "reports" / "source" / f"{SEED}.html").exists()
    listing = source_view.write_list(clean, tmp_path / "reports", skipped).read_text(encoding="utf-8")
    assert "原始文件不在" in listing and f'href="{SEED}.html"' not in listing


def test_a_name_the_file_system_still_refuses_skips_that_report_with_a_note(tmp_path, monkeypatch):
    """Issue 22: the escaped name is refused anyway (a file system with a shorter name limit): that
    report has no view and says why; the others are written."""
    import errno
    import shutil

    from analysis.store import atomic
    from analysis.store.clean import clean

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(config.RAW_DIR / f"{SEED}.txt", raw / f"{SEED}.txt")
    # another report (the same bytes would be the same report, read once)
    (raw / "报告:2021?.txt").write_bytes((config.RAW_DIR / f"{SEED}.txt").read_bytes() + "吉林新建公园5个。\n".encode())
    clean(raw, tmp_path / "clean")
    refused = source_view.page_name("报告:2021?")
    real = atomic.write_text_atomic

    def picky(path, text, *args, **kwargs):
        if path.name == refused:
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(path))
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(atomic, "write_text_atomic", picky)
    reports = tmp_path / "reports"
    skipped, _ = source_view.write_views(tmp_path / "clean", reports, [SEED, "报告:2021?"], raw)
    assert [doc for doc, _ in skipped] == ["报告:2021?"] and "不接受" in skipped[0][1]
    assert (reports / "source" / f"{SEED}.html").is_file() and not (reports / "source" / refused).exists()
    listing = source_view.write_list(tmp_path / "clean", reports, skipped).read_text(encoding="utf-8")
    assert "不接受它的页面文件名" in listing and f'href="{SEED}.html"' in listing
