"""The dashboard's model and controls, without a browser (tests/test_browser.py drives the page)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("solara", reason="the dashboard needs the viz extra")

from clustersim.economy.model import ClusterModel  # noqa: E402
from clustersim.inputs.params import INTERVENTIONS, PARAMETERS  # noqa: E402
from clustersim.inputs.scenario import load_scenario, nest  # noqa: E402
from clustersim.views import dashboard  # noqa: E402
from clustersim.views.output import COLUMN_NAMES, policy_start_and_now  # noqa: E402
from helpers import SCENARIOS  # noqa: E402

SMALL = {"run.burn_in": 6, "run.horizon": 3, "cluster.n_firms": 40}


def test_every_control_comes_from_a_declaration_and_starts_at_the_scenarios_value():
    params = dashboard.model_params(SCENARIOS / "holistic_spv.toml")
    scenario = load_scenario(SCENARIOS / "holistic_spv.toml").params
    assert params["scenario_file"].endswith("holistic_spv.toml")
    for name in INTERVENTIONS:  # one switch per intervention, on where the file switches it on
        assert (
            params[f"interventions.{name}.enabled"]["value"]
            is getattr(scenario.interventions, name).enabled
        )
    for key in dashboard.CONTROLS:
        param, control = PARAMETERS[key], params[key]
        if control["type"].startswith("Slider"):
            assert (
                param.low <= control["min"] <= control["value"] <= control["max"] <= param.high
            ), key
            assert control["max"] <= max(dashboard.SLIDER_SPAN * param.default, control["value"]), (
                key
            )
        elif control["type"] == "Select":
            assert control["values"] == list(param.choices)
            assert control["value"] in control["values"]
    assert (
        params["interventions.cfc.capacity_hours"]["value"]
        == scenario.interventions.cfc.capacity_hours
    )
    # an intervention the file leaves off starts at its declared default
    assert (
        params["interventions.consulting.share_of_firms"]["value"]
        == PARAMETERS["interventions.consulting.share_of_firms"].default
    )


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_starting_value_lies_on_its_sliders_steps(path):
    """A slider snaps its value to a step;
    a value off the steps would change the scenario at the first Reset."""
    for key, spec in dashboard.model_params(path).items():
        if isinstance(spec, dict) and spec["type"].startswith("Slider"):
            positions = (spec["value"] - spec["min"]) / spec["step"]
            assert positions == pytest.approx(round(positions), abs=1e-6), (key, spec)
            assert spec["max"] - spec["min"] <= 10_000 * spec["step"], (
                key
            )  # and the steps are not absurdly fine


def test_the_first_cluster_is_the_one_an_untouched_reset_builds():
    """Page builds its first model from the controls' starting values:
    the file's own settings, unchanged."""
    from_controls = dashboard.DashboardModel(
        **dashboard.starting_values(dashboard.model_params(SCENARIOS / "cfc.toml"))
    )
    scenario = load_scenario(SCENARIOS / "cfc.toml")
    from_file = ClusterModel(scenario, seed=scenario.params.run.seed)
    from_file.run(from_file.burn_in)
    assert from_controls.notice == ""
    np.testing.assert_array_equal(
        np.array(from_controls.series.rows), np.array(from_file.series.rows)
    )


def test_the_dashboard_model_is_the_scenarios_model_after_its_burn_in():
    """Same file, same seed: the dashboard shows exactly the run `clustersim run` would make."""
    shown = dashboard.DashboardModel(SCENARIOS / "cfc.toml", **SMALL)
    assert shown.steps == 6 and policy_start_and_now(shown)[1]["quarter"] == 0
    shown.step()
    scenario = load_scenario(SCENARIOS / "cfc.toml", nest(SMALL))
    reference = ClusterModel(scenario, seed=scenario.params.run.seed)
    reference.run(7)
    np.testing.assert_array_equal(np.array(shown.series.rows), np.array(reference.series.rows))


def test_controls_switch_interventions_off_and_on_and_stop_at_the_horizon():
    off = dashboard.DashboardModel(
        SCENARIOS / "holistic_spv.toml", **SMALL, **{"interventions.cfc.enabled": False}
    )
    assert not off.p.interventions.cfc.enabled and off.p.interventions.testing_lab.enabled
    on = dashboard.DashboardModel(
        SCENARIOS / "baseline.toml",
        **SMALL,
        **{
            "interventions.consulting.enabled": True,
            "interventions.consulting.share_of_firms": 0.9,
        },
    )
    assert on.p.interventions.consulting.share_of_firms == 0.9
    assert on.running
    for _ in range(3):
        on.step()
    assert not on.running  # Mesa's play loop stops here


