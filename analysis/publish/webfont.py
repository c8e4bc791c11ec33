"""The CJK font of the charts, cut to the characters one page shows, embedded in that page.

A page of ours must show Chinese on a machine with no CJK font installed, and load nothing from
the network. :func:`embed` collects the characters a page can show (:func:`page_characters`),
subsets the Simplified-Chinese face of the font the charts use (:func:`analysis.publish.fonts.cjk_font_file`)
to them with fontTools, and puts the result in the page as a base64 WOFF2 ``@font-face``
(``unicode-range`` limited to those characters, first in the font stack), so Chinese looks the
same everywhere and Latin text keeps the reader's own fonts. :func:`uncovered` is the check the
tests run on every page: each character shown above U+007E must have a glyph in an embedded font.

fontTools settings that matter (measured in notes for issue 12): ``recalcBBoxes=False`` (otherwise
saving recomputes the bounding boxes from every outline in pure Python, most of the time of a
large subset) and ``recalcTimestamp=False`` (otherwise ``head.modified`` changes and two runs give
different bytes). WOFF2 needs ``brotli``, which fontTools calls at its slowest setting (quality 11);
:func:`subset` saves at :data:`BROTLI_QUALITY` instead, a quarter of the time of a source view's
font for a file a few per cent larger.
"""

from __future__ import annotations

import base64
import io
import re
from contextlib import contextmanager
from functools import lru_cache
from html.parser import HTMLParser

FAMILY = "Report CJK"  # the family name pages use; never the name of an installed font
# SHARED CUT (a speed trick): a batch of pages (a worker's share of source views) cuts the font once to
# all their characters, keeping every table, feature and name; each page's subset is then cut from
# that small font instead of the whole CJK face: the same bytes (tests/test_webfont_shared_cut.py),
# in about half the time. None outside :func:`shared_cut`: (its code points, the font's bytes).
_shared: tuple[frozenset[int], bytes] | None = None
# Elements whose content is not shown as text, and attributes a browser does show.
_NOT_TEXT = frozenset({"script", "style", "template", "noscript"})
_SHOWN_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "placeholder", "value"})
LAST_ASCII = 0x7E  # characters up to here are left to the page's Latin fonts
BROTLI_QUALITY = 9

# The embedded face first (its unicode-range keeps it to the page's own non-ASCII characters),
# then the usual system stacks, then installed CJK fonts for anything missing from the subset.
SANS = (f'"{FAMILY}", system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC", '
        '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif')
MONO = f'"{FAMILY}", Menlo, Consolas, "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace'


