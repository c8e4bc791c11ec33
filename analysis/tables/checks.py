"""The contract's checks as whole-column operations, for the write pipeline: ``check_batch``.

:mod:`analysis.tables.schemas` turns the contract into pandera schemas; a pandera call costs about
0.45 s whatever the size of the table, more than building a batch of small reports. This runs the
same rules straight off the contract (:mod:`analysis.tables.contract`): coercion to the final dtype,
strict columns, required, unique, allowed values, patterns, minimums, unique keys, row checks and
foreign keys, each a vectorised test on a column. It only decides whether a batch passes. A batch
that fails is handed to :func:`analysis.tables.schemas.validate`, so the error a user sees is
pandera's, word for word; a test (``tests/test_fast_paths.py``) holds the two to the same verdict
and the same coerced tables.

Foreign keys may point to rows written in earlier batches: ``Known`` keeps those keys as sets,
added to batch by batch, so checking a batch costs what the batch holds, not what was written
before it.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from analysis.tables import contract

if TYPE_CHECKING:
    import pandas as pd

# Logical type -> the dtype a checked table has (what pandera's coercion gives).
FINAL_DTYPES = {contract.STRING: "str", contract.DATE: "str", contract.INTEGER: "int64",
                contract.NUMBER: "float64", contract.BOOLEAN: "bool"}
# A whole number or flag that may be missing is pandas' nullable Int64 or boolean, as the builders
# and the reader make it (and pandera's schemas coerce to: analysis.tables.schemas).
NULLABLE_DTYPES = {contract.INTEGER: "Int64", contract.BOOLEAN: "boolean"}
_OPERATORS = {">": operator.gt, ">=": operator.ge}


def final_dtype(column: contract.Column) -> str:
    """The dtype column ``column`` has in a checked table."""
    if not column.required and column.type in NULLABLE_DTYPES:
        return NULLABLE_DTYPES[column.type]
    return FINAL_DTYPES[column.type]


@dataclass
class Known:
    """Keys of rows written in earlier batches, per (table, key columns): a set of values or of tuples.

    ``extra`` holds keys that count for one batch only (a report still being read), so adding them
    never copies the sets.
    """

    keys: dict[tuple[str, tuple[str, ...]], set] = field(default_factory=dict)
    extra: dict[tuple[str, tuple[str, ...]], set] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], values) -> None:
        self.keys.setdefault((table, columns), set()).update(values)

    def with_extra(self, table: str, columns: tuple[str, ...], values) -> Known:
        """These keys and ``values`` as well, for one batch; the sets are shared, not copied."""
        extra = {key: set(v) for key, v in self.extra.items()}
        extra.setdefault((table, columns), set()).update(values)
        return Known(self.keys, extra)

    def has(self, table: str, columns: tuple[str, ...]) -> bool:
        return (table, columns) in self.keys or (table, columns) in self.extra

    def unknown(self, table: str, columns: tuple[str, ...], wanted: set) -> set:
        """The keys of ``wanted`` that are not known."""
        for source in (self.keys, self.extra):
            if wanted and (table, columns) in source:
                wanted = wanted - source[(table, columns)]
        return wanted

    def frames(self) -> dict[str, pd.DataFrame]:
        """The keys as frames, for :func:`analysis.tables.schemas.validate`'s ``references``."""
        import pandas as pd

        out: dict[str, pd.DataFrame] = {}
        for key in {*self.keys, *self.extra}:
            table, columns = key
            values = self.keys.get(key, set()) | self.extra.get(key, set())
            rows = sorted(values if len(columns) > 1 else ((v,) for v in values))
            frame = pd.DataFrame(rows, columns=list(columns))
            if len(columns) == 1:
                frame = frame.astype("str")
            else:
                frame = frame.astype({"doc_id": "str"} if "doc_id" in columns else {})
            out[table] = frame if table not in out else pd.concat([out[table], frame], ignore_index=True)
        return out


