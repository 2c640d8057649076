"""Shared histories: packages of a replicate continue from one simulated burn-in, and every
result is byte-identical to running the package from scratch."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
import types

import numpy as np
import pytest

from clustersim import api
from clustersim.economy.history import history_key, pre_policy_settings
from clustersim.economy.model import ClusterModel
from clustersim.experiments import histories
from clustersim.experiments.engines import FAULT_ENV
from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.histories import plan_histories
from clustersim.experiments.sweep import run_sweep
from clustersim.inputs.params import SETTINGS, Interventions, Params
from clustersim.inputs.scenario import Scenario, load_scenario
from helpers import SCENARIOS, TINY, small_overrides

SEED = 11
#: A trial (treated in policy quarter 2, followed up in quarter 5) that any package may carry.
TRIAL = {"treatment": "grant", "quarter": 1, "follow_up": 3}


def small(name: str, **sections) -> Scenario:
    return load_scenario(
        SCENARIOS / name, small_overrides(n_firms=80, burn_in=24, horizon=12, **sections)
    )


def sharing_the_baseline() -> list[str]:
    base = small("baseline.toml")
    return [
        path.name
        for path in sorted(SCENARIOS.glob("*.toml"))
        if history_key(small(path.name), SEED) == history_key(base, SEED)
    ]


def state_of(model: ClusterModel) -> dict:
    """Everything a run writes or could write: the series, the flows, the firm table, the
    trial's records, the government's and the markets' state."""
    firms = {k: v for k, v in vars(model.firms).items() if isinstance(v, np.ndarray)}
    return {
        "series": np.array(model.series.rows),
        "flows": np.array(model.flow_matrices),
        **{f"firms.{k}": v for k, v in firms.items()},
        **{f"trial.{k}": np.asarray(v) for k, v in model.field_trial.records.items()},
        "public_cost": np.array(model.government.public_cost_cr),
        "markets": np.array([model.markets.wage, model.markets.price_index]),
        "agents": np.array(sorted(a.unique_id for a in model.agents)),
    }


def assert_same_state(a: ClusterModel, b: ClusterModel) -> None:
    left, right = state_of(a), state_of(b)
    assert left.keys() == right.keys()
    for key in left:
        assert left[key].tobytes() == right[key].tobytes(), key


def continued(history: bytes, scenario: Scenario) -> ClusterModel:
    model = ClusterModel.restore(history)
    model.continue_as(scenario)
    model.run(model.n_steps - model.steps)
    return model


def from_scratch(scenario: Scenario) -> ClusterModel:
    model = ClusterModel(scenario, seed=SEED)
    model.run()
    return model


@pytest.fixture(scope="module")
def baseline_history() -> bytes:
    model = ClusterModel(small("baseline.toml"), seed=SEED)
    model.run(model.burn_in)
    return model.snapshot()


# ------------------------------------------------------------------ the model
def test_every_intervention_scenario_shares_the_baseline_history():
    shared = sharing_the_baseline()
    for name in ("cfc.toml", "holistic_full.toml", "export_shock_tariff.toml", "consulting.toml"):
        assert name in shared
    for name in ("knitwear.toml", "from_firm_list.toml"):  # another cluster: its own history
        assert name not in shared


@pytest.mark.parametrize("name", sharing_the_baseline())
def test_a_package_continued_from_the_baseline_history_is_byte_identical(baseline_history, name):
    package = small(name, trial=TRIAL)
    assert_same_state(continued(baseline_history, package), from_scratch(package))


def test_the_baseline_continued_from_a_package_history_is_byte_identical():
    """The other way round: a history simulated with a package's settings (interventions, a trial,
    a shock, a longer horizon) serves the baseline."""
    package = small("holistic_full.toml", trial=TRIAL, run={"horizon": 30})
    history = ClusterModel(package, seed=SEED)
    history.run(history.burn_in)
    baseline = small("baseline.toml")
    assert_same_state(continued(history.snapshot(), baseline), from_scratch(baseline))


def settings_reachable_from(root) -> list:
    """Every parameter object (scenario, parameters, settings of a section) the model reaches."""
    kinds = (*SETTINGS.values(), Params, Interventions, Scenario)
    opaque = (type, types.ModuleType, types.FunctionType, types.CodeType, np.ndarray, str, bytes)
    found, seen, stack = [], set(), [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, kinds):
            found.append(obj)
        elif not isinstance(obj, opaque):
            stack.extend(gc.get_referents(obj))
    return found


