"""Comparing packages with the baseline after a sweep: ``clustersim compare DIR``.

Every effect is a paired difference from the baseline (:mod:`clustersim.analysis.statistics`);
value for money (public cost, cost per job, per job-year, per rupee of exports, NPVs) is
computed here, who gains and the productivity decomposition in
:mod:`clustersim.analysis.decomposition`, sensitivity indices in
:mod:`clustersim.analysis.sensitivity`.  Ratios are "undefined" when the effect in the
denominator is not distinguishable from zero.

Two kinds of uncertainty are reported apart when parameters were varied:
Monte Carlo noise (from replicates within a parameter point; it shrinks with
more replicates) and parameter uncertainty (the spread of the effect across
parameter points; it does not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE, SENSITIVITY_SAMPLERS
from ..experiments.engines import SweepError
from ..experiments.store import read_run_files, read_sweep_info
from ..experiments.trials import from_sweep
from .coverage import _failures, missing_runs
from .decomposition import decomposition_effects, jobs_displaced, who_gains
from .pairwise import pairwise
from .sensitivity import sensitivity
from .statistics import (
    bootstrap_ratio,
    paired_differences,
    replicate_unit,
    replicates_for_half_width,
    summarise,
    t_interval,
)

UNDEFINED = "undefined"
#: Compared in every sweep beside the three headline outcomes: jobs net of recruits' outside
#: employment, their earnings gain, and the outside producers' jobs (displaced when they fall).
NET_OUTCOMES = ("jobs_net", "earnings_gain", "outside_jobs")
#: Flows in Rs crore a quarter whose effects are also summed over the policy period (cumulative, in
#: Rs crore) and discounted to its start (NPV at the experiment's discount rate) in every sweep.
MONEY_FLOWS = ("value_added", "export_sales", "earnings_gain")
SAVING_PER_JOB_LOST = "saving_per_job_lost"
LAKH_PER_CRORE = 100.0


@dataclass
class Comparison:
    """A sweep's comparison: the tidy table, the ranking, sensitivity indices (Sobol/Morris sweeps
    only), and the series and sweep description they came from."""

    table: pd.DataFrame
    ranking: pd.DataFrame
    sensitivity: pd.DataFrame | None
    series: pd.DataFrame
    info: dict
    notes: list[str] = field(default_factory=list)  # what is missing, one line a package
    #: packages that change nothing (every series of the economy equals the paired baseline's)
    unchanged: list[str] = field(default_factory=list)
    #: the sweep's in-silico trial estimated in each package (experiments.trials.from_sweep)
    trial: pd.DataFrame | None = None
    #: which package beats which, and each holistic package's synergy (analysis.pairwise)
    pairwise: pd.DataFrame | None = None
    #: which drawn parameters move those differences (empty without parameter draws)
    drivers: pd.DataFrame | None = None

    def frames(self) -> dict[str, pd.DataFrame]:
        """``comparison``, ``ranking`` and (when computed) ``sensitivity``, ``trial``,
        ``pairwise`` and ``drivers``."""
        out = {"comparison": self.table, "ranking": self.ranking}
        for name in ("sensitivity", "trial", "pairwise", "drivers"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


#: Columns every run's series must have; a run's firm snapshots likewise.
RUN_KEYS = ("run_id", "package", "point", "replicate")
FIRM_COLUMNS = (*RUN_KEYS, "slot", "quarter", "entry_step", "workers", "real_value_added")


def load_results(out: str | Path) -> tuple[pd.DataFrame, dict]:
    """All finished runs' quarterly series (from the end of the burn-in)
    and the sweep's description; a damaged file is an error naming it."""
    from ..economy.reporters import COLUMN_NAMES

    out = Path(out)
    info = read_sweep_info(out)
    series = read_run_files(out / "runs", (*RUN_KEYS, *COLUMN_NAMES))
    if series is None:
        failed = _failures(out, set())
        raise SweepError(
            f"{out}: nothing to compare: no run has finished"
            + "".join(f"; {package}{why}" for package, why in failed.items())
        )
    return series, info


