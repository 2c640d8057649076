"""The experiment engine: experiment files, sweeps that lose nothing, resume,
Dask, and the comparison's statistics."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustersim import api
from clustersim.analysis.decomposition import melitz_polanec
from clustersim.analysis.statistics import bootstrap_ratio, replicates_for_half_width, t_interval
from clustersim.economy.model import ClusterModel
from clustersim.experiments.engines import FAULT_ENV
from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.sweep import run_sweep
from clustersim.inputs.files import ScenarioError
from clustersim.inputs.params import INTERVENTIONS, PARAMETERS
from clustersim.inputs.scenario import load_scenario
from clustersim.views.output import COLUMN_NAMES
from helpers import ROOT, SCENARIOS, TINY, paired_differences


@pytest.fixture
def tiny(write_toml):
    return write_toml(TINY, "tiny.toml")


def frames(out):
    series = api.results(out).sort_values(["run_id", "step"], ignore_index=True)
    return series


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "clustersim", *map(str, args)], capture_output=True, text=True, **kw
    )


# -------------------------------------------------------------- experiment files
def test_shipped_experiments_are_valid():
    from clustersim.experiments.national import load_any

    for path in sorted((ROOT / "experiments").glob("*.toml")):
        experiment = load_any(path)
        assert experiment.runs() and experiment.packages[0].name == "baseline"
    assert load_experiment(ROOT / "experiments" / "compare_packages.toml").replicates >= 20


def test_a_package_can_switch_off_one_intervention_of_a_scenario(write_toml):
    head, _, _ = TINY.partition("[packages]")
    path = write_toml(
        head
        + f"""[packages.no_cfc]
scenario = "{SCENARIOS / "holistic_spv.toml"}"
set = {{ "interventions.cfc.enabled" = false }}
""",
        "minus.toml",
    )
    package = load_experiment(path).packages[1]
    interventions = load_scenario(package.scenario, package.overrides).params.interventions
    assert (
        not interventions.cfc.enabled and interventions.credit_guarantee.enabled
    )  # only the CFC is gone


def _first_varied_parameter(intervention: str) -> str:
    from clustersim.inputs.params import PARAMETERS

    return next(
        key
        for key, p in PARAMETERS.items()
        if key.startswith(f"interventions.{intervention}.") and p.kind is float and p.high > p.low
    )


@pytest.mark.parametrize("intervention", INTERVENTIONS)
def test_a_varied_intervention_parameter_leaves_the_baseline_without_it(write_toml, intervention):
    """Issue 11 item 1: sweeping a setting of an intervention must not switch it on in packages that
    leave it off."""
    key = _first_varied_parameter(intervention)
    head, _, _ = TINY.partition("[packages]")
    path = write_toml(
        head
        + f"""[packages]
on = "{SCENARIOS / f"{intervention}.toml"}"
[sampler]
method = "random"
samples = 2
[parameters]
"{key}" = [{PARAMETERS[key].low}, \
{PARAMETERS[key].low + (PARAMETERS[key].high - PARAMETERS[key].low) / 4}]
""",
        "vary.toml",
    )
    experiment = load_experiment(path)
    for run in experiment.runs():
        switched = getattr(
            load_scenario(run.scenario, run.overrides).params.interventions, intervention
        )
        assert switched.enabled == (run.package == "on"), run.run_id
        if switched.enabled:
            assert getattr(switched, key.rsplit(".", 1)[1]) == run.parameters[key]


def test_a_swept_cfc_setting_costs_the_baseline_nothing(write_toml, tmp_path):
    """The attack's case, end to end:
    the baseline's public cost stays 0 and the CFC's effect is not 0."""
    head, _, _ = TINY.partition("[packages]")
    path = write_toml(
        head.replace("replicates = 3", "replicates = 1")
        + f"""[packages]
cfc = "{SCENARIOS / "cfc.toml"}"
[sampler]
method = "random"
samples = 1
[parameters]
"interventions.cfc.capacity_hours" = [1000.0, 2000.0]
""",
        "cfc_sweep.toml",
    )
    api.sweep(path, tmp_path / "out", workers=1)
    series = api.results(tmp_path / "out")
    last = series[series["quarter"] == series["quarter"].max()].set_index("package")
    assert last.loc["baseline", "public_cost_cr"] == 0.0 < last.loc["cfc", "public_cost_cr"]


def test_a_set_of_an_intervention_its_scenario_leaves_off_is_refused(write_toml):
    head, _, _ = TINY.partition("[packages]")
    path = write_toml(
        head
        + f"""[packages.quiet_cfc]
