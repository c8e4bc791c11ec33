"""The one exception type for user mistakes, its kind for outputs that cannot be written, and how a
file name is shown on one line."""

from __future__ import annotations

import os
import re
from pathlib import Path

# What shown() escapes: a backslash (so the escaping can be undone), bytes that are not UTF-8 (lone
# surrogates after surrogateescape), control characters and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that is not part of a UTF-8 character
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"  # C1 controls as \u0080: not bytes


def shown(name: str | bytes | os.PathLike) -> str:
    r"""A file name as one line of valid UTF-8 text, whatever the locale, from which the name's bytes
    can be recovered (:func:`unshown`).

    The name's bytes (``os.fsencode``, which undoes the locale's decoding) are read as UTF-8; a byte
    that is not UTF-8 becomes ``\xNN``, a control character ``\n``, ``\t`` or ``\xNN``, and a
    backslash ``\\``. Messages and tables (``documents.path``, ``doc_id``) both use it.

    >>> shown("data/raw/a.txt"), shown(b"caf\xe9\n.txt"), shown("a\\b")
    ('data/raw/a.txt', 'caf\\xe9\\n.txt', 'a\\\\b')
    """
    if isinstance(name, bytes):
        raw = name
    else:
        text = os.fspath(name)
        if isinstance(text, bytes):
            raw = text
        else:
            try:
                raw = os.fsencode(text)
            except UnicodeEncodeError:  # text that did not come from the file system (already Unicode)
                raw = text.encode("utf-8", "surrogateescape")
    text = raw.decode("utf-8", "surrogateescape")
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


_ESCAPE = re.compile(r"\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})")


def unshown(text: str) -> bytes:
    r"""The bytes of the file name :func:`shown` wrote as ``text``.

    >>> unshown(shown(b"caf\xe9\n.txt")) == b"caf\xe9\n.txt"
    True
    """
    out = bytearray()
    at = 0
    for match in _ESCAPE.finditer(text):
        out += text[at:match.start()].encode("utf-8")
        code = match.group(1)
        if code in ("\\", "n", "r", "t"):
            out += {"\\": b"\\", "n": b"\n", "r": b"\r", "t": b"\t"}[code]
        elif code[0] == "x":
            value = int(code[1:], 16)
            out += bytes([value])  # an ASCII control character, or a byte that was not UTF-8
        else:
            out += chr(int(code[1:], 16)).encode("utf-8")
        at = match.end()
    out += text[at:].encode("utf-8")
    return bytes(out)


class InputError(Exception):
    """A problem with what the user gave us (a file, a date, a parameter).

    ``str(err)`` is a single line naming the input and the problem, fit to print as is: the place is
    shown with :func:`shown` (newlines and bytes that are not UTF-8 escaped), the problem's
    whitespace collapsed.

    >>> str(InputError("data/raw/x.txt", "file is empty"))
    'data/raw/x.txt: file is empty'
    """

    def __init__(self, where: str | bytes | Path, problem: str):
        self.where = shown(where)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.where}: {self.problem}")

    def problem_of(self, path: str | bytes | Path) -> str:
        """The problem as a failure of the report ``path``: it names the file at fault when that is
        another one (the report's sidecar)."""
        return self.problem if self.where == shown(path) else f"{self.where}: {self.problem}"

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of the stack when a notebook cell raises this: one line, since
        a user's mistake (a parameter, a missing file) is not a bug to debug."""
        return [f"\x1b[31m出错：\x1b[0m{self}"]

    def __reduce__(self):  # picklable across worker processes, with where and problem kept apart
        return (_rebuild, (type(self), self.where, self.problem, self.__dict__))


def _rebuild(kind, where, problem, state):
    err = kind.__new__(kind)
    Exception.__init__(err, f"{where}: {problem}")
    err.__dict__.update(state)
    return err


class OutputError(InputError):
    """An output that cannot be written: no space left, a read-only or unwritable folder, a file too large.

    Unlike other InputErrors it is never one input's failure: it stops the whole command, and the
    previous output is kept. ``reason`` is the operating system's words (``No space left on device``).
    """

    def __init__(self, where: str | bytes | Path, problem: str, reason: str = ""):
        super().__init__(where, problem)
        self.reason = reason or self.problem


_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.I)


def os_reason(err: OSError) -> str:
    """The operating system's words for ``err`` (``No space left on device``), also for libraries
    (pyarrow) that raise an OSError with the errno only in its text."""
    if err.errno is not None:
        return err.strerror or os.strerror(err.errno)
    found = _ERRNO_IN_TEXT.search(str(err))
    if found:
        return os.strerror(int(found.group(1)))
    return " ".join(str(err).split()) or type(err).__name__


def internal_error(where: str | Path, err: BaseException) -> InputError:
    """A one-line error for an unexpected failure on one input, so a batch reports it and goes on.

    Unseen inputs must never end in a traceback; the message still says this is our bug, not theirs.
    """
    detail = " ".join(str(err).split())[:200]
    return InputError(where, f"could not extract figures ({type(err).__name__}: {detail}); "
                             "this is a bug in analysis, please report it with this file")