def load_firms(out: str | Path) -> pd.DataFrame:
    firms = read_run_files(Path(out) / "firms", FIRM_COLUMNS)
    return pd.DataFrame() if firms is None else firms


def compare(
    out: str | Path, targets: dict[str, float] | None = None, draws: int = 2000, seed: int = 0
) -> Comparison:
    """Effects of every package vs the baseline: a tidy table (package, outcome, measure, unit,
    estimate, ci_low, ci_high, ...), a ranking and, for Sobol/Morris sweeps, sensitivity indices.
    Writing them is :func:`clustersim.views.summary.write_comparison`."""
    out = Path(out)
    series, info = load_results(out)
    if BASELINE not in set(series["package"]):
        why = _failures(out, set(series["run_id"])).get(BASELINE, "")
        raise SweepError(f"{out}: nothing to compare: the baseline has no finished run{why}")
    packages, notes = _comparable(out, info, series)
    comparisons = max(len(packages), 1)
    rng = np.random.default_rng(seed)
    targets = {**info.get("precision", {}), **(targets or {})}
    outcomes = [  # an outcome the runs do not have (a hand-edited experiment.json) is left out
        o
        for o in dict.fromkeys(
            [*info.get("outcomes", []), "productivity", "export_share", "jobs", *NET_OUTCOMES]
        )
        if o in series.columns
    ]
    rows = []
    diffs = {
        o: paired_differences(series, o)
        for o in set(outcomes) | {*MONEY_FLOWS, "public_cost_cr"}
        if o in series.columns
    }
    for package in packages:
        for outcome in outcomes:
            d = diffs[outcome][diffs[outcome]["package"] == package]
            if d.empty:
                continue
            base_level = float(d["base"].mean())
            h = summarise(d, "horizon", comparisons)
            unit = {
                "export_share": "points",
                "productivity": "Rs lakh/worker/year",
                "jobs": "workers",
                "jobs_net": "full-time jobs",
                "outside_jobs": "workers",
                "earnings_gain": "Rs crore/quarter",
            }.get(outcome, "level")
            row = {
                "package": package,
                "outcome": outcome,
                "measure": "effect_at_horizon",
                "unit": unit,
                **h,
                "baseline_level": base_level,
                "replicates": int(d.groupby("point").size().min()),
                "points": d["point"].nunique(),
            }
            if outcome == "export_share":
                row.update({k: v * 100 if isinstance(v, float) else v for k, v in h.items()})
                row["baseline_level"] = base_level * 100
            rows.append(row)
            if outcome != "export_share" and base_level:
                rel = summarise(d.assign(rel=100 * d["horizon"] / d["base"]), "rel", comparisons)
                rows.append(
                    {
                        "package": package,
                        "outcome": outcome,
                        "measure": "effect_at_horizon_pct",
                        "unit": "%",
                        **rel,
                    }
                )
            rows.append(cumulative_row(package, outcome, d, unit, comparisons))
            if outcome in targets:
                scale_pts = (
                    100.0 if outcome == "export_share" else 1.0
                )  # targets are in the units reported
                n = replicates_for_half_width(
                    replicate_unit(d) * scale_pts, targets[outcome], comparisons
                )
                rows.append(
                    {
                        "package": package,
                        "outcome": outcome,
                        "measure": "replicates_needed",
                        "unit": "replicates",
                        "estimate": n,
                        "note": f"for a 95 % CI half-width of {targets[outcome]:g}",
                    }
                )
        for flow in MONEY_FLOWS:  # their sums over the policy period, whether compared or not
            if flow not in outcomes and flow in diffs:
                d = diffs[flow][diffs[flow]["package"] == package]
                if not d.empty:
                    rows.append(cumulative_row(package, flow, d, "Rs crore", comparisons))
        rows += value_for_money(package, diffs, comparisons, rng, draws)
    if packages:
        rows += npv_rows(series, packages, discount_rate(info), comparisons)
    table = pd.DataFrame(rows)
    firms = load_firms(out)
    if not firms.empty and packages:
        table = pd.concat(
            [
                table,
                who_gains(firms, comparisons),
                jobs_displaced(firms, comparisons),
                decomposition_effects(firms, comparisons),
            ],
            ignore_index=True,
        )
    ranking = rank(table, packages)
    sensitive = info.get("sampler", {}).get("method") in SENSITIVITY_SAMPLERS
    pairs, drivers = pairwise(series, packages, info) if packages else (None, None)
    return Comparison(
        table=table,
        ranking=ranking,
        sensitivity=sensitivity(series, info, outcomes, seed) if sensitive else None,
        series=series,
        info=info,
        notes=notes,
        unchanged=unchanged_packages(series, packages),
        trial=from_sweep(out),
        pairwise=pairs,
        drivers=drivers,
    )


