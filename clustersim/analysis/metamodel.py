"""The scheme designer's metamodel: each cluster x package's effect estimated from simulated
representative clusters (issue 21).

**Measures** of a run against the "nothing" run of the same cell, draw and replicate (same seed):

- ``net_jobs``: jobs net of the full-time work the cluster's workers had outside it (``jobs_net``)
  at the horizon;
- ``npv``: the present value, at the experiment's discount rate, over the policy quarters, of
  workers' net earnings (``earnings_gain``) plus profits (value added less the wage bill,
  ``wage x jobs``: operating surplus before interest and overheads), less the public cost's;
- ``exports``: export sales net of the imported inputs they embody, summed over the policy
  quarters (Rs crore, undiscounted, as the national summary's);
- ``cost_cr``: the public cost at the horizon (Rs crore, cumulative over the policy quarters).

**The metamodel.**  For each archetype, package and measure, the effect per firm is linear in the
log of the cluster's firms, with a shift for each prior draw:

    effect / firms = a + b log(firms) + delta_draw          (delta_0 = 0; OLS over sizes,
                                                              draws and replicates)

so that a cluster of ``n`` firms in draw ``d`` is expected to gain ``n (a + b log n + delta_d)``.
Its expected effect is the mean over draws; its interval adds the spread across draws (the
interventions' parameter uncertainty) and the fit's standard error (the replicates' noise and the
lack of fit) in quadrature: mean +/- 1.96 sqrt(var_draws + se^2).  The fit is checked out of
sample by leaving each size out in turn (:func:`held_out_check`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .national import net_exports

MEASURES = ("net_jobs", "npv", "exports", "cost_cr")
Z95 = 1.959964


def run_measures(series: pd.DataFrame, annual_rate: float) -> pd.DataFrame:
    """One row per run: its level of each measure's quantity (before differencing)."""
    s = series[series["quarter"] >= 1].copy()
    s["net_exports"] = net_exports(s)
    wage_bill = s["wage"] * s["jobs"] / 400.0  # Rs lakh a worker a year -> Rs crore a quarter
    s["surplus"] = s["earnings_gain"] + s["value_added"] - wage_bill
    s = s.sort_values(["run_id", "quarter"])
    s["spend"] = s.groupby("run_id")["public_cost_cr"].diff().fillna(s["public_cost_cr"])
    discount = (1.0 + annual_rate) ** (s["quarter"] / 4.0)
    s["pv"] = (s["surplus"] - s["spend"]) / discount
    keys = ["package", "point", "replicate"]
    runs = s.groupby(keys).agg(
        npv=("pv", "sum"),
        exports=("net_exports", "sum"),
    )
    final = s[s["quarter"] == s.groupby(keys)["quarter"].transform("max")].set_index(keys)
    runs["net_jobs"] = final["jobs_net"]
    runs["cost_cr"] = final["public_cost_cr"]
    return runs.reset_index()


def design_effects(series: pd.DataFrame, design, annual_rate: float) -> pd.DataFrame:
    """Every package's effect in every cell, draw and replicate of ``design`` (a
    :class:`~clustersim.experiments.allocate.DesignExperiment`): one row each, with the cell's
    archetype and firms; "nothing" is the baseline."""
    runs = run_measures(series, annual_rate)
    base = runs[runs["package"] == BASELINE].set_index(["point", "replicate"])
    rows = runs[runs["package"] != BASELINE].set_index(["point", "replicate"])
    effects = rows[["package"]].copy()
    for m in MEASURES:
        effects[m] = rows[m] - base[m].reindex(rows.index)
    effects = effects.dropna().reset_index()
    cells, points = design.cells, design.points
    effects["archetype"] = [cells[points[p]["cell"]].archetype for p in effects["point"]]
    effects["n_firms"] = [cells[points[p]["cell"]].n_firms for p in effects["point"]]
    effects["draw"] = [points[p]["draw"] for p in effects["point"]]
    return effects


@dataclass
class Fit:
    """One archetype x package x measure: coefficients (a, b, delta_1..), their covariance, the
    residual standard error, R^2 and the sizes it was fitted on."""

    coef: np.ndarray
    cov: np.ndarray
    draws: int
    sizes: tuple[int, ...]
    r2: float
    residual_se: float

    def per_firm(self, n_firms, draw: int | None = None):
        """Effect per firm at ``n_firms``: in ``draw``, or (None) the mean over draws; and the
        standard error of that prediction."""
        x = _row(np.log(np.asarray(n_firms, dtype=float)), self.draws, draw)
        value = x @ self.coef
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, self.cov, x))
        return value, se


def _row(log_n: np.ndarray, draws: int, draw: int | None) -> np.ndarray:
    log_n = np.atleast_1d(log_n)
    x = np.zeros((len(log_n), 2 + draws - 1))
    x[:, 0], x[:, 1] = 1.0, log_n
    if draws > 1:
        if draw is None:
            x[:, 2:] = 1.0 / draws  # the mean over draws
        elif draw > 0:
            x[:, 1 + draw] = 1.0
    return x


