"""HTML pages -> their article text: one line per block element, scripts and navigation dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|section|br|h[1-6]|table|span)[\s>/]", re.I)
_HTML_CLOSE = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>|<br\s*/?>", re.I)


def looks_like_html(text: str) -> bool:
    head = text[:65536]
    return bool(_HTML_TAG.search(head) and _HTML_CLOSE.search(head))


_SKIP = frozenset({"script", "style", "nav", "head", "noscript", "template", "svg", "header", "footer", "aside", "form", "button", "iframe", "select"})
_BLOCK = frozenset({
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody", "td", "th", "thead",
    "tr", "ul", "caption", "center",
})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class _ArticleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP and tag not in _VOID:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP and tag not in _VOID:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: one line per block element, scripts/styles/navigation dropped.

    Entities are unescaped; runs of spaces and tabs inside a line become one space; blank lines go.
    (U+3000 is kept: Chinese pages use it for paragraph indents, and the segmenter relies on it.)

    >>> html_to_text("<html><body><nav>首页</nav><h1>标题</h1><p>新建&nbsp;5个&lt;站点&gt;</p><script>x=1</script></body></html>")
    '标题\\n新建 5个<站点>'
    """
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    lines = []
    for line in "".join(parser.parts).splitlines():
        line = re.sub(r"[ \t\xa0\r\f\v]+", " ", line).strip(" ")
        if line.strip():
            lines.append(line)
    return "\n".join(lines)
