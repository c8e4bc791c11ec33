"""Read raw reports: bytes -> one decoded str, plus the provenance sidecar.

Every offset the project reports points into the string returned here (after BOM removal; for
HTML, into the extracted article text). Nothing in this module changes characters beyond that:
normalisation for matching happens later and keeps lengths (normalize.py).

Sidecars: a report ``data/raw/<file>`` may have ``data/raw/<file>.source.yml`` next to it, e.g.
``000_ef22c67862e0d2cc.txt.source.yml``, recording where the file came from and its sha256.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from analysis.errors import InputError

SIDECAR_SUFFIX = ".source.yml"

NOT_TEXT = "not a text file (could not detect a text encoding)"

_BOMS = (
    # Longest first: the UTF-32 LE BOM begins with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, plus DEL and the
# C1 block: a decoding full of these is binary data that happened to decode, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.001

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I)
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|section|br|h[1-6]|table|span)[\s>/]", re.I)
_HTML_CLOSE = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>|<br\s*/?>", re.I)


@dataclass(frozen=True)
class Decoded:
    """A decoded report: the text every offset points into, and how it was decoded."""

    text: str
    encoding: str
    is_html: bool = False


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


# ---------------------------------------------------------------------------------------------
# Decoding


def read_text(path: str | Path) -> Decoded:
    """Decode a report file into one str.

    Order: a byte-order mark, then strict UTF-8 (the common case, fast), then UTF-16 without BOM
    if there are NUL bytes, else the proposals of charset-normalizer and an HTML ``<meta charset>``,
    ranked by how much of each decoding reads as ordinary Chinese text (see ``_ranked``).
    A candidate is accepted only if it decodes strictly, re-encodes to the same bytes and is not
    full of control characters. HTML is reduced to its article text.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(p, "wb").write("全市新建公园12个".encode("gb18030"))
    >>> read_text(p)
    Decoded(text='全市新建公园12个', encoding='gb18030', is_html=False)
    """
    path = Path(path)
    data = _read_bytes(path)
    if not data.strip(b" \t\r\n\f\v"):
        raise InputError(path, "file is empty")
    text, encoding = _decode(path, data)
    if _looks_like_html(text):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(path, "file is empty (no text in the HTML)")
        return Decoded(text, encoding, is_html=True)
    if not text.strip():
        raise InputError(path, "file is empty")
    return Decoded(text, encoding)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom):], encoding)
            if text is None:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid {encoding}")
            return text, ("utf-8-sig" if encoding == "utf-8" else encoding)
    text = _try(data, "utf-8")
    if text is not None:
        score = 1.0 if text.isascii() else _plausibility(text[:_SCORED_CHARS])
        if score >= _MIN_PLAUSIBLE:
            return text, "utf-8"
        # A few GBK bytes can happen to be valid UTF-8 (统一 reads as Greek): a legacy encoding wins
        # only if it reads clearly more like Chinese; otherwise this is UTF-8 in another script.
        for encoding, other in _ranked(data):
            if other > score:
                legacy = _try(data, encoding)
                if legacy is not None:
                    return legacy, encoding
        return text, "utf-8"
    for encoding, _ in _ranked(data):
        text = _try(data, encoding)
        if text is not None:
            return text, encoding
    raise InputError(path, NOT_TEXT)


_SAMPLE_BYTES = 1 << 20
_SCORED_CHARS = 50_000
_MIN_PLAUSIBLE = 0.5
_PREFERRED = ("gb18030", "big5", "utf-16-le", "utf-16-be")


def _ranked(data: bytes) -> list[tuple[str, float]]:
    """Encodings worth trying, most plausible first, each with its score on a sample of the bytes.

    With NUL bytes only UTF-16 is text (NULs are the high byte of ASCII characters; the side they
    fall on orders the two byte orders). Otherwise charset-normalizer proposes, joined by any HTML
    ``<meta charset>`` and the legacy Chinese encodings, and we re-rank by how much of each decoding
    is ordinary Chinese text: on short texts the detector's own ranking often puts UTF-16, a
    Japanese or a Korean code page first. Ties go to a declared charset, then to ``_PREFERRED``.
    Guesses that read as less than half ordinary text are dropped.
    """
    if b"\x00" in data:
        names = ["utf-16-le", "utf-16-be"]
        if data[0::2].count(0) > data[1::2].count(0):
            names.reverse()
        declared = None
    else:
        names, declared = _proposals(data)
    scored = []
    for rank, name in enumerate(names):
        sample = _sample(data, name)
        score = _plausibility(sample.decode(name, errors="replace")[:_SCORED_CHARS])
        if score >= _MIN_PLAUSIBLE:
            preference = 0 if name == declared else 1 + (_PREFERRED.index(name) if name in _PREFERRED else len(_PREFERRED))
            scored.append((-score, preference, rank, name))
    return [(name, -neg) for neg, _, _, name in sorted(scored)]


def _proposals(data: bytes) -> tuple[list[str], str | None]:
    from charset_normalizer import (
        from_bytes,  # imported here: only non-UTF-8 input needs it
    )

    found = []
    declared = None
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = _canonical(match.group(1).decode("ascii"))
        found.append(declared)
    found += [_canonical(m.encoding) for m in from_bytes(_sample(data, "gb18030"))]
    found += list(_PREFERRED[:2])
    names = []
    for name in found:
        if name and name not in names:
            names.append(name)
    return names, declared


def _sample(data: bytes, encoding: str) -> bytes:
    if len(data) <= _SAMPLE_BYTES:
        return data
    sample = data[:_SAMPLE_BYTES]
    if encoding.startswith(("utf-16", "utf-32")):
        return sample[: len(sample) - len(sample) % 4]
    if b"\n" in sample:
        # 0x0A is never a trail byte in GB18030, Big5 or UTF-8: cutting after it keeps characters whole.
        return sample[: sample.rindex(b"\n") + 1]
    return sample


def _plausibility(text: str) -> float:
    """Share of characters that ordinary Chinese prose is made of."""
    if not text:
        return 0.0
    # a character class of the ordinary ones finds the others in C; a loop over the characters in
    # Python took about 3 ms per report, as long as extracting its figures
    unusual = len(_unusual().findall(text))
    return (len(text) - unusual) / len(text)


_UNUSUAL: re.Pattern | None = None


def _unusual() -> re.Pattern:
    """Any one character that is not what ordinary Chinese prose is made of (see ``_plausibility``)."""
    global _UNUSUAL
    if _UNUSUAL is None:
        common = "".join(re.escape(ch) for ch in sorted(_common_characters()))
        _UNUSUAL = re.compile(f"[^{common}\\x20-\\x7e\\t\\r\\n\\u3000-\\u303f\\uff01-\\uff5e\\u2010-\\u2027]")
    return _UNUSUAL


_COMMON: frozenset[str] | None = None


def _common_characters() -> frozenset[str]:
    """The most frequent hanzi, read off the codecs themselves (no data file needed).

    GB2312 level 1 (lead bytes 0xB0-0xD7: 3,755 common simplified characters) and Big5's
    common block (lead bytes 0xA4-0xC6: 5,401 common traditional characters).
    """
    global _COMMON
    if _COMMON is None:
        chars = set()
        for codec, leads, trails in (
            ("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
            ("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))),
        ):
            for lead in leads:
                for trail in trails:
                    try:
                        chars.add(bytes((lead, trail)).decode(codec))
                    except UnicodeDecodeError:
                        pass
        _COMMON = frozenset(chars)
    return _COMMON


def _canonical(name: str) -> str | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # GB2312 and GBK are subsets of GB18030: decode with the superset so rarer characters survive.
    return {"gb2312": "gb18030", "gbk": "gb18030", "utf-16": None, "utf-32": None}.get(codec, codec)


def _try(data: bytes, encoding: str) -> str | None:
    """Strict decode that must round-trip and must not look like binary data."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    try:
        if text.encode(encoding) != data:
            return None
    except UnicodeEncodeError:
        return None
    controls = len(_CONTROL.findall(text))
    if controls and controls > _MAX_CONTROL_SHARE * len(text):
        return None
    return text


