"""The clean CSVs' cell format: how a value becomes text in a file, one definition for every writer.

Whole numbers without ``.0``, other floats by ``repr`` (round-tripping), booleans as the contract's
``TRUE``/``FALSE``, missing values as empty cells, dates ISO. Files are UTF-8 with a BOM (the
contract's ``CSV_ENCODING``), ``\\n`` line ends, minimal quoting. ``clean``, ``clean-corpus --csv``
and ``extract`` all write through here, so their files read alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import BinaryIO

from analysis.tables.contract import CSV_ENCODING, CSV_FALSE, CSV_TRUE


def csv_cell(value) -> str:
    """One CSV cell: whole numbers without ``.0``, other floats by repr, bools as TRUE/FALSE, missing empty.

    >>> [csv_cell(v) for v in (42500.0, 0.1, True, None, float("nan"), "4.25万", 3)]
    ['42500', '0.1', 'TRUE', '', '', '4.25万', '3']
    """
    if value is None:
        return ""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return CSV_TRUE if value else CSV_FALSE
    if isinstance(value, str):
        return value
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
        return series.astype(object).where(series.notna(), "").tolist()
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


def iter_csv_rows(df, chunk_rows: int = 50_000) -> Iterator[list[str]]:
    """The rows of ``df`` as lists of cell strings, formatted a chunk of rows at a time."""
    for start in range(0, len(df), chunk_rows):
        part = df.iloc[start : start + chunk_rows]
        columns = [csv_column(part[c]) for c in part.columns]
        yield from (list(row) for row in zip(*columns))


def write_csv_rows(binary_file: BinaryIO, columns: Iterable, rows: Iterable[list[str]], bom: bool = True) -> None:
    """Stream a header and string rows as CSV (UTF-8, BOM if ``bom``, ``\\n`` line ends, minimal quoting)."""
    import csv
    import io

    text = io.TextIOWrapper(binary_file, encoding=CSV_ENCODING if bom else "utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([str(c) for c in columns])
        writer.writerows(rows)
        text.flush()
    finally:
        text.detach()  # leave the binary file open for the caller (fsync, close)


def write_frame_csv(binary_file: BinaryIO, df, bom: bool = True) -> None:
    """Stream ``df`` as CSV into an open binary file (see ``write_csv_rows``)."""
    write_csv_rows(binary_file, df.columns, iter_csv_rows(df), bom=bom)


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
