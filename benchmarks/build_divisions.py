"""Build analysis/lexicon/divisions.tsv (and its traditional characters) from jionlp's data (a development step).

    .venv/bin/python benchmarks/build_divisions.py           # rewrite the files (needs the bench extra)
    .venv/bin/python benchmarks/build_divisions.py --check   # exit 1 if a committed file differs

The extractor maps the city and county names of table rows to their province through this file. Its
source is jionlp's ``dictionary/china_location.zip`` (Apache-2.0): the divisions down to villages with
their codes and curated short names (大连, 延边, 克州/克孜勒苏, 海南州 for 海南藏族自治州). Parsing that
12 MB file takes over a second, and importing jionlp prints a banner and pulls in numpy, so the run-time
package never touches it: this script keeps the province, prefecture and county rows (level 0-2) in a
121 KB TSV that the standard library reads in a few milliseconds. The file's header records the
jionlp version and the zip's sha256, so a rebuild from other data shows in the diff.

``traditional_place_chars.tsv`` comes from jionlp's ``dictionary/tra2sim_char.txt``: the traditional form of
every character written in a division's name (廣 -> 广, 東 -> 东), so place names are found on a page in
traditional script. A traditional character that some simplified name also writes (乾 of 乾安县) is left
out: mapping it would lose that name.
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
CHARS_OUT = ROOT / "analysis" / "lexicon" / "traditional_place_chars.tsv"
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


def build_chars(division_text: str, tra2sim: Path, version: str) -> str:
    """The TSV text: traditional, simplified, for the characters of every division name and alias."""
    written: set[str] = set()
    for line in division_text.splitlines():
        if line.startswith("#") or line.startswith("code\t"):
            continue
        _, name, alias, _, _ = line.split("\t")
        written.update(name + alias.replace("/", ""))
    pairs = set()
    with tra2sim.open(encoding="utf-8") as handle:
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            if len(cells) != 2 or len(cells[0]) != 1 or len(cells[1]) != 1:
                continue
            traditional, simplified = cells
            if simplified in written and traditional not in written and traditional != simplified:
                pairs.add((traditional, simplified))
    digest = hashlib.sha256(tra2sim.read_bytes()).hexdigest()
    out = [
        "# Traditional forms of the characters of division names, for finding place names in a page in traditional",
        "# script (analysis/extract/places.py). Built by benchmarks/build_divisions.py; do not edit by hand.",
        f"# source: {SOURCE} {version}, dictionary/tra2sim_char.txt, sha256 {digest}",
        f"# licence: {LICENCE} (jionlp)",
        "traditional\tsimplified",
    ]
    out.extend(f"{t}\t{s}" for t, s in sorted(pairs))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    version = importlib.metadata.version(SOURCE)
    zip_path = jionlp_zip()
    text = build(zip_path, version)
    chars = build_chars(text, zip_path.parent / "tra2sim_char.txt", version)
    outputs = ((OUT, text), (CHARS_OUT, chars))
    if args.check:
        stale = [path.name for path, built in outputs if path.read_text(encoding="utf-8") != built]
        print(f"{', '.join(stale)} differ(s) from a rebuild" if stale else "division data is up to date")
        return 1 if stale else 0
    for path, built in outputs:
        path.write_text(built, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({built.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