# ---------------------------------------------------------------------------------------------
# Large files: decoded in chunks, never held whole

STREAM_BYTES = 16 << 20  # files larger than this are streamed (plain text only; HTML is read whole)
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Streamed:
    """A large text file, checked end to end but not held: ``chunks()`` decodes it again on each call.

    ``text`` is its beginning only (for the title and for telling HTML apart).
    """

    path: Path
    encoding: str
    skip: int  # bytes of byte-order mark
    text: str
    is_html: bool = False
    n_chars: int = 0  # of the whole decoded text

    def chunks(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        with open(self.path, "rb") as f:
            f.seek(self.skip)
            while block := f.read(_CHUNK_BYTES):
                yield decoder.decode(block)
        yield decoder.decode(b"", final=True)


def read_stream(path: str | Path) -> Streamed | None:
    """For a plain-text file over ``STREAM_BYTES``: its encoding, checked over the whole file in chunks.

    The encoding is chosen on the first megabyte as :func:`read_text` chooses it on a whole file,
    then every byte is checked to decode strictly, round-trip and not look binary. Returns None for
    a smaller file or an HTML page (both are read whole by ``read_text``). Problems are InputErrors.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return None  # read_text reports it
    if size <= STREAM_BYTES or not path.is_file():
        return None
    with open(path, "rb") as f:
        head = f.read(_SAMPLE_BYTES)
    skip, encoding = 0, None
    for bom, name in _BOMS:
        if head.startswith(bom):
            skip, encoding = len(bom), name
            break
    if encoding is None:
        encoding = _sample_encoding(path, head)
        if encoding is None:
            return None  # starts with a megabyte of blanks: read_text copes with the oddity
    streamed = Streamed(path, encoding, skip, "")
    text, n_chars = _check_stream(streamed)
    if _looks_like_html(text):
        return None
    return Streamed(path, "utf-8-sig" if skip and encoding == "utf-8" else encoding, skip, text, n_chars=n_chars)


def _sample_encoding(path: Path, head: bytes) -> str | None:
    """The encoding ``_decode`` finds for the first megabyte, cut where no character is split.

    After a line feed, which is never part of another character in UTF-8, GB18030 or Big5; at a
    multiple of 4 bytes for UTF-16/32. A text without line breaks may have a character cut at the
    end of the megabyte: one to three bytes fewer are tried too. None if the head is blank.
    """
    if b"\x00" in head:
        cuts = [len(head) - len(head) % 4]
    elif b"\n" in head:
        cuts = [head.rindex(b"\n") + 1]
    else:
        cuts = [len(head) - drop for drop in range(min(4, len(head)))]
    if not head[:cuts[0]].strip(b" \t\r\n\f\v"):
        return None
    for cut in cuts[:-1]:
        try:
            return _decode(path, head[:cut])[1]
        except InputError:
            continue
    return _decode(path, head[:cuts[-1]])[1]


def _check_stream(streamed: Streamed) -> tuple[str, int]:
    """Decode the whole file once: strict, round-tripping, not binary, not blank.

    Returns its beginning and its length in characters.
    """
    path, encoding = streamed.path, streamed.encoding
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = b""  # bytes read but not yet turned into text (a character split across blocks)
    head, controls, chars, blank, at = "", 0, 0, True, streamed.skip
    with open(path, "rb") as f:
        f.seek(at)
        while True:
            block = f.read(_CHUNK_BYTES)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as err:
                raise InputError(path, f"not valid {encoding} near byte {at - len(pending) + err.start:,} "
                                       f"(the start of the file reads as {encoding})") from None
            produced = text.encode(encoding)
            pending += block
            if pending[:len(produced)] != produced:
                raise InputError(path, f"not valid {encoding} near byte {at - len(pending) + len(block):,}")
            pending = pending[len(produced):]
            at += len(block)
            if len(head) < 65536:
                head += text[:65536]
            controls += len(_CONTROL.findall(text))
            chars += len(text)
            blank = blank and not text.strip()
            if not block:
                break
    if blank:
        raise InputError(path, "file is empty")
    if controls and controls > _MAX_CONTROL_SHARE * chars:
        raise InputError(path, NOT_TEXT)
    return head, chars


# ---------------------------------------------------------------------------------------------
# HTML


def _looks_like_html(text: str) -> bool:
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


# ---------------------------------------------------------------------------------------------
# Reports and provenance


def raw_reports(raw_dir: str | Path) -> list[Path]:
    """Report files directly in ``raw_dir``, sorted by name.

    Sidecars, hidden files, READMEs, temporary files and sub-folders (e.g. ``reference/``) are excluded.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "no such directory")
    reports = []
    for path in raw_dir.iterdir():
        name = path.name
        if (
            not path.is_file()
            or name.startswith((".", "~"))
            or name.endswith((SIDECAR_SUFFIX, ".tmp", "~"))
            or name.lower().startswith("readme")
        ):
            continue
        reports.append(path)
    return sorted(reports, key=lambda p: p.name)