def test_a_continued_history_reads_only_the_package_parameters(baseline_history):
    """Every actor holding parameters (the government's schemes, the lenders' and households'
    terms, the trial's design, the model's own) is given the package's: none of the history's
    remain anywhere in the model."""
    package = small("holistic_full.toml", trial=TRIAL)
    model = ClusterModel.restore(baseline_history)
    model.continue_as(package)
    p = package.params
    allowed = {id(package), id(p), id(p.interventions), *map(id, p.shocks)}
    allowed |= {id(getattr(p, name)) for name in vars(p)}
    allowed |= {id(getattr(p.interventions, name)) for name in vars(p.interventions)}
    stale = [obj for obj in settings_reachable_from(model) if id(obj) not in allowed]
    assert not stale, [type(obj).__name__ for obj in stale]
    assert model.government.schemes is p.interventions and model.field_trial.design is p.trial


def test_a_history_is_continued_only_by_a_package_that_shares_it(baseline_history):
    model = ClusterModel.restore(baseline_history)
    with pytest.raises(ValueError, match="does not share this history"):
        model.continue_as(small("knitwear.toml"))
    with pytest.raises(ValueError, match="does not share this history"):
        model.continue_as(small("cfc.toml", technology={"cfc_lift": 0.2}))
    model.run(1)
    with pytest.raises(ValueError, match="policy period has begun"):
        model.continue_as(small("cfc.toml"))


def test_copies_of_a_history_are_independent_and_can_be_copied_again(baseline_history):
    first, second = ClusterModel.restore(baseline_history), ClusterModel.restore(baseline_history)
    first.run(3)
    again = ClusterModel.restore(first.snapshot())  # Mesa's own pickling cannot do this
    second.run(3)
    assert_same_state(first, second)
    assert_same_state(first, again)
    assert second.grid is not first.grid and len({type(c) for c in again.grid.all_cells}) == 1


def test_what_acts_after_the_burn_in_is_left_out_of_the_history_key():
    base = small("baseline.toml")
    same = [
        small("holistic_full.toml"),
        small("export_shock_tariff.toml"),
        small("baseline.toml", trial=TRIAL, run={"horizon": 30}),
        small("cfc.toml", interventions__cfc={"capacity_hours": 1000.0}),
        load_scenario(SCENARIOS / "baseline.toml", small_overrides(80, 24, 12, run={"seed": 9})),
    ]
    for scenario in same:
        assert history_key(scenario, SEED) == history_key(base, SEED)
    other = [
        small("baseline.toml", technology={"tfp_shock_sd": 0.2}),
        small("baseline.toml", run={"burn_in": 25}),
        small("knitwear.toml"),
        small("from_firm_list.toml"),
    ]
    for scenario in other:
        assert history_key(scenario, SEED) != history_key(base, SEED)
    assert history_key(base, SEED + 1) != history_key(base, SEED)
    assert history_key(base, SEED, n_firms=50) != history_key(base, SEED)
    assert "interventions" not in pre_policy_settings(base)


# ------------------------------------------------------------------ the sweep
#: Packages, a sampled intervention parameter and a sampled pre-policy parameter, a trial and an
#: export shock.
EXPERIMENT = f"""
title = "shared histories"
baseline = "{SCENARIOS / "baseline.toml"}"
replicates = 3
seed = 3
horizon = 8
burn_in = 12
n_firms = 60
[packages]
cfc = "{SCENARIOS / "cfc.toml"}"
holistic = "{SCENARIOS / "holistic_full.toml"}"
tariff = "{SCENARIOS / "export_shock_tariff.toml"}"
[trial]
treatment = "grant"
quarter = 1
follow_up = 3
[sampler]
method = "random"
samples = 2
[parameters]
"interventions.cfc.capacity_hours" = [1000.0, 40000.0]
"finance.informal_rate" = [0.35, 0.55]
"""


def files_of(out) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for folder in ("runs", "firms", "trial")
        for path in sorted((out / folder).glob("*.parquet"))
    }


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "clustersim", *map(str, args)], capture_output=True, text=True
    )


def planned(experiment, workers: int, share: bool = True) -> list:
    """The sweep's plan: the runs in the order a sweep draws them."""
    runs = experiment.iter_runs(together=True)
    return list(plan_histories(runs, workers, share, total=experiment.run_count()))


