"""The one multi-file commit (analysis/store/transaction.py), in process: all or nothing, recovery
from a crash at each step, readers waiting for a live commit, leftovers removed. The same promises
through the command line, with real kills, are in tests/test_faults.py."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
import time

import pytest

from analysis.errors import OutputError
from analysis.store import transaction as tr
from analysis.store.transaction import before_reading, recover, transaction


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _old_set(folder):
    (folder / "table").mkdir(parents=True)
    (folder / "table" / "part-0.parquet").write_bytes(b"old part 0")
    (folder / "table" / "part-1.parquet").write_bytes(b"old part 1")
    (folder / "a.csv").write_bytes(b"old a")
    (folder / "stale.csv").write_bytes(b"stale")
    return _files(folder)


def _stage_new(tx):
    tx.write("a.csv", b"new a")
    tx.write("b.csv", lambda f: f.write(b"new b"))
    with tx.open("c.csv") as f:
        f.write(b"new c")
    tx.write("figures/chart.png", b"png")
    (tx.replace_folder("table") / "part-0.parquet").write_bytes(b"new part 0")
    tx.remove("stale.csv")


NEW = {"a.csv": b"new a", "b.csv": b"new b", "c.csv": b"new c", "figures/chart.png": b"png",
       "table/part-0.parquet": b"new part 0"}


def test_a_commit_publishes_files_whole_folders_and_removals_and_leaves_nothing_else(tmp_path):
    _old_set(tmp_path)
    with transaction(tmp_path, "the tables") as tx:
        _stage_new(tx)
        assert (tmp_path / "a.csv").read_bytes() == b"old a", "nothing is visible before the commit"
        tx.commit()
    assert _files(tmp_path) == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "a.csv", "b.csv", "c.csv", "figures", "table"]


def test_leaving_the_block_without_a_commit_keeps_the_old_set(tmp_path):
    old = _old_set(tmp_path)
    with pytest.raises(RuntimeError):
        with transaction(tmp_path, "the tables") as tx:
            _stage_new(tx)
            raise RuntimeError("a report failed the checks")
    assert _files(tmp_path) == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []


@pytest.mark.parametrize("name", ["../escape.csv", "/etc/passwd", ".hidden", "a/../../b", ""])
def test_names_outside_the_folder_or_hidden_are_refused(tmp_path, name):
    with transaction(tmp_path, "the tables") as tx, pytest.raises(ValueError):
        tx.write(name, b"x")
    assert not (tmp_path.parent / "escape.csv").exists()


def test_an_os_error_inside_is_one_output_error_naming_the_folder(tmp_path):
    with pytest.raises(OutputError) as err:
        with transaction(tmp_path / "out", "the tables") as tx:
            raise OSError(28, "No space left on device")
    assert str(err.value) == f"{tmp_path / 'out'}: cannot write the tables (No space left on device)"
    assert tx.staging.exists() is False


class Crash(BaseException):
    """What SIGKILL does to the committing process, as seen from the files: it stops here."""


def _crash_at(monkeypatch, step: int):
    """Make the n-th os.replace/os.remove into the folder (not into its staging) raise Crash."""
    seen = {"n": 0}
    real_replace, real_remove = os.replace, os.remove

    def counted(target) -> bool:
        parts = os.path.relpath(os.fspath(target), seen["folder"]).split(os.sep)
        return parts[0] != os.pardir and not any(p.startswith(".") for p in parts[:-1]) and ".tmp" not in parts[-1]

    def step_done(target):
        if counted(target):
            seen["n"] += 1
            if seen["n"] == step:
                raise Crash(step)

    def replace(src, dst, *a, **k):
        step_done(dst)
        return real_replace(src, dst, *a, **k)

    def remove(path, *a, **k):
        step_done(path)
        return real_remove(path, *a, **k)

    monkeypatch.setattr(tr.os, "replace", replace)
    monkeypatch.setattr(tr.os, "remove", remove)
    return seen


@pytest.mark.parametrize("step", range(1, 9))
def test_a_crash_at_any_step_is_the_old_or_the_new_set_once_recovered(tmp_path, monkeypatch, step):
    folder = tmp_path / "out"
    old = _old_set(folder)
    seen = _crash_at(monkeypatch, step)
    seen["folder"] = str(folder)
    # steps: 1 the record, 2-6 the entries (one folder, four files; the old folder goes into the
    # staging folder uncounted), 7 the stale file, 8 the record removed
    with pytest.raises(Crash):
        with transaction(folder, "the tables", swap=False) as tx:
            _stage_new(tx)
            tx.commit()
    monkeypatch.undo()
    before_reading(folder)  # what analysis.load does first; no writer holds the lock, so it tidies too
    expected = old if step == 1 else NEW
    assert _files(folder) == expected, f"crash at step {step}"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []


def test_recovery_that_crashes_is_recovered_by_the_next_one(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    _old_set(folder)
    seen = _crash_at(monkeypatch, 3)
    seen["folder"] = str(folder)
    with pytest.raises(Crash):
        with transaction(folder, "the tables", swap=False) as tx:
            _stage_new(tx)
            tx.commit()
    monkeypatch.undo()
    seen = _crash_at(monkeypatch, 2)  # the recovering process crashes at its second rename
    seen["folder"] = str(folder)
    with pytest.raises(Crash):
        recover(folder, writer=True)
    monkeypatch.undo()
    recover(folder, writer=True)
    assert _files(folder) == NEW


def test_a_reader_waits_for_a_live_commit_and_never_rolls_it_forward_itself(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"old")
    staging = folder / ".staging-live"
    staging.mkdir()
    (staging / "a.csv").write_bytes(b"new")
    record = tr._with_checksum({"format": tr.FORMAT, "staging": staging.name, "folders": [], "files": ["a.csv"],
                                "remove": []})
    (folder / tr.RECORD).write_bytes(record)
    holder = open(folder / tr.RECORD, "rb")
    fcntl.flock(holder.fileno(), fcntl.LOCK_EX)  # this test plays the writer, in the middle of its renames
    done = threading.Event()

    def read():
        before_reading(folder)
        done.set()

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.5)  # time for the reader to reach the lock; a slow start only makes the check weaker
    untouched = (folder / "a.csv").read_bytes() == b"old" and (staging / "a.csv").exists()
    waited = not done.is_set()
    os.replace(staging / "a.csv", folder / "a.csv")  # the writer finishes
    os.remove(folder / tr.RECORD)
    fcntl.flock(holder.fileno(), fcntl.LOCK_UN)
    holder.close()
    reader.join(10)
    assert untouched and waited, "a reader must not roll a live writer's commit forward, nor read past it"
    assert done.is_set() and (folder / "a.csv").read_bytes() == b"new"


def test_a_damaged_record_is_left_to_the_next_writer_and_the_files_are_read_as_they_are(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"old")
    body = json.loads(tr._with_checksum({"format": tr.FORMAT, "staging": ".staging-x", "folders": [],
                                         "files": ["a.csv"], "remove": []}))
    body["files"] = ["b.csv"]  # edited: the checksum no longer matches
    (folder / tr.RECORD).write_text(json.dumps(body))
    recover(folder, writer=False)
    assert (folder / tr.RECORD).exists() and (folder / "a.csv").read_bytes() == b"old"
    recover(folder, writer=True)
    assert not (folder / tr.RECORD).exists()


def test_a_writer_removes_every_leftover_of_a_crashed_run_and_nothing_of_the_user_s(tmp_path):
    folder = tmp_path / "out"
    (folder / "figures").mkdir(parents=True)
    for name in (".staging-abc/x.csv", ".old-xyz/t/part.parquet", ".commit.k3.tmp", ".a.csv.k3j.tmp",
                 "figures/.chart.9q.tmp.png", "figures/chart.png", ".hidden-notes", "a.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")
    recover(folder, writer=True)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        ".hidden-notes", "a.csv", "figures", "figures/chart.png"]


# --------------------------------------------------------------------------- the directory swap
# Where the file system exchanges folders (tmp_path's does, on Linux), the commit swaps the whole
# folder: any reader sees the old set or the new one at every instant, with no recovery at all.

needs_swap = pytest.mark.skipif(__import__("analysis.store.swap", fromlist=["x"])._renameat2() is None,
                                reason="no renameat2 here: every update rolls forward")


def _beside(folder) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@needs_swap
def test_a_swap_publishes_the_new_set_and_keeps_every_entry_it_does_not_write(tmp_path):
    folder = tmp_path / "out"
    _old_set(folder)
    (folder / "notes.txt").write_text("mine")  # a user's files, hidden or not, in and below the folder
    (folder / ".gitignore").write_text("*.tmp\n")
    (folder / "figures").mkdir()
    (folder / "figures" / "old-chart.svg").write_text("<svg/>")
    (folder / "figures").chmod(0o750)
    folder.chmod(0o751)
    notes = os.stat(folder / "notes.txt").st_ino
    inode = os.stat(folder).st_ino
    with transaction(folder, "the tables") as tx:
        assert tx.swapping, tx.not_swapped
        lock = os.stat(folder / ".lock").st_ino
        _stage_new(tx)
        tx.commit()
    assert os.stat(folder).st_ino != inode, "the folder was swapped whole"
    assert _files(folder) == {**NEW, "notes.txt": b"mine", ".gitignore": b"*.tmp\n",
                              "figures/old-chart.svg": b"<svg/>"}
    assert os.stat(folder / "notes.txt").st_ino == notes, "a file the command does not write is the same file"
    assert os.stat(folder / ".lock").st_ino == lock, "the lock file is carried over: waiters wait on the same file"
    assert oct(os.stat(folder).st_mode & 0o777) == oct(0o751) and oct(os.stat(folder / "figures").st_mode & 0o777) == oct(0o750)
    assert _beside(folder) == [], "the old copy is removed"


@needs_swap
@pytest.mark.parametrize("where", ["linking", "exchange", "after-exchange"])
def test_a_crash_around_the_swap_leaves_the_old_or_the_new_set_for_a_reader_that_recovers_nothing(
        tmp_path, monkeypatch, where):
    from analysis.store import swap

    folder = tmp_path / "out"
    old = _old_set(folder)

    def crash(*args, **kwargs):
        raise Crash(where)

    with pytest.raises(Crash):
        with transaction(folder, "the tables") as tx:
            assert tx.swapping
            _stage_new(tx)
            if where == "linking":
                monkeypatch.setattr(swap, "link_unchanged", crash)
            elif where == "exchange":
                monkeypatch.setattr(swap, "exchange", crash)
            else:
                monkeypatch.setattr(tr.shutil, "rmtree", crash)  # the old copy's removal, right after the swap
            tx.commit()
    monkeypatch.undo()
    assert _files(folder) == (NEW if where == "after-exchange" else old), "read as it is on disk"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
    # a crash after the swap leaves the old copy beside (what a SIGKILL before it leaves is in test_faults.py)
    assert bool(_beside(folder)) == (where == "after-exchange")
    with transaction(folder, "the tables") as tx:  # the next writer tidies up
        pass
    assert _beside(folder) == []


@needs_swap
def test_a_folder_that_is_a_link_is_swapped_behind_the_link(tmp_path):
    real = tmp_path / "disk" / "clean"
    _old_set(real)
    link = tmp_path / "clean"
    link.symlink_to(real)
    with transaction(link, "the tables") as tx:
        assert tx.swapping
        _stage_new(tx)
        tx.commit()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert _files(real) == NEW and _beside(real) == [] and _beside(link) == []


@needs_swap
def test_when_the_exchange_fails_the_update_rolls_forward(tmp_path, monkeypatch):
    from analysis.store import swap

    folder = tmp_path / "out"
    _old_set(folder)

    def refuse(*args):
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))

    with transaction(folder, "the tables") as tx:
        _stage_new(tx)
        monkeypatch.setattr(swap, "exchange", refuse)  # after the probe: a surprise at the commit
        tx.commit()
    assert not tx.swapping and "exchange failed" in tx.not_swapped
    assert _files(folder) == NEW
    assert [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []
    assert _beside(folder) == []


def test_the_working_directory_and_a_mount_point_roll_forward(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    _old_set(folder)
    monkeypatch.chdir(folder)  # a swap would leave this process in the old copy
    with transaction(folder, "the tables") as tx:
        _stage_new(tx)
        tx.commit()
    assert not tx.swapping and _files(folder) == NEW
