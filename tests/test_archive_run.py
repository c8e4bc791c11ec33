"""``run`` over an archive as its users keep it (yearly folders, the same file names every year): every
report gets its source view wherever the archive is, and a rerun redoes only what changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from analysis import config
from analysis.publish.source_view import page_name
from analysis.store.corpus import clean_corpus
from benchmarks.archive_gen import write_archive

pytestmark = pytest.mark.slow  # kernels, worker processes or whole corpora: `make test` only

CASES = ["07_jiangxi_bulletin", "13_shexian_county_bulletin"]  # 江西, and a county of 安徽


def _run(clean: Path, reports: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "run", "--no-clean", "--no-progress", "--clean-dir",
                           str(clean), "--reports-dir", str(reports), "--only", "province_profile/*", "--jobs", "2",
                           *map(str, extra)],
                          capture_output=True, text=True, timeout=900, cwd=reports.parent,
                          env={**os.environ, "PYTHONPATH": str(config.ROOT)})


def _dead_links(reports: Path) -> list[tuple[str, str]]:
    dead = []
    for page in reports.rglob("*.html"):
        for href in re.findall(r'href="([^"#]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            if not (page.parent / urllib.parse.unquote(href)).exists():
                dead.append((page.relative_to(reports).as_posix(), href))
    return dead


def test_run_over_an_archive_shows_every_report_and_redoes_only_what_changed(tmp_path):
    archive, out, reports = tmp_path / "archive", tmp_path / "out", tmp_path / "reports"
    write_archive(archive, range(2021, 2024), cases=CASES, seed_editions=False, roundups=0, duplicates=0)
    clean_corpus(archive, out, jobs=1, progress=False)

    first = _run(out, reports)
    assert first.returncode == 0, first.stderr
    assert "0 unchanged since the last run; 6 of 6 source views written" in first.stdout
    for year in (2021, 2022, 2023):
        assert (reports / "source" / page_name(f"{year}/gongbao/jiangxi")).is_file()
    assert _dead_links(reports) == []
    jiangxi = (reports / "province_profile" / "江西.html").read_text(encoding="utf-8")
    assert "同一指标在各期报道中的值" in jiangxi and "本省共 3 篇" in jiangxi

    again = _run(out, reports)
    assert again.returncode == 0, again.stderr
    assert "0 of 2 notebooks ran; 0 failed; 2 unchanged since the last run; 0 of 6 source views written" in again.stdout

    # a new edition for 江西: its profile and its own source view, nothing else
    write_archive(tmp_path / "more", range(2024, 2025), cases=CASES[:1], seed_editions=False, roundups=0, duplicates=0)
    shutil.copytree(tmp_path / "more" / "2024", archive / "2024")
    clean_corpus(archive, out, jobs=1, progress=False)
    before = (reports / "province_profile" / "安徽.html").stat().st_ino
    third = _run(out, reports)
    assert third.returncode == 0, third.stderr
    assert "1 of 2 notebooks ran; 0 failed; 1 unchanged since the last run; 1 of 7 source views written" in third.stdout
    assert re.search(r"unchanged .*province_profile/安徽\.html", third.stdout)
    assert (reports / "province_profile" / "安徽.html").stat().st_ino == before, "an unchanged page is the same file"
    assert "本省共 4 篇" in (reports / "province_profile" / "江西.html").read_text(encoding="utf-8")
    assert _dead_links(reports) == []

    # the archive moves: nothing to redo needs it; a view to redo needs it, and says where to point
    moved = tmp_path / "moved"
    archive.rename(moved)
    assert _run(out, reports).returncode == 0
    (reports / "source" / page_name("2021/gongbao/jiangxi")).unlink()
    lost = _run(out, reports)
    assert lost.returncode == 1
    assert lost.stderr.strip().splitlines() == [
        f"error: {archive}: 1 report(s) have no raw file here to show their source view (first: "
        f"{archive}/2021/gongbao/jiangxi.txt); give --raw-dir the folder they were cleaned from"]
    assert not (reports / "source" / page_name("2021/gongbao/jiangxi")).exists(), "nothing published"
    found = _run(out, reports, "--raw-dir", moved)
    assert found.returncode == 0, found.stderr
    assert "1 of 7 source views written" in found.stdout and _dead_links(reports) == []
