"""PDF (with a text layer) -> one text in reading order, tables as pipe rows, with its page boundaries.

pdfplumber (on pdfminer.six) gives each character with its position, which is what reading a page
needs: lines, paragraph ends (an indented line starts a paragraph, a short line ends one), the
ruled tables (``page.find_tables()``) and what repeats at the top and foot of every page. pypdfium2
(PDFium, which pdfplumber already depends on) reads the text where pdfminer cannot map a font's
glyphs to characters and writes ``(cid:123)``: the geometry still comes from pdfplumber, the words
of each line and cell from PDFium, over the same box.

- Running headers, footers and page numbers are left out. Only a line among the first or last two of
  a page, in its top or bottom band, can be one: it recurs at the same height on most pages (digits
  aside; never a lone character, which a table may repeat), or, in the margin, it is only a page
  number (``— 3 —``, ``第3页``, ``3/12``) or set smaller than the body text (the header of a one-page file).
- Each paragraph is one line; wrapped lines are joined with no space (Chinese has none). A line with
  wide gaps (a table drawn without rules) is kept as its own line with two spaces at each gap, the
  aligned-column form the table reader understands.
- A ruled table is its caption lines and pipe rows (:mod:`analysis.raw.grid`); a table that ends a
  page and goes on at the top of the next with as many columns is one table, its repeated header
  row dropped.
- Every piece of text is written on its page (:class:`analysis.raw.pages.PagedText`).

A PDF with no text at all (a scan) is refused: there is no OCR here.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.grid import Grid, one_line, table_rows
from analysis.raw.pages import PagedText

NO_TEXT = "a scanned PDF: its pages are images with no text layer (OCR is not supported); use a PDF with text"
_ASCII_WORD = re.compile(r"[A-Za-z0-9.,%]")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"[-—–·\s]*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|[Pp]age\s*\d+(?:\s*of\s*\d+)?|\d+\s*(?:/\s*\d+)?)[-—–·\s]*")
EDGE_LINES = 2  # lines looked at for headers and footers at the top and the foot of each page
REPEATED_SHARE = 0.6  # a line at the same place on this share of the pages is a running header or footer
# Running headers and footers sit in the top or bottom band of a page (BAND of its height); in the
# narrower MARGIN a lone number is a page number, and a line set smaller than the body text a header.
BAND = 0.15
MARGIN = 0.1
GAP_COLUMNS = 1.5  # a gap wider than this many characters separates two cells of an unruled table


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    gapped: bool  # holds a wide gap: a row of a table drawn without rules
    band: bool = False  # in the top or bottom BAND of the page, where running headers and footers are
    margin: bool = False  # in the top or bottom MARGIN, where page numbers are


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    grid: Grid
    pages: list[int] = field(default_factory=list)  # the page of each row


def read_pdf(path: Path, data: bytes) -> tuple[str, tuple[int, ...]]:
    """The text of a PDF and where each page starts in it (see the module docstring).

    Raises InputError (one line) for an encrypted, damaged, truncated or scanned PDF.
    """
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - PdfminerException, and others pdfminer lets through on damage
        raise InputError(path, _problem(err)) from None
    with pdf:
        reader = _Pages(path, data)
        try:
            elements = reader.read(pdf)
        except InputError:
            raise
        except Exception as err:  # noqa: BLE001 - a page that cannot be parsed: the file is damaged
            raise InputError(path, _problem(err)) from None
        finally:
            reader.close()
    n_pages, n_chars = reader.n_pages, reader.n_chars
    if n_chars == 0:
        raise InputError(path, NO_TEXT if reader.n_images else "file is empty (no text in the PDF file)")
    text = PagedText()
    _write(text, _drop_running_lines(elements, n_pages))
    text.pad_pages(n_pages)
    return text.text(), text.starts


def _problem(err: Exception) -> str:
    words = " ".join(str(err).split())
    if "PDFPasswordIncorrect" in repr(err) or "password" in words.lower() or type(err).__name__ == "PDFPasswordIncorrect":
        return "an encrypted PDF that needs a password to open (remove the password and try again)"
    cause = err.__cause__ or err.__context__
    detail = words or (" ".join(str(cause).split()) if cause else "") or type(err).__name__
    return f"not a readable PDF, damaged or truncated ({detail[:120]})"


# -- one page at a time ----------------------------------------------------------------------------------
class _Pages:
    """Reads every line and table of every page, in reading order; opens the file in PDFium only
    for a page whose text pdfminer gives as ``(cid:…)``."""

    def __init__(self, path: Path, data: bytes):
        self.path, self.data = path, data
        self.n_pages = self.n_chars = self.n_images = 0
        self.pdfium = None

    def read(self, pdf) -> list:
        elements: list[_Line | _Table] = []
        pages = pdf.pages
        self.n_pages = len(pages)
        for number, page in enumerate(pages, start=1):
            chars = page.chars
            self.n_chars += len(chars)
            if not chars:
                self.n_images += len(page.images)
            else:
                cid = any(c["text"].startswith("(cid:") for c in chars)
                textpage = self._pdfium()[number - 1].get_textpage() if cid else None
                elements += _page_elements(page, number, textpage)
            page.close()  # pdfplumber caches every page's objects otherwise
        return elements

    def _pdfium(self):
        if self.pdfium is None:
            import pypdfium2

            try:
                self.pdfium = pypdfium2.PdfDocument(self.data)
            except pypdfium2.PdfiumError as err:
                raise InputError(self.path, _problem(err)) from None
        return self.pdfium

    def close(self) -> None:
        if self.pdfium is not None:
            self.pdfium.close()


def _page_elements(page, number: int, textpage) -> list[_Line | _Table]:
    height = float(page.height)
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    out: list[_Line | _Table] = [_table(t, number, textpage, height) for t in tables]
    outside = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for raw in _merged_lines(outside.extract_text_lines(return_chars=True, strip=False)):
        line = _line(raw, number, textpage, height)
        if line is not None:
            out.append(line)
    out.sort(key=lambda e: e.top)
    return out


def _inside(obj, boxes) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _merged_lines(lines: list[dict]) -> list[dict]:
    """Lines pdfplumber split because two fonts on one line sit at different heights (matplotlib's
    Type 3 fonts put Latin glyphs some 0.6 em above the Chinese ones) are joined again: they overlap
    vertically by more than a quarter and their glyphs take turns along the line."""
    out: list[dict] = []
    for line in sorted(lines, key=lambda l: l["top"]):
        for other in reversed(out[-3:]):
            overlap = min(line["bottom"], other["bottom"]) - max(line["top"], other["top"])
            height = min(line["bottom"] - line["top"], other["bottom"] - other["top"]) or 1
            if overlap > 0.25 * height and _interleave(line["chars"], other["chars"]):
                chars = sorted(other["chars"] + line["chars"], key=lambda c: c["x0"])
                other.update(chars=chars, x0=min(other["x0"], line["x0"]), x1=max(other["x1"], line["x1"]),
                             top=min(other["top"], line["top"]), bottom=max(other["bottom"], line["bottom"]))
                break
        else:
            out.append(dict(line))
    return out


def _interleave(a: list[dict], b: list[dict]) -> bool:
    """True if the glyphs of ``a`` and ``b`` take turns along the line (two parts of one line): no two
    start within a fifth of a character of each other. Their right edges say nothing: pdfminer gives
    a Type 3 Chinese glyph the font's full width, over the Latin glyphs that follow it."""
    starts = sorted((c["x0"], c["size"]) for c in (*a, *b) if c["text"].strip())
    return all(x - prev >= 0.2 * size for (prev, size), (x, _) in zip(starts, starts[1:]))


