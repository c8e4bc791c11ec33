"""Build analysis/lexicon/divisions.tsv from jionlp's administrative-division data (a development step).

    .venv/bin/python benchmarks/build_divisions.py           # rewrite the file (needs the bench extra)
    .venv/bin/python benchmarks/build_divisions.py --check   # exit 1 if the committed file differs

The extractor maps the city and county names of table rows to their province through this file. Its
source is jionlp's ``dictionary/china_location.zip`` (Apache-2.0): the divisions down to villages with
their codes and curated short names (大连, 延边, 克州/克孜勒苏, 海南州 for 海南藏族自治州). Parsing that
12 MB file takes over a second, and importing jionlp prints a banner and pulls in numpy, so the run-time
package never touches it: this script keeps the province, prefecture and county rows (level 0-2) in a
121 KB TSV that the standard library reads in a few milliseconds. The file's header records the
jionlp version and the zip's sha256, so a rebuild from other data shows in the diff.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "analysis" / "lexicon" / "divisions.tsv"
SOURCE = "jionlp"
LICENCE = "Apache-2.0"


def jionlp_zip() -> Path:
    """Where jionlp's division data is, found without importing jionlp (its import prints a banner)."""
    spec = importlib.util.find_spec(SOURCE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{SOURCE} is not installed: make setup EXTRAS=dev,bench")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"


def build(zip_path: Path, version: str) -> str:
    """The TSV text: code, name, alias, level (0 province, 1 prefecture, 2 county), province (short name)."""
    rows = set()
    with zipfile.ZipFile(zip_path) as archive, archive.open("china_location.txt") as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            level = len(line) - len(line.lstrip("\t"))  # towns (3) and villages (4) are left out
            cells = line.strip().split("\t")
            if level <= 2 and len(cells) == 3:
                name, code, alias = cells
                rows.add((code, name, alias, str(level)))
    short = {code[:2]: alias for code, name, alias, level in rows if level == "0"}
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    out = [
        "# Provinces, prefectures and counties with their codes and short names, for mapping the place names of",
        "# table rows to their province (analysis/extract/divisions.py). Built by benchmarks/build_divisions.py;",
        "# do not edit by hand.",
        f"# source: {SOURCE} {version}, dictionary/china_location.zip, sha256 {digest}",
        f"# licence: {LICENCE} (jionlp); the division names and codes are facts of the national division code list",
        "# columns: code (6 digits), name, alias (short names, / between them), level (0 province, 1 prefecture,",
        "# 2 county), province (the short name of the province the code belongs to)",
        "code\tname\talias\tlevel\tprovince",
    ]
    for code, name, alias, level in sorted(rows):
        out.append("\t".join((code, name, alias, level, short.get(code[:2], ""))))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    text = build(jionlp_zip(), importlib.metadata.version(SOURCE))
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("divisions.tsv is up to date" if same else "divisions.tsv differs from a rebuild")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({text.count(chr(10)) - 8} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
