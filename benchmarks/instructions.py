"""Instructions per character of the extractor under valgrind: a noise-free measure of its work.

    python benchmarks/instructions.py                  # figures.extract, 100 KB as ~2,000-char documents
    python benchmarks/instructions.py --size 200KB --target analysis.tables.build:build_tables

Wall-clock figures move by 10-20% when other processes share the machine; the instruction count of a
deterministic run does not (it moves by well under 1%). So a change to the hot path is judged here and
confirmed in chars/s with benchmarks/bench_extract.py.

The script runs itself twice under ``valgrind --tool=callgrind``: once doing everything but the
measured calls (imports, corpus generation, a warm-up call that loads the lexicon and compiles the
patterns), once doing the same plus the measured calls. The difference, divided by the characters
extracted, is the figure printed. Needs valgrind on PATH; hash randomisation is fixed so both runs
take the same paths through dicts and sets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.corpus_gen import iter_documents, parse_size

PUBLISHED = dt.date(2021, 12, 1)
DEFAULT_TARGET = "analysis.extract.figures:extract"


def _workload(target: str, size: int, measured: bool) -> int:
    """Set up, warm up, and (if ``measured``) run the target over the corpus; returns the characters."""
    from benchmarks.common import load_callable

    docs = list(iter_documents(size, doc_chars=2_000))
    if target.endswith(":build_tables"):
        from analysis.tables.build import TextSource

        fn = load_callable(target)
        inputs = [TextSource(f"doc{i}", doc, PUBLISHED) for i, doc in enumerate(docs)]
    else:
        extract = load_callable(target)
        fn = lambda doc: extract(doc, PUBLISHED)
        inputs = docs
    fn(inputs[0])  # warm-up: lexicon, compiled patterns, caches filled on first use
    # A full collection walks every object alive (modules, the corpus): whether one more happens
    # to fall inside the measured calls would move the count by a few percent. Frozen objects
    # are skipped, so collections only cost what the measured calls themselves allocate.
    gc.collect()
    gc.freeze()
    if measured:
        for item in inputs:
            fn(item)
    return sum(map(len, docs))


_TOTAL = re.compile(r"^summary:\s+(\d+)", re.MULTILINE)


def _count(argv: list[str], measured: bool) -> int:
    """Instructions of one run of this script's inner mode under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
            sys.executable, __file__, "--inner", "measured" if measured else "baseline", *argv,
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = _TOTAL.search(out.read_text(errors="replace"))
        if not found:
            raise RuntimeError("no summary line in the callgrind output")
        return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=100_000, help="characters (default 100KB)")
    parser.add_argument("--target", default=DEFAULT_TARGET, help="module:function (extract or build_tables)")
    parser.add_argument("--inner", choices=("baseline", "measured"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _workload(args.target, args.size, args.inner == "measured")
        return 0
    if shutil.which("valgrind") is None:
        print("error: valgrind is not installed", file=sys.stderr)
        return 1
    passthrough = ["--size", str(args.size), "--target", args.target]
    baseline = _count(passthrough, measured=False)
    measured = _count(passthrough, measured=True)
    n_chars = len("".join(iter_documents(args.size, doc_chars=2_000)))
    per_char = (measured - baseline) / n_chars
    print(f"{args.target} on {n_chars:,} chars as ~2,000-char documents (callgrind, PYTHONHASHSEED=0)")
    print(f"baseline (set-up + warm-up): {baseline:,} instructions")
    print(f"with the measured calls:     {measured:,} instructions")
    print(f"instructions per character:  {per_char:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
