"""Interventions as delivered: facilities are completed late or not at all and ramp up; firms
take part in training only when it is worth their time; each scheme's take-up is a series."""

from __future__ import annotations

import numpy as np
import pytest

from clustersim.economy.facilities import NEVER, completion_delay
from clustersim.economy.model import ClusterModel
from clustersim.economy.reporters import COLUMN_NAMES, ECONOMY_COLUMNS
from clustersim.inputs.params import ORIGINAL_SCHEMES
from helpers import SCENARIOS

QUICK = {"run.burn_in": 24, "run.horizon": 16, "cluster.n_firms": 60, "run.grid_width": 20}


def test_completion_delay_is_geometric_in_the_completion_chance():
    assert completion_delay(0.999, 1.0) == 0  # certain completion: no delay
    assert completion_delay(0.001, 0.0) == NEVER  # no chance: never
    draws = (np.arange(100_000) + 0.5) / 100_000  # evenly spread uniforms
    hazard = 0.1
    delays = np.array([completion_delay(u, hazard) for u in draws])
    assert delays.mean() == pytest.approx((1 - hazard) / hazard, rel=0.01)  # geometric mean
    assert np.mean(delays == 0) == pytest.approx(hazard, abs=1e-3)


def run(scenario, seed=3, **settings):
    model = ClusterModel(SCENARIOS / f"{scenario}.toml", seed=seed, **QUICK, **settings)
    model.run()
    return model


def test_a_facility_never_completed_changes_nothing_but_its_capex():
    never = run("cfc", **{"governance.spv_completion_rate": 0.0})
    base = run("baseline")
    assert never.facilities.cfc.opens_step > never.n_steps
    for column in ECONOMY_COLUMNS:
        assert never.series.column(column) == base.series.column(column), column
    assert never.series.column("facilities_open") == [0] * len(never.series.rows)
    assert never.series.column("public_cost_cr")[-1] > 0  # the grant was paid at approval


def test_a_facility_ramps_up_to_its_uptime_after_it_opens():
    model = run("cfc", **{"governance.spv_completion_rate": 1.0, "governance.ramp_up_quarters": 4})
    cfc = model.facilities.cfc
    shares = [cfc.service_share(cfc.opens_step + k) for k in range(-1, 6)]
    assert shares == pytest.approx(
        [0.0] + [cfc.uptime * q / 4 for q in (1, 2, 3, 4)] + [cfc.uptime] * 2
    )
    assert model.facilities.delays["cfc"] == 0


def test_training_is_taken_up_only_where_it_is_worth_the_time():
    # training that adds no skill is worth nothing: nobody gives it their time
    useless = run("skills_training", **{"interventions.skills_training.skill_gain": 0.0})
    base = run("baseline")
    assert max(useless.series.column("take_up_skills_training")) == 0.0
    for column in ECONOMY_COLUMNS:  # nobody takes part: nothing changes
        assert useless.series.column(column) == base.series.column(column), column
    costly = run("skills_training", **{"interventions.skills_training.application_cost_lakh": 10.0})
    free = run(
        "skills_training",
        **{
            "interventions.skills_training.application_cost_lakh": 0.0,
            "interventions.skills_training.days_per_trainee": 0.0,
        },
    )
    normal = run("skills_training")
    policy = slice(free.burn_in, None)
    take_up = [
        np.mean(m.series.column("take_up_skills_training")[policy]) for m in (free, normal, costly)
    ]
    assert take_up[0] >= take_up[1] >= take_up[2]  # dearer to take part: fewer take part
    assert take_up[0] > take_up[2]


def test_take_up_of_each_scheme_is_a_share_and_any_scheme_covers_them_all():
    model = run("holistic_full")
    for row in model.series.rows[model.burn_in :]:
        values = dict(zip(COLUMN_NAMES, row, strict=True))
        each = [values[f"take_up_{s}"] for s in ORIGINAL_SCHEMES]  # later ones: only in take_up
        assert all(0.0 <= v <= 1.0 for v in each)
        assert max(each) <= values["take_up"] <= min(1.0, sum(each)) + 1e-12
