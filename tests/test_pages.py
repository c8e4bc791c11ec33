"""Report pages are self-contained: nothing remote, no scripts, every character shown above ASCII
drawn by a font embedded in the page, each page with its own title. These checks need no browser
(tests/test_browser.py looks at the pages in Chromium when it is installed)."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from analysis.publish import pages, webfont


def _notebook():
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    table = pd.DataFrame({"省份": ["吉林", "江西"], "数值": ["4.25万个", "超1.8亿元"]})
    cell = nbformat.v4.new_code_cell("table")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": table.to_html(index=False),
                                                                    "text/plain": str(table)}, execution_count=1)]
    nb.cells = [nbformat.v4.new_markdown_cell("# 省份概况\n\n表 1　“微心愿”——全文（见下）。"), cell]
    return nb


@pytest.fixture(scope="module")
def notebook_html():
    return pages.notebook_page(_notebook(), "省份概况：吉林", [("../index.html", "← 报告目录")])


@pytest.fixture(scope="module")
def plain_html():
    return pages.page("原文目录", "<h1>原文目录</h1><p title=\"悬停提示\">统计数字 34 个，甲乙</p>", [("../index.html", "← 报告目录")])


def test_a_notebook_page_loads_nothing_and_draws_every_character(notebook_html):
    html = notebook_html
    assert pages.problems(html) == []
    assert "<title>省份概况：吉林</title>" in html
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert '<a href="../index.html">← 报告目录</a>' in html
    assert "\u3000" in html and ord("\u3000") in webfont.embedded_coverage(html), "the ideographic space too"


def test_our_own_pages_are_self_contained(plain_html):
    html = plain_html
    assert pages.problems(html) == []
    assert {ord(c) for c in "悬停提示"} <= webfont.embedded_coverage(html), "attributes a browser shows count"


@pytest.mark.parametrize(("html", "problem"), [
    ('<html><head><script src="https://cdn.example/x.js"></script></head><body>x</body></html>', "network reference"),
    ("<html><head></head><body><script>1</script></body></html>", "<script>"),
    ('<html><head><link rel="stylesheet" href="a.css"></head><body>x</body></html>', "<link>"),
    ("<html><head></head><body>没有字体</body></html>", "no embedded glyph"),
])
def test_the_check_finds_what_breaks_a_page(html, problem):
    assert any(problem in p for p in pages.problems(html))


def test_a_character_missing_from_the_subset_is_reported(plain_html):
    broken = plain_html.replace("甲乙</p>", "甲乙丙</p>")  # 丙 is shown but was not embedded
    assert webfont.uncovered(broken) == "丙"


@pytest.mark.slow
def test_the_subset_is_deterministic_and_small():
    codepoints = tuple(webfont.wanted(set("吉林江苏福建江西，。")))
    first, covered = webfont.subset.__wrapped__(codepoints)
    again, _ = webfont.subset.__wrapped__(codepoints)
    assert first == again, "same characters, same bytes (no timestamp)"
    assert covered == codepoints and first[:4] == b"wOF2" and len(first) < 20_000


def test_page_characters_and_unicode_range():
    shown = webfont.page_characters('<p alt="x">可见<style>p{content:"前"}</style><script>不</script></p>')
    assert {"可", "见", "前"} <= shown and "不" not in shown
    assert webfont.unicode_range([0x41, 0x4E00, 0x4E01]) == "U+41, U+4E00-4E01"
