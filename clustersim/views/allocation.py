"""The scheme designer's outputs for a ministry: ``allocation.csv`` (one row per cluster; only
the real clusters named, synthetic ones by archetype and state, marked illustrative),
``allocation_by_state.csv``, ``rules_of_thumb.csv``, ``robustness.csv``, ``metamodel_fit.csv``,
``verification.csv`` (when run), ``allocation.png`` and ``allocation.md`` in plain language."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.designer import RULES, Design, evaluate
from ..experiments.store import write_atomically
from .plots import _pyplot

LABELS = {
    "optimal": "The designer's allocation",
    "greedy": "Greedy check (value per rupee)",
    "equal_money_per_cluster": "Equal money per cluster",
    "money_in_proportion_to_firms": "Money in proportion to firms",
    "criteria_of_2003": "The 2003 programme's criteria",
    "holistic_for_largest": "Holistic package for the largest clusters",
}
UNITS = {
    "net_jobs": "net jobs at the horizon",
    "npv": "Rs crore NPV",
    "exports": "Rs crore of net exports over the horizon",
}


def cluster_table(design: Design) -> pd.DataFrame:
    choice = design.choices["optimal"]
    rows = np.arange(len(choice))
    e = design.effects
    table = design.clusters.rename(columns={"label": "cluster"}).copy()
    table["illustrative"] = table.pop("synthetic")
    table["package"] = [design.packages[k] for k in choice]
    table["cost_cr"] = design.problem.costs[rows, choice]
    for m in ("net_jobs", "npv", "exports"):
        low, high = e.interval(m)
        table[m] = e.expected[m][rows, choice]
        table[f"{m}_low"], table[f"{m}_high"] = low[rows, choice], high[rows, choice]
    table["chosen_in_share_of_draws"] = design.robust["frequency"][rows, choice]
    table["size_outside_simulated_range"] = e.extrapolated
    return table


def rules_table(design: Design) -> pd.DataFrame:
    rows = []
    best = evaluate(design, design.choices["optimal"])
    measure = {"net_jobs": "net_jobs", "npv": "npv", "exports": "exports"}[design.objective]
    for name, choice in design.choices.items():
        row = {"allocation": name, **evaluate(design, choice)}
        row["share_of_designer_objective"] = (
            row[measure] / best[measure] if best[measure] else math.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def state_table(table: pd.DataFrame) -> pd.DataFrame:
    return (
        table.assign(treated=table["package"] != "nothing")
        .groupby("state")
        .agg(
            clusters=("cluster", "size"),
            clusters_treated=("treated", "sum"),
            firms=("n_firms", "sum"),
            cost_cr=("cost_cr", "sum"),
            net_jobs=("net_jobs", "sum"),
            npv=("npv", "sum"),
            exports=("exports", "sum"),
        )
        .sort_values("cost_cr", ascending=False)
        .reset_index()
    )


def write_allocation(out: Path, design: Design, title: str) -> dict[str, pd.DataFrame]:
    out.mkdir(parents=True, exist_ok=True)
    table = cluster_table(design)
    frames = {
        "allocation.csv": table,
        "allocation_by_state.csv": state_table(table),
        "rules_of_thumb.csv": rules_table(design),
        "robustness.csv": pd.DataFrame(design.robust["draws"]),
        "metamodel_fit.csv": design.fit,
        "metamodel_check.csv": design.check,
    }
    if design.verification is not None:
        frames["verification.csv"] = design.verification
    for name, frame in frames.items():
        write_atomically(out / name, frame.to_csv(index=False, float_format="%.6g").encode())
    plot(out / "allocation.png", design, frames["rules_of_thumb.csv"])
    text = words(design, frames, title)
    write_atomically(out / "allocation.md", text.encode("utf-8"))
    write_atomically(out / "allocation.html", page(out, text, frames, title).encode("utf-8"))
    return frames


def page(out: Path, text: str, frames: dict, title: str) -> str:
    """allocation.html: the plain-language summary, the plot, and the tables by state and by
    cluster (the report's helpers)."""
    import html

    from .report import _img, _markdown_to_html, _table

    clusters = frames["allocation.csv"]
    shown = clusters[["cluster", "state", "n_firms", "package", "cost_cr", "net_jobs"]]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:72em;margin:auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}img{{max-width:100%}}</style>
