"""validation.png: the simulated firm-size and growth-rate distributions, and each in-silico trial
beside its published band, each trial on an axis of its own unit (matplotlib imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .plots import _pyplot

BAND, SIMULATED = "#f2d7b0", "#1f4e79"


def validation_figure(plots: dict, path: Path, hill_exponent) -> None:
    """Three panels on the top row (size distribution with its fitted tail, growth rates) and one
    small panel per trial below, its x-axis in the trial's own unit; ``hill_exponent(sizes)`` is
    the tail estimator of the validation table, so that the drawn tail is the one tabulated."""
    plt = _pyplot()
    trials = plots.get("trials", {})
    columns = max(len(trials), 2)
    fig = plt.figure(figsize=(5 * columns, 7.6))
    grid = fig.add_gridspec(2, columns * 2, height_ratios=[1.35, 1], hspace=0.55, wspace=0.9)
    size_ax = fig.add_subplot(grid[0, :columns])
    growth_ax = fig.add_subplot(grid[0, columns:])
    sizes = np.sort(plots["sizes"])[::-1]
    ccdf = np.arange(1, len(sizes) + 1) / len(sizes)
    size_ax.loglog(sizes, ccdf, ".", ms=3, color=SIMULATED, label="firms (one baseline run)")
    alpha = hill_exponent(sizes)
    k = max(int(len(sizes) * 0.1), 5)
    xs = np.linspace(sizes[k], sizes[0], 50)
    size_ax.loglog(
        xs,
        ccdf[k] * (xs / sizes[k]) ** -alpha,
        color="#d98c1f",
        label=f"fitted tail, alpha = {alpha:.2f}",
    )
    size_ax.set(xlabel="workers", ylabel="share of firms larger", title="Firm size distribution")
    size_ax.legend(frameon=False, fontsize=8, loc="lower left")
    growth_ax.hist(plots["growth"], bins=60, color=SIMULATED, log=True)
    growth_ax.set(
        xlabel="yearly log growth of workers",
        ylabel="firms (log scale)",
        title="Growth-rate distribution",
    )
    for i, (name, (est, lo, hi, band, unit)) in enumerate(trials.items()):
        ax = fig.add_subplot(grid[1, 2 * i : 2 * i + 2])
        low, high = band
        shown_high = high if np.isfinite(high) else max(hi, low) * 1.5 + 1
        ax.axvspan(low, shown_high, color=BAND, label="published band")
        ax.errorbar(
            [est],
            [0],
            xerr=[[est - lo], [hi - est]],
            fmt="o",
            color=SIMULATED,
            capsize=4,
            label="simulated (95 % CI)",
        )
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        ax.set_title(f"trial: {name.replace('_', ' ')} vs published", fontsize=9)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(labelsize=8)
        if i == 0:
            handles, labels = ax.get_legend_handles_labels()
    if trials:
        fig.legend(
            handles, labels, loc="lower center", ncol=2, frameon=False, fontsize=8
        )  # below the trials, where it hides no band or interval
    fig.subplots_adjust(left=0.06, right=0.98, top=0.93, bottom=0.14)
    fig.savefig(path, dpi=110)
    plt.close(fig)