class TableError(ValueError):
    """Clean tables that break their schema. ``problems`` lists one line per table, column and check."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid clean tables:\n  " + "\n  ".join(problems))


@cache
def _pattern(expression: str) -> re.Pattern:
    return re.compile(expression)


def coerce(name: str, df: pd.DataFrame) -> pd.DataFrame | None:
    """Table ``name`` in its final dtypes and column order, or None if its columns or values do not fit."""
    import pandas as pd

    table = contract.TABLES[name]
    if set(df.columns) != set(table.names) or len(df.columns) != len(table.names):
        return None
    data = {}
    for column in table.columns:
        series = df[column.name]
        want = final_dtype(column)
        if str(series.dtype) != want:
            if column.required and series.isna().any():
                return None  # a cast could fill it (None -> False)
            try:
                series = series.astype(want)
            except (TypeError, ValueError):
                return None
        data[column.name] = series
    return pd.DataFrame(data, index=df.index)


def _column_ok(column: contract.Column, series: pd.Series) -> bool:
    missing = series.isna()
    if missing.all():
        return not column.required or series.empty
    if column.required and missing.any():
        return False
    present = series[~missing] if missing.any() else series
    if column.unique and present.duplicated().any():
        return False
    allowed = column.allowed()
    if allowed is not None and not present.isin(allowed).all():
        return False
    if column.matches is not None and not present.str.match(_pattern(column.matches)).all():
        return False
    if column.minimum is not None and not (present >= column.minimum).all():
        return False
    return True


def _table_ok(table: contract.Table, df: pd.DataFrame) -> bool:
    if not all(_column_ok(column, df[column.name]) for column in table.columns):
        return False
    if len(table.key) > 1 and df.duplicated(subset=list(table.key)).any():
        return False
    return all(_OPERATORS[check.op](df[check.left], df[check.right]).all() for check in table.checks)


def _keys(df: pd.DataFrame, columns: tuple[str, ...], separator: str = "") -> set:
    """The distinct non-missing keys of ``columns`` in ``df``: values, or tuples of values.

    ``separator``: a cell may hold several keys joined by it (see :class:`analysis.tables.contract.Reference`).
    """
    if len(columns) == 1:
        values = set(df[columns[0]].dropna().unique().tolist())
        if separator:
            values = {part for value in values for part in str(value).split(separator)}
        return values
    part = df[list(columns)].dropna()
    return set(zip(*(part[c].tolist() for c in columns)))


def check_batch(tables: dict[str, pd.DataFrame], known: Known | None = None,
                trusted: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame] | None:
    """The tables coerced to their final dtypes if every table and foreign key passes, else None.

    ``known``: keys that foreign keys may also point to (rows of earlier batches). ``trusted``:
    tables that passed before (the vocabularies, the same every batch): they stand in for the
    tables of that name, unchecked, and foreign keys point to them. None means some rule failed:
    :func:`analysis.tables.schemas.validate` then says which.
    """
    known = known or Known()
    trusted = trusted or {}
    checked = {}
    for name, df in tables.items():
        if name in trusted:
            if len(trusted[name]) != len(df):  # not the same table after all
                return None
            checked[name] = trusted[name]
            continue
        if name not in contract.TABLES:
            return None
        coerced = coerce(name, df)
        if coerced is None or not _table_ok(contract.TABLES[name], coerced):
            return None
        checked[name] = coerced
    for name, df in checked.items():
        if name in trusted:
            continue
        for fk in contract.TABLES[name].references:
            if fk.table not in checked and not known.has(fk.table, fk.to):
                return None
            wanted = _keys(df, fk.fields, fk.separator)
            if not wanted:
                continue
            target = checked.get(fk.table)
            if target is not None:
                wanted -= _keys(target, fk.to)
            if known.unknown(fk.table, fk.to, wanted):
                return None
    return checked
