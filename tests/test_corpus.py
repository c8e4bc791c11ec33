"""Corpus mode: local processes and a Dask cluster write the same tables; broken files are recorded."""

from __future__ import annotations

import shutil
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
    from analysis.store.partitions import cut, Member

    report, output = local_run
    tables = _tables(output)
    assert report.n_files == N_FILES + 2  # README and sidecar are not reports
    names = sorted(p.stem for p in raw.iterdir() if p.suffix == ".txt")
    assert report.n_partitions == len(cut([Member(n, "", "", "") for n in names], 32)) > 2
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
    first = corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=1, progress=False)
    # one report a partition: 12 parts (the empty file writes none)
    assert len(list((tmp_path / "documents").glob("part-*.parquet"))) == N_SMALL == first.parts_total // len(PER_DOCUMENT)
    second = corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=100, progress=False)
    assert second.n_partitions == 1 and second.parts_removed == N_SMALL * len(PER_DOCUMENT) - len(PER_DOCUMENT)
    assert len(list((tmp_path / "documents").glob("part-*.parquet"))) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
    assert len(read_table(tmp_path, "documents")) == N_SMALL


def test_the_same_file_name_in_two_folders_is_two_reports_and_the_same_bytes_one(tmp_path):
    write_files(tmp_path / "in" / "2021", 3, file_chars=200, seed=1)
    write_files(tmp_path / "in" / "2022", 2, file_chars=200, seed=2)  # report_00000/1 again, other texts
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
    # the same report saved twice, and a doc_id two files would share (a.txt beside a.xhtml)
    (tmp_path / "in" / "2022" / "saved_again.txt").write_bytes((tmp_path / "in/2021/report_00002.txt").read_bytes())
    (tmp_path / "in" / "2022" / "report_00001.xhtml").write_text("<p>吉林新建公园12个。</p>", encoding="utf-8")
    report = corpus.clean_corpus(tmp_path / "in", tmp_path / "out", jobs=1, progress=False)
    documents = read_table(tmp_path / "out", "documents")
    assert documents["doc_id"].tolist() == ["2021/report_00000", "2021/report_00001", "2021/report_00002",
                                            "2022/report_00000", "2022/report_00001"]
    assert documents["path"].tolist() == [f"{d}.txt" for d in documents["doc_id"]]
    assert report.duplicates == [("2022/saved_again.txt", "2022/saved_again", "2021/report_00002",
                                  documents["sha256"].iloc[2])]
    assert read_table(tmp_path / "out", "duplicates")["same_as"].tolist() == ["2021/report_00002"]
    assert [(f[0], f[1]) for f in report.failures] == [("2022/report_00001.xhtml", "2022/report_00001")]
    assert "same doc_id '2022/report_00001' as" in report.failures[0][3]


def test_ids_do_not_depend_on_where_the_archive_is_or_how_it_is_named(tmp_path):
    write_files(tmp_path / "a" / "2021" / "x", 2, file_chars=200, seed=1)
    corpus.clean_corpus(tmp_path / "a", tmp_path / "one", jobs=1, progress=False)
    shutil.copytree(tmp_path / "a", tmp_path / "elsewhere" / "b")
    corpus.clean_corpus(str(tmp_path / "elsewhere" / "b" / "**" / "*.txt"), tmp_path / "two", jobs=1, progress=False)
    one, two = read_table(tmp_path / "one", "documents"), read_table(tmp_path / "two", "documents")
    assert one["doc_id"].tolist() == two["doc_id"].tolist() == ["2021/x/report_00000", "2021/x/report_00001"]
    assert one["path"].tolist() == two["path"].tolist()


def test_output_inside_input_is_not_read_back(tmp_path):
    write_files(tmp_path, 4, file_chars=200)
    corpus.clean_corpus(tmp_path, tmp_path / "out", jobs=1, progress=False)
    report = corpus.clean_corpus(tmp_path, tmp_path / "out", jobs=1, progress=False)
    assert report.n_files == 4 and report.ok


def test_user_mistakes_are_input_errors(tmp_path, monkeypatch):
    from analysis.store import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
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
    status = cli.main(["clean-corpus", str(small_raw), "-o", str(tmp_path), "--jobs", "1", "--no-progress",
                       "--partition-size", "100"])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"{tmp_path / 'documents'}: {N_SMALL} rows" in out.splitlines()
    assert f"error: {small_raw / EMPTY}: " in err
    assert "1 partition(s): 1 cleaned (13 file(s))" in out
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
    assert len(list((tmp_path / "parts" / "figures").glob("part-*.parquet"))) > 3
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


