"""The national experiment's figure (``clustersim compare`` on a national sweep): jobs by product
and by state, counted apart, in national markets and net (matplotlib imported lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .plots import _pyplot

#: (column, legend, colour): the three ways of counting a scheme's jobs, from gross to net.
BARS = (
    ("jobs_effect_apart", "clusters counted apart (gross)", "#9bb7d4"),
    ("jobs_effect", "in national markets (gross)", "#1f4e79"),
    ("jobs_net_effect", "net of workers' outside work", "#c0392b"),
)
#: States shown (the rest are summed in "other states").
STATES_SHOWN = 12
#: The synthetic clusters' "state", and how the figure names it.
SYNTHETIC, SYNTHETIC_LABEL = "synthetic", "synthetic clusters (illustrative)"


def _panel(ax, frame: pd.DataFrame, label: str, title: str) -> None:
    from matplotlib.ticker import MaxNLocator

    y = np.arange(len(frame))
    height = 0.8 / len(BARS)
    for k, (column, legend, colour) in enumerate(BARS):
        ax.barh(y + (k - 1) * height, frame[column], height, color=colour, label=legend)
    ax.set_yticks(y, [str(v).replace("_", " ") for v in frame[label]])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("jobs at the horizon, scheme minus no scheme (workers)")
    ax.set_title(title, loc="left", fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(5))  # wide numbers: few ticks, so they never touch
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")


def national_figure(result: dict[str, pd.DataFrame], path: Path, title: str) -> Path:
    """``national.png``: by product and by state, the jobs the scheme adds counted apart, in
    national markets (what the clusters take from each other removed) and net."""
    plt = _pyplot()
    products = result["products"]
    states = result["states"].sort_values("jobs_effect", ascending=False)
    states = states.assign(state=states["state"].replace(SYNTHETIC, SYNTHETIC_LABEL))
    if len(states) > STATES_SHOWN:
        rest = states.iloc[STATES_SHOWN - 1 :]
        other = {"state": f"{len(rest)} other states", **rest.drop(columns="state").sum()}
        states = pd.concat([states.iloc[: STATES_SHOWN - 1], pd.DataFrame([other])])
    rows = max(len(products), len(states))
    fig, axes = plt.subplots(1, 2, figsize=(13, 1.2 + 0.45 * rows), constrained_layout=True)
    _panel(axes[0], products, "product", "By product (each its own national market)")
    _panel(axes[1], states, "state", "By state")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(BARS), frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