def sidecar_path(path: str | Path) -> Path:
    """``<file>.source.yml`` next to ``<file>``."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks (bounded memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_SIDECAR_KEYS = frozenset({
    "title", "publisher", "url", "date_published", "date_published_inferred", "date_published_note",
    "sha256", "retrieved_from", "licence", "license", "notes",
})


def read_sidecar(path: str | Path) -> dict:
    """The provenance sidecar of ``path`` as a dict (empty if there is none), validated."""
    import yaml  # imported here: only reading sidecars needs it

    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        meta = yaml.safe_load(side.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(side, f"not a valid YAML sidecar ({type(err).__name__})") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError(side, "a sidecar must be a YAML mapping of fields")
    unknown = sorted(set(map(str, meta)) - _SIDECAR_KEYS)
    if unknown:
        raise InputError(side, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_SIDECAR_KEYS))}")
    if meta.get("date_published") is not None:
        meta["date_published"] = parse_date(meta["date_published"], side)
    inferred = meta.get("date_published_inferred", False)
    if not isinstance(inferred, bool):
        raise InputError(side, "date_published_inferred must be true or false")
    return meta


def parse_date(value, where: str | Path = "date") -> dt.date:
    """An ISO ``YYYY-MM-DD`` date (str or date) -> ``datetime.date``; anything else is an InputError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(where, f"not a valid date {text!r} (expected YYYY-MM-DD)")


