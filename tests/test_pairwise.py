"""Uncertainty that travels with the ranking: priors of the interventions' effect parameters,
drawn in common for every package."""

from __future__ import annotations

import numpy as np
import pytest

from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.histories import plan_histories
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


# ------------------------------------------------------------------ the priors
def test_every_prior_holds_its_default_within_the_allowed_range_and_names_its_source():
    priors = [p for p in PARAMETERS.values() if p.prior is not None]
    assert len(priors) >= 8
    for p in priors:
        assert p.low <= p.prior.low <= p.default <= p.prior.high <= p.high, p.key
        assert p.prior.distribution in PRIOR_DISTRIBUTIONS and p.prior.source.strip(), p.key
        assert p.effect_of and set(p.effect_of) <= set(INTERVENTIONS), p.key


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
