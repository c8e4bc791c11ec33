"""Which format a report file is in, and the reader for it: PDF, Word, Excel, or text (plain or HTML).

The format is read off the file's first bytes (``%PDF-``, a ZIP package holding ``word/document.xml``
or ``xl/workbook.xml``, an OLE2 compound file holding a ``Workbook``), not its name, so a misnamed
file is still read right. A name that promises a format the bytes do not have (an HTML page saved as
``.pdf``), a password-protected Office file, an old ``.doc`` and other containers we cannot read are
one-line errors that say so. Everything else is text (:func:`analysis.raw.decode.read_text`: plain
text in any common Chinese encoding, or a saved web page).

Each binary format has its reader module (:mod:`~analysis.raw.pdf_text`, :mod:`~analysis.raw.docx_text`,
:mod:`~analysis.raw.xlsx_text`, :mod:`~analysis.raw.xls_text`); their libraries are imported only
when such a file is read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from analysis.errors import InputError, internal_error
from analysis.raw.decode import Decoded
from analysis.raw.files import open_input, problem, read_input

PDF, DOCX, XLSX, XLS, TEXT, HTML = "pdf", "docx", "xlsx", "xls", "text", "html"
FORMATS = (TEXT, HTML, PDF, DOCX, XLSX, XLS)  # documents.format
# What a file name promises; the bytes decide (see kind_of)
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".docm": DOCX, ".xlsx": XLSX, ".xlsm": XLSX, ".xls": XLS}
NAMES = {PDF: "PDF", DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)", XLS: "Excel (.xls)"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_HEAD = 1024


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def kind_of(path: str | Path) -> str | None:
    """``pdf`` for a PDF, ``zip`` or ``ole2`` for an Office container (Word or Excel, or a file we
    refuse, see :func:`read_document`), None for text (plain or HTML).

    Raises InputError for a file in a format no reader takes, or not in the format its name promises.
    """
    path = Path(path)
    handle, _ = open_input(path)
    with handle:
        try:
            head = handle.read(_HEAD)
        except OSError as err:
            raise InputError(path, problem(err)) from None
    promised = EXTENSIONS.get(path.suffix.lower())
    # A PDF starts with %PDF-; readers also take one with bytes before it (a mail or HTTP header) when
    # its name says PDF. A text that quotes "%PDF-" stays text.
    if head.lstrip().startswith(b"%PDF-") or (promised == PDF and b"%PDF-" in head):
        found = PDF
    elif head.startswith(_ZIP):
        found = "zip"
    elif head.startswith(_OLE2):
        found = "ole2"
    else:
        found = None
    if found is None:
        if promised is not None and head.strip():
            raise InputError(path, f"not {_a(NAMES[promised])} file: {_looks_like(head)}")
        return None
    return found  # zip and ole2 are told apart by their contents (read_document)


def _a(name: str) -> str:
    return ("an " if name[0] in "AEIOU" else "a ") + name


def _looks_like(head: bytes) -> str:
    text = head.lstrip()[:64].lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in head.lower():
        return "it is a web page (save the page itself, or rename it .html)"
    if head.startswith(_ZIP):
        return "it is a ZIP archive"
    return "its first bytes are not those of such a file (renamed, damaged or truncated?)"


def read_document(path: str | Path, kind: str) -> Decoded:
    """A PDF, Word or Excel file (``kind`` from :func:`kind_of`) read into one text.

    ``zip`` and ``ole2`` are resolved here from the package's contents. Raises InputError with one line
    for an encrypted, damaged, truncated or empty file, or one with no text layer (a scanned PDF).
    """
    path = Path(path)
    data = read_input(path)
    if kind == "zip":
        kind = _zip_kind(path, data)
    elif kind == "ole2":
        kind = _ole2_kind(path, data)
    try:
        text, page_starts = _read(path, kind, data)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - one odd file must not stop a batch: one line naming it
        raise internal_error(path, err) from err
    if not text.strip():
        raise InputError(path, f"file is empty (no text in the {NAMES[kind]} file)")
    return Decoded(text, "", format=kind, page_starts=page_starts)


def _read(path: Path, kind: str, data: bytes) -> tuple[str, tuple[int, ...]]:
    page_starts: tuple[int, ...] = ()
    if kind == PDF:
        from analysis.raw.pdf_text import read_pdf

        text, page_starts = read_pdf(path, data)
    elif kind == DOCX:
        from analysis.raw.docx_text import read_docx

        text = read_docx(path, data)
    elif kind == XLSX:
        from analysis.raw.xlsx_text import read_xlsx

        text = read_xlsx(path, data)
    else:
        from analysis.raw.xls_text import read_xls

        text = read_xls(path, data)
    return text, page_starts


def _zip_kind(path: Path, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:80].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as err:
        promised = EXTENSIONS.get(path.suffix.lower())
        what = NAMES[promised] if promised in (DOCX, XLSX) else "Word or Excel"
        raise InputError(path, f"not a readable {what} file, damaged or truncated ({' '.join(str(err).split())[:80]})") from None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "opendocument" in mimetype:
        return _refuse(path, "an OpenDocument file (.odt/.ods): save it as .docx or .xlsx")
    return _refuse(path, "a ZIP archive, not a report: unpack it, or give a PDF, Word, Excel, text or HTML file")


def _ole2_kind(path: Path, data: bytes) -> str:
    """An OLE2 compound file: an .xls workbook, a password-protected .docx/.xlsx (Office keeps those
    in an OLE2 wrapper), or an old .doc or .ppt. Its directory names streams in UTF-16."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return _refuse(path, "a password-protected (encrypted) Office file: save a copy without the password")
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return XLS
    if _utf16("WordDocument") in data:
        return _refuse(path, "an old Word .doc file: save it as .docx (Word or LibreOffice: Save As)")
    return _refuse(path, "an OLE2 compound file that is not an Excel .xls workbook (a PowerPoint or other Office file?)")


def _refuse(path: Path, problem: str) -> str:
    raise InputError(path, problem)
