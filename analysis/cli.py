"""Command line: ``python -m analysis COMMAND ...`` (also installed as ``analysis``). Every command is here.

Each command is a pair of functions, its arguments and its run, in :data:`COMMANDS`; a run calls
the library (``analysis.store.clean``, ``analysis.store.corpus``, ``analysis.publish.batch``,
the extractor) and prints. Library modules are imported only inside the chosen run, so
``--help`` stays fast.

Errors: a user mistake (``InputError``, also an output that cannot be written: ``OutputError``) prints
one line ``error: <where>: <problem>`` on stderr and exits 1; so does a stdout that cannot be
written whole (``> /dev/full``, a full disk, a quota, a pipe its reader closed: ``| head``).
Ctrl-C prints ``interrupted`` and exits 130, SIGTERM ``terminated`` and 143 (SIGHUP 129).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from analysis import config
from analysis.errors import InputError, os_reason, shown

# --------------------------------------------------------------------------- run

def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--plan", type=Path, default=config.PLAN,
                        help="the batch plan (default: notebooks/plan.yaml)")
    parser.add_argument("--only", metavar="PATTERN", help="run only notebook/slug names matching this shell pattern")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean step; use the tables already there")
    parser.add_argument("--raw-dir", type=Path, default=None,
                        help="where the reports of --clean-dir are, for their source views (default: the archive a "
                             "clean-corpus output records, else data/raw; data/raw is also what the clean step reads)")
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
    _corrections_arguments(parser)


def _corrections_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--corrections", metavar="FILE", default="default",
                       help="corrections to apply (default: data/corrections.csv, if there is one)")
    which.add_argument("--no-corrections", dest="corrections", action="store_const", const=None,
                       help="apply no corrections")


def _print_corrections(path, outcomes) -> None:
    """One line per correction not applied or no longer needed, then the counts (stderr)."""
    from analysis.tables.corrections import outcome_lines, outcome_summary

    if path is None or outcomes is None:
        return
    for line in outcome_lines(outcomes):
        print(f"{shown(path)}: {line}", file=sys.stderr)
    print(f"{shown(path)}: {outcome_summary(outcomes)}", file=sys.stderr)


def _clean(args: argparse.Namespace) -> int:
    from analysis.store.clean import clean

    report = clean(args.raw_dir, args.clean_dir, corrections=args.corrections)
    for name, n_rows in report.written.items():
        print(f"wrote {shown(Path(report.clean_dir) / name)} ({n_rows} rows)")
    _print_corrections(report.corrections_file, report.corrections)
    for path, problem in report.failures:
        print(f"error: {shown(path)}: {problem}", file=sys.stderr)
    for path, first in report.same_bytes:
        print(f"note: {shown(path)}: the same bytes as {shown(first)}; counted once", file=sys.stderr)
    if report.kept:
        print(f"kept the previous rows of: {', '.join(report.kept)}", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} of {len(report.failures) + len(report.documents)} report(s) failed",
              file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- extract

def _extract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a report: text (any common Chinese encoding), a web page, PDF, Word (.docx) or Excel (.xlsx, .xls)")
    parser.add_argument(
        "--published", metavar="YYYY-MM-DD",
        help="publication date, used to resolve dates without a year (overrides the .source.yml sidecar)",
    )
    parser.add_argument("-o", "--output", metavar="OUT.csv", help="write the CSV here instead of stdout")


def _extract(args: argparse.Namespace) -> int:
    """The figures table of one file, with exactly the columns of data/clean/figures.csv (enriched
    and checked by the pipeline ``clean`` uses): to stdout as plain UTF-8 (fit for pipes), or with
    ``-o`` to a CSV in the format of data/clean (UTF-8 with a BOM, for Excel). Either way the table
    is made whole before anything is written, and ``-o`` writes into what it names
    (:mod:`analysis.store.outputs`: a file is replaced atomically, a device, FIFO or socket written into)."""
    from analysis.raw.sidecar import parse_date
    from analysis.store.extract_csv import write_figures
    from analysis.store.outputs import write_output, write_stdout

    published = parse_date(args.published, "--published") if args.published is not None else None
    if args.output:
        write_output(args.output, lambda f: write_figures(args.file, f, published=published), what="the table")
    else:
        if _STDOUT_CLOSED:
            raise InputError(STDOUT, "is closed; give -o OUT.csv to write the table to a file")
        write_stdout(lambda f: write_figures(args.file, f, published=published, bom=False), what="the table")
    return 0


# --------------------------------------------------------------------------- clean-corpus

def _corpus_arguments(parser: argparse.ArgumentParser) -> None:
    from analysis.store.cluster import WORKER_TIMEOUT
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
    parser.add_argument(
        "--worker-timeout", type=float, default=WORKER_TIMEOUT, metavar="SECONDS",
        help=f"with --scheduler: how long to wait for a Dask worker before giving up (default {WORKER_TIMEOUT:g})",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    _corrections_arguments(parser)


def _corpus(args: argparse.Namespace) -> int:
    from analysis.store.corpus import DUPLICATES, FAILURES, clean_corpus
    from analysis.tables.contract import PER_DOCUMENT

    report = clean_corpus(
        args.inputs, args.output, jobs=args.jobs, scheduler=args.scheduler, csv=args.csv,
        partition_size=args.partition_size, progress=args.progress, corrections=args.corrections,
        worker_timeout=args.worker_timeout,
    )
    for name in PER_DOCUMENT:
        print(f"{shown(report.output / name)}: {report.rows.get(name, 0)} rows")
    print(f"{report.n_partitions} partition(s): {report.cleaned} cleaned ({report.files_cleaned} file(s)), "
          f"{report.resumed} taken from an unfinished run, {report.kept} unchanged; "
          f"{report.parts_written} part(s) written, {report.parts_removed} removed, {report.parts_total} in all")
    _print_corrections(report.corrections_file, report.corrections)
    if report.duplicates:
        print(f"note: {len(report.duplicates)} file(s) have the same bytes as another and were counted once; "
              f"see {shown(report.output / DUPLICATES)}", file=sys.stderr)
    listed = report.failures[:20]
    for path, _doc_id, _error, problem in listed:
        print(f"error: {shown(Path(report.base) / path)}: {problem}", file=sys.stderr)
    if len(report.failures) > len(listed):
        print(f"error: ... and {len(report.failures) - len(listed)} more", file=sys.stderr)
    if report.failures:
        folders = f" and {report.n_unreadable} folder(s) could not be read" if report.n_unreadable else ""
        print(f"{len(report.failures) - report.n_unreadable} of {report.n_files} files failed{folders}; "
              f"see {shown(report.output / FAILURES)}", file=sys.stderr)
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- review

def _review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("doc", metavar="DOC", help="the report's doc_id (its raw file's name without extension)")
    parser.add_argument("--clean-dir", default=str(config.CLEAN_DIR), metavar="CLEAN_DIR",
                        help="the clean tables (default: data/clean)")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="list at most N figures (default 20)")
    write = parser.add_argument_group("write a correction (appended to --corrections)")
    which = write.add_mutually_exclusive_group()
    which.add_argument("--figure", type=int, metavar="N", help="the figure to correct (its number in figures)")
    which.add_argument("--add", metavar="SURFACE", help="a figure the extractor missed, as the report writes it")
    write.add_argument("--occurrence", type=int, metavar="K", help="with --add: the K-th 「SURFACE」 of the text (default 1)")
    write.add_argument("--set", dest="values", action="append", default=[], metavar="COLUMN=VALUE",
                       help="a value to set (value=42500, unit=个, province=江西, ...); repeat for more")
    write.add_argument("--clear", action="append", default=[], metavar="COLUMN", help="a column to empty (province ...)")
    write.add_argument("--drop", action="store_true", help="the figure is not a statistic: remove it")
    write.add_argument("--note", help="why (required with a correction)")
    write.add_argument("--date", metavar="YYYY-MM-DD", help="when the correction was written (default today)")
    write.add_argument("--corrections", default=str(config.CORRECTIONS), metavar="FILE",
                       help="the corrections file (default: data/corrections.csv)")


def _review(args: argparse.Namespace) -> int:
    """List the figures of DOC most worth a look; with --figure or --add, write a correction row."""
    from analysis.store.reader import read_table

    clean_dir = Path(args.clean_dir)
    documents = read_table(clean_dir, "documents")
    if args.doc not in set(documents["doc_id"]):
        choices = documents["doc_id"].tolist()
        listed = ", ".join(choices[:20]) + (f" ... ({len(choices)} in all)" if len(choices) > 20 else "")
        raise InputError(args.doc, f"no such report in {shown(clean_dir)}; choose one of {listed or '(none)'}")
    if args.figure is not None or args.add is not None:
        return _write_correction(args, clean_dir)
    if args.values or args.clear or args.drop or args.note:
        raise InputError("--set/--clear/--drop/--note", "say which figure to correct: --figure N or --add SURFACE")
    if args.limit < 1:
        raise InputError("--limit", f"must be at least 1, not {args.limit}")
    from analysis.publish.review import review_lines

    tables = {name: _mine(read_table(clean_dir, name), args.doc) for name in ("figures", "checks")}
    indicators = read_table(clean_dir, "indicators")
    for line in review_lines(documents[documents["doc_id"] == args.doc], tables["figures"], tables["checks"],
                             indicators, args.limit, provinces=read_table(clean_dir, "provinces")):
        print(line)
    return 0


def _mine(table, doc: str):
    return table[table["doc_id"] == doc]


def _write_correction(args: argparse.Namespace, clean_dir: Path) -> int:
    from analysis.store.corrections_file import append_correction
    from analysis.store.reader import read_table
    from analysis.tables.corrections import new_correction

    if not args.note or not args.note.strip():
        raise InputError("--note", "say why the figure is wrong (what the report says, or where the right value is)")
    if args.drop and (args.values or args.clear or args.add):
        raise InputError("--drop", "removes the figure; it takes no --set, --clear or --add")
    if not args.drop and not args.values and not args.clear and args.add is None:
        raise InputError("--figure", "say what to change: --set COLUMN=VALUE, --clear COLUMN or --drop")
    values = {}
    for item in args.values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError("--set", f"{item!r} is not COLUMN=VALUE")
        values[name.strip()] = value.strip()
    figure = None
    if args.figure is not None:
        figures = _mine(read_table(clean_dir, "figures"), args.doc)
        match = figures[figures["figure"] == args.figure]
        if match.empty:
            raise InputError("--figure", f"{args.doc} has no figure {args.figure}; its figures are "
                                         f"{figures['figure'].min()} to {figures['figure'].max()}")
        figure = match.iloc[0]
    sentences = _mine(read_table(clean_dir, "sentences"), args.doc)
    try:
        record = new_correction(args.doc, sentences, figure=figure, add=args.add, occurrence=args.occurrence,
                                action="drop" if args.drop else "set", values=values, clear=args.clear,
                                note=args.note.strip(), date=args.date)
    except ValueError as err:
        raise InputError(args.doc, str(err)) from None
    row = append_correction(args.corrections, record)
    print(f"{shown(args.corrections)}: row {row}: {record['action']} {args.doc} 「{record['surface']}」 "
          f"(occurrence {record['occurrence']}); run `python -m analysis clean` to apply it")
    return 0


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
    "review": Command("list the figures of a report most worth a look; write a correction for one",
                      _review_arguments, _review),
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


STDOUT = "<stdout>"  # as analysis.store.outputs names it
_STDOUT_CLOSED = False  # the command was started with its standard output closed (`>&-`)
_UNBUFFERED_STDOUT = None


def _standard_streams() -> None:
    """Put /dev/null on a standard descriptor the command was started without, so no file we open
    (a lock, an output) takes its number and receives what is printed, or a worker's output; and
    let stdout and stderr write any character, escaped if their encoding (the locale's) lacks it;
    and give an unbuffered stdout (``python -u``, PYTHONUNBUFFERED) a buffer, which writes every byte
    of a line or raises (a raw file takes a short write on a filling disk as done)."""
    global _STDOUT_CLOSED, _UNBUFFERED_STDOUT
    if sys.stdout is not None and isinstance(getattr(sys.stdout, "buffer", None), io.FileIO):
        _UNBUFFERED_STDOUT = sys.stdout  # kept: closing it would close the file the new one writes to
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(sys.stdout.buffer), encoding=sys.stdout.encoding,
                                      errors=sys.stdout.errors, line_buffering=True)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            if fd == 1:
                _STDOUT_CLOSED = True
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    from analysis.store.processes import exit_status, signals_interrupt

    _standard_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with signals_interrupt():  # SIGTERM and SIGHUP stop a command as Ctrl-C does
            args = build_parser(_command_in(argv)).parse_args(argv)
            status = args.handler(args)
            if sys.stdout is not None:
                sys.stdout.flush()  # a full stdout fails here, not in the interpreter's last flush
            return status
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        print("interrupted" if exit_status(stop) == 130 else "terminated", file=sys.stderr)
        return exit_status(stop)
    except BrokenPipeError as err:
        # The reader went away before the end (e.g. `| head`): what was printed is not all there.
        _quiet_stdout()
        print(f"error: {STDOUT}: cannot write: the reader closed the pipe before the end ({os_reason(err)})",
              file=sys.stderr)
        return 1
    except OSError as err:
        if not _is_stdout_error(err):
            raise
        _quiet_stdout()  # e.g. `> /dev/full`, or a file on a full disk
        print(f"error: {STDOUT}: cannot write ({os_reason(err)})", file=sys.stderr)
        return 1


# A print that fills the disk stdout is redirected to: its OSError names no file (every write of
# ours to a file names it, or is an OutputError already).
_STDOUT_ERRORS = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EFBIG", "EIO") if hasattr(errno, n))


def _is_stdout_error(err: OSError) -> bool:
    return err.filename is None and err.errno in _STDOUT_ERRORS