def discount_rate(info: dict) -> float:
    """The experiment's discount rate for NPVs (a year), or its declared default."""
    from ..experiments.experiment_file import FIELDS

    return float(info.get("discount_rate", FIELDS["discount_rate"].default))


def cumulative_row(package, outcome, d, unit, comparisons) -> dict:
    """The effect summed over the policy quarters (quarter 1 to the horizon): job-years for jobs
    (a quarter's job is a quarter of a job-year), Rs crore for flows in Rs crore a quarter."""
    cum_unit = {
        "jobs": "job-years",
        "jobs_net": "job-years",
        "outside_jobs": "job-years",
        **dict.fromkeys((*MONEY_FLOWS, "sales"), "Rs crore"),
    }.get(outcome, f"{unit} x quarters")
    scale = {
        "jobs": 0.25,
        "jobs_net": 0.25,
        "outside_jobs": 0.25,
        "export_share": 100.0,
    }.get(outcome, 1.0)
    c = summarise(d, "cumulative", comparisons)
    return {
        "package": package,
        "outcome": outcome,
        "measure": "cumulative_effect",
        "unit": cum_unit,
        **{k: v * scale for k, v in c.items()},
    }


def unchanged_packages(series: pd.DataFrame, packages) -> list[str]:
    """Packages whose every run equals its paired baseline run in every series of the economy
    (all but the scheme's own cost and take-up), quarter by quarter: they change nothing."""
    from ..economy.reporters import ECONOMY_COLUMNS

    keys = ["point", "replicate", "quarter"]
    columns = [c for c in ECONOMY_COLUMNS if c in series.columns]
    base = series[series["package"] == BASELINE].set_index(keys)[columns]
    base = base[~base.index.duplicated()]
    unchanged = []
    for package in packages:
        mine = series[series["package"] == package].set_index(keys)[columns]
        paired = mine[mine.index.isin(base.index)]
        if len(paired) and np.array_equal(
            paired.to_numpy(float), base.loc[paired.index].to_numpy(float), equal_nan=True
        ):
            unchanged.append(package)
    return unchanged