scenario = "{SCENARIOS / "baseline.toml"}"
set = {{ "interventions.cfc.capacity_hours" = 80000.0 }}
""",
        "set_off.toml",
    )
    with pytest.raises(ScenarioError, match="does not switch it on.*enabled"):
        load_experiment(path)
    path.write_text(
        path.read_text().replace("80000.0 }", '80000.0, "interventions.cfc.enabled" = true }')
    )
    package = load_experiment(path).packages[1]
    assert (
        load_scenario(package.scenario, package.overrides).params.interventions.cfc.capacity_hours
        == 80000.0
    )


def test_varying_an_intervention_no_package_switches_on_is_refused(write_toml):
    head, _, _ = TINY.partition("[packages]")
    path = write_toml(
        head
        + """[sampler]
method = "lhs"
[parameters]
"interventions.growth_fund.equity_lakh" = [10.0, 20.0]
""",
        "nobody.toml",
    )
    with pytest.raises(ScenarioError, match="which no package switches on"):
        load_experiment(path)


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ("replicatez = 3\n", "replicatez"),
        ("[sampler]\nmethod = 'sobol'\n", "needs parameters to vary"),
        (
            "[parameters]\n'technology.nope' = [0, 1]\n[sampler]\nmethod='lhs'\n",
            "not a numeric model parameter",
        ),
        (
            "[parameters]\n'labour.reservation_dispersion' = [0.9, 0.3]\n[sampler]\nmethod='lhs'\n",
            "out of range or empty",
        ),
        ("[packages.bad]\nscenario = 'nowhere.toml'\n", "file not found"),
        (
            "[packages.bad]\nscenario = '"
            + str(SCENARIOS / "cfc.toml")
            + "'\nset = { 'interventions.cfc.capacity_hours' = -5.0 }\n",
            "out of range",
        ),
        (
            "[packages.bad]\nscenario = '"
            + str(SCENARIOS / "holistic_spv.toml")
            + "'\nset = { 'interventions.cfc.enabled' = 'no' }\n",
            "wrong type",
        ),
        ("outcomes = ['happiness']\n", "not an output column"),
    ],
)
def test_bad_experiment_files_are_one_line_errors(write_toml, extra, fragment):
    head, _, packages = TINY.partition("[packages]")
    text = (
        head + extra
        if extra.startswith(("[sampler]", "[parameters]", "[packages"))
        else extra + TINY
    )
    path = write_toml(text, "bad.toml")
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert (
        fragment in str(err.value) and "bad.toml" in str(err.value) and "\n" not in str(err.value)
    )


def test_common_random_numbers_share_seeds_and_independent_ones_do_not(tiny, write_toml):
    paired = load_experiment(tiny)
    seeds = {(r.package, r.replicate): r.seed for r in paired.runs()}
    assert seeds[("baseline", 1)] == seeds[("holistic", 1)] != seeds[("holistic", 2)]
    independent = load_experiment(write_toml("common_random_numbers = false\n" + TINY, "ind.toml"))
    seeds = {(r.package, r.replicate): r.seed for r in independent.runs()}
    assert seeds[("baseline", 1)] != seeds[("holistic", 1)]


# ------------------------------------------------------------------ the sweep
def test_a_sweep_stores_every_run_exactly_as_a_direct_run_would(tiny, tmp_path):
    manifest = api.sweep(tiny, tmp_path / "out", workers=2)
    assert len(manifest) == 9 and set(manifest["status"]) == {"ok"}
    run = next(r for r in load_experiment(tiny).runs() if r.run_id == "holistic__p0000__r0002")
    model = ClusterModel(load_scenario(run.scenario, run.overrides), seed=run.seed)
    model.run()
    stored = pd.read_parquet(tmp_path / "out" / "runs" / f"{run.run_id}.parquet")
    direct = np.array(model.series.rows[model.burn_in - 1 :])
    assert np.array_equal(stored[list(COLUMN_NAMES)].to_numpy(), direct)


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "raise:holistic__p0000__r0001")
    manifest = run_sweep(
        load_experiment(tiny), tmp_path / "out", workers=2, progress=False
    ).set_index("run_id")
    assert manifest.loc["holistic__p0000__r0001", "status"] == "failed"
    assert "injected failure" in manifest.loc["holistic__p0000__r0001", "error"]
    assert (manifest["status"] == "ok").sum() == 8


def test_a_worker_that_dies_loses_only_its_own_run(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "kill:baseline__p0000__r0001")
    manifest = run_sweep(
        load_experiment(tiny), tmp_path / "out", workers=2, progress=False
    ).set_index("run_id")
    assert manifest.loc["baseline__p0000__r0001", "status"] == "failed"
    assert "worker process died" in manifest.loc["baseline__p0000__r0001", "error"]
    assert (manifest["status"] == "ok").sum() == 8
    # --resume retries it (the fault is gone) and duplicates nothing.
    monkeypatch.delenv(FAULT_ENV)
    manifest = run_sweep(
        load_experiment(tiny), tmp_path / "out", workers=2, resume=True, progress=False
    )
    assert len(manifest) == 9 and set(manifest["status"]) == {"ok"}


def test_a_killed_sweep_resumes_to_the_same_results_without_duplicates(tmp_path, write_toml):
    experiment = write_toml(
        TINY.replace("replicates = 3", "replicates = 12").replace("n_firms = 30", "n_firms = 120"),
        "kill.toml",
    )
    whole = tmp_path / "whole"
    api.sweep(experiment, whole, workers=1)
    cut = tmp_path / "cut"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clustersim",
            "sweep",
            str(experiment),
            "--out",
            str(cut),
            "--workers",
            "1",
            "--no-progress",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        done = len(list((cut / "runs").glob("*.parquet"))) if (cut / "runs").exists() else 0
        if done >= 10:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished_before = len(list((cut / "runs").glob("*.parquet")))
    assert 10 <= finished_before < 36, "the sweep should be killed midway"
    result = cli("sweep", experiment, "--out", cut, "--resume", "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(frames(whole), frames(cut))
    lines = [json.loads(x) for x in (cut / "manifest.jsonl").read_text().splitlines() if x.strip()]
    ok_ids = [x["run_id"] for x in lines if x["status"] == "ok"]
    assert len(ok_ids) == len(set(ok_ids)) == 36
    assert not list((cut / "runs").glob(".*tmp"))


def test_an_existing_sweep_is_not_overwritten_without_resume(tiny, tmp_path):
    api.sweep(tiny, tmp_path / "out", workers=1)
    result = cli("sweep", tiny, "--out", tmp_path / "out", "--workers", "1")
    assert (
        result.returncode == 2 and "--resume" in result.stderr and "Traceback" not in result.stderr
    )


def test_more_replicates_on_resume_only_adds_runs(tiny, tmp_path):
    api.sweep(tiny, tmp_path / "out", workers=2)
    manifest = api.sweep(tiny, tmp_path / "out", workers=2, resume=True, replicates=5)
    assert len(manifest) == 15 and set(manifest["status"]) == {"ok"}


def test_dask_gives_the_same_results_as_the_local_pool(tiny, tmp_path):
    distributed = pytest.importorskip("distributed")
    api.sweep(tiny, tmp_path / "local", workers=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        manifest = api.sweep(tiny, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert set(manifest["status"]) == {"ok"}
    pd.testing.assert_frame_equal(frames(tmp_path / "local"), frames(tmp_path / "dask"))


def test_an_unreachable_scheduler_is_a_quick_clear_error(tiny, tmp_path):
    started = time.time()
    result = cli(
        "sweep", tiny, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", timeout=60
    )
    assert result.returncode == 2 and time.time() - started < 30
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------ statistics
def test_compare_reports_paired_effects_costs_who_gains_and_who_loses(tiny, tmp_path):
    out = tmp_path / "out"
    api.sweep(tiny, out, workers=2)
    result = cli("compare", out)
    assert result.returncode == 0, result.stderr
    for name in ("comparison.csv", "ranking.csv", "summary.md", "forest.png", "paths.png"):
        assert (out / name).stat().st_size > 0
    table = pd.read_csv(out / "comparison.csv")
    measures = set(table["measure"])
    assert {
        "effect_at_horizon",
        "cumulative_effect",
        "cost_per_job",
        "cost_per_job_year",
        "cost_per_net_job",
        "cost_per_rupee_of_exports",
        "npv_net",
        "decomposition_within",
        "decomposition_entry",
    } <= measures
    assert table["outcome"].str.startswith("who_gains_").any()
    # A facilitation cell with no scheme to tell firms about changes nothing:
    # cost per job is undefined.
    cell = table[(table["package"] == "cell") & (table["measure"] == "cost_per_job")].iloc[0]
    assert cell["note"].startswith("undefined") and np.isnan(cell["estimate"])
    jobs = table[
        (table["package"] == "cell")
        & (table["outcome"] == "jobs")
        & (table["measure"] == "effect_at_horizon")
    ]
    assert jobs["estimate"].iloc[0] == 0.0
    assert "holistic" in result.stdout and "undefined" in result.stdout

    def estimate(package, outcome, measure):
        hit = table[
            (table["package"] == package)
            & (table["outcome"] == outcome)
            & (table["measure"] == measure)
        ]
        return float(hit["estimate"].iloc[0])

    # Who gains and who loses inside the cluster adds up to the gross jobs effect, firm by firm.
    for package in ("holistic", "cell"):
        assert estimate(package, "jobs", "created_cluster") + estimate(
            package, "jobs", "displaced_cluster"
        ) == pytest.approx(estimate(package, "jobs", "effect_at_horizon"), abs=1e-3)  # csv rounding
        assert estimate(package, "jobs", "displaced_cluster") <= 0.0
    # A package that changes nothing moves neither net jobs nor the outside producers' jobs.
    assert estimate("cell", "jobs_net", "effect_at_horizon") == 0.0
    assert estimate("cell", "outside_jobs", "effect_at_horizon") == 0.0
    ranking = pd.read_csv(out / "ranking.csv")
    assert {
        "jobs",
        "jobs_net",
        "job_years",
        "displaced_cluster",
        "displaced_outside",
        "cost_per_net_job_lakh",
    } <= set(ranking.columns)
    assert "net of the work its recruits had outside" in (out / "summary.md").read_text()


def test_common_random_numbers_tighten_the_confidence_interval(write_toml, tmp_path):
    text = TINY.replace("replicates = 3", "replicates = 8").replace("horizon = 4", "horizon = 8")
    widths = {}
    for crn in ("true", "false"):
        path = write_toml(f"common_random_numbers = {crn}\n" + text, f"crn_{crn}.toml")
        api.sweep(path, tmp_path / crn, workers=2)
        table = api.compare(tmp_path / crn, write=False)["comparison"]
        row = table[
            (table["package"] == "holistic")
            & (table["outcome"] == "jobs")
            & (table["measure"] == "effect_at_horizon")
        ]
        widths[crn] = float(row["ci_high"].iloc[0] - row["ci_low"].iloc[0])
    assert widths["true"] < 0.5 * widths["false"]


def test_parameter_uncertainty_is_reported_apart_from_monte_carlo_noise(write_toml, tmp_path):
    text = (
        TINY + "[sampler]\nmethod = 'lhs'\nsamples = 4\n"
        "[parameters]\n'labour.reservation_dispersion' = [0.3, 0.9]\n"
    )
    api.sweep(write_toml(text, "unc.toml"), tmp_path / "out", workers=2)
    table = api.compare(tmp_path / "out", write=False)["comparison"]
    row = table[
        (table["package"] == "holistic")
        & (table["outcome"] == "jobs")
        & (table["measure"] == "effect_at_horizon")
    ].iloc[0]
    assert (
        row["points"] == 4
        and np.isfinite(row["param_low"])
        and row["param_low"] < row["param_high"]
    )


def test_sobol_indices_come_with_confidence_intervals(write_toml, tmp_path):
    text = (
        TINY.replace("replicates = 3", "replicates = 1")
        + "[sampler]\nmethod = 'sobol'\nsamples = 8\n"
        "[parameters]\n'labour.reservation_dispersion' = [0.3, 0.9]\n"
        "'technology.cfc_lift' = [0.0, 0.3]\n"
    )
    api.sweep(write_toml(text, "sobol.toml"), tmp_path / "out", workers=2)
    result = api.compare(tmp_path / "out")
    frame = result["sensitivity"]
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(frame.columns)
    assert set(frame["parameter"]) == {"labour.reservation_dispersion", "technology.cfc_lift"}
    assert (tmp_path / "out" / "sensitivity.png").exists()


def test_a_precision_target_adds_replicates_until_it_is_met(write_toml, tmp_path):
    text = (
        TINY.replace("replicates = 3", "replicates = 3\nmax_replicates = 6")
        + "[precision]\njobs = 0.001\n"
    )
    manifest = api.sweep(write_toml(text, "prec.toml"), tmp_path / "out", workers=2)
    assert manifest["replicate"].max() == 5  # grew to the cap


def test_replicates_for_a_half_width_by_hand():
    x = np.array([-10.0, 10.0] * 10)  # sd = 10.26
    n = replicates_for_half_width(x, 5.0)
    from scipy import stats

    assert stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n) <= 5.0
    assert stats.t.ppf(0.975, n - 2) * x.std(ddof=1) / np.sqrt(n - 1) > 5.0
    assert replicates_for_half_width(x, 5.0, comparisons=5) > n  # Bonferroni asks for more


def test_t_interval_and_bootstrap_by_hand():
    mean, lo, hi = t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and hi - mean == pytest.approx(4.302652729 * 1 / np.sqrt(3), rel=1e-6)
    estimate, low, high = bootstrap_ratio(
        np.full(10, 6.0), np.full(10, 3.0), np.random.default_rng(0)
    )
    assert estimate == low == high == 2.0


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.floats(0.5, 50), st.floats(0.1, 10)),
        min_size=2,
        max_size=25,
        unique_by=lambda t: t[0],
    ),
    st.lists(
        st.tuples(st.integers(0, 30), st.floats(0.5, 50), st.floats(0.1, 10)),
        min_size=2,
        max_size=25,
        unique_by=lambda t: t[0],
    ),
)
def test_melitz_polanec_parts_add_up_to_the_change(first, last):
    def frame(rows):
        return pd.DataFrame(
            {
                "slot": [r[0] for r in rows],
                "entry_step": 0,
                "workers": [r[1] for r in rows],
                "real_value_added": [r[1] * r[2] for r in rows],
            }
        )

    parts = melitz_polanec(frame(first), frame(last))
    assert parts["within"] + parts["reallocation"] + parts["entry"] + parts[
        "exit"
    ] == pytest.approx(parts["total"], abs=1e-9)


def _paired(package, horizon, cumulative=None):
    """A paired-differences frame as compare builds it: one row per replicate."""
    n = len(horizon)
    return pd.DataFrame(
        {
            "package": package,
            "point": 0,
            "replicate": range(n),
            "horizon": horizon,
            "cumulative": horizon if cumulative is None else cumulative,
            "base": 1.0,
        }
    )


def test_a_smaller_package_reports_the_money_saved_per_job_lost():
    """Against a bigger baseline package: Rs 2 crore less spent and 100 fewer jobs is Rs 2 lakh
    saved per job lost; a package that spends less but keeps its jobs has no such ratio."""
    from clustersim.analysis.compare import SAVING_PER_JOB_LOST, value_for_money

    wobble = np.array([-1, 1, -1, 1, 0, 0, -2, 2, 0, 0]) * 1e-3
    for jobs, expected in ((-100.0, 2.0), (+100.0, None)):
        diffs = {
            "public_cost_cr": _paired("minus", -2.0 + wobble),
            "jobs": _paired("minus", jobs * (1 + wobble)),
            "export_sales": _paired("minus", np.full(10, -5.0)),
        }
        rows = value_for_money("minus", diffs, 1, np.random.default_rng(0), 500)
        saving = [r for r in rows if r["measure"] == SAVING_PER_JOB_LOST]
        if expected is None:
            assert saving == []
        else:
            assert saving[0]["estimate"] == pytest.approx(expected, rel=1e-2)
            assert saving[0]["ci_low"] <= saving[0]["estimate"] <= saving[0]["ci_high"]
        per_job = next(r for r in rows if r["measure"] == "cost_per_job")
        assert math.isnan(per_job["estimate"])  # spending less creates no cost per job either way


def test_report_is_one_self_contained_page(tiny, tmp_path):
    out = tmp_path / "out"
    api.sweep(tiny, out, workers=2)
    result = cli("report", out)
    assert result.returncode == 0, result.stderr
    page = (out / "report.html").read_text()
    for section in (
        'id="summary"',
        'id="effects"',
        'id="value-for-money"',
        'id="paths"',
        'id="who-gains"',
        'id="assumptions"',
        'id="caveats"',
    ):
        assert section in page
    assert page.count("data:image/png;base64,") >= 2  # forest and paths plots embedded
    assert (
        "http://" not in page and "https://" not in page and "<script" not in page
    )  # nothing to fetch
    assert "holistic" in page and "undefined" in page.lower()
    missing = cli("report", tmp_path / "nowhere")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_monte_carlo_intervals_across_parameter_points_use_replicates_as_the_unit(
    write_toml, tmp_path
):
    """Replicate r shares its draws at every point,
    so pooling all runs as independent understates the noise."""
    from clustersim.analysis.statistics import paired_differences, t_interval

    text = TINY.replace("replicates = 3", "replicates = 5") + (
        "[sampler]\nmethod = 'lhs'\nsamples = 3\n"
        "[parameters]\n'labour.reservation_dispersion' = [0.3, 0.9]\n"
    )
    api.sweep(write_toml(text, "unc.toml"), tmp_path / "out", workers=2)
    table = api.compare(tmp_path / "out", write=False)["comparison"]
    row = table[
        (table["package"] == "holistic")
        & (table["outcome"] == "jobs")
        & (table["measure"] == "effect_at_horizon")
    ].iloc[0]
    d = paired_differences(api.results(tmp_path / "out"), "jobs")
    mean, lo, hi = t_interval(
        d[d["package"] == "holistic"].groupby("replicate")["horizon"].mean(), comparisons=2
    )
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))


def test_cost_per_job_is_undefined_when_jobs_fall(tmp_path):
    from clustersim.analysis.compare import value_for_money

    index = pd.MultiIndex.from_product([[0], range(6)], names=["point", "replicate"])
    frame = paired_differences
    diffs = {
        "public_cost_cr": frame([10.0] * 6),
        "jobs": frame([-50.0, -55, -48, -60, -52, -51]),
        "export_sales": frame([1.0, 1.1, 0.9, 1.2, 1.0, 1.05]),
    }
    rows = {r["measure"]: r for r in value_for_money("p", diffs, 1, np.random.default_rng(0), 200)}
    assert (
        rows["cost_per_job"]["note"].startswith("undefined")
        and "negative" in rows["cost_per_job"]["note"]
    )
    assert (
        np.isfinite(rows["cost_per_rupee_of_exports"]["estimate"])
        and rows["cost_per_rupee_of_exports"]["estimate"] > 0
    )
    del index


def test_two_sweeps_cannot_write_one_folder(tiny, tmp_path):
    from clustersim.experiments.store import SweepError
    from clustersim.experiments.store import lock_folder as _lock

    out = tmp_path / "out"
    out.mkdir()
    lock = _lock(out)
    with pytest.raises(SweepError, match="being written by another sweep"):
        _lock(out)
    lock.write_text("999999999")  # a dead owner's lock is taken over
    assert _lock(out).exists()


def test_editing_a_scenario_changes_the_fingerprint(write_toml):
    child = write_toml(f'extends = "{SCENARIOS / "cfc.toml"}"\n', "pkg.toml")
    experiment = write_toml(
        TINY.replace(f'cell = "{SCENARIOS / "facilitation_cell.toml"}"', f'cell = "{child}"'),
        "fp.toml",
    )
    before = load_experiment(experiment).fingerprint()
    child.write_text(child.read_text() + "[interventions.cfc]\ncapacity_hours = 10.0\n")
    assert load_experiment(experiment).fingerprint() != before


def test_parameter_range_leaves_out_points_where_the_effect_is_undefined():
    """A percentage effect over a baseline at zero is infinite at that parameter point: the
    estimate and the range across points are taken over the points where the effect is defined,
    quietly (no warning)."""
    import warnings

    import pandas as pd

    from clustersim.analysis.statistics import summarise

    diffs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2, 3, 3],
            "replicate": [0, 1, 0, 1, 0, 1, 0, 1],
            "pct": [1.0, 3.0, 5.0, 7.0, np.inf, np.inf, -np.inf, np.nan],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = summarise(diffs, "pct", 1)
    assert 2.0 <= row["param_low"] <= row["param_high"] <= 6.0
    assert row["estimate"] == 4.0  # the mean of the defined points' effects
