"""What a worker computes, on every engine alike (so results are identical): one run from
scratch (:func:`execute_run`), or one history simulated once (:func:`simulate_history`) and the
runs that continue from it (:func:`execute_task`; see :mod:`clustersim.economy.history`), or the
runs of a national market stepped together (:func:`execute_market`).

A run that raises is returned as a failed record, never raised, so the others go on.  A run
continued from a shared history gives byte for byte what the same run from scratch gives.
"""

from __future__ import annotations

import os
import signal
import time
import traceback

import numpy as np

#: Environment variable for tests: "raise:RUN_ID" or "kill:RUN_ID" (comma-separated)
FAULT_ENV = "CLUSTERSIM_TEST_FAULT"
#: The part of a run record that names it (the manifest's first columns).
RUN_FIELDS = ("run_id", "package", "point", "replicate", "seed", "parameters")


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


def _last_line(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def failed_record(run: dict, error: str, duration_s: float | None = None) -> dict:
    return {
        **{k: run[k] for k in RUN_FIELDS},
        "status": "failed",
        "error": error,
        "duration_s": duration_s,
    }


# ------------------------------------------------------------------ one run
def execute_run(run: dict) -> dict:
    """Run one model from scratch; never raises for a model error (a failed record instead)."""
    return _run(run, history=None)


def _run(run: dict, history) -> dict:
    """One run: from scratch (``history`` None), or continued from a history (a snapshot's bytes,
    or the history's model itself, which is then used up)."""
    from ..economy.model import ClusterModel
    from ..inputs.scenario import load_scenario

    started = time.perf_counter()
    record = {k: run[k] for k in RUN_FIELDS}
    try:
        _inject_fault(run["run_id"])
        scenario = load_scenario(run["scenario"], run["overrides"])
        if history is None:
            model = ClusterModel(scenario, seed=run["seed"])
            model.run(model.burn_in)
        else:
            model = history if isinstance(history, ClusterModel) else ClusterModel.restore(history)
            if model.seed_used != run["seed"]:
                raise ValueError(f"the history's seed is {model.seed_used}, not {run['seed']}")
            model.continue_as(scenario)
        first = firm_snapshot(model, 0)
        model.run(model.n_steps - model.steps)
        record.update(_results(run, model, first))
    except Exception as exc:  # a failed run is data, not a crash of the sweep
        record.update(status="failed", error=_last_line(exc))
    record["duration_s"] = round(time.perf_counter() - started, 3)
    return record


def _results(run: dict, model, first: dict) -> dict:
    """A finished run's record: its series from the end of the burn-in, its firms at the end of
    the burn-in (``first``) and at the horizon, and its trial, encoded here, in parallel, rather
    than by the process that writes them."""
    import pandas as pd

    from ..economy.reporters import COLUMN_NAMES
    from .store import parquet_bytes
    from .trials import records_frame

    last = firm_snapshot(model, model.quarter)
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
    return dict(
        status="ok",
        error="",
        timeseries=parquet_bytes(series),
        firms=parquet_bytes(firms),
        trial=parquet_bytes(trial) if not trial.empty else b"",
    )


# ------------------------------------------------------------------ a national market
def execute_market(runs: list[dict]) -> list[dict]:
    """The runs of one national market (its clusters, one package and replicate), stepped
    together (:class:`clustersim.economy.national_market.NationalMarket`): a record per run.
    If any cluster cannot be built or simulated, every run of the market fails with the reason
    (none of them could be simulated without it)."""
    from ..economy.model import ClusterModel
    from ..economy.national_market import NationalMarket
    from ..inputs.scenario import load_scenario

    started = time.perf_counter()
    try:
        for run in runs:
            _inject_fault(run["run_id"])
        models = [
            ClusterModel(load_scenario(run["scenario"], run["overrides"]), seed=run["seed"])
            for run in runs
        ]
        market = NationalMarket(models)
        market.run(models[0].burn_in)
        first = [firm_snapshot(model, 0) for model in models]
        market.run()
        seconds = round((time.perf_counter() - started) / len(runs), 3)
        return [
            {
                **{k: run[k] for k in RUN_FIELDS},
                **_results(run, model, start),
                "duration_s": seconds,
            }
            for run, model, start in zip(runs, models, first, strict=True)
        ]
    except Exception as exc:  # a failed market is data, not a crash of the sweep
        seconds = round((time.perf_counter() - started) / len(runs), 3)
        return [failed_record(run, _last_line(exc), seconds) for run in runs]


# ------------------------------------------------------------------ a shared history
def _history_model(run: dict):
    """The model of ``run`` at the end of its burn-in."""
    from ..economy.model import ClusterModel
    from ..inputs.scenario import load_scenario

    model = ClusterModel(load_scenario(run["scenario"], run["overrides"]), seed=run["seed"])
    model.run(model.burn_in)
    return model


def simulate_history(run: dict) -> bytes | dict:
    """The history of ``run`` (its burn-in) as a snapshot other tasks continue from, or
    ``{"error": ...}`` when it cannot be simulated."""
    try:
        return _history_model(run).snapshot()
    except Exception as exc:
        return {"error": _last_line(exc)}


def execute_task(runs: list[dict], history: bytes | dict | None = None) -> list[dict]:
    """Results of ``runs``, which share one history: ``history`` is what
    :func:`simulate_history` returned, or None to simulate it here (from the first run).  Each run
    continues from a copy of it (the last from the history itself); one run alone with no
    history is simply run from scratch."""
    if history is None and len(runs) == 1:
        return [execute_run(runs[0])]
    live = None
    if history is None:
        started = time.perf_counter()
        try:
            live = _history_model(runs[0])
            history = live.snapshot()
        except Exception as exc:
            history = {"error": _last_line(exc)}
        if live is None:
            seconds = round(time.perf_counter() - started, 3)
            return [failed_record(run, history["error"], seconds) for run in runs]
    if isinstance(history, dict):
        return [failed_record(run, history["error"]) for run in runs]
    results = [_run(run, history) for run in runs[:-1]]
    return results + [_run(runs[-1], live if live is not None else history)]
