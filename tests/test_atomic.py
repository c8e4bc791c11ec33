"""Atomic writes of single files (sets of files: tests/test_transaction.py)."""

from __future__ import annotations

import os

import pytest

from analysis.store.atomic import is_temporary, write_bytes_atomic, write_text_atomic


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


def test_temporary_names_are_recognised_so_a_crashed_run_s_leftovers_can_be_removed(tmp_path):
    from analysis.store.atomic import atomic_path

    seen = []
    with atomic_path(tmp_path / "chart.png") as tmp:
        seen.append(tmp.name)
        tmp.write_bytes(b"png")
    assert all(is_temporary(name) for name in seen)
    assert not any(is_temporary(name) for name in ("figures.csv", "chart.png", ".lock", "README.md"))
