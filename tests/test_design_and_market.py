"""Two instruments the consultations asked for (issue 17): a design / R&D / IP centre and a
digital market platform with a GI tag.  Their closed forms, limit cases (doing nothing, or nil in
size, they change nothing but the public cost), and the economic facts they must show."""

from __future__ import annotations

import numpy as np
import pytest

from clustersim.economy.timeunits import quarterly_hazard
from helpers import assert_same_economy
from helpers import quick_run as run

#: A centre that opens at once (no lag, sure completion), so that short runs see it.
AT_ONCE = {"governance.spv_lag": 0, "governance.spv_completion_rate": 1.0}


# ------------------------------------------------------------------ the design centre
@pytest.mark.parametrize(
    "settings",
    [
        {  # it does nothing: no faster innovation, no part of upgrades, no premium
            "interventions.design_centre.innovation_rate": 0.0,
            "interventions.design_centre.upgrade_cost_cut": 0.0,
            "interventions.design_centre.quality_premium": 0.0,
        },
        {  # out of everyone's reach, and no designers
            "interventions.design_centre.reach": 0.0,
            "interventions.design_centre.x": 0,
            "interventions.design_centre.y": 0,
            "interventions.design_centre.projects_per_quarter": 0,
        },
    ],
    ids=["no_effect", "out_of_reach"],
)
def test_a_design_centre_that_does_nothing_changes_nothing_but_the_public_cost(settings):
    base = run("baseline")
    model = run("design_centre", **AT_ONCE, **settings)
    assert model.facilities.design_centre_open()
    assert_same_economy(model, base)
    assert max(model.series.column("take_up_design_centre")) == 0.0
    assert model.government.public_cost_cr > 0  # it was built and runs


def test_a_redesigned_product_meets_demand_one_plus_its_premium_to_the_sigma():
    model = run("design_centre", **AT_ONCE)
    firms, centre, sigma = model.firms, model.p.interventions.design_centre, model.technology.sigma
    live = firms.live()
    users = live[firms.design_premium[live] > 0]
    assert len(users) > 0
    premium = firms.design_premium[users]
    assert np.all(premium <= centre.quality_premium)  # it fades from what the designers gave
    assert np.allclose(
        firms.quality(users), firms.certificate_quality(users) * (1.0 + premium) ** sigma
    )
    # a premium given q quarters ago is the premium times (1 - h)^q, h the quarterly fade
    fade = quarterly_hazard(centre.quality_fade)
    ages = np.log(premium / centre.quality_premium) / np.log(1.0 - fade)
    assert np.allclose(ages, np.rint(ages))


def test_a_design_centre_speeds_its_users_up_the_technology_ladder():
    """Through the ladder alone (no design premium): its users hear of better vintages sooner
    and upgrade more cheaply, so the cluster ends higher up it than the same seed without it."""
    base = run("baseline", seed=5)
    model = run(
        "design_centre", seed=5, **AT_ONCE, **{"interventions.design_centre.quality_premium": 0.0}
    )
    level = model.firms.tech_level[model.firms.live()].mean()
    assert level > base.firms.tech_level[base.firms.live()].mean()
    assert max(model.series.column("take_up_design_centre")) > 0  # upgrades it helped with
    rates = model.government.innovation_rates(model.firms, model.firms.live())
    assert np.max(rates) == pytest.approx(quarterly_hazard(0.05))
    assert np.min(rates) == pytest.approx(model.rates.innovation)


# ------------------------------------------------------------------ the digital market platform
@pytest.mark.parametrize(
    "settings",
    [
        {"interventions.digital_market.reach_gain": 0.0},  # reaches no one new (and no GI)
        {"interventions.digital_market.onboarding_per_quarter": 0},  # onboards nobody
    ],
    ids=["no_reach", "no_places"],
)
def test_a_platform_that_adds_no_demand_or_onboards_nobody_changes_nothing_but_its_cost(settings):
    base = run("baseline")
    model = run("digital_market", **settings)
    assert_same_economy(model, base)
    assert max(model.series.column("take_up_digital_market")) == 0.0
    assert model.government.public_cost_cr > 0  # the cell runs


def test_the_platform_multiplies_demand_by_its_reach_and_a_registered_gi_by_its_premium():
    platform = {"interventions.digital_market.gi_delay_quarters": 4}
    craft = run("digital_market_handicraft", **platform)
    settings = craft.p.interventions.digital_market
    reach, premium = 1.0 + settings.reach_gain, (1.0 + settings.gi_price_premium)
    assert craft.government.gi_registered()
    assert craft.government.platform_factor() == pytest.approx(
        reach * premium**craft.technology.sigma
    )
    unregistered = run(
        "digital_market_handicraft", **{"interventions.digital_market.gi_delay_quarters": 40}
    )
    assert not unregistered.government.gi_registered()
    assert unregistered.government.platform_factor() == pytest.approx(reach)
    engineering = run("digital_market", **platform)  # its product carries no GI
    assert not engineering.government.gi_registered()
    assert engineering.government.platform_factor() == pytest.approx(reach)
    firms = craft.firms
    members = firms.live()[firms.on_platform[firms.live()]]
    assert len(members) > 0
    assert np.allclose(
        firms.quality(members),
        firms.certificate_quality(members) * craft.government.platform_factor(),
    )


def test_platform_members_sell_more_than_they_would_off_it():
    base = run("baseline")
    model = run("digital_market")
    firms = model.firms
    members = firms.live()[firms.on_platform[firms.live()]]
    both = members[base.firms.alive[members]]
    assert len(both) > 0
    assert firms.sales[both].sum() > base.firms.sales[both].sum()
    share = model.series.column("take_up_digital_market")[-1]
    assert share == pytest.approx(len(members) / len(firms.live()))


@pytest.mark.parametrize("scenario", ["design_centre", "digital_market_handicraft"])
def test_the_accounts_add_up_with_the_design_centre_and_the_platform(scenario):
    """Fees, project costs, onboarding and the GI application are all posted."""
    from test_accounts import assert_consistent

    settings = {"interventions.digital_market.gi_delay_quarters": 2}
    model = run(scenario, **AT_ONCE, **(settings if "digital" in scenario else {}))
    assert max(model.series.column("take_up")) > 0
    assert_consistent(model)
