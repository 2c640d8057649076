"""In-silico field trials: randomise a firm-level treatment inside the model and
estimate its effect the way a field experiment would.

A scenario's ``[trial]`` table (see docs/parameters.md) assigns a random share of
eligible firms to a treatment (a cash grant, consulting, training, an export link
or a credit line) in a given quarter, and measures outcomes ``follow_up``
quarters after treatment.  Within each replicate the intention-to-treat effect
is estimated twice: a difference in means, and a regression of the outcome on
treatment with the outcome before treatment as a control (ANCOVA, the primary
estimator: firm sizes are lognormal, and the control absorbs most of their spread),
in levels (as % of the control mean), in logs, and per rupee of treatment where the
treatment is money (de Mel et al.'s monthly return on a grant is Δprofit / grant / 3).
Estimates are pooled over replicates (mean and 95 % t interval across replicates);
the design's power is its minimum detectable effect, from the ANCOVA's standard error.

As in a real trial in one cluster, control firms feel the treated firms'
spillovers (they compete for the same workers and buyers and learn from the
same neighbours), so the estimate is the effect *relative to* controls, not
relative to a world with no treatment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

OUTCOMES = (
    "sales",
    "profit",
    "workers",
    "real_value_added",
    "productivity",
    "tfp",
    "output_per_worker",
    "export_sales",
    "exporter",
    "capital",
)
SPILLOVER_NOTE = (
    "Control firms share the cluster with treated ones and feel their spillovers (labour market, "
    "demand, imitation), as in a real trial; effects are relative to those controls."
)


def records_frame(model) -> pd.DataFrame:
    """A run's trial records (one row per firm in the trial), or an empty frame."""
    if "sales_after" not in model.field_trial.records:
        return pd.DataFrame()
    return pd.DataFrame(model.field_trial.records)


#: Outcomes that are positive for every operating firm, so that their logs exist: estimated in
#: logs too (``log_sales``...: 100 x the log-point effect, about a % for small effects).
LOG_OUTCOMES = (
    "sales",
    "workers",
    "real_value_added",
    "productivity",
    "tfp",
    "output_per_worker",
    "capital",
)
#: Outcomes in Rs lakh: estimated per rupee of treatment too (``profit_per_rupee``...), where
#: the treatment is money (a grant, a credit line).  Flows are per quarter, stocks at follow-up.
MONEY_OUTCOMES = ("sales", "profit", "real_value_added", "export_sales", "capital")
#: z(0.975) + z(0.80): the minimum detectable effect at 80 % power in a 5 % two-sided test is
#: this many standard errors (with many degrees of freedom; t quantiles otherwise).
Z_975 = NormalDist().inv_cdf(0.975)
MDE_Z = Z_975 + NormalDist().inv_cdf(0.80)


@dataclass(frozen=True)
class Estimate:
    """A treatment coefficient with its heteroskedasticity-robust (HC1) standard error."""

    effect: float
    se: float


def ancova(after, treated, before) -> Estimate:
    """OLS of ``after`` on [1, treated, before] (ANCOVA: the outcome on treatment with its
    pre-treatment value as a control): the treatment coefficient and its HC1 standard error."""
    after = np.asarray(after, float)
    x = np.column_stack(
        [np.ones(len(after)), np.asarray(treated, float), np.asarray(before, float)]
    )
    n, k = x.shape
    if n <= k:
        return Estimate(math.nan, math.nan)
    coef, *_ = np.linalg.lstsq(x, after, rcond=None)
    residual = after - x @ coef
    bread = np.linalg.pinv(x.T @ x)
    meat = (x * residual[:, None] ** 2).T @ x
    variance = bread @ meat @ bread * n / (n - k)
    return Estimate(float(coef[1]), float(math.sqrt(max(variance[1, 1], 0.0))))


def minimum_detectable_effect(se: float, df: float = math.inf) -> float:
    """Smallest true effect a 5 % two-sided test detects with 80 % power, given the estimator's
    standard error: (t(0.975) + t(0.80)) x SE, about 2.8 x SE with many degrees of freedom."""
    if not np.isfinite(df):
        return MDE_Z * se
    from scipy import stats  # only here: sweep workers import this module for records_frame

    return float(stats.t.ppf(0.975, df) + stats.t.ppf(0.80, df)) * se


