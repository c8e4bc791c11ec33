"""Score the figure extractor against hand-made gold: the seed report and a held-out genre set.

    PYTHONPATH=. python benchmarks/score_extractor.py            # analysis.extract.figures.extract
    PYTHONPATH=. python benchmarks/score_extractor.py --baseline # a 20-line regex, for the bar

Gold files are TSVs (surface, occ, kind, province, value, unit, qualifier, as_of, subject; see
tests/data/seed_gold.tsv). Only ``stat`` rows count. A predicted figure matches a gold row when it
spans the same occurrence of the surface and has the same value; ``optional`` rows are neutral
(keeping or dropping them costs nothing). Among matches, unit, qualifier (empty gold = exact),
province (short names, | between several, empty for national) and as_of (an ISO day or empty)
accuracy are reported separately; province and as_of are read off the figures table the report
builds (``analysis.tables.build``), as ``extract`` writes it. ``traps`` counts figures overlapping a
trap row; ``dates`` counts gold date rows found as dates with the right ISO value.

The genre set (benchmarks/genre/) is held out: tune the extractor to the genre, not to these files,
and do not read them. ``--details`` lists misses and is meant for whoever maintains the gold.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
SEED_GOLD = ROOT / "tests" / "data" / "seed_gold.tsv"
SEED_PUBLISHED = date(2021, 12, 1)
GENRE_DIR = ROOT / "benchmarks" / "genre"


@dataclass
class Case:
    name: str
    path: Path
    gold: Path
    published: date
    encoding: str


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    unit_ok: int = 0
    qualifier_ok: int = 0
    province_ok: int = 0
    as_of_ok: int = 0
    dates_gold: int = 0
    dates_ok: int = 0
    traps_hit: int = 0
    seconds: float = 0.0

    def add(self, other: "Score") -> None:
        for field in self.__dataclass_fields__:
            setattr(self, field, getattr(self, field) + getattr(other, field))

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def cases(genre_dir: Path) -> list[Case]:
    found = [Case("seed", SEED, SEED_GOLD, SEED_PUBLISHED, "utf-8")]
    manifest = genre_dir / "manifest.tsv"
    if manifest.exists():
        with manifest.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                path = genre_dir / row["file"]
                found.append(Case(path.stem, path, path.with_suffix(".tsv"),
                                  date.fromisoformat(row["published"]), row["encoding"]))
    return found


def read_text(case: Case) -> str:
    """Decode through the project's reader when it exists, so encoding detection is scored too."""
    try:
        from analysis.raw.decode import read_text as project_read
    except ImportError:
        return case.path.read_bytes().decode(case.encoding).lstrip("\ufeff")
    return project_read(case.path).text


def read_gold(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    spans, pos = [], text.find(surface)
    while pos >= 0:
        spans.append((pos, pos + len(surface)))
        pos = text.find(surface, pos + 1)
    return spans


def gold_spans(text: str, row: dict[str, str]) -> list[tuple[int, int]]:
    spans = occurrences(text, row["surface"])
    occ = int(row["occ"])
    if occ == 0:
        return spans
    if occ > len(spans):
        raise SystemExit(f"gold error: {row['surface']!r} occurrence {occ} not in text")
    return [spans[occ - 1]]


def as_decimal(value) -> Decimal | None:
    try:
        return None if value is None or value == "" else Decimal(str(value))
    except InvalidOperation:
        return None


# --- a deliberately naive baseline: what a 20-line regular expression gets -----------------------
BASELINE_UNITS = "个工作日|个百分点|平方米|立方米|人次|批次|公里|千米|公顷|万元|亿元|%|个|台|亩|元|户|人|名|件|项|家|支|次|条|吨|套|所|座|场|期|辆|张|册|篇|天|年|部|处|块"
BASELINE = re.compile(r"(\d+(?:[.,]\d+)*)(余|多)?(万亿|亿|万|千万)?(余|多)?(" + BASELINE_UNITS + ")?")
BASELINE_SCALE = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12, "千万": 10**7}


@dataclass
class BaselineMention:
    start: int
    end: int
    surface: str
    disposition: str
    value: Decimal | None
    unit: str = ""
    qualifier: str = "exact"
    as_of: str = ""
    date: str = ""


def baseline_extract(text: str, published: date | None = None) -> list[BaselineMention]:
    out = []
    for m in BASELINE.finditer(text):
        number = Decimal(m.group(1).replace(",", ""))
        value = number * BASELINE_SCALE[m.group(3) or ""]
        unit = (m.group(5) or "").removeprefix("万").removeprefix("亿")
        qualifier = "lower_bound" if (m.group(2) or m.group(4)) else "exact"
        out.append(BaselineMention(m.start(), m.end(), m.group(), "figure", value, unit, qualifier))
    return out


