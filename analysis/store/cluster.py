"""Tasks on a Dask cluster, ending cleanly: every way a cluster fails is one line, never a wait forever.

:func:`run_tasks` connects to a scheduler, waits for a worker, submits one task per item and hands
each result back as it comes. What can go wrong, and what the user sees (an
:class:`~analysis.errors.InputError` naming the scheduler's address, one line):

- no scheduler at the address: ``cannot connect to the Dask scheduler (...)`` after :data:`CONNECT_TIMEOUT`;
- a scheduler with no worker: ``no Dask worker joined the scheduler within N s; start one with
  `dask worker ADDRESS``` after ``worker_timeout`` seconds; the same when every worker leaves
  during the run and none comes back within that time;
- the scheduler dies or the network to it goes: ``lost the connection to the Dask scheduler``
  (distributed gives up reconnecting after about ten seconds).

distributed logs each of these with a traceback of its own on stderr; while tasks run here such
records are dropped, and logging is put back after. A worker that dies is the scheduler's business:
it runs the task again elsewhere.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator

from analysis.errors import InputError

CONNECT_TIMEOUT = "10s"  # how long to keep trying a Dask scheduler before calling the address wrong
WORKER_TIMEOUT = 60.0  # seconds without any worker before the run gives up
POLL = 1.0  # seconds between looks at the cluster while tasks run
CLOSE_TIMEOUT = 5  # seconds to close the client (the scheduler may be gone)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


@contextlib.contextmanager
def quiet_logs() -> Iterator[None]:
    """distributed's own error reports (tracebacks on stderr, from its loop thread too) silenced while
    a run talks to the cluster: every log record below CRITICAL is dropped, and the previous setting
    put back after (the client is closed by then)."""
    previous = logging.root.manager.disable
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(previous)


def lost(address: str, err: BaseException) -> InputError:
    # distributed's own message lists every task cancelled: its kind says enough
    return InputError(address, f"lost the connection to the Dask scheduler ({type(err).__name__}); nothing was "
                               "published, and the partitions that finished are kept for the next run")


def no_workers(address: str, seconds: float, during: bool = False) -> InputError:
    what = "every Dask worker left and none came back" if during else "no Dask worker joined the scheduler"
    return InputError(address, f"{what} within {seconds:g} s; start one with `dask worker {address}`")


def run_tasks(address: str, function: Callable, items: list, *, keys: list[str],
              worker_timeout: float = WORKER_TIMEOUT, on_result: Callable | None = None,
              say: Callable[[str], None] | None = None) -> list:
    """``function(item)`` for every item on the cluster at ``address``; results in the order they
    finish (``on_result`` is called with each as it comes). ``keys``: a unique task name per item.
    Raises InputError for the failures above; an error a task raises is raised again here."""
    from concurrent.futures import CancelledError

    from distributed import Client

    with quiet_logs():
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(address, f"cannot connect to the Dask scheduler ({_one_line(err)})") from None
        try:
            if not _workers(client, address):
                if say is not None:
                    say(f"waiting up to {worker_timeout:g} s for a Dask worker at {address} ...")
                try:
                    client.wait_for_workers(1, timeout=worker_timeout)
                except TimeoutError:
                    raise no_workers(address, worker_timeout) from None
                except (OSError, CancelledError) as err:
                    raise lost(address, err) from None
            try:
                futures = [client.submit(function, item, key=key, pure=False)
                           for item, key in zip(items, keys, strict=True)]
            except (OSError, CancelledError) as err:
                raise lost(address, err) from None
            try:
                return _gather(client, address, futures, worker_timeout, on_result)
            except BaseException:
                with contextlib.suppress(Exception):
                    client.cancel(futures)
                raise
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=CLOSE_TIMEOUT)


def _gather(client, address: str, futures: list, worker_timeout: float, on_result) -> list:
    """The results of ``futures`` as they finish, watching the cluster between them."""
    from concurrent.futures import CancelledError

    from distributed import wait

    results = []
    pending = set(futures)
    alone_since = None
    while pending:
        try:
            done, pending = wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        except (OSError, CancelledError) as err:
            raise lost(address, err) from None
        for future in done:
            try:
                result = future.result()
            except (CancelledError, OSError) as err:  # cancelled when the scheduler went, or cut off mid-way
                raise lost(address, err) from None
            results.append(result)
            if on_result is not None:
                on_result(result)
        if client.status not in ("running", "connecting"):
            raise lost(address, RuntimeError(f"the client is {client.status}"))
        if pending and not done:
            if _workers(client, address):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > worker_timeout:
                raise no_workers(address, worker_timeout, during=True)
    return results


def _workers(client, address: str) -> int:
    """How many workers the scheduler has now."""
    from concurrent.futures import CancelledError

    try:
        return len(client.scheduler_info().get("workers", {}))
    except (OSError, CancelledError) as err:
        raise lost(address, err) from None
