"""Our extractor next to the peer libraries, on the same generated corpus, one core, in one run.

    pip install -e '.[bench]'              # cn2an, chinese2digits, jionlp (optional; never runtime deps)
    python benchmarks/bench_peers.py       # 5 MB corpus
    python benchmarks/bench_peers.py --size 1MB
    python benchmarks/bench_peers.py --corpus seed      # data/raw's seed report repeated to 5 MB

Contestants, each timed as the median of several runs after a warm-up, pinned to one CPU, in CPU
seconds of this process:

- ours: ``analysis.extract.figures.extract`` on each document (~3,000 chars; it needs the document to know
  sections, dates and context);
- cn2an ``transform`` and chinese2digits ``takeNumberFromString``: each sentence (they are made for
  short texts and slow down on long ones);
- jionlp ``ner.extract_money`` with parsing: each sentence (money only);
- a bare ``re.finditer(r"\\d+")`` over each document: the ceiling of a pure-Python single pass.

All see exactly the same characters; splitting into sentences is done before timing. A peer that
fails to import is skipped with a note. None of the peers does what ours does (units, qualifiers,
dates, dispositions for every token), so matching them is the floor and the bare scan the goal.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH still wins

from benchmarks.common import ROOT, finish, load_callable, mchars, median_seconds, pin_to_one_core, print_table
from benchmarks.corpus_gen import iter_documents, parse_size

_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")
_DIGITS = re.compile(r"\d+")


def sentences(docs: list[str]) -> list[str]:
    return [s for doc in docs for s in _SENTENCE_END.split(doc) if s]


def _quiet_import(name: str):
    # jionlp prints a banner on import; keep our output readable.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return __import__(name, fromlist=["_"])


def contestants(target: str) -> list[tuple[str, str, Callable[[str], object] | str]]:
    """(name, unit fed, function of one text) or (name, unit, reason it is skipped)."""
    found: list[tuple[str, str, Callable[[str], object] | str]] = []
    try:
        extract = load_callable(target)
        found.append(("ours: analysis.extract.figures.extract", "document", lambda text: extract(text)))
    except (ImportError, AttributeError) as err:
        found.append(("ours: analysis.extract.figures.extract", "document", f"not importable ({err})"))
    try:
        cn2an = _quiet_import("cn2an")
        found.append(("cn2an transform", "sentence", lambda text: cn2an.transform(text)))
    except Exception as err:  # noqa: BLE001 - a broken optional peer is a note, not a crash
        found.append(("cn2an transform", "sentence", f"skipped: {type(err).__name__}: {err}"))
    try:
        c2d = _quiet_import("chinese2digits")
        found.append(("chinese2digits takeNumberFromString", "sentence", lambda text: c2d.takeNumberFromString(text)))
    except Exception as err:  # noqa: BLE001
        found.append(("chinese2digits takeNumberFromString", "sentence", f"skipped: {type(err).__name__}: {err}"))
    try:
        jio = _quiet_import("jionlp")
        found.append(
            ("jionlp ner.extract_money", "sentence", lambda text: jio.ner.extract_money(text, with_parsing=True))
        )
    except Exception as err:  # noqa: BLE001
        found.append(("jionlp ner.extract_money", "sentence", f"skipped: {type(err).__name__}: {err}"))
    found.append(("bare re.finditer(r'\\d+')", "document", lambda text: list(_DIGITS.finditer(text))))
    return found


SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"


def seed_documents(size: int) -> list[str]:
    """The seed report repeated to ``size`` characters (the corpus the issue's peer figures came from)."""
    text = SEED.read_text(encoding="utf-8")
    return [text] * max(1, -(-size // len(text)))


def measure(target: str, size: int, repeats: int, corpus: str = "generated") -> dict:
    docs = seed_documents(size) if corpus == "seed" else list(iter_documents(size))
    units = {"document": docs, "sentence": sentences(docs)}
    n_chars = sum(map(len, docs))
    assert n_chars == sum(map(len, units["sentence"]))
    results = {
        "corpus": corpus,
        "n_chars": n_chars,
        "n_documents": len(docs),
        "n_sentences": len(units["sentence"]),
        "rows": [],
    }
    for name, unit, fn in contestants(target):
        if isinstance(fn, str):
            results["rows"].append({"name": name, "unit": unit, "skipped": fn})
            continue
        texts = units[unit]

        def run(fn=fn, texts=texts):
            for text in texts:
                fn(text)

        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")  # cn2an warns on every number it cannot convert
            try:
                seconds = median_seconds(run, repeats=repeats)
            except Exception as err:  # noqa: BLE001 - a peer crashing on our corpus is itself a finding
                results["rows"].append({"name": name, "unit": unit, "skipped": f"crashed: {type(err).__name__}: {err}"})
                continue
        results["rows"].append({"name": name, "unit": unit, "chars_per_second": n_chars / seconds})
    return results


def report(results: dict, file=sys.stdout) -> None:
    ours = next((r.get("chars_per_second") for r in results["rows"] if r["name"].startswith("ours")), None)
    print(
        f"same {results.get('corpus', 'generated')} corpus for all: {results['n_chars']:,} chars, "
        f"{results['n_documents']:,} documents, "
        f"{results['n_sentences']:,} sentences; one core, CPU time, median of runs after warm-up",
        file=file,
    )
    rows = []
    for row in results["rows"]:
        if "skipped" in row:
            rows.append([row["name"], row["unit"], "-", "-", row["skipped"]])
            continue
        speed = row["chars_per_second"]
        ratio = f"{ours / speed:.2f}x" if ours else "-"
        rows.append([row["name"], row["unit"], mchars(speed), ratio, ""])
    print_table(rows, ["contestant", "fed per", "throughput", "ours / it", "note"], file=file)
    peers = [
        r["chars_per_second"]
        for r in results["rows"]
        if "chars_per_second" in r and not r["name"].startswith(("ours", "bare"))
    ]
    if ours and peers:
        verdict = "ours is the fastest" if ours > max(peers) else "a peer is FASTER than ours"
        print(f"\n{verdict}: ours {mchars(ours).strip()}, best peer {mchars(max(peers)).strip()}", file=file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=5_000_000, help="corpus size in chars (default 5MB)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--corpus",
        choices=("generated", "seed"),
        default="generated",
        help="the generated genre corpus, or data/raw's seed report repeated",
    )
    parser.add_argument("--target", default="analysis.extract.figures:extract", help="our extractor, module:function")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    cpu = pin_to_one_core()
    results = measure(args.target, args.size, args.repeats, args.corpus)
    results["pinned_cpu"] = cpu
    return finish(results, report, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
