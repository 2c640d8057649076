"""Plots of a run: the outcome paths and the cluster map.

Each plot is drawn by a ``draw_*`` function onto matplotlib axes, so that the
PNG files ``clustersim run`` writes and the browser dashboard
(:mod:`clustersim.views.dashboard`) show the same picture.  matplotlib is imported
lazily, so that a run without plots (and the test suite) does not pay for it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .output import COLUMN, COLUMN_NAMES

#: (column, axis label) of the three headline outcomes, in the order they are plotted.
OUTCOME_PANELS = (
    ("productivity", "Productivity\n(Rs lakh real VA/worker/yr)"),
    ("export_share", "Export share of sales"),
    ("jobs", "Jobs (workers)"),
)
#: What the cluster map can colour firms by.
COLOUR_BY = ("productivity", "export status")
_EXPORT_STATUS = (
    ("exporter", "#c0392b"),
    ("certified, home market only", "#e69f00"),
    ("home market only", "#4a6fa5"),
)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_outcomes(
    axes, model, since: int | None = None, reference=None, reference_label: str = ""
) -> None:
    """Productivity, export share and jobs against the policy quarter on three axes, burn-in shaded.

    ``since`` (a policy quarter) drops the quarters before it, so that a short
    policy period is not squeezed against a long burn-in.  ``reference``, a
    second model, is drawn dashed beside it (the dashboard's same-seed run
    without interventions).
    """

    def series(of):
        data = np.array(of.series.rows, dtype=float).reshape(-1, len(COLUMN_NAMES))
        return data if since is None else data[data[:, COLUMN["quarter"]] >= since]

    data = series(model)
    quarter = data[:, COLUMN["quarter"]]
    for ax, (name, label) in zip(axes, OUTCOME_PANELS, strict=True):
        if reference is not None:
            other = series(reference)
            ax.plot(
                other[:, COLUMN["quarter"]],
                other[:, COLUMN[name]],
                color="0.45",
                lw=1.4,
                ls="--",
                label=reference_label,
            )
        ax.plot(
            quarter,
            data[:, COLUMN[name]],
            color="#1f4e79",
            lw=1.8,
            label="with the interventions" if reference else None,
        )
        if len(quarter) and quarter.min() < 0:
            ax.axvspan(quarter.min(), 0, color="0.9", label="burn-in")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    if reference is not None or (len(quarter) and quarter.min() < 0):
        axes[0].legend(loc="best", frameon=False, fontsize=8)
    axes[-1].set_xlabel("policy quarter (0 = end of burn-in)")


def outcomes(model, path: Path) -> None:
    """outcomes.png: the three headline outcomes over the whole run."""
    plt = _pyplot()
    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    draw_outcomes(axes, model)
    fig.suptitle(model.settings.title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_cluster_map(ax, model, colour_by: str = "productivity"):
    """Firms on the grid sized by workers and coloured by ``colour_by`` (one of :data:`COLOUR_BY`);
    the CFC, the testing lab and the lenders marked.
    Returns the firms' scatter (for a colour bar)."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by = {colour_by!r}; allowed: {', '.join(COLOUR_BY)}")
    f, live = model.firms, model.firms.live()
    offsets = np.linspace(-0.3, 0.3, 7)  # firms sharing a cell are spread a little, by firm id
    x, y = f.x[live] + offsets[live % 7], f.y[live] + offsets[(live // 7) % 7]
    size = 4 + 3 * np.sqrt(f.workers[live])
    if colour_by == "productivity":
        va = np.divide(
            4 * f.real_value_added[live],
            f.workers[live],
            out=np.zeros(len(live)),
            where=f.workers[live] > 0,
        )
        firms = ax.scatter(
            x,
            y,
            c=va,
            s=size,
            cmap="viridis",
            alpha=0.8,
            edgecolors=np.where(f.exporter[live], "red", "none"),
            linewidths=0.6,
        )
        ax.scatter([], [], s=20, facecolors="none", edgecolors="red", label="exporter (red ring)")
    else:
        certified = f.certified_until[live] >= model.steps
        status = np.where(f.exporter[live], 0, np.where(certified, 1, 2))
        colours = np.array([colour for _, colour in _EXPORT_STATUS])
        firms = ax.scatter(x, y, c=colours[status], s=size, alpha=0.8, edgecolors="none")
        for label, colour in _EXPORT_STATUS:
            ax.scatter([], [], s=20, c=colour, label=label)
    # Largest first, so that a lab, a CFC and the bank on one cell
    # (all default to the first core) all show.
    # A facility approved but still being built is drawn hollow.
    marks = [(model.bank, "s", "bank & moneylender", "black", 260)]
    if model.cfc is not None:
        marks.append((model.cfc, "^", "CFC", "orange", 150))
    if model.lab is not None:
        marks.append((model.lab, "D", "testing lab", "magenta", 60))
    for agent, marker, label, colour, area in marks:
        built = not hasattr(agent, "is_open") or agent.is_open(model.steps)
        (mx, my), label = (
            agent.cell.coordinate,
            label if built else f"{label} (approved, being built)",
        )
        ax.scatter(
            [mx],
            [my],
            marker=marker,
            s=area,
            c=colour if built else "white",
            edgecolors=colour if not built else "white",
            linewidths=1.2 if built else 2.0,
            label=label,
            zorder=5,
        )
    ax.set_xlim(-1, model.width)
    ax.set_ylim(-1, model.width)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return firms


def cluster_map(model, path: Path) -> None:
    """cluster_map.png: firms coloured by productivity and sized by workers;
    facilities and lenders marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6.2))
    firms = draw_cluster_map(ax, model)
    fig.colorbar(firms, ax=ax, label="productivity (Rs lakh real VA per worker per year)")
    ax.set_title(f"{model.settings.title}: firms at step {model.steps}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