# ---------------------------------------------------------------------------------------------
# Incremental and resumable runs


def _archive(folder: Path, years, roundups: int = 4, seed: int = 11) -> list[Path]:
    from benchmarks.archive_gen import write_archive

    return write_archive(folder, years, cases=["07_jiangxi_bulletin", "13_shexian_county_bulletin"],
                         roundups=roundups, duplicates=1, seed=seed)


def _same_output(one: Path, two: Path) -> None:
    """Two outputs hold the same parts, byte for byte, and the same tables."""
    def parts(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("part-*.parquet")}

    first, second = parts(one), parts(two)
    assert sorted(first) == sorted(second)
    assert [k for k in first if first[k] != second[k]] == []
    for name in (*PER_DOCUMENT, corpus.FAILURES, corpus.DUPLICATES):
        pd.testing.assert_frame_equal(read_table(one, name), read_table(two, name), check_exact=True, obj=name)


def test_an_incremental_run_cleans_only_what_changed_and_equals_a_full_run(tmp_path):
    archive = tmp_path / "archive"
    _archive(archive, range(2020, 2023))
    out = tmp_path / "out"
    first = corpus.clean_corpus(archive, out, jobs=1, partition_size=4, progress=False)
    assert first.cleaned == first.n_partitions > 3 and first.kept == 0

    again = corpus.clean_corpus(archive, out, jobs=1, partition_size=4, progress=False)
    assert (again.cleaned, again.kept, again.parts_written, again.n_hashed) == (0, first.n_partitions, 0, 0)

    # a new year, one report changed, one removed
    _archive(tmp_path / "more", range(2023, 2024), seed=12)  # another seed: other round-ups
    shutil.copytree(tmp_path / "more" / "2023", archive / "2023")
    changed = archive / "2021" / "huizong" / "roundup_01.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n吉林新建口袋公园12个。\n", encoding="utf-8")
    (changed.parent / (changed.name + ".source.yml")).unlink()
    gone = archive / "2020" / "huizong" / "roundup_02.txt"
    gone.unlink()
    (gone.parent / (gone.name + ".source.yml")).unlink()
    third = corpus.clean_corpus(archive, out, jobs=1, partition_size=4, progress=False)
    assert 0 < third.cleaned < third.n_partitions and third.kept == third.n_partitions - third.cleaned
    assert third.parts_written < third.parts_total
    assert third.files_cleaned < len(read_table(out, "documents"))
    documents = read_table(out, "documents")
    assert "2020/huizong/roundup_02" not in set(documents["doc_id"])
    assert documents["doc_id"].str.startswith("2023/").sum() == 4 + 2 + 1

    full = corpus.clean_corpus(archive, tmp_path / "full", jobs=2, partition_size=4, progress=False)
    assert full.cleaned == full.n_partitions == third.n_partitions
    _same_output(out, tmp_path / "full")


