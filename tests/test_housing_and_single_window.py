"""Workforce housing and regulatory simplification with a single window (issue 17, items 1 and 3).
Closed forms of their rules, limit cases (nil-sized or saving nothing, they change nothing but the
public cost), and the economic facts they must show."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from clustersim.economy.agents.firms import Firms
from clustersim.economy.agents.workforce_housing import housed_shares, shifted_supply
from clustersim.economy.markets import LabourSupply
from helpers import assert_same_economy as assert_economy_unchanged
from helpers import quick_run as run

#: Built at once (no lag, sure completion) so that short runs see it.
AT_ONCE = {"governance.government_lag": 0, "governance.government_completion_rate": 1.0}


# ------------------------------------------------------------------ the hostel's rules
def test_beds_are_shared_pro_rata_within_reach_up_to_the_share_who_would_live_there():
    workers = np.array([10.0, 30.0, 60.0])
    reach = np.array([True, True, False])
    assert np.allclose(housed_shares(workers, reach, 20.0, 0.9), [0.5, 0.5, 0.0])  # 20 of 40
    assert np.allclose(housed_shares(workers, reach, 1e6, 0.4), [0.4, 0.4, 0.0])  # capped
    assert np.allclose(housed_shares(workers, reach, 0.0, 0.4), 0.0)  # no beds
    assert np.allclose(housed_shares(workers, np.zeros(3, bool), 20.0, 0.4), 0.0)  # none near


def test_residents_saving_on_rent_bring_as_many_workers_as_a_wage_higher_by_that_saving():
    supply = LabourSupply(1000.0, np.log(0.8), 0.6, 0.0, 0.0)
    housed, saving = 0.3, 0.1
    with_hostel = shifted_supply(supply, housed, saving)
    for wage in (0.5, 0.9, 1.4):
        assert with_hostel.jobs(wage) == pytest.approx(supply.jobs(wage * (1 + saving * housed)))
    assert shifted_supply(supply, 0.0, saving) is supply  # nobody housed
    assert shifted_supply(supply, housed, 0.0) is supply  # a bed at market rent


@pytest.mark.parametrize("quit_fall", [0.0, 0.2, 0.6])
def test_a_firm_whose_workers_quit_less_keeps_skill_towards_its_closed_form(quit_fall):
    """The baseline's fade, ds = -q (s - s0), then the retained skill q (1 - s0) c s a quarter:
    the fixed point of s -> (s (1 - q) + q s0)(1 + a), a = q (1 - s0) c, which is
    s0 / (1 - (1 - s0) c) to first order in q."""
    q, s0 = 0.05, 0.3
    firms = SimpleNamespace(
        skill=np.array([s0]),
        model=SimpleNamespace(
            rates=SimpleNamespace(skill_depreciation=q),
            p=SimpleNamespace(technology=SimpleNamespace(initial_skill=s0)),
        ),
    )
    for _ in range(2000):
        firms.skill -= q * (firms.skill - s0)
        Firms.keep_housed_workers(firms, np.array([0]), quit_fall)
    a = q * (1 - s0) * quit_fall
    assert firms.skill[0] == pytest.approx(q * s0 * (1 + a) / (1 - (1 - q) * (1 + a)))
    assert firms.skill[0] == pytest.approx(s0 / (1 - (1 - s0) * quit_fall), rel=0.03)


# ------------------------------------------------------------------ the hostel in the model
@pytest.mark.parametrize(
    "settings",
    [
        {"interventions.workforce_housing.beds": 0.0},  # no beds
        {
            "interventions.workforce_housing.quit_cut": 0.0,
            "interventions.workforce_housing.rent_saving_share": 0.0,
        },  # residents neither stay longer nor save
        {
            "interventions.workforce_housing.reach": 0.0,
            "interventions.workforce_housing.x": 0,
            "interventions.workforce_housing.y": 0,
        },  # out of everyone's reach
    ],
    ids=["no_beds", "no_effect", "out_of_reach"],
)
def test_a_hostel_that_houses_nobody_or_changes_nothing_for_them_changes_nothing_but_the_cost(
    settings,
):
    base = run("baseline")
    model = run("workforce_housing", **AT_ONCE, **settings)
    assert model.facilities.housing.is_open(model.steps)
    assert_economy_unchanged(model, base)
    assert model.government.public_cost_cr > 0  # built and kept up


def test_residents_keep_their_skill_and_the_hostel_draws_workers_in():
    base = run("baseline")
    model = run("workforce_housing", **AT_ONCE)
    hostel, firms = model.facilities.housing, model.firms
    live = firms.live()
    live = live[live < len(hostel.housed)]  # entrants of the last quarter were not yet housed
    housed = live[hostel.housed[live] > 0]
    assert len(housed) > 0 and hostel.housed_share > 0
    initial = model.p.technology.initial_skill
    assert np.all(firms.skill[housed] > initial)  # the baseline's skill stays at the initial
    far = np.setdiff1d(live, housed)
    assert np.allclose(firms.skill[far], initial)
    wage = model.markets.wage
    assert model.facilities.labour_supply(model.markets.labour_supply).jobs(
        wage
    ) > model.markets.labour_supply.jobs(wage)
    policy = slice(model.burn_in, None)
    assert max(model.series.column("take_up_workforce_housing")[policy]) > 0
    assert sum(model.series.column("jobs")[policy]) > sum(base.series.column("jobs")[policy])


# ------------------------------------------------------------------ the single window
def test_a_single_window_that_saves_nothing_changes_nothing_but_the_public_cost():
    base = run("baseline")
    model = run(
        "single_window",
        **AT_ONCE,
        **{
            "interventions.single_window.compliance_cut": 0.0,
            "interventions.single_window.entry_cost_cut": 0.0,
        },
    )
    assert model.facilities.single_window_open()
    assert_economy_unchanged(model, base)
    assert model.government.public_cost_cr > 0
    assert not model.firms.single_window[: model.n_initial].any()  # nothing to gain: nobody moves


def test_firms_on_the_single_window_pay_less_overhead_and_entrants_value_entry_more():
    model = run("single_window", **AT_ONCE)
    firms, window = model.firms, model.p.interventions.single_window
    live = firms.live()
    on = live[firms.single_window[live]]
    off = live[~firms.single_window[live]]
    assert len(on) > 0
    saving = firms.overhead * window.compliance_share * window.compliance_cut
    assert np.allclose(firms.fixed_costs(on), firms.overhead - saving)
    assert np.allclose(firms.fixed_costs(off), firms.overhead)
    assert max(model.series.column("take_up_single_window")[model.burn_in :]) > 0
    # an entrant's value rises by the closed form: the saving capitalised and the set-up cost cut
    rows = np.arange(firms.slots_used, firms.slots_used + 50)
    model.demography.ensure_pool(rows[-1] + 1)
    value_open, _ = model.demography.entrant_value(rows)
    model.facilities.single_window_opens = None  # the same quarter without it
    value_closed, _ = model.demography.entrant_value(rows)
    rates = model.rates
    expected = (
        saving / (rates.formal_rate + rates.exit_hazard)
        + window.entry_cost_cut * model.p.dynamics.entry_cost_lakh
    )
    assert np.allclose(value_open - value_closed, expected)


@pytest.mark.parametrize("scenario", ["workforce_housing", "single_window"])
def test_money_adds_up_every_quarter_with_the_hostel_or_the_single_window_open(scenario):
    from test_accounts import assert_consistent

    model = run(scenario, **AT_ONCE)
    assert model.series.column(f"take_up_{scenario}")[-1] > 0
    assert_consistent(model)
