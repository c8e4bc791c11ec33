"""clean(): per-file failures, previous rows kept, deterministic bytes, lock.

The folder logic is tested with a small stand-in table builder (digit runs as "figures"), so it does
not depend on the extractor; the tests at the end run the real one on the seed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.store import clean as clean_module
from analysis.store.clean import clean

ROOT = Path(__file__).resolve().parents[1]


def digit_tables(source):
    spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\d+", source.text)]
    documents = pd.DataFrame(
        {"doc_id": [source.doc_id], "title": [source.title], "encoding": [source.encoding], "n_chars": [len(source.text)]}
    )
    figures = pd.DataFrame(
        {
            "doc_id": [source.doc_id] * len(spans),
            "figure": range(len(spans)),
            "span_start": [s for s, _, _ in spans],
            "span_end": [e for _, e, _ in spans],
            "surface": [t for _, _, t in spans],
            "value": [float(t) for _, _, t in spans],
        }
    )
    return {"documents": documents, "figures": figures}


@pytest.fixture
def fake_builder(monkeypatch):
    # the stand-in builds two partial tables: nothing to enrich, no data package to describe them
    from analysis.raw.report import load_source

    def pieces(path, progress=None):
        yield {name: df.to_dict("records") for name, df in digit_tables(load_source(path)).items()}

    monkeypatch.setattr(clean_module, "_pieces", pieces)
    monkeypatch.setattr(clean_module, "_check", lambda checker, tables, open_doc: tables)
    # the stand-in's rows are of its own partial tables, which the real frame builder would refuse
    monkeypatch.setattr(clean_module, "_combine", lambda pieces: {
        name: pd.DataFrame([row for p in pieces for row in p[name]]) for name in pieces[0]})
    monkeypatch.setattr("analysis.tables.datapackage.package_files", lambda names: {})


def make_raw(tmp_path, files):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name, data in files.items():
        (raw / name).write_bytes(data)
    return raw


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_tables_concatenate_in_doc_id_order(tmp_path, fake_builder):
    raw = make_raw(tmp_path, {
        "b.txt": "乙镇新建公园3个、驿站12个。".encode("gbk"),
        "a.txt": "甲村修路7公里。".encode(),
    })
    report = clean(raw, tmp_path / "out")
    assert report.ok and report.documents == ["a", "b"]
    figures = read(tmp_path / "out" / "figures.csv")
    assert figures[["doc_id", "surface", "value"]].values.tolist() == [["a", "7", "7"], ["b", "3", "3"], ["b", "12", "12"]]
    assert read(tmp_path / "out" / "documents.csv")["encoding"].tolist() == ["utf-8", "gb18030"]
    assert report.written["documents.csv"] == 2 and report.written["figures.csv"] == 3
    assert report.written["mentions.csv"] == 0  # every per-report table is written, empty or not


def test_two_runs_are_byte_identical(tmp_path, fake_builder):
    raw = make_raw(tmp_path, {"x.txt": "丙区新增岗位40个，培训1200人次。".encode(), "y.txt": "丁县投入9亿元。".encode("utf-16")})
    clean(raw, tmp_path / "one")
    clean(raw, tmp_path / "two")
    for name in ("documents.csv", "figures.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert {p.name for p in (tmp_path / "one").iterdir()} == {".lock", *(f"{t}.csv" for t in clean_module.DOC_TABLES)}


def test_failed_file_keeps_its_previous_rows_and_others_are_updated(tmp_path, fake_builder):
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
    assert figures.query("doc_id == 'a'")["surface"].tolist() == ["8", "2"]
    pd.testing.assert_frame_equal(figures.query("doc_id == 'b'").reset_index(drop=True), before_b.reset_index(drop=True))


def test_removed_raw_file_drops_its_rows(tmp_path, fake_builder):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode(), "b.txt": "乙镇新建公园3个。".encode()})
    clean(raw, tmp_path / "out")
    (raw / "b.txt").unlink()
    clean(raw, tmp_path / "out")
    assert read(tmp_path / "out" / "documents.csv")["doc_id"].tolist() == ["a"]


def test_everything_failing_writes_nothing(tmp_path, fake_builder):
    raw = make_raw(tmp_path, {"a.txt": "甲村修路7公里。".encode()})
    out = tmp_path / "out"
    clean(raw, out)
    snapshot = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    (raw / "a.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    report = clean(raw, out)
    assert not report.ok and report.written == {}
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == snapshot


def test_same_doc_id_twice_is_a_failure(tmp_path, fake_builder):
    raw = make_raw(tmp_path, {"a.html": b"<p>5</p>", "a.txt": "甲村修路7公里。".encode()})
    report = clean(raw, tmp_path / "out")
    assert [p.name for p, _ in report.failures] == ["a.txt"]
    assert "same doc_id" in report.failures[0][1]
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
