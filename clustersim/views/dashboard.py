"""The browser dashboard: Mesa's SolaraViz on a cluster.

``clustersim viz SCENARIO`` serves this module with Solara.  The page shows the
cluster after its burn-in; each *Step* is one policy quarter.  Beside Mesa's
own controls (step, play/pause, reset, play and render intervals, threads) the sidebar holds an
on/off switch per intervention and one control per entry of :data:`CONTROLS`.
Every control -- its label, range and starting value -- is generated from the
parameter declarations in :mod:`clustersim.inputs.params` and the scenario file;
nothing here repeats a default.  Changed controls take effect at *Reset*, which
builds the cluster again from the scenario file with the controls applied as
overrides (the same path, and the same validation, as a scenario file's own
values).

Needs the ``viz`` extra (``pip install -e ".[viz]"`` in the repository).
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from ..cli import VIZ_SCENARIO_ENV
from ..economy.model import ClusterModel
from ..inputs.files import ScenarioError
from ..inputs.params import INTERVENTIONS, PARAMETERS, Param
from ..inputs.scenario import load_scenario, nest
from . import plots
from .output import policy_start_and_now

DEFAULT_SCENARIO = "scenarios/baseline.toml"
#: Policy quarters before quarter 0 that the outcome plots keep for context.
CONTEXT_QUARTERS = 8
#: Sliders span the declared range, but at most this many times the default
#: (a declared range such as 0-1e9 machine-hours is a validity bound, not a useful slider).
SLIDER_SPAN = 10.0
SLIDER_STEPS = 100  # about this many positions on a number slider
#: A cluster this small can empty at once; the firm-count slider starts here
#: (the model copes, the view says little).
MIN_FIRMS_SHOWN = 10

#: The parameters the sidebar offers, beside each intervention's on/off switch.
#: Keys only: meaning, unit, range and default come from clustersim.inputs.params.
CONTROLS = (
    "run.seed",
    "cluster.n_firms",
    "interventions.cfc.capacity_hours",
    "interventions.cfc.governance",
    "interventions.testing_lab.capacity_tests",
    "interventions.credit_guarantee.cover_share",
    "interventions.interest_subvention.rate_points",
    "interventions.growth_fund.n_firms",
    "interventions.tech_upgrade_subsidy.subsidy_share",
    "interventions.consulting.share_of_firms",
    "interventions.skills_training.trainee_share",
    "interventions.export_promotion.sunk_cost_cut",
    "interventions.facilitation_cell.outreach",
    "interventions.raw_material_bank.capacity_cr",
    "interventions.raw_material_bank.local_supply_share",
    "interventions.clean_production.subsidy_share",
    "interventions.logistics.freight_cut",
    # workforce housing and the single window (issue 17, items 1 and 3)
    "interventions.workforce_housing.beds",
    "interventions.single_window.compliance_cut",
    # issue 17: the design / R&D / IP centre and the digital market platform / GI tag
    "interventions.design_centre.quality_premium",
    "interventions.design_centre.innovation_rate",
    "interventions.digital_market.reach_gain",
    "interventions.digital_market.gi_price_premium",
)
ENABLED = "enabled"  # interventions.X.enabled switches X on or off, as in a scenario file

# Solara keeps a module-level reactive value per browser session:
# one tab's choice does not change another's.
colour_by = solara.reactive(plots.COLOUR_BY[0])


def default_scenario_file() -> str:
    """The scenario the dashboard opens: $CLUSTERSIM_VIZ_SCENARIO (set by ``clustersim viz``),
    else the baseline."""
    return os.environ.get(VIZ_SCENARIO_ENV, DEFAULT_SCENARIO)


class DashboardModel(ClusterModel):
    """A :class:`ClusterModel` built from keyword arguments, as Mesa's dashboard builds models.

    ``scenario_file`` names the scenario; every other keyword is a scenario key
    (``"interventions.cfc.capacity_hours"``, ``"interventions.cfc.enabled"``,
    ``"run.seed"``...) whose value overrides the file's.  The burn-in is run
    here, so that the first step shown is policy quarter 1.  A value the
    scenario rules refuse is not applied -- the file's value is used -- and
    :attr:`notice` says why; the other controls still apply.
    """

    def __init__(self, scenario_file: str | Path | None = None, **controls):
        controls.pop(
            "scenario", None
        )  # Mesa's Reset passes a Scenario object of its own; ours is the file
        path = Path(scenario_file or default_scenario_file())
        notices = []
        seed = controls.get("run.seed")
        if isinstance(seed, str):  # the seed box is free text
            try:
                controls["run.seed"] = int(seed.strip())
            except ValueError:
                notices.append(
                    f"run.seed = {seed!r} is not a whole number; the scenario's seed is used"
                )
                del controls["run.seed"]
        while True:
            try:
                scenario = load_scenario(path, nest(controls), overrides_from="dashboard")
                break
            except ScenarioError as exc:
                refused = [key for key in controls if key in str(exc)]
                if not refused:  # the file itself is at fault: nothing here can mend it
                    raise
                notices.append(
                    f"{exc}; the scenario file's value (or its declared default) is used"
                )
                for key in refused:
                    del controls[key]
        notices += _unused_settings(path, controls, scenario)
        self.notice = "\n".join(notices)
        super().__init__(scenario, seed=scenario.params.run.seed)
        #: The same cluster and seed with every intervention off, stepped alongside: the package's
        #: effect is the difference between the two (paired, as in `clustersim compare`).
        #: None without a package.
        self.no_interventions: ClusterModel | None = None
        self.run(self.burn_in)
        if scenario.params.interventions.switched_on():
            # Interventions start after the burn-in, so both share it: simulated once, copied.
            off = {f"interventions.{name}.{ENABLED}": False for name in INTERVENTIONS}
            twin = ClusterModel.restore(self.snapshot())
            twin.continue_as(load_scenario(path, nest(controls | off), overrides_from="dashboard"))
            self.no_interventions = twin  # step() moves both

    def step(self) -> None:
        super().step()
        if self.no_interventions is not None:
            self.no_interventions.step()


def _unused_settings(path: Path, controls: dict[str, Any], scenario) -> list[str]:
    """Say so when a switched-off intervention's settings were changed:
    they wait until it is switched on."""
    on_file = load_scenario(path)
    changed: dict[str, list[str]] = {}
    for key, value in controls.items():
        param = PARAMETERS.get(key)
        if param is None or not param.section.startswith("interventions."):
            continue
        name = param.section.removeprefix("interventions.")
        on_file_value = scenario_value(on_file, param)
        same = math.isclose(value, on_file_value) if param.kind is float else value == on_file_value
        if not getattr(scenario.params.interventions, name).enabled and not same:
            changed.setdefault(_title(name), []).append(param.name.replace("_", " "))
    return [
        f"{name} is off: its changed {', '.join(names)} take effect when it is switched on"
        for name, names in changed.items()
    ]


# ------------------------------------------------------------------ controls


def _title(section: str) -> str:
    return {"cfc": "CFC", "run": "Run", "cluster": "Cluster"}.get(
        section, section.replace("_", " ").capitalize()
    )


def _label(param: Param) -> str:
    unit = "" if param.unit == "-" else f" ({param.unit})"
    return (
        f"{_title(param.section.removeprefix('interventions.'))}: "
        f"{param.name.replace('_', ' ')}{unit}"
    )


def _float_grid(low: float, high: float, value: float) -> tuple[float, float]:
    """(slider minimum, step) for a float slider whose positions include ``value`` (a slider snaps
    its value to a position, and would otherwise change the scenario unasked).  The step is a power
    of ten giving about SLIDER_STEPS positions, made up to 100 times finer until ``value`` lies on a
    position counted from ``low``; for a value no such power fits (1/3, say), the coarse step is
    kept and the minimum moves up by less than a step so that the positions pass through
    ``value``."""
    coarse = 10.0 ** math.floor(math.log10((high - low) / SLIDER_STEPS))
    for step in (coarse, coarse / 10, coarse / 100):  # at most 100 000 positions
        positions = (value - low) / step
        if abs(positions - round(positions)) < 1e-6:
            return low, step
    return value - math.floor((value - low) / coarse) * coarse, coarse


def control(param: Param, value: Any) -> dict[str, Any]:
    """Mesa's description of the input for one parameter, starting at ``value``."""
    label = _label(param)
    if param.kind is bool:
        return {"type": "Checkbox", "value": value, "label": label}
    if param.choices is not None and param.kind is str:
        return {"type": "Select", "value": value, "values": list(param.choices), "label": label}
    if param.key == "run.seed":  # any whole number: a text box, not a slider
        return {"type": "InputText", "value": str(value), "label": "Run: seed (whole number)"}
    if param.kind not in (int, float) or param.low is None:
        raise ValueError(f"{param.key}: no dashboard control for a {param.kind.__name__}")
    low = max(param.low, MIN_FIRMS_SHOWN) if param.key == "cluster.n_firms" else param.low
    high = param.high if param.default <= 0 else min(param.high, SLIDER_SPAN * param.default)
    low, high = (
        min(low, value),
        max(high, value),
    )  # a scenario may set a value beyond the slider's usual span
    if param.kind is int:  # whole-number steps: every starting value lies on one
        return {
            "type": "SliderInt",
            "value": int(value),
            "min": int(low),
            "max": int(high),
            "step": 1,
            "label": label,
        }
    low, step = _float_grid(low, high, value)
    return {
        "type": "SliderFloat",
        "value": float(value),
        "min": float(low),
        "max": float(high),
        "step": step,
        "label": label,
    }


