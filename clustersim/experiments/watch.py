"""Watching the processes a sweep depends on, so that it neither hangs nor leaves orphans:

* a local worker ends when its coordinator ends, however it ends (a ``kill -9`` too):
  :func:`exit_with`;
* a Dask scheduler address is asked who it is, with a deadline, before a sweep uses it: something
  that is not a Dask scheduler, or never answers, is a one-line error within seconds
  (:func:`probe_scheduler`);
* a Dask sweep whose workers are all gone says so and how long it waits for one to join
  (:data:`WORKER_WAIT_ENV`, default :data:`WORKER_WAIT_S`), then stops; the finished runs are kept
  for ``--resume`` (:class:`WorkerWatch`).
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time

from .engines import SweepError

#: Environment variable: seconds a Dask sweep waits for a worker when none is left.
WORKER_WAIT_ENV = "CLUSTERSIM_DASK_WORKER_WAIT"
WORKER_WAIT_S = 300.0
#: Scheduler address schemes a sweep accepts.
SCHEMES = ("tcp",)


def exit_with(pid: int) -> None:
    """End this process when process ``pid`` ends: a watcher thread waits on its pidfd (or polls
    it each second where there is none), then exits at once."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # not Linux, or an old kernel: poll
        fd = None

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="clustersim-coordinator-watch", daemon=True).start()


def check_address(address) -> str:
    if not isinstance(address, str) or "://" not in address or not address.split("://", 1)[1]:
        raise SweepError(f"--scheduler {address!r}: expected an address like tcp://host:8786")
    scheme = address.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise SweepError(
            f"--scheduler {address!r}: {scheme}:// is not supported; allowed: a tcp:// address "
            "of a Dask scheduler, e.g. tcp://host:8786"
        )
    return address


def probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` for its identity within ``timeout`` seconds (in a thread of its own, so a
    caller's event loop is not disturbed); raise a SweepError unless a Dask scheduler answers."""
    import asyncio

    from distributed.comm import connect

    async def ask():
        comm = await connect(address, timeout=0.8 * timeout)  # its own error, if it has one
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["reply"] = asyncio.run(asyncio.wait_for(ask(), timeout))
        except BaseException as exc:  # noqa: BLE001 - every failure becomes one line below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="clustersim-scheduler-probe", daemon=True)
    thread.start()
    thread.join(timeout + 5.0)
    error = outcome.get("error")
    if thread.is_alive() or isinstance(error, TimeoutError):
        raise SweepError(
            f"the address {address} did not answer as a Dask scheduler within {timeout:g} s "
            "(is a Dask scheduler listening there?)"
        )
    if error is not None:
        raise SweepError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
        )
    reply = outcome.get("reply")
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise SweepError(f"{address} answered, but not as a Dask scheduler")


def quiet_abandoned_gathers(client) -> None:
    """When a sweep stops waiting for a result (no worker left), Dask's own pending gathers end
    with ``AllExit`` as the client closes, and asyncio would print each as "Task exception was
    never retrieved" with a traceback; they carry no information, so they are dropped."""
    loop = getattr(client.loop, "asyncio_loop", None)
    if loop is None:
        return

    def handler(loop, context) -> None:
        if type(context.get("exception")).__name__ != "AllExit":
            loop.default_exception_handler(context)

    loop.call_soon_threadsafe(loop.set_exception_handler, handler)


class WorkerWatch:
    """Called while a Dask sweep waits for results: when the scheduler has no worker left (or
    cannot be asked), say so once and how long the sweep will wait; after that long, stop."""

    def __init__(self, client, address: str, every: float = 2.0):
        self.client, self.address, self.every = client, address, every
        try:
            self.wait = float(os.environ.get(WORKER_WAIT_ENV, WORKER_WAIT_S))
        except ValueError:
            self.wait = WORKER_WAIT_S
        self.since: float | None = None
        self.asked = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.asked < self.every:
            return
        self.asked = now
        try:
            workers = len(self.client.nthreads())
            problem = "has no workers left"
        except Exception:  # noqa: BLE001 - a scheduler that cannot be asked is as good as none
            workers, problem = 0, "cannot be reached"
        if workers:
            if self.since is not None:
                print("clustersim: a Dask worker joined; the sweep goes on", file=sys.stderr)
            self.since = None
            return
        if self.since is None:
            self.since = now
            print(
                f"clustersim: the Dask scheduler at {self.address} {problem}; waiting up to "
                f"{self.wait:g} s for a worker ({WORKER_WAIT_ENV} sets how long)",
                file=sys.stderr,
                flush=True,
            )
        elif now - self.since > self.wait:
            raise SweepError(
                f"the Dask scheduler at {self.address} {problem} for {self.wait:g} s: start "
                "workers, then run the sweep again with --resume (finished runs are kept)"
            )
