"""The contract's types in Parquet: what DuckDB, R's arrow, Spark and pandas read without help.

A clean table in memory keeps its dates as ISO text (the CSVs' cells); a Parquet part is written
with the Arrow schema the contract gives (:func:`arrow_schema`): text as ``string``, whole numbers as
``int64``, numbers as ``double``, flags as ``bool`` and dates as ``date32``, a column that may be
empty nullable. So ``select year(published) from 'OUT/documents/*.parquet'`` works in DuckDB and
``arrow::open_dataset("OUT/figures")`` gives R dates. :func:`read_part` gives a part back as the
pipeline had it (dates as ISO text again), for the reader and the ``--csv`` files.
"""

from __future__ import annotations

from pathlib import Path

from analysis.tables import contract


def arrow_type(column: contract.Column):
    """The Arrow type of one contract column."""
    import pyarrow as pa

    return {contract.STRING: pa.string(), contract.INTEGER: pa.int64(), contract.NUMBER: pa.float64(),
            contract.BOOLEAN: pa.bool_(), contract.DATE: pa.date32()}[column.type]


def arrow_schema(name: str):
    """The Arrow schema of table ``name``: its columns in order, typed, nullable where they may be empty;
    the column's meaning as each field's ``description`` metadata."""
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c), nullable=not c.required,
                               metadata={"description": c.description})
                      for c in contract.TABLES[name].columns])


def to_arrow(frame, name: str):
    """A checked frame of table ``name`` as an Arrow table of :func:`arrow_schema` (dates parsed from ISO text)."""
    import pyarrow as pa

    schema = arrow_schema(name)
    arrays = []
    for field in schema:
        values = pa.array(frame[field.name], from_pandas=True)
        if field.type != values.type:
            values = values.cast(field.type)  # ISO text -> date32; int64 -> double for a float column
        arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=schema)


def write_part(frame, name: str, path: Path) -> None:
    """``frame`` (of table ``name``) as the Parquet file ``path`` (the caller makes the write atomic)."""
    import pyarrow.parquet as pq

    pq.write_table(to_arrow(frame.reset_index(drop=True), name), path)


def read_arrow(path: Path):
    """A part as an Arrow table with its date columns as ISO text, as in the CSVs (older parts,
    written with text dates, read the same)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for i, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


def read_part(path: Path):
    """A part as a DataFrame, dates as ISO text (see :func:`read_arrow`)."""
    return read_arrow(path).to_pandas()