# --- scoring ---------------------------------------------------------------------------------------
def places_and_dates(case: Case, text: str) -> dict[tuple[int, int], tuple[str, str]]:
    """(province, as_of) of each figure by span, from the figures table the report builds."""
    try:
        from analysis.tables.build import TextSource, iter_rows
    except ImportError:
        return {}
    found = {}
    for piece in iter_rows(TextSource(case.name, text, case.published)):
        for row in piece["figures"]:
            found[row["span_start"], row["span_end"]] = (row["province"], row["as_of"])
    return found


def score_case(case: Case, extract, details: bool, baseline: bool = False) -> Score:
    text = read_text(case)
    rows = read_gold(case.gold)
    started = time.perf_counter()
    mentions = extract(text, case.published)
    seconds = time.perf_counter() - started
    tabled = {} if baseline else places_and_dates(case, text)

    stats = {gold_spans(text, r)[0]: r for r in rows if r["kind"] == "stat"}
    optional = [s for r in rows if r["kind"] == "optional" for s in gold_spans(text, r)]
    traps = [s for r in rows if r["kind"] == "trap" for s in gold_spans(text, r)]
    dates = {gold_spans(text, r)[0]: r for r in rows if r["kind"] == "date"}

    figures = [m for m in mentions if m.disposition == "figure"]
    score = Score(gold=len(stats), dates_gold=len(dates), seconds=seconds)
    matched_spans = set()
    for m in figures:
        span = (m.start, m.end)
        if any(m.start < e and s < m.end for s, e in traps):
            score.traps_hit += 1
        row = stats.get(span)
        if row is not None and as_decimal(m.value) == Decimal(row["value"]):
            score.predicted += 1
            score.matched += 1
            matched_spans.add(span)
            province, as_of = tabled.get(span, ("", m.as_of))
            score.unit_ok += m.unit == row["unit"]
            score.qualifier_ok += m.qualifier == (row["qualifier"] or "exact")
            score.province_ok += province == row["province"]
            score.as_of_ok += as_of == row["as_of"]
            if details and (m.unit, m.qualifier, province, as_of) != (
                    row["unit"], row["qualifier"] or "exact", row["province"], row["as_of"]):
                print(f"  {case.name}: {m.surface!r} unit={m.unit!r} q={m.qualifier} province={province!r} "
                      f"as_of={as_of!r}; gold unit={row['unit']!r} q={row['qualifier'] or 'exact'} "
                      f"province={row['province']!r} as_of={row['as_of']!r}")
        elif not any(m.start < e and s < m.end for s, e in optional):
            score.predicted += 1
            if details:
                print(f"  {case.name}: false positive {m.surface!r} value={m.value}")
    for span, row in stats.items():
        if details and span not in matched_spans:
            print(f"  {case.name}: missed {row['surface']!r} (value {row['value']})")
    for m in mentions:
        row = dates.get((m.start, m.end))
        if row is not None and m.disposition == "date" and m.date == row["value"]:
            score.dates_ok += 1
    return score


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def print_table(results: list[tuple[str, Score]]) -> None:
    header = ("case", "gold", "pred", "match", "P", "R", "F1", "unit", "qual", "prov", "as_of", "dates",
              "traps", "ms")
    print("{:<28} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>7}"
          .format(*header))
    for name, s in results:
        print("{:<28} {:>5} {:>5} {:>5} {:>6.3f} {:>6.3f} {:>6.3f} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>7.1f}"
              .format(name, s.gold, s.predicted, s.matched, s.precision, s.recall, s.f1,
                      ratio(s.unit_ok, s.matched), ratio(s.qualifier_ok, s.matched),
                      ratio(s.province_ok, s.matched), ratio(s.as_of_ok, s.matched),
                      ratio(s.dates_ok, s.dates_gold), s.traps_hit, s.seconds * 1000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="store_true", help="score the naive regex instead")
    parser.add_argument("--genre-dir", type=Path, default=GENRE_DIR, help="held-out set")
    parser.add_argument("--details", action="store_true",
                        help="list misses (reveals held-out contents: gold maintainers only)")
    args = parser.parse_args(argv)

    if args.baseline:
        extract = baseline_extract
    else:
        try:
            from analysis.extract.figures import extract
        except ImportError as err:
            print(f"error: analysis.extract.figures is not importable ({err})", file=sys.stderr)
            return 1

    results = [(c.name, score_case(c, extract, args.details, args.baseline)) for c in cases(args.genre_dir)]
    genre, everything = Score(), Score()
    for name, s in results:
        everything.add(s)
        if name != "seed":
            genre.add(s)
    print_table(results + [("TOTAL genre (micro)", genre), ("TOTAL all (micro)", everything)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