class _Shown(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _NOT_TEXT:
            self._hidden += 1
        self.strings.extend(value for name, value in attrs if name in _SHOWN_ATTRIBUTES and value)

    def handle_startendtag(self, tag, attrs):
        self.strings.extend(value for name, value in attrs if name in _SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in _NOT_TEXT and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.strings.append(data)


def shown_strings(html: str) -> list[str]:
    """The pieces of text a page shows, in order: text outside styles and scripts, and the
    attributes a browser shows (title, alt, aria-label...)."""
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return parser.strings


_CSS_CONTENT = re.compile(r"""content\s*:\s*(?:"([^"]*)"|'([^']*)')""")


def page_characters(html: str) -> set[str]:
    """Every character a page can show: its text, the attributes a browser shows (title, alt...),
    and the strings of CSS ``content`` rules.

    >>> sorted(page_characters('<p title="提示">吉林<script>不显示</script></p>'))
    ['吉', '提', '林', '示']
    """
    extra = "".join(a + b for a, b in _CSS_CONTENT.findall(html))
    return set("".join(shown_strings(html))) | set(extra)


def wanted(chars) -> list[int]:
    """The code points the embedded font must cover: everything above ASCII, sorted.

    Whitespace too: U+3000, the ideographic space, is whitespace to Python but a glyph Latin
    fonts lack, and leaving it out drew a box.
    """
    return sorted({ord(c) for c in chars if ord(c) > LAST_ASCII})


def unicode_range(codepoints) -> str:
    """A CSS ``unicode-range`` for sorted code points, runs collapsed.

    >>> unicode_range([0x4E00, 0x4E01, 0x4E02, 0x3000])
    'U+3000, U+4E00-4E02'
    """
    runs: list[list[int]] = []
    for cp in sorted(codepoints):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


@lru_cache(maxsize=64)
def subset(codepoints: tuple[int, ...]) -> tuple[bytes, tuple[int, ...]]:
    """``(woff2, covered)``: the CJK face cut to ``codepoints``, and those of them it has a glyph for.

    Deterministic: the same code points give the same bytes. Cached in the process.
    """
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    from analysis.publish.fonts import cjk_font_file

    if _shared is not None and _shared[0].issuperset(codepoints):
        font = TTFont(io.BytesIO(_shared[1]), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    else:
        path, face = cjk_font_file()
        font = TTFont(str(path), fontNumber=face, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    cmap = font.getBestCmap()
    covered = tuple(cp for cp in codepoints if cp in cmap)
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # 13, 14: the font's licence (OFL) and its URL
    options.name_languages = [0x409]
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=covered)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    with _brotli_quality(BROTLI_QUALITY):
        font.save(buffer)
    return buffer.getvalue(), covered


def _cut_everything_but_glyphs(codepoints: tuple[int, ...]) -> bytes:
    """The CJK face cut to ``codepoints`` with every table, feature, name and glyph name kept: what a
    subset of some of them is cut from, to the same bytes as from the whole face (:func:`shared_cut`)."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    from analysis.publish.fonts import cjk_font_file

    path, face = cjk_font_file()
    font = TTFont(str(path), fontNumber=face, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    options = ft_subset.Options()
    options.name_IDs, options.name_languages, options.layout_features = ["*"], ["*"], ["*"]
    options.glyph_names = True
    options.notdef_outline = True
    options.hinting = True
    options.drop_tables = []
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@contextmanager
def shared_cut(chars):
    """Within the block, a page's font (:func:`subset`) whose characters are among ``chars`` is cut
    from the face already cut to all of them: the same bytes, in about half the time. For a batch of
    pages: pass the characters they show together."""
    global _shared
    codepoints = tuple(wanted(chars))
    previous = _shared
    _shared = (frozenset(codepoints), _cut_everything_but_glyphs(codepoints)) if codepoints else None
    try:
        yield
    finally:
        _shared = previous


class _Brotli:
    """The ``brotli`` module as fontTools' WOFF2 writer uses it, compressing at another quality."""

    def __init__(self, module, quality: int):
        self._module, self._quality = module, quality

    def __getattr__(self, name):
        return getattr(self._module, name)

    def compress(self, data, **kwargs):
        kwargs.setdefault("quality", self._quality)
        return self._module.compress(data, **kwargs)


@contextmanager
def _brotli_quality(quality: int):
    """While saving: fontTools.ttLib.woff2 calls ``brotli.compress(data, mode=MODE_FONT)`` with no
    way to pass a quality, so its module reference is swapped for the time of one save."""
    from fontTools.ttLib import woff2

    real = woff2.brotli
    woff2.brotli = _Brotli(real, quality)
    try:
        yield
    finally:
        woff2.brotli = real


# font-weight:400 only: the browser then synthesises bold for headings and table headers.
STACKS = (f":root{{--jp-ui-font-family:{SANS};--jp-content-font-family:{SANS};"
          f"--jp-code-font-family:{MONO};--jp-code-font-family-default:{MONO}}}"
          f"body{{font-family:{SANS}}}code,pre,kbd,samp{{font-family:{MONO}}}")
_FACE = ('@font-face{font-family:"%s";font-style:normal;font-weight:400;font-display:block;'
         'src:url(%s) format("woff2")%s}')


def font_css(chars) -> str:
    """The ``@font-face`` rule of the subset for ``chars`` (inline, base64) plus the font stacks."""
    codepoints = tuple(wanted(chars))
    face = ""
    if codepoints:
        woff2, covered = subset(codepoints)
        data = "data:font/woff2;base64," + base64.b64encode(woff2).decode("ascii")
        face = _FACE % (FAMILY, data, f";unicode-range:{unicode_range(covered)}")
    return face + STACKS


def embed(html: str) -> str:
    """``html`` with the font it needs in a ``<style>`` just before ``</head>``."""
    style = f'<style id="report-font">{font_css(page_characters(html))}</style>'
    head_end = html.find("</head>")
    if head_end < 0:
        raise ValueError("embed needs a page with a </head>")
    return html[:head_end] + style + html[head_end:]


# ----------------------------------------------------------------------------- the check

_FONT_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)
_DATA_URL = re.compile(r"url\(data:font/(?:woff2|woff|otf|ttf);base64,([A-Za-z0-9+/=]+)\)")
_FILE_URL = re.compile(r"url\((?!data:)([^)\s]+)\)")
_RANGE = re.compile(r"unicode-range:\s*([^;}]+)")


def _ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        low, _, high = part.strip().upper().removeprefix("U+").partition("-")
        out.append((int(low, 16), int(high or low, 16)))
    return out


def embedded_coverage(html: str, folder=None) -> set[int]:
    """Code points an ``@font-face`` of the page both declares and has a glyph for: fonts inline,
    and with ``folder`` (where the page is) font files it names by a relative path."""
    from pathlib import Path

    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for rule in _FONT_FACE.findall(html):
        data, linked = _DATA_URL.search(rule), _FILE_URL.search(rule)
        if data:
            font = io.BytesIO(base64.b64decode(data.group(1)))
        elif linked and folder is not None and (Path(folder) / linked.group(1).strip("'\"")).is_file():
            font = str(Path(folder) / linked.group(1).strip("'\""))
        else:
            continue
        cmap = set(TTFont(font).getBestCmap())
        spec = _RANGE.search(rule)
        if spec:
            ranges = _ranges(spec.group(1))
            cmap = {cp for cp in cmap if any(a <= cp <= b for a, b in ranges)}
        covered |= cmap
    return covered


def uncovered(html: str, folder=None) -> str:
    """The characters the page shows (above ASCII) that no font of the page draws; "" if none."""
    covered = embedded_coverage(html, folder)
    return "".join(chr(cp) for cp in wanted(page_characters(html)) if cp not in covered)