def test_a_sweep_shares_each_history_among_the_packages_of_a_point_and_replicate(write_toml):
    experiment = load_experiment(write_toml(EXPERIMENT, "shared.toml"))
    plan = planned(experiment, workers=1)
    # the sampled pre-policy parameter gives each point its own history; the packages share it
    assert len(plan) == 2 * 3 and all(len(h.runs) == 4 for h in plan)
    assert all(len({(r.point, r.replicate) for r in h.runs}) == 1 for h in plan)
    assert sorted(r.run_id for h in plan for r in h.runs) == sorted(
        r.run_id for r in experiment.runs()
    )
    assert [len(h.chunks) for h in planned(experiment, workers=2)] == [2] * 6
    fresh = planned(experiment, workers=1, share=False)
    assert len(fresh) == len(experiment.runs())


def test_the_plan_holds_one_point_and_replicate_at_a_time(write_toml):
    """Histories are planned as the runs come: the first is ready before the design is read."""
    experiment = load_experiment(write_toml(EXPERIMENT, "shared.toml"))
    drawn = []

    def runs():
        for run in experiment.iter_runs(together=True):
            drawn.append(run)
            yield run

    first = next(plan_histories(runs(), workers=1, total=experiment.run_count()))
    assert len(first.runs) == 4 and len(drawn) <= 5


@pytest.mark.slow
def test_a_shared_sweep_writes_byte_for_byte_what_fresh_runs_write(write_toml, tmp_path):
    """With and without sharing, and shared but killed midway and resumed: the same runs/, firms/,
    trial/ files and comparison.csv, byte for byte."""
    path = write_toml(EXPERIMENT.replace("replicates = 3", "replicates = 4"), "shared.toml")
    fresh, shared, resumed = tmp_path / "fresh", tmp_path / "shared", tmp_path / "resumed"
    result = cli("sweep", path, "--out", fresh, "--workers", "2", "--fresh-histories")
    assert result.returncode == 0, result.stderr
    api.sweep(path, shared, workers=2)
    process = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "sweep", path, "--out", resumed, "--workers", "1"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(resumed.glob("runs/*.parquet"))) < 8:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 8 <= len(list(resumed.glob("runs/*.parquet"))) < 32, "killed midway"
    api.sweep(path, resumed, workers=2, resume=True)
    expected = files_of(fresh)
    assert len(expected) == 3 * 32  # 4 packages x 2 points x 4 replicates, each with a trial
    for out in (shared, resumed):
        assert files_of(out) == expected
    for out in (fresh, shared, resumed):
        api.compare(out)
    csv = (fresh / "comparison.csv").read_bytes()
    assert (
        (shared / "comparison.csv").read_bytes() == csv == (resumed / "comparison.csv").read_bytes()
    )


@pytest.mark.parametrize("fault", ["raise", "kill"])
def test_a_run_that_fails_inside_a_shared_history_loses_only_itself(
    tiny_one_task_per_history, tmp_path, monkeypatch, fault
):
    monkeypatch.setenv(FAULT_ENV, f"{fault}:holistic__p0000__r0001")
    manifest = run_sweep(
        load_experiment(tiny_one_task_per_history), tmp_path / "out", workers=1, progress=False
    ).set_index("run_id")
    assert manifest.loc["holistic__p0000__r0001", "status"] == "failed"
    assert (manifest["status"] == "ok").sum() == 8


@pytest.fixture
def tiny_one_task_per_history(write_toml, monkeypatch):
    """The tiny experiment, planned as one task per history (a history and its three runs)."""
    monkeypatch.setattr(histories, "TASKS_PER_WORKER", 1)
    experiment = write_toml(TINY, "tiny.toml")
    assert [len(h.chunks) for h in planned(load_experiment(experiment), 1)] == [1] * 3
    return experiment


@pytest.mark.slow
def test_on_dask_a_run_that_kills_its_worker_loses_only_itself(write_toml, tmp_path, monkeypatch):
    """The histories' tasks depend on a history task; a task that dies as a whole is re-run run by
    run, so only the run that kills its worker fails."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv(FAULT_ENV, "kill:cell__p0000__r0001")
    experiment = write_toml(TINY, "tiny.toml")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        manifest = api.sweep(experiment, tmp_path / "dask", scheduler=cluster.scheduler_address)
    manifest = manifest.set_index("run_id")
    assert manifest.loc["cell__p0000__r0001", "status"] == "failed"
    assert "KilledWorker" in manifest.loc["cell__p0000__r0001", "error"]
    assert (manifest["status"] == "ok").sum() == 8
