"""Describe the clean tables: ``datapackage.json`` (Frictionless Table Schema) and ``README.md``.

Both are generated from the table contract (:mod:`analysis.tables.contract`), the same
definitions the tables are built, validated and read with, so the description, the dictionary
and the code cannot drift apart. ``package_files`` gives both, to be written with the CSVs of
``clean``, or with the Parquet parts of ``clean-corpus`` (``parts``: each resource's ``path`` is
then the list of its part files, ``format`` parquet).
"""

from __future__ import annotations

import re

import json
from collections.abc import Iterable, Mapping

from analysis.tables import contract

PACKAGE_NAME = "analysis-clean"
# The tables hold facts read off the reports plus the sentences they were read from, so whoever
# reuses them must credit the reports (``sources``); the sentences stay their publishers' text.
# "other-at" is the Open Definition id for "other licence, attribution required".
LICENSES = [{
    "name": "other-at",
    "title": "Facts extracted from the reports listed in sources, with the census figures; reuse them "
             "crediting those sources. The quoted sentences (sentence_text, sentences.text) remain the "
             "publishers' copyright: quote them as such.",
}]
# Past this many reports, sources name each publisher once (with a count) instead of every report.
MAX_LISTED_SOURCES = 20


def _names(tables: Mapping | Iterable[str]) -> list[str]:
    names = list(tables)
    unknown = sorted(set(names) - set(contract.TABLES))
    if unknown:
        raise ValueError(f"no schema for table(s) {', '.join(unknown)}")
    return [name for name in contract.TABLES if name in names]  # the contract's order, whatever the caller's


def _strip_anchors(pattern: str) -> str:
    # Table Schema patterns always match the whole value, so ^ and $ are implied.
    return pattern.removeprefix("^").removesuffix("$")


def field_descriptor(column: contract.Column, csv: bool = True) -> dict:
    """One Table Schema field from one contract column (type, description, constraints); ``csv``:
    with the spelling of booleans in a CSV (Parquet has booleans of its own)."""
    constraints: dict = {}
    if column.required:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    allowed = column.allowed()
    if allowed is not None:
        constraints["enum"] = list(allowed)
    if column.pattern is not None and column.type != contract.DATE:
        constraints["pattern"] = _strip_anchors(column.pattern)  # the date type already demands YYYY-MM-DD
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    descriptor = {"name": column.name, "type": column.type, "description": column.description}
    if column.type == contract.BOOLEAN and csv:
        # Exactly the spelling the writer uses: a file with true/false or 1/0 then fails validation.
        descriptor["trueValues"], descriptor["falseValues"] = [contract.CSV_TRUE], [contract.CSV_FALSE]
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(name: str, csv: bool = True) -> dict:
    """The Table Schema of clean table ``name`` (``csv``: as a CSV spells it, see :func:`field_descriptor`)."""
    table = contract.TABLES[name]
    schema = {
        "fields": [field_descriptor(column, csv) for column in table.columns],
        "missingValues": [contract.CSV_MISSING],
        "primaryKey": list(table.key),
    }
    # A key whose cells may name several rows (广东|江苏) is no Table Schema foreign key: its field gets a
    # pattern of the rows' names instead, so a validator still catches a name that is not one of them.
    for fk in table.references:
        if fk.separator:
            field = next(f for f in schema["fields"] if f["name"] == fk.fields[0])
            field.setdefault("constraints", {})["pattern"] = _list_pattern(fk)
    keys = [fk for fk in table.references if not fk.separator]
    if keys:
        schema["foreignKeys"] = [
            {"fields": list(fk.fields), "reference": {"resource": fk.table, "fields": list(fk.to)}}
            for fk in keys
        ]
    return schema


def _list_pattern(fk: contract.Reference) -> str:
    """The names of the rows ``fk`` points to, one or several joined by its separator, as a pattern."""
    if fk.table != "provinces":
        raise ValueError(f"no list of {fk.table} names for a several-valued key")
    from analysis.raw.census import census_rows

    names = "|".join(re.escape(row["province"]) for row in census_rows())
    sep = re.escape(fk.separator)
    return f"(?:{names})(?:{sep}(?:{names}))*"


PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def resource(name: str, parts: list[str] | None = None) -> dict:
    """The data package resource of one table: its CSV file, format and Table Schema; with ``parts``
    (paths relative to the package), its Parquet parts instead."""
    if parts is not None:
        return {"name": name, "path": list(parts), "description": contract.TABLES[name].row, "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE, "schema": table_schema(name, csv=False)}
    return {
        "name": name,
        "path": f"{name}.csv",
        "description": contract.TABLES[name].row,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": contract.CSV_ENCODING,
        "schema": table_schema(name),
    }


def _text(value) -> str:
    """A cell as text; "" for None, NaN and pandas' NA (whose truth value raises)."""
    try:
        missing = value is None or bool(value != value)
    except TypeError:
        missing = True
    return "" if missing else str(value).strip()


def report_sources(documents: Iterable[Mapping]) -> list[dict]:
    """Table Schema ``sources`` for the reports: title, publisher and date, with the URL as ``path``.

    ``documents`` are rows of the documents table (mappings with ``title``, ``publisher``,
    ``published``, ``url``). Past :data:`MAX_LISTED_SOURCES` reports, one entry per publisher.

    >>> report_sources([{"title": "把办实事落到实处", "publisher": "人民日报", "published": "2021-12-01", "url": ""}])
    [{'title': '人民日报：把办实事落到实处（2021-12-01）'}]
    """
    documents = list(documents)
    if len(documents) > MAX_LISTED_SOURCES:
        counts: dict[str, int] = {}
        for doc in documents:
            publisher = _text(doc.get("publisher")) or "未注明出处"
            counts[publisher] = counts.get(publisher, 0) + 1
        return [{"title": f"{publisher}：{n} 篇报道（逐篇见 documents.csv 的 title、published、url）"}
                for publisher, n in counts.items()]
    out = []
    for doc in documents:
        title, publisher, published = (_text(doc.get(k)) for k in ("title", "publisher", "published"))
        entry = {"title": "：".join(p for p in (publisher, title) if p) + (f"（{published}）" if published else "")}
        if _text(doc.get("url")):
            entry["path"] = _text(doc.get("url"))
        out.append(entry)
    return out


def census_source() -> dict:
    """The source of the ``provinces`` table: the census communiqué, from its provenance sidecar."""
    from analysis.raw.census import CENSUS_TSV
    from analysis.raw.sidecar import read_sidecar

    meta = read_sidecar(CENSUS_TSV)
    published = meta.get("date_published")
    title = "：".join(_text(meta.get(k)) for k in ("publisher", "title") if _text(meta.get(k)))
    entry = {"title": title + (f"（{published.isoformat()}）" if published else "")}
    if _text(meta.get("url")):
        entry["path"] = _text(meta.get("url"))
    return entry


def package(tables: Mapping | Iterable[str], documents: Iterable[Mapping] = (),
            parts: Mapping[str, list[str]] | None = None) -> dict:
    """The ``datapackage.json`` descriptor for the given clean tables, one resource per CSV (or per
    table of Parquet ``parts``), with ``licenses`` and ``sources`` (each report of ``documents``, and
    the census when the package has the provinces table).

    Raises ValueError if a table is not in the contract or references a table that is not in the package.
    """
    names = _names(tables)
    for name in names:
        for fk in contract.TABLES[name].references:
            if fk.table not in names:
                raise ValueError(f"{name} references {fk.table}, which is not in the package")
    return {
        "name": PACKAGE_NAME,
        "title": "Figures in Chinese government news reports, as tidy tables",
        "description": "Generated by analysis/tables/datapackage.py from the table contract in analysis/tables/contract.py; see README.md.",
        "licenses": LICENSES,
        "sources": report_sources(documents) + ([census_source()] if "provinces" in names else []),
        "resources": [resource(name, None if parts is None else parts.get(name, [])) for name in names],
    }


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints_text(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"matches `{c['pattern']}`")
    if "minimum" in c:
        parts.append(f">= {c['minimum']}")
    if c.get("unique"):
        parts.append("unique")
    return _cell("; ".join(parts))


PARQUET_CONVENTIONS = [
    "This folder is a `clean-corpus` output: each table is a folder of Parquet parts, `<table>/part-*.parquet`,",
    "typed as the columns below say (text, int64, double, bool, and dates as Parquet dates), so DuckDB",
    "(`select year(published) from 'documents/*.parquet'`), R's arrow and pandas read typed columns. Parts are",
    "named by their partition, not by their place: order rows by `doc_id` (each report's rows are in order).",
    "`analysis.load(\"figures\", \"<this folder>\")` reads them as the CSVs of `clean` read. With `--csv` the",
    "same tables are also `<table>.csv`, in the format described next.",
    "",
]


def dictionary(tables: Mapping | Iterable[str], parquet: bool = False) -> str:
    """The data dictionary (Markdown) for the given clean tables: one line per column (``parquet``:
    for a clean-corpus output, whose tables are Parquet parts)."""
    descriptor = package(tables)
    out = [
        "# Clean tables: data dictionary",
        "",
        "Generated by `analysis/tables/datapackage.py` from the table contract in `analysis/tables/contract.py`",
        "(the definitions the code builds, validates and reads with); do not edit by hand.",
        "`datapackage.json` describes the same tables for Frictionless tools.",
        "",
        *(PARQUET_CONVENTIONS if parquet else []),
        "Conventions: CSV, comma-separated, UTF-8 with a byte-order mark (`utf-8-sig`, so Excel shows",
        "Chinese on double-click; `pandas.read_csv` strips it, other readers may need `encoding=\"utf-8-sig\"`).",
        "Missing values are empty cells. Dates are ISO (`YYYY-MM-DD`). Numbers are plain (no thousands",
        "separators, no units: the unit is its own column). Booleans are `TRUE` / `FALSE`, which base R's",
        "`read.csv`, readr, data.table, DuckDB, pandas and Excel all read as logical values without arguments.",
        f"A text cell holds at most {contract.CSV_MAX_CELL:,} characters, the most an Excel cell takes: a longer sentence",
        f"is split into several sentences, and any other longer text is cut there and ends with `{contract.CSV_CUT}`.",
        "In R under a locale that is not UTF-8, read with",
        "`read.csv(path, fileEncoding = \"UTF-8-BOM\")` so the first column is not named `X...doc_id`.",
        "In Python, `analysis.load(\"figures\")` returns a typed DataFrame.",
        "",
        "| table | one row per |",
        "| --- | --- |",
    ]
    out += [f"| [{r['name']}](#{r['name']}) | {_cell(r['description'])} |" for r in descriptor["resources"]]
    for resource in descriptor["resources"]:
        schema = resource["schema"]
        out += ["", f"## {resource['name']}", "", resource["description"], "",
                f"Key: {', '.join(f'`{k}`' for k in schema['primaryKey'])}."]
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            out.append(f"`{'`, `'.join(fk['fields'])}` refers to `{ref['resource']}` (`{'`, `'.join(ref['fields'])}`).")
        checks = [c.name for c in contract.TABLES[resource["name"]].checks]
        if checks:
            out.append("Row checks: " + ", ".join(f"`{c}`" for c in checks) + ".")
        out += ["", "| column | type | required | allowed values | meaning |", "| --- | --- | --- | --- | --- |"]
        for field in schema["fields"]:
            required = "yes" if field.get("constraints", {}).get("required") else ""
            out.append(f"| `{field['name']}` | {field['type']} | {required} | {_constraints_text(field)} | "
                       f"{_cell(field['description'])} |")
    return "\n".join(out) + "\n"


def package_files(tables: Mapping | Iterable[str], documents: Iterable[Mapping] = (),
                  parts: Mapping[str, list[str]] | None = None) -> dict[str, bytes]:
    """``{"datapackage.json": ..., "README.md": ...}`` as bytes, for an atomic write with the CSVs
    (or the Parquet ``parts`` of each table); ``documents`` (rows of the documents table) give the
    package's sources."""
    names = _names(tables)
    text = json.dumps(package(names, documents, parts), ensure_ascii=False, indent=2) + "\n"
    return {"datapackage.json": text.encode("utf-8"),
            "README.md": dictionary(names, parquet=parts is not None).encode("utf-8")}
