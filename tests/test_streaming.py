"""Large files are read in chunks, never whole, and give the same tables as files read whole.

The size limit is lowered here so that a few kilobytes count as "large"; the code paths are the
ones a 100 MB report takes (benchmarks/bench_memory.py measures that one).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.raw import decode, report, stream
from analysis.store import clean as clean_module
from analysis.store import pipeline
from analysis.tables.build import build_tables
from analysis.tables.contract import EXTRACTED_TABLES as TABLE_NAMES

LINES = [
    "两省区民生实事进展",
    "宁夏：办好群众家门口的事",
    "截至10月底，宁夏累计改造老旧小区312个，惠及居民4.6万户。",
    "全区热线受理诉求58万余件，办结率98.6%。",
    "单位：万元",
    "道路　1250",
    "",
    "西藏：守护高原群众健康",
    "今年6月，西藏启动义诊活动，近2000名医生下乡，服务群众超过15万人次。",
]
TEXT = "\n".join(LINES * 12) + "\n"
TRADITIONAL = "\n".join([
    "臺灣同胞返鄉服務記事",
    "截至10月底，累計改造老舊社區312個，惠及居民4.6萬戶。",
    "熱線受理訴求58萬餘件，辦結率98.6%。",
] * 30) + "\n"


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(stream, "STREAM_BYTES", 2_000)
    monkeypatch.setattr(stream, "_CHUNK_BYTES", 333)  # odd: blocks split multi-byte characters


def tables_of(path):
    return build_tables(report.load_source(path))


@pytest.mark.parametrize("text, encoding", [
    (TEXT, "utf-8"), (TEXT, "utf-8-sig"), (TEXT, "gb18030"), (TRADITIONAL, "big5"), (TEXT, "utf-16"),
    (TEXT, "utf-16-le"),
])
def test_a_large_file_is_streamed_and_gives_the_tables_of_a_whole_read(tmp_path, monkeypatch, text, encoding):
    path = tmp_path / "big.txt"
    path.write_bytes(text.encode(encoding))
    whole = tables_of(path)
    monkeypatch.setattr(stream, "STREAM_BYTES", 2_000)
    monkeypatch.setattr(stream, "_CHUNK_BYTES", 333)
    source = report.load_source(path)
    assert source.chunks is not None and source.text == ""  # not held in memory
    assert "".join(source.chunks()) == text.removeprefix("\ufeff")
    streamed = build_tables(source)
    assert len(streamed["figures"]) > 50
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(streamed[name], whole[name], obj=name)


def test_bad_bytes_deep_inside_a_large_file_are_one_clear_error(tmp_path, small_limits, monkeypatch):
    monkeypatch.setattr(decode, "SAMPLE_BYTES", 2_000)  # the encoding is chosen before the bad bytes
    path = tmp_path / "broken.txt"
    data = TEXT.encode("utf-8")
    path.write_bytes(data[:4000] + b"\xff\xfe\xfa" + data[4000:])
    with pytest.raises(InputError) as err:
        report.load_source(path)
    assert err.value.problem.startswith("not valid utf-8 near byte 4,0")


def test_a_large_binary_file_is_not_text(tmp_path, small_limits):
    path = tmp_path / "blob.txt"
    path.write_bytes(TEXT.encode() + bytes(range(32)) * 200)
    with pytest.raises(InputError) as err:
        report.load_source(path)
    assert err.value.problem == decode.NOT_TEXT


def test_a_large_html_page_is_read_whole_for_its_article_text(tmp_path, small_limits):
    path = tmp_path / "page.html"
    body = "".join(f"<p>{line}</p>" for line in LINES * 12)
    path.write_text(f"<html><body><nav>首页</nav>{body}</body></html>", encoding="utf-8")
    source = report.load_source(path)
    assert source.chunks is None and source.is_html and "首页" not in source.text


@pytest.mark.slow
def test_clean_of_a_streamed_report_writes_the_same_bytes(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "big.txt").write_text(TEXT, encoding="gb18030")
    (raw / "small.txt").write_text("青海：新建学校12所。", encoding="utf-8")
    clean_module.clean(raw, tmp_path / "whole")
    monkeypatch.setattr(stream, "STREAM_BYTES", 2_000)
    monkeypatch.setattr(stream, "_CHUNK_BYTES", 333)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 50)  # many batches, each validated on its own
    report = clean_module.clean(raw, tmp_path / "streamed")
    assert report.ok and report.documents == ["big", "small"]
    for path in sorted((tmp_path / "whole").glob("*.*")):
        assert (tmp_path / "streamed" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_streamed_report_shows_its_progress_in_characters(tmp_path, small_limits, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "big.txt").write_text(TEXT * 4, encoding="utf-8")
    assert clean_module.clean(raw, tmp_path / "out", progress=True).ok
    err = capsys.readouterr().err
    assert f"big.txt:   0%|          | 0.00/{len(TEXT * 4) / 1000:.2f}k" in err  # a bar of its characters


@pytest.mark.slow
def test_a_report_failing_part_way_leaves_no_rows_and_keeps_its_previous_ones(tmp_path, monkeypatch):
    from analysis.tables import build as tables

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXT * 4, encoding="utf-8")
    (raw / "b.txt").write_text("青海：新建学校12所。", encoding="utf-8")
    out = tmp_path / "out"
    clean_module.clean(raw, out)
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    real = tables.iter_rows

    def fails_late(source, *args, **kwargs):
        for number, piece in enumerate(real(source, 300)):  # small windows: many pieces
            if number == 5 and source.doc_id == "a":
                raise RuntimeError("boom")
            yield piece

    monkeypatch.setattr(tables, "iter_rows", fails_late)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 20)  # the first pieces are already written
    report = clean_module.clean(raw, out)
    assert [p.name for p, _ in report.failures] == ["a.txt"] and report.kept == ["a"]
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5"])
def test_a_large_file_without_line_breaks_is_streamed(tmp_path, monkeypatch, encoding):
    # the first megabyte may end inside a character: the encoding must still be found
    text = (TRADITIONAL if encoding == "big5" else TEXT).replace("\n", "　　")
    path = tmp_path / "oneline.txt"
    path.write_bytes(text.encode(encoding))
    whole = tables_of(path)
    monkeypatch.setattr(stream, "STREAM_BYTES", 2_000)
    monkeypatch.setattr(stream, "_CHUNK_BYTES", 333)
    for head in (1_001, 1_002, 1_003):  # every way of cutting a 2- or 3-byte character
        monkeypatch.setattr(decode, "SAMPLE_BYTES", head)
        source = report.load_source(path)
        assert source.chunks is not None and source.encoding == whole["documents"]["encoding"].iloc[0]
    streamed = build_tables(source)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(streamed[name], whole[name], obj=name)
