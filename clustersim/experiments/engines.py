"""Where runs are computed: a local process pool on this machine, or a Dask distributed cluster.
Both compute the same tasks with the same functions (:mod:`clustersim.experiments.worker`), so
results are identical: for each history (:mod:`clustersim.experiments.histories`) either one task
that simulates it and continues every run from it, or a history task and tasks that continue
chunks of its runs from its snapshot.

A run that raises is returned as a failed record, never raised; a worker process that dies
(segfault, out-of-memory kill) loses only its own run: the pool is rebuilt and the tasks that
were in flight are retried one at a time, then run by run, so the culprit is found and recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from .histories import History
from .worker import (
    FAULT_ENV,
    execute_market,
    execute_run,
    execute_task,
    failed_record,
    simulate_history,
)

__all__ = ["FAULT_ENV", "DaskEngine", "LocalEngine", "SweepError", "execute_run"]

BLAS_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
#: Imported once by the fork server, so that worker processes start with them loaded.
WORKER_MODULES = [
    "pyarrow.parquet",
    "clustersim.economy.model",
    "clustersim.experiments.trials",
    "clustersim.experiments.worker",
]
WORKER_DIED = "worker process died (killed or crashed) while running this run"


class SweepError(Exception):
    """A sweep that cannot start (bad folder, unreachable scheduler):
    reported in one line, exit 2."""


def _worker_init(fault: str = "", coordinator: int = 0) -> None:
    for name in BLAS_ENV:
        os.environ[name] = "1"
    if fault:
        os.environ[FAULT_ENV] = fault
    if coordinator:  # no orphans: the worker ends when the sweep's coordinator ends
        from .watch import exit_with

        exit_with(coordinator)
    try:  # numpy may already be imported by the unpickler; limit its pools too
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass


def _ready() -> int:
    """A task that only starts a worker (its imports are done by then)."""
    return os.getpid()


def start_fork_server() -> None:
    """Start the fork server that local workers are forked from, which imports
    :data:`WORKER_MODULES` once, so that its imports overlap the sweep's own preparation (call it
    first).  Does nothing where there is no fork server."""
    for name in BLAS_ENV:  # inherited by the fork server and the workers
        os.environ.setdefault(name, "1")
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        forkserver.set_forkserver_preload(WORKER_MODULES)
        forkserver.ensure_running()


class _Work:
    """One task for a worker: a history to simulate (``chunk`` None; its chunks follow as tasks),
    or a chunk of runs to compute, continuing from ``state`` (None: simulated in the task)."""

    def __init__(self, history: History, chunk=None, state=None):
        self.history, self.chunk, self.state = history, chunk, state

    @property
    def runs(self):
        return self.history.runs if self.chunk is None else list(self.chunk)

    def submit(self, submit):
        if self.history.coupled:
            return submit(execute_market, [run.to_dict() for run in self.chunk])
        if self.chunk is None:
            return submit(simulate_history, self.history.chunks[0][0].to_dict())
        return submit(execute_task, [run.to_dict() for run in self.chunk], self.state)

    @property
    def indivisible(self) -> bool:
        """One run, or a national market's runs (which cannot be run apart)."""
        return len(self.runs) == 1 or self.history.coupled

    def split(self) -> list[_Work]:
        """Each of its runs alone, from scratch (to find the run that kills its worker); a
        national market stays whole."""
        if self.history.coupled:
            return [self]
        alone = [History(f"{self.history.key}/{run.run_id}", ((run,),)) for run in self.runs]
        return [_Work(history, history.chunks[0]) for history in alone]


def _first_work(history: History) -> _Work:
    return _Work(history, history.chunks[0]) if len(history.chunks) == 1 else _Work(history)


