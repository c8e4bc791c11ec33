"""Corrections as data: an analyst's fixes in corrections.csv are applied by every clean, survive a
change of the report or the extractor without ever landing on another figure, and a broken file
stops the run in one line before anything is written.

The reports here are invented for these tests (a county that does not exist, figures made up).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import cli
from analysis.store.clean import clean
from analysis.store.corrections_file import append_correction, read_corrections
from analysis.store.reader import read_table
from analysis.tables import contract
from analysis.tables.corrections import CorrectionError, file_columns, parse_corrections

# Three wrong readings (52万 has no unit; 2.5个亿 is read as 2.5 个: value and unit), a statistic the
# extractor misses (18孔: 孔 is not in its units) and a number that is not a statistic (a distance).
REPORT = """江南县2021年民生实事办理情况

　　今年以来，江南县围绕群众急难愁盼，扎实推进民生实事。全县新建乡村公路86公里，改造农村危房1200户，县城距市区40公里。
　　全年新增城镇就业4300人，城乡居民医保参保人数约52万。县财政投资2.5个亿用于教育，新建桥涵18孔。
　　截至11月底，全县农村自来水普及率达到98.6%。
"""
DOC = "jiangnan_2021"
FIXES = """doc_id,surface,occurrence,action,value,unit,unit_kind,note,date
jiangnan_2021,52万,1,set,,人,people,参保的是人,2022-01-05
jiangnan_2021,2.5个,1,set,250000000,元,money,2.5个亿 is 2.5亿元,2022-01-05
jiangnan_2021,40公里,1,drop,,,,a distance on the map not a statistic,2022-01-05
jiangnan_2021,18孔,1,add,18,孔,count,bridges and culverts are counted in 孔,2022-01-05
"""
# The table the four rows make: (surface, value, unit, unit_kind, qualifier, corrected)
RIGHT = [
    ("86公里", 86, "公里", "length", "exact", False),
    ("1200户", 1200, "户", "count", "exact", False),
    ("4300人", 4300, "人", "people", "exact", False),
    ("52万", 520000, "人", "people", "approx", True),
    ("2.5个", 250000000, "元", "money", "exact", True),
    ("18孔", 18, "孔", "count", "exact", True),
    ("98.6%", 98.6, "%", "percent", "exact", False),
]


def write_report(raw, text=REPORT, doc=DOC):
    raw.mkdir(exist_ok=True)
    (raw / f"{doc}.txt").write_text(text, encoding="utf-8")
    (raw / f"{doc}.txt.source.yml").write_text("date_published: 2021-12-20\n", encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    write_report(tmp_path / "raw")
    (tmp_path / "corrections.csv").write_text("\ufeff" + FIXES, encoding="utf-8")
    return tmp_path


def run(argv, capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def figures_of(folder):
    figures = read_table(folder, "figures")
    return [(r.surface, r.value, r.unit, r.unit_kind, r.qualifier, bool(r.corrected)) for r in figures.itertuples()]


def test_four_rows_give_the_right_table_and_the_ledger_keeps_the_extractor_s_reading(project, capsys):
    out = project / "clean"
    status, _, err = run(["clean", str(project / "raw"), "-o", str(out), "--corrections",
                          str(project / "corrections.csv")], capsys)
    assert status == 0
    assert figures_of(out) == RIGHT
    assert "4 correction(s): 4 applied, 0 not applied, 0 no longer needed" in err
    figures = read_table(out, "figures")
    assert figures["figure"].tolist() == [0, 1, 3, 4, 5, 7, 6]  # 40公里 (2) is gone; 18孔 comes after the 7 read
    added = figures[figures["surface"] == "18孔"].iloc[0]
    assert added["sentence_text"].endswith("新建桥涵18孔。") and added["theme"]  # enriched like the rest
    assert figures.loc[figures["surface"] == "2.5个", "theme"].item() != ""  # themes from the corrected values
    mentions = read_table(out, "mentions")
    reading = dict(zip(mentions["surface"], mentions["disposition"]))
    assert reading["40公里"] == "figure" and reading["18"] == "bare"  # the extractor's reading, kept
    assert read_table(out, "documents")["n_figures"].item() == len(RIGHT)
    record = read_table(out, "corrections")
    assert record["status"].tolist() == ["applied"] * 4
    assert record["figure"].tolist() == [4, 5, 2, 7]  # set, set, the figure dropped, the figure added


def test_when_the_report_loses_a_figure_that_correction_is_named_and_the_rest_applied(project, capsys):
    write_report(project / "raw", REPORT.replace("县财政投资2.5个亿用于教育，", ""))
    out = project / "clean"
    status, _, err = run(["clean", str(project / "raw"), "-o", str(out), "--corrections",
                          str(project / "corrections.csv")], capsys)
    assert status == 0
    lines = [line for line in err.splitlines() if "not applied" in line and "row" in line]
    assert lines == [f"{project / 'corrections.csv'}: row 3: not applied: {DOC} 「2.5个」 (occurrence 1), set: "
                     "「2.5个」 occurs 0 time(s) in the report now, not 1"]
    assert figures_of(out) == [row for row in RIGHT if row[0] != "2.5个"]
    record = read_table(out, "corrections")
    assert record["status"].tolist() == ["applied", "not_found", "applied", "applied"]


def test_a_correction_the_extractor_no_longer_needs_is_reported(project, capsys):
    (project / "corrections.csv").write_text(FIXES + "jiangnan_2021,4300人,1,set,4300,人,people,checked,2022-01-06\n",
                                             encoding="utf-8")
    status, _, err = run(["clean", str(project / "raw"), "-o", str(project / "clean"), "--corrections",
                          str(project / "corrections.csv")], capsys)
    assert status == 0
    assert "row 6: no longer needed: jiangnan_2021 「4300人」 (occurrence 1), set: the extractor now reads the " \
           "figure so by itself" in err
    assert "5 correction(s): 4 applied, 0 not applied, 1 no longer needed" in err
    # a drop of a token the extractor no longer takes for a figure is not needed either
    (project / "corrections.csv").write_text(FIXES.splitlines()[0] + "\njiangnan_2021,18,1,drop,,,,not one,2022-01-06\n",
                                             encoding="utf-8")
    status, _, err = run(["clean", str(project / "raw"), "-o", str(project / "clean"), "--corrections",
                          str(project / "corrections.csv")], capsys)
    assert "no longer needed: jiangnan_2021 「18」 (occurrence 1), drop: not a figure now: the extractor reads it as bare" in err


def corrected(tmp_path, text, rows, doc=DOC) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean ``text`` with the corrections ``rows`` (CSV lines under the full header)."""
    write_report(tmp_path / "raw", text, doc)
    path = tmp_path / "fixes.csv"
    path.write_text(",".join(file_columns()) + "\n" + "".join(line + "\n" for line in rows), encoding="utf-8")
    report = clean(tmp_path / "raw", tmp_path / "clean", corrections=path)
    assert report.ok
    return read_table(tmp_path / "clean", "figures"), report.corrections


