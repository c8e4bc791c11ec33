"""datapackage.json and README.md are generated from the schemas, valid for frictionless, and the CSVs
follow the conventions (utf-8-sig, clean headers for pandas, ISO dates, empty for missing)."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from _datapkg_tables import ROOT, seed_tables, write_clean

from analysis.tables.contract import CLEAN_TABLES, TABLES
from analysis.tables.datapackage import dictionary, package, package_files


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    write_clean(seed_tables(), out)
    return out


def frictionless_errors(descriptor_path) -> list[tuple[str, str, str]]:
    from frictionless import validate

    report = validate(str(descriptor_path))
    return [(task.name, error.type, error.message) for task in report.tasks for error in task.errors]


def test_seed_package_is_valid_for_frictionless(clean_dir):
    assert frictionless_errors(clean_dir / "datapackage.json") == []


def test_descriptor_has_one_resource_per_csv_with_keys(clean_dir):
    descriptor = json.loads((clean_dir / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert sorted(f"{name}.csv" for name in resources) == sorted(p.name for p in clean_dir.glob("*.csv"))
    for name, resource in resources.items():
        assert resource["encoding"] == "utf-8-sig"
        schema = resource["schema"]
        assert schema["primaryKey"] == list(TABLES[name].key)
        header = pd.read_csv(clean_dir / resource["path"], nrows=0).columns.tolist()
        assert [f["name"] for f in schema["fields"]] == header, name
        assert all(f["description"].endswith(".") for f in schema["fields"]), name
    figure_fks = {fk["reference"]["resource"] for fk in resources["figures"]["schema"]["foreignKeys"]}
    assert {"documents", "sections", "themes"} <= figure_fks
    # province may name several (广东|江苏): a pattern of the provinces' names stands for the foreign key
    province = next(f for f in resources["figures"]["schema"]["fields"] if f["name"] == "province")
    assert re.fullmatch(province["constraints"]["pattern"], "广东|江苏") and not re.fullmatch(
        province["constraints"]["pattern"], "广东|台湾")
    qualifier = next(f for f in resources["figures"]["schema"]["fields"] if f["name"] == "qualifier")
    assert qualifier["constraints"]["enum"] == ["exact", "approx", "lower_bound", "upper_bound"]


def test_readme_is_the_generated_dictionary_and_documents_every_column(clean_dir):
    text = (clean_dir / "README.md").read_text(encoding="utf-8")
    assert text == dictionary(CLEAN_TABLES)
    for name in CLEAN_TABLES:
        assert f"## {name}" in text
        for column in TABLES[name].columns:
            assert column.description, f"{name}.{column.name} has no description"
            assert f"| `{column.name}` |" in text


def test_files_are_utf8_sig_and_pandas_reads_clean_headers_and_types(clean_dir):
    for path in clean_dir.glob("*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
        assert not any("\ufeff" in c for c in pd.read_csv(path).columns), path.name
    figures = pd.read_csv(clean_dir / "figures.csv")  # no arguments, as a user would
    assert figures.columns[0] == "doc_id"
    assert figures["figure"].dtype == "int64" and figures["span_start"].dtype == "int64"
    assert figures["value"].dtype == "float64" and figures["cumulative"].dtype == bool
    assert pd.api.types.is_string_dtype(figures["province"])
    indicators = pd.read_csv(clean_dir / "indicators.csv")
    assert indicators["per_10k"].dtype == "float64"
    assert pd.read_csv(clean_dir / "provinces.csv")["population_2020"].dtype == "int64"
    # Chinese survives, dates are ISO, missing is an empty cell
    assert "吉林" in set(figures["province"])
    assert pd.read_csv(clean_dir / "documents.csv")["published"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    import csv

    for path in clean_dir.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            cells = {cell for row in csv.reader(handle) for cell in row}
        assert not cells & {"nan", "NaN", "None", "<NA>", "NaT"}, path.name


def corrupt(clean_dir, tmp_path, table, change):
    copy = tmp_path / "copy"
    shutil.copytree(clean_dir, copy)
    path = copy / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return copy


def load_all(folder):
    from analysis.store.reader import load

    return {name: load(name, folder, validate=False) for name in CLEAN_TABLES}


def set_cell(column, row, value):
    def change(frame):
        frame.loc[row, column] = value
    return change


def test_bad_qualifier_is_rejected_by_frictionless_and_validate(clean_dir, tmp_path):
    from analysis.tables.enrich import validate
    from analysis.tables.schemas import TableError

    copy = corrupt(clean_dir, tmp_path, "figures", set_cell("qualifier", 2, "roughly"))
    errors = frictionless_errors(copy / "datapackage.json")
    assert [(t, kind) for t, kind, _ in errors] == [("figures", "constraint-error")]
    assert "enum" in errors[0][2] and "qualifier" in errors[0][2]
    with pytest.raises(TableError, match=r"figures\.qualifier: fails isin.* at rows 2 .*'roughly'"):
        validate(load_all(copy))


def test_orphan_figure_is_rejected_by_frictionless_and_validate(clean_dir, tmp_path):
    from analysis.tables.enrich import validate
    from analysis.tables.schemas import TableError

    def orphan(frame):
        extra = frame.iloc[[0]].copy()
        extra["doc_id"], extra["figure"] = "999_missing", "0"
        frame.loc[len(frame)] = extra.iloc[0]

    copy = corrupt(clean_dir, tmp_path, "figures", orphan)
    errors = frictionless_errors(copy / "datapackage.json")
    assert {(t, kind) for t, kind, _ in errors} == {("figures", "foreign-key")}
    assert any('"999_missing" not found in the lookup table "documents"' in m for _, _, m in errors)
    with pytest.raises(TableError, match=r"figures\.doc_id: rows \d+ reference no row of documents\.doc_id"):
        validate(load_all(copy))


def test_duplicate_key_is_rejected_by_frictionless_and_validate(clean_dir, tmp_path):
    from analysis.tables.enrich import validate
    from analysis.tables.schemas import TableError

    def duplicate(frame):
        frame.loc[len(frame)] = frame.iloc[0]

    copy = corrupt(clean_dir, tmp_path, "provinces", duplicate)
    errors = frictionless_errors(copy / "datapackage.json")
    assert ("provinces", "primary-key") in {(t, kind) for t, kind, _ in errors}
    with pytest.raises(TableError, match=r"provinces\.province: fails field_uniqueness at rows 0, 31"):
        validate(load_all(copy))


def test_package_refuses_unknown_tables_and_dangling_references():
    with pytest.raises(ValueError, match="no schema"):
        package(["figures", "spreadsheet"])
    with pytest.raises(ValueError, match="figures references documents"):
        package(["figures"])
    files = package_files(["documents", "provinces"])
    assert set(files) == {"datapackage.json", "README.md"}
    assert [r["name"] for r in json.loads(files["datapackage.json"])["resources"]] == ["documents", "provinces"]


COMMITTED = ROOT / "data" / "clean"


@pytest.mark.skipif(not (COMMITTED / "datapackage.json").exists(),
                    reason="data/clean/datapackage.json is written by `make data` once clean.py calls write_datapackage")
def test_committed_package_is_valid_and_matches_the_schemas():
    descriptor = json.loads((COMMITTED / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    documents = pd.read_csv(COMMITTED / "documents.csv", dtype=str, keep_default_na=False).to_dict("records")
    files = package_files(names, documents)
    assert (COMMITTED / "datapackage.json").read_bytes() == files["datapackage.json"], "regenerate: make data"
    assert (COMMITTED / "README.md").read_bytes() == files["README.md"], "regenerate: make data"
    assert frictionless_errors(COMMITTED / "datapackage.json") == []


@pytest.mark.slow
def test_booleans_are_declared_as_the_writer_spells_them_and_others_fail(clean_dir, tmp_path):
    descriptor = json.loads((clean_dir / "datapackage.json").read_text(encoding="utf-8"))
    flags = [f for r in descriptor["resources"] for f in r["schema"]["fields"] if f["type"] == "boolean"]
    assert {f["name"] for f in flags} >= {"cumulative", "published_inferred", "per_capita", "primary"}
    assert all(f["trueValues"] == ["TRUE"] and f["falseValues"] == ["FALSE"] for f in flags)
    assert "TRUE" in (clean_dir / "figures.csv").read_text(encoding="utf-8-sig")
    # A file spelled the old way (true/false) is now invalid for the package.
    copy = tmp_path / "lower"
    shutil.copytree(clean_dir, copy)
    figures = (copy / "figures.csv").read_text(encoding="utf-8-sig")
    (copy / "figures.csv").write_text(figures.replace(",TRUE,", ",true,").replace(",FALSE,", ",false,"),
                                      encoding="utf-8-sig")
    assert {(name, kind) for name, kind, _ in frictionless_errors(copy / "datapackage.json")} == {("figures", "type-error")}


def test_licenses_and_sources_name_the_reports_and_the_census(clean_dir):
    descriptor = json.loads((clean_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] and all(lic.get("name") or lic.get("path") for lic in descriptor["licenses"])
    titles = [s["title"] for s in descriptor["sources"]]
    assert any(t.startswith("人民日报：") and "办实事" in t for t in titles), "the report: publisher and title"
    assert any("人口普查" in t and "国家统计局" in t for t in titles), "the census"


def test_sources_give_each_report_with_its_url_then_one_line_per_publisher():
    from analysis.tables.datapackage import MAX_LISTED_SOURCES, report_sources

    one = report_sources([{"title": "甲地办实事", "publisher": "某日报", "published": "2022-03-04",
                           "url": "https://example.org/a"}])
    assert one == [{"title": "某日报：甲地办实事（2022-03-04）", "path": "https://example.org/a"}]
    many = [{"title": f"报道{i}", "publisher": "某日报" if i % 2 else "另一报", "published": "", "url": ""}
            for i in range(MAX_LISTED_SOURCES + 1)]
    grouped = report_sources(many)
    assert len(grouped) == 2 and any(f"某日报：{(MAX_LISTED_SOURCES + 1) // 2} 篇报道" in s["title"] for s in grouped)