def scenario_value(scenario, param: Param) -> Any:
    """The value a loaded scenario gives a parameter
    (the declared default for an intervention it leaves off)."""
    section = param.section.removeprefix("interventions.")
    settings = (
        getattr(scenario.params.interventions, section)
        if section != param.section
        else getattr(scenario.params, section)
    )
    return getattr(settings, param.name)


def model_params(path: str | Path) -> dict[str, Any]:
    """Mesa's ``model_params`` for the dashboard: the scenario file (fixed), one on/off
    switch per intervention and a control per :data:`CONTROLS` entry, starting at the
    scenario's values."""
    scenario = load_scenario(path)
    params: dict[str, Any] = {"scenario_file": str(path)}
    for name in INTERVENTIONS:
        params[f"interventions.{name}.{ENABLED}"] = {
            "type": "Checkbox",
            "value": getattr(scenario.params.interventions, name).enabled,
            "label": f"{_title(name)} on",
        }
    for key in CONTROLS:
        if key == "cluster.n_firms" and scenario.firm_table is not None:
            continue  # the firm list fixes the cluster's firms
        params[key] = control(PARAMETERS[key], scenario_value(scenario, PARAMETERS[key]))
    subvention = params["interventions.interest_subvention.rate_points"]
    # The scenario rules refuse a subvention at or above the bank's rate:
    # the slider stops a step below it.
    subvention["max"] = max(
        subvention["value"],
        min(subvention["max"], scenario.params.finance.formal_rate - subvention["step"]),
    )
    return params


