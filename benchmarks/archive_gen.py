"""A deterministic archive as analysts keep them: yearly editions in ``YYYY/<kind>/<name>`` folders.

Built from the genre set (``benchmarks/genre/``, invented reports) and the seed, each written again
for every year: the years in the text moved to the edition's year and the figures of the prose grown
by a steady rate per report (tables keep theirs, so their totals still add up), with a provenance
sidecar (title, publisher, date, SHA-256). The same file names come back every year
(``2021/gongbao/jiangxi.txt``, ``2022/gongbao/jiangxi.txt``), as in real archives, and a few
reports are saved twice under another name (exact duplicates). Generated round-ups
(:mod:`benchmarks.corpus_gen`) fill the archive up to the size asked for.

Never committed: tests and benchmarks generate what they need.

    python benchmarks/archive_gen.py -o /tmp/archive --years 2019-2024 --roundups 30
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
from datetime import date
from pathlib import Path

from benchmarks.corpus_gen import document, load_provinces

ROOT = Path(__file__).resolve().parent.parent
GENRE = ROOT / "benchmarks" / "genre"
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
SEED_DATE = date(2021, 12, 1)

# genre case -> (kind folder, the file name every edition reuses)
KINDS = {
    "01_guangdong": ("xinwen", "guangdong"), "02_sichuan": ("xinwen", "sichuan"),
    "03_heilongjiang": ("xinwen", "heilongjiang"), "04_neimenggu_fullwidth": ("xinwen", "neimenggu"),
    "05_guangxi_gbk": ("xinwen", "guangxi"), "06_shanghai_table": ("xinwen", "shanghai"),
    "07_jiangxi_bulletin": ("gongbao", "jiangxi"), "08_ningbo_bulletin": ("gongbao", "ningbo"),
    "09_shandong_progress": ("jinzhan", "shandong"), "10_mohurd_html_table": ("jinzhan", "zhujian"),
    "11_henan_press_conference": ("fabuhui", "henan"), "12_hubei_work_report": ("baogao", "hubei"),
    "13_shexian_county_bulletin": ("gongbao", "shexian"), "14_luoyang_minsheng_list": ("jinzhan", "luoyang"),
    "15_guizhou_work_report": ("baogao", "guizhou"), "16_shandong_page_on_tibet_site": ("xinwen", "shandong"),
    "17_national_renovation_table": ("jinzhan", "gaizao"), "18_bureau_grain_announcement": ("gonggao", "liangshi"),
    "19_fuzhou_traditional": ("xinwen", "fuzhou"),
}
ENCODINGS = {"05_guangxi_gbk": "gbk"}
# A number of the prose that is a figure: not a year, a date part, an ordinal or a percentage.
_NUMBER = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?)(?![\d.]|\s*(?:年|月|日|号|时|届|次会|期|版|%|％|个百分点))")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=\s*年|-\d|/\d)")


def _grown(match: re.Match, factor: float) -> str:
    text = match.group(1)
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = float(text) * factor
    if decimals == 0 and float(text) < 10:
        return text  # 3个 stays 3: small counts are not a series
    return f"{value:.{decimals}f}"


def edition(text: str, shift: int, factor: float) -> str:
    """``text`` as the edition ``shift`` years later: years moved, prose figures times ``factor``
    (table rows, lines with ``|`` or a tab, keep theirs)."""
    out = []
    for line in text.split("\n"):
        line = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), line)
        if shift and "|" not in line and "\t" not in line:
            line = _NUMBER.sub(lambda m: _grown(m, factor), line)
        out.append(line)
    return "\n".join(out)


def _sidecar(path: Path, title: str, publisher: str, published: date) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    title = title.replace('"', "'")
    path.with_name(path.name + ".source.yml").write_text(
        f'title: "{title}"\npublisher: "{publisher}"\nurl: null\ndate_published: {published.isoformat()}\n'
        f"sha256: {digest}\n", encoding="utf-8")


def _manifest() -> dict[str, date]:
    rows = (GENRE / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split("\t")[0][:-4]: date.fromisoformat(r.split("\t")[1]) for r in rows if r.strip()}


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:80]


def write_archive(folder: Path, years: range = range(2019, 2025), *, cases: list[str] | None = None,
                  seed_editions: bool = True, roundups: int = 30, duplicates: int = 3, seed: int = 0) -> list[Path]:
    """Write the archive into ``folder``; returns the report files written (sidecars aside)."""
    rng = random.Random(seed)
    provinces = load_provinces()
    published = _manifest()
    written: list[Path] = []
    cases = list(KINDS) if cases is None else cases
    growth = {case: 1 + rng.uniform(0.02, 0.08) for case in [*cases, "seed"]}
    for year in years:
        for case in cases:
            kind, name = KINDS[case]
            encoding = ENCODINGS.get(case, "utf-8")
            base = published[case]
            shift = year - base.year
            text = edition((GENRE / f"{case}.txt").read_bytes().decode(encoding), shift, growth[case] ** shift)
            path = folder / str(year) / kind / f"{name}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode(encoding))
            day = base.replace(year=year) if not (base.month == 2 and base.day == 29) else date(year, 2, 28)
            _sidecar(path, _first_line(text), "评测样例", day)
            written.append(path)
        if seed_editions:
            shift = year - SEED_DATE.year
            text = edition(SEED.read_text(encoding="utf-8"), shift, growth["seed"] ** shift)
            path = folder / str(year) / "xinwen" / "renmin_ribao.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            _sidecar(path, _first_line(text), "人民日报", SEED_DATE.replace(year=year))
            written.append(path)
        for i in range(roundups):
            text = document(rng, provinces, rng.randint(600, 2400))
            path = folder / str(year) / "huizong" / f"roundup_{i:02d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            _sidecar(path, _first_line(text), "综合报道", date(year, rng.randint(1, 12), rng.randint(1, 28)))
            written.append(path)
    for i in range(min(duplicates, len(written))):
        original = written[rng.randrange(len(written))]
        copy = original.with_name(f"copy_{i}_{original.name}")
        shutil.copyfile(original, copy)
        shutil.copyfile(original.with_name(original.name + ".source.yml"), copy.with_name(copy.name + ".source.yml"))
        written.append(copy)
    return written


def _years(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="the archive folder to write")
    parser.add_argument("--years", type=_years, default=range(2019, 2025), help="e.g. 2019-2024")
    parser.add_argument("--roundups", type=int, default=30, help="generated round-ups per year")
    parser.add_argument("--duplicates", type=int, default=3, help="reports saved twice under another name")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_archive(args.output, args.years, roundups=args.roundups, duplicates=args.duplicates, seed=args.seed)
    print(f"{args.output}: {len(paths)} reports in {len(args.years)} yearly folders")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
