"""The national experiment's results (``clustersim compare`` on a national sweep): each cluster's
effect, national totals, and tables by product and by state.

In national markets (``market = "national"``) a cluster's **effect** is the all-treated world
against the none-treated world (``scheme`` minus ``baseline``, same seeds): it already holds what
the other treated clusters of its product took from it.  Its **effect apart** (``scheme_apart``
minus ``baseline_apart``) is what a single-cluster evaluation would report.  Their difference,
summed over clusters, is the **adding-up error** (``adding_up_error``): what adding up clusters
evaluated one at a time gets wrong about the scheme's national effect.  It is not the sales clusters
take from each other: clusters treated alike take from each other what the others take from them,
and the error is then near zero (identical clusters treated alike: exactly zero); it grows with
how unevenly the scheme treats the clusters of a product.  Beside it: what outside producers (the
rest of the industry) lose (``outside_jobs``), the jobs net of the full-time work the cluster's
workers had outside it (``jobs_net``), the same after outside producers' losses
(``jobs_net_after_outside``, a bound: outside producers' workers are counted gross), and exports
net of the imported inputs in them.

Only the real clusters of the data are named; synthetic ones are reported by archetype and state
and marked illustrative.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..experiments.store import write_atomically
from .compare import load_results
from .statistics import paired_differences, t_interval

SCHEME = "scheme"
APART = "_apart"
#: The outcomes summed over clusters, and what each cluster's effect is called.
OUTCOMES = (
    "jobs",
    "jobs_net",
    "outside_jobs",
    "export_sales",
    "net_exports",
    "value_added",
    "public_cost_cr",
    "productivity",
    "export_share",
)


def net_exports(series: pd.DataFrame) -> pd.Series:
    """Exports net of the imported inputs they embody (Rs crore a quarter): export sales less
    imported materials in proportion to the export share of sales."""
    materials = series["sales"] - series["value_added"]
    share = (series["imported_input_share"] * materials / series["sales"]).where(
        series["sales"] > 0, 0.0
    )
    return series["export_sales"] * (1.0 - share)


def _effects(series: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per outcome: each cluster and replicate's effect at the horizon, cumulative effect and
    baseline level (``scheme`` against ``baseline``)."""
    return {
        outcome: paired_differences(series, outcome).loc[lambda d: d["package"] == SCHEME]
        for outcome in OUTCOMES
    }


def _apart(series: pd.DataFrame) -> pd.DataFrame:
    """The runs apart, named as the national design's runs are."""
    apart = series[series["package"].str.endswith(APART)]
    return apart.assign(package=apart["package"].str.removesuffix(APART))


