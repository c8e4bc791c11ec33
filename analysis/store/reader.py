"""Load clean tables as typed DataFrames: ``analysis.load("figures")``.

Types come from analysis/schemas.py (the schemas the tables were validated with before writing):
text columns are pandas strings, whole numbers int64, numbers float64, flags bool, and date
columns (``published``, ``date_start``, ``date_end``) datetime64. Empty cells are missing values.
"""

from __future__ import annotations

from pathlib import Path

from analysis.config import CLEAN_DIR
from analysis.errors import InputError


def table_names() -> list[str]:
    """Names of the clean tables, in data-dictionary order."""
    from analysis.tables.schemas import TABLES

    return list(TABLES)


def load(name: str, clean_dir: str | Path = CLEAN_DIR, *, validate: bool = True):
    """Read ``<clean_dir>/<name>.csv`` into a DataFrame typed by the table's schema.

    With ``validate`` (the default) the rows are checked against the schema first (allowed values,
    unique keys; not cross-table references) and a bad file raises InputError naming the problem.

    >>> figures = load("figures")                                    # doctest: +SKIP
    >>> figures.groupby(["province", "theme"]).size()                # doctest: +SKIP
    """
    import pandas as pd

    from analysis.tables.schemas import TABLES, TableError, _schema_problems

    if name not in TABLES:
        raise InputError(name, f"unknown table; choose one of {', '.join(TABLES)}")
    path = Path(clean_dir) / f"{name}.csv"
    if not path.is_file():
        raise InputError(path, "not found; run `python -m analysis clean` first")
    model = TABLES[name].model
    columns = model.to_schema().columns
    dtypes, dates = {}, []
    for column_name, column in columns.items():
        if (column.metadata or {}).get("type") == "date":
            dates.append(column_name)
            dtypes[column_name] = "str"
        elif str(column.dtype) == "bool":
            dtypes[column_name] = "boolean"  # read as nullable, checked non-null below
        elif str(column.dtype) == "int64" and column.nullable:
            dtypes[column_name] = "Int64"
        else:
            dtypes[column_name] = "str" if "string" in str(column.dtype) else str(column.dtype)
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    if header != list(columns):
        raise InputError(path, f"columns {header} differ from the schema's {list(columns)}")
    try:
        frame = pd.read_csv(path, dtype=dtypes, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except (ValueError, TypeError) as err:
        raise InputError(path, f"cannot be read as the {name} table: {err}") from None
    if validate:
        from pandera.errors import SchemaErrors

        try:
            frame = model.validate(frame, lazy=True)
        except SchemaErrors as errors:
            raise InputError(path, "; ".join(TableError(_schema_problems(name, errors)).problems)) from None
    for column_name in dates:
        try:
            frame[column_name] = pd.to_datetime(frame[column_name], format="%Y-%m-%d")
        except ValueError:  # the pattern check lets 2021-13-45 through; the calendar does not
            bad = frame[column_name][pd.to_datetime(frame[column_name], format="%Y-%m-%d", errors="coerce").isna()
                                     & frame[column_name].notna()]
            raise InputError(path, f"column {column_name}: not a calendar date {bad.iloc[0]!r}") from None
    return frame
