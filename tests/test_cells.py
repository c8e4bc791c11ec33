"""The clean CSVs' cell format: one definition of how a value is written, for every writer."""

from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analysis.store.atomic import write_bytes_atomic
from analysis.store.cells import csv_bytes, csv_cell, csv_column, write_frame_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (42500.0, "42500"),
        (2.76e11, "276000000000"),
        (np.float64(3.0), "3"),
        (0.1, "0.1"),
        (np.float64(12.5), "12.5"),
        (-7.0, "-7"),
        (np.int64(17), "17"),
        (True, "TRUE"),
        (np.bool_(False), "FALSE"),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (Decimal("4.2500"), "4.25"),
        (Decimal("42500.0"), "42500"),
        ("近4万", "近4万"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_bytes_has_bom_plain_newlines_and_round_trips_in_pandas():
    df = pd.DataFrame(
        {
            "province": ["江苏", "福建", None],
            "value": [42500.0, 0.5, np.nan],
            "cumulative": [True, False, True],
            "sentence_text": ["含有,逗号和\"引号\"", "两行\n文字", ""],
        }
    )
    data = csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    text = data.decode("utf-8-sig")
    assert text.splitlines()[1] == '江苏,42500,TRUE,"含有,逗号和""引号"""'
    back = pd.read_csv(io.BytesIO(data), keep_default_na=True)
    assert back.columns[0] == "province"  # pandas strips the BOM
    assert back["value"].tolist()[:2] == [42500, 0.5]
    assert back["sentence_text"][1] == "两行\n文字"


def test_writing_a_frame_is_deterministic():
    df = pd.DataFrame({"a": [1.0, 2.5], "b": ["甲", "乙"]})
    assert csv_bytes(df) == csv_bytes(df.copy())


def test_column_formatting_agrees_with_csv_cell_for_every_dtype():

    df = pd.DataFrame(
        {
            "i": pd.Series([1, -2, 30], dtype="int64"),
            "f": pd.Series([42500.0, 0.1, np.nan], dtype="float64"),
            "b": pd.Series([True, False, True], dtype="bool"),
            "s": pd.Series(["甲", None, "丙"], dtype="string"),
            "o": pd.Series([None, 2.0, "x"], dtype="object"),
            "ni": pd.Series([1, None, 3], dtype="Int64"),
            "nb": pd.Series([True, None, False], dtype="boolean"),
            "nf": pd.Series([1.5, None, 2.0], dtype="Float64"),
        }
    )
    for column in df.columns:
        expected = [csv_cell(None if pd.isna(v) else v) for v in df[column].astype(object)]
        assert csv_column(df[column]) == expected, column


def test_streamed_csv_equals_in_memory_csv(tmp_path):
    df = pd.DataFrame({"a": (np.arange(120_001, dtype="float64") + 1) / 4, "b": ["文字"] * 120_001})
    write_bytes_atomic(tmp_path / "big.csv", lambda f: write_frame_csv(f, df))  # streamed
    assert (tmp_path / "big.csv").read_bytes() == csv_bytes(df)
    back = pd.read_csv(tmp_path / "big.csv")
    assert back["a"].iloc[-1] == 30000.25 and len(back) == 120_001


def test_a_text_cell_is_cut_to_what_a_spreadsheet_cell_holds_by_every_writer():
    from analysis.store.cells import csv_chunks, fit_cell
    from analysis.tables.contract import CSV_CUT, CSV_MAX_CELL

    def units(text):
        return len(text.encode("utf-16-le")) // 2

    long_bmp, long_astral = "长" * 40_000, "𠀀" * 20_000  # the second is 40,000 UTF-16 units
    exact = "字" * CSV_MAX_CELL
    for text in (long_bmp, long_astral):
        cut = fit_cell(text)
        assert units(cut) <= CSV_MAX_CELL and cut.endswith(CSV_CUT) and text.startswith(cut[: -len(CSV_CUT)])
    assert fit_cell(exact) == exact and csv_cell(long_bmp) == fit_cell(long_bmp)
    df = pd.DataFrame({"text": pd.array([long_bmp, "short", long_astral, exact, None], dtype="string"),
                       "plain": [long_bmp, "a", "b", "c", "d"]})
    bulk = b"".join(csv_chunks(df)).decode()
    assert bulk == "".join(",".join(row) + "\n" for row in zip(csv_column(df["text"]), csv_column(df["plain"])))
    assert max(units(cell) for row in bulk.splitlines() for cell in row.split(",")) <= CSV_MAX_CELL
