"""Plots for `clustersim compare` (matplotlib imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .plots import _pyplot

#: (outcome, measure, axis label) of the forest plot's panels: one unit per axis.
PANELS = (
    ("productivity", "effect_at_horizon_pct", "Productivity\n(% of the baseline's)"),
    ("export_share", "effect_at_horizon", "Export share of sales\n(percentage points)"),
    ("jobs", "effect_at_horizon", "Jobs in the cluster\n(workers)"),
)
#: Small multiples drawn on one figure; more packages go on further pages (paths_2.png, ...).
PANELS_PER_PAGE = 16
GROSS, NET, DRAWS = "#1f4e79", "#c0392b", "#d98c1f"


def _rows(table: pd.DataFrame, outcome: str, measure: str, order: list[str]) -> pd.DataFrame:
    return (
        table[(table["outcome"] == outcome) & (table["measure"] == measure)]
        .drop_duplicates("package")
        .set_index("package")
        .reindex(order)
    )


def _interval(ax, part: pd.DataFrame, y, colour: str, label: str, marker: str = "o") -> None:
    est = part["estimate"].to_numpy(float)
    err = np.vstack([est - part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float) - est])
    ax.errorbar(
        est,
        y,
        xerr=np.nan_to_num(err),
        fmt=marker,
        color=colour,
        ecolor=colour,
        elinewidth=1.2,
        alpha=0.9,
        capsize=3,
        label=label,
    )


def package_order(table: pd.DataFrame) -> list[str]:
    """Packages by their net jobs at the horizon (gross jobs when there are no net jobs),
    largest first."""
    for outcome in ("jobs_net", "jobs"):
        rows = table[(table["outcome"] == outcome) & (table["measure"] == "effect_at_horizon")]
        if len(rows):
            return list(rows.sort_values("estimate", ascending=False)["package"].drop_duplicates())
    return []


def forest(table: pd.DataFrame, path: Path, info: dict, horizon: int | None = None) -> None:
    """Effects at the horizon with 95 % CIs, one row per package (every package), ordered by net
    jobs: productivity in % of the baseline's, export share in points, jobs in workers (gross and
    net, with the % of the baseline's jobs on a second axis)."""
    plt = _pyplot()
    order = package_order(table)
    if not order:
        return
    y = np.arange(len(order))[::-1]  # the first package at the top
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.42 * len(order) + 2.6), sharey=True)
    drawn_draws = False
    for ax, (outcome, measure, label) in zip(axes, PANELS, strict=True):
        part = _rows(table, outcome, measure, order)
        if outcome == "jobs":
            net = _rows(table, "jobs_net", "effect_at_horizon", order)
            _interval(ax, part, y + 0.15, GROSS, "gross: workers in the cluster")
            if net["estimate"].notna().any():
                _interval(ax, net, y - 0.15, NET, "net of their work outside the cluster", "s")
            base = float(part["baseline_level"].median()) if "baseline_level" in part else 0.0
            if np.isfinite(base) and base > 0:
                top = ax.secondary_xaxis(
                    "top", functions=(lambda x, b=base: 100 * x / b, lambda q, b=base: q * b / 100)
                )
                top.set_xlabel(f"% of the baseline's {base:,.0f} workers", fontsize=8)
                top.tick_params(labelsize=8)
        else:
            _interval(ax, part, y, GROSS, None)
        if "param_low" in part and part["param_low"].notna().any():
            ax.hlines(y - 0.3, part["param_low"], part["param_high"], color=DRAWS, lw=2)
            drawn_draws = True
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, order)
    axes[0].set_ylim(-0.7, len(order) - 0.3)
    handles, labels = axes[2].get_legend_handles_labels()
    if drawn_draws:
        handles.append(plt.Line2D([], [], color=DRAWS, lw=2))
        labels.append("range across parameter draws")
    if handles:  # below the panels, where it hides no data
        fig.legend(
            handles, labels, loc="lower center", ncol=len(handles), frameon=False, fontsize=8
        )
    fig.suptitle(
        f"{info['title']}\neffect at the horizon{f' (quarter {horizon})' if horizon else ''}, "
        f"package minus baseline, 95 % CI adjusted for {len(order)} packages; "
        "ordered by net jobs",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.05 if handles else 0, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def path_bands(
    series: pd.DataFrame, outcome: str = "jobs", order: list[str] | None = None
) -> tuple[list[str], dict]:
    """The packages with paired runs (in ``order``, then the rest) and, for each and for
    ``outcome`` and its net (``jobs_net``), the mean paired difference from the baseline by
    quarter and the half-width of its 95 % band."""
    wide = {
        column: series.pivot_table(
            index=["point", "replicate", "quarter"], columns="package", values=column
        )
        for column in (outcome, f"{outcome}_net")
        if column in series.columns
    }
    have = [p for p in wide[outcome].columns if p != BASELINE]
    order = [p for p in (order or []) if p in have]
    bands = {}
    for package in order + [p for p in have if p not in order]:
        for column, frame in wide.items():
            diff = (frame[package] - frame[BASELINE]).dropna().groupby(level="quarter")
            mean, sd, n = diff.mean(), diff.std().fillna(0.0), diff.count()
            if len(mean):  # a package with no run paired with a baseline run is not drawn
                bands[(package, column)] = (mean, 1.96 * sd / np.sqrt(n))
    packages = [p for p in order + have if (p, outcome) in bands]
    return list(dict.fromkeys(packages)), bands


def path_pages(packages: list[str]) -> list[list[str]]:
    """The packages of each page of paths.png, paths_2.png, ..."""
    return [packages[k : k + PANELS_PER_PAGE] for k in range(0, len(packages), PANELS_PER_PAGE)]


def paths(
    series: pd.DataFrame,
    path: Path,
    info: dict,
    outcome: str = "jobs",
    order: list[str] | None = None,
    page: int = 1,
) -> int:
    """Mean paired difference from the baseline over the policy quarters, with a 95 % band, one
    panel per package on one y-scale shared by every panel of every page (net jobs dashed beside
    jobs).  Every package is drawn, :data:`PANELS_PER_PAGE` to a page, in ``order`` (then the
    rest): this draws page ``page`` into ``path`` and returns the number of pages (0: nothing
    to draw, no file written)."""
    plt = _pyplot()
    packages, bands = path_bands(series, outcome, order)
    if not packages:
        return 0
    low = min(float((m - h).min()) for m, h in bands.values())
    high = max(float((m + h).max()) for m, h in bands.values())
    pad = 0.05 * (high - low or 1.0)
    pages = path_pages(packages)
    mine = pages[page - 1]
    unit = "workers" if outcome == "jobs" else outcome
    cols = min(4, len(mine))
    rows = int(np.ceil(len(mine) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.3 * cols, 2.3 * rows + 1.3), sharex=True, sharey=True, squeeze=False
    )
    for ax, package in zip(axes.ravel(), mine, strict=False):
        mean, half = bands[(package, outcome)]
        ax.fill_between(mean.index, mean - half, mean + half, color="#9fbfdf", alpha=0.7)
        ax.plot(mean.index, mean, color=GROSS, label=f"{unit} (gross), 95 % band")
        title = f"{package}: {mean.iloc[-1]:+,.0f}"
        if (package, f"{outcome}_net") in bands:
            net, _ = bands[(package, f"{outcome}_net")]
            ax.plot(net.index, net, color=NET, ls="--", lw=1.2, label="net jobs")
            title += f" ({net.iloc[-1]:+,.0f} net)"
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_ylim(low - pad, high + pad)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(mine) :]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower right", frameon=False, fontsize=8, ncol=2)
    fig.supxlabel("policy quarter (0 = the end of the burn-in, when schemes may start)", fontsize=9)
    fig.supylabel(f"extra {unit}: package minus baseline", fontsize=9)
    more = f" (page {page} of {len(pages)})" if len(pages) > 1 else ""
    fig.suptitle(
        f"{info['title']}\n{outcome} effect over the policy period (mean of the paired "
        f"differences, 95 % band each quarter; at the horizon in each title); one y-scale for all "
        f"{len(packages)} packages{more}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return len(pages)


def sensitivity(frame: pd.DataFrame, path: Path) -> None:
    """Total-order Sobol (or Morris mu*) indices with their confidence intervals."""
    plt = _pyplot()
    value, conf = ("ST", "ST_conf") if "ST" in frame else ("mu_star", "mu_star_conf")
    groups = list(frame.groupby(["package", "outcome"]))[:9]
    cols = min(3, len(groups))
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    for ax, ((package, outcome), g) in zip(axes.ravel(), groups, strict=False):
        ax.barh(g["parameter"], g[value], xerr=g[conf], color="#1f4e79", ecolor="0.4")
        ax.set_title(f"{package}: {outcome}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(groups) :]:
        ax.set_visible(False)
    fig.suptitle(
        "Sensitivity: "
        + ("total-order Sobol index" if value == "ST" else "Morris mu*")
        + " with 95 % CI"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
