"""The statistics of paired effects: differences from the baseline, t intervals, bootstrap ratios,
and the replicates a target precision needs.

Every effect is a paired difference: replicate r (and parameter point p) of a
package minus replicate r (point p) of the baseline, which share their random
streams.  Intervals are 95 % t intervals on those differences, Bonferroni-adjusted
for the number of packages compared; ratios get percentile bootstrap intervals.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..experiments.design import BASELINE


def paired_differences(series: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Per package, point and replicate: the effect at the horizon, the cumulative effect
    over the policy quarters, and the baseline's level at the horizon."""
    wide = series.pivot_table(
        index=["point", "replicate", "quarter"], columns="package", values=outcome
    )
    if BASELINE not in wide:
        raise ValueError("the sweep has no finished baseline runs")
    horizon = wide.index.get_level_values("quarter").max()
    rows = []
    for package in wide.columns:
        if package == BASELINE:
            continue
        diff = (wide[package] - wide[BASELINE]).dropna()
        if diff.empty:
            continue
        frame = diff.rename("diff").reset_index()
        at_h = frame[frame["quarter"] == horizon].set_index(["point", "replicate"])["diff"]
        cumulative = frame[frame["quarter"] >= 1].groupby(["point", "replicate"])["diff"].sum()
        base = wide[BASELINE].xs(horizon, level="quarter").reindex(at_h.index)
        part = pd.DataFrame(
            {"horizon": at_h, "cumulative": cumulative.reindex(at_h.index), "base": base}
        ).reset_index()
        part.insert(0, "package", package)
        rows.append(part)
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(
            columns=["package", "point", "replicate", "horizon", "cumulative", "base"]
        )
    )


def t_interval(values, comparisons: int = 1, alpha: float = 0.05) -> tuple[float, float, float]:
    """Mean and Bonferroni-adjusted two-sided t interval (alpha / comparisons)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    half = (
        stats.t.ppf(1 - alpha / (2 * comparisons), len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    )
    return mean, mean - half, mean + half


def replicates_for_half_width(
    differences, target: float, comparisons: int = 1, alpha: float = 0.05
) -> int:
    """Replicates needed for a Bonferroni-adjusted 95 % CI half-width of ``target``:
    n = (t * sd / target)^2, iterated because t depends on n."""
    x = np.asarray(differences, dtype=float)
    if len(x) < 2:
        return 2
    sd = x.std(ddof=1)
    n = max(2, len(x))
    for _ in range(50):
        t = stats.t.ppf(1 - alpha / (2 * comparisons), n - 1)
        new = max(2, math.ceil((t * sd / target) ** 2))
        if new == n:
            break
        n = new
    return n


def bootstrap_ratio(numerator, denominator, rng, draws: int = 2000) -> tuple[float, float, float]:
    """Ratio of means with a percentile bootstrap interval over paired units."""
    num, den = np.asarray(numerator, float), np.asarray(denominator, float)
    estimate = num.mean() / den.mean() if den.mean() != 0 else math.nan
    idx = rng.integers(0, len(num), (draws, len(num)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = num[idx].mean(axis=1) / den[idx].mean(axis=1)
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) < draws // 2:
        return estimate, math.nan, math.nan
    return float(estimate), float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975))


def summarise(diffs: pd.DataFrame, column: str, comparisons: int) -> dict:
    """Effect with its Monte Carlo CI and, across parameter points,
    its parameter-uncertainty range."""
    # A point whose effect is undefined (a percentage of a baseline at zero: +-inf or NaN) has no
    # place in the estimate or in the range across points.
    diffs = diffs[np.isfinite(diffs[column].to_numpy(float))]
    by_point = diffs.groupby("point")[column]
    if by_point.ngroups <= 1:
        mean, lo, hi = t_interval(diffs[column], comparisons)
        return {
            "estimate": mean,
            "ci_low": lo,
            "ci_high": hi,
            "param_low": math.nan,
            "param_high": math.nan,
        }
    point_means = by_point.mean()
    # Replicate r shares its random numbers at every point, so the Monte Carlo noise is correlated
    # across points: average over points within each replicate, then take the interval across
    # replicates.
    mean, lo, hi = t_interval(diffs.groupby("replicate")[column].mean(), comparisons)
    return {
        "estimate": mean,
        "ci_low": lo,
        "ci_high": hi,
        "param_low": float(point_means.quantile(0.025)),
        "param_high": float(point_means.quantile(0.975)),
    }


def replicate_unit(diffs: pd.DataFrame, column: str = "horizon") -> pd.Series:
    """The independent unit for Monte Carlo noise: one value per replicate
    (averaged over parameter points)."""
    return diffs.groupby("replicate")[column].mean()
