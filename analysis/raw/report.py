"""One raw report with its provenance: :func:`load_source` reads the file and its sidecar."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, shown
from analysis.raw.decode import read_text
from analysis.raw.discover import doc_id, recorded_path
from analysis.raw.formats import kind_of, read_document
from analysis.raw.sidecar import read_sidecar, sha256_of, sidecar_path
from analysis.raw.stream import Streamed, read_stream


@dataclass(frozen=True)
class Source:
    """One raw report with its provenance (see ``load_source``)."""

    doc_id: str
    path: Path
    text: str
    encoding: str
    title: str
    publisher: str | None
    published: dt.date | None
    published_inferred: bool
    url: str | None
    sha256: str
    published_note: str | None = None
    retrieved_from: str | None = None
    is_html: bool = False
    # A file over STREAM_BYTES is not held in memory: ``text`` is empty and ``chunks()`` reads the
    # decoded text from disk, piece by piece, each time it is called (see ``read_stream``).
    chunks: Callable[[], Iterator[str]] | None = field(default=None, repr=False, compare=False)
    n_chars: int = 0  # length of the decoded text (known before reading it again, for progress bars)
    recorded_path: str = ""  # documents.path: see analysis.raw.discover.recorded_path
    format: str = "text"  # text, html, pdf, docx, xlsx or xls (analysis.raw.formats)
    # where each page starts in ``text`` (PDF only); the page of an offset is analysis.raw.pages.page_at
    page_starts: tuple[int, ...] = field(default=(), repr=False)

    @property
    def n_pages(self) -> int | None:
        """Pages of a PDF; None for formats without pages."""
        return len(self.page_starts) or None



def load_source(path: str | Path, base: str | Path | None = None) -> Source:
    """Read one report and its sidecar. ``base``: the folder the user named, for ``doc_id`` and
    ``documents.path`` (:func:`analysis.raw.discover.doc_id`, :func:`~analysis.raw.discover.recorded_path`).

    PDF, Word and Excel files are read by their own readers (:mod:`analysis.raw.formats`), text
    and web pages are decoded. Without a sidecar the report is still usable: the title and the
    publication date are a web page's own (its metadata), else ``published`` is None and the title is
    the first non-blank line of the text. The sidecar's fields win over the page's. A sidecar whose
    sha256 does not match the file's bytes is an InputError naming the file (the raw file was edited
    or swapped).
    """
    path = Path(path)
    kind = kind_of(path)
    streamed = read_stream(path) if kind is None else None
    if kind is not None:
        decoded = read_document(path, kind)
    else:
        decoded = read_text(path) if streamed is None else streamed
    meta = read_sidecar(path)
    digest = sha256_of(path)
    recorded = meta.get("sha256")
    if recorded is not None and str(recorded).strip().lower() != digest:
        raise InputError(
            path, f"sha256 {digest} does not match {recorded} recorded in {shown(sidecar_path(path).name)}",
        )
    page_title = getattr(decoded, "title", None)
    page_date = getattr(decoded, "published", None)
    title = meta.get("title") or page_title or _first_line(decoded.text)
    published = meta.get("date_published")
    inferred = bool(meta.get("date_published_inferred", False))
    if published is None and page_date is not None:
        published, inferred = page_date, False  # stated by the page itself (a date <meta> or 发布时间)
    return Source(
        doc_id=doc_id(path, base),
        path=path,
        text=decoded.text if streamed is None else "",
        encoding=decoded.encoding,
        title=str(title),
        publisher=meta.get("publisher"),
        published=published,
        published_inferred=inferred,
        url=meta.get("url"),
        sha256=digest,
        published_note=meta.get("date_published_note"),
        retrieved_from=meta.get("retrieved_from"),
        is_html=decoded.is_html,
        chunks=decoded.chunks if isinstance(decoded, Streamed) else None,
        n_chars=decoded.n_chars if isinstance(decoded, Streamed) else len(decoded.text),
        recorded_path=recorded_path(path, base),
        format=getattr(decoded, "format", "text"),
        page_starts=getattr(decoded, "page_starts", ()),
    )




def _first_line(text: str) -> str:
    for line in text.splitlines():
        # The seed-style layout runs paragraphs together with U+3000: the title ends at the first run.
        line = re.split(r"\u3000{2,}", line.strip())[0].strip()
        if line:
            return line[:200]
    return ""
