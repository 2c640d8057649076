"""Where runs are computed: one run (:func:`execute_run`, the same function on every engine, so
results are identical), a local process pool on this machine, or a Dask distributed cluster.

A run that raises is returned as a failed record, never raised; a worker process that dies
(segfault, out-of-memory kill) loses only its own run: the pool is rebuilt and the runs that
were in flight are retried one at a time, so the culprit is found and recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from .design import Run

#: Environment variable for tests: "raise:RUN_ID" or "kill:RUN_ID" (comma-separated)
FAULT_ENV = "CLUSTERSIM_TEST_FAULT"
BLAS_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


class SweepError(Exception):
    """A sweep that cannot start (bad folder, unreachable scheduler):
    reported in one line, exit 2."""


# ------------------------------------------------------------------ one run
def firm_snapshot(model, quarter: int) -> dict[str, np.ndarray]:
    """Operating firms at this moment: what `compare` needs for who gains and the decomposition."""
    from ..economy.agents.msme import MSME

    f, live = model.firms, model.firms.live()
    cx, cy = model.cores[0]
    return {
        "slot": live.astype(np.int64),
        "quarter": np.full(len(live), quarter, dtype=np.int32),
        "entry_step": f.entry_step[live].astype(np.int32),
        "size_class": MSME.size_class_index(f.capital[live], 4.0 * f.sales[live]).astype(np.int8),
        "women_owned": f.women_owned[live].copy(),
        "distance_to_core": np.hypot(f.x[live] - cx, f.y[live] - cy),
        "workers": f.workers[live].copy(),
        "output": f.output[live].copy(),
        "real_value_added": f.real_value_added[live].copy(),
        "sales": f.sales[live].copy(),
        "export_sales": f.export_sales[live].copy(),
    }


def _inject_fault(run_id: str) -> None:
    for item in os.environ.get(FAULT_ENV, "").split(","):
        kind, _, target = item.partition(":")
        if target == run_id and kind == "raise":
            raise RuntimeError(f"injected failure in {run_id}")
        if target == run_id and kind == "kill":
            os.kill(os.getpid(), signal.SIGKILL)


def execute_run(run: dict) -> dict:
    """Run one model; never raises for a model error (it is returned as a failed record)."""
    import pandas as pd

    from ..economy.model import ClusterModel
    from ..economy.reporters import COLUMN_NAMES
    from ..inputs.scenario import load_scenario

    started = time.perf_counter()
    record = {k: run[k] for k in ("run_id", "package", "point", "replicate", "seed", "parameters")}
    try:
        _inject_fault(run["run_id"])
        model = ClusterModel(load_scenario(run["scenario"], run["overrides"]), seed=run["seed"])
        model.run(model.burn_in)
        first = firm_snapshot(model, 0)
        model.run(model.n_steps - model.burn_in)
        last = firm_snapshot(model, model.quarter)
        from .trials import records_frame

        trial = records_frame(model)
        series = pd.DataFrame(
            model.series.rows[max(model.burn_in - 1, 0) :], columns=list(COLUMN_NAMES)
        )
        firms = pd.concat([pd.DataFrame(first), pd.DataFrame(last)], ignore_index=True)
        for frame in (series, firms):
            for key in ("run_id", "package", "point", "replicate"):
                frame.insert(0, key, run[key])
        if not trial.empty:
            for key in ("run_id", "package", "point", "replicate"):
                trial.insert(0, key, run[key])
        record.update(status="ok", error="", timeseries=series, firms=firms, trial=trial)
    except Exception as exc:  # a failed run is data, not a crash of the sweep
        last_line = traceback.format_exception_only(type(exc), exc)[-1].strip()
        record.update(status="failed", error=last_line)
    record["duration_s"] = round(time.perf_counter() - started, 3)
    return record


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

    def _pool(self) -> ProcessPoolExecutor:
        for name in BLAS_ENV:  # inherited by the workers the pool starts
            os.environ.setdefault(name, "1")
        return ProcessPoolExecutor(
            self.workers,
            mp_context=self.context,
            initializer=_worker_init,
            initargs=(os.environ.get(FAULT_ENV, ""), os.getpid()),
        )

    def map(self, runs):
        """Yield one result per run.  When a worker dies, every run in flight is a suspect:
        the pool is rebuilt and the suspects are re-run one at a time, so only the run
        that kills its worker is recorded as failed."""
        source, queue, suspects, in_flight = iter(runs), deque(), deque(), {}
        isolating = False
        pool = self._pool()
        try:
            while True:
                while len(queue) < 2 * self.workers:  # a few runs ahead; never the whole design
                    run = next(source, None)
                    if run is None:
                        break
                    queue.append(run)
                if not (queue or suspects or in_flight):
                    break
                try:
                    if isolating:
                        if not in_flight and suspects:
                            run = suspects.popleft()
                            in_flight[pool.submit(execute_run, run.to_dict())] = run
                    else:
                        while len(in_flight) < 2 * self.workers and queue:
                            run = queue.popleft()
                            in_flight[pool.submit(execute_run, run.to_dict())] = run
                except (
                    BrokenProcessPool
                ):  # a worker died after the last wait: this run was never started
                    (suspects if isolating else queue).appendleft(run)
                    if not in_flight:  # nothing to harvest: rebuild now
                        pool.shutdown(wait=True, cancel_futures=True)
                        pool = self._pool()
                        continue
                if not in_flight:
                    isolating = False
                    continue
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = []
                for future in done:
                    run = in_flight.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken.append(run)
                if broken:
                    broken += list(in_flight.values())
                    in_flight.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = self._pool()
                    if isolating:  # one run in flight: it is the one that killed its worker
                        for run in broken:
                            yield _failed(
                                run,
                                "worker process died (killed or crashed) while running this run",
                            )
                    else:
                        suspects.extend(broken)
                        isolating = True
                if isolating and not suspects and not in_flight:
                    isolating = False
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pass


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

    def map(self, runs):
        from distributed import as_completed

        from .watch import WorkerWatch

        threads = sum(self.client.nthreads().values()) or 1
        pending = iter(runs)  # drawn as needed: the design is never held whole
        by_key = {}
        watch = WorkerWatch(self.client, self.address)

        def submit():
            run = next(pending, None)
            if run is None:
                return None
            future = self.client.submit(
                execute_run, run.to_dict(), key=f"clustersim-{self.token}-{run.run_id}", pure=False
            )
            by_key[future.key] = run
            return future

        first = [f for f in (submit() for _ in range(2 * threads)) if f is not None]
        stream = as_completed(first, loop=self.client.loop)
        while not stream.is_empty():
            if not stream.has_ready():  # say so if every worker is gone, and stop in time
                watch()
                time.sleep(0.05)
                continue
            future = next(stream)
            run = by_key.pop(future.key)
            result = None
            while result is None:  # its data may have been on a worker that has gone since
                try:
                    result = future.result(timeout=2)
                except TimeoutError:
                    watch()
                except (
                    Exception
                ) as exc:  # KilledWorker and the like: the run is lost, the sweep goes on
                    result = _failed(run, f"{type(exc).__name__}: {exc}".splitlines()[0])
            future.release()
            yield result
            following = submit()
            if following is not None:
                stream.add(following)

    def close(self) -> None:
        self.client.close(timeout=10)


def _failed(run: Run, error: str) -> dict:
    return {
        "run_id": run.run_id,
        "package": run.package,
        "point": run.point,
        "replicate": run.replicate,
        "seed": run.seed,
        "parameters": run.parameters,
        "status": "failed",
        "error": error,
        "duration_s": None,
    }