def _line(raw: dict, number: int, textpage, height: float) -> _Line | None:
    chars = [c for c in raw["chars"] if c["text"].strip()]
    if not chars:
        return None
    x0, x1 = chars[0]["x0"], max(c["x1"] for c in chars)
    size = statistics.median(c["size"] for c in chars)
    if textpage is not None:
        text = _bounded(textpage, x0, raw["top"], x1, raw["bottom"], height)
        gapped = "  " in text
    else:
        text, gapped = _chars_text(chars)
    if not text:
        return None
    band, margin = (raw["bottom"] < share * height or raw["top"] > (1 - share) * height for share in (BAND, MARGIN))
    return _Line(number, text, x0, x1, raw["top"], raw["bottom"], size, gapped, band, margin)


def _chars_text(chars: list[dict]) -> tuple[str, bool]:
    """A line's characters as text: no space between Chinese characters (justified text spreads them),
    one between two Latin words or numbers set apart, two at a gap wider than ``GAP_COLUMNS``
    characters (the columns of a table drawn without rules)."""
    out = [chars[0]["text"]]
    gapped = False
    for prev, ch in zip(chars, chars[1:]):
        gap = ch["x0"] - prev["x1"]
        size = max(prev["size"], ch["size"]) or 1
        if gap > GAP_COLUMNS * size:
            out.append("  ")
            gapped = True
        elif gap > 0.2 * size and _ASCII_WORD.match(prev["text"][-1]) and _ASCII_WORD.match(ch["text"][0]):
            out.append(" ")
        out.append(ch["text"])
    return "".join(out), gapped


