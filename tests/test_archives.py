"""Archives, piece by piece: partitions an added report leaves alone, the manifest, typed Parquet,
periods, time series of one quantity each, and the checks of values that cannot be."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.publish import periods, review, views
from analysis.store import manifest, partitions
from analysis.store.partitions import Member


def _members(names) -> list[Member]:
    return [Member(name, "", "", "") for name in sorted(names)]


def test_an_added_report_changes_only_the_partition_it_falls_in():
    names = [f"{year}/huizong/roundup_{i:02d}" for year in range(2015, 2025) for i in range(30)]
    before = partitions.cut(_members(names), 8)
    assert 20 < len(before) < 60  # about one report in eight ends a partition
    old = {tuple(m.doc_id for m in p) for p in before}
    for added in ("2019/huizong/roundup_07b", "2000/first", "2030/last", "2021/gongbao/jiangxi"):
        after = partitions.cut(_members([*names, added]), 8)
        new = {tuple(m.doc_id for m in p) for p in after}
        removed, written = old - new, new - old
        # only the partition it falls in is rewritten: as one partition, or two if it ends one itself
        assert len(removed) <= 1 and 1 <= len(written) <= 2, added
        assert {d for p in written for d in p} == {d for p in removed for d in p} | {added}, added
        kept = [p for p in after if tuple(m.doc_id for m in p) in old]
        assert len(kept) >= len(before) - 1 and {partitions.key_of(p) for p in kept} <= {partitions.key_of(p) for p in before}


def test_a_fingerprint_follows_bytes_sidecar_and_corrections_not_the_archive_folder():
    one = [Member("2021/a", "/x/2021/a.txt", "2021/a.txt", "ab" * 32, "")]
    moved = [Member("2021/a", "/elsewhere/2021/a.txt", "2021/a.txt", "ab" * 32, "")]
    base = partitions.fingerprint("v1", one, {})
    assert partitions.fingerprint("v1", moved, {}) == base
    assert partitions.fingerprint("v2", one, {}) != base, "another cleaner cleans again"
    assert partitions.fingerprint("v1", [Member("2021/a", "", "2021/a.txt", "ab" * 32, "cd" * 32)], {}) != base
    assert partitions.fingerprint("v1", one, {"2021/a": ["row"]}) != base


def test_the_manifest_hashes_only_files_whose_size_or_time_changed(tmp_path):
    folder = tmp_path / "archive"
    (folder / "2021").mkdir(parents=True)
    a, b = folder / "2021" / "a.txt", folder / "2021" / "b.txt"
    a.write_text("吉林新建公园5个。", encoding="utf-8")
    b.write_text("江西新建公园6个。", encoding="utf-8")
    first = manifest.scan([a, b], folder, None)
    assert [s.relative for s in first] == ["2021/a.txt", "2021/b.txt"] and all(s.hashed for s in first)
    record = manifest.Manifest(archive=str(folder), files={s.relative: s.state for s in first})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / manifest.NAME).write_bytes(record.to_json())
    again = manifest.read(tmp_path / "out")
    assert again.files == record.files and manifest.archive_folder(tmp_path / "out") == folder
    b.write_text("江西新建公园7个。", encoding="utf-8")
    os.utime(b, ns=(0, 10**9))
    second = manifest.scan([a, b], folder, again)
    assert [s.hashed for s in second] == [False, True]
    assert second[1].state.sha256 != first[1].state.sha256
    (folder / "2021" / "a.txt.source.yml").write_text("title: 甲\n", encoding="utf-8")
    assert manifest.scan([a], folder, again)[0].hashed, "a new sidecar is a change"
    (tmp_path / "out" / manifest.NAME).write_text("{", encoding="utf-8")
    assert manifest.read(tmp_path / "out") is None, "a broken record means cleaning everything again, not an error"


def test_parquet_parts_carry_the_contracts_types():
    import pyarrow as pa

    from analysis.store.parquet import to_arrow
    from analysis.tables.frames import frame

    documents = frame("documents", [{
        "doc_id": "2021/a", "path": "2021/a.txt", "title": "甲", "publisher": None, "url": None, "published": "2021-12-01",
        "published_inferred": False, "format": "text", "encoding": "utf-8", "n_pages": None, "sha256": "0" * 64,
        "n_chars": 10, "n_sections": 1, "n_sentences": 1, "n_mentions": 0, "n_figures": 0}])
    table = to_arrow(documents, "documents")
    assert table.schema.field("published").type == pa.date32()
    assert table.column("published").to_pylist() == [dt.date(2021, 12, 1)]
    assert table.schema.field("n_pages").type == pa.int64() and table.schema.field("n_pages").nullable
    assert table.schema.field("published_inferred").type == pa.bool_()


# ---------------------------------------------------------------------------------------------
# Periods


def _archive_tables():
    documents = pd.DataFrame({"doc_id": ["r2021", "r2022", "r2023", "bulletin2023"],
                              "published": pd.to_datetime(["2021-12-01", "2022-12-01", "2023-12-01", "2023-03-01"]),
                              "title": ["第1期", "第2期", "第3期", "公报"], "publisher": "某报",
                              "published_inferred": False})
    figures = pd.DataFrame({
        "doc_id": ["r2021", "r2021", "r2022", "r2022", "r2023", "bulletin2023", "r2023"],
        "figure": [0, 1, 0, 1, 0, 0, 1],
        "province": ["吉林", "江西", "吉林", "江西", "吉林", "江西", "吉林"],
        "indicator": ["projects_listed", "projects_listed", "projects_listed", pd.NA, "projects_listed", pd.NA, pd.NA],
        "measure": ["level"] * 7, "unit": ["个", "个", "个", "亿元", "项", "亿元", "户"],
        "subject": ["列出实事项目", "列出实事项目", "列出实事项目", "地区生产总值", "列出实事项目", "地区生产总值", "改造户数"],
        "as_of": pd.to_datetime([None, "2021-10-31", None, None, None, "2022-12-31", None]),
        "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })
    return documents, figures


def test_a_period_is_latest_all_a_year_or_a_range_and_anything_else_one_line():
    documents, figures = _archive_tables()
    assert periods.check_period("latest", figures, documents).kind == "latest"
    assert periods.check_period("", figures, documents).kind == "latest"
    assert periods.check_period("all", figures, documents).kind == "all"
    assert periods.check_period("2022", figures, documents).label == "2022年"
    assert periods.check_period("2022-06/2023-06", figures, documents).label == "2022-06-01至2023-06-30"
    with pytest.raises(InputError) as bad:
        periods.check_period("lastest", figures, documents)
    assert str(bad.value) == ("period: 'lastest' 不是可用的时期，可选：latest、all、2021、2022、2023，"
                              "或日期范围（如 2021-01-01/2021-06-30）")
    with pytest.raises(InputError, match="'2031' 这段时期没有统计数字，数据中的年份：2021、2022、2023"):
        periods.check_period("2031", figures, documents)
    with pytest.raises(InputError, match="不是可用的时期"):
        periods.check_period("2023-12/2023-01", figures, documents)  # a range that ends before it starts


def test_latest_takes_each_provinces_latest_figure_of_each_indicator_and_subject():
    documents, figures = _archive_tables()
    latest = periods.select(figures, documents, periods.parse_period("latest"))
    assert sorted(zip(latest["doc_id"], latest["figure"])) == [
        ("bulletin2023", 0),  # 江西's 地区生产总值 as of 2022-12-31 replaces 2022's (dated by its report, 2022-12-01)
        ("r2021", 1),  # 江西's projects: its only one
        ("r2023", 0),  # 吉林's projects: 2023 (项 counts as 个), not 2021 or 2022
        ("r2023", 1),  # a subject of its own
    ]
    year = periods.select(figures, documents, periods.parse_period("2022"))
    assert sorted(year["doc_id"]) == ["bulletin2023", "r2022", "r2022"]  # as-of 2022-12-31 counts in 2022
    assert len(periods.select(figures, documents, periods.parse_period("all"))) == len(figures)


# ---------------------------------------------------------------------------------------------
# Time series


def _series_tables(editions: int):
    documents = pd.DataFrame({"doc_id": [f"r{i}" for i in range(editions)],
                              "published": pd.to_datetime([f"{2019 + i}-03-01" for i in range(editions)]),
                              "title": [f"第{i}期" for i in range(editions)], "publisher": "某报", "published_inferred": False})
    rows = []
    for i in range(editions):  # two different quantities of one indicator in every report
        for n, (subject, value) in enumerate((("养老金惠及人数", 100 + i), ("城乡居民养老金惠及人数", 5000 + 10 * i))):
            rows.append({"doc_id": f"r{i}", "figure": n, "province": "吉林", "indicator": "pension_people",
                         "family": "pension", "measure": "level", "unit": "人", "unit_kind": "people",
                         "qualifier": "exact", "value": float(value), "value_high": None, "as_of": pd.NaT,
                         "subject": subject, "surface": f"{value}人", "sentence_text": f"{subject}{value}人。"})
    figures = pd.DataFrame(rows)
    return documents, figures, figures.drop(columns=["subject", "surface", "sentence_text"])


def test_a_series_is_one_quantity_over_three_editions_or_more_dated_by_its_reports():
    documents, figures, indicators = _series_tables(4)
    definitions = pd.DataFrame({"indicator": ["pension_people"], "label_zh": ["养老金领取"]})
    series = views.indicator_series(indicators, documents, "吉林", figures, definitions=definitions)
    assert series.groupby("series").size().to_dict() == {"养老金领取：养老金惠及人数": 4, "养老金领取：城乡居民养老金惠及人数": 4}
    one = series[series["series"].str.endswith("：养老金惠及人数")]
    assert one["value"].tolist() == [100.0, 101.0, 102.0, 103.0], "never two quantities on one line"
    assert [d.date().isoformat() for d in one["when"]] == ["2019-03-01", "2020-03-01", "2021-03-01", "2022-03-01"]
    two = views.indicator_series(indicators[indicators["doc_id"].isin(["r0", "r1"])], documents, "吉林", figures)
    assert two.empty, "two editions are no series"


def test_a_series_chart_has_one_panel_per_quantity():
    from analysis.publish import charts

    documents, figures, indicators = _series_tables(3)
    series = views.indicator_series(indicators, documents, "吉林", figures)
    fig = charts.indicator_over_time(series, "吉林：同一指标各期的值", "来源：某报")
    assert len(fig.axes) == 2 and all(len(ax.lines) == 1 for ax in fig.axes)
    assert all(len(ax.lines[0].get_xdata()) == 3 for ax in fig.axes)


def test_a_province_page_counts_its_own_reports():
    documents, figures = _archive_tables()
    assert views.province_documents(documents, figures, "江西")["doc_id"].tolist() == ["r2021", "r2022", "bulletin2023"]
    several = figures.assign(province=["吉林|江西"] + list(figures["province"][1:]))
    assert "r2021" in set(views.province_documents(documents, several, "吉林")["doc_id"])


# ---------------------------------------------------------------------------------------------
# Values that cannot be


def _figure(**values):
    row = {"doc_id": "d", "figure": 0, "surface": "x", "value": 1.0, "value_high": None, "unit": "个", "qualifier": "exact",
           "province": "吉林", "subject": "", "corrected": False, "table": None, "column_header": None, "row_label": None,
           "measure": "level", "cumulative": False, "indicator": None}
    row.update(values)
    return row


def test_values_that_cannot_be_are_worth_a_look():
    provinces = pd.DataFrame({"province": ["吉林", "江西"], "population_2020": [24_073_453, 45_188_635]})
    figures = pd.DataFrame([
        _figure(figure=0, surface="103.2%", value=103.2, unit="%", subject="农村自来水普及率"),
        _figure(figure=1, surface="107.8%", value=107.8, unit="%", subject="年度计划完成率"),  # a completion rate may pass 100
        _figure(figure=2, surface="3000万人", value=3e7, unit="人", subject="参保人数"),
        _figure(figure=3, surface="3000万人次", value=3e7, unit="人次", subject="服务群众"),  # visits may
        _figure(figure=4, surface="累计3000万人", value=3e7, unit="人", subject="培训", cumulative=True),
        _figure(figure=5, surface="120%", value=120.0, unit="%", subject="占比", measure="increase"),
    ])
    listed = review.worth_a_look(figures, None, None, provinces=provinces)
    reasons = dict(zip(listed["figure"], listed["reasons"]))
    assert reasons.get(0, "").startswith("rate_over_100") and "rate_over_100" not in reasons.get(1, "")
    assert "over_population" in reasons.get(2, "") and "2,407万人" in listed.set_index("figure").loc[2, "why"]
    assert "over_population" not in reasons.get(3, "") + reasons.get(4, "")
    assert "rate_over_100" not in reasons.get(5, "")


def test_a_value_ten_thousand_times_its_other_editions_is_worth_a_look():
    indicators = pd.DataFrame({"doc_id": ["r1", "r2", "r3", "r4"], "figure": 0, "province": "吉林",
                               "indicator": "jobs_new", "measure": "level", "unit": "人",
                               "value": [51000.0, 53000.0, 5.5e8, 56000.0], "per_10k": None})
    figures = pd.DataFrame([_figure(doc_id=d, value=v, unit="人") for d, v in zip(indicators["doc_id"], indicators["value"])])
    listed = review.worth_a_look(figures, None, indicators)
    flagged = listed[listed["reasons"].str.contains("edition_outlier")]
    assert flagged["doc_id"].tolist() == ["r3"]
    assert "本省其他各期中位数的万倍以上" in flagged["why"].iloc[0]


# ---------------------------------------------------------------------------------------------
# What a run redoes


def test_a_province_page_depends_only_on_the_reports_about_its_provinces():
    from analysis.publish.freshness import DataVersion, scope

    documents, figures = _archive_tables()
    dates = pd.DataFrame({"doc_id": ["r2023"], "province": ["江西"]})  # 江西 named only by a date of r2023
    data = DataVersion(documents, figures, dates, "base")
    jilin, jiangxi, everything = data.of(["吉林"]), data.of(["江西"]), data.of(None)
    changed = figures.assign(value=[1.0, 2.0, 3.0, 4.0, 5.0, 60.0, 7.0])  # 江西's bulletin read otherwise
    again = DataVersion(documents, changed, dates, "base")
    assert again.of(["吉林"]) == jilin and again.of(["江西"]) != jiangxi and again.of(None) != everything
    assert again.of(["吉林", "江西"]) != data.of(["吉林", "江西"])
    assert DataVersion(documents, changed, dates, "other").of(["吉林"]) != jilin, "another cleaner: every page"
    assert DataVersion(documents, changed, dates, "v", scoped=False).of(["吉林"]) == "v"
    assert (scope({"province": "吉林"}), scope({"provinces": ["吉林", "江西"]}), scope({"provinces": []}), scope({})) == \
           (["吉林"], ["吉林", "江西"], None, None)