def row(surface, occurrence="", span=("", ""), action="set", **values) -> str:
    cells = {"doc_id": DOC, "surface": surface, "occurrence": str(occurrence), "span_start": str(span[0]),
             "span_end": str(span[1]), "action": action, "note": "test", "date": "2022-01-05"}
    cells.update({k: str(v) for k, v in values.items()})
    return ",".join(cells.get(name, "") for name in file_columns())


SAME_TWICE = "甲县：新建学校3所，乙县新建学校3所。"


def test_surface_and_occurrence_pick_the_right_one_of_two_equal_figures(tmp_path):
    figures, _ = corrected(tmp_path, SAME_TWICE, [row("3所", 2, value=4)])
    assert figures["value"].tolist() == [3, 4]


def test_a_span_that_moved_falls_back_on_the_occurrence_and_a_lone_span_is_not_applied(tmp_path):
    second = SAME_TWICE.rindex("3所")
    edited = "（更新）" + SAME_TWICE  # text added before: every offset moves by 4
    figures, outcomes = corrected(tmp_path, edited, [row("3所", 2, (second, second + 2), value=4)])
    assert figures["value"].tolist() == [3, 4]
    assert outcomes["status"].tolist() == ["applied"]
    figures, outcomes = corrected(tmp_path, edited, [row("3所", "", (second, second + 2), value=4)])
    assert figures["value"].tolist() == [3, 3], "never applied to what happens to be at the old offset"
    assert outcomes["status"].tolist() == ["not_found"]
    assert outcomes["problem"].item() == f"the text at {second} reads 「{edited[second:second + 2]}」 now"


