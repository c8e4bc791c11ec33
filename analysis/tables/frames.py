"""Typed DataFrames in the shape the table contract gives them, from rows or from columns.

The builders, enrichment and the vocabulary tables all make their frames here, so a table's
column order and dtypes come from :mod:`analysis.tables.contract` and nowhere else.
"""

from __future__ import annotations

from typing import Any

from analysis.tables import contract

# Logical type -> the pandas dtype frames are built with (nullable, so "none yet" is <NA> until
# validation coerces them to their final types).
DTYPES = {contract.STRING: "string", contract.DATE: "string", contract.INTEGER: "int64",
          contract.NUMBER: "float64", contract.BOOLEAN: "boolean"}


def dtype(column: contract.Column) -> str:
    """The pandas dtype of a column: its type's, but Int64 for a whole number that may be missing."""
    return "Int64" if column.type == contract.INTEGER and not column.required else DTYPES[column.type]


def frame(name: str, rows: list[dict[str, Any]], *, enriched: bool = False):
    """Table ``name`` from row dicts: the contract's columns in order, typed.

    Columns that enrichment adds are left out unless ``enriched``. A column the rows do not fill
    is empty if the contract lets it be, else a KeyError: a new optional column in the contract
    appears, empty, until something fills it.

    >>> frame("themes", [{"theme": "other", "label_zh": "其他", "label_en": "Other", "priority": 99, "keywords": ""}]).dtypes.astype(str).tolist()
    ['string', 'string', 'string', 'int64', 'string']
    """
    filled = rows[0].keys() if rows else ()
    return _typed(name, enriched, lambda column: [row[column] for row in rows] if column in filled or not rows
                  else None, len(rows))


def columns_frame(name: str, data: dict[str, list], *, enriched: bool = False):
    """Table ``name`` from a dict of column lists (any order): the contract's columns in order, typed."""
    unknown = sorted(set(data) - set(contract.columns(name)))
    if unknown:
        raise KeyError(f"{name} has no column {', '.join(unknown)} in the contract")
    size = len(next(iter(data.values()))) if data else 0
    return _typed(name, enriched, data.get, size)


def records_frame(name: str, records, **computed):
    """Table ``name`` from objects with an attribute per column (the vocabularies' dataclasses), typed.

    ``computed`` gives the columns that are not plain attributes, as functions of one record.

    >>> from analysis.tables.themes import Theme
    >>> jobs = Theme("jobs", "就业", "Jobs", 1, ("就业", "岗位"))
    >>> records_frame("themes", [jobs], keywords=lambda t: "|".join(t.keywords)).to_dict("records")
    [{'theme': 'jobs', 'label_zh': '就业', 'label_en': 'Jobs', 'priority': 1, 'keywords': '就业|岗位'}]
    """
    records = list(records)
    data = {}
    for column in contract.columns(name):
        read = computed.get(column, lambda record, column=column: getattr(record, column))
        data[column] = [read(record) for record in records]
    return columns_frame(name, data)


def _typed(name: str, enriched: bool, values_of, size: int):
    import pandas as pd

    data = {}
    # One typed array per column: an object frame from row dicts followed by astype costs several
    # times the extraction itself (benchmarks/profile_extract.py --what tables).
    for column in contract.TABLES[name].columns:
        if column.enriched and not enriched:
            continue
        values = values_of(column.name)
        if values is None:
            if column.required:
                raise KeyError(f"{name}.{column.name} is required but no value was given")
            values = [None] * size
        data[column.name] = pd.array(values, dtype=dtype(column))
    return pd.DataFrame(data)