def test_a_seed_that_is_not_a_number_is_explained_and_the_files_seed_is_used():
    model = dashboard.DashboardModel(SCENARIOS / "baseline.toml", **SMALL, **{"run.seed": "twelve"})
    assert "run.seed = 'twelve' is not a whole number" in model.notice
    assert model.p.run.seed == load_scenario(SCENARIOS / "baseline.toml").params.run.seed
    assert len(model.series.rows[-1]) == len(COLUMN_NAMES)


def test_a_refused_value_is_dropped_alone_and_explained():
    """A subvention at or above the bank's rate is refused; the other controls still apply."""
    controls = {
        "interventions.interest_subvention.enabled": True,
        "interventions.interest_subvention.rate_points": 0.19,
        "interventions.consulting.enabled": True,
        "run.seed": "7",
    }
    model = dashboard.DashboardModel(SCENARIOS / "baseline.toml", **SMALL, **controls)
    assert "must be below finance.formal_rate" in model.notice and model.notice.startswith(
        "dashboard:"
    )
    default = PARAMETERS["interventions.interest_subvention.rate_points"].default
    assert (
        model.p.interventions.interest_subvention.rate_points == default
    )  # the file's (declared) value
    assert model.p.interventions.consulting.enabled and model.p.run.seed == 7


def test_mesas_reset_arguments_are_accepted():
    """SolaraViz's Reset passes the fixed and user parameters plus a `scenario` of its own."""
    from mesa.experimental.scenarios import Scenario

    params = dashboard.model_params(SCENARIOS / "baseline.toml")
    kwargs = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()} | SMALL
    model = dashboard.DashboardModel(**kwargs, scenario=Scenario(rng=None))
    assert model.notice == "" and model.steps == 6


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["viz", str(SCENARIOS / "nowhere.toml")], "nowhere.toml"),
        (["viz", str(SCENARIOS / "baseline.toml"), "--port", "70000"], "not a port"),
        (
            ["viz", str(SCENARIOS / "baseline.toml"), "--host", "192.0.2.1"],
            "cannot listen there",
        ),  # not this machine's
    ],
)
def test_viz_refuses_bad_input_in_one_line(args, fragment):
    """Before any server starts: a bad file, port or address is one line and status 2."""
    result = subprocess.run(
        [sys.executable, "-m", "clustersim", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and fragment in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_same_seed_run_without_interventions_is_the_baseline_and_shares_the_burn_in():
    """The dashboard's comparison run is the file's cluster with every intervention off, on the same
    seed: identical to the baseline before quarter 0 (interventions start at quarter 0) and the
    baseline's run after."""
    shown = dashboard.DashboardModel(SCENARIOS / "cfc.toml", **SMALL)
    for _ in range(3):
        shown.step()
    scenario = load_scenario(SCENARIOS / "baseline.toml", nest(SMALL))
    baseline = ClusterModel(scenario, seed=scenario.params.run.seed)
    baseline.run(shown.steps)
    np.testing.assert_array_equal(
        np.array(shown.no_interventions.series.rows), np.array(baseline.series.rows)
    )
    burn_in = shown.burn_in
    np.testing.assert_array_equal(
        np.array(shown.series.rows[:burn_in]), np.array(baseline.series.rows[:burn_in])
    )
    assert (
        shown.series.rows[-1] != baseline.series.rows[-1]
    )  # after quarter 0 the CFC makes a difference
    assert dashboard.DashboardModel(SCENARIOS / "baseline.toml", **SMALL).no_interventions is None


@given(low=st.floats(0, 10), span=st.floats(1e-3, 1e6), where=st.floats(0, 1))
def test_a_float_sliders_positions_include_the_starting_value(low, span, where):
    value = low + where * span
    start, step = dashboard._float_grid(low, low + span, value)
    assert (
        low <= start <= value and 0 < step and span / step <= 1e5
    )  # within the range, not absurdly fine
    positions = (value - start) / step
    assert positions == pytest.approx(round(positions), abs=1e-6)


def test_controls_follow_the_scenarios_own_limits():
    with_list = dashboard.model_params(SCENARIOS / "from_firm_list.toml")
    assert "cluster.n_firms" not in with_list  # the firm list fixes the firms
    rate = load_scenario(SCENARIOS / "baseline.toml").params.finance.formal_rate
    assert (
        dashboard.model_params(SCENARIOS / "baseline.toml")[
            "interventions.interest_subvention.rate_points"
        ]["max"]
        < rate
    )


def test_settings_of_a_switched_off_intervention_are_said_to_wait():
    controls = {
        "interventions.consulting.enabled": False,
        "interventions.consulting.share_of_firms": 0.9,
    }  # as Mesa passes them
    model = dashboard.DashboardModel(SCENARIOS / "baseline.toml", **SMALL, **controls)
    assert not model.p.interventions.consulting.enabled
    assert (
        "Consulting is off: its changed share of firms take effect when it is switched on"
        in model.notice
    )