def replicate_estimates(frame: pd.DataFrame) -> pd.DataFrame:
    """Per replicate and outcome: difference in means and ANCOVA (with its HC1 standard error),
    in % of the control mean (points for the exporter share; 100 x log points for ``log_*``;
    rupees per rupee of treatment for ``*_per_rupee``), with sample sizes and attrition."""
    rows = []
    for replicate, g in frame.groupby("replicate"):
        survivors = g[g["alive_after"] == 1]
        treated = survivors["treated"].to_numpy(bool)
        assigned = g["treated"].to_numpy(bool)
        sizes = {
            "replicate": replicate,
            "treated": int(treated.sum()),
            "control": int((~treated).sum()),
            "attrition_treated": 1 - treated.sum() / max(int(assigned.sum()), 1),
            "attrition_control": 1 - (~treated).sum() / max(int((~assigned).sum()), 1),
        }
        survived = g["alive_after"].to_numpy(float) == 1
        rows.append(
            {
                **sizes,
                "outcome": "survival",  # exit as an outcome: ITT on all assigned firms
                "difference_in_means": 100
                * (survived[assigned].mean() - survived[~assigned].mean()),
                "ancova": math.nan,
                "ancova_se": math.nan,
                "treated": int(assigned.sum()),
                "control": int((~assigned).sum()),
                "attrition_treated": 0.0,
                "attrition_control": 0.0,
            }
        )
        if treated.sum() < 2 or (~treated).sum() < 2:
            continue
        # rupees of treatment a treated firm got (grant, credit line): per-rupee effects
        money = "treatment_lakh" if "treatment_lakh" in g else "grant"  # older runs: "grant"
        amount = (
            float(g.loc[g["treated"], money].mean())
            if money in g and g[money].sum() > 0
            else math.nan
        )
        for outcome in OUTCOMES:
            after = survivors[f"{outcome}_after"].to_numpy(float)
            before = survivors[f"{outcome}_before"].to_numpy(float)
            control_mean = after[~treated].mean()
            scale = (
                100.0
                if outcome == "exporter"
                else (100.0 / control_mean if control_mean else math.nan)
            )
            difference = after[treated].mean() - control_mean
            level = ancova(after, treated, before)
            rows.append(
                {
                    **sizes,
                    "outcome": outcome,
                    "difference_in_means": difference * scale,
                    "ancova": level.effect * scale,
                    "ancova_se": level.se * abs(scale),
                }
            )
            if outcome in LOG_OUTCOMES:
                positive = (after > 0) & (before > 0)
                t = treated[positive]
                if t.sum() >= 2 and (~t).sum() >= 2:
                    log_after, log_before = np.log(after[positive]), np.log(before[positive])
                    logs = ancova(log_after, t, log_before)
                    rows.append(
                        {
                            **sizes,
                            "outcome": f"log_{outcome}",
                            "difference_in_means": 100
                            * (log_after[t].mean() - log_after[~t].mean()),
                            "ancova": 100 * logs.effect,
                            "ancova_se": 100 * logs.se,
                        }
                    )
            if outcome in MONEY_OUTCOMES and np.isfinite(amount):
                rows.append(
                    {
                        **sizes,
                        "outcome": f"{outcome}_per_rupee",
                        "difference_in_means": difference / amount,
                        "ancova": level.effect / amount,
                        "ancova_se": level.se / amount,
                    }
                )
                if outcome == "profit" and "grant" in g and g["grant"].sum() > 0:
                    # de Mel et al.'s return on a grant: extra profit a month per rupee, in %
                    rows.append(
                        {
                            **sizes,
                            "outcome": "monthly_return_on_grant",
                            "difference_in_means": 100 * difference / amount / 3.0,
                            "ancova": 100 * level.effect / amount / 3.0,
                            "ancova_se": 100 * level.se / amount / 3.0,
                        }
                    )
    return pd.DataFrame(rows)


def unit_of(outcome: str) -> str:
    """The unit an outcome's estimates are reported in."""
    if outcome in ("exporter", "survival"):
        return "points"
    if outcome == "monthly_return_on_grant":
        return "% a month"
    if outcome.startswith("log_"):
        return "log points x 100"
    if outcome.endswith("_per_rupee"):
        stock = outcome.removesuffix("_per_rupee") == "capital"
        return "Rs per Rs of treatment" + ("" if stock else " a quarter")
    return "%"


