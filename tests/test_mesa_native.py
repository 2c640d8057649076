"""ClusterModel as Mesa's tools build it: keyword scenario values, seeds, `running`, the
DataCollector, batch_run and SolaraViz's Reset; the Python API's overrides."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from clustersim import ClusterModel, ScenarioError, api
from clustersim.inputs.scenario import load_scenario, nest
from helpers import SCENARIOS, TINY

CFC = str(SCENARIOS / "cfc.toml")
BASELINE = str(SCENARIOS / "baseline.toml")
SMALL = {"cluster.n_firms": 60, "run.burn_in": 6, "run.horizon": 4}


def rows(model) -> np.ndarray:
    return np.array(model.series.rows)


def test_keywords_give_the_model_of_the_file_with_those_overrides():
    """Dotted keys, nested tables and a loaded scenario with the same values are the same model."""
    dotted = ClusterModel(scenario=CFC, rng=7, **SMALL, **{"interventions.cfc.capacity_hours": 8e4})
    nested = ClusterModel(
        CFC,
        rng=7,
        cluster={"n_firms": 60},
        run={"burn_in": 6, "horizon": 4},
        interventions={"cfc": {"capacity_hours": 8e4}},
    )
    loaded = load_scenario(CFC, nest(SMALL | {"interventions.cfc.capacity_hours": 8e4}))
    reference = ClusterModel(loaded, seed=7)
    for model in (dotted, nested, reference):
        model.run()
    assert dotted.p == reference.p and dotted.p.interventions.cfc.capacity_hours == 8e4
    np.testing.assert_array_equal(rows(dotted), rows(reference))
    np.testing.assert_array_equal(rows(nested), rows(reference))


def test_a_setting_of_an_intervention_the_scenario_leaves_off_keeps_it_off():
    model = ClusterModel(BASELINE, rng=1, **SMALL, **{"interventions.cfc.capacity_hours": 8e4})
    assert not model.p.interventions.cfc.enabled


@pytest.mark.parametrize(
    "keywords, fragments",
    [
        (
            {"interventions.cfc.capacity_hours": -5.0},
            ["argument overrides['interventions.cfc.capacity_hours']: ", "= -5.0: out of range"],
        ),
        (
            {"interventions": {"cfc": {"capcity_hours": 1.0}}},
            ["argument overrides['interventions']['cfc']['capcity_hours']", "'capacity_hours'"],
        ),
        ({"n_frims": 5}, ["argument overrides['n_frims'] = 5: not a scenario key", "'n_firms'"]),
        ({"interventions.cfx.enabled": True}, ["interventions.cfx", "did you mean 'cfc'"]),
        ({"cluster.n_firms": "many"}, ["argument overrides['cluster.n_firms']", "wrong type"]),
        ({"rng": -1}, ["argument rng = -1: out of range"]),
        ({"rng": 1, "seed": 2}, ["argument rng = 1: argument seed = 2 is given too"]),
        ({"n_firms": 0}, ["argument n_firms: cluster.n_firms = 0: out of range"]),
        (
            {"cluster": {"n_firms": 50}, "cluster.n_firms": 60},
            ["is also given as argument overrides['cluster']['n_firms']"],
        ),
        ({"scenario": 3}, ["argument scenario = 3: wrong type (int)"]),
        ({"scenario": str(SCENARIOS / "nowhere.toml")}, ["nowhere.toml: file not found"]),
    ],
)
def test_a_bad_argument_raises_one_line_naming_it(keywords, fragments):
    keywords = {"scenario": CFC} | keywords
    with pytest.raises(ScenarioError) as caught:
        ClusterModel(**keywords)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_overrides_need_a_scenario_file_not_a_loaded_scenario():
    with pytest.raises(ScenarioError, match="a loaded Scenario is already resolved"):
        ClusterModel(load_scenario(CFC), rng=1, **{"technology.cfc_lift": 0.2})


def test_without_a_seed_the_model_draws_fresh_entropy_and_records_the_seed_it_used():
    first, second = (ClusterModel(BASELINE, **SMALL) for _ in range(2))
    assert first.seed_used != second.seed_used
    for model in (first, second):
        model.run()
    assert not np.array_equal(rows(first), rows(second))
    again = ClusterModel(BASELINE, rng=first.seed_used, **SMALL)
    again.run()
    np.testing.assert_array_equal(rows(again), rows(first))


def test_rng_seed_and_a_run_seed_keyword_are_one_seed():
    by_rng, by_seed, by_key = (
        ClusterModel(BASELINE, **SMALL, **given)
        for given in ({"rng": 5}, {"seed": 5}, {"run.seed": 5})
    )
    assert by_rng.seed_used == by_seed.seed_used == by_key.seed_used == 5
    with pytest.raises(ScenarioError, match="argument rng = 5: argument overrides"):
        ClusterModel(BASELINE, rng=5, run={"seed": 6})


def test_running_turns_false_at_the_horizon():
    model = ClusterModel(CFC, rng=3, **SMALL)
    steps = 0
    while model.running:
        model.step()
        steps += 1
    assert steps == model.n_steps == 10 and model.quarter == 4


def test_the_datacollector_is_mesas_and_reads_the_recorded_rows():
    model = ClusterModel(CFC, rng=3, **SMALL)
    model.run()
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector) and collector is model.series
    frame = collector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(frame, api.timeseries(model))
    assert list(collector.model_vars["jobs"]) == model.series.column("jobs")
    assert collector.model_vars["jobs"][-1] == model.series.latest("jobs")
    assert collector._collection_steps == list(range(1, 11))  # batch_run's "Step"
    # each model reporter is a function of the model, as in Mesa: read now, it gives the last row
    assert collector.model_reporters["jobs"](model) == model.series.latest("jobs")


def test_batch_run_runs_each_scenario_and_seed_to_its_horizon():
    results = pd.DataFrame(
        mesa.batch_run(
            ClusterModel,
            parameters={"scenario": [BASELINE, CFC], **SMALL},
            rng=[1, 2],
            data_collection_period=1,
            display_progress=False,
        )
    )
    assert len(results) == 2 * 2 * 10
    assert results.groupby("RunId")["Step"].max().eq(10).all()  # stopped at the horizon
    assert {"productivity", "export_share", "jobs"} <= set(results.columns)
    run = results[(results["scenario"] == CFC) & (results["seed"] == 2)]
    direct = ClusterModel(CFC, rng=2, **SMALL)
    direct.run()
    np.testing.assert_array_equal(run["jobs"].to_numpy(), direct.series.column("jobs"))


def test_batch_run_iterations_draw_fresh_seeds():
    with pytest.warns(DeprecationWarning):
        results = mesa.batch_run(
            ClusterModel,
            parameters={"scenario": BASELINE, **SMALL},
            iterations=2,
            display_progress=False,
        )
    assert results[0]["jobs"] != results[1]["jobs"]


def test_solaraviz_reset_builds_the_model_again_from_its_keywords():
    viz = pytest.importorskip("mesa.visualization.solara_viz", reason="the viz extra")
    params = {"scenario": CFC, "rng": 4, **SMALL, "interventions.cfc.capacity_hours": 6e4}
    model = ClusterModel(**params)
    viz._check_model_params(model, params)
    kwargs = viz._build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    assert kwargs == params  # Reset passes them through: model.scenario is None
    again = type(model)(**kwargs)
    model.run()
    again.run()
    np.testing.assert_array_equal(rows(again), rows(model))


def test_run_scenario_repeats_with_the_files_seed_and_takes_overrides():
    small = {"cluster": {"n_firms": 60}, "run.burn_in": 6}
    first = api.run_scenario(CFC, horizon=4, overrides=small)
    second = api.run_scenario(CFC, horizon=4, overrides=small)
    assert first.seed_used == load_scenario(CFC).params.run.seed
    np.testing.assert_array_equal(rows(first), rows(second))
    bigger = api.run_scenario(
        CFC, seed=9, horizon=4, overrides=small | {"interventions.cfc.capacity_hours": 8e4}
    )
    assert bigger.seed_used == 9 and bigger.p.interventions.cfc.capacity_hours == 8e4
    assert bigger.p.run.horizon == 4 and bigger.n_initial == 60


@pytest.mark.parametrize(
    "call, fragment",
    [
        (
            lambda: api.run_scenario(CFC, overrides={"interventions.cfc.capacity_hours": "big"}),
            "argument overrides['interventions.cfc.capacity_hours']: ",
        ),
        (
            lambda: api.run_scenario(CFC, horizon=4, overrides={"run.horizon": 5}),
            "argument horizon = 4: run.horizon is also given as argument overrides['run.horizon']",
        ),
        (lambda: api.run_scenario(CFC, seed=-2), "argument seed: run.seed = -2: out of range"),
    ],
)
def test_run_scenario_errors_name_the_argument(call, fragment):
    with pytest.raises(ScenarioError) as caught:
        call()
    assert fragment in str(caught.value), str(caught.value)


def test_sweep_overrides_apply_to_every_package(write_toml, tmp_path):
    from clustersim.experiments.experiment_file import load_experiment

    experiment = write_toml(TINY, "tiny.toml")
    design = load_experiment(experiment)
    changed = design.with_overrides({"market": {"foreign_demand_ratio": 1.0}})
    assert all(run.overrides["market"] == {"foreign_demand_ratio": 1.0} for run in changed.runs())
    assert changed.fingerprint() != design.fingerprint()  # --resume cannot mix the two
    for out, overrides in (("plain", None), ("more_demand", {"market.foreign_demand_ratio": 1.0})):
        manifest = api.sweep(experiment, tmp_path / out, workers=1, overrides=overrides)
        assert (manifest["status"] == "ok").all() and len(manifest) == 9
    plain, more = (
        api.results(tmp_path / out).groupby("package")["export_share"].mean()
        for out in ("plain", "more_demand")
    )
    assert (more > plain).all()  # every package, the baseline too, saw the larger export market
    with pytest.raises(ScenarioError, match=r"argument overrides\['technology.cfc_lfit'\]"):
        api.sweep(experiment, tmp_path / "bad", overrides={"technology.cfc_lfit": 0.2})
