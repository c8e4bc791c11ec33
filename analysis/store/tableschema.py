"""Read a clean CSV typed and checked by its Table Schema (``datapackage.json``), without pandera.

Notebook kernels read tables through this: importing pandera (which imports dask) costs about
0.7 s in every kernel, while ``datapackage.json`` is written by ``clean`` from the same pandera
models, next to the CSVs they validated. The types are those of :func:`analysis.store.reader.load` (a
test compares the two on every table); the checks are the Table Schema constraints: header,
types, ``required``, ``enum``, ``pattern``, ``minimum``, ``unique`` and the primary key.
Checks spanning several columns besides the key (span order) remain pandera's, in ``clean``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from analysis.errors import InputError

DESCRIPTOR = "datapackage.json"
# Table Schema type -> the dtype pandas reads it as (dates are read as text, then parsed).
_READ_AS = {"string": "str", "number": "float64", "boolean": "boolean", "date": "str"}


@lru_cache(maxsize=8)
def _resources(descriptor: Path, mtime_ns: int) -> dict[str, dict]:
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    return {r["name"]: r for r in data.get("resources", []) if isinstance(r, dict) and "name" in r}


def resource(folder: str | Path, name: str) -> dict | None:
    """The data package's resource ``name`` in ``folder`` (path, encoding, schema); None if not described."""
    descriptor = Path(folder) / DESCRIPTOR
    try:
        mtime = descriptor.stat().st_mtime_ns
    except OSError:
        return None
    try:
        return _resources(descriptor, mtime).get(name)
    except (ValueError, OSError):
        return None  # unreadable description: the caller falls back to the validating loader


def _show(values, limit: int = 5) -> str:
    values = list(dict.fromkeys(str(v) for v in values))
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _rows(mask) -> str:
    return _show(int(i) + 2 for i in mask[mask].index)  # line numbers in the file (1 = header)


def _problems(frame, fields: list[dict], primary_key: list[str]) -> list[str]:
    problems = []
    for field in fields:
        name, constraints = field["name"], field.get("constraints", {})
        column = frame[name]
        present = column.notna()
        if constraints.get("required") and not present.all():
            problems.append(f"{name}: empty on line(s) {_rows(~present)}")
        if "enum" in constraints:
            bad = present & ~column.isin(constraints["enum"])
            if bad.any():
                problems.append(f"{name}: {_show(column[bad])} not one of {_show(constraints['enum'], 20)}")
        if "pattern" in constraints:
            bad = present & ~column.astype("str").str.fullmatch(constraints["pattern"]).fillna(False).astype(bool)
            if bad.any():
                problems.append(f"{name}: {_show(column[bad])} do(es) not match {constraints['pattern']}")
        if "minimum" in constraints:
            bad = present & (column < constraints["minimum"])
            if bad.any():
                problems.append(f"{name}: below {constraints['minimum']} on line(s) {_rows(bad.astype(bool))}")
        if constraints.get("unique"):
            bad = present & column.duplicated(keep=False)
            if bad.any():
                problems.append(f"{name}: repeated value(s) {_show(column[bad])}")
    if primary_key:
        bad = frame.duplicated(primary_key, keep=False)
        if bad.any():
            problems.append(f"key ({', '.join(primary_key)}) repeated on line(s) {_rows(bad)}")
    return problems


def read_table(folder: str | Path, name: str, description: dict):
    """``<folder>/<name>.csv`` as a DataFrame typed by ``description`` (a data package resource).

    Raises InputError naming the file and every broken constraint.
    """
    import pandas as pd

    path = Path(folder) / description.get("path", f"{name}.csv")
    if not path.is_file():
        raise InputError(path, "not found; run `python -m analysis clean` first")
    fields = description["schema"]["fields"]
    names = [f["name"] for f in fields]
    encoding = description.get("encoding", "utf-8-sig")
    dtypes = {}
    for field in fields:
        required = field.get("constraints", {}).get("required", False)
        if field["type"] == "integer":
            dtypes[field["name"]] = "int64" if required else "Int64"
        else:
            dtypes[field["name"]] = _READ_AS[field["type"]]
    header = pd.read_csv(path, nrows=0, encoding=encoding).columns.tolist()
    if header != names:
        raise InputError(path, f"columns {header} differ from the schema's {names}")
    try:
        frame = pd.read_csv(path, dtype=dtypes, encoding=encoding, keep_default_na=False, na_values=[""])
    except (ValueError, TypeError) as err:
        raise InputError(path, f"cannot be read as the {name} table: {err}") from None
    problems = _problems(frame, fields, description["schema"].get("primaryKey", []))
    if problems:
        raise InputError(path, "; ".join(problems))
    for field in fields:
        column = field["name"]
        if field["type"] == "boolean" and field.get("constraints", {}).get("required"):
            frame[column] = frame[column].astype(bool)
        elif field["type"] == "date":
            try:
                frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
            except ValueError as err:
                raise InputError(path, f"{column}: not a YYYY-MM-DD date: {err}") from None
    return frame
