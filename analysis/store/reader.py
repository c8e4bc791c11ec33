"""Read clean tables as typed DataFrames: ``analysis.load("figures")``.

One reader for both kinds of output: a folder of CSVs (``clean``: ``<folder>/<table>.csv``) and a
``clean-corpus`` folder (``<folder>/<table>/part-*.parquet``). Types and checks come from the
table contract's Table Schema (the one ``datapackage.json`` holds): text columns are pandas
strings, whole numbers int64 (Int64 where a cell may be empty), numbers float64, flags bool, and
date columns (``published``, ``date_start``, ``date_end``) datetime64; empty cells are missing.
How much is checked is the caller's choice (``check``): ``"types"`` (the header and the types
only), ``"constraints"`` (also every Table Schema constraint: required, enum, pattern, minimum,
unique, key; without pandera, so a notebook kernel never imports it and dask, about 0.7 s), or
``"full"`` (also the pandera schema: row checks such as span order). :func:`load` is ``"full"``,
or ``"types"`` with ``validate=False``.
"""

from __future__ import annotations

from pathlib import Path

from analysis.config import CLEAN_DIR
from analysis.errors import InputError

# Table Schema type -> the dtype a column is read as (dates are read as text, then parsed).
_READ_AS = {"string": "str", "number": "float64", "boolean": "boolean", "date": "str"}
NOT_FOUND = "not found; run `python -m analysis clean` first"
CHECKS = ("types", "constraints", "full")


def table_names() -> list[str]:
    """Names of the clean tables, in data-dictionary order."""
    from analysis.tables.contract import CLEAN_TABLES

    return list(CLEAN_TABLES)


def load(name: str, clean_dir: str | Path = CLEAN_DIR, *, validate: bool = True):
    """Table ``name`` of a clean folder (CSVs, or ``clean-corpus`` Parquet parts), typed.

    With ``validate`` (the default) the rows are also checked against the table's pandera schema
    (row checks such as span order; not cross-table references). A bad file raises InputError
    naming it and the problem.

    >>> figures = load("figures")                                    # doctest: +SKIP
    >>> figures.groupby(["province", "theme"]).size()                # doctest: +SKIP
    """
    return read_table(clean_dir, name, check="full" if validate else "types")


def read_table(folder: str | Path, name: str, *, check: str = "constraints"):
    """Table ``name`` from ``folder``: ``<name>.csv``, or the parts under ``<name>/``, typed and checked.

    Raises InputError naming the file and every broken constraint (see ``check`` above).
    """
    from analysis.tables import contract
    from analysis.tables.datapackage import table_schema

    from analysis.store.transaction import before_reading, unfinished

    if name not in contract.TABLES:
        raise InputError(name, f"unknown table; choose one of {', '.join(contract.TABLES)}")
    if check not in CHECKS:
        raise ValueError(f"check must be one of {CHECKS}, not {check!r}")
    folder = Path(folder)
    schema = table_schema(name)
    fields = schema["fields"]
    before_reading(folder)  # finishes an update a crash left unfinished
    try:
        path, frame = _read(folder, name, fields)
    except (InputError, OSError):
        if not unfinished(folder):
            raise
        before_reading(folder)  # a commit began while we read: wait for it, then read the new set
        path, frame = _read(folder, name, fields)
    if check != "types":
        problems = _problems(frame, fields, schema.get("primaryKey", []))
        if problems:
            raise InputError(path, "; ".join(problems))
    if check == "full":
        _validate(path, name, frame)
    for field in fields:
        column = field["name"]
        if field["type"] == "boolean" and _required(field):
            frame[column] = frame[column].astype(bool)
        elif field["type"] == "date":
            frame[column] = _dates(path, column, frame[column])
    return frame


def _read(folder: Path, name: str, fields: list[dict]):
    from analysis.raw.files import problem

    parts_dir = folder / name
    path = parts_dir if parts_dir.is_dir() else folder / f"{name}.csv"
    try:
        return path, (_read_parts(path, name, fields) if path == parts_dir else _read_csv(path, name, fields))
    except OSError as err:
        if err.errno is None:
            raise
        raise InputError(err.filename or path, problem(err)) from None