</head><body>
{_markdown_to_html(text)}
{_img(out / "allocation.png")}
<h2>By state</h2>
{_table(frames["allocation_by_state.csv"], "Spending and expected effects by state")}
<h2>By cluster</h2>
{_table(shown, "Each cluster's package (synthetic clusters illustrative)")}
</body></html>
"""


def plot(path: Path, design: Design, rules: pd.DataFrame) -> None:
    """Left: each allocation's expected objective with its 95 % interval (and, when verified, the
    national-market simulation); right: what each allocation spends on each package."""
    plt = _pyplot()
    measure = design.objective
    order = ["optimal", "greedy", *RULES]
    rules = rules.set_index("allocation").reindex(order)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.5, 5.6))
    y = np.arange(len(order))[::-1]
    est = rules[measure].to_numpy(float)
    err = np.vstack([est - rules[f"{measure}_low"], rules[f"{measure}_high"] - est])
    left.errorbar(est, y, xerr=err, fmt="o", color="#1f4e79", capsize=4, label="metamodel (95 %)")
    if design.verification is not None:  # like with like: both over the clusters verified
        v = design.verification[design.verification["measure"] == measure]
        v = v.set_index("allocation").reindex(order)
        n = int(v["clusters_simulated"].max())
        left.plot(
            v["metamodel_at_defaults"],
            y - 0.3,
            "o",
            mfc="none",
            color="#1f4e79",
            label=f"metamodel at the defaults, the {n} clusters verified",
        )
        left.plot(
            v["simulated_national"],
            y - 0.3,
            "D",
            color="#c0392b",
            label=f"simulated in national markets, the {n} clusters",
        )
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    left.set_yticks(y, [LABELS[n] for n in order])
    left.axvline(0, color="grey", lw=0.8)
    left.set_xlabel(f"{UNITS[measure]} (Rs {design.budget_cr:,.0f} crore)")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=7)
    left.set_title("Same budget, same simulated effects")
    colours = plt.get_cmap("tab10")
    bottom = np.zeros(len(order))
    for k, package in enumerate(design.packages[1:], start=1):
        spend = []
        for name in order:
            choice = design.choices[name]
            spend.append(design.problem.costs[np.arange(len(choice)), choice][choice == k].sum())
        right.barh(y, spend, left=bottom, color=colours(k), label=package)
        bottom += np.asarray(spend)
    right.axvline(design.budget_cr, color="black", ls="--", lw=0.8, label="budget")
    right.set_xlim(0, 1.08 * max(design.budget_cr, bottom.max(), 1e-9))
    right.set_yticks(y, [])
    right.set_xlabel("Rs crore spent, by package")
    right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    right.set_title("Where the money goes")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _ci(row, m, fmt="{:+,.0f}") -> str:
    return (
        f"{fmt.format(row[m])} (95 % interval {fmt.format(row[m + '_low'])} to "
        + fmt.format(row[m + "_high"])
        + ")"
    )


def fit_sentence(fit: pd.DataFrame) -> str:
    """How well the metamodel predicted what it was not fitted on (metamodel_fit.csv)."""
    fit = fit[fit["form"] == "chosen"].set_index(["held_out", "measure"])
    text = []
    if "interior_sizes" in fit.index.get_level_values(0):
        f = fit.loc["interior_sizes"]
        text.append(
            "Sizes left out of the fit and inside the range simulated were predicted with an "
            f"R^2 of {f.loc['net_jobs', 'r2_totals']:.2f} for net jobs (a perfect fit would expect "
            f"about {f.loc['net_jobs', 'r2_totals_ceiling']:.2f}, given the simulations' own "
            f"noise), {f.loc['npv', 'r2_totals']:.2f} for the NPV (about "
            f"{f.loc['npv', 'r2_totals_ceiling']:.2f}) and {f.loc['cost_cr', 'r2_totals']:.2f} "
            "for the cost; the intervals include the error measured there."
        )
    else:
        text.append("No size inside the range simulated could be left out (two sizes only).")
    f = fit.loc["replicates"]
    text.append(
        f"Left-out replicates were predicted with an error per firm of "
        f"{f.loc['net_jobs', 'rmse_per_firm']:.3f} net jobs against their own noise of "
        f"{f.loc['net_jobs', 'noise_floor_per_firm']:.3f} (metamodel_fit.csv)."
    )
    return " ".join(text)


def words(design: Design, frames: dict, title: str) -> str:
    table, rules = frames["allocation.csv"], frames["rules_of_thumb.csv"].set_index("allocation")
    best = rules.loc["optimal"]
    robust = frames["robustness.csv"]
    by_package = table.groupby("package").agg(clusters=("cluster", "size"), cost=("cost_cr", "sum"))
    net_cost = pd.Series(
        design.effects.expected["cost_cr"].mean(axis=0), index=design.packages
    )  # a package whose fees exceed its claims costs the budget nothing
    forms = pd.Series(design.forms, dtype=object).value_counts()
    lines = [
        f"# {title}",
        "",
        f"**Budget: Rs {design.budget_cr:,.0f} crore. Objective: {UNITS[design.objective]}.** "
        f"The designer gives {int(best['clusters_treated'])} of the {len(table)} clusters a "
        f"package and spends Rs {best['spent_cr']:,.0f} crore.",
        "",
        f"- Net jobs (jobs net of the work the workers had outside the clusters), "
        f"{design.horizon_quarters} quarters on: "
        f"{_ci(best, 'net_jobs')}.",
        f"- NPV (workers' net earnings plus profits less the public cost): Rs {_ci(best, 'npv')} "
        "crore. It leaves out what firms spend themselves on what the package offers (their "
        "investment, fees and co-payments: the simulation does not report them), so it "
        "overstates packages that make firms invest.",
        f"- Exports net of imported inputs over the {design.horizon_quarters} quarters: "
        f"Rs {_ci(best, 'exports')} crore.",
        f"- These are means over draws of the interventions' uncertain effects (their priors); "
        "at the model's default parameters the same allocation gives "
        f"{best['net_jobs_at_defaults']:+,.0f} net jobs and an NPV of Rs "
        f"{best['npv_at_defaults']:+,.0f} crore.",
        "",
        "Packages given:",
        "",
        *(
            f"- {p}: {int(r.clusters)} clusters, Rs {r.cost:,.0f} crore"
            + (" (its fees exceed its claims in the simulation)" if net_cost[p] < 0 else "")
            for p, r in by_package.sort_values("cost", ascending=False).iterrows()
        ),
        "",
        "## Against the rules of thumb (same budget, same simulated effects)",
        "",
        "| allocation | clusters given a package | Rs crore spent | net jobs | NPV, Rs crore | "
        "share of the designer's objective |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {LABELS[name]} | {int(r.clusters_treated)} | {r.spent_cr:,.0f} | "
            f"{r.net_jobs:+,.0f} ({r.net_jobs_low:+,.0f} to {r.net_jobs_high:+,.0f}) | "
            f"{r.npv:+,.0f} | {r.share_of_designer_objective:.0%} |"
            for name, r in rules.iterrows()
        ),
        "",
        "## Robust, not lucky",
        "",
        f"We re-chose the allocation in each of the {len(robust)} draws of what we do not know "
        "about the interventions' effects (their priors). ",
        f"In the median draw the designer's allocation reaches "
        f"{1 - robust['regret_share'].median():.0%} of that draw's best "
        f"(worst draw: {1 - robust['regret_share'].max():.0%}); each draw's best gives the same "
        f"package to {robust['same_package_share'].mean():.0%} of the clusters on average. "
        f"{(table['chosen_in_share_of_draws'] >= 0.75).mean():.0%} of the clusters get a package "
        "that is also the best for them in at least 75 % of the draws. "
        f"At each draw's costs the allocation would cost Rs {robust['cost_chosen_cr'].min():,.0f} "
        f"to {robust['cost_chosen_cr'].max():,.0f} crore"
        + (
            " (above the budget in some draws: there it is compared with the best that the same "
            "money buys in that draw)."
            if robust["cost_chosen_cr"].max() > design.budget_cr
            else "."
        ),
        "",
        "## How the effects were estimated",
        "",
        "Each archetype was simulated at a few sizes, with every package and without, with the "
        "same random numbers, in replicates, in draws of the effect parameters' priors and at "
        "their defaults. For each package the effect per firm was fitted, over all archetypes "
        "together, as a level for each archetype, plus (where it predicted held-out sizes "
        "better) a slope in the log of the cluster's firms for each archetype and one curvature, "
        "and a shift per draw; it was applied to each cluster's archetype and size (forms chosen: "
        + ", ".join(f"{f} {n}" for f, n in forms.items())
        + " of the package x measure fits). "
        + fit_sentence(design.fit)
        + " "
        f"{int(table['size_outside_simulated_range'].sum())} clusters are smaller or larger than "
        "the sizes simulated: they take the effect per firm of the nearest size simulated.",
        "",
        "The representative clusters were simulated alone: a cluster's gain taken from other "
        "clusters of its product is not in the metamodel. ",
    ]
    if design.verification is not None:
        v = design.verification[design.verification["measure"] == "net_jobs"].set_index(
            "allocation"
        )
        v = v.reindex([n for n in LABELS if n in v.index])
        simulated = int(v["clusters_simulated"].max())
        lines += [
            "The allocations were then simulated in national markets, every cluster of a product "
            f"in one market, for {simulated} of the {len(table)} clusters (whole product "
            "markets; verification.csv), against the metamodel over the same clusters:",
            "",
            "| allocation | net jobs, metamodel at the defaults | net jobs, simulated in national "
            "markets (at the defaults) | gap "
            "| of which lost by the clusters it leaves out |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {LABELS[name]} | {r.metamodel_at_defaults:+,.0f} | "
                f"{r.simulated_national:+,.0f} | "
                + (f"{r.gap_share:+.0%} |" if np.isfinite(r.gap_share) else "(nothing given) |")
                + f" {r.displaced_other_clusters:+,.0f} |"
                for name, r in v.iterrows()
            ),
            "",
            "The last column is what the treated clusters take from the clusters of their product "
            "that the allocation leaves out (`displaced_other_clusters` in verification.csv).",
        ]
    else:
        lines.append("The allocations were not simulated in national markets (--no-verify).")
    lines += [
        "",
        "Only the 69 real clusters of clustersim/data/indian_clusters.csv are named; the others "
        "are synthetic and illustrative (by archetype and state). allocation.csv has every "
        "cluster's package, cost and expected net jobs with its interval.",
        "",
    ]
    return "\n".join(lines)
