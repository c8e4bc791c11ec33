"""The pages as a reader sees them: headless Chromium on a machine with no CJK font (a fontconfig
that hides every font but DejaVu) draws their Chinese with the font the page carries.

Skipped with a reason where Chromium is not installed (``apt-get install chromium``); the static
checks of tests/test_pages.py run everywhere. Chromium prints the page to PDF, and the PDF names
the fonts it drew with: the page's embedded subset must be among them, and no text may have been
left to a fallback with no Chinese glyphs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.publish import pages

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CJK = HERE / "browser" / "fonts-nocjk.conf"


def _fonts_in_pdf(page: Path, tmp_path: Path) -> set[str]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh"], env={"FONTCONFIG_FILE": str(NO_CJK)}, capture_output=True, text=True)
        assert listed.stdout.strip() == "", "the test fontconfig must hide every CJK font"
    pdf = tmp_path / "page.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   env={"FONTCONFIG_FILE": str(NO_CJK), "HOME": str(tmp_path)}, capture_output=True, timeout=120, check=True)
    # Skia writes a CFF web font's glyphs as Type3 fonts; their descriptors keep the font's name.
    return {name.decode() for name in re.findall(rb"/FontName\s*/([A-Za-z0-9+_-]+)", pdf.read_bytes())}


@pytest.mark.parametrize("kind", ["notebook", "plain"])
def test_chinese_is_drawn_with_the_embedded_font_on_a_machine_without_cjk_fonts(kind, tmp_path):
    import nbformat

    text = "吉林：累计列出实事项目4.25万个，投入资金超1.8亿元。"
    if kind == "notebook":
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
        nb.cells = [nbformat.v4.new_markdown_cell(f"# 省份概况\n\n{text}")]
        html = pages.notebook_page(nb, "省份概况：吉林")
    else:
        html = pages.page("报告目录", f"<h1>报告目录</h1><p>{text}</p>")
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    fonts = _fonts_in_pdf(page, tmp_path)
    assert any("NotoSansCJK" in f for f in fonts), f"Chinese not drawn with the embedded font: {sorted(fonts)}"
    bare = tmp_path / "bare.html"  # the same page without its font: the check would see the difference
    bare.write_text(re.sub(r'<style id="report-font">.*?</style>', "", html, flags=re.S), encoding="utf-8")
    assert not any("NotoSansCJK" in f for f in _fonts_in_pdf(bare, tmp_path))
