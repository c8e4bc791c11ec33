"""Reading reports as published: CPU time per PDF page, per Word, Excel and web-page file, and whether
every format gives the same figures.

    python benchmarks/bench_formats.py [--copies 10] [--json OUT]

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


def report(results: dict) -> None:
    table = []
    for r in results["rows"]:
        per_page = f"{r['read_seconds'] / r['pages'] * 1000:.0f} ms" if r["pages"] else "-"
        table.append([r["format"], f"{r['bytes']:,}", str(r["pages"] or "-"), f"{r['chars']:,}", str(r["figures"]),
                      f"{r['read_seconds'] * 1000:.0f} ms", per_page, f"{r['build_seconds'] * 1000:.0f} ms",
                      r["same_figures_as_text"]])
    print_table(table, ["format", "bytes", "pages", "chars", "figures", "read (CPU)", "per page", "read + tables",
                        "same figures as text"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the bulletin in the long PDF")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    return finish(run(args.copies), report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