def test_a_span_and_an_occurrence_that_disagree_are_not_applied(tmp_path):
    first = SAME_TWICE.index("3所")
    figures, outcomes = corrected(tmp_path, SAME_TWICE, [row("3所", 2, (first, first + 2), value=4)])
    assert figures["value"].tolist() == [3, 3]
    assert outcomes["status"].item() == "not_found" and "is occurrence 1 now, not 2" in outcomes["problem"].item()


def test_two_rows_that_reach_the_same_figure_by_different_ways_apply_once(tmp_path):
    second = SAME_TWICE.rindex("3所")
    figures, outcomes = corrected(tmp_path, SAME_TWICE, [row("3所", 2, value=4), row("3所", "", (second, second + 2),
                                                                                      value=5)])
    assert figures["value"].tolist() == [3, 4]
    assert outcomes["status"].tolist() == ["applied", "not_found"]
    assert outcomes["problem"].tolist()[1] == "row 2 corrects the same figure; keep one of the two rows"


def test_a_unit_set_without_its_kind_takes_the_kind_the_lexicon_gives_it(tmp_path):
    figures, _ = corrected(tmp_path, "全县投资2.5个亿。", [row("2.5个", 1, value=250000000, unit="元")])
    assert figures[["value", "unit", "unit_kind"]].values.tolist() == [[250000000, "元", "money"]]


def test_a_place_where_the_extractor_reads_two_figures_or_none_is_not_applied(tmp_path):
    text = "全县新建学校3所、医院2家。"
    figures, outcomes = corrected(tmp_path, text, [row("3所、医院2家", 1, value=5), row("新建", 1, unit="个")])
    assert outcomes["status"].tolist() == ["not_found", "not_found"]
    assert outcomes["problem"].tolist() == ["2 figures overlap it now (「3所」、「2家」); correct each one",
                                            "no figure there now: the extractor reads it as no number"]
    assert figures["value"].tolist() == [3, 2] and not figures["corrected"].any()


def test_clear_empties_a_column_and_an_indicator_set_or_cleared_reaches_the_indicators_table(tmp_path):
    text = "江西：就业\n截至9月底，江西新增城镇就业32万人，新建学校3所。"
    figures, _ = corrected(tmp_path, text, [row("32万人", 1, clear="province indicator"),
                                            row("3所", 1, indicator="new_urban_jobs")])
    by = figures.set_index("surface")
    assert pd.isna(by.at["32万人", "province"]) and pd.isna(by.at["32万人", "indicator"])
    assert by.at["3所", "indicator"] == "new_urban_jobs" and bool(by.at["3所", "corrected"])
    indicators = read_table(tmp_path / "clean", "indicators")
    assert indicators["figure"].tolist() == [int(by.at["3所", "figure"])]


def test_a_column_added_to_figures_is_settable_with_no_other_change(tmp_path, monkeypatch):
    import dataclasses

    figures = contract.TABLES["figures"]
    village = contract.Column("village", contract.STRING, "The village the figure belongs to.", required=False)
    extended = dataclasses.replace(figures, columns=(*figures.columns, village))
    monkeypatch.setitem(contract.TABLES, "figures", extended)
    monkeypatch.setitem(contract.TABLES, "corrections", contract._corrections(extended))
    out, outcomes = corrected(tmp_path, SAME_TWICE, [row("3所", 1, village="甲村")])
    assert out["village"].tolist()[0] == "甲村" and pd.isna(out["village"].tolist()[1])
    assert "village" in read_table(tmp_path / "clean", "corrections").columns


