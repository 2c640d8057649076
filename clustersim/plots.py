"""PNG plots of a run.  matplotlib is imported here, lazily, so that a run
without plots (and the test suite) does not pay for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .output import COLUMN_NAMES


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def outcomes(model, path: Path) -> None:
    """Productivity, export share and jobs over time, burn-in shaded."""
    plt = _pyplot()
    data = np.array(model.rows, dtype=float)
    col = {n: i for i, n in enumerate(COLUMN_NAMES)}
    quarter = data[:, col["quarter"]]
    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    panels = (("productivity", "Productivity\n(Rs lakh real VA/worker/yr)"),
              ("export_share", "Export share of sales"), ("jobs", "Jobs (workers)"))
    for ax, (name, label) in zip(axes, panels, strict=True):
        ax.plot(quarter, data[:, col[name]], color="#1f4e79", lw=1.8)
        ax.axvspan(quarter.min(), 0, color="0.9", label="burn-in")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="best", frameon=False)
    axes[-1].set_xlabel("policy quarter (0 = end of burn-in)")
    fig.suptitle(model.settings.title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cluster_map(model, path: Path) -> None:
    """Firms on the grid coloured by productivity and sized by workers; facilities and lenders marked."""
    plt = _pyplot()
    f, live = model.firms, model.firms.live()
    fig, ax = plt.subplots(figsize=(7, 6.2))
    rng_jitter = np.linspace(-0.3, 0.3, 7)
    jitter_x = rng_jitter[live % 7]
    jitter_y = rng_jitter[(live // 7) % 7]
    va = np.divide(4 * f.real_value_added[live], f.workers[live], out=np.zeros(len(live)), where=f.workers[live] > 0)
    points = ax.scatter(f.x[live] + jitter_x, f.y[live] + jitter_y, c=va, s=4 + 3 * np.sqrt(f.workers[live]),
                        cmap="viridis", alpha=0.8, edgecolors=np.where(f.exporter[live], "red", "none"), linewidths=0.6)
    fig.colorbar(points, ax=ax, label="productivity (Rs lakh real VA per worker per year)")
    marks = [(model.bank.cell.coordinate, "s", "bank & moneylender", "black")]
    if model.cfc is not None:
        marks.append((model.cfc.cell.coordinate, "^", "CFC", "orange"))
    if model.lab is not None:
        marks.append((model.lab.cell.coordinate, "D", "testing lab", "magenta"))
    for (x, y), marker, label, colour in marks:
        ax.scatter([x], [y], marker=marker, s=160, c=colour, edgecolors="white", linewidths=1.2, label=label, zorder=5)
    ax.scatter([], [], s=20, facecolors="none", edgecolors="red", label="exporter (red ring)")
    ax.set_xlim(-1, model.width)
    ax.set_ylim(-1, model.width)
    ax.set_aspect("equal")
    ax.set_title(f"{model.settings.title}: firms at step {model.steps}")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
