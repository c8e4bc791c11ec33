"""Large plain-text files: checked end to end, then decoded in chunks, never held whole."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError
from analysis.raw import decode
from analysis.raw.decode import BOMS, CONTROL, MAX_CONTROL_SHARE, NOT_TEXT, decode_bytes
from analysis.raw.files import open_input, problem
from analysis.raw.html_text import looks_like_html

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
        f, _ = open_input(self.path)
        with f:
            f.seek(self.skip)
            while block := _read(f, self.path):
                yield decoder.decode(block)
        yield decoder.decode(b"", final=True)


def _read(f, path: Path) -> bytes:
    try:
        return f.read(_CHUNK_BYTES)
    except OSError as err:
        raise InputError(path, problem(err)) from None


def read_stream(path: str | Path) -> Streamed | None:
    """For a plain-text file over ``STREAM_BYTES``: its encoding, checked over the whole file in chunks.

    The encoding is chosen on the first megabyte as :func:`read_text` chooses it on a whole file,
    then every byte is checked to decode strictly, round-trip and not look binary. Returns None for
    a smaller file or an HTML page (both are read whole by ``read_text``). Problems are InputErrors.
    """
    path = Path(path)
    f, info = open_input(path)  # a FIFO, a device, a loop or a missing file is refused here, in one line
    with f:
        if info.st_size <= STREAM_BYTES:
            return None
        head = _read(f, path)[:decode.SAMPLE_BYTES]
    skip, encoding = 0, None
    for bom, name in BOMS:
        if head.startswith(bom):
            skip, encoding = len(bom), name
            break
    if encoding is None:
        encoding = _sample_encoding(path, head)
        if encoding is None:
            return None  # starts with a megabyte of blanks: read_text copes with the oddity
    streamed = Streamed(path, encoding, skip, "")
    text, n_chars = _check_stream(streamed)
    if looks_like_html(text):
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
            return decode_bytes(path, head[:cut])[1]
        except InputError:
            continue
    return decode_bytes(path, head[:cuts[-1]])[1]


def _check_stream(streamed: Streamed) -> tuple[str, int]:
    """Decode the whole file once: strict, round-tripping, not binary, not blank.

    Returns its beginning and its length in characters.
    """
    path, encoding = streamed.path, streamed.encoding
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = b""  # bytes read but not yet turned into text (a character split across blocks)
    head, controls, chars, blank, at = "", 0, 0, True, streamed.skip
    f, _ = open_input(path)
    with f:
        f.seek(at)
        while True:
            block = _read(f, path)
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
            controls += len(CONTROL.findall(text))
            chars += len(text)
            blank = blank and not text.strip()
            if not block:
                break
    if blank:
        raise InputError(path, "file is empty")
    if controls and controls > MAX_CONTROL_SHARE * chars:
        raise InputError(path, NOT_TEXT)
    return head, chars