BAD = [
    (b"doc_id,surface,occurrence,action,note,date\nx,3\xe6,1,drop,n,2022-01-01\n", "row 2: not UTF-8 text"),
    ("doc_id,surface,occurence,action,note,date\n", "row 1: unknown column 'occurence'; the columns are doc_id, "),
    ("doc_id,surface,occurrence,action,date\n", "row 1: missing column note"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,1,drop,n\n", "row 2: 5 cells, but the header has 6"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,1,fix,n,2022-01-01\n", "row 2: action 'fix' is not one of set, drop, add"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,,drop,n,2022-01-01\n", "row 2: say which figure: give occurrence"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,0,drop,n,2022-01-01\n", "row 2: occurrence '0' is below 1"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,1,set,n,2022-01-01\n", "row 2: action set needs a value to set"),
    ("doc_id,surface,occurrence,action,value,note,date\nx,3所,1,set,3万,n,2022-01-01\n",
     "row 2: value '3万' is not a number (write it in full: 30000)"),
    ("doc_id,surface,occurrence,action,province,note,date\nx,3所,1,set,江西省,n,2022-01-01\n",
     "row 2: province '江西省' is not one of 北京, 天津"),
    ("doc_id,surface,occurrence,action,value,note,date\nx,3所,1,drop,3,n,2022-01-01\n", "row 2: action drop removes the figure"),
    ("doc_id,surface,occurrence,action,value,unit,note,date\nx,3孔,1,add,3,孔,n,2022-01-01\n",
     "row 2: action add needs unit_kind (the unit 孔 is not in the lexicon"),
    ("doc_id,surface,occurrence,action,clear,note,date\nx,3所,1,set,value,n,2022-01-01\n",
     "row 2: clear names 'value', which a figure always has"),
    ("doc_id,surface,span_start,span_end,action,note,date\nx,3所,4,7,drop,n,2022-01-01\n",
     "row 2: span_start 4 to span_end 7 is 3 characters, but surface 「3所」 has 2"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,1,drop,n,2022-13-01\n", "row 2: date '2022-13-01' is not a date"),
    ("doc_id,surface,occurrence,action,note,date\nx,3所,1,drop,n,2022-01-01\n\nx,3所,1,drop,again,2022-01-01\n",
     "row 4: corrects the same figure as row 2"),
    ("doc_id,surface,occurrence,action,note,date\nx,\"3所,1,drop,n,2022-01-01\n", "not valid CSV"),
]


@pytest.mark.parametrize("content, problem", BAD, ids=[p.split(":")[-1][:30] for _, p in BAD])
def test_a_malformed_corrections_file_is_one_line_naming_file_row_and_problem_and_nothing_is_written(
        project, capsys, content, problem):
    fixes = project / "corrections.csv"
    fixes.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = project / "clean"
    status, stdout, err = run(["clean", str(project / "raw"), "-o", str(out), "--corrections", str(fixes)], capsys)
    assert status == 1 and stdout == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {fixes}: ") and problem in err, err
    assert not out.exists() or not any(out.glob("*.csv"))


def test_a_missing_corrections_file_named_on_the_command_line_is_an_error(project, capsys):
    status, _, err = run(["clean", str(project / "raw"), "-o", str(project / "clean"), "--corrections",
                          str(project / "nope.csv")], capsys)
    assert status == 1 and err == f"error: {project / 'nope.csv'}: no such file\n"


def test_the_file_parses_into_the_contract_s_typed_table():
    header = ["doc_id", "surface", "occurrence", "action", "value", "cumulative", "note", "date"]
    table = parse_corrections(header, [(2, ["a", "3所", "2", "set", "1.5e3", "TRUE", "n", "2022-01-05"]),
                                       (3, ["", "", "", "", "", "", "", ""])], references={})
    assert table.columns.tolist() == contract.columns("corrections")
    assert table[["row", "occurrence", "value", "cumulative"]].values.tolist() == [[2, 2, 1500.0, True]]
    with pytest.raises(CorrectionError, match="row 2: doc_id is empty"):
        parse_corrections(header, [(2, ["", "3所", "2", "set", "1", "", "n", "2022-01-05"])], references={})


def test_append_creates_checks_and_extends_the_file_atomically(tmp_path):
    path = tmp_path / "data" / "corrections.csv"
    record = {"doc_id": DOC, "surface": "52万", "occurrence": "1", "action": "set", "unit": "人",
              "unit_kind": "people", "note": "参保的是人", "date": "2022-01-05"}
    assert append_correction(path, record) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").splitlines()[0] == ",".join(file_columns())
    assert append_correction(path, {**record, "occurrence": "2"}) == 3
    assert read_corrections(path)["occurrence"].tolist() == [1, 2]
    before = path.read_bytes()
    from analysis.errors import InputError

    with pytest.raises(InputError, match=r"row 4: occurrence '0' is below 1"):
        append_correction(path, {**record, "occurrence": "0"})
    assert path.read_bytes() == before  # a bad row writes nothing

    short = tmp_path / "short.csv"  # an analyst's file with fewer columns gets the one the row needs
    short.write_text("doc_id,surface,occurrence,action,note,date\na,3所,1,drop,n,2022-01-01\n", encoding="utf-8")
    short.chmod(0o640)
    assert append_correction(short, {**record, "province": "江西"}) == 3
    lines = short.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "doc_id,surface,occurrence,action,note,date,province,unit,unit_kind"
    assert lines[1].endswith(",,,") and lines[2].endswith(",江西,人,people")
    assert short.stat().st_mode & 0o777 == 0o640


def big_report() -> str:
    """A progress table of 300 villages with its total, between prose: many windows, many batches."""
    lines = ["白水县2021年村级道路硬化进展", "", "表1　各村道路硬化进展", "| 村 | 年度任务（公里） | 已完成（公里） | 完成率 |"]
    tasks, done = 0, 0
    for n in range(300):
        task, finished = 10 + n % 7, 9 + n % 5
        tasks, done = tasks + task, done + finished
        lines.append(f"| 第{n}村 | {task} | {finished} | {finished / task * 100:.1f}% |")
    lines.append(f"| 合计 | {tasks} | {done} | {done / tasks * 100:.1f}% |")
    lines += ["", "　　全县新建桥涵18孔，县城距市区40公里，新增城镇就业4300人。" * 3]
    return "\n".join(lines) + "\n"


def test_a_report_written_in_many_batches_gets_the_same_corrections_and_checks(tmp_path, monkeypatch):
    from analysis.extract import windows
    from analysis.store import pipeline

    text = big_report()
    write_report(tmp_path / "raw", text, "baishui")
    write_report(tmp_path / "raw", SAME_TWICE, "small")
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("doc_id,surface,occurrence,action,value,unit,unit_kind,note,date\n"
                     "baishui,| 12 |,5,set,,公里,length,n,2022-01-05\n"
                     "baishui,18孔,3,add,18,孔,count,n,2022-01-05\n"
                     "baishui,40公里,1,drop,,,,n,2022-01-05\n"
                     "small,3所,1,set,4,,,n,2022-01-05\n", encoding="utf-8")
    assert clean(tmp_path / "raw", tmp_path / "whole", corrections=fixes).ok
    monkeypatch.setattr(windows, "SIZE", 2_000)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 300)
    report = clean(tmp_path / "raw", tmp_path / "parts", corrections=fixes)
    assert report.ok
    for path in sorted((tmp_path / "whole").glob("*.csv")):
        if path.stem in ("figures", "figure_themes"):
            # the one difference: a figure added to a report written in batches comes at its end
            key = list(contract.TABLES[path.stem].key)
            whole, parts = (read_table(folder, path.stem).sort_values(key, ignore_index=True)
                            for folder in (tmp_path / "whole", tmp_path / "parts"))
            pd.testing.assert_frame_equal(parts, whole)
            continue
        assert (tmp_path / "parts" / path.name).read_bytes() == path.read_bytes(), path.name
    outcomes = read_table(tmp_path / "parts", "corrections")
    assert outcomes["status"].tolist() == ["not_needed", "applied", "applied", "applied"]  # the cell has its unit
    checks = read_table(tmp_path / "parts", "checks")
    assert len(checks) == 303 and checks["holds"].all()  # 301 rates and the 2 column totals


@pytest.mark.slow  # frictionless reads every file
def test_the_package_documents_corrections_and_checks_and_frictionless_validates_them(project, capsys):
    from frictionless import validate

    out = project / "clean"
    assert run(["clean", str(project / "raw"), "-o", str(out), "--corrections", str(project / "corrections.csv")],
               capsys)[0] == 0
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {"corrections", "checks"} <= set(resources)
    dictionary = (out / "README.md").read_text(encoding="utf-8")
    assert "## corrections" in dictionary and "## checks" in dictionary and "| `corrected` | boolean |" in dictionary
    report = validate(str(out / "datapackage.json"))
    assert [(t.name, e.message) for t in report.tasks for e in t.errors] == []
    # a wrong status is caught by the package's own schema
    path = out / "corrections.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",applied,", ",done,", 1), encoding="utf-8-sig")
    errors = [(t.name, e.type) for t in validate(str(out / "datapackage.json")).tasks for e in t.errors]
    assert errors == [("corrections", "constraint-error")]


def test_clean_corpus_applies_them_as_clean_does(project, capsys):
    out = project / "corpus"
    status, _, err = run(["clean-corpus", str(project / "raw"), "-o", str(out), "--jobs", "1", "--no-progress",
                          "--corrections", str(project / "corrections.csv")], capsys)
    assert status == 0 and "4 correction(s): 4 applied" in err
    assert figures_of(out) == RIGHT
    assert read_table(out, "corrections")["status"].tolist() == ["applied"] * 4
    assert read_table(out, "checks").empty
