"""Which package beats which, whether a holistic package is more than the sum of its parts, and
which assumptions decide it: ``pairwise.csv`` and ``drivers.csv`` of ``clustersim compare``.

Every package's runs share the baseline's random numbers (replicate r) and, with
``parameter_uncertainty = true``, the same draw of the effect parameters (point p).  A joint draw
is a pair (p, r): package A beats package B in it when A's paired effect exceeds B's.

- ``p_beats`` is the share of joint draws in which A beats B, over Monte Carlo noise and
  parameter uncertainty together; ``p_tie`` the share of ties, so that
  P(A beats B) + P(B beats A) + P(tie) = 1.
- ``p_beats_over_draws`` is the share of parameter draws in which A's effect averaged over the
  replicates beats B's: parameter uncertainty alone (Monte Carlo noise averaged out).
- The difference A - B has a Monte Carlo interval (across replicates, averaged over draws) and a
  parameter range (2.5-97.5 % of the draws' means), and their two standard deviations apart.
- The **synergy** of a holistic package is its effect minus the sum of its parts' effects, the
  parts being the experiment's single-intervention packages that make it up (found from the
  switched-on interventions experiment.json records); it is 0 for a package of one intervention.
- ``drivers.csv``: across parameter draws, each drawn parameter's Spearman rank correlation with
  a pair's difference (or a package's own effect, against ``baseline``, or a synergy) and the
  share of its variance a straight line in the parameter explains.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..experiments.design import BASELINE
from .statistics import paired_differences, t_interval

#: Outcomes on which packages are compared pair by pair (column name: words).
PAIR_OUTCOMES = {"jobs_net": "net jobs", "jobs_net_per_crore": "net jobs per Rs crore"}
#: Outcomes whose synergy is reported (they add up across packages, unlike a ratio).
SYNERGY_OUTCOMES = {
    "jobs_net": "net jobs",
    "productivity_pct": "productivity (%)",
    "public_cost_cr": "public cost (Rs crore)",
}
KEYS = ["point", "replicate"]


def effects(series: pd.DataFrame, packages: list[str]) -> dict[str, pd.DataFrame]:
    """Per outcome, each package's paired effect at the horizon: one row a joint draw (point,
    replicate), one column a package.  Net jobs per Rs crore is a draw's net jobs over its public
    cost (undefined where the package spent nothing)."""
    out = {}
    for outcome in ("jobs_net", "productivity", "public_cost_cr"):
        if outcome not in series.columns:
            continue
        d = paired_differences(series, outcome)
        d = d[d["package"].isin(packages)]
        out[outcome] = d.pivot_table(index=KEYS, columns="package", values="horizon")
        if outcome == "productivity":
            rel = d.assign(rel=100 * d["horizon"] / d["base"])
            out["productivity_pct"] = rel.pivot_table(index=KEYS, columns="package", values="rel")
    if "jobs_net" in out and "public_cost_cr" in out:
        cost = out["public_cost_cr"].reindex_like(out["jobs_net"])
        out["jobs_net_per_crore"] = out["jobs_net"] / cost.where(cost > 0)
    return {k: v.reindex(columns=[p for p in packages if p in v.columns]) for k, v in out.items()}


def beats(a: pd.Series, b: pd.Series) -> dict:
    """How often ``a`` exceeds ``b`` over the joint draws both have, and over parameter draws
    (each draw's mean over replicates)."""
    both = pd.concat({"a": a, "b": b}, axis=1).dropna()
    if both.empty:
        return {"p_beats": math.nan, "p_tie": math.nan, "p_beats_over_draws": math.nan}
    means = both.groupby(level="point").mean()
    return {
        "p_beats": float((both["a"] > both["b"]).mean()),
        "p_tie": float((both["a"] == both["b"]).mean()),
        "p_beats_over_draws": float((means["a"] > means["b"]).mean()),
    }


def spread(diff: pd.Series) -> dict:
    """A difference over the joint draws: its mean with a Monte Carlo interval (across
    replicates, each averaged over the parameter draws, which share its random numbers), its
    parameter range (2.5-97.5 % of the draws' means) and two standard deviations apart: Monte
    Carlo (a run's, within a draw) and parameter (of the draws' means, less the Monte Carlo part
    left in them; 0 when every draw is the same)."""
    diff = diff.dropna()
    if diff.empty:
        return dict.fromkeys(
            ("difference", "ci_low", "ci_high", "param_low", "param_high", "mc_sd", "parameter_sd"),
            math.nan,
        )
    estimate, low, high = t_interval(diff.groupby(level="replicate").mean())
    by_point = diff.groupby(level="point")
    within = float(by_point.var(ddof=1).mean()) if by_point.size().min() > 1 else math.nan
    means = by_point.mean()
    if len(means) < 2:
        return {
            "difference": estimate,
            "ci_low": low,
            "ci_high": high,
            "param_low": math.nan,
            "param_high": math.nan,
            "mc_sd": math.sqrt(within) if np.isfinite(within) else math.nan,
            "parameter_sd": math.nan,
        }
    # Replicate r shares its random numbers at every draw, so the draws' means share Monte Carlo
    # noise: what is left in their spread is the draw-by-replicate interaction, estimated from the
    # residuals of an additive fit (draw + replicate) over the complete table.
    table = diff.unstack("replicate").dropna(axis=1)
    noise = 0.0
    if table.shape[1] > 1:
        resid = table.sub(table.mean(axis=1), axis=0).sub(table.mean(axis=0), axis=1)
        resid += table.to_numpy().mean()
        dof = (table.shape[0] - 1) * (table.shape[1] - 1)
        noise = float((resid.to_numpy() ** 2).sum() / dof / table.shape[1]) if dof else 0.0
    parameter_var = float(means.var(ddof=1)) - noise
    scale = float((means**2).mean())
    parameter_var = 0.0 if parameter_var <= 1e-12 * scale else parameter_var  # rounding
    return {
        "difference": estimate,
        "ci_low": low,
        "ci_high": high,
        "param_low": float(means.quantile(0.025)),
        "param_high": float(means.quantile(0.975)),
        "mc_sd": math.sqrt(within) if np.isfinite(within) else math.nan,
        "parameter_sd": math.sqrt(parameter_var),
    }


def parts_of(package: str, interventions: dict[str, dict], candidates) -> tuple[list[str], str]:
    """The single-intervention packages among ``candidates`` whose interventions make up
    ``package`` (one with the same settings first), and a note of what is missing or differs;
    a package of one intervention is its own part."""
    mine = interventions.get(package, {})
    singles = {p: interventions.get(p, {}) for p in candidates}
    singles = {p: s for p, s in singles.items() if len(s) == 1}
    parts, notes, missing = [], [], []
    for name, settings in mine.items():
        same = [p for p, s in singles.items() if name in s]
        exact = [p for p in same if singles[p][name] == settings]
        if exact:
            parts.append(exact[0])
        elif same:
            parts.append(same[0])
            notes.append(f"{same[0]} runs {name} with other settings than {package}")
        else:
            missing.append(name)
    if missing:
        return [], "no single-intervention package for " + ", ".join(missing)
    return parts, "; ".join(notes)


def synergy(effect: pd.DataFrame, package: str, parts: list[str]) -> pd.Series:
    """A package's effect minus the sum of its parts' effects, joint draw by joint draw."""
    return effect[package] - effect[parts].sum(axis=1, min_count=len(parts))


def drivers_of(diff: pd.Series, points: pd.DataFrame) -> list[dict]:
    """Across parameter draws: each drawn parameter's Spearman rank correlation with the draws'
    mean difference, and the share of that difference's variance a line in it explains (r^2)."""
    means = diff.dropna().groupby(level="point").mean()
    rows = []
    if len(means) < 3 or float(means.std()) == 0.0:
        return rows
    for parameter in points.columns:
        x = points[parameter].reindex(means.index).to_numpy(float)
        if np.nanstd(x) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho = float(stats.spearmanr(x, means.to_numpy()).statistic)
            r = float(np.corrcoef(x, means.to_numpy())[0, 1])
        rows.append(
            {
                "parameter": parameter,
                "spearman": rho,
                "variance_share": r * r,
                "variance": float(means.var(ddof=1)),
            }
        )
    return rows


def pairwise(
    series: pd.DataFrame, packages: list[str], info: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``pairwise.csv`` (every ordered pair of packages on each of :data:`PAIR_OUTCOMES`, then
    each holistic package against the sum of its parts on each of :data:`SYNERGY_OUTCOMES`) and
    ``drivers.csv`` (which drawn parameter moves each difference; rows ``all pairs`` weight
    every pair by the variance of its difference across draws)."""
    wide = effects(series, packages)
    points = pd.DataFrame(info.get("points") or [{}]).rename_axis("point")
    drawn = points.dropna(axis=1, how="all") if len(points) > 1 else pd.DataFrame()
    rows, drivers = [], []
    for outcome, words in PAIR_OUTCOMES.items():
        if outcome not in wide:
            continue
        effect = wide[outcome]
        if not drawn.empty:  # what moves each package's own effect (against the baseline)
            for a in effect.columns:
                drivers += [
                    {"package": a, "other": BASELINE, "outcome": outcome, **row}
                    for row in drivers_of(effect[a], drawn)
                ]
        for a, b in itertools.permutations(effect.columns, 2):
            diff = effect[a] - effect[b]
            rows.append(
                {
                    "kind": "pair",
                    "package": a,
                    "other": b,
                    "outcome": outcome,
                    **beats(effect[a], effect[b]),
                    **spread(diff),
                    "draws": int(diff.notna().sum()),
                    "note": f"{a} vs {b} on {words}",
                }
            )
            if a < b and not drawn.empty:
                drivers += [
                    {"package": a, "other": b, "outcome": outcome, **row}
                    for row in drivers_of(diff, drawn)
                ]
    interventions = info.get("interventions", {})
    if interventions and not interventions.get(BASELINE):
        for package in packages:
            if len(interventions.get(package, {})) < 2:
                continue
            parts, note = parts_of(package, interventions, packages)
            label = " + ".join(parts) if parts else "its parts"
            for outcome, words in SYNERGY_OUTCOMES.items():
                if outcome not in wide:
                    continue
                effect = wide[outcome]
                if parts and all(p in effect.columns for p in parts + [package]):
                    gain = synergy(effect, package, parts)
                    summed = effect[parts].sum(axis=1, min_count=len(parts))
                    found = {**beats(effect[package], summed), **spread(gain)}
                    if not drawn.empty:
                        drivers += [
                            {"package": package, "other": label, "outcome": f"synergy_{outcome}"}
                            | row
                            for row in drivers_of(gain, drawn)
                        ]
                else:  # the same columns as any row, empty
                    gain = pd.Series(dtype=float)
                    found = {**beats(gain, gain), **spread(gain)}
                rows.append(
                    {
                        "kind": "synergy",
                        "package": package,
                        "other": label,
                        "outcome": outcome,
                        **found,
                        "draws": int(gain.notna().sum()),
                        "note": f"{package} minus the sum of its parts on {words}"
                        + (f" ({note})" if note else ""),
                    }
                )
    table = pd.DataFrame(rows)
    return table, overall_drivers(pd.DataFrame(drivers))


def overall_drivers(drivers: pd.DataFrame) -> pd.DataFrame:
    """The drivers of each pair, then for every parameter and outcome the share of the variance
    of all pairs' differences across draws it explains (pairs weighted by that variance)."""
    if drivers.empty:
        return drivers
    pairs = drivers[~drivers["outcome"].str.startswith("synergy_") & (drivers["other"] != BASELINE)]
    rows = []
    for (outcome, parameter), group in pairs.groupby(["outcome", "parameter"], sort=False):
        weight = group["variance"].sum()
        rows.append(
            {
                "package": "all pairs",
                "other": "",
                "outcome": outcome,
                "parameter": parameter,
                "spearman": math.nan,
                "variance_share": float((group["variance_share"] * group["variance"]).sum())
                / weight
                if weight > 0
                else math.nan,
                "variance": float(weight),
            }
        )
    overall = pd.DataFrame(rows)
    if not overall.empty:
        overall = overall.sort_values(
            ["outcome", "variance_share"], ascending=[True, False], ignore_index=True
        )
    return pd.concat([overall, drivers], ignore_index=True)
