"""Reading reports as published: CPU time per PDF page, per Word, Excel and web-page file, and whether
every format gives the same figures.

    python benchmarks/bench_formats.py [--copies 10] [--json OUT]
    python benchmarks/bench_formats.py --genre    # also: the seed and the twelve genre reports converted

``--genre`` converts the seed report and the twelve reports of ``benchmarks/genre/`` as a person would
(``documents.blocks_of_text``: pipe and aligned-column tables become real tables) to PDF (a running
header and page numbers on every page) and DOCX, and their tables to XLSX, and counts the figures
(value, unit, qualifier, province, as-of) each format gains or loses against the text.

The invented bulletin of tests/documents.py (prose, three tables, one over two pages) is written as
text, PDF, DOCX and XLSX, and as a longer PDF holding ``--copies`` copies of it; each file is read
(``load_source``: the reader alone) and cleaned into tables (``build_tables``). One core, CPU time,
median of 5. The figures (value, unit, qualifier, province) of each format are compared with those
of the text; for XLSX with those of the text's tables.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import ROOT, finish, median_seconds, pin_to_one_core, print_table

sys.path.append(str(ROOT / "tests"))


def _key(figures) -> collections.Counter:
    return collections.Counter(map(tuple, figures[["value", "unit", "qualifier", "province"]].astype(str).values.tolist()))


def run(copies: int) -> dict:
    import documents

    from analysis.raw.report import load_source
    from analysis.tables.build import build_tables

    pin_to_one_core()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        base = Path(tmp)
        files = {"text": base / "bulletin.txt", "pdf": base / "bulletin.pdf", "docx": base / "bulletin.docx",
                 "xlsx": base / "bulletin.xlsx", f"pdf x{copies}": base / "long.pdf", "web page": base / "page.html"}
        files["text"].write_text(documents.plain_text(), encoding="utf-8")
        documents.pdf(files["pdf"])
        documents.docx(files["docx"])
        documents.xlsx(files["xlsx"])
        documents.pdf(files[f"pdf x{copies}"], documents.BULLETIN * copies)
        files["web page"].write_text(documents.WEB_PAGE, encoding="utf-8")
        text_figures = build_tables(load_source(files["text"]))["figures"]
        for name, path in files.items():
            source = load_source(path)
            figures = build_tables(source)["figures"]
            read = median_seconds(lambda: load_source(path))
            clean = median_seconds(lambda: build_tables(load_source(path)))
            if name in ("pdf", "docx"):
                same = str(_key(figures) == _key(text_figures))
            elif name == "xlsx":
                same = str(_key(figures) == _key(text_figures[text_figures["table"].notna()]))
            else:
                same = "-"
            rows.append({"format": name, "bytes": path.stat().st_size, "pages": source.n_pages or 0,
                         "chars": len(source.text), "figures": len(figures), "read_seconds": read,
                         "build_seconds": clean, "same_figures_as_text": same})
    return {"rows": rows}


GENRE_KEY = ["value", "unit", "qualifier", "province", "as_of"]


def genre() -> list[dict]:
    """The seed and the genre reports as text, PDF, DOCX and (tables) XLSX: figures lost and gained."""
    import datetime as dt

    import documents

    from analysis.raw.decode import read_text
    from analysis.raw.report import load_source
    from analysis.tables.build import TextSource, build_tables

    def key(figures):
        return collections.Counter(map(tuple, figures[GENRE_KEY].astype(str).values.tolist()))

    texts = [ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt", *sorted((ROOT / "benchmarks" / "genre").glob("*.txt"))]
    published = dt.date(2022, 3, 1)  # one date for every format: dates are compared too
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-genre-") as tmp:
        for path in texts:
            text = read_text(path).text
            blocks = documents.blocks_of_text(text)
            base = build_tables(TextSource(path.stem, text, published))["figures"]
            row = {"report": path.stem, "figures": len(base)}
            for kind, write in (("pdf", documents.pdf), ("docx", documents.docx), ("xlsx", documents.xlsx)):
                if kind == "xlsx" and not any(b.kind == "table" for b in blocks):
                    row[kind] = None  # no tables: no workbook
                    continue
                out = Path(tmp, f"{path.stem}.{kind}")
                write(out, blocks, **({"header": "示例报　第一版"} if kind != "xlsx" else {"title": blocks[0].text}))
                found = build_tables(TextSource(path.stem, load_source(out).text, published))["figures"]
                want = key(base if kind != "xlsx" else base[base["table"].notna()])
                got = key(found)
                row[kind] = (sum((want - got).values()), sum((got - want).values()), sum(want.values()))
            rows.append(row)
    return rows


def report(results: dict) -> None:
    table = []
    for r in results["rows"]:
        per_page = f"{r['read_seconds'] / r['pages'] * 1000:.0f} ms" if r["pages"] else "-"
        table.append([r["format"], f"{r['bytes']:,}", str(r["pages"] or "-"), f"{r['chars']:,}", str(r["figures"]),
                      f"{r['read_seconds'] * 1000:.0f} ms", per_page, f"{r['build_seconds'] * 1000:.0f} ms",
                      r["same_figures_as_text"]])
    print_table(table, ["format", "bytes", "pages", "chars", "figures", "read (CPU)", "per page", "read + tables",
                        "same figures as text"])
    if results.get("genre"):
        print("\nthe seed and the genre reports converted: figures lost / gained against the text "
              f"({', '.join(GENRE_KEY)}); XLSX against the text's table figures")
        table = [[r["report"], str(r["figures"]),
                  *(f"{r[k][0]} / {r[k][1]} of {r[k][2]}" if r[k] else "-" for k in ("pdf", "docx", "xlsx"))]
                 for r in results["genre"]]
        print_table(table, ["report", "figures", "PDF", "DOCX", "XLSX (tables)"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the bulletin in the long PDF")
    parser.add_argument("--genre", action="store_true", help="also convert the seed and the genre reports")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    results = run(args.copies)
    if args.genre:
        results["genre"] = genre()
    return finish(results, report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
