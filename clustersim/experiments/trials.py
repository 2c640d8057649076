"""In-silico field trials: randomise a firm-level treatment inside the model and
estimate its effect the way a field experiment would.

A scenario's ``[trial]`` table (see docs/parameters.md) assigns a random share of
eligible firms to a treatment (a cash grant, consulting, training, an export link
or a credit line) in a given quarter, and measures outcomes ``follow_up``
quarters after treatment.  Within each replicate the intention-to-treat effect
is estimated twice: a difference in means, and a regression of the outcome on
treatment with the outcome before treatment as a control (ANCOVA).  Estimates
are pooled over replicates (mean and 95 % t interval across replicates).

As in a real trial in one cluster, control firms feel the treated firms'
spillovers (they compete for the same workers and buyers and learn from the
same neighbours), so the estimate is the effect *relative to* controls, not
relative to a world with no treatment.
"""

from __future__ import annotations

import math

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


def _ancova(after, treated, before) -> float:
    """OLS of after on [1, treated, before]: the treatment coefficient."""
    x = np.column_stack([np.ones(len(after)), treated.astype(float), before])
    coef, *_ = np.linalg.lstsq(x, after, rcond=None)
    return float(coef[1])


def replicate_estimates(frame: pd.DataFrame) -> pd.DataFrame:
    """Per replicate and outcome: difference in means and ANCOVA, both in % of the control
    mean (points for the exporter share), with sample sizes and attrition."""
    rows = []
    for replicate, g in frame.groupby("replicate"):
        survivors = g[g["alive_after"] == 1]
        treated = survivors["treated"].to_numpy(bool)
        for outcome in OUTCOMES:
            after = survivors[f"{outcome}_after"].to_numpy(float)
            before = survivors[f"{outcome}_before"].to_numpy(float)
            if treated.sum() < 2 or (~treated).sum() < 2:
                continue
            control_mean = after[~treated].mean()
            scale = (
                100.0
                if outcome == "exporter"
                else (100.0 / control_mean if control_mean else math.nan)
            )
            rows.append(
                {
                    "replicate": replicate,
                    "outcome": outcome,
                    "difference_in_means": (after[treated].mean() - control_mean) * scale,
                    "ancova": _ancova(after, treated, before) * scale,
                    "treated": int(treated.sum()),
                    "control": int((~treated).sum()),
                    "attrition_treated": 1 - treated.sum() / max(int(g["treated"].sum()), 1),
                    "attrition_control": 1 - (~treated).sum() / max(int((~g["treated"]).sum()), 1),
                }
            )
        assigned = g["treated"].to_numpy(bool)
        survived = g["alive_after"].to_numpy(float) == 1
        rows.append(
            {
                "replicate": replicate,
                "outcome": "survival",  # exit as an outcome: ITT on all assigned firms
                "difference_in_means": 100
                * (survived[assigned].mean() - survived[~assigned].mean()),
                "ancova": math.nan,
                "treated": int(assigned.sum()),
                "control": int((~assigned).sum()),
                "attrition_treated": 0.0,
                "attrition_control": 0.0,
            }
        )
        if "grant" in g and g["grant"].sum() > 0:
            profit_gain = (
                survivors.loc[treated, "profit_after"].mean()
                - survivors.loc[~treated, "profit_after"].mean()
            )
            grant = g.loc[g["treated"], "grant"].mean()
            rows.append(
                {
                    "replicate": replicate,
                    "outcome": "monthly_return_on_grant",
                    "difference_in_means": 100 * profit_gain / grant / 3.0,
                    "ancova": math.nan,
                    "treated": int(treated.sum()),
                    "control": int((~treated).sum()),
                }
            )
    return pd.DataFrame(rows)


def pooled(frame: pd.DataFrame) -> pd.DataFrame:
    """Estimates pooled over replicates: mean and 95 % t interval, total sample sizes."""
    from ..analysis.statistics import t_interval  # scipy.stats: not needed by the workers

    per = replicate_estimates(frame)
    rows = []
    for outcome, g in per.groupby("outcome", sort=False):
        dm, dm_lo, dm_hi = t_interval(g["difference_in_means"])
        an, an_lo, an_hi = t_interval(g["ancova"])
        rows.append(
            {
                "outcome": outcome,
                "unit": "points" if outcome in ("exporter", "survival") else "%",
                "itt_difference_in_means": dm,
                "dm_ci_low": dm_lo,
                "dm_ci_high": dm_hi,
                "itt_ancova": an,
                "ancova_ci_low": an_lo,
                "ancova_ci_high": an_hi,
                "replicates": len(g),
                "treated_firms": int(g["treated"].sum()),
                "control_firms": int(g["control"].sum()),
                "treated_per_replicate": float(g["treated"].mean()),
                "attrition_treated": float(g["attrition_treated"].mean())
                if "attrition_treated" in g
                else math.nan,
                "attrition_control": float(g["attrition_control"].mean())
                if "attrition_control" in g
                else math.nan,
                "note": SPILLOVER_NOTE
                + " Outcomes other than survival are compared among firms still operating "
                "at follow-up (see the attrition columns).",
            }
        )
    return pd.DataFrame(rows)
