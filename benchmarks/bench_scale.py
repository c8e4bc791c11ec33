"""The notebooks over a corpus: seconds and page sizes of the batch over N seed-sized reports.

    PYTHONPATH=. python benchmarks/bench_scale.py [--reports 200] [--only 'overview*'] [--keep DIR]

Writes N generated reports of about the seed's length (benchmarks/corpus_gen.py), cleans them into
CSVs, then times ``python -m analysis run --no-clean`` over them (with the source views), and
prints the wall time, the time of each notebook as the batch reports it, and the size of every
page and of the largest chart. Also the font subset of one page (CPU seconds). Prints figures;
asserts nothing. Writes only to a temporary folder (or ``--keep``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED_CHARS = 2_600  # about the seed report's length with its headings


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus_gen import write_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--only", default="overview*", help="which planned notebooks (shell pattern)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    raw, clean, reports = folder / "raw", folder / "clean", folder / "reports"
    write_files(raw, args.reports, file_chars=SEED_CHARS)
    python = [sys.executable, "-m", "analysis"]
    started = time.perf_counter()
    subprocess.run([*python, "clean", str(raw), "-o", str(clean)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"clean: {args.reports} reports in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    done = subprocess.run([*python, "run", "--no-clean", "--no-progress", "--raw-dir", str(raw), "--clean-dir", str(clean),
                           "--reports-dir", str(reports), "--only", args.only], cwd=ROOT, capture_output=True, text=True)
    print(f"run --only {args.only!r}: {time.perf_counter() - started:.1f} s wall (exit {done.returncode})")
    print(done.stdout.strip())
    for page in sorted(p for p in reports.glob("*/*.html") if p.parent.name != "source") + [reports / "index.html"]:
        print(f"  {page.relative_to(reports)}: {page.stat().st_size / 1e6:.2f} MB")
    views = list((reports / "source").glob("*.html"))
    if views:
        print(f"  source views: {len(views)} pages, {sum(p.stat().st_size for p in views) / 1e6:.1f} MB in all, "
              f"largest {max(p.stat().st_size for p in views) / 1e6:.2f} MB, shared font "
              f"{(reports / 'source' / 'report-cjk.woff2').stat().st_size / 1e3:.0f} kB")
    charts = sorted((reports / "figures").glob("*.png"), key=lambda p: p.stat().st_size)
    if charts:
        print(f"  largest chart: {charts[-1].name} {charts[-1].stat().st_size / 1e6:.2f} MB")
    _font_time(reports)
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return done.returncode


def _font_time(reports: Path) -> None:
    """CPU seconds to cut and embed the font of each notebook page again (a fresh cache each time)."""
    import nbformat

    from analysis.publish import webfont
    from analysis.publish.pages import notebook_page

    for path in sorted(reports.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        webfont.subset.cache_clear()
        cpu = time.process_time()
        html = notebook_page(nb, path.stem)
        chars = len(webfont.wanted(webfont.page_characters(html)))
        print(f"  font of {path.parent.name}/{path.name}: {chars} characters, page export + subset "
              f"{time.process_time() - cpu:.2f} s CPU")


if __name__ == "__main__":
    raise SystemExit(main())