def _bounded(textpage, x0: float, top: float, x1: float, bottom: float, height: float) -> str:
    """PDFium's text inside a box given in pdfplumber's coordinates (origin top left)."""
    text = textpage.get_text_bounded(left=x0 - 0.5, bottom=height - bottom - 0.5, right=x1 + 0.5, top=height - top + 0.5)
    lines = [re.sub(r"[ \t\u3000]{2,}", "  ", part.strip()) for part in text.replace("\r", "").split("\n")]
    return "".join(part for part in lines if part)


def _table(table, number: int, textpage, height: float) -> _Table:
    """A ruled table as a Grid: cell texts, and the positions each merged cell covers (from the
    cells' boxes: pdfplumber leaves a covered position empty)."""
    rows = table.rows
    texts: list[list[str]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    boxes: dict[tuple[int, int], tuple] = {}
    extracted = table.extract() if textpage is None else None
    for r, row in enumerate(rows):
        line = []
        for c, box in enumerate(row.cells):
            if box is None:
                line.append("")
                continue
            boxes[(r, c)] = box
            if textpage is not None:
                line.append(_bounded(textpage, box[0], box[1], box[2], box[3], height))
            else:
                line.append(extracted[r][c] or "")
        texts.append(line)
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is not None:
                continue
            origin = _covering(boxes, r, c, rows)
            if origin is not None:
                merged[(r, c)] = origin
    top, bottom = table.bbox[1], table.bbox[3]
    return _Table(number, top, bottom, Grid(texts, merged), [number] * len(texts))


def _covering(boxes: dict, r: int, c: int, rows) -> tuple[int, int] | None:
    """The cell whose box covers the empty position (r, c) (pdfplumber leaves every position a merged
    cell covers empty but its first): on the row or a row above, the nearest cell at or left of
    column c whose box reaches over column c, going up until one does."""
    for rr in range(r, -1, -1):
        for cc in range(c if rr < r else c - 1, -1, -1):
            box = boxes.get((rr, cc))
            if box is None:
                continue
            if cc == c or _reaches_right(box, c, rows):
                return (rr, cc)
            break  # the nearest cell to the left stops short: look a row higher
    return None


def _reaches_right(box, c: int, rows) -> bool:
    """Whether a cell's box reaches into column c (whose left edge another row's cell gives)."""
    for other in rows:
        if c < len(other.cells) and other.cells[c] is not None:
            return box[2] > other.cells[c][0] + 1
    return False


# -- across pages --------------------------------------------------------------------------------------
def _running_key(line: _Line) -> tuple[str, int]:
    return _DIGITS.sub("#", line.text.replace(" ", "")), round(line.top / 6)


def _drop_running_lines(elements: list, n_pages: int) -> list:
    """Without the running headers, footers and page numbers (see the module docstring)."""
    by_page: dict[int, list] = {}
    for e in elements:
        by_page.setdefault(e.page, []).append(e)
    edges: dict[int, list[_Line]] = {}
    for page, items in by_page.items():
        lines = [e for e in items if isinstance(e, _Line)]
        # the first and last lines of the page, whether or not a table comes between
        edges[page] = [e for e in lines if _is_edge(e, items)]
    counts: dict[tuple[str, int], int] = {}
    for lines in edges.values():
        for key in {_running_key(line) for line in lines}:
            counts[key] = counts.get(key, 0) + 1
    needed = max(2, REPEATED_SHARE * n_pages)
    body = [e.size for e in elements if isinstance(e, _Line) and not e.margin]
    em = statistics.median(body) if body else 0.0
    dropped = set()
    for lines in edges.values():
        for line in lines:
            if not line.band:
                continue  # a body line that happens to recur (a lone | or 3600 in a table) stays
            key = _running_key(line)
            if (counts[key] >= needed and len(key[0]) > 1  # not a lone | or digit of a table drawn as text
                    or line.margin and (_PAGE_NUMBER.fullmatch(line.text) or line.size < 0.9 * em)):
                dropped.add(id(line))
    return [e for e in elements if id(e) not in dropped]


def _is_edge(line: _Line, items: list) -> bool:
    position = items.index(line)
    return position < EDGE_LINES or position >= len(items) - EDGE_LINES


def _write(out: PagedText, elements: list) -> None:
    """Lines joined into paragraphs, tables merged across pages, all written page by page."""
    lines = [e for e in elements if isinstance(e, _Line) and not e.gapped]
    if lines:
        left = min(l.x0 for l in lines)
        right = max(l.x1 for l in lines)
        em = statistics.median(l.size for l in lines)
        gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:]) if a.page == b.page and b.top > a.bottom]
        spacing = statistics.median(gaps) if gaps else em
    else:
        left = right = em = spacing = 0.0
    open_line: _Line | None = None  # the last line of the paragraph being written, if it may go on
    previous = None
    merged_tables = _merge_tables(elements)
    for e in merged_tables:
        if isinstance(e, _Table):
            out.end_line()
            if isinstance(previous, _Table):
                out.blank_line()  # two tables in a row stay two tables
            for line, row in table_rows(e.grid):
                out.write(line, e.pages[row])
                out.end_line()
            open_line = None
        else:
            goes_on = (open_line is not None and not e.gapped
                       and e.x0 <= left + 0.8 * em  # an indented line starts a paragraph
                       and (e.page != open_line.page or e.top - open_line.bottom <= spacing + 0.5 * em))
            if not goes_on:
                out.end_line()
            elif _ASCII_WORD.match(open_line.text[-1]) and _ASCII_WORD.match(e.text[0]) and e.text[0].isalpha():
                out.write(" ", e.page)
            out.write(e.text, e.page)
            # a short line ends its paragraph; so does a line of a table drawn without rules
            open_line = None if e.gapped or e.x1 < right - 3 * em else e
        previous = e
    out.end_line()


def _merge_tables(elements: list) -> list:
    """A table that ends its page, continued by one that opens the next page with as many columns,
    becomes one table (the repeated header row dropped)."""
    out: list = []
    for e in elements:
        last = out[-1] if out else None
        if (isinstance(e, _Table) and isinstance(last, _Table) and e.page == last.pages[-1] + 1
                and _width(e.grid) == _width(last.grid) and _first_on_page(e, elements)):
            rows = e.grid.rows
            skip = 1 if rows and last.grid.rows and _same(rows[0], last.grid.rows[0]) else 0
            offset = len(last.grid.rows) - skip
            last.grid.rows += rows[skip:]
            last.grid.merged.update({(r + offset, c): (r0 + offset, c0)
                                     for (r, c), (r0, c0) in e.grid.merged.items() if r >= skip and r0 >= skip})
            last.pages += e.pages[skip:]
            last.bottom = e.bottom
            continue
        out.append(e)
    return out


def _first_on_page(table: _Table, elements: list) -> bool:
    first = next(e for e in elements if e.page == table.page)
    return first is table


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows), default=0)


def _same(a: list[str], b: list[str]) -> bool:
    return [one_line(x) for x in a] == [one_line(x) for x in b]
