"""Saved web pages -> the article's text (tables kept as pipe rows), its title and its publication date.

trafilatura finds the main text of a page (it scores the page's blocks by text density and link
share, with jusText and readability-style fallbacks) and drops navigation, sidebars, share bars and
footers; hand-written tag rules (:mod:`analysis.raw.html_text`, kept as the fallback for a page where
trafilatura finds no article) keep every link list a site puts round the article, and their numbers
then pass for figures. Its tables come back as pipe rows, which the table reader reads; a caption
row becomes a caption line (:mod:`analysis.raw.grid`).

What trafilatura keeps from the article's own furniture (the info line under the headline with its
view counter, ``热度:37.1℃``, ``浏览次数：12836``, a ``24小时新闻热线`` line, a breadcrumb) is dropped line by
line with the patterns of ``lexicon/web_boilerplate.tsv``, and so are short lines naming the site.

Title and date come from the page's metadata: the title as trafilatura reads it (no ``_栏目_网站`` suffix);
the date from a publication-date ``<meta>`` or a ``发布时间：`` line, never from trafilatura's date
guess, which takes a year named in the headline or a link (``2023年…`` -> 2023-01-01) on Chinese pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.raw.grid import Grid, table_lines

LINE_MAX = 150  # a longer line is article text, whatever it holds
SITE_LINE_MAX = 30  # a line this short that names the site is a banner
# <meta> names that hold the publication date, as Chinese government and news sites write them
DATE_META = ("pubdate", "publishdate", "publish_date", "firstpublishedtime", "article:published_time",
             "og:release_date", "dc.date", "dc.date.issued", "dcterms.issued", "releasedate", "date")
_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""(name|property|content|itemprop|http-equiv)\s*=\s*(["'])(.*?)\2""", re.I | re.S)
_ISO_DAY = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_STATED_DATE = re.compile(r"(?:发布|发表)?(?:时间|日期)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SEPARATOR = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")
_SENTENCE_END = re.compile(r"[。！？]")


@dataclass(frozen=True)
class WebPage:
    text: str
    title: str | None
    published: dt.date | None


def read_web_page(html: str) -> WebPage:
    """The article of a saved page with its title and publication date (see the module docstring).

    >>> page = read_web_page('<html><head><title>示例</title><meta name="PubDate" content="2023-10-26 09:30"></head>'
    ...     '<body><div>浏览次数：12836</div><article><p>' + '全省新增就业4.2万人。' * 8 + '</p></article></body></html>')
    >>> page.published, "浏览次数" in page.text, page.text.count("4.2万人")
    (datetime.date(2023, 10, 26), False, 8)
    """
    import trafilatura

    metadata = trafilatura.extract_metadata(html)
    extracted = trafilatura.extract(_prepared(html), include_tables=True, include_comments=False, include_images=False,
                                    include_links=False, output_format="txt", deduplicate=False)
    title = (metadata.title or "").strip() or None if metadata is not None else None
    sites = site_names(html, (metadata.sitename or "") if metadata is not None else "", title)
    if not (extracted or "").strip():
        from analysis.raw.html_text import html_to_text

        extracted = html_to_text(html)
    lines = _article_lines(extracted or "", sites)
    if title and not any(line.strip() == title for line in lines[:3]):
        lines.insert(0, title)  # the headline went to the metadata: it heads the article (and may name the province)
    return WebPage("\n".join(lines) + "\n" if lines else "", title, published_date(html))


# Inline elements a browser draws within the line (trafilatura's last-resort extraction, used on short
# pages, would put each on a line of its own: 改造老旧小区\n42\n个)
INLINE = ("b", "strong", "i", "em", "span", "font", "u", "small", "big", "mark", "abbr", "cite", "s", "strike",
          "tt", "var", "ins", "sup", "sub")
# Never article text (trafilatura drops them itself on a long page, not in that last resort)
NOT_ARTICLE = ("script", "style", "noscript", "template", "iframe", "form", "nav", "header", "footer", "aside",
               "button", "select")
