"""Cut a long text, arriving in chunks, into windows that can be segmented and scanned one by one.

A report of any size is processed one window at a time (``tables.iter_tables``), so memory is set
by the window size, not by the report. Windows are cut just after a line break: paragraphs,
sentences and the sentence scopes of 截至… all end there, so cutting changes nothing. Each window
also carries some text from either side (``CONTEXT`` characters), so every look-behind and look-ahead
of the scan sees what it would see in the whole text.

A text with no line break for four window sizes (or four contexts, if larger) is cut at a paragraph break of ideographic
spaces (　　), else after a sentence end, else anywhere outside a run of numerals; such a cut is the
one place where a window boundary can change a result (a 截至… scope or a table unit that runs
across it), and it needs a single "line" of millions of characters.

>>> [(w.start, w.text[w.lo:w.hi]) for w in windows(["第一行\\n第二", "行\\n第三行"], size=2, context=1)]
[(0, '第一行\\n'), (3, '第二行\\n'), (7, '第三行')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from analysis.extract.lexicon import NUMERAL_CHARS

# characters of body per window: a window's rows are held until written, so this sets the peak memory of
# a large report (clean of one 50 MB file: 398 MB at 1 << 20, 307 MB at 1 << 18, the same CPU and bytes)
SIZE = 1 << 18
CONTEXT = 512  # characters of context on each side: far more than any look-behind or look-ahead

_SOFT_CUTS = (
    re.compile(r"\u3000{2,}"),  # a paragraph break in reports that run paragraphs together
    re.compile(r"[。！？!?]"),
    re.compile(f"[^{NUMERAL_CHARS}]"),
)


@dataclass(frozen=True)
class Window:
    """``text[lo:hi]`` is this window's own part; the rest is context. ``start`` is where ``text``
    begins in the whole text, so ``start + lo`` is the offset of the window's first character."""

    start: int
    text: str
    lo: int
    hi: int
    final: bool


def windows(chunks: Iterable[str], size: int = SIZE, context: int = CONTEXT,
            longest_line: int | None = None) -> Iterator[Window]:
    """Windows over the concatenation of ``chunks``, in order; their own parts tile the text.

    A whole text is one chunk; a reader streaming a large file gives many. Memory is about
    ``size + 2 * context`` characters plus one chunk (plus ``longest_line`` while a line that long
    is read, before it is known to need cutting elsewhere).
    """
    longest_line = longest_line or 4 * max(size, context)
    buffer = ""  # text from ``offset`` on: some context, then text not yet in a window
    offset = 0  # where ``buffer`` begins in the whole text
    lo = 0  # where in ``buffer`` the next window's own part begins
    line_start = 0  # where the line holding ``lo`` begins, in the whole text

    def cuts():
        nonlocal lo, line_start
        while (cut := _cut(buffer, lo, size, context, longest_line, line_start - offset)) is not None:
            begin = max(lo - context, 0)
            yield Window(offset + begin, buffer[begin:cut + context], lo - begin, cut - begin, final=False)
            newline = buffer.rfind("\n", lo, cut)
            if newline >= 0:
                line_start = offset + newline + 1
            lo = cut

    for chunk in chunks:
        keep = max(lo - context, 0)  # drop what no later window needs, once per chunk
        buffer, offset, lo = buffer[keep:] + chunk, offset + keep, lo - keep
        yield from cuts()
    yield from cuts()  # a long line at the very end is cut too, not held whole
    begin = max(lo - context, 0)
    yield Window(offset + begin, buffer[begin:], lo - begin, len(buffer) - begin, final=True)


def _cut(buffer: str, lo: int, size: int, context: int, longest_line: int, line_start: int) -> int | None:
    """Where the window starting at ``lo`` ends, or None to wait for more text (or end the text).

    ``line_start``: where the line holding ``lo`` begins, relative to ``buffer`` (it may lie before
    it). A cut needs ``context`` characters after it, with some text in them: a number followed
    only by whitespace up to the end of the text is cut off, and the window holding it must know that.
    """
    if len(buffer) - lo < size + context:
        return None
    newline = buffer.find("\n", lo + size - 1, len(buffer) - context)
    if newline >= 0:
        cut = newline + 1
    else:
        last = buffer.rfind("\n", lo, lo + size - 1)
        if len(buffer) - (last + 1 if last >= 0 else line_start) <= longest_line + context:
            return None  # the line may still end; at the end of the text the last window holds it
        cut = _soft_cut(buffer, lo + size, len(buffer) - context)
    if not buffer[cut:cut + context].strip():
        return None
    return cut


def _soft_cut(buffer: str, begin: int, end: int) -> int:
    for pattern in _SOFT_CUTS:
        found = pattern.search(buffer, begin, end)
        if found:
            return found.end()
    return end
