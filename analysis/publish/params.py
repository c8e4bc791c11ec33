"""Notebook parameters, checked before use: one clear sentence for a bad value, never a traceback.

Everything that may end up in a file name goes through :func:`safe_slug` (a parameter the user
gave: an unsafe value is refused) or :func:`file_name` (a name from the data, such as a ``doc_id``:
escaped, never refused), so no parameter or report text can steer a write outside ``reports/``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from analysis.errors import InputError

# Suffixes of full province names, so 江西省 or 广西壮族自治区 is accepted for 江西 / 广西.
_FULL_NAME_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
# Characters that are path syntax or awkward in file names on some system we ship to.
_UNSAFE_CHARS = set('/\\:*?"<>|')
MAX_SLUG = 120


def _listing(valid: Iterable[str]) -> str:
    return "、".join(valid)


def check_province(province, valid: Iterable[str], name: str = "province") -> str:
    """Return the short province name, or raise ``InputError`` listing the valid ones (in Chinese:
    the notebooks show it as their one line). Accepts the full name (江西省) for a short one (江西).
    There is no default: an empty value is a missing parameter, never "the first province".

    >>> check_province("江西省", ["吉林", "江西"])
    '江西'
    """
    valid = list(dict.fromkeys(v for v in valid if isinstance(v, str) and v))
    if not valid:
        raise InputError(name, "数据中没有归属省份的统计数字，无从选择省份")
    if not isinstance(province, str) or not province.strip():
        raise InputError(name, f"请给出一个省份，可选：{_listing(valid)}")
    text = unicodedata.normalize("NFKC", province).strip()
    if text in valid:
        return text
    short = _FULL_NAME_SUFFIX.sub("", text)
    if short in valid:
        return short
    raise InputError(name, f"{province!r} 不是数据中的省份，可选：{_listing(valid)}")


def check_provinces(provinces, valid: Iterable[str], name: str = "provinces", *, at_least: int = 1) -> list[str]:
    """A list of provinces (or ``"*"`` / empty for all of them), each checked; order kept, duplicates
    dropped; fewer than ``at_least`` of them is an error naming the provinces there are."""
    valid = list(dict.fromkeys(v for v in valid if v))
    if provinces in ("*", None) or (isinstance(provinces, (list, tuple)) and not provinces):
        checked = valid
    else:
        if isinstance(provinces, str):
            provinces = re.split(r"[,，、\s]+", provinces.strip())
        if not isinstance(provinces, (list, tuple)):
            raise InputError(name, f"请给出省份列表，例如 {list(valid[:2])!r}，而不是 {provinces!r}")
        checked = list(dict.fromkeys(check_province(p, valid, name) for p in provinces if str(p).strip()))
    if len(checked) < at_least:
        there = f"数据中的省份：{_listing(valid)}" if valid else "数据中没有归属省份的统计数字"
        raise InputError(name, f"至少要 {at_least} 个省份才能比较；{there}")
    return checked


def check_choice(value, choices: Iterable[str], name: str) -> str:
    """``value`` if it is one of ``choices`` (``""`` counts when it is one); else one sentence listing them."""
    choices = list(dict.fromkeys(choices))
    if value in choices:
        return value
    listed = _listing(c for c in choices if c) or "（无）"
    raise InputError(name, f"{value!r} 不可用，可选：{listed}")


def check_bool(value, name: str) -> bool:
    """A real bool: papermill's ``-p per_capita false`` arrives as the string 'false'."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    raise InputError(name, f"应为 True 或 False，而不是 {value!r}")


INJECTED_HEADER = "# Parameters"  # how papermill opens the cell it injects (translate_parameters)


