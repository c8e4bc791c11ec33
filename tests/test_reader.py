"""The one reader: typed DataFrames from a folder of clean CSVs or of clean-corpus Parquet parts,
clear errors for broken files, no pandera in notebook kernels, nothing heavy at import."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from _datapkg_tables import ROOT, seed_tables, write_clean

import analysis
from analysis import config
from analysis.errors import InputError
from analysis.publish import views
from analysis.store.reader import load, read_table, table_names
from analysis.tables.contract import CLEAN_TABLES, columns


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
    assert table_names() == list(CLEAN_TABLES)
    for name in table_names():
        frame = load(name, clean_dir)
        assert list(frame.columns) == columns(name)
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
    assert figures["as_of"].isna().any() and pd.api.types.is_datetime64_any_dtype(figures["as_of"])
    assert figures["as_of_kind"].isna().any() and figures["as_of_kind"].isin(["report", "inferred"]).any()
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
    with pytest.raises(InputError, match=r"figures\.csv: qualifier: roughly not one of exact"):
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
    with pytest.raises(InputError, match=r"documents\.csv: published: not a calendar date '2021-13-45'"):
        load("documents", tmp_path)


# --- the same reader for every kind of folder, and for notebook kernels ---------------------------

def test_a_row_check_only_pandera_makes_is_applied_by_load(clean_dir, tmp_path):
    # span order spans two columns: no Table Schema constraint says it, the pandera schema does
    for path in clean_dir.iterdir():
        shutil.copy(path, tmp_path / path.name)
    frame = pd.read_csv(clean_dir / "figures.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "span_end"] = frame.loc[0, "span_start"]
    frame.to_csv(tmp_path / "figures.csv", index=False, encoding="utf-8-sig")
    assert len(read_table(tmp_path, "figures")) == len(frame)  # the kernels' check lets it through
    with pytest.raises(InputError, match="figures: fails spans_ordered at rows 0"):
        load("figures", tmp_path)


@pytest.mark.slow
def test_a_clean_corpus_folder_reads_as_the_same_frames_as_a_csv_folder(tmp_path):
    from analysis.store.clean import clean
    from analysis.store.corpus import clean_corpus

    raw = ROOT / "data" / "raw"
    clean(raw, tmp_path / "csv")
    clean_corpus(raw, tmp_path / "parquet", jobs=1, progress=False)
    for name in CLEAN_TABLES:
        from_csv, from_parts = load(name, tmp_path / "csv"), load(name, tmp_path / "parquet")
        # documents.path included: both record it from the project root (data/raw/...)
        pd.testing.assert_frame_equal(from_csv, from_parts, check_exact=True, obj=name)


def _broken_copy(tmp_path, name, edit):
    folder = tmp_path / "clean"
    shutil.copytree(config.CLEAN_DIR, folder)
    path = folder / f"{name}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    lines = edit(header, lines)
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _set(column, value, line=1):
    def edit(header, lines):
        cells = lines[line].split(",")
        cells[header.index(column)] = value
        return [*lines[:line], ",".join(cells), *lines[line + 1:]]
    return edit


BROKEN = {
    "value outside the allowed set": ("figures", _set("qualifier", "roughly"), "qualifier: roughly not one of"),
    "required cell empty": ("figures", _set("doc_id", ""), "doc_id: empty on line(s) 2"),
    "not a number": ("figures", _set("value", "many"), "cannot be read as the figures table"),
    "negative offset": ("figures", _set("span_start", "-4"), "span_start: below 0 on line(s) 2"),
    "bad pattern": ("documents", _set("sha256", "xyz"), "sha256: xyz do(es) not match"),
    "bad date": ("documents", _set("published", "01/12/2021"), "published: 01/12/2021 not a YYYY-MM-DD date"),
    "impossible date": ("documents", _set("published", "2021-13-45"), "published: not a calendar date '2021-13-45'"),
    "repeated key": ("mentions", lambda header, lines: [*lines, lines[1]], "key (doc_id, mention) repeated"),
    "renamed column": ("dates", lambda header, lines: [lines[0].replace("role", "kind"), *lines[1:]], "differ"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_table_is_one_error_naming_the_file_and_the_problem(case, tmp_path):
    name, edit, problem = BROKEN[case]
    folder = _broken_copy(tmp_path, name, edit)
    for reading in (lambda: views.load(name, folder), lambda: load(name, folder)):
        with pytest.raises(InputError) as caught:
            reading()
        assert str(caught.value).startswith(str(folder / f"{name}.csv")) and problem in str(caught.value)


def test_notebook_tables_load_without_pandera_or_dask():
    code = ("import sys; from analysis.publish import views\n"
            "for name in ['documents', 'figures', 'dates', 'sentences', 'mentions', 'themes', 'indicators',"
            " 'indicator_definitions']: views.load(name)\n"
            "print(sorted(m for m in ('pandera', 'dask', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.ROOT)
    assert out.stdout.strip() == "[]"
