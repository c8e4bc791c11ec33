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

SIDECAR_SUFFIX = ".source.yml"


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
