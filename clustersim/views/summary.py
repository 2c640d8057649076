"""The comparison in words and files: the printed effects table, summary.md, and every file
``clustersim compare`` writes (comparison.csv, ranking.csv, sensitivity.csv, the plots)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.compare import SAVING_PER_JOB_LOST, UNDEFINED, Comparison, discount_rate
from ..experiments.design import BASELINE
from ..experiments.store import atomic_path, write_atomically


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


def fmt_ci(row, digits=2, suffix="", signed=True):
    """An estimate and its interval with thousands separators, signed as an effect is
    (``+2,051 (+1,159 to +2,942)``) unless ``signed`` is false (a cost)."""
    sign = "+" if signed else ""
    if not np.isfinite(row.get("ci_low", math.nan)):
        return f"{row['estimate']:{sign},.{digits}f}{suffix}"
    return (
        f"{row['estimate']:{sign},.{digits}f}{suffix} "
        f"({row['ci_low']:{sign},.{digits}f} to {row['ci_high']:{sign},.{digits}f})"
    )


def fmt_range(low: float, high: float, digits: int = 1) -> str:
    return f"{low:,.{digits}f} to {high:,.{digits}f}"


#: A cost ratio's note (clustersim.analysis.compare.ratio_note) in a table cell, and what it means
#: (printed under the table).
SHORT_NOTES = (
    (
        "saves public money and creates",
        "saves money, creates jobs",
        "the package returns more public money (fees, guarantee fees) than it spends and adds "
        "jobs: there is no cost to divide, and nothing to trade off",
    ),
    (
        "saves public money and loses",
        "saves money, loses jobs",
        "it spends less public money than the baseline and has fewer jobs",
    ),
    (
        "undefined: no net public cost",
        "saves money; jobs span 0",
        "it costs the public nothing net, and its jobs interval includes zero",
    ),
    ("undefined: ", "undefined: jobs fall", "jobs fall: no job is created to put a cost on"),
    (
        "undefined: the",
        "undefined: spans 0",
        "the interval of the jobs effect includes zero, so no cost per job can be given",
    ),
)


def short_note(note: str) -> str:
    """A cost ratio's note, short enough for a table cell (see :data:`SHORT_NOTES`)."""
    if "fall" in note:
        return "undefined: jobs fall"
    for start, short, _ in SHORT_NOTES:
        if note.startswith(start) and "fall" not in short:
            return short
    return note


def note_key(cells) -> list[str]:
    """What each short note among ``cells`` means, one line each."""
    seen = {str(c) for c in cells}
    return [f"{short}: {meaning}" for _, short, meaning in SHORT_NOTES if short in seen]


def net_jobs_per_crore(row) -> str:
    """Net jobs per Rs crore of public cost, from the cost per net job (Rs lakh) row: its
    reciprocal, the interval's ends swapped (the same bootstrap draws); or what the note says."""
    if row is None:
        return ""
    note = row.get("note")
    if isinstance(note, str) and note:
        return short_note(note)
    est, low, high = (float(row[k]) for k in ("estimate", "ci_low", "ci_high"))
    if not (est > 0):
        return ""
    per = f"{100 / est:,.1f}"
    if np.isfinite(low) and np.isfinite(high) and low > 0 and high > 0:
        per += f" ({fmt_range(100 / high, 100 / low)})"
    return per


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


def by_net_jobs(ranking: pd.DataFrame) -> list[str]:
    """The packages, most net jobs at the horizon first (gross jobs when there are no net)."""
    key = "jobs_net" if "jobs_net" in ranking and ranking["jobs_net"].notna().any() else "jobs"
    return ranking.sort_values(key, ascending=False, kind="stable")["package"].tolist()


