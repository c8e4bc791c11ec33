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


@pytest.mark.slow
def test_base_r_read_csv_reads_cumulative_as_logical():
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (apt-get install r-base-core)")
    code = ('f <- read.csv("data/clean/figures.csv"); '
            'cat(names(f)[1], class(f$cumulative), class(f$value), sum(f$cumulative), nrow(f), sep = "|")')
    out = subprocess.run(["Rscript", "-e", code], cwd=config.ROOT, capture_output=True, text=True, timeout=120, check=True)
    first, cumulative, value, n_true, rows = out.stdout.strip().split("|")
    figures = pd.read_csv(FIGURES)
    assert (first, cumulative, value) == ("doc_id", "logical", "numeric")
    assert (int(n_true), int(rows)) == (int(figures["cumulative"].sum()), len(figures))


def test_duckdb_reads_booleans_and_numbers():
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed (pip install duckdb)")
    relation = duckdb.sql(f"SELECT * FROM read_csv_auto('{FIGURES}')")
    types = dict(zip(relation.columns, map(str, relation.types)))
    assert relation.columns[0] == "doc_id"
    assert types["cumulative"] == "BOOLEAN" and types["value"] == "DOUBLE" and types["figure"] == "BIGINT"
