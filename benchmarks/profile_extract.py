"""Where the time goes: a pyinstrument profile of the extractor, or of the whole per-file table build.

    pip install pyinstrument            # part of the `bench` extra
    python benchmarks/profile_extract.py                    # figures.extract on 1 MB of ~2,000-char documents
    python benchmarks/profile_extract.py --what tables      # tables.build_tables (segment + extract + frames)
    python benchmarks/profile_extract.py --one-string       # one long text (shows anything super-linear)

Prints the call tree (functions under 1% hidden) and, for the extractor, a cProfile table of the
functions with the most time of their own, which is where a fix pays.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.corpus_gen import generate_text, iter_documents, parse_size

PUBLISHED = dt.date(2021, 12, 1)


def workload(what: str, size: int, one_string: bool):
    texts = [generate_text(size)] if one_string else list(iter_documents(size, doc_chars=2_000))
    if what == "tables":
        from analysis.tables.build import TextSource, build_tables

        sources = [TextSource(f"doc{i}", text, PUBLISHED) for i, text in enumerate(texts)]
        build_tables(sources[0])
        return lambda: [build_tables(s) for s in sources]
    from analysis.extract.figures import extract

    extract(texts[0][:5_000], PUBLISHED)
    return lambda: [extract(text, PUBLISHED) for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--what", choices=("extract", "tables"), default="extract")
    parser.add_argument("--size", type=parse_size, default=1_000_000, help="characters (default 1MB)")
    parser.add_argument("--one-string", action="store_true", help="one text of SIZE instead of documents")
    parser.add_argument("--top", type=int, default=20, help="rows of the own-time table")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("error: pyinstrument is not installed (pip install -e '.[bench]')", file=sys.stderr)
        return 1
    run = workload(args.what, args.size, args.one_string)

    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))

    stats_profile = cProfile.Profile()
    stats_profile.runcall(run)
    out = io.StringIO()
    pstats.Stats(stats_profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print("own time (cProfile; its overhead inflates small functions):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
