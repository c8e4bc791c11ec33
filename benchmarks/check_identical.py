"""Outputs before and after a speed change, compared: every byte of every output must be the same.

    python benchmarks/check_identical.py record            # once, before changing any code
    python benchmarks/check_identical.py check             # after every change: exit 1 on any difference
    python benchmarks/check_identical.py check --only extract,clean
    python benchmarks/check_identical.py record --only corpus   # re-record one part (a merged branch)

What is produced (into BASE/baseline when recording, BASE/current when checking; BASE defaults to
/tmp/speed-baseline):

- ``clean``: ``python -m analysis clean -o OUT`` of data/raw (with data/corrections.csv), every file;
- ``extract``: ``python -m analysis extract FILE -o OUT.csv`` of the seed and of every report of the
  genre set (benchmarks/genre/manifest.tsv), once with the publication date inferred and once with
  ``--published`` from the manifest; and of the seed repeated to 5 MB (read in windows);
- ``corpus``: ``clean-corpus --jobs 1 --csv`` of 200 generated reports (benchmarks/corpus_gen.py,
  deterministic) and of the genre set's files, Parquet compared by bytes, else by content; the
  manifest but for the hash of the cleaning code (it must change with the code); when checking,
  also ``--jobs 2`` of the generated reports against the baseline of ``--jobs 1``.

Speed work must not change outputs: a difference is a bug in the change, never a reason to record again.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENRE = ROOT / "benchmarks" / "genre"
SEED = ROOT / "data" / "raw" / "000_ef22c67862e0d2cc.txt"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PARTS = ("clean", "extract", "corpus")
CORPUS_FILES = 200
BIG_BYTES = 5_000_000


def _run(argv: list[str]) -> None:
    done = subprocess.run([PYTHON, "-m", "analysis", *argv], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise SystemExit(f"failed: analysis {' '.join(argv)}\n{done.stderr}")


def _inputs(base: Path) -> Path:
    """Inputs made once and kept beside the baseline, so both sides read the very same files."""
    inputs = base / "inputs"
    if not (inputs / "done").exists():
        shutil.rmtree(inputs, ignore_errors=True)
        sys.path.insert(0, str(ROOT))
        from benchmarks.corpus_gen import write_files

        write_files(inputs / "generated", CORPUS_FILES)
        genre = inputs / "genre"
        genre.mkdir(parents=True)
        for row in _manifest():
            shutil.copyfile(GENRE / row["file"], genre / row["file"])
        data = SEED.read_bytes()
        (inputs / "seed_repeated.txt").write_bytes(data * -(-BIG_BYTES // len(data)))
        (inputs / "done").write_text("")
    return inputs


def _manifest() -> list[dict[str, str]]:
    with (GENRE / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def produce(part: str, out: Path, inputs: Path) -> None:
    shutil.rmtree(out / part, ignore_errors=True)
    (out / part).mkdir(parents=True)
    if part == "clean":
        _run(["clean", "-o", str(out / "clean" / "data")])
    elif part == "extract":
        jobs = [(SEED, None), (inputs / "seed_repeated.txt", None)]
        for row in _manifest():
            jobs += [(GENRE / row["file"], None), (GENRE / row["file"], row["published"])]
        def one(job):
            path, published = job
            name = path.stem + (f"@{published}" if published else "") + ".csv"
            _run(["extract", str(path), "-o", str(out / "extract" / name),
                  *(["--published", published] if published else [])])
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(one, jobs))
    elif part == "corpus":
        for name in ("generated", "genre"):
            _run(["clean-corpus", str(inputs / name), "-o", str(out / "corpus" / name), "--jobs", "1", "--csv",
                  "--no-progress"])


def _same_parquet(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    return pq.read_table(a).equals(pq.read_table(b), check_metadata=True)


def _same_manifest(a: Path, b: Path) -> bool:
    """clean-corpus's manifest.json but for the hash of the cleaning code itself (``cleaner``, and each
    partition's ``fingerprint``, which includes it): a changed program must have a new one, so that
    an output made by the old program is cleaned again."""
    import json

    def without_code_hash(path: Path) -> dict:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("cleaner", None)
        for partition in data.get("partitions", []):
            partition.pop("fingerprint", None)
        return data

    return without_code_hash(a) == without_code_hash(b)


def compare(baseline: Path, current: Path) -> list[str]:
    """Differences between two output trees: missing, extra or differing files."""
    problems = []
    old = {p.relative_to(baseline) for p in baseline.rglob("*") if p.is_file()}
    new = {p.relative_to(current) for p in current.rglob("*") if p.is_file()}
    problems += [f"missing: {p}" for p in sorted(old - new)]
    problems += [f"extra: {p}" for p in sorted(new - old)]
    for rel in sorted(old & new):
        a, b = baseline / rel, current / rel
        if filecmp.cmp(a, b, shallow=False):
            continue
        if rel.suffix == ".parquet" and _same_parquet(a, b):
            continue
        if rel.name == "manifest.json" and _same_manifest(a, b):
            continue
        problems.append(f"differs: {rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("record", "check"))
    parser.add_argument("--base", type=Path, default=Path("/tmp/speed-baseline"))
    parser.add_argument("--only", help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    parts = args.only.split(",") if args.only else list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    inputs = _inputs(args.base)
    out = args.base / ("baseline" if args.mode == "record" else "current")
    failed = False
    for part in parts:
        produce(part, out, inputs)
        if args.mode == "check":
            problems = compare(args.base / "baseline" / part, out / part)
            n_files = sum(1 for p in (out / part).rglob("*") if p.is_file())
            print(f"{part}: {'identical' if not problems else 'DIFFERENT'} ({n_files} files)")
            for line in problems[:20]:
                print(f"  {line}")
            failed |= bool(problems)
            if part == "corpus":  # workers must write what one process writes
                shutil.rmtree(out / "corpus-jobs2", ignore_errors=True)
                _run(["clean-corpus", str(inputs / "generated"), "-o", str(out / "corpus-jobs2"), "--jobs", "2",
                      "--csv", "--no-progress"])
                problems = compare(args.base / "baseline" / "corpus" / "generated", out / "corpus-jobs2")
                print(f"corpus --jobs 2: {'identical' if not problems else 'DIFFERENT'}")
                for line in problems[:20]:
                    print(f"  {line}")
                failed |= bool(problems)
        else:
            print(f"{part}: recorded into {out / part}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