def starting_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments Mesa's Reset passes before any control is touched."""
    return {key: spec["value"] if isinstance(spec, dict) else spec for key, spec in params.items()}


# ---------------------------------------------------------------- the views


def status_view(model):
    """Where the cluster stands: the policy quarter and the headline outcomes."""
    title = f"<h3>{html.escape(model.settings.title)}</h3>"
    if not model.series.rows:  # no burn-in and no step yet
        return solara.HTML(
            tag="div",
            unsafe_innerHTML=title + "<p>Press <b>Step</b> to simulate the first quarter.</p>",
        )
    start, now = policy_start_and_now(model)
    none = None  # the same-seed run without interventions, at the same quarter
    if model.no_interventions is not None and len(model.no_interventions.series) >= len(
        model.series
    ):
        none = dict(
            zip(now, model.no_interventions.series.rows[len(model.series) - 1], strict=True)
        )

    def pct(a, b):
        return f"{100 * (a / b - 1):+.1f} %" if b else "-"

    def pts(a, b):
        return f"{100 * (a - b):+.1f} pts"

    def diff(a, b):
        return f"{a - b:+,.0f}"

    rows = [  # (outcome, now, how a change is shown, column)
        ("productivity (Rs lakh/worker/yr)", f"{now['productivity']:.2f}", pct, "productivity"),
        ("export share of sales", f"{100 * now['export_share']:.1f} %", pts, "export_share"),
        ("jobs", f"{now['jobs']:,.0f}", diff, "jobs"),
        ("firms", f"{now['firms']:.0f}", diff, "firms"),
        ("exporters", f"{now['exporters']:.0f}", diff, "exporters"),
    ]
    table = (
        "<tr><th></th><th>now</th><th>since quarter 0</th>"
        + ("<th>effect *</th>" if none else "")
        + "</tr>"
    )
    for label, value, change, name in rows:
        numbers = [value, change(now[name], start[name])] + (
            [change(now[name], none[name])] if none else []
        )
        table += (
            f"<tr><td>{label}</td>"
            + "".join(f"<td align='right'>{n}</td>" for n in numbers)
            + "</tr>"
        )
    if model.cfc is None:
        cfc = "none"
    elif not model.cfc.is_open(model.steps):
        cfc = f"being built (opens in quarter {model.cfc.opens_step - model.burn_in})"
    else:
        cfc = f"{100 * now['cfc_utilisation']:.0f} % of its hours used"
    package = ", ".join(_title(n) for n in model.p.interventions.switched_on()) or "none"
    note = (
        "* effect: against the same cluster and seed with no interventions, stepped alongside "
        "(the change since quarter 0 mixes the cluster's own trend with the policy). "
        if none
        else ""
    )
    text = (
        f"{title}<p class='clustersim-quarter'><b>Policy quarter {int(now['quarter'])}</b> of "
        f"{model.n_steps - model.burn_in} (0 = end of the burn-in). Interventions on: "
        f"{html.escape(package)}</p>"
        "<div class='clustersim-status' style='font-size: 90%'>"
        f"<table style='border-spacing: 12px 1px'>{table}</table>"
        f"<p>Public cost so far: <b>Rs {now['public_cost_cr']:.2f} crore</b>. CFC: {cfc}.</p>"
        f"<p><small>{note}One run on one seed is an illustration: for effects with confidence "
        "intervals run an experiment (<code>clustersim sweep</code>, "
        "then <code>clustersim compare</code>).</small></p></div>"
    )
    with solara.Column() as view:
        solara.HTML(tag="div", unsafe_innerHTML=text)
        for line in model.notice.splitlines():
            solara.Warning(line)
    return view


