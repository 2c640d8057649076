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


#: Quarters of the burn-in shown beside the policy period in outcomes.png (the rest is drawn
#: compressed in a narrow panel of its own).
CONTEXT_QUARTERS = 12
FACILITY_NAMES = {"cfc": "CFC", "testing_lab": "testing lab"}


def describe_shock(shock) -> str:
    """A shock in words: ``tariff 25 %``, ``exchange rate x1.25`` and the like, joined."""
    words = {
        "tariff": lambda v: f"tariff {100 * v:g} %",
        "exchange_rate": lambda v: f"exchange rate x{v:g}",
        "import_price": lambda v: f"import price x{v:g}",
        "foreign_demand_ratio": lambda v: f"foreign demand ratio {v:g}",
    }
    changes = [
        words.get(name, lambda v, n=name: f"{n.replace('_', ' ')} {v:g}")(value)
        for name, value in vars(shock).items()
        if name != "quarter" and value != -1.0
    ]
    return ", ".join(changes) or "no change"


def policy_marks(model) -> list[tuple[int, str, str]]:
    """(policy quarter, label, kind) of what happens in the policy period: each export-market
    shock ("shock"), each scheme's start and each facility's opening ("scheme"), in order."""
    marks = [(s.quarter, f"shock: {describe_shock(s)}", "shock") for s in model.p.shocks]
    starts: dict[int, list[str]] = {}
    horizon = model.p.run.horizon
    for name in model.p.interventions.switched_on():
        quarter = getattr(getattr(model.p.interventions, name), "start_quarter", 0)
        starts.setdefault(int(quarter), []).append(name.replace("_", " "))
        facility = {"cfc": model.cfc, "testing_lab": model.lab}.get(name)
        if facility is not None:
            opens = int(facility.opens_step - model.burn_in)
            if opens <= horizon and opens != quarter:
                marks.append((opens, f"{FACILITY_NAMES[name]} opens", "scheme"))
            elif opens > horizon:
                marks.append((horizon, f"{FACILITY_NAMES[name]}: not open by the horizon", "note"))
    for quarter, names in starts.items():
        listed = ", ".join(names) if len(names) <= 3 else f"{len(names)} schemes"
        marks.append((quarter, f"{listed} start{'s' if len(names) == 1 else ''}", "scheme"))
    return sorted(marks)


def _mark(axes, marks) -> None:
    """Vertical lines at each shock and scheme opening on every axis, labelled above the first;
    a note (a facility that never opened) becomes a line of the last axis's legend."""
    colours = {"shock": "#c0392b", "scheme": "#2e7d32"}
    low, high = axes[0].get_xlim()
    events = [m for m in marks if m[2] != "note"]
    for k, (quarter, label, kind) in enumerate(events):
        for ax in axes:
            ax.axvline(quarter, color=colours[kind], lw=1.0, ls=":" if kind == "scheme" else "-")
        right = quarter > low + 0.75 * (high - low)
        axes[0].annotate(
            label,
            xy=(quarter, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-2 if right else 2, 2 + 9 * (k % 2)),
            textcoords="offset points",
            ha="right" if right else "left",
            va="bottom",
            fontsize=7,
            color=colours[kind],
        )
    for _, label, kind in marks:
        if kind == "note":
            axes[-1].plot([], [], " ", label=label)


def draw_outcomes(
    axes,
    model,
    since: int | None = None,
    reference=None,
    reference_label: str = "",
    marks: bool = True,
    label: str = "with the interventions",
) -> None:
    """Productivity, export share and jobs against the policy quarter on three axes, burn-in shaded.

    ``since`` (a policy quarter) drops the quarters before it, so that a short
    policy period is not squeezed against a long burn-in.  ``reference``, a
    second model, is drawn dashed beside it (the same-seed run without the package or the
    shock).  ``marks``: the shocks, the schemes' starts and the facilities' openings as
    vertical lines (:func:`policy_marks`).
    """

    def series(of):
        data = np.array(of.series.rows, dtype=float).reshape(-1, len(COLUMN_NAMES))
        return data if since is None else data[data[:, COLUMN["quarter"]] >= since]

    data = series(model)
    quarter = data[:, COLUMN["quarter"]]
    for ax, (name, axis_label) in zip(axes, OUTCOME_PANELS, strict=True):
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
            label=label if reference else None,
        )
        if len(quarter) and quarter.min() < 0:
            ax.axvspan(quarter.min(), 0, color="0.9", label="burn-in")
        ax.set_ylabel(axis_label)
        ax.grid(alpha=0.3)
        if name == "jobs":
            ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    shown = [m for m in policy_marks(model) if m[0] <= model.quarter] if marks else []
    _mark(axes, shown)
    if reference is not None or (len(quarter) and quarter.min() < 0) or shown:
        axes[-1].legend(loc="best", frameon=False, fontsize=8)
    axes[-1].set_xlabel("policy quarter (0 = end of burn-in)")


def outcomes(model, path: Path, reference=None, reference_label: str = "") -> None:
    """outcomes.png: the three headline outcomes, the policy period in focus (with the last
    :data:`CONTEXT_QUARTERS` of the burn-in) and the whole burn-in compressed in a narrow panel at
    its left; shocks and scheme openings marked; ``reference`` (the same seed without the
    package, or without the shock) dashed."""
    plt = _pyplot()
    fig, grid = plt.subplots(
        3, 2, figsize=(9, 8.4), sharey="row", gridspec_kw={"width_ratios": [1, 5], "wspace": 0.04}
    )
    whole = np.array(model.series.rows, dtype=float).reshape(-1, len(COLUMN_NAMES))
    burn = whole[whole[:, COLUMN["quarter"]] <= -CONTEXT_QUARTERS]
    for ax, (name, _) in zip(grid[:, 0], OUTCOME_PANELS, strict=True):
        ax.plot(burn[:, COLUMN["quarter"]], burn[:, COLUMN[name]], color="0.35", lw=0.8)
        if name == "jobs":
            ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
        ax.set_facecolor("0.95")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    if len(burn):
        grid[0, 0].set_title(
            f"burn-in\n(q {int(burn[0, COLUMN['quarter']])} to {-CONTEXT_QUARTERS})", fontsize=8
        )
        grid[-1, 0].set_xlabel("compressed", fontsize=8)
    else:
        for ax in grid[:, 0]:
            ax.set_visible(False)
    lacking = reference_label.rpartition("without the ")[2]
    draw_outcomes(
        grid[:, 1],
        model,
        since=-CONTEXT_QUARTERS,
        reference=reference,
        reference_label=reference_label,
        label=f"this run, with the {lacking}" if lacking else "this run",
    )
    for ax, (_, label) in zip(grid[:, 1], OUTCOME_PANELS, strict=True):
        ax.set_ylabel("")
        grid[list(grid[:, 1]).index(ax), 0].set_ylabel(label)
        ax.tick_params(labelleft=False)
    for ax in grid[:-1, 1]:
        ax.tick_params(labelbottom=False)
    fig.suptitle(model.settings.title)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.07, hspace=0.12)
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
