"""Paths a user names (analysis/store/outputs.py), in process: what is at the path decides how it is
written, and a write never replaces what is not ours to replace. The same through the command line,
with a device node, a FIFO, a full file system and a quota, is in tests/test_faults.py.

We are root on the machines these run on: device nodes are made with ``os.mknod`` in a temporary
folder (never the real /dev/null), and the tests that need root skip without it."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading

import pytest

from analysis.errors import OutputError
from analysis.store import atomic, outputs

TABLE = "doc_id,figure\n报告,1\n".encode() * 1000  # 19 KB: more than a pipe takes at once on some systems


def _root_only():
    if os.geteuid() != 0:
        pytest.skip("making device nodes and files of another owner needs root")


def test_a_new_path_and_our_own_file_are_replaced_atomically_keeping_the_file_s_mode(tmp_path):
    new = tmp_path / "sub" / "new.csv"
    assert outputs.write_output(new, TABLE) == new and new.read_bytes() == TABLE
    own = tmp_path / "own.csv"
    own.write_bytes(b"old")
    own.chmod(0o600)
    before = os.stat(own).st_ino
    outputs.write_output(own, lambda f: f.write(TABLE))
    assert own.read_bytes() == TABLE and os.stat(own).st_ino != before, "a file of ours is replaced whole"
    assert stat.S_IMODE(os.stat(own).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["own.csv", "sub"], "no temporary left"


def test_a_character_device_is_written_into_and_stays_a_device(tmp_path):
    _root_only()
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    outputs.write_output(null, TABLE)
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    with pytest.raises(OutputError, match=r"full: cannot write the output \(No space left on device\)"):
        outputs.write_output(full, TABLE)
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]


def test_a_fifo_gets_the_whole_table_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "table.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    outputs.write_output(fifo, TABLE)
    reader.join(30)
    assert received == [TABLE]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_connected_to_and_gets_the_whole_table(tmp_path):
    path = tmp_path / "table.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received = bytearray()

    def serve():
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(1 << 16):
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        outputs.write_output(path, TABLE)
        thread.join(30)
    finally:
        server.close()
    assert bytes(received) == TABLE and stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_socket_no_one_listens_on_is_one_line_with_the_reason(tmp_path):
    path = tmp_path / "dead.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the name stays, no one listens
    with pytest.raises(OutputError, match="Connection refused") as err:
        outputs.write_output(path, TABLE)
    assert "\n" not in str(err.value)


def test_a_link_is_followed_and_kept(tmp_path):
    target = tmp_path / "real.csv"
    target.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    assert outputs.write_output(link, TABLE) == tmp_path / "real.csv"
    assert os.readlink(link) == "real.csv" and target.read_bytes() == TABLE
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to("made.csv")  # a link to nothing yet: the file is made, as `>` makes it
    outputs.write_output(dangling, TABLE)
    assert os.readlink(dangling) == "made.csv" and (tmp_path / "made.csv").read_bytes() == TABLE


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: p.symlink_to("nowhere/x.csv"), "symbolic link to .*nowhere/x.csv, whose folder does not exist"),
    (lambda p: p.symlink_to(p.name), r"Too many levels of symbolic links"),
    (lambda p: p.mkdir(), r"it is a folder; give a file name"),
], ids=["dangling-into-a-missing-folder", "loop", "folder"])
def test_what_cannot_be_written_is_one_line_with_the_real_reason(tmp_path, make, reason):
    path = tmp_path / "out.csv"
    make(path)
    with pytest.raises(OutputError, match=reason) as err:
        outputs.write_output(path, TABLE)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)
    assert "File exists" not in str(err.value)


def test_a_file_of_another_owner_or_with_other_links_is_written_in_place(tmp_path):
    _root_only()
    theirs = tmp_path / "theirs.csv"
    theirs.write_bytes(b"x" * 100_000)  # longer than the table: the rest is cut off
    os.chown(theirs, 1234, 1234)
    linked = tmp_path / "linked.csv"
    linked.write_bytes(b"old")
    os.link(linked, tmp_path / "other-name.csv")
    inodes = {p: os.stat(p).st_ino for p in (theirs, linked)}
    outputs.write_output(theirs, TABLE)
    outputs.write_output(linked, TABLE)
    assert theirs.read_bytes() == TABLE and os.stat(theirs).st_uid == 1234
    assert (tmp_path / "other-name.csv").read_bytes() == TABLE, "the other name sees the new table"
    assert {p: os.stat(p).st_ino for p in inodes} == inodes


def test_content_that_fails_part_way_writes_nothing_anywhere(tmp_path):
    fifo_less = tmp_path / "out.csv"
    fifo_less.write_bytes(b"previous")

    def failing(f):
        f.write(b"doc_id\n")
        raise ValueError("the report failed part-way")

    for target in (fifo_less, tmp_path / "new.csv"):
        with pytest.raises(ValueError):
            outputs.write_output(target, failing)
    assert fifo_less.read_bytes() == b"previous" and not (tmp_path / "new.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


class _Short:
    """A raw file that takes at most 7 bytes a call, as a filling disk or `python -u`'s stdout may."""

    def __init__(self):
        self.data = bytearray()

    def write(self, view):
        chunk = bytes(view[:7])
        self.data += chunk
        return len(chunk)


def test_short_writes_are_continued_until_every_byte_is_out(tmp_path):
    raw = _Short()
    assert atomic.FullWrites(raw).write(TABLE) == len(TABLE) and bytes(raw.data) == TABLE
    read, write = os.pipe()
    atomic.write_all(write, b"x" * 1000)
    os.close(write)
    assert os.read(read, 2000) == b"x" * 1000
    os.close(read)


def test_a_write_that_makes_no_progress_is_no_space_left():
    class Stuck:
        def write(self, view):
            return 0

    with pytest.raises(OSError) as err:
        atomic.FullWrites(Stuck()).write(b"abc")
    assert err.value.errno == errno.ENOSPC


def test_a_redirected_stdout_file_is_cut_back_to_where_it_was_when_writing_fails(tmp_path):
    path = tmp_path / "out.csv"
    path.write_bytes(b"kept\n")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    calls = {"n": 0}
    real_write = os.write

    def failing_write(where, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
        return real_write(where, data[:10])

    try:
        with outputs.spooled(TABLE) as spool:
            os.write = failing_write
            try:
                with pytest.raises(OSError):
                    outputs.copy_into(fd, spool, regular=True, truncate=False)
            finally:
                os.write = real_write
    finally:
        os.close(fd)
    assert path.read_bytes() == b"kept\n", "the half table is cut off again"


def test_an_output_folder_that_is_a_file_or_a_dangling_link_says_so(tmp_path):
    afile = tmp_path / "clean"
    afile.write_text("x")
    with pytest.raises(OutputError, match="it is not a folder"):
        outputs.ensure_folder(afile, "the clean tables")
    link = tmp_path / "gone"
    link.symlink_to("nowhere")
    with pytest.raises(OutputError, match="symbolic link to nowhere"):
        outputs.ensure_folder(link, "the clean tables")
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "to-real").symlink_to("real")
    assert outputs.ensure_folder(tmp_path / "to-real", "the clean tables") == tmp_path / "to-real"