def test_a_crashed_run_resumes_from_the_partitions_it_finished(tmp_path, monkeypatch):
    from analysis.store import partitions

    archive = tmp_path / "archive"
    _archive(archive, range(2021, 2023), roundups=3)
    real = partitions.clean_partition
    done = []

    def crashes_on_the_third(task):
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(task.key)
        return real(task)

    monkeypatch.setattr(partitions, "clean_partition", crashes_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        corpus.clean_corpus(archive, tmp_path / "out", jobs=1, partition_size=3, progress=False)
    assert not (tmp_path / "out" / "documents").exists()  # nothing published
    assert len(list((tmp_path / "out" / corpus.CACHE).iterdir())) == 2  # what finished is kept
    monkeypatch.setattr(partitions, "clean_partition", real)
    report = corpus.clean_corpus(archive, tmp_path / "out", jobs=1, partition_size=3, progress=False)
    assert report.resumed == 2 and report.cleaned == report.n_partitions - 2
    assert not (tmp_path / "out" / corpus.CACHE).exists()
    corpus.clean_corpus(archive, tmp_path / "full", jobs=1, partition_size=3, progress=False)
    _same_output(tmp_path / "out", tmp_path / "full")


# ---------------------------------------------------------------------------------------------
# The output is a data package of typed Parquet


def test_parquet_is_typed_like_the_csvs_and_described_beside_the_parts(small_raw, tmp_path):
    import json

    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.tables.contract import TABLES

    corpus.clean_corpus(small_raw, tmp_path, jobs=1, partition_size=4, progress=False)
    part = next((tmp_path / "documents").glob("part-*.parquet"))
    schema = pq.read_schema(part)
    assert schema.field("published").type == pa.date32() and schema.field("n_chars").type == pa.int64()
    assert schema.field("published_inferred").type == pa.bool_() and not schema.field("doc_id").nullable
    assert pq.read_schema(next((tmp_path / "figures").glob("part-*.parquet"))).field("as_of").type == pa.date32()
    years = duckdb.sql(f"select year(published) as y from '{tmp_path}/documents/*.parquet' where published is not null")
    assert {y for (y,) in years.fetchall()} <= set(range(2000, 2100)) and years.fetchall()
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {*TABLES}
    assert resources["figures"]["format"] == "parquet"
    assert all((tmp_path / path).is_file() for r in resources.values() for path in r["path"])
    assert sorted(resources["figures"]["path"]) == sorted(f"figures/{p.name}" for p in (tmp_path / "figures").glob("*.parquet"))
    assert "Parquet" in (tmp_path / "README.md").read_text(encoding="utf-8")
    # the reader gives the same types from both kinds of folder
    assert str(read_table(tmp_path, "documents")["published"].dtype).startswith("datetime64")


# ---------------------------------------------------------------------------------------------
# Dask: failures that end in one line


def test_a_scheduler_without_workers_is_one_line_after_the_timeout(small_raw, tmp_path, capsys):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        status = cli.main(["clean-corpus", str(small_raw), "-o", str(tmp_path / "out"), "--scheduler",
                           cluster.scheduler_address, "--worker-timeout", "2", "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.strip().splitlines()[-1] == (f"error: {cluster.scheduler_address}: no Dask worker joined the scheduler "
                                            f"within 2 s; start one with `dask worker {cluster.scheduler_address}`")
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "documents").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_lost_scheduler_is_one_line_and_leaves_no_staging(tmp_path):
    import os
    import subprocess
    import sys
    import time

    write_files(tmp_path / "in", 40, file_chars=1500, seed=4)
    address = f"tcp://127.0.0.1:{_free_port()}"
    python = [sys.executable, "-m"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([*python, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)
    worker = subprocess.Popen([*python, "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                               "--no-dashboard"], **quiet)
    out = tmp_path / "out"
    try:
        from dask.distributed import Client

        with Client(address, timeout="60s") as client:  # the cluster is up before the run starts
            client.wait_for_workers(1, timeout=60)
        run = subprocess.Popen([*python, "analysis", "clean-corpus", str(tmp_path / "in"), "-o", str(out),
                                "--scheduler", address, "--partition-size", "1", "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
        deadline = time.monotonic() + 120
        while not list(out.glob(".parts/*/result.json")) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.1)
        scheduler.kill()
        _, err = run.communicate(timeout=120)
    finally:
        for process in (scheduler, worker):
            process.kill()
            process.wait()
    assert run.returncode == 1, err
    assert err.strip().splitlines()[-1].startswith(f"error: {address}: lost the connection to the Dask scheduler")
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert not (out / "documents").exists()
    assert [p.name for p in [*out.iterdir(), *tmp_path.iterdir()] if ".swap-" in p.name or p.name.startswith(".staging")] == []
    assert list(out.glob(".parts/*/result.json"))  # what finished is there for the next run


def test_clean_reads_a_report_saved_twice_once_and_says_so(tmp_path, capsys):
    raw = tmp_path / "raw"
    write_files(raw, 2, file_chars=300, seed=8)
    (raw / "report_00001_again.txt").write_bytes((raw / "report_00001.txt").read_bytes())
    status = cli.main(["clean", str(raw), "-o", str(tmp_path / "clean")])
    err = capsys.readouterr().err
    assert status == 0
    assert err.splitlines() == [f"note: {raw / 'report_00001_again.txt'}: the same bytes as {raw / 'report_00001.txt'}; "
                                "counted once"]
    assert read_table(tmp_path / "clean", "documents")["doc_id"].tolist() == ["report_00000", "report_00001"]
