"""Atomic writes, CSV cell format, all-or-nothing folder updates and the folder lock."""

from __future__ import annotations

import multiprocessing
import os
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analysis.store.atomic import (
    atomic_dir_update,
    csv_bytes,
    format_value,
    locked,
    write_bytes_atomic,
    write_csv_atomic,
    write_text_atomic,
)


def test_write_replaces_content_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_text_atomic(target, "第一版\n")
    write_text_atomic(target, "第二版\n")
    assert target.read_text(encoding="utf-8") == "第二版\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


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
        (True, "true"),
        (np.bool_(False), "false"),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (Decimal("4.2500"), "4.25"),
        (Decimal("42500.0"), "42500"),
        ("近4万", "近4万"),
    ],
)
def test_format_value(value, cell):
    assert format_value(value) == cell


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
    assert text.splitlines()[1] == '江苏,42500,true,"含有,逗号和""引号"""'
    back = pd.read_csv(__import__("io").BytesIO(data), keep_default_na=True)
    assert back.columns[0] == "province"  # pandas strips the BOM
    assert back["value"].tolist()[:2] == [42500, 0.5]
    assert back["sentence_text"][1] == "两行\n文字"


def test_write_csv_is_deterministic(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.5], "b": ["甲", "乙"]})
    write_csv_atomic(df, tmp_path / "one.csv")
    write_csv_atomic(df.copy(), tmp_path / "two.csv")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_dir_update_is_all_or_nothing(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"old a")
    (tmp_path / "b.csv").write_bytes(b"old b")

    class Exploding(dict):
        def items(self):
            yield "a.csv", b"new a"
            raise RuntimeError("failed while producing b")

    with pytest.raises(RuntimeError):
        atomic_dir_update(tmp_path, Exploding())
    assert (tmp_path / "a.csv").read_bytes() == b"old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]

    atomic_dir_update(tmp_path, {"a.csv": b"new a", "b.csv": b"new b", "c.csv": b"c"})
    assert [(tmp_path / n).read_bytes() for n in ("a.csv", "b.csv", "c.csv")] == [b"new a", b"new b", b"c"]


def test_dir_update_rejects_paths_outside_the_folder(tmp_path):
    with pytest.raises(ValueError):
        atomic_dir_update(tmp_path / "clean", {"../escape.csv": b"x"})
    assert not (tmp_path / "escape.csv").exists()


def _hold_lock(directory, log, hold_seconds):
    with locked(directory):
        with open(log, "a") as f:
            f.write("enter\n")
        time.sleep(hold_seconds)
        with open(log, "a") as f:
            f.write("exit\n")


def test_lock_serialises_two_processes(tmp_path):
    log = tmp_path / "log.txt"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_hold_lock, args=(tmp_path, log, 0.3)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert [w.exitcode for w in workers] == [0, 0]
    # Never two "enter" in a row: the second waited for the first to leave.
    assert log.read_text().split() == ["enter", "exit", "enter", "exit"]


def test_column_formatting_agrees_with_format_value_for_every_dtype():
    from analysis.store.atomic import format_column

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
        expected = [format_value(None if pd.isna(v) else v) for v in df[column].astype(object)]
        assert format_column(df[column]) == expected, column


def test_streamed_csv_equals_in_memory_csv(tmp_path):
    df = pd.DataFrame({"a": (np.arange(120_001, dtype="float64") + 1) / 4, "b": ["文字"] * 120_001})
    write_csv_atomic(df, tmp_path / "big.csv")
    assert (tmp_path / "big.csv").read_bytes() == csv_bytes(df)
    back = pd.read_csv(tmp_path / "big.csv")
    assert back["a"].iloc[-1] == 30000.25 and len(back) == 120_001


def test_atomic_path_keeps_the_old_file_when_the_writer_fails(tmp_path):
    from analysis.store.atomic import atomic_path

    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.name.endswith(".html") and tmp != target
            tmp.write_text("half a rep", encoding="utf-8")
            raise RuntimeError("kernel died")
    assert target.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]

    with atomic_path(target) as tmp:
        tmp.write_text("new report", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_atomic_path_works_with_a_library_that_infers_the_format_from_the_suffix(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.store.atomic import atomic_path

    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    with atomic_path(tmp_path / "chart.svg") as tmp:
        fig.savefig(tmp)
    plt.close(fig)
    assert (tmp_path / "chart.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
