"""Plots for `clustersim compare` (matplotlib imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .plots import _pyplot

PANELS = (
    ("productivity", "effect_at_horizon_pct", "Productivity (%)"),
    ("export_share", "effect_at_horizon", "Export share (points)"),
    ("jobs", "effect_at_horizon_pct", "Jobs (%)"),
)


def forest(table: pd.DataFrame, path: Path, info: dict) -> None:
    """Effects at the horizon with 95 % CIs, one row per package, ordered by the jobs effect."""
    plt = _pyplot()
    jobs = table[(table["outcome"] == "jobs") & (table["measure"] == "effect_at_horizon_pct")]
    order = list(jobs.sort_values("estimate")["package"])
    if not order:
        return
    fig, axes = plt.subplots(1, 3, figsize=(12, 0.45 * len(order) + 1.8), sharey=True)
    for ax, (outcome, measure, label) in zip(axes, PANELS, strict=True):
        part = (
            table[(table["outcome"] == outcome) & (table["measure"] == measure)]
            .set_index("package")
            .reindex(order)
        )
        y = np.arange(len(order))
        est = part["estimate"].to_numpy(float)
        err = np.vstack(
            [est - part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float) - est]
        )
        ax.errorbar(
            est, y, xerr=np.nan_to_num(err), fmt="o", color="#1f4e79", ecolor="#7f9fbf", capsize=3
        )
        if "param_low" in part and part["param_low"].notna().any():
            ax.hlines(
                y + 0.2,
                part["param_low"],
                part["param_high"],
                color="#d98c1f",
                lw=2,
                label="parameter uncertainty",
            )
            ax.legend(loc="lower right", fontsize=7, frameon=False)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_title(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(order)), order)
    fig.suptitle(
        f"{info['title']}: effect at the horizon vs baseline (95 % CI, Bonferroni-adjusted)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def paths(
    series: pd.DataFrame, path: Path, info: dict, outcome: str = "jobs", most: int = 12
) -> None:
    """Mean paired difference from the baseline over the policy quarters, with a 95 % band."""
    plt = _pyplot()
    wide = series.pivot_table(
        index=["point", "replicate", "quarter"], columns="package", values=outcome
    )
    packages = [p for p in wide.columns if p != BASELINE][:most]
    if not packages:
        return
    cols = min(4, len(packages))
    rows = int(np.ceil(len(packages) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.2 * cols, 2.4 * rows), sharex=True, squeeze=False
    )
    for ax, package in zip(axes.ravel(), packages, strict=False):
        diff = (wide[package] - wide[BASELINE]).dropna().groupby(level="quarter")
        mean, sd, n = diff.mean(), diff.std(), diff.count()
        half = 1.96 * sd / np.sqrt(n)
        ax.fill_between(mean.index, mean - half, mean + half, color="#9fbfdf", alpha=0.7)
        ax.plot(mean.index, mean, color="#1f4e79")
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_title(package, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(packages) :]:
        ax.set_visible(False)
    fig.supxlabel("policy quarter")
    fig.supylabel(f"{outcome}: package - baseline")
    fig.suptitle(f"{info['title']}: paths of the {outcome} effect (mean, 95 % band)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
