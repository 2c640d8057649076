"""What a simulated baseline says about the facts of ``clustersim/data/targets.toml``: input-output
shares, credit, returns to capital, exporters, firm growth and size, and a legacy cluster's decline.

Each function reads a finished model (and, where it needs one, its firm panel over the policy
period, :func:`panel_frame`) and returns the number :mod:`clustersim.experiments.validate` holds
against the published band.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def panel_frame(model, from_step: int) -> pd.DataFrame:
    """The firm panel (``ClusterModel(panel=True)``) from ``from_step`` on: a row a firm-quarter."""
    return pd.concat(
        [pd.DataFrame(b) for b in model.panel if b["step"][:1].size and b["step"][0] >= from_step],
        ignore_index=True,
    )


def materials_share(model) -> float:
    """Materials (and other inputs) over sales of the operating firms."""
    firms, live = model.firms, model.firms.live()
    return float(firms.materials[live].sum() / firms.sales[live].sum())


def wage_share_of_value_added(model) -> float:
    """The wage bill over value added (sales less materials) of the operating firms."""
    firms, live = model.firms, model.firms.live()
    value_added = float((firms.sales[live] - firms.materials[live]).sum())
    return model.markets.wage * float(firms.workers[live].sum()) / value_added


def policy_mean(model, column: str) -> float:
    """Mean of a quarterly series over the policy period."""
    values = [
        v
        for v, q in zip(model.series.column(column), model.series.column("quarter"), strict=True)
        if q > 0
    ]
    return float(np.mean(values)) if values else math.nan


def return_gap_by_net_worth(model) -> float:
    """Mean net marginal return on capital (% a month) of the poorest fifth of firms by net worth
    less that of the richest fifth.  The marginal revenue product of capital at a firm's plan is
    beta (rho R - materials) / K a quarter; net of depreciation."""
    firms, live, tech = model.firms, model.firms.live(), model.technology
    capital = firms.capital[live]
    mrpk = tech.beta * (tech.rho * firms.sales[live] - firms.materials[live]) / capital
    net_return = 100.0 * (mrpk - model.rates.depreciation) / 3.0
    net_worth = firms.net_worth(live)
    low, high = np.quantile(net_worth, [0.2, 0.8])
    return float(net_return[net_worth <= low].mean() - net_return[net_worth >= high].mean())


def unconstrained_overrides() -> dict[str, float]:
    """The twin economy whose collateral limit is lifted: lambda of k <= lambda a at the largest
    value the model allows (10), far beyond what any firm with positive net worth wants to hold
    with bank credit.  Everything else (the bank's bar on expected loss, its cash-flow rule and
    funds, the moneylender) is unchanged."""
    from ..inputs.params import PARAMETERS

    return {"finance.bank_leverage": float(PARAMETERS["finance.bank_leverage"].high)}


def constraint_return_gap(model, unconstrained) -> float:
    """The return gap by net worth that the collateral constraint makes: the gap of ``model``
    (:func:`return_gap_by_net_worth`, % a month) less the gap of ``unconstrained``, the same
    scenario and seed with the limit lifted (:func:`unconstrained_overrides`).  Without the
    constraint theory says the gap is zero (every firm earns its cost of funds); the model's twin
    shows a gap of its own (adjustment lags, the working-capital cycle, firms the bank bars), which
    this removes, so the statistic is zero when the constraint never binds."""
    return return_gap_by_net_worth(model) - return_gap_by_net_worth(unconstrained)


def exporter_selection(panel: pd.DataFrame) -> float:
    """Mean log TFP of firms that start exporting, four quarters before they do, less the mean log
    TFP of non-exporters in that quarter (positive: exporters are selected on productivity)."""
    frame = panel.sort_values(["firm_id", "step"])
    started = frame["exporter"].astype(bool) & ~frame.groupby("firm_id")["exporter"].shift(
        1, fill_value=1
    ).astype(bool)
    gaps = []
    log_tfp = np.log(frame["tfp"])
    by_step = frame.assign(log_tfp=log_tfp).set_index(["firm_id", "step"])["log_tfp"]
    non_exporters = (
        frame.loc[~frame["exporter"].astype(bool)]
        .assign(log_tfp=log_tfp)
        .groupby("step")["log_tfp"]
        .mean()
    )
    for firm, step in frame.loc[started, ["firm_id", "step"]].itertuples(index=False):
        before = step - 4
        if (firm, before) in by_step.index and before in non_exporters.index:
            gaps.append(by_step[(firm, before)] - non_exporters[before])
    return float(np.mean(gaps)) if gaps else math.nan


def exporter_share(model) -> float:
    firms, live = model.firms, model.firms.live()
    return float(np.mean(firms.exporter[live]))


def top_exporters_share(model) -> float:
    """Share of export sales held by the top 10 % of exporters."""
    firms, live = model.firms, model.firms.live()
    exports = np.sort(firms.export_sales[live][firms.exporter[live]])[::-1]
    if len(exports) == 0:
        return math.nan
    top = max(1, int(math.ceil(0.1 * len(exports))))
    return float(exports[:top].sum() / exports.sum())


def annual_growth(panel: pd.DataFrame) -> pd.DataFrame:
    """Log sales growth over four quarters of firms operating at both ends, and mean sales."""
    wide = panel.pivot_table(index="firm_id", columns="step", values="sales")
    steps = list(wide.columns)
    rows = []
    for first, last in zip(steps[:-4:4], steps[4::4], strict=False):
        pair = wide[[first, last]].dropna()
        pair = pair[(pair > 0).all(axis=1)]
        rows.append(
            pd.DataFrame({"growth": np.log(pair[last] / pair[first]), "size": pair.mean(axis=1)})
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["growth", "size"])


def growth_kurtosis(panel: pd.DataFrame) -> float:
    """Excess kurtosis of annual log sales growth (0 for a normal, 3 for a Laplace distribution)."""
    growth = annual_growth(panel)["growth"]
    return float(stats.kurtosis(growth)) if len(growth) > 10 else math.nan


def size_variance_slope(panel: pd.DataFrame, bins: int = 8) -> float:
    """Slope of log sd(annual log sales growth) on log mean size across size bins (equal counts)."""
    growth = annual_growth(panel)
    if len(growth) < 10 * bins:
        return math.nan
    growth["bin"] = pd.qcut(growth["size"], bins, labels=False, duplicates="drop")
    by_bin = growth.groupby("bin").agg(sd=("growth", "std"), size=("size", "mean"))
    return float(np.polyfit(np.log(by_bin["size"]), np.log(by_bin["sd"]), 1)[0])


def missing_middle_blips(workers) -> int:
    """How often a log-binned histogram of firm employment rises again beyond its mode."""
    workers = np.asarray(workers)[np.asarray(workers) > 0]
    edges = np.logspace(np.log10(workers.min()), np.log10(workers.max()) + 1e-9, 13)
    counts, _ = np.histogram(workers, edges)
    mode = int(np.argmax(counts))
    return int(np.sum(np.diff(counts[mode:]) > 0))


def annual_decline(model) -> float:
    """Annual rate of change of the number of firms over the policy period (quarter 0 to end)."""
    firms, quarters = model.series.column("firms"), model.series.column("quarter")
    start = firms[quarters.index(0)] if 0 in quarters else firms[0]
    years = quarters[-1] / 4.0
    return (
        float((firms[-1] / start) ** (1.0 / years) - 1.0) if years > 0 and start > 0 else math.nan
    )