def cluster_map_view(model):
    """The grid: firms sized by workers, coloured by productivity or export status."""
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    firms = plots.draw_cluster_map(ax, model, colour_by.value)
    if colour_by.value == "productivity":
        fig.colorbar(firms, ax=ax, label="Rs lakh real VA per worker per year")
    ax.set_title(f"Firms at policy quarter {model.quarter}")
    fig.tight_layout()
    with solara.Column() as view:
        solara.ToggleButtonsSingle(value=colour_by, values=list(plots.COLOUR_BY))
        solara.FigureMatplotlib(
            fig, format="png", dependencies=[id(model), model.steps, colour_by.value], dpi=90
        )
    return view


def outcomes_view(model):
    """Productivity, export share and jobs, quarter by quarter."""
    fig = Figure(figsize=(6.4, 6.4))
    axes = fig.subplots(3, 1, sharex=True)
    plots.draw_outcomes(
        axes,
        model,
        since=-CONTEXT_QUARTERS,
        reference=model.no_interventions,
        reference_label="no interventions (same seed)",
    )
    fig.tight_layout()
    return solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), model.steps], dpi=90)


@solara.component
def Page():
    """One cluster per browser session, so two tabs do not step the same model.  The first cluster
    is built from the controls' starting values, exactly as an untouched Reset builds it."""
    path = default_scenario_file()
    params = solara.use_memo(lambda: model_params(path), [])
    model = solara.use_memo(lambda: DashboardModel(**starting_values(params)), [])
    SolaraViz(
        model,
        components=[(status_view, 0), (cluster_map_view, 0), (outcomes_view, 0)],
        model_params=params,
        name=f"clustersim: {model.settings.title}",
        play_interval=300,
    )
