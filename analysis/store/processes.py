"""Worker processes that never outlive their command, and SIGTERM or SIGHUP handled like Ctrl-C.

``clean-corpus`` and ``run`` start worker processes (``run``'s workers start notebook kernels).
When the command is killed (a CI time-out's SIGKILL, ``docker stop``'s SIGTERM), its workers stop
too, and nothing they write lands afterwards:

- :func:`die_with_parent`, the pools' initializer, asks Linux to send the worker SIGTERM when the
  command dies (``prctl(PR_SET_PDEATHSIG)``), and exits at once if the command is already gone;
  elsewhere a daemon thread checks the parent once a second. A worker forked by a fork server
  (:func:`preloaded_context`, clean-corpus) waits on the command's pidfd instead. A kernel stops by itself about a
  second after its worker (ipykernel's parent poller), so kernels need nothing here.
- Workers write only into the command's staging folder, and only the command commits
  (:mod:`analysis.store.transaction`): a worker stopped late writes into a folder that is discarded.
- :func:`signals_interrupt` turns SIGTERM and SIGHUP into :class:`Terminated`, a KeyboardInterrupt,
  so the Ctrl-C path runs: workers stopped, staging removed; the command exits 143 (129 for SIGHUP).
- :func:`wait_interruptibly` waits for workers so that a Ctrl-C always reaches the command.

Linux sends the death signal when the *thread* that started the worker ends, so pools must be
created and fed from the main thread (``ProcessPoolExecutor`` starts its workers from the thread
that submits), and never with ``max_tasks_per_child`` (it starts new workers from a helper thread).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """The command received SIGTERM or SIGHUP: stop as after Ctrl-C, and exit ``128 + signum``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


SIGNAL_POLL = 0.5  # seconds: how long a Ctrl-C may wait to be noticed while the command waits for workers


def wait_interruptibly(pending, poll: float = SIGNAL_POLL):
    """``concurrent.futures.wait(pending, return_when=FIRST_COMPLETED)`` that a Ctrl-C or SIGTERM
    always interrupts within ``poll`` seconds: ``(done, not_done)``, ``done`` never empty.

    Python runs signal handlers in the main thread, but Linux hands a process's signal to any of its
    threads. When a helper thread (a pool's queue feeder, tqdm's monitor) took the Ctrl-C, a main
    thread asleep in ``wait`` without a timeout slept on until a worker finished: a ``run``
    interrupted during a long notebook went on for minutes. Waking every ``poll`` seconds lets the
    main thread run the handler.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    while True:
        done, pending = wait(pending, timeout=poll, return_when=FIRST_COMPLETED)
        if done or not pending:
            return done, pending


def as_completed_interruptibly(futures, poll: float = SIGNAL_POLL):
    """``futures`` as they finish, as ``concurrent.futures.as_completed`` gives them, but a Ctrl-C
    always gets through (:func:`wait_interruptibly`); those finished together in the order given."""
    order = {future: n for n, future in enumerate(futures)}
    pending = set(order)
    while pending:
        done, pending = wait_interruptibly(pending, poll)
        yield from sorted(done, key=order.__getitem__)


def exit_status(stop: KeyboardInterrupt) -> int:
    """130 after Ctrl-C, 143 after SIGTERM, 129 after SIGHUP."""
    return stop.exit_status if isinstance(stop, Terminated) else 130


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block (in the main thread), SIGTERM and SIGHUP raise :class:`Terminated`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise Terminated(signum)

    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def die_with_parent(parent_pid: int, server: bool = False) -> None:
    """Run first in a worker: the worker gets SIGTERM when ``parent_pid`` (its command) dies.

    ``server``: the worker was forked by multiprocessing's fork server, not by the command. The
    server lives on while any worker does (each holds its end of the server's pipe), so the worker
    watches the command itself: a thread waits on a pidfd of the command (at once when it dies,
    with no pid reused by mistake), else checks it once a second; and asks for the signal when the
    server ends too.
    """
    if server:
        if sys.platform.startswith("linux"):
            _set_death_signal(signal.SIGTERM)
        if not _alive(parent_pid):
            os._exit(1)
        threading.Thread(target=_wait_for_end, args=(parent_pid,), daemon=True, name="command-watch").start()
        return
    if sys.platform.startswith("linux") and _set_death_signal(signal.SIGTERM):
        if os.getppid() != parent_pid:  # the command died before the call: nobody will send the signal
            os._exit(1)
        return
    thread = threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watch")
    thread.start()


def _wait_for_end(pid: int) -> None:
    """SIGTERM to this process when process ``pid`` ends."""
    import select

    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (not Linux 5.3+): look once a second
        while _alive(pid):
            time.sleep(1.0)
    else:
        select.select([handle], [], [])  # readable once the process has ended
    os.kill(os.getpid(), signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _set_death_signal(signum: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


# What a clean-corpus worker imports, imported once by the fork server so that every worker forked
# from it starts with them (pandas and pyarrow alone cost each spawned worker about 0.5 s of CPU).
WORKER_MODULES = ("pandas", "pyarrow", "pyarrow.parquet", "analysis.store.partitions", "analysis.store.pipeline",
                  "analysis.store.sinks", "analysis.store.parquet", "analysis.tables.build", "analysis.tables.enrich",
                  "analysis.tables.checks", "analysis.raw.report")


def preloaded_context(modules=WORKER_MODULES):
    """A multiprocessing context whose workers start with ``modules`` imported: ``forkserver``.

    The server is a fresh single-threaded process (unlike ``fork``, no lock held by one of this
    process's threads, tqdm's or a notebook kernel's, can be inherited); it imports ``modules``
    once and forks each worker from itself, where ``spawn`` made every worker import them anew.
    Workers are the server's children: their initializer is ``die_with_parent(pid, server=True)``.
    Where there is no fork server (not POSIX), ``spawn``.
    """
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(list(modules))
    return context


def stop_pool(pool, grace: float = 5.0) -> None:
    """Stop a ProcessPoolExecutor now, and return only once it is wholly gone.

    Queued work is cancelled, running workers are sent SIGTERM, then SIGKILL after ``grace``
    seconds; what they were writing was staged and is discarded. Then the pool's manager thread is
    joined: as it ends it closes its wake-up pipe, which the interpreter's exit handler for process
    pools (``concurrent.futures.process._python_exit``) writes to without a lock. A command that
    returned with the manager still running raced that handler, and a Ctrl-C sometimes ended in a
    traceback (``send_bytes ... Bad file descriptor``); with the thread ended first, the handler
    finds the pipe closed and leaves it alone. ``benchmarks/bench_interrupts.py`` repeats the race.
    """
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown(wait=False) forgets it
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if process.is_alive():
                process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)
    if manager is not None and manager is not threading.current_thread():
        # the workers are gone, so it sees them go and ends within moments; bounded all the same
        manager.join(max(grace, 5.0))