def _comparable(out: Path, info: dict, series: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The packages with at least one run paired with a baseline run, and a line for each
    package whose runs are not all compared; nothing comparable is an error."""
    paired = paired_differences(series, "jobs")
    notes = missing_runs(out, info, series, paired)
    have = set(paired["package"])
    packages = [p for p in info["packages"] if p != BASELINE and p in have]
    if not packages:
        raise SweepError(f"{out}: nothing to compare: " + "; ".join(notes or ["no package"]))
    return packages, notes


def value_for_money(package, diffs, comparisons, rng, draws) -> list[dict]:
    """Public cost, cost per job (at the horizon), per job-year and per rupee of extra exports
    (the NPVs are :func:`npv_rows`)."""
    pick = {
        k: v[v["package"] == package].set_index(["point", "replicate"]) for k, v in diffs.items()
    }
    cost = pick["public_cost_cr"][
        "horizon"
    ]  # the baseline spends nothing, so this is the package's cost
    jobs = pick["jobs"]
    rows = []
    mean, lo, hi = t_interval(cost, comparisons)
    rows.append(
        {
            "package": package,
            "outcome": "public_cost",
            "measure": "cumulative_cost",
            "unit": "Rs crore",
            "estimate": mean,
            "ci_low": lo,
            "ci_high": hi,
        }
    )
    ratios = [
        ("cost_per_job", jobs["horizon"], "Rs lakh per job", LAKH_PER_CRORE),
        ("cost_per_job_year", jobs["cumulative"] / 4.0, "Rs lakh per job-year", LAKH_PER_CRORE),
        (
            "cost_per_rupee_of_exports",
            pick["export_sales"]["cumulative"],
            "Rs per Rs of extra exports",
            1.0,
        ),
    ]
    if "jobs_net" in pick:  # per job net of the full-time work its worker had outside the cluster
        ratios.insert(
            2,
            (
                "cost_per_net_job",
                pick["jobs_net"]["horizon"],
                "Rs lakh per net job",
                LAKH_PER_CRORE,
            ),
        )
    for measure, denominator, unit, scale in ratios:
        estimate, low, high = bootstrap_ratio(
            cost.to_numpy() * scale, denominator.to_numpy(), rng, draws
        )
        # the effect's interval as the table shows it: replicates are the unit (averaged over
        # parameter points), so that a ratio is undefined exactly when that interval spans zero
        _, d_lo, d_hi = t_interval(denominator.groupby(level="replicate").mean(), comparisons)
        note = ratio_note(mean, d_lo, d_hi, estimate, RATIO_OF[measure])
        undefined = bool(note)
        rows.append(
            {
                "package": package,
                "outcome": "public_cost",
                "measure": measure,
                "unit": unit,
                "estimate": math.nan if undefined else estimate,
                "ci_low": math.nan if undefined else low,
                "ci_high": math.nan if undefined else high,
                "note": note,
            }
        )
    # A package that spends less than the baseline and has fewer jobs (the baseline is a bigger
    # package, as in experiments/package_minus_one.toml): public money saved per job lost, i.e. what
    # those jobs cost in the baseline.
    _, j_lo, j_hi = t_interval(jobs["horizon"].groupby(level="replicate").mean(), comparisons)
    if mean < 0 and j_hi < 0:
        saving, low, high = bootstrap_ratio(
            cost.to_numpy() * LAKH_PER_CRORE, jobs["horizon"].to_numpy(), rng, draws
        )
        if np.isfinite(saving):
            rows.append(
                {
                    "package": package,
                    "outcome": "public_cost",
                    "measure": SAVING_PER_JOB_LOST,
                    "unit": "Rs lakh saved per job lost",
                    "estimate": saving,
                    "ci_low": low,
                    "ci_high": high,
                    "note": "",
                }
            )
    return rows


#: What each cost ratio divides by, as its note names it.
RATIO_OF = {
    "cost_per_job": "jobs",
    "cost_per_job_year": "job-years",
    "cost_per_net_job": "net jobs",
    "cost_per_rupee_of_exports": "extra exports",
}


def ratio_note(cost: float, low: float, high: float, estimate: float, what: str) -> str:
    """Why a cost ratio has no number, in words a reader takes at first sight (empty when it has
    one): ``cost`` is the mean public cost, ``low`` and ``high`` the interval of the effect
    divided by, named ``what``."""
    if cost <= 0:
        if low > 0:
            return f"saves public money and creates {what}"
        if high < 0:
            return f"saves public money and loses {what}"
        return f"{UNDEFINED}: no net public cost, and the {what} interval spans zero"
    if high < 0:
        return f"{UNDEFINED}: {what} fall (the effect is negative: nothing is created)"
    if not low > 0 or not np.isfinite(estimate):
        return f"{UNDEFINED}: the {what} interval spans zero"
    return ""


def present_value(flows: pd.DataFrame, column: str, annual_rate: float) -> pd.Series:
    """Per point and replicate: the flows of ``column`` in policy quarters q = 1, 2, ... (and any
    at q <= 0, undiscounted) discounted to the end of the burn-in, sum of x_q / (1 + r)^(q/4) with
    r the annual ``annual_rate`` (0: the plain sum)."""
    factor = (1.0 + annual_rate) ** (flows["quarter"].clip(lower=0) / 4.0)
    return (flows[column] / factor).groupby([flows["point"], flows["replicate"]]).sum()


def npv_rows(series: pd.DataFrame, packages, annual_rate: float, comparisons: int) -> list[dict]:
    """NPVs (Rs crore, at the experiment's ``discount_rate``) of each package's extra value added,
    export sales and workers' earnings over the policy period, of its public cost, and the net
    (value added less public cost), with intervals across replicates like every effect."""
    keys = ["point", "replicate", "quarter"]
    wide = {
        column: series.pivot_table(index=keys, columns="package", values=column)
        for column in (*MONEY_FLOWS, "public_cost_cr")
        if column in series.columns
    }
    note = f"discounted at {annual_rate:.1%} a year (the experiment's discount_rate)"
    rows = []
    for package in packages:
        values = {}
        for flow in MONEY_FLOWS:
            if flow not in wide:
                continue
            gain = (wide[flow][package] - wide[flow][BASELINE]).dropna().reset_index(name="gain")
            values[flow] = present_value(gain[gain["quarter"] >= 1], "gain", annual_rate)
        spend = (
            (wide["public_cost_cr"][package] - wide["public_cost_cr"][BASELINE])
            .dropna()
            .reset_index(name="cum")
            .sort_values(keys)
        )
        spend["flow"] = spend.groupby(["point", "replicate"])["cum"].diff().fillna(spend["cum"])
        cost = present_value(spend, "flow", annual_rate)
        measures = [(flow, "npv", npv) for flow, npv in values.items()]
        measures.append(("public_cost", "npv_public_cost", cost))
        if "value_added" in values:
            net = values["value_added"] - cost.reindex(values["value_added"].index)
            measures.append(("public_cost", "npv_net", net))
        for outcome, measure, npv in measures:
            rows.append(
                {
                    "package": package,
                    "outcome": outcome,
                    "measure": measure,
                    "unit": "Rs crore (NPV)",
                    **summarise(npv.rename("npv").reset_index(), "npv", comparisons),
                    "note": note,
                }
            )
    return rows


def rank(table: pd.DataFrame, packages) -> pd.DataFrame:
    def get(package, outcome, measure):
        hit = table[
            (table["package"] == package)
            & (table["outcome"] == outcome)
            & (table["measure"] == measure)
        ]
        return float(hit["estimate"].iloc[0]) if len(hit) else math.nan

    rows = []
    for p in packages:
        cost = get(p, "public_cost", "cumulative_cost")
        jobs = get(p, "jobs", "effect_at_horizon")
        rows.append(
            {
                "package": p,
                "productivity_pct": get(p, "productivity", "effect_at_horizon_pct"),
                "export_share_points": get(p, "export_share", "effect_at_horizon"),
                "jobs": jobs,
                "jobs_net": get(p, "jobs_net", "effect_at_horizon"),
                "job_years": get(p, "jobs", "cumulative_effect"),
                "net_job_years": get(p, "jobs_net", "cumulative_effect"),
                # who loses: jobs lost by the cluster's firms that shrank, and by outside producers
                "displaced_cluster": get(p, "jobs", "displaced_cluster"),
                "displaced_outside": get(p, "outside_jobs", "effect_at_horizon"),
                "public_cost_cr": cost,
                "jobs_per_crore": jobs / cost if cost and cost > 0 else math.nan,
                "cost_per_job_lakh": get(p, "public_cost", "cost_per_job"),
                "cost_per_net_job_lakh": get(p, "public_cost", "cost_per_net_job"),
            }
        )
    ranking = pd.DataFrame(rows)
    if not ranking.empty:
        ranking = ranking.sort_values("jobs", ascending=False, ignore_index=True)
        ranking.insert(0, "rank_by_jobs", np.arange(1, len(ranking) + 1))
    return ranking