def _required(field: dict) -> bool:
    return field.get("constraints", {}).get("required", False)


def _dtypes(fields: list[dict]) -> dict[str, str]:
    dtypes = {}
    for field in fields:
        if field["type"] == "integer":
            dtypes[field["name"]] = "int64" if _required(field) else "Int64"
        else:
            dtypes[field["name"]] = _READ_AS[field["type"]]
    return dtypes


def _read_csv(path: Path, name: str, fields: list[dict]):
    import pandas as pd

    from analysis.tables.contract import CSV_ENCODING, CSV_MISSING

    if not path.is_file():
        raise InputError(path, NOT_FOUND)
    names = [f["name"] for f in fields]
    header = pd.read_csv(path, nrows=0, encoding=CSV_ENCODING).columns.tolist()
    if header != names:
        raise InputError(path, f"columns {header} differ from the schema's {names}")
    try:
        return pd.read_csv(path, dtype=_dtypes(fields), encoding=CSV_ENCODING, keep_default_na=False,
                           na_values=[CSV_MISSING])
    except (ValueError, TypeError) as err:
        raise InputError(path, f"cannot be read as the {name} table: {err}") from None


def _read_parts(folder: Path, name: str, fields: list[dict]):
    """All parts of one table with the columns and types a CSV of it would have (dates as ISO text,
    parsed later), rows in ``doc_id`` order: parts are named by their partition's key, not its place
    (:mod:`analysis.store.corpus`), so they are put back in order, each report's rows kept as they are."""
    import pandas as pd

    from analysis.store.parquet import read_arrow

    names = [f["name"] for f in fields]
    parts = sorted(folder.glob("part-*.parquet"))
    frames = []
    for part in parts:
        table = read_arrow(part)
        if table.column_names != names:
            raise InputError(part, f"columns {table.column_names} differ from the schema's {names}")
        frames.append(table.to_pandas())
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({n: [] for n in names})
    try:
        frame = frame.astype(_dtypes(fields))
    except (ValueError, TypeError) as err:
        raise InputError(folder, f"cannot be read as the {name} table: {err}") from None
    if "doc_id" in frame and len(frames) > 1 and not frame["doc_id"].is_monotonic_increasing:
        frame = frame.sort_values("doc_id", kind="stable", ignore_index=True)
    return frame


def _validate(path: Path, name: str, frame) -> None:
    from pandera.errors import SchemaErrors

    from analysis.tables import contract
    from analysis.tables.schemas import schema, schema_problems

    try:
        schema(contract.TABLES[name]).validate(frame, lazy=True)
    except SchemaErrors as errors:
        raise InputError(path, "; ".join(schema_problems(name, errors))) from None


def _dates(path: Path, column: str, values):
    import pandas as pd

    try:
        return pd.to_datetime(values, format="%Y-%m-%d")
    except ValueError:  # the pattern check lets 2021-13-45 through; the calendar does not
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        bad = values[parsed.isna() & values.notna()]
        raise InputError(path, f"{column}: not a calendar date {bad.iloc[0]!r}") from None


def _show(values, limit: int = 5) -> str:
    values = list(dict.fromkeys(str(v) for v in values))
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


_PATTERN_SHOWN = 60  # a longer pattern (the 31 provinces' names) is named, not printed


def _rows(mask) -> str:
    return _show(int(i) + 2 for i in mask[mask].index)  # line numbers in a CSV (1 = header)


def _problems(frame, fields: list[dict], primary_key: list[str]) -> list[str]:
    """Every Table Schema constraint the frame breaks, one line each."""
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
        pattern = constraints.get("pattern") or (r"\d{4}-\d{2}-\d{2}" if field["type"] == "date" else None)
        if pattern:
            bad = present & ~column.astype("str").str.fullmatch(pattern).fillna(False).astype(bool)
            if bad.any():
                what = ("not a YYYY-MM-DD date" if field["type"] == "date" else f"do(es) not match {pattern}"
                        if len(pattern) <= _PATTERN_SHOWN else "do(es) not match the field's pattern in datapackage.json")
                problems.append(f"{name}: {_show(column[bad])} {what}")
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