# ---------------------------------------------------------------- engines
class LocalEngine:
    """A process pool on this machine (spawn or forkserver, one BLAS thread a worker)."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        self.name = f"local pool of {self.workers} ({self.context.get_start_method()})"
        self.pool: ProcessPoolExecutor | None = None
        self.starting: threading.Thread | None = None

    def _pool(self) -> ProcessPoolExecutor:
        start_fork_server()
        return ProcessPoolExecutor(
            self.workers,
            mp_context=self.context,
            initializer=_worker_init,
            initargs=(os.environ.get(FAULT_ENV, ""), os.getpid()),
        )

    def start(self) -> None:
        """Start the workers now, in the background, so that their start-up overlaps the sweep's
        preparation instead of delaying its first results."""
        if self.pool is None:
            self.pool = self._pool()
            pool, n = self.pool, self.workers
            self.starting = threading.Thread(target=lambda: [pool.submit(_ready) for _ in range(n)])
            self.starting.start()

    def map(self, histories: Iterable[History]):
        """Yield one result per run of the histories (drawn as needed: a design of a million runs
        is never held whole).  When a worker dies, every task in flight is a suspect: the pool is
        rebuilt and the suspects are re-run one at a time (a task that kills its worker again is
        re-run run by run), so only the run that kills its worker is recorded as failed."""
        source, queue, suspects, in_flight = iter(histories), deque(), deque(), {}
        isolating = False
        self.start()
        self.starting.join()
        try:
            while True:
                while len(queue) < 2 * self.workers:  # a few tasks ahead
                    history = next(source, None)
                    if history is None:
                        break
                    queue.append(_first_work(history))
                if not (queue or suspects or in_flight):
                    break
                try:
                    if isolating:
                        if not in_flight and suspects:
                            work = suspects.popleft()
                            in_flight[work.submit(self.pool.submit)] = work
                    else:
                        while len(in_flight) < 2 * self.workers and queue:
                            work = queue.popleft()
                            in_flight[work.submit(self.pool.submit)] = work
                except BrokenProcessPool:  # a worker died after the last wait: never started
                    (suspects if isolating else queue).appendleft(work)
                    if not in_flight:  # nothing to harvest: rebuild now
                        self._rebuild()
                        continue
                if not in_flight:
                    isolating = False
                    continue
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = []
                for future in done:
                    work = in_flight.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken.append(work)
                        continue
                    if work.chunk is not None:  # a task's results
                        yield from outcome
                    elif isinstance(outcome, dict):  # a history that could not be simulated
                        for run in work.runs:
                            yield failed_record(run.to_dict(), outcome["error"])
                    else:  # a history: its chunks go next, so that its snapshot is soon freed
                        chunks = [_Work(work.history, c, outcome) for c in work.history.chunks]
                        queue.extendleft(reversed(chunks))
                if broken:
                    broken += list(in_flight.values())
                    in_flight.clear()
                    self._rebuild()
                    if isolating:  # alone in flight: it killed its worker
                        for work in broken:
                            if work.indivisible:
                                for run in work.runs:
                                    yield failed_record(run.to_dict(), WORKER_DIED)
                            else:
                                suspects.extendleft(reversed(work.split()))
                    else:
                        suspects.extend(broken)
                        isolating = True
                if isolating and not suspects and not in_flight:
                    isolating = False
        finally:
            self.close()

    def _rebuild(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._pool()

    def close(self) -> None:
        if self.starting is not None:
            self.starting.join()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


class DaskEngine:
    """A Dask distributed cluster (``pip install clustersim[dask]``)."""

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            from distributed import Client
        except ImportError:
            raise SweepError("--scheduler needs Dask: pip install 'clustersim[dask]'") from None
        from .watch import check_address, probe_scheduler, quiet_abandoned_gathers

        probe_scheduler(check_address(address), timeout)  # an answer within seconds, or an error
        try:
            self.client = Client(address, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(
                f"cannot reach the Dask scheduler at {address} "
                f"within {timeout:g} s ({type(exc).__name__})"
            ) from None
        quiet_abandoned_gathers(self.client)
        self.name = f"Dask scheduler at {address}"
        self.address = address
        self.token = uuid.uuid4().hex[
            :12
        ]  # task keys unique to this sweep: two sweeps on one scheduler never share results

    @property
    def workers(self) -> int:
        return sum(self.client.nthreads().values()) or 1

    def start(self) -> None:
        """The cluster's workers are already running."""

    def map(self, histories: Iterable[History]):
        """Yield one result per run of the histories (drawn as needed): a history with several
        chunks is a task its chunks' tasks depend on (its snapshot stays on the workers).  A task
        that fails as a whole (its worker killed, or a worker it shared) is a suspect: once
        nothing else is in flight the suspects are re-run alone, run by run, so only the culprit
        is recorded failed."""
        from distributed import as_completed

        from .watch import WorkerWatch

        threads = self.workers
        pending, suspects = iter(histories), deque()
        watch = WorkerWatch(self.client, self.address)
        by_key: dict[str, _Work] = {}
        alone: set[str] = set()

        def submit(work: _Work, suffix: str = ""):
            key = f"clustersim-{self.token}-{work.runs[0].run_id}{suffix}"
            future = work.submit(
                lambda fn, *args: self.client.submit(fn, *args, key=key, pure=False)
            )
            by_key[future.key] = work
            return future

        def more() -> list:
            """Tasks to add: the next suspect when nothing else is in flight, else histories."""
            if suspects:
                if by_key:
                    return []
                future = submit(suspects.popleft(), f"-alone{len(alone)}")
                alone.add(future.key)
                return [future]
            futures = []
            while len(by_key) < 2 * threads:
                history = next(pending, None)
                if history is None:
                    break
                if len(history.chunks) == 1:
                    futures.append(submit(_Work(history, history.chunks[0])))
                    continue
                snapshot = submit(_Work(history), "-history")
                by_key.pop(snapshot.key)  # only its chunks' tasks wait for it
                futures += [submit(_Work(history, c, snapshot)) for c in history.chunks]
            return futures

        stream = as_completed(more(), loop=self.client.loop)
        while not stream.is_empty():
            if not stream.has_ready():  # say so if every worker is gone, and stop in time
                watch()
                time.sleep(0.05)
                continue
            future = next(stream)
            work = by_key.pop(future.key)
            outcome = None
            while outcome is None:  # its data may have been on a worker that has gone since
                try:
                    outcome = future.result(timeout=2)
                except TimeoutError:
                    watch()
                except Exception as exc:  # KilledWorker and the like: the sweep goes on
                    if future.key in alone and work.indivisible:
                        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                        outcome = [failed_record(run.to_dict(), error) for run in work.runs]
                    else:
                        suspects.extend(work.split())
                        outcome = []
            future.release()
            work.state = None  # the history's snapshot is freed once no chunk needs it
            yield from outcome
            stream.update(more())

    def close(self) -> None:
        self.client.close(timeout=10)
