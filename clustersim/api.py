"""Python API for notebooks: run a scenario and get tidy pandas data."""

from __future__ import annotations

from pathlib import Path


def run_scenario(scenario: str | Path, seed: int | None = None, horizon: int | None = None, n_firms: int | None = None):
    """Load, validate and run a scenario; return the finished :class:`ClusterModel`."""
    from .model import ClusterModel
    from .scenario import load_scenario

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

    from .output import COLUMN_NAMES

    return pd.DataFrame(model.rows, columns=list(COLUMN_NAMES))