def national_summary(out: str | Path, write: bool = True) -> dict[str, pd.DataFrame]:
    """Per-cluster effects, national totals and tables by product and by state; with
    ``write``, the CSVs and ``national_summary.md`` in ``out``."""
    out = Path(out)
    series, info = load_results(out)
    series = series.assign(net_exports=net_exports(series))
    in_markets = info.get("market") == "national"
    clusters = pd.DataFrame(info["clusters"], columns=["name", "n_firms", "archetype", "synthetic"])
    clusters["state"] = info["states"]
    clusters.index.name = "point"
    coupled = _effects(series[~series["package"].str.endswith(APART)])
    apart = _effects(_apart(series)) if in_markets else coupled
    reps = int(series["replicate"].nunique())
    complete = set(_complete(coupled["jobs"], reps)) & set(_complete(apart["jobs"], reps))
    if not complete:
        raise ValueError("no cluster has finished runs with and without the scheme yet")

    def mean(effects, outcome, what="horizon"):
        frame = effects[outcome]
        return frame[frame["point"].isin(complete)].groupby("point")[what].mean()

    table = clusters.loc[sorted(complete)].join(
        pd.DataFrame(
            {
                "jobs_baseline": mean(coupled, "jobs", "base"),
                "jobs_effect": mean(coupled, "jobs"),
                "jobs_effect_apart": mean(apart, "jobs"),
                "jobs_net_effect": mean(coupled, "jobs_net"),
                "outside_jobs_effect": mean(coupled, "outside_jobs"),
                "productivity_baseline": mean(coupled, "productivity", "base"),
                "productivity_effect_pct": 100
                * mean(coupled, "productivity")
                / mean(coupled, "productivity", "base"),
                "export_share_effect_points": 100 * mean(coupled, "export_share"),
                "extra_exports_cr": mean(coupled, "export_sales", "cumulative"),
                "extra_net_exports_cr": mean(coupled, "net_exports", "cumulative"),
                "extra_value_added_cr": mean(coupled, "value_added", "cumulative"),
                "public_cost_cr": mean(coupled, "public_cost_cr"),
            }
        )
    )
    table.insert(0, "product", table.pop("archetype"))
    table["apart_minus_national"] = table["jobs_effect_apart"] - table["jobs_effect"]
    table["jobs_net_after_outside"] = table["jobs_net_effect"] + table["outside_jobs_effect"]
    table["jobs_per_crore"] = table["jobs_effect"] / table["public_cost_cr"]
    table["label"] = [
        f"{row.product.replace('_', ' ')}, {row.state} (illustrative)" if row.synthetic else name
        for name, row in zip(table["name"], table.itertuples(), strict=True)
    ]

    def totals(effects, outcome) -> pd.Series:
        """The national effect in each replicate."""
        frame = effects[outcome]
        return frame[frame["point"].isin(complete)].groupby("replicate")["horizon"].sum()

    def interval(values: pd.Series):
        return t_interval(values) if reps > 1 else (float(values.sum()), math.nan, math.nan)

    gross = interval(totals(coupled, "jobs"))
    gross_apart = interval(totals(apart, "jobs"))
    error = interval(totals(apart, "jobs") - totals(coupled, "jobs"))
    net = interval(totals(coupled, "jobs_net"))
    after_outside = interval(totals(coupled, "jobs_net") + totals(coupled, "outside_jobs"))
    outside = table["outside_jobs_effect"].sum()
    productivity = float(
        (table["productivity_effect_pct"] * table["jobs_baseline"]).sum()
        / table["jobs_baseline"].sum()
    )
    cost = table["public_cost_cr"].sum()
    national = pd.DataFrame(
        [
            {
                "market": "national" if in_markets else "apart",
                "clusters": len(table),
                "real_clusters": int((~table["synthetic"]).sum()),
                "replicates": reps,
                "jobs_baseline": table["jobs_baseline"].sum(),
                "jobs_effect_apart": gross_apart[0],
                "jobs_effect_apart_ci_low": gross_apart[1],
                "jobs_effect_apart_ci_high": gross_apart[2],
                "jobs_effect": gross[0],
                "jobs_effect_ci_low": gross[1],
                "jobs_effect_ci_high": gross[2],
                "adding_up_error": error[0],
                "adding_up_error_ci_low": error[1],
                "adding_up_error_ci_high": error[2],
                "outside_jobs_effect": outside,
                "jobs_net_effect": net[0],
                "jobs_net_effect_ci_low": net[1],
                "jobs_net_effect_ci_high": net[2],
                "jobs_net_after_outside": after_outside[0],
                "jobs_net_after_outside_ci_low": after_outside[1],
                "jobs_net_after_outside_ci_high": after_outside[2],
                "productivity_effect_pct_employment_weighted": productivity,
                "extra_exports_cr_cumulative": table["extra_exports_cr"].sum(),
                "extra_net_exports_cr_cumulative": table["extra_net_exports_cr"].sum(),
                "extra_value_added_cr_cumulative": table["extra_value_added_cr"].sum(),
                "public_cost_cr": cost,
                "cost_per_job_lakh": 100 * cost / gross[0] if gross[0] > 0 else math.nan,
                "cost_per_net_job_lakh": 100 * cost / net[0] if net[0] > 0 else math.nan,
            }
        ]
    )
    sums = dict(
        clusters=("name", "size"),
        firms=("n_firms", "sum"),
        jobs_baseline=("jobs_baseline", "sum"),
        jobs_effect_apart=("jobs_effect_apart", "sum"),
        jobs_effect=("jobs_effect", "sum"),
        adding_up_error=("apart_minus_national", "sum"),
        outside_jobs_effect=("outside_jobs_effect", "sum"),
        jobs_net_effect=("jobs_net_effect", "sum"),
        jobs_net_after_outside=("jobs_net_after_outside", "sum"),
        extra_exports_cr=("extra_exports_cr", "sum"),
        extra_net_exports_cr=("extra_net_exports_cr", "sum"),
        public_cost_cr=("public_cost_cr", "sum"),
    )
    products = table.groupby("product").agg(**sums).sort_values("jobs_effect", ascending=False)
    states = table.groupby("state").agg(**sums).sort_values("jobs_effect", ascending=False)
    for frame in (products, states):
        frame["jobs_net_per_crore"] = frame["jobs_net_effect"] / frame["public_cost_cr"]
    result = {
        "national": national,
        "clusters": table.reset_index(),
        "products": products.reset_index(),
        "states": states.reset_index(),
    }
    if write:
        _write(out, info, result, in_markets)
    return result


