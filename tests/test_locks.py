"""Folder locks: one writer at a time."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from analysis.errors import InputError
from analysis.store.locks import FolderLock, locked


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


def test_a_held_folder_lock_is_refused_at_once_naming_the_holder(tmp_path):
    with FolderLock(tmp_path / ".batch.lock", "held by pid {pid}"):
        with pytest.raises(InputError, match=r"\.batch\.lock: held by pid \d+"):
            with FolderLock(tmp_path / ".batch.lock", "held by pid {pid}"):
                pass
    with FolderLock(tmp_path / ".batch.lock"):  # released on exit
        pass
