"""clean(): per-file failures, previous rows kept, deterministic bytes, lock, file modes.

Small reports we write ourselves run through the real pipeline (reading, extracting, enriching,
validating, writing); the last tests compare the seed with the committed CSVs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from analysis.store.clean import clean
from analysis.tables.contract import CLEAN_TABLES

ROOT = Path(__file__).resolve().parents[1]


def make_raw(tmp_path, files):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name, data in files.items():
        (raw / name).write_bytes(data)
    return raw


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_tables_concatenate_in_doc_id_order(tmp_path):
    raw = make_raw(tmp_path, {
        "b.txt": "乙镇新建公园3个、驿站12个。".encode("gbk"),
        "a.txt": "甲村修路7公里。".encode(),
    })
    report = clean(raw, tmp_path / "out")
    assert report.ok and report.documents == ["a", "b"]
    figures = read(tmp_path / "out" / "figures.csv")
    assert figures[["doc_id", "surface", "value"]].values.tolist() == [
        ["a", "7公里", "7"], ["b", "3个", "3"], ["b", "12个", "12"]]
    assert read(tmp_path / "out" / "documents.csv")["encoding"].tolist() == ["utf-8", "gb18030"]
    assert report.written["documents.csv"] == 2 and report.written["figures.csv"] == 3
    assert report.written["dates.csv"] == 0  # every per-report table is written, empty or not
    assert pd.read_csv(tmp_path / "out" / "dates.csv").columns[0] == "doc_id"


def test_two_runs_are_byte_identical(tmp_path):
    raw = make_raw(tmp_path, {"x.txt": "丙区新增岗位40个，培训1200人次。".encode(), "y.txt": "丁县投入9亿元。".encode("utf-16")})
    clean(raw, tmp_path / "one")
    clean(raw, tmp_path / "two")
    names = {p.name for p in (tmp_path / "one").iterdir()}
    assert names == {".lock", "datapackage.json", "README.md", *(f"{t}.csv" for t in CLEAN_TABLES)}
    for name in names - {".lock"}:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_failed_file_keeps_its_previous_rows_and_others_are_updated(tmp_path):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode(), "b.txt": "乙镇新建公园3个。".encode()})
    out = tmp_path / "out"
    clean(raw, out)
    before_b = read(out / "figures.csv").query("doc_id == 'b'")

    (raw / "a.txt").write_bytes("甲村修路8公里，架桥2座。".encode())
    (raw / "b.txt").write_bytes(b"")  # b is broken now
    report = clean(raw, out)
    assert [(p.name, problem) for p, problem in report.failures] == [("b.txt", "file is empty")]
    assert report.kept == ["b"] and report.documents == ["a"]
    figures = read(out / "figures.csv")
    assert figures.query("doc_id == 'a'")["surface"].tolist() == ["8公里", "2座"]
    pd.testing.assert_frame_equal(figures.query("doc_id == 'b'").reset_index(drop=True), before_b.reset_index(drop=True))


@pytest.mark.slow
def test_rows_kept_from_an_older_version_are_respelled_as_this_one_writes_booleans(tmp_path):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode(), "b.txt": "乙镇累计新建公园3个。".encode()})
    out = tmp_path / "out"
    clean(raw, out)
    for name in ("figures.csv", "figure_themes.csv"):  # as versions before TRUE/FALSE wrote them
        old = (out / name).read_text(encoding="utf-8-sig").replace(",TRUE", ",true").replace(",FALSE", ",false")
        (out / name).write_text(old, encoding="utf-8-sig")
    (raw / "b.txt").write_bytes(b"")
    assert clean(raw, out).kept == ["b"]
    figures = read(out / "figures.csv")
    assert figures["cumulative"].tolist() == ["FALSE", "TRUE"]
    assert set(read(out / "figure_themes.csv")["primary"]) <= {"TRUE", "FALSE"}


def test_removed_raw_file_drops_its_rows(tmp_path):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode(), "b.txt": "乙镇新建公园3个。".encode()})
    clean(raw, tmp_path / "out")
    (raw / "b.txt").unlink()
    clean(raw, tmp_path / "out")
    assert read(tmp_path / "out" / "documents.csv")["doc_id"].tolist() == ["a"]


def test_everything_failing_writes_nothing(tmp_path):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode()})
    out = tmp_path / "out"
    clean(raw, out)
    snapshot = {p.name: p.read_bytes() for p in out.glob("*.*")}
    (raw / "a.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    report = clean(raw, out)
    assert not report.ok and report.written == {}
    assert {p.name: p.read_bytes() for p in out.glob("*.*")} == snapshot


def test_same_doc_id_twice_is_a_failure(tmp_path):
    raw = make_raw(tmp_path, {"a.html": "<html><body><p>甲村修路5公里。</p></body></html>".encode(),
                              "a.txt": "甲村修路7公里。".encode()})
    report = clean(raw, tmp_path / "out")
    assert [p.name for p, _ in report.failures] == ["a.txt"]
    assert f"same doc_id 'a' as {raw / 'a.html'}" in report.failures[0][1]
    assert report.documents == ["a"]


# --- with the real extractor ------------------------------------------------------------------


def test_clean_of_the_seed_matches_the_committed_csvs(tmp_path):
    committed = ROOT / "data" / "clean"
    report = clean(ROOT / "data" / "raw", tmp_path / "clean")
    assert report.ok
    assert set(report.written) >= {"documents.csv", "sections.csv", "sentences.csv", "figures.csv", "dates.csv", "mentions.csv"}
    for name in report.written:
        assert (committed / name).exists(), f"data/clean/{name} is not committed: run `make data`"
        fresh = (tmp_path / "clean" / name).read_bytes()
        assert fresh == (committed / name).read_bytes(), f"data/clean/{name} is stale: run `make data`"


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_clean_writes_files_with_the_mode_of_any_file_the_user_creates(tmp_path, umask):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode()})
    old = os.umask(umask)
    try:
        clean(raw, tmp_path / "out")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir() if p.name != ".lock"}
    assert modes and set(modes.values()) == {0o666 & ~umask}, modes
