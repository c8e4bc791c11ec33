"""The pandera checks of every clean table, generated from the table contract, and ``validate``.

:mod:`analysis.tables.contract` defines the tables; this turns each into a ``pandera``
``DataFrameSchema`` (types, required columns, allowed values, patterns, minimums, unique keys,
row checks) and checks foreign keys across tables. ``validate`` runs before anything is written.

It imports pandera at module level, so import it lazily (inside functions) from elsewhere.
"""

from __future__ import annotations

import operator
from functools import cache

import pandas as pd
import pandera.pandas as pa

from analysis.tables import contract
from analysis.tables.checks import NULLABLE_DTYPES
from analysis.tables.checks import TableError  # noqa: F401 - defined without pandera, raised here
from analysis.tables.contract import Reference

# Logical type -> the Python type pandera coerces to (str: pandas' string dtype).
_DTYPES = {contract.STRING: str, contract.DATE: str, contract.INTEGER: int, contract.NUMBER: float,
           contract.BOOLEAN: bool}
_OPERATORS = {">": operator.gt, ">=": operator.ge}


def _dtype(column: contract.Column):
    # a whole number or flag that may be missing is pandas' nullable Int64 or boolean, as the builders
    # and the reader make it
    if not column.required and column.type in NULLABLE_DTYPES:
        return NULLABLE_DTYPES[column.type]
    return _DTYPES[column.type]


def _column_checks(column: contract.Column) -> list:
    checks = []
    allowed = column.allowed()
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed)))
    if column.matches is not None:
        checks.append(pa.Check.str_matches(column.matches))
    if column.minimum is not None:
        checks.append(pa.Check.ge(column.minimum))
    return checks


def _row_check(check: contract.RowCheck):
    compare = _OPERATORS[check.op]
    return pa.Check(lambda df: compare(df[check.left], df[check.right]), name=check.name)


@cache
def schema(table: contract.Table) -> pa.DataFrameSchema:
    """The pandera schema of one contract table (coercing, strict: no column beyond the contract)."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(_dtype(c), checks=_column_checks(c), nullable=not c.required,
                              unique=c.unique, description=c.description)
            for c in table.columns
        },
        checks=[_row_check(check) for check in table.checks],
        coerce=True,
        strict=True,
        unique=list(table.key) if len(table.key) > 1 else None,
        name=table.name,
        description=table.row,
    )


def _show(values: list, limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def schema_problems(name: str, errors) -> list[str]:
    cases = errors.failure_cases
    problems = []
    structural = {"column_in_dataframe": "missing column", "column_in_schema": "column not in the schema"}
    for check, label in structural.items():
        missing = cases.loc[cases["check"] == check, "failure_case"].tolist()
        if missing:
            problems.append(f"{name}: {label} {_show(missing)}")
    cases = cases[~cases["check"].isin(list(structural))]
    # Checks on whole rows (unique keys, span order) list every column of each bad row: one line each.
    whole_rows = cases["schema_context"].eq("DataFrameSchema")
    for check, group in cases[whole_rows].groupby("check", sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        if check == "multiple_fields_uniqueness":
            key = "+".join(dict.fromkeys(group["column"]))
            problems.append(f"{name}.{key}: duplicate key at rows {_show(rows)}")
        else:
            problems.append(f"{name}: fails {check} at rows {_show(rows)}")
    cases = cases[~whole_rows]
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        where = f"{name}.{column}" if isinstance(column, str) and column else name
        values = [v for v in group["failure_case"].tolist() if not (isinstance(v, float) and pd.isna(v))]
        text = f"{where}: fails {check}"
        if rows:
            text += f" at rows {_show(rows)}"
        if values and not rows or values and len(values) <= 5:
            text += f" (values {_show(values)})"
        problems.append(text)
    return problems


def _reference_problems(name: str, df: pd.DataFrame, fk: Reference, target: pd.DataFrame) -> list[str]:
    keys = df[list(fk.fields)]
    if fk.separator:  # a cell naming several rows: each part must name one
        column = fk.fields[0]
        keys = keys.assign(**{column: keys[column].str.split(fk.separator, regex=False)}).explode(column)
    present = keys.notna().all(axis=1)
    known = pd.MultiIndex.from_frame(target[list(fk.to)].astype("object"))
    wanted = pd.MultiIndex.from_frame(keys.astype("object"))
    orphan = present & ~wanted.isin(known)
    if not orphan.any():
        return []
    rows = list(dict.fromkeys(int(i) for i in keys.index[orphan.to_numpy()]))
    values = [tuple(v) if len(v) > 1 else v[0] for v in keys[orphan.to_numpy()].itertuples(index=False)]
    return [f"{name}.{'+'.join(fk.fields)}: rows {_show(rows)} reference no row of "
            f"{fk.table}.{'+'.join(fk.to)} (values {_show(values)})"]


def validate(tables: dict[str, pd.DataFrame], references: dict[str, pd.DataFrame] | None = None
             ) -> dict[str, pd.DataFrame]:
    """Check every table against its schema and every foreign key; return the coerced tables.

    ``references``: key columns of tables that foreign keys may point to but that are not among
    ``tables`` (rows written earlier, when a large report is validated piece by piece).

    Columns come back in schema order, which is the CSV and datapackage.json order.
    Raises TableError listing each problem as ``table.column: what fails at rows [...] (values ...)``.
    Row numbers are the DataFrame's index labels (0-based positions for freshly built tables).
    """
    from pandera.errors import SchemaErrors

    known = contract.TABLES
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise TableError([f"{name}: no schema for this table" for name in unknown])
    problems: list[str] = []
    checked: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        try:
            valid = schema(known[name]).validate(df, lazy=True)
            checked[name] = valid[known[name].names]  # CSV column order
        except SchemaErrors as errors:
            problems += schema_problems(name, errors)
            checked[name] = df
    for name, df in checked.items():
        for fk in known[name].references:
            target = _target(fk.table, checked, references or {})
            if target is None:
                problems.append(f"{name}.{'+'.join(fk.fields)}: references table {fk.table}, which is missing")
            elif set(fk.fields) <= set(df.columns) and set(fk.to) <= set(target.columns):
                problems += _reference_problems(name, df, fk, target)
    if problems:
        raise TableError(problems)
    return checked


def _target(name: str, checked: dict[str, pd.DataFrame], references: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    if name not in references:
        return checked.get(name)
    if name not in checked:
        return references[name]
    return pd.concat([checked[name], references[name]], ignore_index=True)
