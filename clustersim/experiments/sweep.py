"""Running an experiment: many model runs, on a local process pool or a Dask cluster.

Nothing is lost:

* each finished run is written at once, atomically (a temporary name, then a
  rename): ``DIR/runs/<run_id>.parquet`` (its quarterly series from the end of
  the burn-in) and ``DIR/firms/<run_id>.parquet`` (firm snapshots at the end of
  the burn-in and at the horizon), and a line is appended to
  ``DIR/manifest.jsonl`` (run id, package, parameters, seed, status, error,
  duration);
* a run that raises is recorded as failed and the sweep goes on; a worker
  process that dies (segfault, out-of-memory kill) loses only its own run: the
  pool is rebuilt and the runs that were in flight are retried one at a time,
  so the culprit is found and recorded;
* ``resume=True`` runs only what has no result file yet, so nothing is done twice.

Results stream to disk as they arrive: the coordinator holds only the runs in
flight, however many runs the sweep has.  Both engines run the same function,
:func:`execute_run`, and give identical results.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
import traceback
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from .design import Experiment, Run

#: Environment variable for tests: "raise:RUN_ID" or "kill:RUN_ID" (comma-separated)
FAULT_ENV = "CLUSTERSIM_TEST_FAULT"
BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


class _Empty:
    empty = True


_EMPTY = _Empty()


class SweepError(Exception):
    """A sweep that cannot start (bad folder, unreachable scheduler): reported in one line, exit 2."""


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
        series = pd.DataFrame(model.series.rows[max(model.burn_in - 1, 0):], columns=list(COLUMN_NAMES))
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


def _worker_init(fault: str = "") -> None:
    for name in BLAS_ENV:
        os.environ[name] = "1"
    if fault:
        os.environ[FAULT_ENV] = fault
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
        self.context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.name = f"local pool of {self.workers} ({self.context.get_start_method()})"

    def _pool(self) -> ProcessPoolExecutor:
        for name in BLAS_ENV:  # inherited by the workers the pool starts
            os.environ.setdefault(name, "1")
        return ProcessPoolExecutor(self.workers, mp_context=self.context, initializer=_worker_init,
                                   initargs=(os.environ.get(FAULT_ENV, ""),))

    def map(self, runs):
        """Yield one result per run.  When a worker dies, every run in flight is a suspect:
        the pool is rebuilt and the suspects are re-run one at a time, so only the run
        that kills its worker is recorded as failed."""
        queue, suspects, in_flight = deque(runs), deque(), {}
        isolating = False
        pool = self._pool()
        try:
            while queue or suspects or in_flight:
                try:
                    if isolating:
                        if not in_flight and suspects:
                            run = suspects.popleft()
                            in_flight[pool.submit(execute_run, run.to_dict())] = run
                    else:
                        while len(in_flight) < 2 * self.workers and queue:
                            run = queue.popleft()
                            in_flight[pool.submit(execute_run, run.to_dict())] = run
                except BrokenProcessPool:  # a worker died after the last wait: this run was never started
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
                            yield _failed(run, "worker process died (killed or crashed) while running this run")
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
        if not isinstance(address, str) or "://" not in address:
            raise SweepError(f"--scheduler {address!r}: expected an address like tcp://host:8786")
        try:
            self.client = Client(address, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({type(exc).__name__})") from None
        self.name = f"Dask scheduler at {address}"
        self.token = uuid.uuid4().hex[:12]  # task keys unique to this sweep: two sweeps on one scheduler never share results

    def map(self, runs):
        from distributed import as_completed

        threads = sum(self.client.nthreads().values()) or 1
        pending = deque(runs)
        by_key = {}

        def submit():
            run = pending.popleft()
            future = self.client.submit(execute_run, run.to_dict(), key=f"clustersim-{self.token}-{run.run_id}", pure=False)
            by_key[future.key] = run
            return future

        stream = as_completed([submit() for _ in range(min(2 * threads, len(pending)))], loop=self.client.loop)
        for future in stream:
            run = by_key.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # KilledWorker and the like: the run is lost, the sweep goes on
                result = _failed(run, f"{type(exc).__name__}: {exc}".splitlines()[0])
            future.release()
            yield result
            if pending:
                stream.add(submit())

    def close(self) -> None:
        self.client.close()


def _failed(run: Run, error: str) -> dict:
    return {"run_id": run.run_id, "package": run.package, "point": run.point, "replicate": run.replicate,
            "seed": run.seed, "parameters": run.parameters, "status": "failed", "error": error, "duration_s": None}


# ---------------------------------------------------------------- storage
def _write_parquet_atomically(frame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    os.replace(tmp, path)


class Store:
    """The sweep's folder: experiment.json, manifest.jsonl, runs/, firms/."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self.firms_dir = self.out / "firms"
        self.manifest = self.out / "manifest.jsonl"

    def finished(self) -> set[str]:
        if not self.runs_dir.exists():
            return set()
        return {p.stem for p in self.runs_dir.glob("*.parquet")}

    def save(self, result: dict) -> dict:
        """Write a run's files (firms first, the series last: its presence means done) and its manifest line."""
        line = {k: result.get(k) for k in ("run_id", "package", "point", "replicate", "seed", "parameters", "status",
                                           "error", "duration_s")}
        if result["status"] == "ok":
            if not result.get("trial", _EMPTY).empty:
                (self.out / "trial").mkdir(exist_ok=True)
                _write_parquet_atomically(result["trial"], self.out / "trial" / f"{result['run_id']}.parquet")
            _write_parquet_atomically(result["firms"], self.firms_dir / f"{result['run_id']}.parquet")
            _write_parquet_atomically(result["timeseries"], self.runs_dir / f"{result['run_id']}.parquet")
        self.append(line)
        return line

    def append(self, line: dict) -> None:
        if self.manifest.exists() and self.manifest.stat().st_size:
            with open(self.manifest, "rb") as fh:  # a crash may have torn the last line: start a new one
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"
            if torn:
                with open(self.manifest, "a", encoding="utf-8") as fh:
                    fh.write("\n")
        with open(self.manifest, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, default=_json_default) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def read_manifest(self):
        """The manifest, one row per run (its latest record); a torn last line is ignored."""
        import pandas as pd

        records = {}
        if self.manifest.exists():
            for text in self.manifest.read_text(encoding="utf-8").splitlines():
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    continue
                records[line["run_id"]] = line
        return pd.DataFrame(list(records.values()))


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---------------------------------------------------------------- the sweep
def prepare(experiment: Experiment, out: Path, resume: bool) -> Store:
    store = Store(out)
    info_path = store.out / "experiment.json"
    info = {"title": experiment.title, "experiment_file": str(experiment.path), "fingerprint": experiment.fingerprint(),
            "replicates": experiment.replicates, "outcomes": experiment.outcomes, "discount_rate": experiment.discount_rate,
            "packages": experiment.package_names, "precision": experiment.precision,
            "parameters": {k: list(v) for k, v in experiment.parameters.items()}, "sampler": experiment.sampler,
            "common_random_numbers": experiment.common_random_numbers, "points": experiment.points}
    if hasattr(experiment, "clusters"):  # the national experiment
        info.update(kind="national", clusters=[[c.name, c.n_firms, c.archetype, c.synthetic] for c in experiment.clusters],
                    states=[c.state for c in experiment.clusters])
    if info_path.exists():
        if not resume:
            raise SweepError(f"{store.out} already holds a sweep: add --resume to finish it, or choose another --out")
        previous = json.loads(info_path.read_text(encoding="utf-8"))
        if previous.get("fingerprint") != info["fingerprint"]:
            raise SweepError(f"{store.out} holds a sweep of a different design (packages, seeds, horizon or parameters "
                             "changed); only --replicates may change on --resume")
    elif store.out.exists() and any(store.out.iterdir()) and not resume:
        raise SweepError(f"{store.out} is not empty: choose a new folder for the sweep")
    try:
        store.runs_dir.mkdir(parents=True, exist_ok=True)
        store.firms_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SweepError(f"{store.out}: cannot create the output folder ({exc.strerror})") from None
    info_path.write_text(json.dumps(info, indent=2, default=_json_default) + "\n", encoding="utf-8")
    # A run whose file landed but whose manifest line did not (a crash in between) is recorded now.
    manifest = store.read_manifest()
    ok = set(manifest.loc[manifest["status"] == "ok", "run_id"]) if len(manifest) else set()
    unrecorded = store.finished() - ok
    for run in experiment.runs():
        if run.run_id in unrecorded:
            store.append({**{k: v for k, v in run.to_dict().items() if k not in ("scenario", "overrides")},
                          "status": "ok", "error": "", "duration_s": None})
    return store