def pooled_ancova(estimates, ses) -> dict[str, float]:
    """Pool per-replicate ANCOVA estimates (each an independent trial with its HC1 standard
    error): their mean, and as its standard error the larger of the design-based one,
    sqrt(sum se_r^2) / R, and the spread across replicates, sd / sqrt(R).  Firm outcomes are
    heavy-tailed, so a few replicates can agree by chance (the spread alone is too small); clusters
    can also differ in their true effect (the within-trial SEs alone are too small).  The 95 %
    interval and the minimum detectable effect use t with R - 1 degrees of freedom when the spread
    sets the SE, the normal distribution when the within-trial SEs do."""
    estimates, ses = np.asarray(estimates, float), np.asarray(ses, float)
    keep = np.isfinite(estimates)
    estimates, ses = estimates[keep], ses[keep]
    r = len(estimates)
    if r == 0:
        return dict.fromkeys(
            (
                "estimate",
                "ci_low",
                "ci_high",
                "se",
                "se_within",
                "se_between",
                "mde",
                "se_one_trial",
                "mde_one_trial",
            ),
            math.nan,
        )
    within = float(np.sqrt(np.sum(ses**2)) / r) if np.isfinite(ses).all() else math.nan
    between = float(estimates.std(ddof=1) / math.sqrt(r)) if r >= 2 else math.nan
    by_spread = np.isfinite(between) and not within >= between
    se = between if by_spread else within
    df = r - 1 if by_spread else math.inf
    if by_spread:
        from scipy import stats

        half = stats.t.ppf(0.975, df) * se
    else:
        half = Z_975 * se
    mean = float(estimates.mean())
    one_trial = float(np.sqrt(np.mean(ses**2)))
    return {
        "estimate": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "se": se,
        "se_within": within,
        "se_between": between,
        "mde": minimum_detectable_effect(se, df),
        "se_one_trial": one_trial,
        "mde_one_trial": minimum_detectable_effect(one_trial),
    }


def pooled(frame: pd.DataFrame) -> pd.DataFrame:
    """Estimates pooled over replicates, with total sample sizes.  ANCOVA, the primary estimator:
    mean over replicates with the standard error of :func:`pooled_ancova`, its 95 % interval and
    the design's power as a minimum detectable effect (80 % power, 5 % two-sided), for the pooled
    replicates and for one trial in one cluster.  Difference in means: mean and 95 % t interval
    across replicates."""
    from ..analysis.statistics import t_interval  # scipy.stats: not needed by the workers

    per = replicate_estimates(frame)
    rows = []
    for outcome, g in per.groupby("outcome", sort=False):
        dm, dm_lo, dm_hi = t_interval(g["difference_in_means"])
        an = pooled_ancova(g["ancova"], g["ancova_se"])
        rows.append(
            {
                "outcome": outcome,
                "unit": unit_of(outcome),
                "itt_difference_in_means": dm,
                "dm_ci_low": dm_lo,
                "dm_ci_high": dm_hi,
                "itt_ancova": an["estimate"],
                "ancova_ci_low": an["ci_low"],
                "ancova_ci_high": an["ci_high"],
                "ancova_se": an["se"],
                "ancova_se_within": an["se_within"],
                "ancova_se_between": an["se_between"],
                "mde": an["mde"],
                "mde_one_trial": an["mde_one_trial"],
                "replicates": len(g),
                "treated_firms": int(g["treated"].sum()),
                "control_firms": int(g["control"].sum()),
                "treated_per_replicate": float(g["treated"].mean()),
                "attrition_treated": float(g["attrition_treated"].mean()),
                "attrition_control": float(g["attrition_control"].mean()),
                "note": SPILLOVER_NOTE
                + " Outcomes other than survival are compared among firms still operating "
                "at follow-up (see the attrition columns).",
            }
        )
    return pd.DataFrame(rows)


#: Columns every stored trial record has (a sweep's ``DIR/trial/*.parquet``).
RECORD_KEYS = ("run_id", "package", "point", "replicate", "treated", "alive_after")


def from_sweep(out) -> pd.DataFrame | None:
    """A sweep's trial, estimated for each package (every run is one trial in one cluster): the
    table of :func:`pooled` with a ``package`` column first; None when the sweep ran no trial."""
    from pathlib import Path

    from .store import read_run_files

    records = read_run_files(Path(out) / "trial", RECORD_KEYS)
    if records is None or records.empty:
        return None
    tables = [
        pooled(frame.assign(replicate=frame["run_id"])).assign(package=package)
        for package, frame in records.groupby("package", sort=False)
    ]
    table = pd.concat(tables, ignore_index=True)
    return table[["package", *[c for c in table.columns if c != "package"]]]


def headline(table: pd.DataFrame) -> pd.DataFrame:
    """The rows a summary shows: the grant's monthly return when the treatment is money given,
    else sales (ANCOVA, % of the control mean) and TFP."""
    wanted = (
        ("monthly_return_on_grant",)
        if (table["outcome"] == "monthly_return_on_grant").any()
        else ("sales", "tfp")
    )
    return table[table["outcome"].isin(wanted)]


def describe(row) -> str:
    """One estimate in words: ANCOVA with its 95 % interval and the minimum detectable effect."""
    unit = row["unit"]
    return (
        f"{row['outcome']} {row['itt_ancova']:+.2f} {unit} ({row['ancova_ci_low']:+.2f} to "
        f"{row['ancova_ci_high']:+.2f}; minimum detectable effect {row['mde']:.2f}, "
        f"{int(row['treated_firms'])} treated / {int(row['control_firms'])} control firms)"
    )
