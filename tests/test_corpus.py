"""Corpus mode: local processes and a Dask cluster write the same tables; broken files are recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.errors import InputError
from analysis.raw.discover import find_reports
from analysis.store import corpus, pipeline
from analysis.store.reader import read_table
from analysis.tables.contract import PER_DOCUMENT, columns
from benchmarks.corpus_gen import write_files

pytestmark = pytest.mark.slow  # kernels, worker processes or whole corpora: `make test` only

N_FILES = 200
N_SMALL = 12
EMPTY = "report_00077_empty.txt"
GARBAGE = "report_00150_garbage.txt"


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    write_files(folder, N_FILES, file_chars=300, seed=7)
    (folder / EMPTY).write_bytes(b"")
    (folder / GARBAGE).write_bytes(bytes(range(256)) * 16)
    (folder / "README.md").write_text("not a report\n", encoding="utf-8")
    (folder / "report_00003.txt.source.yml").write_text("title: x\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    write_files(folder, N_SMALL, file_chars=200, seed=3)
    (folder / EMPTY).write_bytes(b"")
    return folder


def _tables(output: Path) -> dict[str, pd.DataFrame]:
    return {name: read_table(output, name) for name in (*PER_DOCUMENT, corpus.FAILURES)}


@pytest.fixture(scope="module")
def local_run(raw, tmp_path_factory):
    output = tmp_path_factory.mktemp("local")
    report = corpus.clean_corpus(raw, output, jobs=2, partition_size=32, progress=False)
    return report, output


def test_every_report_is_processed_and_broken_files_are_failures(raw, local_run):
    report, output = local_run
    tables = _tables(output)
    assert report.n_files == N_FILES + 2  # README and sidecar are not reports
    assert report.n_partitions == -(-(N_FILES + 2) // 32)
    assert len(tables["documents"]) == N_FILES
    assert tables["documents"]["doc_id"].is_unique
    failures = tables["failures"]
    assert list(failures.columns) == columns("failures")
    assert sorted(Path(p).name for p in failures["path"]) == [EMPTY, GARBAGE]
    assert set(failures["error"]) == {"InputError"}
    assert not report.ok
    # The files after the broken ones were still processed, in sorted order.
    assert tables["documents"]["doc_id"].iloc[-1] == f"report_{N_FILES - 1:05d}"
    assert tables["documents"]["doc_id"].is_monotonic_increasing
    assert report.rows["mentions"] == len(tables["mentions"]) > N_FILES


def test_dask_cluster_gives_identical_tables(raw, local_run, tmp_path):
    from dask.distributed import LocalCluster

    _, local_output = local_run
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        report = corpus.clean_corpus(
            raw, tmp_path, scheduler=cluster.scheduler_address, partition_size=32, progress=False
        )
    assert report.n_files == N_FILES + 2
    local, distributed = _tables(local_output), _tables(tmp_path)
    for name in local:
        pd.testing.assert_frame_equal(local[name], distributed[name], check_exact=True)
    parts = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("part-*.parquet"))
    assert parts == sorted(p.relative_to(local_output) for p in local_output.rglob("part-*.parquet"))


def test_csv_mirrors_parquet(small_raw, tmp_path):
    corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=5, csv=True, progress=False)
    for name in (*PER_DOCUMENT, corpus.FAILURES):
        frame = read_table(tmp_path, name)
        from_csv = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(from_csv) == len(frame)
        assert list(from_csv.columns) == list(frame.columns)
    mentions = pd.read_csv(tmp_path / "mentions.csv")
    assert mentions["span_start"].tolist() == read_table(tmp_path, "mentions")["span_start"].tolist()
    assert len(mentions) > N_SMALL


def test_rerun_replaces_old_parts_and_leaves_no_staging(small_raw, tmp_path):
    corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=2, progress=False)
    # 13 files in 7 partitions; the last holds only the empty file, so it writes no part.
    assert len(list((tmp_path / "documents").glob("part-*.parquet"))) == N_SMALL // 2
    corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=10, progress=False)
    assert sorted(p.name for p in (tmp_path / "documents").glob("*")) == ["part-00000-0000.parquet", "part-00001-0000.parquet"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".staging", ".old"))] == []
    assert len(read_table(tmp_path, "documents")) == N_SMALL


def test_glob_and_nested_folders_and_duplicate_doc_ids(tmp_path):
    write_files(tmp_path / "in" / "2021", 3, file_chars=200, seed=1)
    write_files(tmp_path / "in" / "2022", 2, file_chars=200, seed=2)  # report_00000/1 again: duplicate doc_ids
    (tmp_path / "in" / "reference").mkdir()
    (tmp_path / "in" / "reference" / "provinces.tsv").write_text("a\tb\n", encoding="utf-8")
    found = find_reports(tmp_path / "in")
    assert [p.relative_to(tmp_path / "in").as_posix() for p in found] == [
        "2021/report_00000.txt",
        "2021/report_00001.txt",
        "2021/report_00002.txt",
        "2022/report_00000.txt",
        "2022/report_00001.txt",
    ]
    assert find_reports(str(tmp_path / "in" / "**" / "*_00002.txt")) == [tmp_path / "in/2021/report_00002.txt"]
    report = corpus.clean_corpus(tmp_path / "in", tmp_path / "out", jobs=1, progress=False)
    assert [Path(f[0]).relative_to(tmp_path / "in").as_posix() for f in report.failures] == [
        "2022/report_00000.txt",
        "2022/report_00001.txt",
    ]
    assert "same doc_id 'report_00000'" in report.failures[0][3]
    assert len(read_table(tmp_path / "out", "documents")) == 3


def test_output_inside_input_is_not_read_back(tmp_path):
    write_files(tmp_path, 4, file_chars=200)
    corpus.clean_corpus(tmp_path, tmp_path / "out", jobs=1, progress=False)
    report = corpus.clean_corpus(tmp_path, tmp_path / "out", jobs=1, progress=False)
    assert report.n_files == 4 and report.ok


def test_user_mistakes_are_input_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(InputError, match="no such file or folder"):
        corpus.clean_corpus(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(InputError, match="no report files found"):
        corpus.clean_corpus(str(tmp_path / "*.txt"), tmp_path / "out")
    write_files(tmp_path / "in", 1, file_chars=200)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        corpus.clean_corpus(tmp_path / "in", tmp_path / "file")
    with pytest.raises(InputError, match="cannot connect"):
        corpus.clean_corpus(tmp_path / "in", tmp_path / "out", scheduler="tcp://127.0.0.1:9", progress=False)
    assert not (tmp_path / "out" / "documents").exists()


def test_command_reports_failures_on_stderr_and_exit_status(small_raw, tmp_path, capsys):
    status = cli.main(["clean-corpus", str(small_raw), "-o", str(tmp_path), "--jobs", "1", "--no-progress"])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"{tmp_path / 'documents'}: {N_SMALL} rows" in out.splitlines()
    assert f"error: {small_raw / EMPTY}: " in err
    assert f"1 of {N_SMALL + 1} files failed" in err
    assert "Traceback" not in err


def test_corpus_tables_carry_themes_indicators_and_the_vocabularies(local_run):
    # the same enrichment as data/clean: every figure has a theme, indicator rows point at figures
    _, output = local_run
    figures = read_table(output, "figures")
    assert figures["theme"].notna().all()
    indicators = read_table(output, "indicators")
    keys = set(zip(figures["doc_id"], figures["figure"]))
    assert len(indicators) and set(zip(indicators["doc_id"], indicators["figure"])) <= keys
    assert len(read_table(output, "provinces")) == 31
    assert set(read_table(output, "themes")["theme"]) >= set(figures["theme"])


def test_a_report_larger_than_a_batch_is_written_in_parts_of_its_own(tmp_path, monkeypatch):
    from analysis.extract import windows
    from analysis.tables import build as tables
    from benchmarks.corpus_gen import iter_documents

    raw = tmp_path / "raw"
    write_files(raw, 2, file_chars=300, seed=5)  # report_00000, report_00001
    (raw / "report_00000_big.txt").write_text("".join(iter_documents(40_000, 3_000, seed=9)), encoding="utf-8")
    corpus.clean_corpus(raw, tmp_path / "whole", jobs=1, progress=False)

    monkeypatch.setattr(windows, "SIZE", 2_000)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 300)
    report = corpus.clean_corpus(raw, tmp_path / "parts", jobs=1, progress=False)
    assert report.ok
    assert len(list((tmp_path / "parts" / "figures").glob("part-00000-*.parquet"))) > 3
    whole, parts = _tables(tmp_path / "whole"), _tables(tmp_path / "parts")
    for name in PER_DOCUMENT:
        pd.testing.assert_frame_equal(parts[name], whole[name], obj=name)

    # failing part-way: its parts go, the other reports stay
    real = tables.iter_rows

    def fails_late(source, *args, **kwargs):
        for number, piece in enumerate(real(source, *args, **kwargs)):
            if number == 6 and "big" in source.doc_id:
                raise RuntimeError("boom")
            yield piece

    monkeypatch.setattr(tables, "iter_rows", fails_late)
    report = corpus.clean_corpus(raw, tmp_path / "failed", jobs=1, progress=False)
    assert [(Path(p).name, error) for p, _, error, _ in report.failures] == [("report_00000_big.txt", "RuntimeError")]
    documents = read_table(tmp_path / "failed", "documents")
    assert documents["doc_id"].tolist() == ["report_00000", "report_00001"]
    figures = read_table(tmp_path / "failed", "figures")
    assert set(figures["doc_id"]) == {"report_00000", "report_00001"}


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_corpus_output_has_the_mode_of_any_file_the_user_creates(small_raw, tmp_path, umask):
    import os

    old = os.umask(umask)
    try:
        corpus.clean_corpus(small_raw, tmp_path, jobs=1, csv=True, progress=False)
    finally:
        os.umask(old)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".lock"]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".csv" for p in files)
    assert {p.stat().st_mode & 0o777 for p in files} == {0o666 & ~umask}
    assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir() if p.is_dir()} == {0o777 & ~umask}
