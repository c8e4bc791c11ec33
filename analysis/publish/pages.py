"""Self-contained report pages: nothing loaded from the network, Chinese drawn by an embedded font.

Two kinds of page, both finished by :func:`finish` (the font, :mod:`analysis.publish.webfont`):

- :func:`notebook_page`: an executed notebook without its code, through nbconvert's JupyterLab
  template with its four remote scripts removed (``templates/report``) and the comments of its
  CSS stripped (they hold documentation URLs);
- :func:`page`: our own pages (the index, the source views) on one small stylesheet.

Every page carries its font inline: a font file beside the pages is refused by some servers
(JupyterLab's file server answers a sandboxed page's font request with 403), and a page copied
alone must still show its Chinese.

:func:`problems` is what the tests check on every page written: no ``http://`` or ``https://``
anywhere (scripts, styles, fonts, links, text), no ``<script>`` at all, and every character shown
above ASCII in an embedded font.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
NETWORK = re.compile(r"https?://", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

# Added to the JupyterLab look of notebook pages: the navigation bar and images that fit. Tables carry
# their own styles (analysis.publish.styling), so they look the same in JupyterLab.
NOTEBOOK_CSS = """
.report-nav{margin:12px 20px 0;font-size:14px}
.report-nav a{margin-right:1.2em}
.jp-RenderedImage img{max-width:100%;height:auto}
"""

# Our own pages: the index and the source views.
PAGE_CSS = """
body{max-width:62em;margin:1.5em auto 4em;padding:0 1em;color:#1f2937;line-height:1.7;font-size:15px}
h1{font-size:1.5em;line-height:1.35;margin:.4em 0} h2{font-size:1.2em;margin-top:1.8em}
a{color:#1d4ed8} nav{font-size:.95em} nav a{margin-right:1.2em} .meta{color:#4b5563;font-size:.92em}
table{border-collapse:collapse;font-size:.92em;margin:.6em 0 1.2em}
th,td{padding:.25em .7em;text-align:left;vertical-align:top} thead th{border-bottom:1px solid #6b7280;white-space:nowrap}
tbody tr:nth-child(odd){background:#f3f4f6} td.num,th.num{text-align:right;white-space:nowrap}
.failed{color:#b91c1c;font-weight:600}
"""


class _ReportExporter:
    """Built on first use: nbconvert is imported only when a page is written."""

    @staticmethod
    @functools.cache
    def get():
        import markupsafe
        from nbconvert import HTMLExporter

        class ReportExporter(HTMLExporter):
            """``HTMLExporter`` on the ``report`` template, CSS comments stripped."""

            def _init_resources(self, resources):
                resources = super()._init_resources(resources)
                include_css = resources["include_css"]
                resources["include_css"] = lambda name: markupsafe.Markup(  # our own files' CSS
                    _CSS_COMMENT.sub("", str(include_css(name))))
                return resources

        # One per process: a new exporter compiles its templates again (0.1-0.2 s a page).
        return ReportExporter(
            template_name="report", extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            exclude_anchor_links=True, language_code="zh",  # ISO 639-1 only: "zh-CN" becomes "en"
        )


def nav(links: list[tuple[str, str]]) -> str:
    """A navigation bar's HTML from ``(href, text)`` pairs (both escaped)."""
    return "".join(f'<a href="{html_lib.escape(href)}">{html_lib.escape(text)}</a>' for href, text in links)


def notebook_page(nb, title: str, links: list[tuple[str, str]] = ()) -> str:
    """The code-free page of an executed notebook, titled ``title``, with a navigation bar."""
    import copy

    nb = copy.copy(nb)
    nb.metadata = {**nb.metadata, "title": title}  # lab/index.html.j2: <title>{{ nb.metadata.title }}
    body, _ = _ReportExporter.get().from_notebook_node(
        nb, resources={"report_css": NOTEBOOK_CSS, "report_nav": nav(list(links))})
    return finish(body)


def page(title: str, body: str, links: list[tuple[str, str]] = (), css: str = "") -> str:
    """One of our own pages: ``body`` is HTML, ``title`` text; its font embedded (:func:`finish`)."""
    return finish(page_html(title, body, links, css))


def page_html(title: str, body: str, links: list[tuple[str, str]] = (), css: str = "") -> str:
    """:func:`page` before its font is embedded (for a batch of pages that share one cut: see
    :func:`analysis.publish.webfont.shared_cut`)."""
    head = [
        "<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_lib.escape(title)}</title>", f"<style>{PAGE_CSS}{css}</style>", "</head><body>",
    ]
    bar = [f"<nav>{nav(list(links))}</nav>"] if links else []
    return "\n".join([*head, *bar, body, "</body></html>", ""])


def finish(html: str) -> str:
    """The page with its font embedded (see :mod:`analysis.publish.webfont`)."""
    from analysis.publish.webfont import embed

    return embed(html)


# A file name a page may show (figures.csv, tables.xlsx, 吉林.ipynb): the one place English may stand.
_FILE_NAME = re.compile(r"[\w.+\-/]+\.(?:csv|json|md|html|ipynb|png|svg|xlsx|txt|yml|parquet)\b", re.I)
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'\-]*[A-Za-z](?![A-Za-z0-9_])")


def shown_text(html: str) -> str:
    """The text a reader sees on a page: its text and the attributes a browser shows (title, alt...),
    not its styles or scripts."""
    from analysis.publish.webfont import shown_strings

    return "\n".join(shown_strings(html))


def english_words(html: str) -> list[str]:
    """The English words a page shows, file names excepted (they are names, not words): each run
    of two or more Latin letters standing alone. A Chinese page should show none.

    >>> english_words("<p>数据：figures.csv · date or period</p><style>p{color:red}</style>")
    ['date', 'or', 'period']
    """
    return _WORD.findall(_FILE_NAME.sub(" ", shown_text(html)))


def problems(html: str, folder=None) -> list[str]:
    """What keeps a page from being self-contained, one line each (empty if nothing). ``folder``:
    where the page is, for a font file it names by a relative path (the source views)."""
    from analysis.publish.webfont import uncovered

    found = []
    urls = sorted({html[m.start():m.start() + 60].split('"')[0] for m in NETWORK.finditer(html)})
    if urls:
        found.append(f"{len(urls)} network reference(s), e.g. {urls[0]}")
    if re.search(r"<script\b", html, re.I):
        found.append("a <script> element")
    if re.search(r"<link\b", html, re.I):
        found.append("a <link> element")
    missing = uncovered(html, folder)
    if missing:
        found.append(f"{len(missing)} character(s) shown with no embedded glyph: {missing[:20]}")
    return found
