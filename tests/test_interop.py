"""The committed CSVs read as typed tables in other tools, with no arguments: base R (booleans as
logical, the BOM stripped), DuckDB and pandas. R and DuckDB are skipped with a reason where they
are not installed (apt-get install r-base-core; pip install duckdb)."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from analysis import config

FIGURES = config.CLEAN_DIR / "figures.csv"


def test_pandas_reads_booleans_and_a_clean_first_column():
    figures = pd.read_csv(FIGURES)
    assert figures.columns[0] == "doc_id" and figures["cumulative"].dtype == bool
    assert pd.read_csv(config.CLEAN_DIR / "indicator_definitions.csv")["per_capita"].dtype == bool


@pytest.mark.parametrize("table", ["figures", "indicators"])
def test_pandas_reads_as_of_as_a_date(table):
    frame = pd.read_csv(config.CLEAN_DIR / f"{table}.csv", parse_dates=["as_of"])
    assert pd.api.types.is_datetime64_any_dtype(frame["as_of"])
    assert frame["as_of"].notna().any() and frame["as_of"].isna().any()  # a date where one is said, else empty
    assert frame.loc[frame["as_of"].notna(), "as_of_kind"].notna().all()


@pytest.mark.slow
def test_base_r_read_csv_reads_cumulative_as_logical():
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (apt-get install r-base-core)")
    # base R reads no column as a date by itself; as.Date reads every as_of cell, and an empty one as NA
    code = ('f <- read.csv("data/clean/figures.csv"); d <- as.Date(f$as_of); '
            'cat(names(f)[1], class(f$cumulative), class(f$value), sum(f$cumulative), nrow(f), class(d), '
            'sum(!is.na(d)), sum(f$as_of != ""), sep = "|")')
    out = subprocess.run(["Rscript", "-e", code], cwd=config.ROOT, capture_output=True, text=True, timeout=120, check=True)
    first, cumulative, value, n_true, rows, date_class, n_dates, n_cells = out.stdout.strip().split("|")
    figures = pd.read_csv(FIGURES)
    assert (first, cumulative, value, date_class) == ("doc_id", "logical", "numeric", "Date")
    assert (int(n_true), int(rows)) == (int(figures["cumulative"].sum()), len(figures))
    assert int(n_dates) == int(n_cells) == int(figures["as_of"].notna().sum()) > 0


def test_duckdb_reads_booleans_and_numbers():
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed (pip install duckdb)")
    relation = duckdb.sql(f"SELECT * FROM read_csv_auto('{FIGURES}')")
    types = dict(zip(relation.columns, map(str, relation.types)))
    assert relation.columns[0] == "doc_id"
    assert types["cumulative"] == "BOOLEAN" and types["value"] == "DOUBLE" and types["figure"] == "BIGINT"
    assert types["as_of"] == "DATE"
    indicators = duckdb.sql(f"SELECT as_of FROM read_csv_auto('{config.CLEAN_DIR / 'indicators.csv'}')")
    assert str(indicators.types[0]) == "DATE"
