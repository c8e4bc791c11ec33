"""Reference data shipped under data/raw/reference/: the 31 provincial-level divisions."""

from __future__ import annotations

import csv
from pathlib import Path

from analysis.config import REFERENCE_DIR
from analysis.errors import InputError

CENSUS_TSV = REFERENCE_DIR / "provinces_2020_census.tsv"
_COLUMNS = {"province_short": "province", "province_full": "province_full", "name_en": "name_en",
            "region": "region", "population_2020": "population_2020"}


def census_rows(path: Path = CENSUS_TSV) -> tuple[dict, ...]:
    """The census table as rows (province, province_full, name_en, region, population_2020 as int).

    Read with the csv module, so the extractor's gazetteer needs no pandas. Raises InputError if the
    file is missing, lacks a column, or has a duplicate or non-numeric row.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "census table not found")
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = sorted(set(_COLUMNS) - set(reader.fieldnames or ()))
        if missing:
            raise InputError(path, f"missing column(s) {', '.join(missing)}")
        rows = [{new: row[old] if row[old] is not None else "" for old, new in _COLUMNS.items()} for row in reader]
    bad = []
    for row in rows:
        population = _number(row["population_2020"])
        if population is None or population <= 0:
            bad.append(row["province"])
        else:
            row["population_2020"] = int(population)
    if bad:
        raise InputError(path, f"population_2020 is not a positive whole number for {', '.join(bad)}")
    if len({row["province"] for row in rows}) != len(rows):
        raise InputError(path, "duplicate province names")
    return tuple(rows)


def _number(text: str) -> float | None:
    """A number as ``pandas.to_numeric`` reads a cell, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number here


def load_provinces(path: Path = CENSUS_TSV):
    """The ``provinces`` table: province (short name), province_full, name_en, region, population_2020.

    Population is the resident population at the 2020 census (int64). Raises InputError if the file is
    missing, lacks a column, or has a duplicate or non-numeric row.
    """
    import pandas as pd

    rows = census_rows(path)
    data = {column: [row[column] for row in rows] for column in _COLUMNS.values()}
    provinces = pd.DataFrame({c: pd.Series(v, dtype="int64" if c == "population_2020" else "str")
                              for c, v in data.items()})
    return provinces
