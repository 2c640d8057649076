"""Who gains and where productivity comes from: effects on groups of firms, and the
Melitz-Polanec decomposition of the productivity effect into within-firm, reallocation, entry
and exit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .statistics import t_interval

SIZE_NAMES = {0: "micro", 1: "small", 2: "medium", 3: "large"}
DISTANCE_BANDS = (0.0, 3.0, 6.0, 10.0, np.inf)


def melitz_polanec(first: pd.DataFrame, last: pd.DataFrame) -> dict[str, float]:
    """Dynamic Olley-Pakes decomposition (Melitz & Polanec 2015) of the change in
    employment-weighted labour productivity between two snapshots:
    within (survivors' unweighted mean), reallocation (survivors' covariance),
    entry and exit contributions.  Productivity in Rs lakh of real value added per
    worker per year; the four parts add up to the total change."""

    def prepare(frame):
        frame = frame[frame["workers"] > 0]
        return frame.assign(phi=4.0 * frame["real_value_added"] / frame["workers"]).set_index(
            ["slot", "entry_step"]
        )

    a, b = prepare(first), prepare(last)
    survivors = a.index.intersection(b.index)

    def aggregate(frame):
        w = frame["workers"]
        return float((w * frame["phi"]).sum() / w.sum()) if len(frame) else 0.0

    def olley_pakes(frame):
        share = frame["workers"] / frame["workers"].sum()
        return float(frame["phi"].mean()), float(
            ((share - share.mean()) * (frame["phi"] - frame["phi"].mean())).sum()
        )

    mean_a, cov_a = olley_pakes(a.loc[survivors]) if len(survivors) else (0.0, 0.0)
    mean_b, cov_b = olley_pakes(b.loc[survivors]) if len(survivors) else (0.0, 0.0)
    entrants, exiters = b.drop(survivors), a.drop(survivors)
    share_entry = entrants["workers"].sum() / b["workers"].sum()
    share_exit = exiters["workers"].sum() / a["workers"].sum()
    entry = (
        share_entry * (aggregate(entrants) - aggregate(b.loc[survivors])) if len(entrants) else 0.0
    )
    exit_ = share_exit * (aggregate(a.loc[survivors]) - aggregate(exiters)) if len(exiters) else 0.0
    return {
        "within": mean_b - mean_a,
        "reallocation": cov_b - cov_a,
        "entry": entry,
        "exit": exit_,
        "total": aggregate(b) - aggregate(a),
    }


def decomposition_effects(firms: pd.DataFrame, comparisons: int) -> pd.DataFrame:
    """Package minus baseline, per component, paired by point and replicate."""
    if firms.empty:
        return pd.DataFrame()
    horizon = firms["quarter"].max()
    parts = {}
    for (package, point, replicate), frame in firms.groupby(["package", "point", "replicate"]):
        parts[(package, point, replicate)] = melitz_polanec(
            frame[frame["quarter"] == 0], frame[frame["quarter"] == horizon]
        )
    rows = []
    for (package, point, replicate), comp in parts.items():
        base = parts.get((BASELINE, point, replicate))
        if package == BASELINE or base is None:
            continue
        rows.append(
            {
                "package": package,
                "point": point,
                "replicate": replicate,
                **{k: comp[k] - base[k] for k in comp},
            }
        )
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    out = []
    for package, group in frame.groupby("package"):
        for component in ("within", "reallocation", "entry", "exit", "total"):
            mean, lo, hi = t_interval(group[component], comparisons)
            out.append(
                {
                    "package": package,
                    "outcome": "productivity",
                    "measure": f"decomposition_{component}",
                    "unit": "Rs lakh/worker/year",
                    "estimate": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(out)


def who_gains(firms: pd.DataFrame, comparisons: int) -> pd.DataFrame:
    """Change in workers and output of the same firms (same slot and entry), package minus
    baseline at the horizon, by size class, distance to the cluster core (where
    facilities stand by default) and owner gender."""
    if firms.empty:
        return pd.DataFrame()
    horizon = firms["quarter"].max()
    last = firms[firms["quarter"] == horizon]
    base = last[last["package"] == BASELINE].set_index(["point", "replicate", "slot", "entry_step"])
    rows = []
    for package, group in last[last["package"] != BASELINE].groupby("package"):
        joined = group.set_index(["point", "replicate", "slot", "entry_step"]).join(
            base, how="inner", suffixes=("", "_base")
        )
        joined = joined.assign(
            size=joined["size_class_base"].map(SIZE_NAMES),
            distance=pd.cut(
                joined["distance_to_core_base"],
                DISTANCE_BANDS,
                right=False,
                labels=["0-3 cells", "3-6 cells", "6-10 cells", "10+ cells"],
            ),
            owner=np.where(joined["women_owned_base"], "women-owned", "men-owned"),
        )
        for dimension in ("size", "distance", "owner"):
            per_rep = (
                joined.groupby([dimension, "point", "replicate"], observed=True)
                .agg(
                    workers=("workers", "sum"),
                    workers_base=("workers_base", "sum"),
                    output=("output", "sum"),
                    output_base=("output_base", "sum"),
                    firms=("workers", "size"),
                )
                .reset_index()
            )
            for group_name, g in per_rep.groupby(dimension, observed=True):
                jobs = g["workers"] - g["workers_base"]
                output = 100 * (g["output"] / g["output_base"] - 1)
                for measure, values, unit in (
                    ("jobs", jobs, "workers"),
                    ("output_pct", output, "%"),
                ):
                    mean, lo, hi = t_interval(values, comparisons)
                    rows.append(
                        {
                            "package": package,
                            "outcome": f"who_gains_{dimension}",
                            "measure": f"{group_name}: {measure}",
                            "unit": unit,
                            "estimate": mean,
                            "ci_low": lo,
                            "ci_high": hi,
                            "note": f"{g['firms'].mean():.0f} firms in both runs",
                        }
                    )
    return pd.DataFrame(rows)


def jobs_displaced(firms: pd.DataFrame, comparisons: int) -> pd.DataFrame:
    """Who loses inside the cluster: the jobs firms gained and lost against the baseline at the
    horizon, firm by firm (the same slot and entry).  A firm operating in one run only counts with
    all its workers.  ``created_cluster`` + ``displaced_cluster`` is the gross jobs effect."""
    if firms.empty:
        return pd.DataFrame()
    horizon = firms["quarter"].max()
    last = firms[firms["quarter"] == horizon]
    keys = ["point", "replicate", "slot", "entry_step"]
    base = last[last["package"] == BASELINE].set_index(keys)["workers"]
    rows = []
    for package, group in last[last["package"] != BASELINE].groupby("package"):
        mine = group.set_index(keys)["workers"]
        both = pd.concat([mine.rename("package"), base.rename("base")], axis=1).fillna(0.0)
        both = both[both.index.get_level_values("point").isin(mine.index.get_level_values("point"))]
        change = (both["package"] - both["base"]).groupby(level=["point", "replicate"])
        for measure, values, meaning in (
            (
                "created_cluster",
                change.apply(lambda c: c.clip(lower=0).sum()),
                "jobs added by firms that grew",
            ),
            (
                "displaced_cluster",
                change.apply(lambda c: c.clip(upper=0).sum()),
                "jobs lost by firms that shrank",
            ),
        ):
            mean, lo, hi = t_interval(values, comparisons)
            rows.append(
                {
                    "package": package,
                    "outcome": "jobs",
                    "measure": measure,
                    "unit": "workers",
                    "estimate": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "note": meaning,
                }
            )
    return pd.DataFrame(rows)
