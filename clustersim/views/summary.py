"""The comparison in words and files: the printed effects table, summary.md, and every file
``clustersim compare`` writes (comparison.csv, ranking.csv, sensitivity.csv, the plots)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.compare import SAVING_PER_JOB_LOST, Comparison, discount_rate
from ..experiments.design import BASELINE
from ..experiments.store import atomic_path, write_atomically
from .words import (  # noqa: F401 (named here for the command line and the report)
    _pct,
    answer,
    by_net_jobs,
    cost_sentence,
    fmt_ci,
    fmt_range,
    net_jobs_per_crore,
    note_key,
    short_note,
    table_row,
)


def write_comparison(out: str | Path, comparison: Comparison) -> None:
    """Write the comparison's tables, summary.md and plots into the sweep's folder, each file
    whole or not at all (a file that cannot be written is a WriteError naming it)."""
    from . import compare_plots

    out = Path(out)
    table, ranking, info, series = (
        comparison.table,
        comparison.ranking,
        comparison.info,
        comparison.series,
    )
    write_csv(table, out / "comparison.csv")
    write_csv(ranking, out / "ranking.csv")
    if comparison.sensitivity is not None:
        write_csv(comparison.sensitivity, out / "sensitivity.csv")
    if comparison.trial is not None:
        write_csv(comparison.trial, out / "trial.csv")
    if comparison.pairwise is not None:
        write_csv(comparison.pairwise, out / "pairwise.csv")
        write_csv(comparison.drivers, out / "drivers.csv")
    if not ranking.empty:
        text = summary_markdown(
            table,
            ranking,
            info,
            series,
            comparison.notes,
            comparison.unchanged,
            pairwise=comparison.pairwise,
            drivers=comparison.drivers,
        )
        write_atomically(out / "summary.md", text.encode("utf-8"))
    plots = []
    if not table.empty:  # a sweep with only baseline runs finished has nothing to plot yet
        order = compare_plots.package_order(table)
        horizon = int(series["quarter"].max())
        plots.append(("forest.png", lambda path: compare_plots.forest(table, path, info, horizon)))
    if comparison.sensitivity is not None:
        plots.append(
            (
                "sensitivity.png",
                lambda path: compare_plots.sensitivity(comparison.sensitivity, path),
            )
        )
    for name, draw in plots:
        with atomic_path(out / name, keep_suffix=True) as tmp:
            draw(tmp)
    if not table.empty:
        write_paths(out, series, info, order)


def write_paths(out: Path, series: pd.DataFrame, info: dict, order: list[str]) -> int:
    """paths.png, and paths_2.png ... when the packages fill more than one page (a page left from
    an earlier comparison with more packages is removed); returns the number of pages."""
    from . import compare_plots

    pages = len(compare_plots.path_pages(compare_plots.path_bands(series, order=order)[0]))
    for page in range(1, pages + 1):
        name = "paths.png" if page == 1 else f"paths_{page}.png"
        with atomic_path(out / name, keep_suffix=True) as tmp:
            compare_plots.paths(series, tmp, info, order=order, page=page)
    for stale in out.glob("paths_*.png"):
        number = stale.stem.removeprefix("paths_")
        if number.isdigit() and int(number) > pages:
            stale.unlink(missing_ok=True)
    return pages


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as CSV (six significant digits), written atomically."""
    write_atomically(path, frame.to_csv(index=False, float_format="%.6g").encode("utf-8"))


#: Columns of :func:`effects_table`: effects at the horizon, then the policy period and money.
EFFECT_COLUMNS = (
    "package",
    "net jobs",
    "jobs",
    "outside jobs",
    "productivity %",
    "export share pts",
)
MONEY_COLUMNS = (
    "package",
    "net job-years",
    "job-years",
    "NPV net Rs cr",
    "cost Rs cr",
    "Rs lakh/net job",
    "net jobs per Rs cr",
    "Rs lakh/job",
)