def _assigned(source: str) -> list[str]:
    """The names a cell of literal assignments sets, in order ('' if it does not parse)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return list(dict.fromkeys(names))


def check_injected(history=None) -> None:
    """Stop with one line if papermill injected a parameter the notebook does not declare.

    papermill (``-p provnce 江西``) only warns about an unknown name and then sets it in a cell of
    its own, so a typo would leave the real parameter at its default. Called first in the cell after
    the parameters cell: if the cell run just before it is papermill's injected cell, each name it
    sets must be one the parameters cell (run before that) sets. ``history``: the sources of the
    cells run so far, this one last (IPython's ``In``; read from the running kernel by default).
    """
    if history is None:
        from IPython import get_ipython

        shell = get_ipython()
        history = list(shell.user_ns.get("In", [])) if shell is not None else []
    if len(history) < 3 or not history[-2].lstrip().startswith(INJECTED_HEADER):
        return
    declared = _assigned(history[-3])
    unknown = [n for n in _assigned(history[-2]) if n not in declared]
    if unknown:
        raise InputError(unknown[0], f"这个笔记本没有这个参数，参数有：{_listing(declared)}")


def check_name(value, name: str = "parameter") -> str:
    """A string safe to use as one file-name component, else ``InputError``.

    Chinese is kept (江西 is a fine file name); path syntax, control characters, leading dots
    and empty names are rejected rather than silently rewritten, so two different parameters
    can never map to the same report file.
    """
    if not isinstance(value, str):
        value = str(value)
    text = unicodedata.normalize("NFC", value)
    problems = []
    if not text.strip():
        problems.append("is empty")
    if text in (".", "..") or text.startswith("."):
        problems.append("starts with a dot")
    if any(ch in _UNSAFE_CHARS for ch in text):
        problems.append("contains a path character (/ \\ : * ? \" < > |)")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        problems.append("contains a control character")
    if len(text) > MAX_SLUG:
        problems.append(f"is longer than {MAX_SLUG} characters")
    if problems:
        raise InputError(name, f"{value!r} cannot be used in a file name: it {' and '.join(problems)}")
    return text


LONG_LIST = 40  # characters; a longer list is named by its size and a digest instead


def _piece(key: str, value) -> str:
    if isinstance(value, bool):
        return key if value else f"no_{key}"
    if isinstance(value, (list, tuple)):
        joined = "+".join(check_name(str(v), key) for v in value)
        if len(joined) > LONG_LIST:
            import hashlib

            return f"{len(value)}_{key}_{hashlib.sha1(joined.encode()).hexdigest()[:8]}"
        return joined
    return check_name(str(value), key)


def safe_slug(*parts, parameters: dict | None = None) -> str:
    """A file-name stem from parts and/or a parameter dict, each piece checked by :func:`check_name`.

    >>> safe_slug("profile", "江西", "themes")
    'profile_江西_themes'
    >>> safe_slug(parameters={"provinces": ["吉林", "江苏"], "per_capita": True})
    '吉林+江苏_per_capita'
    >>> safe_slug(parameters={})
    'default'
    """
    pieces = [check_name(str(p), "name") for p in parts]
    pieces += [_piece(k, v) for k, v in (parameters or {}).items()]
    slug = "_".join(p for p in pieces if p) or "default"
    return check_name(slug, "name")


# What file_name escapes besides _UNSAFE_CHARS and control characters: its own escape character.
_ESCAPE = "~"
# Names Windows gives to devices, whatever the extension (CON.html is the console).
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))})
NAME_BYTES = 200  # of a file name, suffix included: 255 is the usual limit, and temporaries add ~15


def _escaped(ch: str) -> str:
    return "".join(f"{_ESCAPE}{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))


def file_name(name: str, suffix: str = "") -> str:
    r"""A name from the data (a ``doc_id``) as a file name that is safe on every common file system
    (ext4, APFS, NTFS, FAT, SMB shares) and the same every time, so every link to it agrees.

    Kept as written where possible (Chinese stays Chinese). Escaped as ``~XX`` (the UTF-8 bytes in
    hex): path characters ``/ \ : * ? " < > |``, control characters, ``~`` itself, a leading dot or
    space, a trailing dot or space (Windows drops them) and the first letter of a Windows device name
    (``CON``, ``NUL``, ``COM1``...). A name that a case-insensitive or normalising file system
    (macOS, Windows) could confuse with another, one with capitals or not in NFC form, gets ``~~``
    and eight hex digits of its digest, and so does one cut to fit :data:`NAME_BYTES`; an escaped
    name never holds ``~~``, so two names never share a file.

    >>> file_name("报告:2021?", ".html")
    '报告~3A2021~3F.html'
    >>> file_name("000_ef22c67862e0d2cc", ".html"), file_name("..", ".html")
    ('000_ef22c67862e0d2cc.html', '~2E~2E.html')
    >>> file_name("Report", ".html")
    'Report~~ee45c303.html'
    """
    import hashlib
    import re

    text = str(name)
    stem = "".join(_escaped(ch) if ch in _UNSAFE_CHARS or ch == _ESCAPE or unicodedata.category(ch).startswith("C")
                   else ch for ch in text)
    if stem[:1] in (".", " "):
        stem = _escaped(stem[0]) + stem[1:]
    if stem[-1:] in (".", " "):
        stem = stem[:-1] + _escaped(stem[-1])
    if stem.split(".", 1)[0].upper() in _RESERVED:
        stem = _escaped(stem[0]) + stem[1:]
    digest = f"{_ESCAPE * 2}{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    room = NAME_BYTES - len(suffix.encode("utf-8"))
    if len(stem.encode("utf-8")) > room:
        cut = stem.encode("utf-8")[:room - len(digest)].decode("utf-8", "ignore")
        stem = re.sub(f"{_ESCAPE}[0-9A-F]?$", "", cut) + digest  # never half an escape
    elif not stem or unicodedata.normalize("NFC", text.casefold()) != text:
        stem += digest
    return stem + suffix


def inside(root: str | Path, *parts: str) -> Path:
    """``root / parts``, guaranteed to stay inside ``root`` once resolved (symlinks included)."""
    root = Path(root).resolve()
    target = root.joinpath(*(check_name(p, "path") for p in parts)).resolve()
    if not target.is_relative_to(root):
        raise InputError(target, f"refusing to write outside {root}")
    return target


def check_clean_dir(clean_dir) -> Path:
    """The folder of clean tables (``""`` = data/clean): CSVs or a ``clean-corpus`` output with a figures table."""
    from analysis.config import clean_dir_path

    folder = clean_dir_path(clean_dir or "")
    if not (folder / "figures.csv").is_file() and not (folder / "figures").is_dir():
        raise InputError(folder, "no clean tables here; run `python -m analysis clean` first")
    return folder


def check_reports_dir(reports_dir) -> str:
    """Where charts go (``""`` = nowhere): an absolute folder; relative ones start at the project root."""
    from analysis import config

    text = str(reports_dir or "").strip()
    if not text:
        return ""
    path = Path(text).expanduser()
    return str(path if path.is_absolute() else config.ROOT / path)
