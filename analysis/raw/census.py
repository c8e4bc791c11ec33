"""Reference data shipped under data/raw/reference/: the 31 provincial-level divisions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.config import REFERENCE_DIR
from analysis.errors import InputError

CENSUS_TSV = REFERENCE_DIR / "provinces_2020_census.tsv"
_COLUMNS = {"province_short": "province", "province_full": "province_full", "name_en": "name_en",
            "region": "region", "population_2020": "population_2020"}


def load_provinces(path: Path = CENSUS_TSV) -> pd.DataFrame:
    """The ``provinces`` table: province (short name), province_full, name_en, region, population_2020.

    Population is the resident population at the 2020 census (int64). Raises InputError if the file is
    missing, lacks a column, or has a duplicate or non-numeric row.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "census table not found")
    raw = pd.read_csv(path, sep="\t", dtype="str", encoding="utf-8-sig", keep_default_na=False)
    missing = sorted(set(_COLUMNS) - set(raw.columns))
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    provinces = raw[list(_COLUMNS)].rename(columns=_COLUMNS)
    population = pd.to_numeric(provinces["population_2020"], errors="coerce")
    bad = provinces.loc[population.isna() | (population <= 0), "province"].tolist()
    if bad:
        raise InputError(path, f"population_2020 is not a positive whole number for {', '.join(bad)}")
    if provinces["province"].duplicated().any():
        raise InputError(path, "duplicate province names")
    return provinces.astype({c: "str" for c in _COLUMNS.values() if c != "population_2020"}).assign(
        population_2020=population.astype("int64")
    )
