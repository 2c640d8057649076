"""Global sensitivity analysis of a sweep sampled for it: Sobol or Morris indices (SALib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .statistics import paired_differences


def sensitivity(series: pd.DataFrame, info: dict, outcomes, seed: int = 0) -> pd.DataFrame:
    """Sobol (first and total order) or Morris indices with confidence intervals.

    Replicates: at each parameter point the outcome (the package's paired effect
    at the horizon, or the baseline's level) is averaged over the point's
    replicates, which share their seeds across points (common random numbers);
    the indices are computed on those averages, so Monte Carlo noise that is
    left after averaging shows up as a small spurious share of variance.
    """
    method = info["sampler"]["method"]
    names = list(info["parameters"])
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [info["parameters"][k] for k in names],
    }
    points = info["points"]
    x = np.array([[p[k] for k in names] for p in points], dtype=float)
    rows = []
    for package in info["packages"]:
        for outcome in outcomes:
            if package == BASELINE:
                last = series[
                    (series["package"] == BASELINE) & (series["quarter"] == series["quarter"].max())
                ]
                y_by_point = last.groupby("point")[outcome].mean()
            else:
                d = paired_differences(series, outcome)
                y_by_point = d[d["package"] == package].groupby("point")["horizon"].mean()
            if len(y_by_point) < len(points):
                continue  # unfinished design: indices need every point
            y = y_by_point.reindex(range(len(points))).to_numpy()
            if method == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
                for i, name in enumerate(names):
                    rows.append(
                        {
                            "package": package,
                            "outcome": outcome,
                            "parameter": name,
                            "S1": res["S1"][i],
                            "S1_conf": res["S1_conf"][i],
                            "ST": res["ST"][i],
                            "ST_conf": res["ST_conf"][i],
                        }
                    )
            else:
                from SALib.analyze import morris

                res = morris.analyze(problem, x, y, conf_level=0.95, num_levels=4, seed=seed)
                for i, name in enumerate(names):
                    rows.append(
                        {
                            "package": package,
                            "outcome": outcome,
                            "parameter": name,
                            "mu_star": res["mu_star"][i],
                            "mu_star_conf": res["mu_star_conf"][i],
                            "sigma": res["sigma"][i],
                        }
                    )
    return pd.DataFrame(rows)
