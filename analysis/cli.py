"""Command line: ``python -m analysis COMMAND ...`` (also installed as ``analysis``).

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``.
Adding a command is one row in ``COMMANDS``. Only the chosen command's module is imported, so
``--help`` stays fast.

Errors: a user mistake (``InputError``) prints one line ``error: <where>: <problem>`` on stderr and
exits 1; Ctrl-C prints ``interrupted`` and exits 130; a closed stdout pipe (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# name: (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("analysis.publish.batch", "do the main job: clean data/raw, then run the notebook plan into reports/"),
    "clean": ("analysis.store.clean", "turn every report in RAW_DIR into CSV tables in CLEAN_DIR"),
    "extract": ("analysis.extract_command", "write the figures table of one report as CSV"),
    "clean-corpus": ("analysis.store.corpus", "clean thousands of reports into partitioned Parquet, on all cores or a Dask cluster"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s module is imported to add its arguments."""
    from analysis import __version__

    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Figures in Chinese government news reports -> verified tables and comparisons.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(command_parser)
            command_parser.set_defaults(handler=module.run)
    return parser


def _command_in(argv: list[str]) -> str | None:
    # The top-level parser has only flags, so the first word that is not a flag names the command.
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    from analysis.errors import InputError

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
