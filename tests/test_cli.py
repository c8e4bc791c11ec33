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


# --- with the real extractor -----------------------------------------------------------------


def test_extract_to_stdout_and_to_file_agree(tmp_path):
    pytest.importorskip("analysis.tables")
    to_stdout = cli("extract", SEED)
    assert to_stdout.returncode == 0, to_stdout.stderr
    out = tmp_path / "figures.csv"
    to_file = cli("extract", SEED, "-o", out)
    assert to_file.returncode == 0 and to_file.stdout == ""
    assert out.read_bytes() == b"\xef\xbb\xbf" + to_stdout.stdout.encode("utf-8")
    assert to_stdout.stdout.splitlines()[0].startswith("doc_id,figure,")


def test_extract_closed_pipe_is_quiet(tmp_path):
    pytest.importorskip("analysis.tables")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        f"'{sys.executable}' -m analysis extract '{SEED}' | head -c 10 >/dev/null",
        shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
