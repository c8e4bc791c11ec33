"""The index a reader starts from: every report on disk (a --only run updates its own entries),
the run date, the data version, thumbnails, links to the clean CSVs and the dictionary."""

from __future__ import annotations

from analysis import config
from analysis.publish import index, pages


def _entry(name, title, tmp_path, summary="摘要"):
    notebook, slug = name.split("/")
    page = tmp_path / notebook / f"{slug}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("x", encoding="utf-8")
    return index.Entry(name=name, notebook=notebook, title=title, summary=summary, page=f"{notebook}/{slug}.html",
                       notebook_file=f"{notebook}/{slug}.ipynb", charts=[f"figures/{slug}.png"])


def test_a_partial_run_updates_its_entries_and_keeps_the_others(tmp_path):
    first = [_entry("province_profile/吉林", "省份概况：吉林", tmp_path), _entry("overview/default", "报告概览", tmp_path)]
    index.write(first, tmp_path, run_time="2026-01-01 10:00", version="abc", clean_dir=config.CLEAN_DIR)
    again = [_entry("province_profile/吉林", "省份概况：吉林", tmp_path, summary="新的摘要")]
    merged = index.merge(index.load_manifest(tmp_path), again, tmp_path)
    assert [(e.name, e.summary) for e in merged] == [("overview/default", "摘要"), ("province_profile/吉林", "新的摘要")]
    (tmp_path / "overview" / "default.html").unlink()  # a report removed from disk leaves the index
    assert [e.name for e in index.merge(index.load_manifest(tmp_path), again, tmp_path)] == ["province_profile/吉林"]


def test_the_page_lists_every_report_with_its_title_and_links_the_data(tmp_path):
    entries = [_entry("province_profile/吉林", "省份概况：吉林", tmp_path), _entry("province_profile/江西", "省份概况：江西", tmp_path),
               _entry("overview/default", "报告概览", tmp_path)]
    entries[1].status, entries[1].error = "failed", "ValueError: broken"
    html = index.write(entries, tmp_path, run_time="2026-01-01 10:00", version="0123456789ab",
                       clean_dir=config.CLEAN_DIR).read_text(encoding="utf-8")
    assert "<title>报告目录</title>" in html and "2026-01-01 10:00" in html and "0123456789ab" in html
    for e in entries:
        assert f'href="{e.page.replace("吉林", "%E5%90%89%E6%9E%97").replace("江西", "%E6%B1%9F%E8%A5%BF")}"' in html
    assert "<h2>省份概况</h2>" in html and "运行失败" in html and "ValueError: broken" in html
    assert "figures.csv" in html and "README.md" in html
    assert pages.problems(html) == []


def test_the_data_version_follows_the_tables(tmp_path):
    import shutil

    shutil.copytree(config.CLEAN_DIR, tmp_path / "clean")
    before = index.data_version(tmp_path / "clean")
    assert before == index.data_version(config.CLEAN_DIR) and len(before) == 12
    with open(tmp_path / "clean" / "figures.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert index.data_version(tmp_path / "clean") != before


def test_a_thumbnail_is_a_small_copy_of_the_first_chart(tmp_path):
    import numpy as np
    from matplotlib import image

    chart = tmp_path / "figures" / "big.png"
    chart.parent.mkdir()
    image.imsave(chart, np.zeros((400, 1200, 3)))
    relative = index.thumbnail(chart, tmp_path)
    assert relative == "figures/thumbs/big.png"
    assert image.imread(tmp_path / relative).shape[1] == 600  # 1200 / 2: at most THUMB_WIDTH wide
    assert index.THUMB_WIDTH >= 600, "readable: shown 360 pixels wide, sharp on a dense screen"


def test_a_published_data_folder_is_what_the_page_links(tmp_path):
    entries = [_entry("overview/default", "报告概览", tmp_path)]
    html = index.write(entries, tmp_path, run_time="2026-01-01 10:00", version="abc", clean_dir=config.CLEAN_DIR,
                       data_folder="data").read_text(encoding="utf-8")
    assert 'href="data/figures.csv"' in html and 'href="data/tables.xlsx"' in html and "../" not in html
