"""Check the hand-made answer keys of benchmarks/genre/ against their texts (and help write them).

    PYTHONPATH=. python benchmarks/check_genre_gold.py                 # check every case in the manifest
    PYTHONPATH=. python benchmarks/check_genre_gold.py 07_jiangxi_bulletin
    PYTHONPATH=. python benchmarks/check_genre_gold.py --fix 07_jiangxi_bulletin   # resolve shorthands

What is checked, for each gold row (columns as in tests/data/seed_gold.tsv):

* the row has the nine columns, a known ``kind`` (stat, date, trap, optional) and qualifier;
* ``occ`` is a number and the surface really occurs that often (occurrences are counted the way
  benchmarks/score_extractor.py counts them: overlapping ``str.find``); ``stat``, ``date`` and
  ``optional`` rows name one occurrence (occ >= 1), because the scorer keys them by one span;
* a surface that starts or ends with a numeral is not cut out of a longer number at that occurrence
  (``3.1`` inside ``13.1`` or ``3.15`` is a gold error: no extractor can produce that span);
* a stat has a unit, unless it is a bare table cell (an index, a count no header or unit column names);
* stat and optional values are decimal numbers, date values ISO (YYYY, YYYY-MM, YYYY-MM-DD or an
  interval), ``as_of`` ISO or ``report``;
* no two stat rows share a span, and no trap overlaps a stat, date or optional span (the scorer
  would count a correct figure as a trap hit);
* every text in the manifest has a gold file and every case reads with the project's reader.

``--fix`` rewrites a gold file in place after resolving two shorthands used while writing it:
``occ`` written ``@ANCHOR`` (the surface's first token-bounded occurrence inside the one place the
text holds ANCHOR; ``@ANCHOR#k`` for the k-th) becomes the occurrence number, and a ``value`` written
with a Chinese multiplier (``31254.6亿``, ``6.84万``) becomes the expanded number. The anchors are a
writing aid only: the committed files hold plain numbers.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENRE_DIR = ROOT / "benchmarks" / "genre"
COLUMNS = ["surface", "occ", "kind", "province", "value", "unit", "qualifier", "as_of", "subject"]
KINDS = {"stat", "date", "trap", "optional"}
QUALIFIERS = {"", "exact", "approx", "lower_bound", "upper_bound"}
_ISO = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}(?:-\d{2})?)$")
_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_ARABIC = set("0123456789")
_BARE_CELL = re.compile(r"[-−]?\d+(?:\.\d+)?")  # a table cell that is one number
_CHINESE = set("零〇一二三四五六七八九十百千万亿两")


def occurrences(text: str, surface: str) -> list[int]:
    """Start offsets of ``surface`` in ``text``, overlapping, as the scorer finds them."""
    found, pos = [], text.find(surface)
    while pos >= 0:
        found.append(pos)
        pos = text.find(surface, pos + 1)
    return found


def bounded(text: str, start: int, surface: str) -> bool:
    """Whether ``surface`` at ``start`` is a whole token: no digit run continues across its edges."""
    end = start + len(surface)
    before = text[start - 1] if start else ""
    after = text[end:end + 2]
    first, last = surface[0], surface[-1]
    if first in _ARABIC or first in "-.":
        if before and (before in _ARABIC or before in ".,"):
            return False
    if first in _CHINESE and before in _CHINESE:
        return False
    if last in _ARABIC:
        if after[:1] in _ARABIC or (after[:1] in ".," and after[1:2] in _ARABIC):
            return False
    return True


def expand(value: str) -> str:
    """'31254.6亿' -> '3125460000000'; a plain number is returned unchanged (normalised)."""
    digits = value.rstrip("".join(_MULTIPLIERS))
    number = Decimal(digits)
    for char in value[len(digits):]:
        number *= _MULTIPLIERS[char]
    text = format(number.normalize(), "f")
    return text


def resolve_occ(text: str, surface: str, spec: str) -> int:
    anchor, sep, k = spec[1:].rpartition("#")
    if not sep or not k.isdigit():  # no #k suffix: a '#' may belong to the anchor (| #工业 |)
        anchor, k = spec[1:], "1"
    k = int(k)
    places = occurrences(text, anchor)
    if len(places) != 1:
        raise ValueError(f"anchor {anchor!r} occurs {len(places)} times (needs exactly one)")
    lo, hi = places[0], places[0] + len(anchor)
    starts = occurrences(text, surface)
    inside = [i for i, s in enumerate(starts) if lo <= s and s + len(surface) <= hi and bounded(text, s, surface)]
    if len(inside) < k:
        raise ValueError(f"{surface!r} has {len(inside)} token occurrences inside anchor {anchor!r}, not {k}")
    return inside[k - 1] + 1


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[0], rows[1:]


def fix(path: Path, text: str) -> int:
    header, rows = read_rows(path)
    changed = 0
    for row in rows:
        cells = dict(zip(header, row))
        if cells["occ"].startswith("@"):
            row[header.index("occ")] = str(resolve_occ(text, cells["surface"], cells["occ"]))
            changed += 1
        value = cells["value"]
        if cells["kind"] in ("stat", "optional") and value and value[-1] in _MULTIPLIERS:
            row[header.index("value")] = expand(value)
            changed += 1
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n", escapechar=None)
        writer.writerow(header)
        writer.writerows(rows)
    return changed


def check(path: Path, text: str) -> list[str]:
    errors: list[str] = []
    header, rows = read_rows(path)
    if header != COLUMNS:
        return [f"{path.name}: header {header} is not {COLUMNS}"]
    spans: dict[str, list[tuple[int, int, int]]] = {k: [] for k in KINDS}
    for line, row in enumerate(rows, start=2):
        where = f"{path.name}:{line}"
        if len(row) != len(COLUMNS):
            errors.append(f"{where}: {len(row)} cells, expected {len(COLUMNS)}")
            continue
        cells = dict(zip(COLUMNS, row))
        surface, kind = cells["surface"], cells["kind"]
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
            continue
        if cells["qualifier"] not in QUALIFIERS:
            errors.append(f"{where}: unknown qualifier {cells['qualifier']!r}")
        if not cells["occ"].isdigit():
            errors.append(f"{where}: occ {cells['occ']!r} is not a number (run --fix?)")
            continue
        occ = int(cells["occ"])
        starts = occurrences(text, surface)
        if not starts:
            errors.append(f"{where}: {surface!r} not in the text")
            continue
        if occ > len(starts):
            errors.append(f"{where}: {surface!r} occurs {len(starts)} times, not {occ}")
            continue
        if kind != "trap" and occ == 0:
            errors.append(f"{where}: a {kind} row must name one occurrence (occ >= 1)")
            continue
        chosen = starts if occ == 0 else [starts[occ - 1]]
        for s in chosen:
            if kind != "trap" and not bounded(text, s, surface):
                context = text[max(0, s - 6):s + len(surface) + 6].replace("\n", "⏎")
                errors.append(f"{where}: {surface!r} occurrence {occ} is inside a longer number: …{context}…")
            spans[kind].append((s, s + len(surface), line))
        if kind in ("stat", "optional"):
            try:
                Decimal(cells["value"])
            except InvalidOperation:
                errors.append(f"{where}: value {cells['value']!r} is not a number (run --fix?)")
        if kind == "date" and cells["value"]:
            ends = cells["value"].split("/")
            if not all(_ISO.match(e) for e in ends):
                errors.append(f"{where}: date value {cells['value']!r} is not ISO")
        if cells["as_of"] and cells["as_of"] != "report" and not _ISO.match(cells["as_of"]):
            errors.append(f"{where}: as_of {cells['as_of']!r} is not ISO")
        if kind == "stat" and not cells["unit"] and not _BARE_CELL.fullmatch(cells["surface"]):
            # a table cell may have none (an index, a count column whose table names no unit); prose always has one
            errors.append(f"{where}: a stat needs a unit")
    seen: dict[tuple[int, int], int] = {}
    for s, e, line in spans["stat"]:
        if (s, e) in seen:
            errors.append(f"{path.name}:{line}: same span as line {seen[(s, e)]}")
        seen[(s, e)] = line
    keyed = spans["stat"] + spans["date"] + spans["optional"]
    for ts, te, tline in spans["trap"]:
        for s, e, line in keyed:
            if s < te and ts < e:
                errors.append(f"{path.name}:{tline}: trap overlaps the gold row on line {line}")
    return errors


def manifest_cases(genre_dir: Path) -> list[str]:
    with (genre_dir / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        return [Path(r["file"]).stem for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def read_text(path: Path) -> str:
    """The report as the extractor reads it (encoding detected, BOM removed), so offsets agree."""
    from analysis.raw.decode import read_text as project_read

    return project_read(path).text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (file stems); default: the whole manifest")
    parser.add_argument("--fix", action="store_true", help="resolve @anchor occurrences and 万/亿 values in place")
    parser.add_argument("--genre-dir", type=Path, default=GENRE_DIR)
    args = parser.parse_args(argv)
    listed = manifest_cases(args.genre_dir)
    names = args.cases or listed
    errors: list[str] = []
    for txt in sorted(args.genre_dir.glob("*.txt")):
        if txt.stem not in listed:
            errors.append(f"{txt.name}: not in manifest.tsv")
    for name in names:
        txt, gold = args.genre_dir / f"{name}.txt", args.genre_dir / f"{name}.tsv"
        if not txt.exists() or not gold.exists():
            errors.append(f"{name}: missing .txt or .tsv")
            continue
        text = read_text(txt)
        if args.fix:
            try:
                print(f"{name}: {fix(gold, text)} cells resolved")
            except ValueError as err:
                errors.append(f"{name}: {err}")
                continue
        errors.extend(check(gold, text))
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(names)} case(s) checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
