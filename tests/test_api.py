"""analysis.load(): typed DataFrames from the clean CSVs, clear errors, nothing heavy at import."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from _datapkg_tables import ROOT, seed_tables, write_clean

import analysis
from analysis.store.reader import load, table_names
from analysis.errors import InputError
from analysis.tables.schemas import TABLES


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    write_clean(seed_tables(), out)
    return out


def test_package_attribute_is_the_api_function():
    assert analysis.load is load
    with pytest.raises(AttributeError):
        analysis.no_such_thing  # noqa: B018


def test_importing_the_package_loads_no_heavy_library():
    code = ("import sys, analysis; heavy = [m for m in ('pandas', 'pandera', 'frictionless', 'matplotlib') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_table_loads_with_schema_types(clean_dir):
    assert table_names() == list(TABLES)
    for name in table_names():
        frame = load(name, clean_dir)
        assert list(frame.columns) == list(TABLES[name].model.to_schema().columns)
    figures = load("figures", clean_dir)
    assert figures["figure"].dtype == "int64" and figures["value"].dtype == "float64"
    assert figures["cumulative"].dtype == bool
    assert pd.api.types.is_string_dtype(figures["theme"]) and figures["theme"].notna().all()
    documents = load("documents", clean_dir)
    assert pd.api.types.is_datetime64_any_dtype(documents["published"])
    assert documents["published"].iloc[0] == pd.Timestamp("2021-12-01")
    dates = load("dates", clean_dir)
    assert pd.api.types.is_datetime64_any_dtype(dates["date_start"])
    assert pd.api.types.is_string_dtype(dates["date"])  # YYYY-MM stays text: precision matters


def test_missing_values_load_as_missing(clean_dir):
    figures = load("figures", clean_dir)
    assert figures["value_high"].isna().all()  # no ranges in the seed
    assert figures["as_of"].isna().any() and (figures["as_of"] == "report").any()
    indicators = load("indicators", clean_dir)
    assert indicators.loc[indicators["unit_kind"] == "percent", "per_10k"].isna().all()


def test_unknown_table_and_missing_file_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="unknown table; choose one of documents"):
        load("figure")
    with pytest.raises(InputError, match="not found; run `python -m analysis clean` first"):
        load("figures", tmp_path)


def test_a_corrupted_file_is_an_input_error_naming_the_problem(clean_dir, tmp_path):
    text = (clean_dir / "figures.csv").read_text(encoding="utf-8-sig")
    bad = text.replace(",exact,", ",roughly,", 1)
    (tmp_path / "figures.csv").write_text(bad, encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"figures\.csv: figures\.qualifier: fails isin.*'roughly'"):
        load("figures", tmp_path)
    assert load("figures", tmp_path, validate=False)["qualifier"].eq("roughly").sum() == 1


def test_a_renamed_column_is_an_input_error(clean_dir, tmp_path):
    text = (clean_dir / "provinces.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "provinces.csv").write_text(text.replace("population_2020", "pop", 1), encoding="utf-8-sig")
    with pytest.raises(InputError, match="differ from the schema"):
        load("provinces", tmp_path)


def test_bad_number_is_an_input_error(clean_dir, tmp_path):
    text = (clean_dir / "provinces.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",lots"
    (tmp_path / "provinces.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError, match="cannot be read as the provinces table"):
        load("provinces", tmp_path)


def test_an_impossible_date_is_an_input_error(clean_dir, tmp_path):
    # the pattern check passes 2021-13-45; turning it into a datetime must not end in a traceback
    text = (clean_dir / "documents.csv").read_text(encoding="utf-8-sig")
    published = load("documents", clean_dir)["published"].iloc[0].strftime("%Y-%m-%d")
    (tmp_path / "documents.csv").write_text(text.replace(published, "2021-13-45", 1), encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"documents\.csv: column published: not a calendar date '2021-13-45'"):
        load("documents", tmp_path)