def fit_one(frame: pd.DataFrame, measure: str, draws: int) -> Fit:
    """OLS of ``measure`` per firm on log firms and draw dummies (see the module)."""
    y = (frame[measure] / frame["n_firms"]).to_numpy(float)
    x = np.vstack(
        [
            _row(np.log([n]), draws, int(d))[0]
            for n, d in zip(frame["n_firms"], frame["draw"], strict=True)
        ]
    )
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ coef
    dof = max(len(y) - x.shape[1], 1)
    sigma2 = float(residual @ residual) / dof
    cov = sigma2 * np.linalg.pinv(x.T @ x)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(residual @ residual) / total if total > 0 else math.nan
    sizes = tuple(sorted(set(int(n) for n in frame["n_firms"])))
    return Fit(coef, cov, draws, sizes, r2, math.sqrt(sigma2))


def fit_metamodel(effects: pd.DataFrame) -> dict[tuple[str, str, str], Fit]:
    """A fit for every archetype x package x measure."""
    draws = int(effects["draw"].max()) + 1
    return {
        (archetype, package, m): fit_one(frame, m, draws)
        for (archetype, package), frame in effects.groupby(["archetype", "package"])
        for m in MEASURES
    }


def held_out_check(effects: pd.DataFrame) -> pd.DataFrame:
    """Leave each size out in turn: fit on the other sizes, predict the held-out cell's mean
    effect (over draws and replicates), one row per archetype x package x measure x size."""
    draws = int(effects["draw"].max()) + 1
    rows = []
    for (archetype, package), frame in effects.groupby(["archetype", "package"]):
        sizes = sorted(frame["n_firms"].unique())
        for size in sizes:
            train, test = frame[frame["n_firms"] != size], frame[frame["n_firms"] == size]
            for m in MEASURES:
                fit = fit_one(train, m, draws)
                predicted, _ = fit.per_firm([size])
                simulated = test[m].mean()
                noise = test.groupby("draw")[m].mean().std() if draws > 1 else math.nan
                rows.append(
                    {
                        "archetype": archetype,
                        "package": package,
                        "measure": m,
                        "n_firms": int(size),
                        "held_out": "interpolated"
                        if sizes[0] < size < sizes[-1]
                        else "extrapolated",
                        "simulated": simulated,
                        "predicted": float(predicted[0]) * size,
                        "spread_across_draws": noise,
                    }
                )
    return pd.DataFrame(rows)


def fit_summary(check: pd.DataFrame, fits: dict) -> pd.DataFrame:
    """Per measure: in-sample R^2 (median over fits), held-out R^2 and median absolute error
    relative to the effect's size, for interpolated and extrapolated sizes."""
    out = []
    for m, frame in check.groupby("measure"):
        for kind, part in [("all", frame), *frame.groupby("held_out")]:
            error = part["predicted"] - part["simulated"]
            total = ((part["simulated"] - part["simulated"].mean()) ** 2).sum()
            out.append(
                {
                    "measure": m,
                    "held_out": kind,
                    "cells": len(part),
                    "r2_out_of_sample": 1 - (error**2).sum() / total if total > 0 else math.nan,
                    "median_abs_error": float(error.abs().median()),
                    "median_abs_effect": float(part["simulated"].abs().median()),
                    "r2_in_sample_median": float(
                        np.nanmedian([f.r2 for k, f in fits.items() if k[2] == m])
                    ),
                }
            )
    return pd.DataFrame(out)


@dataclass
class EffectTables:
    """Each cluster x package (``nothing`` first, all zero): per measure, the expected effect
    (mean over draws), its standard error from the fit, and the effect in each draw
    (``draws`` x clusters x packages)."""

    packages: list[str]
    expected: dict[str, np.ndarray]  # measure -> clusters x packages
    se: dict[str, np.ndarray]
    by_draw: dict[str, np.ndarray]  # measure -> draws x clusters x packages
    extrapolated: np.ndarray  # clusters: outside the simulated sizes

    def interval(self, measure: str) -> tuple[np.ndarray, np.ndarray]:
        """95 % interval of each cluster x package (the module's rule)."""
        spread = self.by_draw[measure].std(axis=0, ddof=1) if len(self.by_draw[measure]) > 1 else 0
        half = Z95 * np.sqrt(spread**2 + self.se[measure] ** 2)
        return self.expected[measure] - half, self.expected[measure] + half


def cluster_effects(
    fits: dict, archetypes: list[str], n_firms, packages: list[str]
) -> EffectTables:
    """The metamodel applied to every cluster (its archetype and firms) and package; the first
    package ("nothing") has no effect and no cost."""
    n = np.asarray(n_firms, dtype=float)
    draws = next(iter(fits.values())).draws
    expected, se, by_draw = {}, {}, {}
    for m in MEASURES:
        expected[m] = np.zeros((len(n), len(packages)))
        se[m] = np.zeros((len(n), len(packages)))
        by_draw[m] = np.zeros((draws, len(n), len(packages)))
        for c, archetype in enumerate(archetypes):
            for k, package in enumerate(packages[1:], start=1):
                fit = fits[(archetype, package, m)]
                value, error = fit.per_firm([n[c]])
                expected[m][c, k], se[m][c, k] = value[0] * n[c], error[0] * n[c]
                for d in range(draws):
                    by_draw[m][d, c, k] = fit.per_firm([n[c]], d)[0][0] * n[c]
    sizes = next(iter(fits.values())).sizes
    extrapolated = (n < sizes[0]) | (n > sizes[-1])
    return EffectTables(packages, expected, se, by_draw, extrapolated)
