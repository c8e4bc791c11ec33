"""Provenance sidecars: ``data/raw/<file>.source.yml`` next to each report, and its checksum.

A sidecar records where the file came from (title, publisher, url, date_published) and the
sha256 of its bytes, e.g. ``000_ef22c67862e0d2cc.txt.source.yml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from analysis.errors import InputError
from analysis.raw.files import exists, open_input, problem, read_input

SIDECAR_SUFFIX = ".source.yml"


def sidecar_path(path: str | Path) -> Path:
    """``<file>.source.yml`` next to ``<file>``."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks (bounded memory); InputError if it cannot be read."""
    digest = hashlib.sha256()
    f, _ = open_input(path)
    with f:
        try:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        except OSError as err:
            raise InputError(path, problem(err)) from None
    return digest.hexdigest()


SIDECAR_MAX_BYTES = 64 * 1024  # a sidecar is a few hundred bytes of provenance
SIDECAR_MAX_VALUES = 1_000  # YAML values in a sidecar, counting each alias as what it stands for

# Each field's type, as data. A text field may also be null; a date is text checked by parse_date.
_TEXT, _FLAG, _DATE = "text", "true or false", "a YYYY-MM-DD date"
SIDECAR_FIELDS = {
    "title": _TEXT, "publisher": _TEXT, "url": _TEXT, "date_published": _DATE,
    "date_published_inferred": _FLAG, "date_published_note": _TEXT, "sha256": _TEXT,
    "retrieved_from": _TEXT, "licence": _TEXT, "license": _TEXT, "notes": _TEXT,
}
_SIDECAR_KEYS = frozenset(SIDECAR_FIELDS)


def read_sidecar(path: str | Path) -> dict:
    """The provenance sidecar of ``path`` as a dict (empty if there is none), validated.

    Bounded: at most :data:`SIDECAR_MAX_BYTES` bytes and :data:`SIDECAR_MAX_VALUES` values, counting
    what YAML aliases stand for, so a few hundred bytes cannot expand to gigabytes. Dates are read
    as text and checked by :func:`parse_date`, quoted or not; every field must have its type
    (:data:`SIDECAR_FIELDS`). Any problem is an InputError naming the sidecar.
    """
    side = sidecar_path(path)
    if not exists(side):  # lstat: a broken link or a loop is a sidecar that cannot be read, not none
        return {}
    data = read_input(side, SIDECAR_MAX_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(side, "not a valid YAML sidecar (not UTF-8)") from None
    meta = _load_yaml(side, text)
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError(side, "a sidecar must be a YAML mapping of fields")
    unknown = sorted(set(map(str, meta)) - _SIDECAR_KEYS)
    if unknown:
        raise InputError(side, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_SIDECAR_KEYS))}")
    for key, value in meta.items():
        _check_type(side, key, value)
    if meta.get("date_published") is not None:
        meta["date_published"] = parse_date(meta["date_published"], side)
    return meta


def _check_type(side: Path, key: str, value) -> None:
    kind = SIDECAR_FIELDS[key]
    if kind == _FLAG:
        if not isinstance(value, bool):
            raise InputError(side, f"{key} must be true or false")
        return
    if value is None or isinstance(value, str):
        return
    if kind == _DATE and isinstance(value, (int, float)):
        return  # parse_date says what is wrong with it
    raise InputError(side, f"{key} must be {kind}, not {_kind_of(value)}")


def _kind_of(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number (quote it to make it text)"
    return type(value).__name__


def _load_yaml(side: Path, text: str):
    import yaml  # imported here: only reading sidecars needs it

    loader = _sidecar_loader()(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > SIDECAR_MAX_VALUES:
            raise InputError(side, f"too many values for a sidecar (over {SIDECAR_MAX_VALUES:,} once its "
                                   "aliases are expanded); a sidecar is a flat list of fields")
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(side, f"not a valid YAML sidecar ({where}{getattr(err, 'problem', None) or type(err).__name__})") from None
    finally:
        loader.dispose()


def _expanded_size(node, memo: dict) -> int:
    """How many values ``node`` stands for once every alias is expanded (shared nodes counted each time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = SIDECAR_MAX_VALUES + 1  # a node inside itself (a recursive alias) is too many
    value = getattr(node, "value", None)
    size = 1
    if isinstance(value, list):
        for item in value:
            for child in (item if isinstance(item, tuple) else (item,)):
                size += _expanded_size(child, memo)
                if size > SIDECAR_MAX_VALUES:
                    break
    memo[key] = size
    return size


_LOADER = None


def _sidecar_loader():
    """yaml.SafeLoader without the timestamp resolver: ``date_published: 2021-02-30`` stays text,
    for :func:`parse_date` to check the same way as the quoted form."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class SidecarLoader(yaml.SafeLoader):
            pass

        SidecarLoader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        _LOADER = SidecarLoader
    return _LOADER


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
