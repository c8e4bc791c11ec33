"""Decode a report file: bytes -> one str, whatever common Chinese encoding it is in.

Every offset the project reports points into the string returned here (after BOM removal; for
HTML, into the extracted article text, see :mod:`analysis.raw.html_text`). Nothing here changes
characters beyond that: normalisation for matching happens later and keeps lengths
(:mod:`analysis.extract.normalize`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError, internal_error
from analysis.raw.files import read_input
from analysis.raw.html_text import looks_like_html

NOT_TEXT = "not a text file (could not detect a text encoding)"

BOMS = (
    # Longest first: the UTF-32 LE BOM begins with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, plus DEL and the
# C1 block: a decoding full of these is binary data that happened to decode, not text.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_SHARE = 0.001

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I)


@dataclass(frozen=True)
class Decoded:
    """A decoded report: the text every offset points into, and how it was read.

    ``format``: text, html, pdf, docx, xlsx or xls (:mod:`analysis.raw.formats`); ``encoding`` is
    empty for the binary formats. ``page_starts``: where each page starts in ``text`` (PDF only, see
    :mod:`analysis.raw.pages`). ``title`` and ``published``: what a web page's metadata says.
    """

    text: str
    encoding: str
    is_html: bool = False
    format: str = "text"
    page_starts: tuple[int, ...] = ()
    title: str | None = None
    published: dt.date | None = None



def read_text(path: str | Path) -> Decoded:
    """Decode a report file into one str.

    Order: a byte-order mark, then strict UTF-8 (the common case, fast), then UTF-16 without BOM
    if there are NUL bytes, else the proposals of charset-normalizer and an HTML ``<meta charset>``,
    ranked by how much of each decoding reads as ordinary Chinese text (see ``_ranked``).
    A candidate is accepted only if it decodes strictly, re-encodes to the same bytes and is not
    full of control characters. A web page is reduced to its article text, with its title and date
    (:mod:`analysis.raw.web_page`).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(p, "wb").write("全市新建公园12个".encode("gb18030"))
    >>> read_text(p).text, read_text(p).encoding
    ('全市新建公园12个', 'gb18030')
    """
    path = Path(path)
    data = _read_bytes(path)
    if not data.strip(b" \t\r\n\f\v"):
        raise InputError(path, "file is empty")
    text, encoding = decode_bytes(path, data)
    if looks_like_html(text):
        from analysis.raw.web_page import read_web_page

        try:
            page = read_web_page(text)
        except Exception as err:  # noqa: BLE001 - one odd page must not stop a batch: one line naming it
            raise internal_error(path, err) from err
        if not page.text.strip():
            raise InputError(path, "file is empty (no text in the HTML)")
        return Decoded(page.text, encoding, is_html=True, format="html", title=page.title, published=page.published)
    if not text.strip():
        raise InputError(path, "file is empty")
    return Decoded(text, encoding)


def _read_bytes(path: Path) -> bytes:
    return read_input(path)


def decode_bytes(path: Path, data: bytes) -> tuple[str, str]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = strict_decode(data[len(bom):], encoding)
            if text is None:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid {encoding}")
            return text, ("utf-8-sig" if encoding == "utf-8" else encoding)
    text = strict_decode(data, "utf-8")
    if text is not None:
        score = 1.0 if text.isascii() else _plausibility(text[:_SCORED_CHARS])
        if score >= _MIN_PLAUSIBLE:
            return text, "utf-8"
        # A few GBK bytes can happen to be valid UTF-8 (统一 reads as Greek): a legacy encoding wins
        # only if it reads clearly more like Chinese; otherwise this is UTF-8 in another script.
        for encoding, other in _ranked(data):
            if other > score:
                legacy = strict_decode(data, encoding)
                if legacy is not None:
                    return legacy, encoding
        return text, "utf-8"
    for encoding, _ in _ranked(data):
        text = strict_decode(data, encoding)
        if text is not None:
            return text, encoding
    raise InputError(path, NOT_TEXT)


SAMPLE_BYTES = 1 << 20
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
    if len(data) <= SAMPLE_BYTES:
        return data
    sample = data[:SAMPLE_BYTES]
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


def strict_decode(data: bytes, encoding: str) -> str | None:
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
    controls = len(CONTROL.findall(text))
    if controls and controls > MAX_CONTROL_SHARE * len(text):
        return None
    return text
