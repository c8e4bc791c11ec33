"""The ``extract`` command: the figures table of one file, to stdout or to a CSV file.

``-o OUT.csv`` is written atomically in the same format as data/clean (utf-8 with BOM, for Excel);
stdout gets plain UTF-8 without a BOM, fit for pipes.
"""

from __future__ import annotations

import dataclasses
import sys

from analysis.errors import internal_error


def extract_figures(path, published=None):
    """The figures DataFrame of one report; ``published`` (a date) overrides the sidecar's date."""
    from analysis.raw.report import load_source

    source = load_source(path)
    from analysis.tables.build import iter_tables, stack  # after reading: a bad file is reported before heavy imports

    if published is not None:
        source = dataclasses.replace(source, published=published, published_inferred=False)
    try:
        # only the figures of each piece are kept: a large report's other tables are never held
        return stack([piece["figures"] for piece in iter_tables(source)])
    except Exception as err:  # noqa: BLE001 - reported as one line, see errors.internal_error
        raise internal_error(path, err) from err


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="a report: text (any common Chinese encoding) or HTML")
    parser.add_argument(
        "--published", metavar="YYYY-MM-DD",
        help="publication date, used to resolve dates without a year (overrides the .source.yml sidecar)",
    )
    parser.add_argument("-o", "--output", metavar="OUT.csv", help="write the CSV here instead of stdout")


def run(args) -> int:
    from analysis.store.atomic import write_bytes_atomic, write_df_csv
    from analysis.errors import InputError
    from analysis.raw.report import parse_date

    published = parse_date(args.published, "--published") if args.published is not None else None
    figures = extract_figures(args.file, published)
    if args.output:
        try:
            write_bytes_atomic(args.output, lambda f: write_df_csv(f, figures))
        except OSError as err:
            raise InputError(args.output, f"cannot write the output ({err.strerror or err})") from None
    else:
        sys.stdout.flush()
        write_df_csv(sys.stdout.buffer, figures, bom=False)
        sys.stdout.buffer.flush()
    return 0
