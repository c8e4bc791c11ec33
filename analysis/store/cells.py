"""The clean CSVs' cell format: how a value becomes text in a file, one definition for every writer.

Whole numbers without ``.0``, other floats by ``repr`` (round-tripping), booleans as the contract's
``TRUE``/``FALSE``, missing values as empty cells, dates ISO, text within the contract's
``CSV_MAX_CELL`` (what a spreadsheet cell holds; :func:`fit_cell`). Files are UTF-8 with a BOM (the
contract's ``CSV_ENCODING``), ``\\n`` line ends, minimal quoting. ``clean``, ``clean-corpus --csv``
and ``extract`` all write through here, so their files read alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import BinaryIO

from analysis.tables.contract import CSV_CUT, CSV_ENCODING, CSV_FALSE, CSV_MAX_CELL, CSV_TRUE

_SURELY_FITS = CSV_MAX_CELL // 2  # characters: a text this long is within the limit, whatever its characters


def fit_cell(text: str) -> str:
    """``text`` as a CSV cell holds it: whole if within ``CSV_MAX_CELL`` UTF-16 code units (Excel's
    limit per cell), else cut to fit, ending with ``CSV_CUT``. Sentences never need it (the segmenter
    splits long ones); it keeps any other long text (a heading, a title) openable in a spreadsheet.

    >>> fit_cell("4.25万个") == "4.25万个", len(fit_cell("长" * 40_000)), fit_cell("长" * 40_000)[-6:]
    (True, 32767, '…[cut]')
    """
    if len(text) <= _SURELY_FITS or _units(text) <= CSV_MAX_CELL:
        return text
    room = CSV_MAX_CELL - _units(CSV_CUT)
    cut = text[:room]
    while (excess := _units(cut) - room) > 0:
        cut = cut[: len(cut) - max(1, excess // 2)]
    return cut + CSV_CUT


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fit_all(cells: list[str]) -> list[str]:
    return [fit_cell(c) if len(c) > _SURELY_FITS else c for c in cells]


def csv_cell(value) -> str:
    """One CSV cell: whole numbers without ``.0``, other floats by repr, bools as TRUE/FALSE, missing empty.

    >>> [csv_cell(v) for v in (42500.0, 0.1, True, None, float("nan"), "4.25万", 3)]
    ['42500', '0.1', 'TRUE', '', '', '4.25万', '3']
    """
    if value is None:
        return ""
    # Python's own types first, without numpy: ``extract`` formats its rows here and never imports it
    kind = type(value)
    if kind is str:
        return fit_cell(value)
    if kind is bool:
        return CSV_TRUE if value else CSV_FALSE
    if kind is int:
        return str(value)
    if kind is float:
        return _float_cell(value)
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return CSV_TRUE if value else CSV_FALSE
    if isinstance(value, str):
        return fit_cell(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return ""
        return format(value.normalize(), "f")
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a hard dependency
        pass
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cell_formatters(name: str) -> list:
    """Per column of table ``name`` (the contract's order), a function writing one value of the
    column's type as :func:`csv_cell` writes it.

    The row-by-row writer's shortcut (``extract``): a value of the type its column holds goes
    straight to that type's branch of :func:`csv_cell`, without testing the types before it; any
    other value (None, a missing value of another kind) goes through :func:`csv_cell` itself.
    ``tests/test_lean_core.py`` holds each to :func:`csv_cell`.
    """
    from analysis.tables.contract import BOOLEAN, INTEGER, NUMBER, TABLES

    by_type = {INTEGER: _integer_cell, NUMBER: _number_cell, BOOLEAN: _boolean_cell}
    return [by_type.get(column.type, _text_cell) for column in TABLES[name].columns]


def line_writer(name: str) -> Callable[[Mapping], str]:
    """A function writing one row dict of table ``name`` as one CSV line (with its ``\\n``): the
    contract's columns in order, each cell as :func:`csv_cell` writes it, quoted as :func:`csv_line` quotes.

    Speed trick for the row-by-row writer (``extract``, about 4 µs a row the plain way): the values
    are fetched in one ``itemgetter`` call and only the columns that are not text go through their
    formatter (:func:`cell_formatters`). A text column's value is written as it is when it is a str
    no longer than any cell may be, which one ``join`` finds out for all of them at once (it fails
    on anything but a str; a line shorter than the limit has no cell longer); a missing text (None)
    is an empty cell. The line needs no quoting when it holds no quote, no line break and no comma
    but the separators. Anything else is written the plain way. ``tests/test_lean_core.py`` holds it
    to ``csv_line`` of ``csv_cell``.
    """
    from analysis.tables.contract import columns

    names = columns(name)
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    formats = cell_formatters(name)
    formatted = [(at, format_cell) for at, format_cell in enumerate(formats) if format_cell is not _text_cell]
    separators = len(names) - 1
    short = _SURELY_FITS

    def plain(row: Mapping) -> str:
        return csv_line([format_cell(value) for format_cell, value in zip(formats, values(row))])

    def line(row: Mapping) -> str:
        cells = list(values(row))
        for at, format_cell in formatted:
            cells[at] = format_cell(cells[at])
        if None in cells:
            cells = ["" if cell is None else cell for cell in cells]
        try:
            joined = ",".join(cells)
        except TypeError:  # a text column holding something else than a str
            return plain(row)
        if len(joined) > short:  # a cell may need cutting
            return plain(row)
        if separators and joined.count(",") == separators and '"' not in joined and "\n" not in joined:
            return joined + "\n"
        return csv_line(cells)

    return line


def _text_cell(value) -> str:
    return value if type(value) is str and len(value) <= _SURELY_FITS else csv_cell(value)


def _integer_cell(value) -> str:
    return str(value) if type(value) is int else csv_cell(value)


def _number_cell(value) -> str:
    return _float_cell(value) if type(value) is float else csv_cell(value)


def _boolean_cell(value) -> str:
    if value is True:
        return CSV_TRUE
    return CSV_FALSE if value is False else csv_cell(value)


def csv_column(series) -> list[str]:
    """Every cell of one column formatted as :func:`csv_cell` would, a whole column at a time."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.astype(str).tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return [CSV_TRUE if v else CSV_FALSE for v in series.tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [_float_cell(v) for v in series.tolist()]
    if isinstance(dtype, pd.StringDtype):
        return _fit_all(series.astype(object).where(series.notna(), "").tolist())
    return [csv_cell(None if _is_missing(v, pd) else v) for v in series.tolist()]


# Spellings of a boolean that files written by earlier versions hold (they wrote true/false).
_READ_TRUE, _READ_FALSE = frozenset({"true", "True", "TRUE", "1"}), frozenset({"false", "False", "FALSE", "0"})


def boolean_cell(text: str) -> str:
    """A boolean cell read back from a CSV, in the spelling written now (``true`` -> ``TRUE``).

    >>> [boolean_cell(t) for t in ("true", "FALSE", "")]
    ['TRUE', 'FALSE', '']
    """
    if text in _READ_TRUE:
        return CSV_TRUE
    if text in _READ_FALSE:
        return CSV_FALSE
    return text


def _float_cell(value: float) -> str:
    if value != value:  # NaN
        return ""
    if value.is_integer() and abs(value) < 1e17:
        return str(int(value))
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


# csv.QUOTE_MINIMAL with "\n" line ends quotes a cell holding the delimiter, the quote character or
# a character of the line terminator, and nothing else ("\r" is not quoted).
_NEEDS_QUOTES = re.compile('[,"\n]')


def quoted(cells: list[str]) -> list[str]:
    r"""The cells as ``csv.writer`` (minimal quoting, ``\n`` line ends) writes them.

    >>> print(",".join(quoted(["a", "1,234万", 'say "hi" twice', "x\ny"])))
    a,"1,234万","say ""hi"" twice","x
    y"
    """
    if not _NEEDS_QUOTES.search("".join(cells)):  # the usual case: one scan of the whole column
        return cells
    return ['"' + c.replace('"', '""') + '"' if _NEEDS_QUOTES.search(c) else c for c in cells]


def csv_line(cells: Iterable[str]) -> str:
    """One CSV line (with its ``\\n``) of cells already formatted as text."""
    cells = [str(c) for c in cells]
    if cells == [""]:  # csv.writer quotes a line's only cell when it is empty, or the line would vanish
        return '""\n'
    return ",".join(quoted(cells)) + "\n"


def csv_chunks(df, chunk_rows: int = 50_000) -> Iterator[bytes]:
    """The rows of ``df`` as UTF-8 CSV bytes, a chunk of rows at a time.

    The bulk form of ``csv.writer(...).writerows(iter_csv_rows(df))`` (the plain way, kept as the
    reference its test compares with): every column becomes an Arrow string array formatted as
    :func:`csv_cell` formats a value (:func:`_arrow_cells`), quoted by :func:`quoted`'s rule, and
    the lines are joined by Arrow's kernels, so no Python object is made per cell but for floats
    that are not whole. ``tests/test_fast_tables.py`` holds it to the csv module, byte for byte.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    for start in range(0, len(df), chunk_rows):
        part = df.iloc[start : start + chunk_rows]
        if not len(part.columns):
            continue
        columns = [_arrow_quoted(_arrow_cells(part[c])) for c in part.columns]
        if len(columns) == 1:  # a line's only cell, empty, is written "" (see csv_line)
            columns = [pc.if_else(pc.equal(columns[0], ""), pa.scalar('""', pa.large_string()), columns[0])]
        comma, none, newline = (pa.scalar(c, pa.large_string()) for c in (",", "", "\n"))
        lines = pc.binary_join_element_wise(*columns, comma)
        lines = pc.binary_join_element_wise(lines, none, newline)  # each line and its end
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        yield _utf8_of(lines.cast(pa.large_string()))


def _arrow_cells(series):
    """One column's cells as a ``large_string`` Arrow array without nulls (see :func:`csv_column`)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(series.to_numpy()), pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pc.if_else(pa.array(series.to_numpy()), CSV_TRUE, CSV_FALSE).cast(pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        whole = np.isfinite(values) & (np.abs(values) < 1e17)
        whole[whole] = values[whole] == np.floor(values[whole])
        cells = pc.cast(pa.array(np.where(whole, values, 0).astype(np.int64)), pa.large_string())
        rest = np.flatnonzero(~whole)
        if len(rest):  # NaN, inf and fractions, as the plain formatter writes them
            texts = cells.to_numpy(zero_copy_only=False).astype(object)
            texts[rest] = [_float_cell(v) for v in values[rest].tolist()]
            cells = pa.array(texts, type=pa.large_string())
        return cells
    if isinstance(dtype, pd.StringDtype):
        cells = pc.fill_null(pa.array(series.array, type=pa.large_string()), "")
        if len(cells) and pc.max(pc.utf8_length(cells)).as_py() > _SURELY_FITS:  # rare: fit those cells
            cells = pa.array(_fit_all(cells.to_pylist()), type=pa.large_string())
        return cells
    return pa.array(csv_column(series), type=pa.large_string())


def _arrow_quoted(cells):
    """:func:`quoted` on an Arrow string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(cells, _NEEDS_QUOTES.pattern)
    if not pc.any(needs).as_py():
        return cells
    quote, none = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    doubled = pc.replace_substring(cells, '"', '""')
    return pc.if_else(needs, pc.binary_join_element_wise(quote, doubled, quote, none), cells)


def _utf8_of(strings) -> bytes:
    """The characters of a ``large_string`` array without nulls, end to end, as bytes."""
    import numpy as np

    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)[strings.offset : strings.offset + len(strings) + 1]
    data = strings.buffers()[2]
    if data is None or not len(offsets):
        return b""
    return data.to_pybytes()[offsets[0] : offsets[-1]]


def iter_csv_rows(df, chunk_rows: int = 50_000) -> Iterator[list[str]]:
    """The rows of ``df`` as lists of cell strings (not quoted), formatted a chunk of rows at a time."""
    for start in range(0, len(df), chunk_rows):
        part = df.iloc[start : start + chunk_rows]
        columns = [csv_column(part[c]) for c in part.columns]
        yield from (list(row) for row in zip(*columns))


def write_csv_bytes(binary_file: BinaryIO, columns: Iterable, chunks: Iterable[bytes], bom: bool = True) -> None:
    """A header and UTF-8 CSV lines (:func:`csv_chunks`) into an open binary file, a BOM first if ``bom``."""
    binary_file.write(csv_line(columns).encode(CSV_ENCODING if bom else "utf-8"))
    for chunk in chunks:
        binary_file.write(chunk)


def write_frame_csv(binary_file: BinaryIO, df, bom: bool = True) -> None:
    """Stream ``df`` as CSV into an open binary file (see ``write_csv_bytes``)."""
    write_csv_bytes(binary_file, df.columns, csv_chunks(df), bom=bom)


def csv_bytes(df) -> bytes:
    """A DataFrame as CSV bytes: utf-8-sig, ``\\n`` line ends, no index, cells as in :func:`csv_cell`."""
    import io

    buf = io.BytesIO()
    write_frame_csv(buf, df)
    return buf.getvalue()


def _is_missing(value, pd) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False