def effects_table(table: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """One line per package, most net jobs first, for printing: effects at the horizon with 95 %
    CIs (workers whole, percentages and points to one decimal), job-years over the policy period,
    the net NPV (value added less public cost), cost, cost per net job and per job, net jobs per
    Rs crore; a ratio with no number says why (``saves public money and creates jobs``,
    ``undefined: the jobs interval spans zero``).  Columns: :data:`EFFECT_COLUMNS` then
    :data:`MONEY_COLUMNS`."""

    def row(package, outcome, measure):
        return table_row(table, package, outcome, measure)

    def cell(package, outcome, measure, digits=1):
        found = row(package, outcome, measure)
        if found is None:
            return ""
        if isinstance(found.get("note"), str) and found["note"] and measure.startswith("cost_"):
            return short_note(found["note"])
        return fmt_ci(found, digits, signed=outcome != "public_cost" or measure == "npv_net")

    lines = []
    for p in by_net_jobs(ranking):
        lines.append(
            {
                "package": p,
                "net jobs": cell(p, "jobs_net", "effect_at_horizon", 0),
                "jobs": cell(p, "jobs", "effect_at_horizon", 0),
                "outside jobs": cell(p, "outside_jobs", "effect_at_horizon", 0),
                "productivity %": cell(p, "productivity", "effect_at_horizon_pct"),
                "export share pts": cell(p, "export_share", "effect_at_horizon"),
                "net job-years": cell(p, "jobs_net", "cumulative_effect", 0),
                "job-years": cell(p, "jobs", "cumulative_effect", 0),
                "NPV net Rs cr": cell(p, "public_cost", "npv_net"),
                "cost Rs cr": cell(p, "public_cost", "cumulative_cost"),
                "Rs lakh/net job": cell(p, "public_cost", "cost_per_net_job"),
                "net jobs per Rs cr": net_jobs_per_crore(row(p, "public_cost", "cost_per_net_job")),
                "Rs lakh/job": cell(p, "public_cost", "cost_per_job"),
            }
        )
    frame = pd.DataFrame(lines, columns=list(dict.fromkeys(EFFECT_COLUMNS + MONEY_COLUMNS)))
    return frame.loc[:, (frame != "").any(axis=0) | (frame.columns == "package")]


def summary_markdown(
    table: pd.DataFrame,
    ranking: pd.DataFrame,
    info: dict,
    series: pd.DataFrame,
    notes: list[str] | None = None,
    unchanged: list[str] | None = None,
    pairwise: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    lead: bool = True,
) -> str:
    """summary.md: the answer in one paragraph (``lead``; the report shows it apart), then each
    package in words, who beats whom, synergy, the assumptions behind the ranking, and how to
    read it."""
    reps = int(series.groupby(["package", "point"])["replicate"].nunique().min())
    points = series["point"].nunique()
    horizon = int(series["quarter"].max())
    lines = [f"# {info['title']}: packages compared with the baseline", ""]
    if lead:
        lines += [answer(table, ranking, info, series, pairwise, unchanged, drivers), ""]
    lines += [
        f"{len(ranking)} packages, {reps} paired replicates each"
        + (f" at {points} parameter points" if points > 1 else "")
        + f", {horizon} policy quarters "
        f"({horizon / 4:g} years). Effects are differences from the baseline run with the same "
        + (
            "random numbers (paired)"
            if info.get("common_random_numbers", True)
            else "replicate index (independent seeds)"
        )
        + ", at the horizon; ranges are 95 % confidence intervals adjusted for the number of "
        "packages compared.",
        "",
    ]
    for p in by_net_jobs(ranking):
        mine = table[table["package"] == p]

        def row(outcome, measure, mine=mine):
            hit = mine[(mine["outcome"] == outcome) & (mine["measure"] == measure)]
            return hit.iloc[0] if len(hit) else None

        prod, xs = (
            row("productivity", "effect_at_horizon_pct"),
            row("export_share", "effect_at_horizon"),
        )
        jobs = row("jobs", "effect_at_horizon")
        cost, per_job = row("public_cost", "cumulative_cost"), row("public_cost", "cost_per_job")
        saving = row("public_cost", SAVING_PER_JOB_LOST)
        text = (
            f"- **{p}**: productivity {fmt_ci(prod, 1, ' %')}, "
            f"export share {fmt_ci(xs, 1, ' points')}, jobs {fmt_ci(jobs, 0)}"
        )
        net, outside = (
            row("jobs_net", "effect_at_horizon"),
            row("outside_jobs", "effect_at_horizon"),
        )
        lost = row("jobs", "displaced_cluster")
        if net is not None and outside is not None:
            text += (
                f" gross, {fmt_ci(net, 0)} net of the work its recruits had outside the cluster"
                + (
                    f" (firms that shrank lost {-lost['estimate']:,.0f})"
                    if lost is not None
                    else ""
                )
                + f"; outside producers' jobs {fmt_ci(outside, 0)}"
            )
        if cost is not None:
            text += "; " + cost_sentence(
                cost, per_job, row("public_cost", "cost_per_net_job"), saving
            )
        lines.append(text + ".")
        over_time = over_time_sentence(row, info)
        if over_time:
            lines.append(f"  - {over_time}")
        has_spread = (
            table["param_low"].notna()
            if "param_low" in table
            else pd.Series(False, index=table.index)
        )
        spread = table[
            (table["package"] == p) & (table["measure"] == "effect_at_horizon") & has_spread
        ]
        for _, s in spread.iterrows():
            lines.append(
                f"  - parameter uncertainty, {s['outcome']}: {s['param_low']:+.3g} to "
                f"{s['param_high']:+.3g} across {int(s['points'])} parameter points "
                f"(Monte Carlo CI alone: {s['ci_low']:+.3g} to {s['ci_high']:+.3g})"
            )
    if pairwise is not None and not pairwise.empty:
        lines += pairwise_lines(pairwise, drivers, ranking, info)
    if unchanged:
        lines += ["", "## Packages that change nothing", ""]
        lines += [f"- {warning}" for warning in unchanged_warnings(unchanged, table)]
    if notes:
        lines += ["", "## Runs missing from the comparison", ""]
        lines += [f"- {note}" for note in notes]
    lines += [
        "",
        "## How to read this",
        "",
        "- An interval that includes zero means the model cannot tell the effect from noise at "
        "this number of replicates.",
        "- Cost per job is 'undefined' when the jobs effect's interval spans zero (the model "
        "cannot say that any job was created) or when jobs fall; a package that costs the "
        "public nothing net (its fees exceed its outlays) and creates jobs 'saves money and "
        "creates jobs': there is no cost to divide. Net jobs per Rs crore is the reciprocal of "
        "the cost per net job.",
        "- Over the policy period: job-years add up the extra jobs of every quarter (a job kept "
        "for a year is one job-year), so a one-shot instrument whose effect fades before the "
        "horizon still shows what it did; NPVs discount each quarter's extra value added, export "
        "sales and workers' earnings, and the public cost, at "
        f"{discount_rate(info):.0%} a year (the experiment's discount_rate; India's "
        "social time preference rate is "
        "estimated at 6-8 %, Murty, Panda & Joe 2018).",
        "- Jobs are gross: workers in the cluster. Net jobs subtract the full-time work the "
        "cluster's workers would have had elsewhere (their outside earnings and employment, "
        "from PLFS); outside producers' jobs are those of the rest of the industry the cluster "
        "competes with at home, which fall when the cluster takes their sales. Effects are "
        "against the baseline's own path, which declines as outside producers' productivity "
        "grows: jobs saved count as jobs.",
        *(
            [
                "- Against a baseline that is itself a package, a package that spends less and "
                "has fewer jobs shows the public money saved per job lost: what those jobs cost "
                "in the baseline package."
            ]
            if (table["measure"] == SAVING_PER_JOB_LOST).any()
            else []
        ),
        "- Monte Carlo intervals shrink with more replicates; parameter uncertainty (shown when "
        "parameters were varied) does not: it reflects what we do not know about the economy.",
        "- Full table: comparison.csv (who gains by size, distance and owner gender; the "
        "productivity decomposition into within-firm, reallocation, entry and exit; NPVs). Plots: "
        "forest.png, paths.png.",
        "",
    ]
    return "\n".join(lines)


#: Single-intervention packages named beside the holistic ones in the summary (by net jobs).
STRONGEST_SINGLES = 3


def headline_packages(ranking: pd.DataFrame, info: dict) -> list[str]:
    """The holistic packages (two interventions or more) and the strongest single ones by net
    jobs; every package by net jobs, at most six, when the sweep does not record interventions."""
    order = ranking.sort_values("jobs_net", ascending=False)["package"].tolist()
    interventions = info.get("interventions", {})
    if not interventions:
        return order[:6]
    holistic = [p for p in order if len(interventions.get(p, {})) >= 2]
    singles = [p for p in order if len(interventions.get(p, {})) == 1][:STRONGEST_SINGLES]
    return holistic + singles


def pairwise_lines(
    pairwise: pd.DataFrame, drivers: pd.DataFrame | None, ranking: pd.DataFrame, info: dict
) -> list[str]:
    """pairwise.csv and drivers.csv in words: who beats whom, the synergy of each holistic
    package, and which drawn assumptions move the ranking."""
    points = len(info.get("points") or [{}])
    drawn = bool(info.get("priors"))
    pairs = pairwise[pairwise["kind"] == "pair"].set_index(["package", "other", "outcome"])
    headline = headline_packages(ranking, info)
    draws = int(pairs["draws"].max()) if len(pairs) else 0
    lines = [
        "",
        "## Which package beats which",
        "",
        (
            f"Over {draws} joint draws ({points} draws of the parameters"
            + (" from their priors" if drawn else "")
            + " x the replicates, every package sharing each draw)"
            if points > 1
            else f"Over {draws} paired replicates"
        )
        + ": how often the first package's "
        "net jobs exceed the second's, and net jobs per Rs crore of public cost; 'parameters "
        "alone' averages the Monte Carlo noise out within each draw. All pairs: pairwise.csv.",
        "",
    ]
    if not drawn:
        lines[-2] += (
            " No parameter was drawn, so these probabilities reflect Monte Carlo noise alone: "
            "set parameter_uncertainty = true in the experiment file to carry the priors of the "
            "interventions' effects (docs/parameters.md) into the ranking."
        )
    for a, b in itertools.combinations(headline, 2):
        if (a, b, "jobs_net") not in pairs.index:
            continue
        ab, ba = pairs.loc[(a, b, "jobs_net"), "p_beats"], pairs.loc[(b, a, "jobs_net"), "p_beats"]
        first, second = (a, b) if ab >= ba else (b, a)
        jobs = pairs.loc[(first, second, "jobs_net")]
        ties = f", ties {_pct(jobs['p_tie'])}" if jobs["p_tie"] > 0 else ""
        text = (
            f"- **{first}** beats {second} on net jobs in {_pct(jobs['p_beats'])} of draws"
            f"{ties} (parameters alone {_pct(jobs['p_beats_over_draws'])}; difference "
            f"{jobs['difference']:+,.1f})"
        )
        if (first, second, "jobs_net_per_crore") in pairs.index:
            per = pairs.loc[(first, second, "jobs_net_per_crore")]
            text += (
                f"; on net jobs per Rs crore in {_pct(per['p_beats'])}"
                if np.isfinite(per["p_beats"])
                else "; not comparable per Rs crore (one of them costs the public nothing)"
            )
        lines.append(text + ".")
    synergy = pairwise[pairwise["kind"] == "synergy"]
    if len(synergy):
        lines += [
            "",
            "## Is a holistic package more than the sum of its parts?",
            "",
            "Synergy: the package's effect minus the sum of the effects of the single-intervention "
            "packages that make it up, draw by draw; Monte Carlo 95 % CI, then the range across "
            "parameter draws.",
            "",
        ]
        for _, r in synergy[synergy["outcome"] == "jobs_net"].iterrows():
            if not np.isfinite(r["difference"]):
                lines.append(f"- **{r['package']}**: not computed ({r['note']}).")
                continue
            text = (
                f"- **{r['package']}** ({r['other']}): net jobs {r['difference']:+,.1f} beyond "
                f"the sum of its parts ({r['ci_low']:+,.1f} to {r['ci_high']:+,.1f}"
            )
            if np.isfinite(r["param_low"]):
                text += f"; across draws {r['param_low']:+,.1f} to {r['param_high']:+,.1f}"
            text += f"); more than the sum in {_pct(r['p_beats'])} of draws"
            productivity = synergy[
                (synergy["package"] == r["package"]) & (synergy["outcome"] == "productivity_pct")
            ]
            if len(productivity) and np.isfinite(productivity["difference"].iloc[0]):
                p = productivity.iloc[0]
                text += (
                    f"; productivity {p['difference']:+.1f} % ({p['ci_low']:+.1f} to "
                    f"{p['ci_high']:+.1f})"
                )
            note = r["note"].partition(" (")[2].rstrip(")")
            lines.append(text + (f" ({note})" if note else "") + ".")
    lines += ["", "## Which assumptions drive the ranking", ""]
    overall = (
        drivers[drivers["package"] == "all pairs"]
        if drivers is not None and not drivers.empty
        else pd.DataFrame()
    )
    if overall.empty:
        lines.append(
            "- Not measured: it needs at least three parameter draws (parameter_uncertainty = "
            "true, or a [parameters] table)."
        )
        return lines
    for outcome, words in (
        ("jobs_net", "net jobs"),
        ("jobs_net_per_crore", "net jobs per Rs crore"),
    ):
        mine = overall[overall["outcome"] == outcome].head(4)
        if mine.empty:
            continue
        named = ", ".join(
            f"`{r['parameter']}` {_pct(r['variance_share'])}" for _, r in mine.iterrows()
        )
        lines.append(
            f"- The differences between packages on {words} across the {points} parameter draws "
            f"are explained, one assumption at a time (a straight line in it alone), by {named}."
        )
    own = drivers[(drivers["other"] == BASELINE) & (drivers["outcome"] == "jobs_net")]
    interventions = info.get("interventions", {})
    for package in headline:
        if len(interventions.get(package, {})) < 2:
            continue
        mine = own[own["package"] == package].nlargest(2, "variance_share")
        if len(mine):
            named = " and ".join(
                f"`{r['parameter']}` ({_pct(r['variance_share'])}, rank correlation "
                f"{r['spearman']:+.2f})"
                for _, r in mine.iterrows()
            )
            lines.append(f"- {package}'s own net jobs across the draws move most with {named}.")
    lines.append(
        "- Each pair's, each package's and each synergy's rank correlations with every drawn "
        "parameter: drivers.csv. With few draws a parameter can seem to matter by chance."
    )
    return lines


def over_time_sentence(row, info: dict) -> str:
    """Effects summed over the policy period and their NPVs, for one package (``row(outcome,
    measure)`` finds its rows); empty when the comparison has none."""
    parts = []
    job_years, value_added = (
        row("jobs", "cumulative_effect"),
        row("value_added", "cumulative_effect"),
    )
    if job_years is not None:
        parts.append(f"{fmt_ci(job_years, 0)} job-years")
    if value_added is not None:
        parts.append(f"value added Rs {fmt_ci(value_added, 1)} crore")
    npv_va, npv_cost, npv_net = (
        row("value_added", "npv"),
        row("public_cost", "npv_public_cost"),
        row("public_cost", "npv_net"),
    )
    text = "over the policy period: " + ", ".join(parts) if parts else ""
    if npv_va is not None and npv_cost is not None and npv_net is not None:
        text += (
            ("; " if text else "") + f"NPV at {discount_rate(info):.0%} a year: value added Rs "
            f"{fmt_ci(npv_va, 1)} crore against a public cost of Rs {npv_cost['estimate']:.1f} "
            f"crore, net Rs {fmt_ci(npv_net, 1)} crore"
        )
    return text


def unchanged_warnings(unchanged: list[str], table: pd.DataFrame) -> list[str]:
    """A plain warning for each package that changes nothing (its cost, if any, said)."""
    lines = []
    for package in unchanged:
        cost = table[
            (table["package"] == package)
            & (table["outcome"] == "public_cost")
            & (table["measure"] == "cumulative_cost")
        ]["estimate"]
        spent = float(cost.iloc[0]) if len(cost) else 0.0
        lines.append(
            f"WARNING: {package} changes nothing: in every run, every series of the economy (jobs, "
            "output, prices, firms, credit...) equals the paired baseline run's, quarter by quarter"
            + (f"; it still costs Rs {spent:.2f} crore" if spent > 0 else "")
            + ". Check that its schemes can reach firms (eligibility, awareness, start quarter)."
        )
    return lines
