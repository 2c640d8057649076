"""The national experiment's results: each cluster's effect (scheme minus baseline, same
seed), national totals and a table by state (``clustersim compare`` on a national sweep)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..experiments.store import write_atomically
from .compare import load_results
from .statistics import paired_differences, t_interval


def national_summary(out: str | Path, write: bool = True) -> dict[str, pd.DataFrame]:
    """Per-cluster effects (scheme minus baseline, same seed),
    national totals and a table by state."""
    out = Path(out)
    series, info = load_results(out)
    clusters = pd.DataFrame(info["clusters"], columns=["name", "n_firms", "archetype", "synthetic"])
    clusters["state"] = info["states"]
    clusters.index.name = "point"
    per = {}
    for outcome in (
        "jobs",
        "export_sales",
        "value_added",
        "public_cost_cr",
        "productivity",
        "export_share",
    ):
        d = paired_differences(series, outcome)
        per[outcome] = d.groupby("point")[["horizon", "cumulative", "base"]].mean()
    table = clusters.join(
        pd.DataFrame(
            {
                "jobs_baseline": per["jobs"]["base"],
                "jobs_effect": per["jobs"]["horizon"],
                "productivity_baseline": per["productivity"]["base"],
                "productivity_effect_pct": 100
                * per["productivity"]["horizon"]
                / per["productivity"]["base"],
                "export_share_effect_points": 100 * per["export_share"]["horizon"],
                "extra_exports_cr": per["export_sales"]["cumulative"],
                "extra_value_added_cr": per["value_added"]["cumulative"],
                "public_cost_cr": per["public_cost_cr"]["horizon"],
            }
        ),
        how="inner",
    )
    table["jobs_per_crore"] = table["jobs_effect"] / table["public_cost_cr"]
    reps = int(series["replicate"].nunique())
    jobs = paired_differences(series, "jobs")
    complete = jobs.groupby("point")["replicate"].nunique()
    complete = complete[complete == reps].index  # clusters finished in every replicate
    if len(complete) == 0:
        raise ValueError("no cluster has finished runs with and without the scheme yet")
    table = table.loc[table.index.isin(complete)]
    by_replicate = jobs[jobs["point"].isin(complete)].groupby("replicate")["horizon"].sum()
    jobs_mean, jobs_lo, jobs_hi = (
        t_interval(by_replicate) if reps > 1 else (float(by_replicate.sum()), math.nan, math.nan)
    )
    productivity = float(
        (table["productivity_effect_pct"] * table["jobs_baseline"]).sum()
        / table["jobs_baseline"].sum()
    )
    national = pd.DataFrame(
        [
            {
                "clusters": len(table),
                "real_clusters": int((~table["synthetic"]).sum()),
                "replicates": reps,
                "jobs_baseline": table["jobs_baseline"].sum(),
                "jobs_effect": jobs_mean,
                "jobs_effect_ci_low": jobs_lo,
                "jobs_effect_ci_high": jobs_hi,
                "productivity_effect_pct_employment_weighted": productivity,
                "extra_exports_cr_cumulative": table["extra_exports_cr"].sum(),
                "extra_value_added_cr_cumulative": table["extra_value_added_cr"].sum(),
                "public_cost_cr": table["public_cost_cr"].sum(),
                "cost_per_job_lakh": 100 * table["public_cost_cr"].sum() / jobs_mean
                if jobs_mean > 0
                else math.nan,
            }
        ]
    )
    states = (
        table.groupby("state")
        .agg(
            clusters=("name", "size"),
            firms=("n_firms", "sum"),
            jobs_baseline=("jobs_baseline", "sum"),
            jobs_effect=("jobs_effect", "sum"),
            extra_exports_cr=("extra_exports_cr", "sum"),
            public_cost_cr=("public_cost_cr", "sum"),
        )
        .sort_values("jobs_effect", ascending=False)
    )
    states["jobs_per_crore"] = states["jobs_effect"] / states["public_cost_cr"]
    result = {"national": national, "clusters": table.reset_index(), "states": states.reset_index()}
    if write:
        for name, frame in (
            ("national_summary.csv", national),
            ("national_clusters.csv", result["clusters"]),
            ("national_by_state.csv", result["states"]),
        ):
            csv = frame.to_csv(index=False, float_format="%.6g")
            write_atomically(out / name, csv.encode("utf-8"))
        n = national.iloc[0]
        text = [
            f"# {info['title']}",
            "",
            "**Illustrative.** Each cluster is simulated on its own, so clusters that compete in "
            "the same markets do not take sales from each other here; synthetic clusters fill the "
            "list to the scheme's size.",
            "",
            f"- {int(n['clusters'])} clusters ({int(n['real_clusters'])} real, from "
            f"clustersim/data/indian_clusters.csv), {int(n['replicates'])} replicate(s); each run "
            "with and without the scheme's package, same seed.",
            f"- Jobs at the horizon: {n['jobs_baseline']:,.0f} without the scheme; "
            f"{n['jobs_effect']:+,.0f} with it.",
            "- Productivity (employment-weighted across clusters): "
            f"{n['productivity_effect_pct_employment_weighted']:+.1f} %.",
            f"- Extra exports over the horizon: Rs {n['extra_exports_cr_cumulative']:,.0f} crore; "
            f"extra value added Rs {n['extra_value_added_cr_cumulative']:,.0f} crore.",
            f"- Public cost: Rs {n['public_cost_cr']:,.0f} crore (budget allocated in proportion "
            f"to firms), Rs {n['cost_per_job_lakh']:.1f} lakh per job.",
            "",
            "## By state",
            "",
            result["states"].to_string(index=False, float_format=lambda v: f"{v:,.1f}"),
            "",
        ]
        write_atomically(out / "national_summary.md", "\n".join(text).encode("utf-8"))
    return result