def _complete(effects: pd.DataFrame, reps: int):
    """Clusters with an effect in every replicate."""
    counts = effects.groupby("point")["replicate"].nunique()
    return counts[counts == reps].index


def _write(out: Path, info: dict, result: dict, in_markets: bool) -> None:
    for name, key in (
        ("national_summary.csv", "national"),
        ("national_clusters.csv", "clusters"),
        ("national_by_product.csv", "products"),
        ("national_by_state.csv", "states"),
    ):
        frame = result[key]
        if key == "clusters":  # synthetic clusters by archetype and state, never by a name
            frame = frame.assign(name=frame["label"]).drop(columns="label")
        csv = frame.to_csv(index=False, float_format="%.6g")
        write_atomically(out / name, csv.encode("utf-8"))
    n = result["national"].iloc[0]

    def ci(key):
        low, high = n[f"{key}_ci_low"], n[f"{key}_ci_high"]
        return "" if math.isnan(low) else f" (95 % CI {low:+,.0f} to {high:+,.0f})"

    show = ["product", "clusters", "jobs_effect_apart", "jobs_effect", "adding_up_error"]
    show += ["outside_jobs_effect", "jobs_net_effect", "jobs_net_after_outside"]
    show += ["public_cost_cr", "jobs_net_per_crore"]
    if in_markets:
        market = [
            "**The clusters of a product sell in one national market** and were simulated "
            "together: a treated cluster takes sales from the other clusters of its product. "
            "Each cluster was also simulated apart, as a single-cluster evaluation would see it.",
            "",
            f"- Jobs at the horizon, clusters counted apart: {n['jobs_effect_apart']:+,.0f}"
            f"{ci('jobs_effect_apart')}.",
            f"- In national markets (all treated against none treated): {n['jobs_effect']:+,.0f}"
            f"{ci('jobs_effect')}. Adding up the clusters counted apart is off by "
            f"{n['adding_up_error']:+,.0f}{ci('adding_up_error')}: what the treated clusters take "
            "from each other, less what each loses to the others, left over where the scheme "
            "treats the clusters of a product unevenly.",
            f"- Outside producers (the rest of the industry, beside the clusters) change by "
            f"{n['outside_jobs_effect']:+,.0f} workers.",
        ]
    else:
        market = [
            "**Illustrative.** Each cluster is simulated on its own, so clusters that compete in "
            'the same markets do not take sales from each other here (`market = "national"` '
            "simulates them together).",
            "",
            f"- Jobs at the horizon: {n['jobs_effect']:+,.0f}{ci('jobs_effect')}.",
            f"- Each cluster's outside producers change by {n['outside_jobs_effect']:+,.0f} "
            "workers, summed (they overlap: each cluster's stand for an industry that holds the "
            "other clusters).",
        ]
    text = [
        f"# {info['title']}",
        "",
        *market,
        f"- Net of the full-time work the clusters' workers had outside them: "
        f"{n['jobs_net_effect']:+,.0f} jobs{ci('jobs_net_effect')}; after outside producers' "
        f"losses too: {n['jobs_net_after_outside']:+,.0f}{ci('jobs_net_after_outside')} (a "
        "bound: outside producers' workers are counted gross).",
        f"- {int(n['clusters'])} clusters ({int(n['real_clusters'])} real, from "
        "clustersim/data/indian_clusters.csv; the others synthetic and illustrative), "
        f"{int(n['replicates'])} replicate(s), same seeds with and without the scheme; "
        f"jobs without it: {n['jobs_baseline']:,.0f}.",
        "- Productivity (employment-weighted across clusters): "
        f"{n['productivity_effect_pct_employment_weighted']:+.1f} %.",
        f"- Extra exports over the horizon: Rs {n['extra_exports_cr_cumulative']:,.0f} crore, "
        f"Rs {n['extra_net_exports_cr_cumulative']:,.0f} crore net of imported inputs; extra "
        f"value added Rs {n['extra_value_added_cr_cumulative']:,.0f} crore.",
        f"- Public cost: Rs {n['public_cost_cr']:,.0f} crore (budget allocated in proportion "
        f"to firms), Rs {n['cost_per_net_job_lakh']:,.1f} lakh per net job (net of workers' "
        "outside work, before outside producers' losses).",
        "",
        "## By product",
        "",
        result["products"][show].to_string(index=False, float_format=lambda v: f"{v:,.1f}"),
        "",
        "## By state",
        "",
        result["states"][["state", *show[1:]]].to_string(
            index=False, float_format=lambda v: f"{v:,.1f}"
        ),
        "",
    ]
    write_atomically(out / "national_summary.md", "\n".join(text).encode("utf-8"))
