"""Python API for notebooks: run a scenario and get tidy pandas data."""

from __future__ import annotations

from pathlib import Path


def run_scenario(
    scenario: str | Path,
    seed: int | None = None,
    horizon: int | None = None,
    n_firms: int | None = None,
):
    """Load, validate and run a scenario; return the finished :class:`ClusterModel`."""
    from .economy.model import ClusterModel
    from .inputs.scenario import load_scenario

    overrides: dict = {}
    if horizon is not None:
        overrides["run"] = {"horizon": horizon}
    if n_firms is not None:
        overrides["cluster"] = {"n_firms": n_firms}
    model = ClusterModel(load_scenario(scenario, overrides), seed=seed, n_firms=n_firms)
    model.run()
    return model


def timeseries(model):
    """The model's quarterly series as a pandas DataFrame (columns as in timeseries.csv)."""
    import pandas as pd

    from .economy.reporters import COLUMN_NAMES

    return pd.DataFrame(model.series.rows, columns=list(COLUMN_NAMES))


def sweep(
    experiment: str | Path,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    replicates: int | None = None,
    horizon: int | None = None,
    progress: bool = False,
    fresh_histories: bool = False,
):
    """Run an experiment file's sweep (either kind); return its manifest
    (one row per run) as a DataFrame.  The packages of a replicate continue from one shared
    pre-policy history; ``fresh_histories=True`` runs each from scratch (same results)."""
    from .experiments.engines import start_fork_server
    from .experiments.national import load_any
    from .experiments.sweep import run_sweep

    if scheduler is None:
        start_fork_server()  # the workers' imports overlap reading the experiment
    return run_sweep(
        load_any(experiment, replicates=replicates, horizon=horizon),
        out,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        progress=progress,
        fresh_histories=fresh_histories,
    )


def compare(out: str | Path, targets: dict[str, float] | None = None, write: bool = True):
    """Effects vs the baseline for a finished sweep: a dict of DataFrames
    (``comparison``, ``ranking`` and, for Sobol/Morris sweeps, ``sensitivity``)."""
    from .analysis.compare import compare as _compare
    from .views.summary import write_comparison

    comparison = _compare(out, targets=targets)
    if write:
        write_comparison(out, comparison)
    return comparison.frames()


def results(out: str | Path):
    """Every finished run's quarterly series of a sweep, as one tidy DataFrame."""
    from .analysis.compare import load_results

    return load_results(out)[0]
