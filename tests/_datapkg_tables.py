"""Hand-made per-document tables in the contract's columns (docs/ARCHITECTURE.md), for datapkg tests.

The report below is invented for these tests: three provinces, a lead, figures of several kinds.
Offsets are computed from the text, so the invariant text[span_start:span_end] == surface holds.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd

# (province, heading, [(sentence, [figure, ...], [date, ...])]); figure = (surface, value, unit,
# unit_kind, qualifier, subject, as_of); date = (surface, iso).
REPORT = [
    (None, None, [
        ("各地共收集群众意见建议15万条。", [("15万条", 150000, "条", "count", "exact", "收集群众意见建议", None)], []),
    ]),
    ("广东", "广东：民生实事加速落地", [
        ("截至目前，广东累计梳理民生实事项目3.6万个，已完成2.1万个。",
         [("3.6万个", 36000, "个", "count", "exact", "累计梳理民生实事项目", "2021-12-01"),
          ("2.1万个", 21000, "个", "count", "exact", "已完成", "2021-12-01")], []),
        ("全省12345热线今年受理群众来电860万件，按时办结率达98.5%。",
         [("860万件", 8600000, "件", "count", "exact", "热线受理群众来电", None),
          ("98.5%", 98.5, "%", "percent", "exact", "按时办结率", None)], []),
        ("组织志愿者走访独居老人12万人次。", [("12万人次", 120000, "人次", "people", "exact", "志愿者走访独居老人", None)], []),
    ]),
    ("四川", "四川：把实事办到群众身边", [
        ("11月20日，四川召开推进会。", [], [("11月20日", "2021-11-20")]),
        ("四川各级党组织实施为民办实事项目2.8万件，惠及群众500余万人。",
         [("2.8万件", 28000, "件", "count", "exact", "实施为民办实事项目", None),
          ("500余万人", 5000000, "人", "people", "lower_bound", "惠及群众", None)], []),
        ("新建社区食堂420个，为老年人提供助餐服务。", [("420个", 420, "个", "count", "exact", "新建社区食堂", None)], []),
        ("全省发放创业担保贷款45.6亿元。", [("45.6亿元", 4.56e9, "元", "money", "exact", "发放创业担保贷款", None)], []),
    ]),
    ("山东", "山东：办好群众家门口的事", [
        ("山东完成实事项目5万余项，群众满意率97%。",
         [("5万余项", 50000, "项", "count", "lower_bound", "完成实事项目", None),
          ("97%", 97, "%", "percent", "exact", "群众满意率", None)], []),
        ("审批时限压缩至5个工作日。", [("5个工作日", 5, "个工作日", "duration", "exact", "审批时限", None)], []),
        ("修缮村级文化广场150处。", [("150处", 150, "处", "count", "exact", "修缮村级文化广场", None)], []),
    ]),
]
TITLE = "各地扎实推进为民办实事"
PLACES = {"广东": ("广东省", "440000"), "四川": ("四川省", "510000"), "山东": ("山东省", "370000")}


def make_tables(doc_id: str = "900_test") -> dict[str, pd.DataFrame]:
    """documents, sections, sentences, figures, dates and mentions for the invented report."""
    text = TITLE + "\n"
    sections, sentences, figures, dates, mentions = [], [], [], [], []
    for number, (province, heading, body) in enumerate(REPORT):
        start = len(text) if heading else 0
        if heading:
            text += heading + "\n"
        for sentence_text, figs, date_specs in body:
            s_start = len(text)
            text += sentence_text
            sentence = len(sentences)
            sentences.append((doc_id, sentence, number, sentence, province, s_start, len(text), sentence_text))
            tokens = [(s, "figure", spec) for s, *spec in figs] + [(s, "date", iso) for s, iso in date_specs]
            for surface, kind, spec in tokens:
                at = s_start + sentence_text.index(surface)
                mentions.append([doc_id, at, at + len(surface), surface, kind, "test fixture"])
                if kind == "figure":
                    value, unit, unit_kind, qualifier, subject, as_of = spec
                    place, code = PLACES.get(province, ("", ""))
                    figures.append([doc_id, province, place, code, number, sentence, at, at + len(surface), surface,
                                    float(value), None, unit, unit_kind, qualifier,
                                    "cumulative" if "累计" in sentence_text else "level", as_of,
                                    "report" if as_of else None, "累计" in sentence_text, subject, sentence_text,
                                    None, "", "", None, None, False])
                else:
                    dates.append([doc_id, province, number, sentence, at, at + len(surface), surface, spec,
                                  spec, spec, "event"])
            text += "\n"
        sections.append((doc_id, number, province, heading, start, len(text)))
    figures.sort(key=lambda row: row[6])
    mentions.sort(key=lambda row: row[1])
    tables = {
        "documents": pd.DataFrame([{
            "doc_id": doc_id, "path": f"data/raw/{doc_id}.txt", "title": TITLE, "publisher": "测试", "url": "",
            "published": "2021-12-01", "published_inferred": False, "format": "text", "encoding": "utf-8",
            "n_pages": pd.NA,
            "sha256": hashlib.sha256(text.encode()).hexdigest(), "n_chars": len(text),
            "n_sections": len(sections), "n_sentences": len(sentences), "n_mentions": len(mentions),
            "n_figures": len(figures)}]).astype({"n_pages": "Int64"}),
        "sections": pd.DataFrame(sections, columns=["doc_id", "section", "province", "heading", "span_start", "span_end"]),
        "sentences": pd.DataFrame(sentences, columns=["doc_id", "sentence", "section", "paragraph", "province",
                                                      "span_start", "span_end", "text"]),
        "figures": pd.DataFrame(
            [[row[0], n, *row[1:]] for n, row in enumerate(figures)],
            columns=["doc_id", "figure", "province", "place", "place_code", "section", "sentence", "span_start",
                     "span_end", "surface", "value", "value_high", "unit", "unit_kind", "qualifier", "measure", "as_of",
                     "as_of_kind", "cumulative", "subject", "sentence_text", "table", "row_label", "column_header",
                     "total_row", "page", "corrected"]
        ).astype({"value_high": "float64", "table": "Int64", "total_row": "boolean", "page": "Int64"}),
        "dates": pd.DataFrame(dates, columns=["doc_id", "province", "section", "sentence", "span_start", "span_end",
                                              "surface", "date", "date_start", "date_end", "role"]),
        "mentions": pd.DataFrame([[row[0], n, *row[1:]] for n, row in enumerate(mentions)],
                                 columns=["doc_id", "mention", "span_start", "span_end", "surface", "disposition",
                                          "reason"]),
    }
    tables["text"] = text  # type: ignore[assignment]  # popped by callers that check offsets
    return tables


def contract_tables(doc_id: str = "900_test") -> dict[str, pd.DataFrame]:
    """make_tables without the text."""
    tables = make_tables(doc_id)
    tables.pop("text")
    return tables


ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
CENSUS = ROOT / "data" / "raw" / "reference" / "provinces_2020_census.tsv"


def seed_tables() -> dict[str, pd.DataFrame]:
    """The seed report through the real extractor, enriched and validated (what clean writes)."""
    from analysis.raw.census import load_provinces
    from analysis.raw.report import load_source
    from analysis.tables.build import build_tables
    from analysis.tables.enrich import enrich, validate

    from analysis.tables.frames import frame

    tables = enrich(build_tables(load_source(SEED)), load_provinces())
    return validate({**tables, "corrections": frame("corrections", [])})  # clean records the corrections it applied


def write_clean(tables: dict[str, pd.DataFrame], out) -> None:
    """Write tables, datapackage.json and README.md the way clean does (cells.csv_bytes, utf-8-sig)."""
    from analysis.store.cells import csv_bytes
    from analysis.store.transaction import transaction
    from analysis.tables.datapackage import package_files

    documents = tables["documents"].to_dict("records") if "documents" in tables else []
    files = {f"{name}.csv": csv_bytes(df) for name, df in tables.items()} | package_files(tables, documents)
    with transaction(out, "the tables") as tx:
        for name, content in files.items():
            tx.write(name, content)
        tx.commit()


def census_population() -> dict[str, int]:
    """Short name -> 2020 population, read straight from the raw census file (not via the package)."""
    with open(CENSUS, encoding="utf-8", newline="") as handle:
        return {row["province_short"]: int(row["population_2020"]) for row in csv.DictReader(handle, delimiter="\t")}
