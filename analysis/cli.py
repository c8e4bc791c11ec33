"""Command line: ``python -m analysis COMMAND ...`` (also installed as ``analysis``). Every command is here.

Each command is a pair of functions, its arguments and its run, in :data:`COMMANDS`; a run calls
the library (``analysis.store.clean``, ``analysis.store.corpus``, ``analysis.publish.batch``,
the extractor) and prints. Library modules are imported only inside the chosen run, so
``--help`` stays fast.

Errors: a user mistake (``InputError``) prints one line ``error: <where>: <problem>`` on stderr and
exits 1; Ctrl-C prints ``interrupted`` and exits 130; a closed stdout pipe (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from analysis import config
from analysis.errors import InputError

# --------------------------------------------------------------------------- run

def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--plan", type=Path, default=config.PLAN,
                        help="the batch plan (default: notebooks/plan.yaml)")
    parser.add_argument("--only", metavar="PATTERN", help="run only notebook/slug names matching this shell pattern")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean step; use the tables already there")
    parser.add_argument("--raw-dir", type=Path, default=config.RAW_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--clean-dir", type=Path, default=config.CLEAN_DIR, help="clean tables (default: data/clean)")
    parser.add_argument("--reports-dir", type=Path, default=config.REPORTS_DIR, help="output folder (default: reports)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run(args: argparse.Namespace) -> int:
    from analysis.publish.batch import run_batch

    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {args.jobs}")
    return run_batch(
        args.plan, jobs=args.jobs, only=args.only, raw_dir=args.raw_dir, clean_dir=args.clean_dir,
        reports_dir=args.reports_dir, run_clean=not args.no_clean, progress=not args.no_progress,
    )


# --------------------------------------------------------------------------- clean

def _clean_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "raw_dir", nargs="?", default=str(config.RAW_DIR), metavar="RAW_DIR",
        help="folder of raw reports with their .source.yml sidecars (default: data/raw)",
    )
    parser.add_argument(
        "-o", "--output", dest="clean_dir", default=str(config.CLEAN_DIR), metavar="CLEAN_DIR",
        help="folder for the CSV tables (default: data/clean)",
    )


def _clean(args: argparse.Namespace) -> int:
    from analysis.store.clean import clean

    report = clean(args.raw_dir, args.clean_dir)
    for name, n_rows in report.written.items():
        print(f"wrote {Path(report.clean_dir) / name} ({n_rows} rows)")
    for path, problem in report.failures:
        print(f"error: {path}: {problem}", file=sys.stderr)
    if report.kept:
        print(f"kept the previous rows of: {', '.join(report.kept)}", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} of {len(report.failures) + len(report.documents)} report(s) failed",
              file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- extract

def _extract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a report: text (any common Chinese encoding) or HTML")
    parser.add_argument(
        "--published", metavar="YYYY-MM-DD",
        help="publication date, used to resolve dates without a year (overrides the .source.yml sidecar)",
    )
    parser.add_argument("-o", "--output", metavar="OUT.csv", help="write the CSV here instead of stdout")


def _extract(args: argparse.Namespace) -> int:
    """The figures table of one file: to stdout as plain UTF-8 (fit for pipes), or with ``-o``
    atomically to a CSV in the format of data/clean (UTF-8 with a BOM, for Excel).

    The figures are written straight from the rows the builder makes, a window of text at a time,
    as their typed frame would be written (:func:`analysis.store.cells.write_rows_csv`): no other
    table is built and pandas is not imported.
    """
    from analysis.raw.sidecar import parse_date

    published = parse_date(args.published, "--published") if args.published is not None else None
    pieces = _figure_pieces(args.file, published)

    from analysis.store.atomic import write_bytes_atomic
    from analysis.store.cells import write_rows_csv
    from analysis.tables.contract import columns

    names = columns("figures", extracted_only=True)
    if args.output:
        try:
            write_bytes_atomic(args.output, lambda f: write_rows_csv(f, "figures", names, pieces))
        except OSError as err:
            raise InputError(args.output, f"cannot write the output ({err.strerror or err})") from None
    else:
        import io

        out = io.BytesIO()  # all or nothing on stdout too: a report failing part-way prints no rows
        write_rows_csv(out, "figures", names, pieces, bom=False)
        sys.stdout.flush()
        sys.stdout.buffer.write(out.getvalue())
        sys.stdout.buffer.flush()
    return 0


def _figure_pieces(path: str, published=None):
    """The figure rows of one report, a window at a time; ``published`` (a date) overrides the sidecar's.

    The file is read (and a bad one reported) before this returns; extraction runs as the rows are
    written, and a failure in it is reported as one line naming the file.
    """
    import dataclasses

    from analysis.raw.report import load_source

    source = load_source(path)
    if published is not None:
        source = dataclasses.replace(source, published=published, published_inferred=False)
    return _reported(path, source)


def _reported(path: str, source):
    from analysis.errors import internal_error
    from analysis.tables.build import iter_rows

    try:
        for piece in iter_rows(source, tables=("figures",)):
            yield piece["figures"]
    except Exception as err:  # noqa: BLE001 - reported as one line, see errors.internal_error
        raise internal_error(path, err) from err


# --------------------------------------------------------------------------- clean-corpus

def _corpus_arguments(parser: argparse.ArgumentParser) -> None:
    from analysis.store.corpus import DEFAULT_PARTITION_SIZE

    parser.add_argument(
        "inputs", metavar="DIR_OR_GLOB", help="folder of reports (searched recursively) or a quoted glob"
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="folder for OUT/<table>/part-*.parquet")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes on this machine (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--csv", action="store_true", help="also write OUT/<table>.csv")
    parser.add_argument(
        "--partition-size", type=int, default=DEFAULT_PARTITION_SIZE, metavar="FILES",
        help=f"files per task and per Parquet part (default {DEFAULT_PARTITION_SIZE})",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def _corpus(args: argparse.Namespace) -> int:
    from analysis.store.corpus import FAILURES, clean_corpus
    from analysis.tables.contract import PER_DOCUMENT

    report = clean_corpus(
        args.inputs, args.output, jobs=args.jobs, scheduler=args.scheduler, csv=args.csv,
        partition_size=args.partition_size, progress=args.progress,
    )
    for name in PER_DOCUMENT:
        print(f"{report.output / name}: {report.rows.get(name, 0)} rows")
    shown = report.failures[:20]
    for path, _doc_id, _error, problem in shown:
        print(f"error: {path}: {problem}", file=sys.stderr)
    if len(report.failures) > len(shown):
        print(f"error: ... and {len(report.failures) - len(shown)} more", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} of {report.n_files} files failed; see {report.output / FAILURES}",
              file=sys.stderr)
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- the table of commands

class Command(NamedTuple):
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {
    "run": Command("do the main job: clean data/raw, then run the notebook plan into reports/", _run_arguments, _run),
    "clean": Command("turn every report in RAW_DIR into CSV tables in CLEAN_DIR", _clean_arguments, _clean),
    "extract": Command("write the figures table of one report as CSV", _extract_arguments, _extract),
    "clean-corpus": Command("clean thousands of reports into partitioned Parquet, on all cores or a Dask cluster",
                            _corpus_arguments, _corpus),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s arguments are added (the others' need not be imported)."""
    from analysis import __version__

    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Figures in Chinese government news reports -> verified tables and comparisons.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, spec in COMMANDS.items():
        command_parser = sub.add_parser(name, help=spec.help, description=spec.help)
        if name == command:
            spec.arguments(command_parser)
            command_parser.set_defaults(handler=spec.run)
    return parser


def _command_in(argv: list[str]) -> str | None:
    # The top-level parser has only flags, so the first word that is not a flag names the command.
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(_command_in(argv)).parse_args(argv)
        return args.handler(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): point stdout at devnull so the interpreter's
        # final flush does not raise again, and exit like a process killed by SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