def run_sweep(experiment: Experiment, out: str | Path, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool = True):
    """Run every missing run of the experiment; return the manifest as a DataFrame.

    With a ``precision`` table the sweep adds replicates until every package's
    95 % CI half-width (paired, vs the baseline) meets its target, up to
    ``max_replicates``.
    """
    engine = DaskEngine(scheduler) if scheduler else LocalEngine(workers)  # an unreachable scheduler fails before any file is written
    try:
        store = prepare(experiment, Path(out), resume)
    except BaseException:
        engine.close()
        raise
    lock = _lock(store.out)
    try:
        while True:
            finished = store.finished()
            todo = [r for r in experiment.runs() if r.run_id not in finished]
            total = len(experiment.runs())
            _run_batch(engine, store, todo, total, progress, experiment.title)
            needed = replicates_needed_for_precision(experiment, store)
            if needed <= experiment.replicates:
                break
            experiment.replicates = needed
            info_path = store.out / "experiment.json"
            info = json.loads(info_path.read_text(encoding="utf-8"))
            info["replicates"] = needed
            info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    finally:
        engine.close()
        lock.unlink(missing_ok=True)
    return store.read_manifest()


def _lock(out: Path) -> Path:
    """An exclusive lock file, so two sweeps never write into one folder at once."""
    lock = out / ".sweep.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        pid = lock.read_text(encoding="utf-8").strip() if lock.exists() else "?"
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists()
        if alive:
            raise SweepError(f"{out} is being written by another sweep (process {pid}); wait for it to finish") from None
        lock.unlink(missing_ok=True)  # left by a sweep that was killed
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock


def _run_batch(engine, store: Store, todo: list[Run], total: int, progress: bool, title: str) -> None:
    if not todo:
        return
    from tqdm import tqdm

    failed = 0
    bar = tqdm(total=total, initial=total - len(todo), unit="run", desc=title[:40], disable=not progress, dynamic_ncols=True)
    with bar:
        for result in engine.map(todo):
            line = store.save(result)
            failed += line["status"] != "ok"
            bar.set_postfix(failed=failed, engine=engine.name.split(" (")[0], refresh=False)
            bar.update(1)


def replicates_needed_for_precision(experiment: Experiment, store: Store) -> int:
    """Replicates every (package, outcome) with a precision target needs, capped; the
    current count when there is no target."""
    if not experiment.precision or len(experiment.packages) < 2 or not store.finished():
        return experiment.replicates
    from ..analysis.compare import load_results, paired_differences, replicate_unit, replicates_for_half_width

    series, _ = load_results(store.out)
    needed = experiment.replicates
    for outcome, target in experiment.precision.items():
        diffs = paired_differences(series, outcome)
        for _, values in diffs.groupby("package"):
            scale = 100.0 if outcome == "export_share" else 1.0
            n = replicates_for_half_width(replicate_unit(values) * scale, target, len(experiment.packages) - 1)
            needed = max(needed, n)
    return min(needed, experiment.max_replicates)