def load_source(path: str | Path) -> Source:
    """Read one report and its sidecar.

    Without a sidecar the report is still usable: ``published`` is None and the title is the
    first non-blank line of the text. A sidecar whose sha256 does not match the file's bytes is an
    InputError naming the file (the raw file was edited or swapped).
    """
    path = Path(path)
    streamed = read_stream(path)
    decoded = read_text(path) if streamed is None else streamed
    meta = read_sidecar(path)
    digest = sha256_of(path)
    recorded = meta.get("sha256")
    if recorded is not None and str(recorded).strip().lower() != digest:
        raise InputError(
            path, f"sha256 {digest} does not match {recorded} recorded in {sidecar_path(path).name}",
        )
    title = meta.get("title") or _first_line(decoded.text)
    return Source(
        doc_id=_doc_id(path),
        path=path,
        text=decoded.text if streamed is None else "",
        encoding=decoded.encoding,
        title=str(title),
        publisher=meta.get("publisher"),
        published=meta.get("date_published"),
        published_inferred=bool(meta.get("date_published_inferred", False)),
        url=meta.get("url"),
        sha256=digest,
        published_note=meta.get("date_published_note"),
        retrieved_from=meta.get("retrieved_from"),
        is_html=decoded.is_html,
        chunks=decoded.chunks if isinstance(decoded, Streamed) else None,
        n_chars=decoded.n_chars if isinstance(decoded, Streamed) else len(decoded.text),
    )


def _doc_id(path: Path) -> str:
    return path.stem if path.suffix else path.name


def _first_line(text: str) -> str:
    for line in text.splitlines():
        # The seed-style layout runs paragraphs together with U+3000: the title ends at the first run.
        line = re.split(r"\u3000{2,}", line.strip())[0].strip()
        if line:
            return line[:200]
    return ""