_XML_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _prepared(html: str):
    """The page as an lxml tree, without what is never article text and with inline elements unwrapped;
    a link inside a paragraph of text is unwrapped too (one that is most of its paragraph, as in a
    menu, is kept, so trafilatura still sees the link density of a navigation block)."""
    import lxml.html
    from lxml import etree

    try:
        tree = lxml.html.document_fromstring(_XML_PROLOG.sub("", html, count=1))
    except (etree.ParserError, ValueError):
        return html  # trafilatura parses it its own way
    etree.strip_elements(tree, *NOT_ARTICLE, with_tail=False)
    etree.strip_tags(tree, *INLINE)
    for paragraph in tree.iter("p"):
        links = paragraph.findall(".//a")
        linked = sum(len(a.text_content()) for a in links)
        if links and linked * 2 < len(paragraph.text_content()):
            etree.strip_tags(paragraph, "a")
    return tree


def published_date(html: str) -> dt.date | None:
    """The page's publication date: a date ``<meta>`` (:data:`DATE_META`), else the first ``发布时间：…`` line.

    >>> published_date('<meta name="PubDate" content="2023-10-26 09:30">'), published_date('<p>发布时间：2024年3月5日</p>')
    (datetime.date(2023, 10, 26), datetime.date(2024, 3, 5))
    """
    for tag in _META.findall(html[:200_000]):
        attrs = {k.lower(): v for k, _, v in _ATTR.findall(tag)}
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        if name in DATE_META:
            found = _day(_ISO_DAY.search(attrs.get("content", "")))
            if found is not None:
                return found
    text = re.sub(r"<[^>]*>", " ", html)
    return _day(_STATED_DATE.search(text))


def _day(match: re.Match | None) -> dt.date | None:
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def boilerplate() -> re.Pattern:
    """The patterns of ``lexicon/web_boilerplate.tsv`` as one regular expression."""
    from analysis.config import LEXICON_DIR
    from analysis.tsv import read_tsv

    rows = read_tsv(LEXICON_DIR / "web_boilerplate.tsv")
    return re.compile("|".join(f"(?:{row['pattern']})" for row in rows))


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TITLE_PARTS = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|--)\s*")
# A banner: a site's name alone on a line (中国西藏网, XX新闻网), at the head or foot of the text
_BANNER = re.compile(r"[^\d\s，。,.:：、；;!！?？（）()]{2,15}(?:网|网站|门户|在线|频道)")
BANNER_LINES = 3  # lines at each end of the extracted text where a banner may stand


def site_names(html: str, sitename: str = "", title: str | None = None) -> set[str]:
    """The names the site goes by: its ``og:site_name`` (as trafilatura reads it) and the last part of
    the ``<title>`` after the headline (``…_要闻_中国西藏网``).

    >>> sorted(site_names("<title>青海：就业稳定_要闻_中国西藏网</title>", "", "青海：就业稳定"))
    ['中国西藏网']
    """
    names = {sitename.strip()} - {""}
    found = _TITLE.search(html[:200_000])
    if found:
        import html as entities

        parts = [p for p in _TITLE_PARTS.split(entities.unescape(found.group(1)).strip()) if p]
        if len(parts) >= 2 and 2 <= len(parts[-1]) <= 20 and parts[-1] != title:
            names.add(parts[-1])
    return names


def _article_lines(text: str, sites: set[str]) -> list[str]:
    """The extracted text's lines without page furniture, its pipe tables laid out again.

    A short line naming the site (``sites``), or a banner at either end of the text, is the site's: left
    as it stood, a name such as 中国西藏网 would pose as the province of every figure.
    """
    furniture = boilerplate()
    lines: list[str] = []
    table: list[list[str]] = []

    def end_table() -> None:
        if table:
            lines.extend(table_lines(Grid(table)))
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if _SEPARATOR.fullmatch(line.replace(" ", "")):
            continue  # |---|---| under a header row
        if line.startswith("|") and line.endswith("|") and line.count("|") >= 3:
            table.append([cell.strip() for cell in line[1:-1].split("|")])
            continue
        end_table()
        if not line:
            continue
        if len(line) <= LINE_MAX and furniture.search(line):
            continue
        if len(line) <= SITE_LINE_MAX and not _SENTENCE_END.search(line) and any(site in line for site in sites):
            continue
        lines.append(line)
    end_table()
    ends = set(range(min(BANNER_LINES, len(lines)))) | set(range(max(0, len(lines) - BANNER_LINES), len(lines)))
    return [line for n, line in enumerate(lines) if not (n in ends and _BANNER.fullmatch(line))]
