"""Small, fast versions of the shipped scenarios for tests."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from clustersim.economy.model import ClusterModel
from clustersim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


#: A short run of a small cluster (burn-in, horizon, firms, grid), for tests of one mechanism.
QUICK = {"run.burn_in": 24, "run.horizon": 16, "cluster.n_firms": 60, "run.grid_width": 20}


def quick_run(scenario: str, seed: int = 3, **settings) -> ClusterModel:
    """A shipped scenario (by name), shortened by :data:`QUICK`, run to its horizon."""
    model = ClusterModel(SCENARIOS / f"{scenario}.toml", seed=seed, **QUICK, **settings)
    model.run()
    return model


def assert_same_economy(model, base) -> None:
    """Every economic series of ``model`` equals the baseline's (public cost and take-up may
    differ)."""
    from clustersim.economy.reporters import ECONOMY_COLUMNS

    for column in ECONOMY_COLUMNS:
        assert model.series.column(column) == base.series.column(column), column


def small_overrides(n_firms=60, burn_in=8, horizon=8, **sections):
    """Overrides that shrink a scenario for tests; extra sections merge in."""
    over = {"run": {"burn_in": burn_in, "horizon": horizon}, "cluster": {"n_firms": n_firms}}
    for section, values in sections.items():
        over.setdefault(section.replace("__", "."), {}).update(values)
    return over


def small_model(name="baseline.toml", seed=1, **kwargs) -> ClusterModel:
    scenario = load_scenario(SCENARIOS / name, small_overrides(**kwargs))
    return ClusterModel(scenario, seed=seed)


def run_small(name="baseline.toml", seed=1, **kwargs) -> ClusterModel:
    model = small_model(name, seed, **kwargs)
    model.run()
    return model


#: A small experiment: baseline and two packages, 3 replicates of 30 firms, 4 + 4 quarters.
TINY = f"""
title = "tiny"
baseline = "{SCENARIOS / "baseline.toml"}"
replicates = 3
seed = 5
horizon = 4
burn_in = 4
n_firms = 30
[packages]
holistic = "{SCENARIOS / "holistic_spv.toml"}"
cell = "{SCENARIOS / "facilitation_cell.toml"}"
"""


def clustersim(*argv) -> tuple[int, str, str]:
    """``clustersim ARGV`` in this process: (exit status, stdout, stderr).  An exception other
    than SystemExit propagates, failing the test as a traceback would fail a user."""
    from clustersim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def paired_differences(values, points: int = 1) -> pd.DataFrame:
    """A package's paired differences from the baseline, as ``analysis.compare`` holds them: one
    row per (parameter point, replicate), ``values`` at the horizon (point by point, replicates
    within), four times as much over the policy period, a baseline of 1."""
    replicates = len(values) // points
    return pd.DataFrame(
        {
            "package": "p",
            "point": np.repeat(range(points), replicates),
            "replicate": np.tile(range(replicates), points),
            "horizon": values,
            "cumulative": [4 * v for v in values],
            "base": 1.0,
        }
    )
