"""Page boundaries of a decoded text: where each page starts, and the page of an offset.

A PDF's text is built line by line (:class:`PagedText`); each page's first character gets its
offset, so the boundaries travel with the text as plain offsets (``page_starts[k]`` is where page
``k + 1`` starts). Every table keeps pointing into the one decoded text, and the page of anything
with an offset (a figure, a sentence) is :func:`page_at` of its start: one definition for all.
A page with no text starts where the next one does.
"""

from __future__ import annotations

from bisect import bisect_right


def page_at(page_starts: tuple[int, ...] | list[int], offset: int) -> int | None:
    """The page (1-based) holding the character at ``offset``; None for a text without pages.

    >>> starts = (0, 120, 120, 300)    # page 3 holds no text
    >>> [page_at(starts, o) for o in (0, 119, 120, 299, 300)], page_at((), 5)
    ([1, 1, 3, 3, 4], None)
    """
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


class PagedText:
    """A text written piece by piece, each piece on a page: ``text()`` and ``starts`` at the end.

    >>> t = PagedText()
    >>> t.write("第一页", 1); t.write("续", 2); t.end_line(); t.write("末页", 4); t.end_line()
    >>> t.text(), t.starts
    ('第一页续\\n末页\\n', (0, 3, 5, 5))
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._starts: list[int] = []

    def write(self, text: str, page: int) -> None:
        """Append ``text``, which stands on ``page`` (pages only go forward)."""
        while len(self._starts) < page:
            self._starts.append(self._length)
        self._parts.append(text)
        self._length += len(text)

    def end_line(self) -> None:
        if self._parts and not self._parts[-1].endswith("\n"):
            self._parts.append("\n")
            self._length += 1

    def blank_line(self) -> None:
        """A blank line (between two tables, so the table reader sees two)."""
        self.end_line()
        self._parts.append("\n")
        self._length += 1

    def pad_pages(self, n_pages: int) -> None:
        """Pages after the last text (blank pages at the end) start at the text's end."""
        while len(self._starts) < n_pages:
            self._starts.append(self._length)

    def text(self) -> str:
        return "".join(self._parts)

    @property
    def starts(self) -> tuple[int, ...]:
        return tuple(self._starts)
