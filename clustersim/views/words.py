"""The comparison in plain words: estimates with their intervals, what a cost ratio with no number
means, net jobs per Rs crore, and the one-paragraph answer that opens summary.md and the report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis.compare import UNDEFINED


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


def table_row(table: pd.DataFrame, package: str, outcome: str, measure: str):
    """The comparison table's row for a package, outcome and measure (None if it has none)."""
    same = (table["package"] == package) & (table["outcome"] == outcome)
    hit = table[same & (table["measure"] == measure)]
    return hit.iloc[0] if len(hit) else None


def by_net_jobs(ranking: pd.DataFrame) -> list[str]:
    """The packages, most net jobs at the horizon first (gross jobs when there are no net)."""
    key = "jobs_net" if "jobs_net" in ranking and ranking["jobs_net"].notna().any() else "jobs"
    return ranking.sort_values(key, ascending=False, kind="stable")["package"].tolist()


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
        return table_row(table, package, outcome, measure)

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


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{100 * x:.0f} %"
