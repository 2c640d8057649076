"""Uncertainty that travels with the ranking: priors of the interventions' effect parameters,
drawn in common for every package, and compare's pairwise.csv (who beats whom, synergy) and
drivers.csv (which assumptions move the ranking)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from clustersim import api
from clustersim.analysis.pairwise import effects, parts_of, spread, synergy
from clustersim.experiments.calibrate import FREE
from clustersim.experiments.design import sample_points
from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.histories import plan_histories
from clustersim.experiments.store import read_sweep_info
from clustersim.experiments.sweep import run_sweep
from clustersim.inputs.files import ScenarioError
from clustersim.inputs.params import INTERVENTIONS, PARAMETERS, PRIOR_DISTRIBUTIONS, Prior
from helpers import SCENARIOS

#: Baseline, two single interventions and the package of both; 25 firms, 4 + 4 quarters,
#: 3 draws of the priors x 2 replicates.
PRIORS = f"""
title = "priors"
baseline = "{SCENARIOS / "baseline.toml"}"
replicates = 2
seed = 7
horizon = 4
burn_in = 4
n_firms = 25
parameter_uncertainty = true
[sampler]
samples = 3
seed = 11
[packages]
consulting = "{SCENARIOS / "consulting.toml"}"
export_promotion = "{SCENARIOS / "export_promotion.toml"}"
[packages.both]
scenario = "{SCENARIOS / "consulting.toml"}"
set = {{ "interventions.export_promotion.enabled" = true }}
"""


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("priors") / "priors.toml"
    path.write_text(PRIORS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def swept(experiment_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("swept") / "out"
    api.sweep(experiment_file, out, workers=2)
    return out, api.compare(out)


# ------------------------------------------------------------------ the priors
def test_every_prior_holds_its_default_within_the_allowed_range_and_names_its_source():
    priors = [p for p in PARAMETERS.values() if p.prior is not None]
    assert len(priors) >= 8
    for p in priors:
        assert p.low <= p.prior.low <= p.default <= p.prior.high <= p.high, p.key
        assert p.prior.distribution in PRIOR_DISTRIBUTIONS and p.prior.source.strip(), p.key
        # an effect parameter says whose effect it is; a calibrated one is nobody's
        assert bool(p.effect_of) != p.prior.calibrated, p.key
        assert set(p.effect_of) <= set(INTERVENTIONS), p.key


def test_a_triangular_prior_is_drawn_through_its_inverse_cdf():
    prior = Prior(0.0, 4.0, "test")  # mode 1: F(1) = 1/4, F(x) = x^2/4 below it
    values = prior.draw([0.0, 1 / 16, 0.25, 1.0], mode=1.0)
    assert np.allclose(values, [0.0, 0.5, 1.0, 4.0])
    assert np.all(np.diff(prior.draw(np.linspace(0, 1, 50), mode=1.0)) >= 0)
    uniform = Prior(2.0, 4.0, "test", distribution="uniform")
    assert np.allclose(uniform.draw([0.0, 0.5, 1.0], mode=3.0), [2.0, 3.0, 4.0])
    assert np.all(Prior(0.3, 0.3, "test").draw([0.0, 0.4, 1.0], mode=0.3) == 0.3)


# ------------------------------------------------------------------ the draws
def test_every_package_shares_each_draw_and_its_history(experiment_file):
    experiment = load_experiment(experiment_file)
    drawn = set(experiment.priors)
    # the effect parameters of consulting and export promotion, nothing of an intervention no
    # package switches on
    assert "interventions.consulting.tfp_lift" in drawn
    assert "interventions.export_promotion.fixed_cost_cut" in drawn
    assert not any(k.startswith("interventions.cfc.") or k == "technology.cfc_lift" for k in drawn)
    runs = experiment.runs()
    for point in range(len(experiment.points)):
        at = [r for r in runs if r.point == point]
        assert len({r.package for r in at}) == 4
        for run in at:  # same draw id => the same parameter values in every package
            assert run.parameters == experiment.points[point]
            for key, value in run.parameters.items():
                section, _, name = key.rpartition(".")
                assert run.overrides[section][name] == value
    assert len({tuple(sorted(p.items())) for p in experiment.points}) == 3
    # the packages of a draw and replicate still share one history
    histories = list(plan_histories(experiment.iter_runs(together=True), workers=1))
    assert len(histories) == len(experiment.points) * experiment.replicates
    assert load_experiment(experiment_file).points == experiment.points  # deterministic


def test_calibration_uncertainty_draws_the_calibrated_parameters_too(write_toml):
    flag = "parameter_uncertainty = true\n"
    calibrated = {k for k, p in PARAMETERS.items() if p.prior is not None and p.prior.calibrated}
    effects = set(load_experiment(write_toml(PRIORS, "effects.toml")).priors)
    alone = PRIORS.replace(flag, "calibration_uncertainty = true\n")
    assert set(load_experiment(write_toml(alone, "alone.toml")).priors) == calibrated
    both = PRIORS.replace(flag, flag + "calibration_uncertainty = true\n")
    both = load_experiment(write_toml(both, "both.toml"))
    assert calibrated == set(FREE) and set(both.priors) == calibrated | effects
    # pre-policy, so every draw has a history of its own, still shared by the packages of a draw
    histories = list(plan_histories(both.iter_runs(together=True), workers=1))
    assert len(histories) == len(both.points) * both.replicates


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ("[sampler]\nmethod = 'sobol'\nsamples = 8\n", "lhs or random"),
        ("", "no package switches on"),
    ],
)
def test_priors_that_cannot_be_drawn_are_one_line_errors(write_toml, extra, fragment):
    text = (
        f'baseline = "{SCENARIOS / "baseline.toml"}"\nparameter_uncertainty = true\n'
        + extra
        + "[packages]\n"
        + (f'cfc = "{SCENARIOS / "cfc.toml"}"\n' if extra else "")
    )
    with pytest.raises(ScenarioError) as err:
        load_experiment(write_toml(text, "bad.toml"))
    assert fragment in str(err.value) and "\n" not in str(err.value)


# ------------------------------------------------------------------ pairwise.csv
def test_probabilities_of_beating_are_probabilities_and_complementary(swept):
    out, frames = swept
    pairs = frames["pairwise"][frames["pairwise"]["kind"] == "pair"]
    assert (out / "pairwise.csv").exists() and (out / "drivers.csv").exists()
    assert set(pairs["outcome"]) == {"jobs_net", "jobs_net_per_crore"}
    assert len(pairs) == 2 * 3 * 2  # both outcomes, every ordered pair of three packages
    for column in ("p_beats", "p_tie", "p_beats_over_draws"):
        assert pairs[column].between(0, 1).all()
    mirrored = pairs.set_index(["package", "other", "outcome"])
    for (a, b, outcome), row in mirrored.iterrows():
        back = mirrored.loc[(b, a, outcome)]
        assert row["p_beats"] + back["p_beats"] + row["p_tie"] == pytest.approx(1.0)
        assert row["p_tie"] == back["p_tie"]
        assert row["difference"] == pytest.approx(-back["difference"])
        # 3 draws x 2 replicates, paired (per crore: those in which both spent something)
        assert row["draws"] == 6 if outcome == "jobs_net" else 0 < row["draws"] <= 6


def test_synergy_is_the_package_minus_the_sum_of_its_parts(swept):
    out, frames = swept
    table = frames["pairwise"]
    mine = table[(table["kind"] == "synergy") & (table["package"] == "both")]
    assert set(mine["other"]) == {"consulting + export_promotion"}
    series = api.results(out)
    info = read_sweep_info(out)
    packages = ["consulting", "export_promotion", "both"]
    wide = effects(series, packages)["jobs_net"]
    by_hand = wide["both"] - wide["consulting"] - wide["export_promotion"]
    row = mine[mine["outcome"] == "jobs_net"].iloc[0]
    assert row["difference"] == pytest.approx(by_hand.mean())
    assert row["p_beats"] == pytest.approx((by_hand > 0).mean())
    # the limit case: a package of one intervention is its own part, with no synergy
    parts, note = parts_of("consulting", info["interventions"], packages)
    assert parts == ["consulting"] and note == ""
    assert (synergy(wide, "consulting", parts) == 0).all()
    # only holistic packages get a synergy row
    assert set(table.loc[table["kind"] == "synergy", "package"]) == {"both"}


def test_drivers_name_each_drawn_parameter_with_a_share_of_variance(swept, experiment_file):
    out, frames = swept
    drivers = frames["drivers"]
    overall = drivers[drivers["package"] == "all pairs"]
    assert set(overall["parameter"]) <= set(load_experiment(experiment_file).priors)
    assert len(overall) and overall["variance_share"].between(0, 1 + 1e-12).all()
    per_pair = drivers[drivers["package"] != "all pairs"]
    assert per_pair["spearman"].dropna().between(-1, 1).all()
    text = (out / "summary.md").read_text(encoding="utf-8")
    for heading in ("Which package beats which", "more than the sum", "assumptions drive"):
        assert heading in text


def test_compare_is_deterministic(swept):
    out, _ = swept
    first = (out / "pairwise.csv").read_bytes(), (out / "drivers.csv").read_bytes()
    api.compare(out)
    assert ((out / "pairwise.csv").read_bytes(), (out / "drivers.csv").read_bytes()) == first


def test_zero_width_priors_leave_monte_carlo_noise_alone(experiment_file, tmp_path):
    experiment = load_experiment(experiment_file)
    point = {
        key: Prior(PARAMETERS[key].default, PARAMETERS[key].default, "test")
        for key in experiment.priors
    }
    experiment = dataclasses.replace(experiment, priors=point)
    experiment.points = sample_points(experiment)
    assert all(p == experiment.points[0] for p in experiment.points)
    run_sweep(experiment, tmp_path / "out", workers=2, progress=False)
    pairs = api.compare(tmp_path / "out", write=False)["pairwise"]
    pairs = pairs[pairs["kind"] == "pair"].dropna(subset=["difference"])
    assert len(pairs) and (pairs["parameter_sd"] == 0).all()
    assert (pairs["param_low"] == pairs["param_high"]).all()
    assert (pairs["mc_sd"] > 0).any()  # Monte Carlo noise remains


def test_without_draws_the_spread_across_parameters_is_not_reported():
    index = pd.MultiIndex.from_product([[0], range(4)], names=["point", "replicate"])
    found = spread(pd.Series([1.0, 2.0, 3.0, 4.0], index=index))
    assert found["difference"] == pytest.approx(2.5)
    assert np.isnan(found["parameter_sd"]) and np.isnan(found["param_low"])
    assert found["mc_sd"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1))


def test_an_experiment_without_priors_is_designed_as_before(write_toml):
    text = PRIORS.replace("parameter_uncertainty = true\n", "").replace(
        "[sampler]\nsamples = 3\nseed = 11\n", ""
    )
    experiment = load_experiment(write_toml(text, "plain.toml"))
    assert experiment.priors == {} and experiment.points == [{}]
    assert "priors" not in experiment.design()  # so the fingerprints of old sweeps still match


def test_a_report_with_one_package_left_and_its_holistic_parts_gone_still_renders(tmp_path):
    """Found by the fuzzer: with a package's runs gone, only a holistic package is left to
    compare; its synergy row (parts missing) must carry the columns of every other row, so the
    report's tables render (they failed on a missing p_beats column)."""
    from clustersim import api
    from helpers import TINY, clustersim

    experiment = tmp_path / "tiny.toml"
    experiment.write_text(TINY.replace("replicates = 3", "replicates = 2"), encoding="utf-8")
    out = tmp_path / "sweep"
    api.sweep(experiment, out, workers=1)
    for run in (out / "runs").glob("cell*.parquet"):
        run.unlink()
    status, _, err = clustersim("report", out)
    assert status == 0, err
    table = api.compare(out, write=False)["pairwise"]
    synergy = table[table["kind"] == "synergy"]
    assert len(synergy) and {"p_beats", "p_tie", "difference"} <= set(table.columns)