def effects_table(table: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """One line per package, most net jobs first, for printing: effects at the horizon with 95 %
    CIs (workers whole, percentages and points to one decimal), job-years over the policy period,
    the net NPV (value added less public cost), cost, cost per net job and per job, net jobs per
    Rs crore; a ratio with no number says why (``saves public money and creates jobs``,
    ``undefined: the jobs interval spans zero``).  Columns: :data:`EFFECT_COLUMNS` then
    :data:`MONEY_COLUMNS`."""

    def row(package, outcome, measure):
        hit = table[
            (table["package"] == package)
            & (table["outcome"] == outcome)
            & (table["measure"] == measure)
        ]
        return hit.iloc[0] if len(hit) else None

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


def answer(
    table: pd.DataFrame,
    ranking: pd.DataFrame,
    info: dict,
    series: pd.DataFrame,
    pairwise: pd.DataFrame | None = None,
    unchanged: list[str] | None = None,
    drivers: pd.DataFrame | None = None,
) -> str:
    """The comparison's answer in one paragraph (Markdown, **bold** names): which package adds
    the most net jobs, how many, at what public cost, how sure (against the runner-up, and what
    the intervals leave out); which buys the most net jobs per Rs crore; which cannot be told
    from nothing."""

    def row(package, outcome, measure):
        hit = table[
            (table["package"] == package)
            & (table["outcome"] == outcome)
            & (table["measure"] == measure)
        ]
        return hit.iloc[0] if len(hit) else None

    order = by_net_jobs(ranking)
    if not order:
        return ""
    net_key = "jobs_net" if row(order[0], "jobs_net", "effect_at_horizon") is not None else "jobs"
    horizon = int(series["quarter"].max())
    reps = int(series.groupby(["package", "point"])["replicate"].nunique().min())
    points = series["point"].nunique()
    best = order[0]
    jobs = row(best, net_key, "effect_at_horizon")
    gross = row(best, "jobs", "effect_at_horizon")
    words = "net jobs (full-time work net of what its recruits had outside the cluster)"
    text = (
        f"**In short.** Of the {len(order)} packages compared with the baseline over "
        f"{horizon / 4:g} years ({reps} paired replicates"
        + (f" at {points} parameter draws" if points > 1 else "")
        + f"), **{best}** adds the most "
        + (words if net_key == "jobs_net" else "jobs")
        + f": {fmt_ci(jobs, 0)} at the horizon"
        + (f" ({gross['estimate']:+,.0f} workers gross)" if net_key == "jobs_net" else "")
    )
    if np.isfinite(jobs["ci_low"]) and jobs["ci_low"] <= 0 <= jobs["ci_high"]:
        text += ", though that interval includes zero"
    if np.isfinite(jobs.get("param_low", math.nan)):
        text += (
            f"; across the {points} draws of the parameters it ranges from "
            f"{jobs['param_low']:+,.0f} to {jobs['param_high']:+,.0f}"
        )
    outside = row(best, "outside_jobs", "effect_at_horizon")
    if outside is not None and outside["ci_high"] < 0:
        text += (
            f", while the producers elsewhere in India it competes with lose "
            f"{-outside['estimate']:,.0f} workers gross ({-outside['ci_high']:,.0f} to "
            f"{-outside['ci_low']:,.0f})"
        )
    cost = row(best, "public_cost", "cumulative_cost")
    per_net = row(best, "public_cost", "cost_per_net_job")
    if cost is not None and per_net is not None and np.isfinite(per_net["estimate"]):
        text += (
            f". It costs the public Rs {cost['estimate']:,.1f} crore: Rs "
            f"{per_net['estimate']:,.1f} lakh per net job "
            f"({fmt_range(per_net['ci_low'], per_net['ci_high'])}), or "
            f"{net_jobs_per_crore(per_net)} net jobs per Rs crore"
        )
    elif cost is not None:
        text += ". Value for money: " + cost_sentence(
            cost, row(best, "public_cost", "cost_per_job"), per_net
        )
    text += "."
    if len(order) > 1 and pairwise is not None and not pairwise.empty:
        pair = pairwise[
            (pairwise["kind"] == "pair")
            & (pairwise["package"] == best)
            & (pairwise["other"] == order[1])
            & (pairwise["outcome"] == "jobs_net")
        ]
        if len(pair) and np.isfinite(pair["p_beats"].iloc[0]):
            text += (
                f" It has more net jobs than the runner-up, **{order[1]}**, in "
                f"{_pct(pair['p_beats'].iloc[0])} of the "
                + ("joint draws of parameters and replicates " if points > 1 else "paired draws ")
                + f"(difference {pair['difference'].iloc[0]:+,.0f})."
            )
    synergy = (
        pairwise[
            (pairwise["kind"] == "synergy")
            & (pairwise["package"] == best)
            & (pairwise["outcome"] == "jobs_net")
        ]
        if pairwise is not None and not pairwise.empty
        else pd.DataFrame()
    )
    if len(synergy) and np.isfinite(synergy["difference"].iloc[0]):
        first = synergy.iloc[0]
        text += (
            f" Against the sum of its parts run one by one, it adds {first['difference']:+,.0f} "
            f"net jobs ({first['ci_low']:+,.0f} to {first['ci_high']:+,.0f}): "
            + (
                "more than the sum."
                if first["ci_low"] > 0
                else "less than the sum."
                if first["ci_high"] < 0
                else "no more than the sum, as far as the model can tell."
            )
        )
    per_crore = []
    for package in order:
        per_net = row(package, "public_cost", "cost_per_net_job")
        if per_net is not None and np.isfinite(per_net["estimate"]) and per_net["estimate"] > 0:
            per_crore.append((100 / per_net["estimate"], package, per_net))

    def note(package):
        found = row(package, "public_cost", "cost_per_net_job")
        return str(found["note"]) if found is not None and isinstance(found["note"], str) else ""

    def surely_positive(package):
        found = row(package, net_key, "effect_at_horizon")
        return found is not None and found["ci_low"] > 0

    savers = [
        p
        for p in order
        if note(p).startswith("saves public money and creates") and surely_positive(p)
    ]
    if savers:
        text += (
            f" {', '.join(f'**{p}**' for p in savers)} "
            + ("creates" if len(savers) == 1 else "create")
            + " net jobs and saves public money (fees exceed outlays)."
        )
    if per_crore:
        per_crore.sort(key=lambda item: -item[0])
        _, package, cheapest = per_crore[0]
        text += (
            f" Per rupee, **{package}** buys the most: {net_jobs_per_crore(cheapest)} net jobs "
            f"per Rs crore (Rs {cheapest['estimate']:,.1f} lakh per net job)"
            + (
                f"; next {per_crore[1][1]} with {per_crore[1][0]:,.1f}."
                if len(per_crore) > 1
                else "."
            )
        )
    unclear = [
        p
        for p in order
        if (r := row(p, net_key, "effect_at_horizon")) is not None
        and np.isfinite(r["ci_low"])
        and r["ci_low"] <= 0 <= r["ci_high"]
        and p not in (unchanged or [])
    ]
    if unclear:
        text += (
            f" The net jobs of {len(unclear)} "
            + ("package" if len(unclear) == 1 else "packages")
            + f" ({', '.join(unclear)}) cannot be told from zero at this number of replicates"
        )
        text += f"; {', '.join(unchanged)} changed nothing." if unchanged else "."
    elif unchanged:
        text += f" {', '.join(unchanged)} changed nothing."
    if drivers is not None and not drivers.empty:
        overall = drivers[
            (drivers["package"] == "all pairs") & (drivers["outcome"] == "jobs_net")
        ].nlargest(2, "variance_share")
        if len(overall):
            named = " and ".join(f"`{r['parameter']}`" for _, r in overall.iterrows())
            shares = " and ".join(_pct(r["variance_share"]) for _, r in overall.iterrows())
            text += (
                f" The assumptions that move the ranking most are {named}: each alone explains "
                f"{shares} of the variance of the differences in net jobs between packages."
            )
    text += " How sure: the intervals are 95 % intervals of the Monte Carlo noise, adjusted for "
    text += "the number of packages; " + (
        "the uncertainty about the "
        + ("interventions' effects (drawn from their priors)" if info.get("priors") else "model")
        + " is the range across the parameter draws, and the chances of beating another package "
        "count both."
        if points > 1
        else "no assumption about the interventions' effects was varied, so the real uncertainty "
        "is wider (run the experiment with parameter_uncertainty = true)."
    )
    return text


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


def cost_sentence(cost, per_job, per_net, saving=None) -> str:
    """The public cost and what it buys, in words: Rs lakh per job and per net job with net jobs
    per Rs crore; or what the money saved buys; or why no ratio is given (the note of
    :func:`clustersim.analysis.compare.ratio_note`, said where it is first read)."""
    spent = cost["estimate"]
    text = (
        f"public cost Rs {spent:,.1f} crore"
        if spent > 0
        else f"no net public cost (Rs {-spent:,.1f} crore less than the baseline's: the fees "
        "collected exceed the outlays)"
        if spent < 0
        else "no public cost"
    )
    if per_job is not None and np.isfinite(per_job["estimate"]):
        text += (
            f", Rs {per_job['estimate']:,.1f} lakh per job created "
            f"({fmt_range(per_job['ci_low'], per_job['ci_high'])})"
        )
        if per_net is not None and np.isfinite(per_net["estimate"]):
            text += (
                f", Rs {per_net['estimate']:,.1f} lakh per net job "
                f"({fmt_range(per_net['ci_low'], per_net['ci_high'])}), that is "
                f"{net_jobs_per_crore(per_net)} net jobs per Rs crore"
            )
    elif saving is not None:
        text += (
            f", Rs {saving['estimate']:,.1f} lakh of public money saved per job lost "
            f"({fmt_range(saving['ci_low'], saving['ci_high'])})"
        )
    elif per_job is not None and isinstance(per_job.get("note"), str) and per_job["note"]:
        note = per_job["note"]
        if note.startswith("saves"):
            text += f": it {note}"
        elif note.startswith(f"{UNDEFINED}: no net public cost"):
            text += ", but its jobs interval spans zero: it cannot be said to create jobs"
        else:
            text += f"; cost per job {note}"
    return text


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


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{100 * x:.0f} %"


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
