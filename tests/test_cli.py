"""The command line as a user meets it: run in a subprocess, read stderr and the exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"


def cli(*args, cwd=ROOT, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, input=stdin,
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_top_level_help_lists_every_command():
    result = cli("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command):
    result = cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: analysis {command}")


def test_version():
    from analysis import __version__

    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"analysis {__version__}"


def test_unknown_command_is_a_usage_error():
    result = cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr and "Traceback" not in result.stderr


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from analysis.cli import main\n"
        "try:\n    main(['extract', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'pandas', 'matplotlib', 'papermill', 'pandera', 'frictionless', 'dask', 'nbconvert'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_extract_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    assert_one_line_error(cli("extract", missing), f"error: {missing}: no such file")


def test_extract_empty_and_whitespace_files(tmp_path):
    for name, data in [("empty.txt", b""), ("blank.txt", "  \u3000\n\n".encode())]:
        path = tmp_path / name
        path.write_bytes(data)
        assert_one_line_error(cli("extract", path), f"{path}: file is empty")


def test_extract_undecodable_bytes(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert_one_line_error(cli("extract", path), f"{path}: not a text file")


@pytest.mark.parametrize("bad", ["2021-13-01", "2021/12/01", "yesterday", "2021-02-30"])
def test_extract_bad_date(bad):
    assert_one_line_error(cli("extract", SEED, "--published", bad), "--published", bad)


def test_extract_error_leaves_previous_output_untouched(tmp_path):
    out = tmp_path / "figures.csv"
    out.write_bytes(b"previous,output\n1,2\n")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_one_line_error(cli("extract", empty, "-o", out))
    assert out.read_bytes() == b"previous,output\n1,2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "figures.csv"]


def test_extract_sha_mismatch_names_the_file(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("本镇新建公园3个。", encoding="utf-8")
    (tmp_path / "r.txt.source.yml").write_text("title: 测试\nsha256: " + "ab" * 32 + "\n", encoding="utf-8")
    assert_one_line_error(cli("extract", path), str(path), "sha256")


def test_clean_missing_raw_dir(tmp_path):
    assert_one_line_error(cli("clean", tmp_path / "missing", "-o", tmp_path / "out"), "no such directory")
    assert not (tmp_path / "out").exists()


def test_clean_of_folder_without_reports(tmp_path):
    (tmp_path / "raw").mkdir()
    assert_one_line_error(cli("clean", tmp_path / "raw", "-o", tmp_path / "out"), "no report files")


@pytest.mark.slow
def test_clean_where_every_report_fails_writes_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(b"")
    (raw / "b.txt").write_bytes(bytes(range(256)))
    result = cli("clean", raw, "-o", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {raw / 'a.txt'}: file is empty" in result.stderr.splitlines()
    assert f"error: {raw / 'b.txt'}: not a text file (could not detect a text encoding)" in result.stderr.splitlines()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.csv"))


# --- with the real extractor ------------------------------------------------------------------


@pytest.mark.slow
def test_extract_to_stdout_and_to_file_agree(tmp_path):
    to_stdout = cli("extract", SEED)
    assert to_stdout.returncode == 0, to_stdout.stderr
    out = tmp_path / "figures.csv"
    to_file = cli("extract", SEED, "-o", out)
    assert to_file.returncode == 0 and to_file.stdout == ""
    assert out.read_bytes() == b"\xef\xbb\xbf" + to_stdout.stdout.encode("utf-8")
    assert to_stdout.stdout.splitlines()[0].startswith("doc_id,figure,")


@pytest.mark.slow
def test_extract_writes_exactly_what_clean_writes_for_figures(tmp_path):
    """Same columns (themes and indicators included), same rows, same cells as figures.csv."""
    import shutil

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in (SEED, SEED.with_name(SEED.name + ".source.yml")):
        shutil.copy(path, raw / path.name)
    assert cli("clean", raw, "-o", tmp_path / "clean").returncode == 0
    out = tmp_path / "extracted.csv"
    done = cli("extract", raw / SEED.name, "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (tmp_path / "clean" / "figures.csv").read_bytes()


@pytest.mark.slow
def test_extract_closed_pipe_is_quiet(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        f"'{sys.executable}' -m analysis extract '{SEED}' | head -c 10 >/dev/null",
        shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def extract_rows(*args):
    import csv
    import io

    result = cli("extract", *args)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.slow
def test_published_flag_overrides_the_sidecar(tmp_path):
    path = tmp_path / "town.txt"
    data = "截至11月25日，全镇新建公厕12座。".encode()
    path.write_bytes(data)
    import hashlib

    (tmp_path / "town.txt.source.yml").write_text(
        f"title: 镇里的实事\ndate_published: 2021-12-01\nsha256: {hashlib.sha256(data).hexdigest()}\n", encoding="utf-8"
    )
    assert [r["as_of"] for r in extract_rows(path)] == ["2021-11-25"]
    assert [r["as_of"] for r in extract_rows(path, "--published", "2019-12-01")] == ["2019-11-25"]


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "big5"])
def test_extract_gives_the_same_figures_whatever_the_encoding(tmp_path, encoding):
    text = "截至10月底，全區共新建停車位560個，投入資金1.2億元。" if encoding == "big5" else "截至10月底，全区共新建停车位560个，投入资金1.2亿元。"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(text.encode(encoding))
    key = lambda rows: [(r["span_start"], r["span_end"], r["surface"], r["value"], r["unit"]) for r in rows]
    utf8, other = extract_rows(tmp_path / "a.txt"), extract_rows(tmp_path / "b.txt")
    assert key(utf8) == key(other) and len(utf8) == 2


def test_html_offsets_point_into_the_extracted_text(tmp_path):
    from analysis.raw.decode import read_text

    page = tmp_path / "page.html"
    page.write_bytes(
        "<html><head><script>var n = 99;</script></head><body><nav>首页 12345</nav>"
        "<h1>东湖区：实事落地</h1><p>今年以来，东湖区新建口袋公园&nbsp;18个，改造老旧小区<b>42</b>个。</p>"
        "</body></html>".encode("gbk")
    )
    rows = extract_rows(page, "--published", "2022-06-30")
    text = read_text(page).text
    assert [r["surface"] for r in rows] == ["18个", "42个"]
    for r in rows:
        assert text[int(r["span_start"]):int(r["span_end"])] == r["surface"]


@pytest.mark.slow
def test_two_clean_runs_at_once_give_the_same_tables_as_one(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(6):
        (raw / f"r{i}.txt").write_text(f"第{i}区：新建公园{i + 3}个\n截至9月底，该区累计培训{i + 1}00人次。", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen([sys.executable, "-m", "analysis", "clean", str(raw), "-o", str(tmp_path / "out")],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in runs]
    assert [code for code, _ in results] == [0, 0], results
    assert cli("clean", raw, "-o", tmp_path / "single").returncode == 0
    together = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert together == sorted(p.name for p in (tmp_path / "single").iterdir())
    for name in together:
        if name.endswith(".csv"):
            assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()


def test_ctrl_c_during_clean_leaves_the_output_untouched(tmp_path, monkeypatch, capsys):
    from analysis.cli import main
    from analysis.store import clean as clean_module

    raw = tmp_path / "raw"
    raw.mkdir()
    for name, km in (("a.txt", 3), ("b.txt", 5)):  # two reports (the same bytes would be one)
        (raw / name).write_text(f"全村修路{km}公里。", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "figures.csv").write_bytes(b"old")
    calls = []

    real = clean_module._pieces

    def interrupted_pieces(path, *args):
        calls.append(path.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        yield from real(path, *args)

    monkeypatch.setattr(clean_module, "_pieces", interrupted_pieces)
    assert main(["clean", str(raw), "-o", str(out)]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert sorted(p.name for p in out.iterdir()) == [".lock", "figures.csv"]  # no temporary file left
    assert (out / "figures.csv").read_bytes() == b"old"


@pytest.mark.slow
def test_clean_with_one_broken_report_keeps_its_rows_and_updates_the_rest(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text("甲区：新建公园5个\n截至9月底，甲区新建公园5个。", encoding="utf-8")
    (raw / "b.txt").write_text("乙县：修路\n今年乙县修路120公里。", encoding="gbk")
    assert cli("clean", raw, "-o", out).returncode == 0
    before = {p.name: p.read_text(encoding="utf-8-sig").splitlines() for p in out.glob("*.csv")}

    (raw / "a.txt").write_text("甲区：新建公园7个\n截至10月底，甲区新建公园7个。", encoding="utf-8")
    (raw / "b.txt").write_bytes(bytes(range(256)))  # b became unreadable
    result = cli("clean", raw, "-o", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {raw / 'b.txt'}: not a text file (could not detect a text encoding)" in result.stderr.splitlines()
    after = {p.name: p.read_text(encoding="utf-8-sig").splitlines() for p in out.glob("*.csv")}
    assert set(after) == set(before)
    def rows_b(lines):
        return [line for line in lines if line.startswith("b,")]

    assert rows_b(before["figures.csv"]) and rows_b(before["documents.csv"])
    for name in before:
        assert rows_b(after[name]) == rows_b(before[name]), name
    figures = [line for line in after["figures.csv"] if line.startswith("a,")]
    assert figures and all("7个" in line for line in figures)


@pytest.mark.slow
def test_output_that_cannot_be_written_is_one_line(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("全村新修水渠3条。", encoding="utf-8")
    a_dir = tmp_path / "existing_dir"
    a_dir.mkdir()
    assert_one_line_error(cli("extract", report, "-o", a_dir), str(a_dir), "cannot write")
    assert a_dir.is_dir() and not any(a_dir.iterdir())

    a_file = tmp_path / "not_a_dir"
    a_file.write_text("keep me", encoding="utf-8")
    assert_one_line_error(cli("clean", tmp_path, "-o", a_file), str(a_file), "cannot write")
    assert a_file.read_text(encoding="utf-8") == "keep me"


def test_an_unexpected_extractor_failure_is_one_line_per_file_and_others_still_clean(tmp_path, monkeypatch):
    # a bug met on an unseen input must not end the batch in a traceback
    from analysis.store import clean as clean_module
    from analysis.tables import build as tables

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text("全市新建公园12个。", encoding="utf-8")
    (raw / "bad.txt").write_text("全市新建学校3所。", encoding="utf-8")
    real = tables.iter_rows

    def flaky(source, **kwargs):
        if source.doc_id == "bad":
            raise ZeroDivisionError("boom")
        return real(source, **kwargs)

    monkeypatch.setattr(tables, "iter_rows", flaky)
    report = clean_module.clean(raw, tmp_path / "clean")
    assert [p.name for p, _ in report.failures] == ["bad.txt"]
    assert "ZeroDivisionError: boom" in report.failures[0][1] and "\n" not in report.failures[0][1]
    assert report.documents == ["good"]
