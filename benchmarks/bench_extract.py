"""Extractor throughput in characters per second, on one core, and how it scales with input size.

    python benchmarks/bench_extract.py                  # 5 MB corpus, sizes 2 KB .. 5 MB
    python benchmarks/bench_extract.py --size 1MB       # quicker
    python benchmarks/bench_extract.py --target mymod:extract   # time another function(text)

Input: the generated genre corpus (benchmarks/corpus_gen.py), deterministic. Each figure is the median
of several runs after a warm-up call, with the process pinned to one CPU, timed in CPU seconds of this
process (so other load on the machine does not count against us). Two ways of feeding it:

- one string: a single text of the given size (the extractor must stay linear in one long text);
- many files: the same amount of text as documents of about 2,000 characters, one call each.

Characters are Python ``str`` characters (a Chinese character is one). Target (issue 6): at least
3 M chars/s, and chars/s that does not fall as the size grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import finish, load_callable, mchars, median_seconds, pin_to_one_core, print_table
from benchmarks.corpus_gen import generate_text, iter_documents, parse_size

DEFAULT_TARGET = "analysis.extract.figures:extract"
PUBLISHED = dt.date(2021, 12, 1)
FILE_CHARS = 2_000


_STEPS = (2_000, 8_000, 32_000, 128_000, 512_000, 2_000_000, 8_000_000, 32_000_000)


def _sizes(largest: int) -> list[int]:
    """2 KB, 8 KB, ... (x4 steps) below ``largest``, then ``largest`` itself."""
    return [size for size in _STEPS if size < largest] + [largest]


def _call(extract, published):
    # The contract is extract(text, published=None); a stand-in that takes only text is also accepted.
    try:
        extract("截至10月末，累计完成3.5万件。", published=published)
    except TypeError:
        return lambda text: extract(text)
    return lambda text: extract(text, published=published)


def measure(target: str = DEFAULT_TARGET, largest: int = 5_000_000, repeats: int = 5) -> dict:
    """Throughput at each size, fed as one string and as many files; returns plain numbers."""
    extract = _call(load_callable(target), PUBLISHED)
    results = {"target": target, "one_string": {}, "many_files": {}}
    for size in _sizes(largest):
        text = generate_text(size)
        runs = repeats if size < 1_000_000 else min(repeats, 3)
        seconds = median_seconds(lambda text=text: extract(text), repeats=runs)
        results["one_string"][size] = len(text) / seconds

        docs = list(iter_documents(size, doc_chars=FILE_CHARS))
        n_chars = sum(map(len, docs))

        def all_files(docs=docs):
            for doc in docs:
                extract(doc)

        seconds = median_seconds(all_files, repeats=runs)
        results["many_files"][size] = n_chars / seconds
    results["chars_per_second"] = results["many_files"][largest]
    results["one_string_chars_per_second"] = results["one_string"][largest]
    results["n_mentions"] = len(extract(generate_text(largest)))
    return results


def _label(size: int) -> str:
    return f"{size / 1e6:g} MB" if size >= 1_000_000 else f"{size / 1e3:g} KB"


def report(results: dict, file=sys.stdout) -> None:
    sizes = list(results["one_string"])
    # Linear means chars/s holds up as the input grows. Ratios are to a mid size: the smallest sizes
    # carry fixed per-call costs and timer noise.
    mid, largest = sizes[len(sizes) // 2], sizes[-1]
    rows = []
    for size in sizes:
        one, many = results["one_string"][size], results["many_files"][size]
        rows.append(
            [
                _label(size),
                mchars(one),
                f"{one / results['one_string'][mid]:.2f}",
                mchars(many),
                f"{many / results['many_files'][mid]:.2f}",
                str(-(-size // FILE_CHARS)),
            ]
        )
    print(f"extractor {results['target']}, one core, CPU time, median of runs after warm-up", file=file)
    ref = f"vs {_label(mid)}"
    print_table(rows, ["size", "one string", ref, "many files", ref, "files"], file=file)
    print(
        f"\n{_label(largest)} corpus: {mchars(results['chars_per_second']).strip()} as files of ~{FILE_CHARS} chars, "
        f"{mchars(results['one_string_chars_per_second']).strip()} as one string; "
        f"{results['n_mentions']:,} mentions in one pass.",
        file=file,
    )
    for mode in ("one_string", "many_files"):
        ratio = results[mode][largest] / results[mode][mid]
        verdict = "linear" if ratio >= 0.8 else "SUPER-LINEAR (slows down as input grows)"
        print(
            f"{mode.replace('_', ' ')}: chars/s at {_label(largest)} = {ratio:.2f} x chars/s at {_label(mid)}"
            f" -> {verdict}",
            file=file,
        )
    target = 3e6
    met = "met" if results["chars_per_second"] >= target else "NOT met"
    print(
        f"target >= {mchars(target).strip()} on one core: {met}",
        file=file,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=5_000_000, help="largest size (default 5MB)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--target", default=DEFAULT_TARGET, help="module:function taking a text")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    cpu = pin_to_one_core()
    try:
        results = measure(args.target, args.size, args.repeats)
    except ImportError as err:
        print(f"skipped: cannot import the extractor ({err})", file=sys.stderr)
        return 1
    results["pinned_cpu"] = cpu
    return finish(results, report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
