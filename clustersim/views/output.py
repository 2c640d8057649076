"""Writing a run's results: tidy CSVs with a fixed float format, the resolved
scenario, and a few plain-language lines.

Same scenario and seed in the same environment give byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import __version__
from ..economy.accounts import SECTORS, Ledger
from ..economy.agents.msme import MSME, SIZE_CLASS_NAMES
from ..economy.reporters import COLUMN, COLUMN_NAMES, ECONOMY_COLUMNS, SERIES

FLOAT_FORMAT = "{:.10g}"

#: (column, unit, meaning) of timeseries.csv, in order (declared with their reporters in
#: clustersim.economy.reporters).  One row per quarter.
TIMESERIES_COLUMNS = tuple((s.name, s.unit, s.meaning) for s in SERIES)
_INTEGER = {s.name for s in SERIES if s.whole}


def _fmt(name: str, value) -> str:
    return str(int(value)) if name in _INTEGER else FLOAT_FORMAT.format(float(value))


def timeseries_array(model) -> np.ndarray:
    return np.array(model.series.rows, dtype=float)


def write_csv(path: Path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            fh.write(",".join(row) + "\n")


def write_timeseries(model, path: Path) -> None:
    write_csv(
        path,
        COLUMN_NAMES,
        ([_fmt(n, v) for n, v in zip(COLUMN_NAMES, row, strict=True)] for row in model.series.rows),
    )


FIRM_COLUMNS = (
    "firm_id",
    "x",
    "y",
    "size_class",
    "workers",
    "capital_lakh",
    "sales_lakh",
    "output",
    "export_sales_lakh",
    "real_value_added_lakh",
    "tfp",
    "tech_level",
    "skill",
    "exporter",
    "certified",
    "women_owned",
    "cash_lakh",
    "formal_debt_lakh",
    "informal_debt_lakh",
    "guaranteed",
    "cfc_user",
    "distance_to_cfc",
    "age_quarters",
    "entered_step",
)


def write_firms(model, path: Path) -> None:
    f, live = model.firms, model.firms.live()
    size = MSME.size_class_index(f.capital[live], 4.0 * f.sales[live])
    tfp = f.tfp(live)
    bank_debt = f.bank_debt(live)  # term loans and cash credit
    dist = f.distance_to(live, model.cfc) if model.cfc is not None else np.full(len(live), np.nan)
    rows = []
    for k, row in enumerate(live):
        values = (
            str(row),
            str(f.x[row]),
            str(f.y[row]),
            SIZE_CLASS_NAMES[size[k]],
            *(
                FLOAT_FORMAT.format(v)
                for v in (
                    f.workers[row],
                    f.capital[row],
                    f.sales[row],
                    f.output[row],
                    f.export_sales[row],
                    f.real_value_added[row],
                    tfp[k],
                )
            ),
            str(int(f.tech_level[row])),
            FLOAT_FORMAT.format(f.skill[row]),
            str(int(f.exporter[row])),
            str(int(f.certified_until[row] >= model.steps)),
            str(int(f.women_owned[row])),
            *(FLOAT_FORMAT.format(v) for v in (f.cash[row], bank_debt[k], f.informal_debt[row])),
            str(int(f.guarantee_cover[row] > 0 and bank_debt[k] > 0)),
            str(int(f.cfc_user[row])),
            FLOAT_FORMAT.format(dist[k]) if np.isfinite(dist[k]) else "",
            str(model.steps - int(f.entry_step[row])),
            str(int(f.entry_step[row])),
        )
        rows.append(values)
    write_csv(path, FIRM_COLUMNS, rows)


PANEL_COLUMNS = (
    "step",
    "firm_id",
    "workers",
    "sales",
    "export_sales",
    "value_added",
    "real_value_added",
    "tfp",
    "exporter",
    "age",
    "capital",
    "profit",
)


def write_panel(model, path: Path) -> None:
    """One row per firm per quarter (Rs lakh a quarter; age in quarters)."""
    integer = {"step", "firm_id", "exporter", "age"}
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(PANEL_COLUMNS) + "\n")
        for block in model.panel:
            columns = [
                block[c].astype(np.int64).astype(str)
                if c in integer
                else np.char.mod("%.10g", block[c])
                for c in PANEL_COLUMNS
            ]
            fh.writelines(",".join(row) + "\n" for row in zip(*columns, strict=True))


def write_flows(model, path: Path) -> None:
    """The transaction-flow matrix of every quarter, long format (step, row, sector, Rs lakh)."""
    names = Ledger.row_names()
    rows = []
    for step, matrix in enumerate(model.flow_matrices, start=1):
        for i, name in enumerate(names):
            for j, sector in enumerate(SECTORS):
                if matrix[i, j] != 0.0:
                    rows.append((str(step), name, sector, FLOAT_FORMAT.format(matrix[i, j])))
    write_csv(path, ("step", "flow", "sector", "amount_lakh"), rows)


def write_scenario_json(model, path: Path, command: list[str] | None = None) -> None:
    resolved = model.settings.resolved()
    resolved["run"]["seed"] = model.seed_used
    resolved["cluster"]["n_firms"] = model.n_initial
    info = {
        "clustersim_version": __version__,
        "scenario_file": str(model.settings.path),
        "seed": model.seed_used,
        "steps": model.steps,
        "command": command or [],
        "scenario": resolved,
    }
    path.write_text(json.dumps(info, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def policy_start_and_now(model) -> tuple[dict[str, float], dict[str, float]]:
    """The recorded row at the end of the burn-in (policy quarter 0; the first row when there was no
    burn-in) and the latest row, each as {column: value}."""
    data = timeseries_array(model)
    start_rows = data[data[:, COLUMN["quarter"]] <= 0]
    start = start_rows[-1] if len(start_rows) else data[0]
    return dict(zip(COLUMN_NAMES, start.tolist(), strict=True)), dict(
        zip(COLUMN_NAMES, data[-1].tolist(), strict=True)
    )


def what_is_compared(params) -> str:
    """What a single run's effects are of: "package" when interventions are switched on (the run
    is compared with the same scenario and seed without them, shocks kept), "shock" when there
    is none but the export market is shocked (compared with the same run without the shocks), ""
    for a plain baseline (nothing to compare with)."""
    if params.interventions.switched_on():
        return "package"
    return "shock" if params.shocks else ""


#: Outcomes counted in workers: printed whole.
WHOLE = {"jobs", "jobs_net", "outside_jobs"}


def summary_lines(model, without=None) -> list[str]:
    """A few plain-language lines: where the cluster ended against where the policy period began,
    and, given ``without`` (the same scenario and seed with every intervention off, or with no
    package without the export shocks, run to the same horizon), the paired effects of the
    package or the shock, or a plain warning when it changed nothing.  With nothing to compare
    with, it says that the changes are not an effect."""
    from .plots import describe_shock

    start, end = policy_start_and_now(model)

    def change(name, pct=True):
        a, b = start[name], end[name]
        digits = 0 if name in WHOLE else 2
        levels = f"{a:,.{digits}f} -> {b:,.{digits}f}"
        if pct:
            return f"{levels} ({(b / a - 1) * 100:+.1f}%)" if a else levels
        return f"{a:.1%} -> {b:.1%} ({(b - a) * 100:+.1f} points)"

    horizon = int(end["quarter"])
    lacking = what_is_compared(model.p)
    package = ", ".join(model.p.interventions.switched_on()) or "none (baseline)"
    shocks = "; ".join(f"{describe_shock(s)} from quarter {s.quarter}" for s in model.p.shocks)
    lines = [
        f"{model.settings.title}: {int(end['firms'])} firms, "
        f"seed {model.seed_used}, package: {package}" + (f"; shock: {shocks}" if shocks else ""),
        f"Changes over the {horizon} policy quarters (end of burn-in -> horizon) in this run "
        "alone, not effects"
        + (f" (the {lacking}'s effect follows):" if without is not None else " (see below):"),
        f"  productivity (Rs lakh real value added per worker per year): {change('productivity')}",
        f"  export share of sales: {change('export_share', pct=False)}",
        f"  jobs (workers): {change('jobs')}; firms {int(start['firms'])} -> {int(end['firms'])}",
        f"  jobs net of the full-time work the cluster's workers would have had elsewhere: "
        f"{change('jobs_net')}",
        f"  jobs of the outside producers the cluster competes with at home: "
        f"{change('outside_jobs')}",
        f"  wage (Rs lakh per worker per year): {change('wage')}; exporters "
        f"{int(start['exporters'])} -> {int(end['exporters'])}",
        f"  public cost so far: Rs {end['public_cost_cr']:,.2f} crore",
    ]
    if without is None:
        return lines + [
            "These changes are not the effect of anything: the baseline itself drifts over the "
            "policy period (outside producers' productivity grows). An effect is a paired "
            "difference from a run with the same seed: run a package or a shock scenario, whose "
            "summary compares it with the same seed without it, or `clustersim compare` a sweep "
            "for intervals."
        ]
    return lines + paired_lines(model, without, end["public_cost_cr"], lacking or "package")


def changes_nothing(model, without) -> bool:
    """Every series of the economy (all but the scheme's own cost and take-up) equals, quarter by
    quarter, that of the run without the package."""
    columns = [COLUMN[c] for c in ECONOMY_COLUMNS]
    mine, theirs = timeseries_array(model), timeseries_array(without)
    return mine.shape == theirs.shape and np.array_equal(
        mine[:, columns], theirs[:, columns], equal_nan=True
    )


def paired_lines(model, without, cost_cr: float, what: str = "package") -> list[str]:
    """The package (or the shock: ``what``) against the same cluster and seed without it: effects
    at the horizon and over the policy period, or a warning that it changed nothing."""
    if changes_nothing(model, without):
        return [
            f"WARNING: this {what} changes nothing: every series of the economy (jobs, output, "
            "prices, firms, credit...) equals, quarter by quarter, that of the same cluster and "
            "seed without it"
            + (f"; it still costs Rs {cost_cr:,.2f} crore" if cost_cr else "")
            + (
                ". Check that its schemes can reach firms (eligibility, awareness, start quarter)."
                if what == "package"
                else "."
            )
        ]
    mine, theirs = timeseries_array(model), timeseries_array(without)
    policy = mine[:, COLUMN["quarter"]] >= 1

    def effect(name):
        return mine[-1, COLUMN[name]] - theirs[-1, COLUMN[name]]

    def over_period(name):
        return float((mine[policy, COLUMN[name]] - theirs[policy, COLUMN[name]]).sum())

    base_productivity = theirs[-1, COLUMN["productivity"]]
    productivity = (
        f"{100 * effect('productivity') / base_productivity:+.1f}%"
        if base_productivity
        else f"{effect('productivity'):+.2f}"
    )
    return [
        f"Effect of the {what}: against the same cluster and seed without it (paired; one seed "
        "is an illustration, `clustersim compare` gives intervals):",
        f"  at the horizon: productivity {productivity}, export share "
        f"{100 * effect('export_share'):+.1f} points, jobs {effect('jobs'):+,.0f} "
        f"({effect('jobs_net'):+,.0f} net)",
        f"  over the policy period: {over_period('jobs') / 4:+,.0f} job-years, value added "
        f"Rs {over_period('value_added'):+,.1f} crore, export sales "
        f"Rs {over_period('export_sales'):+,.1f} crore",
    ]


def trial_lines(model) -> list[str]:
    """The in-silico trial of the run (one trial in one cluster), when it has one: its headline
    estimates (ANCOVA, 95 % interval from the heteroskedasticity-robust standard error) and the
    minimum detectable effect of this one trial."""
    from ..experiments.trials import describe, headline, pooled, records_frame

    records = records_frame(model)
    if records.empty:
        return []
    table = pooled(records.assign(replicate=0))
    if table.empty or not (table["outcome"] != "survival").any():
        return [f"In-silico trial ({model.p.trial.treatment}): too few firms in an arm to estimate"]
    return [
        f"In-silico trial ({model.p.trial.treatment}; one trial: `clustersim sweep` with a "
        "[trial] pools replicates):"
    ] + [f"  {describe(row)}" for _, row in headline(table).iterrows()]
