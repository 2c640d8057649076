"""Each mechanism alone: hand-checkable cases, first-order conditions and limits."""

from __future__ import annotations

import mesa
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mesa.discrete_space import OrthogonalMooreGrid

from clustersim.economy import markets, timeunits
from clustersim.economy.agents import CommonFacilityCentre
from clustersim.economy.agents import (
    TestingLab as Lab,
)  # aliased: pytest would try to collect 'Test*'
from clustersim.economy.agents.msme import MSME, Technology
from clustersim.economy.finance import annuity
from clustersim.economy.spillovers import Neighbourhood
from clustersim.economy.timeunits import quarterly_rate
from helpers import small_model

T = Technology(alpha=0.3, beta=0.15, gamma=0.45, sigma=5.0)
positive = st.floats(0.05, 50.0)


def variable_profit_at(labour, demand, phi, capital, wage, p_m, t=T):
    revenue = MSME.revenue_given_labour(demand, phi, capital, labour, p_m, t)
    return revenue - wage * labour - MSME.materials_spend(revenue, t)


# ---------------------------------------------------------------- production and demand
@given(demand=positive, phi=positive, capital=positive, wage=positive, p_m=st.floats(0.5, 2.0))
def test_labour_optimum_is_the_first_order_condition(demand, phi, capital, wage, p_m):
    """w L* = alpha rho R*, and variable profit is lower a little either side of L*."""
    r_star = MSME.optimal_revenue(demand, phi, capital, wage, p_m, T)
    l_star = MSME.optimal_labour(r_star, wage, T)
    assert wage * l_star == pytest.approx(T.alpha * T.rho * r_star, rel=1e-12)
    # R with labour fixed at L* (materials still chosen) equals R*.
    assert MSME.revenue_given_labour(demand, phi, capital, l_star, p_m, T) == pytest.approx(
        r_star, rel=1e-9
    )
    best = variable_profit_at(l_star, demand, phi, capital, wage, p_m)
    for factor in (0.97, 1.03):
        assert variable_profit_at(l_star * factor, demand, phi, capital, wage, p_m) < best


def test_revenue_is_price_times_quantity_on_the_demand_curve():
    demand, revenue = 3.0, 12.0
    price = MSME.price(revenue, demand, T)
    quantity = revenue / price
    assert quantity == pytest.approx(demand * price**-T.sigma, rel=1e-12)


def test_markup_pricing_with_constant_marginal_cost():
    """At the optimum, price = sigma/(sigma-1) x marginal cost.  Marginal cost from a
    tiny increase in output bought with extra labour and materials in proportion."""
    demand, phi, capital, wage, p_m = 2.0, 1.5, 4.0, 1.0, 1.0
    r = MSME.optimal_revenue(demand, phi, capital, wage, p_m, T)
    price = MSME.price(r, demand, T)
    # Cost-minimising marginal cost at output q: d(wL + p_m M)/dq with L, M scaled together.
    labour, materials = MSME.optimal_labour(r, wage, T), MSME.materials_spend(r, T) / p_m
    q = phi * capital**T.beta * labour**T.alpha * materials**T.gamma
    h = 1e-6
    q_up = phi * capital**T.beta * (labour * (1 + h)) ** T.alpha * (materials * (1 + h)) ** T.gamma
    marginal_cost = (wage * labour + p_m * materials) * h / (q_up - q)
    assert price == pytest.approx(T.sigma / (T.sigma - 1) * marginal_cost, rel=1e-4)


def test_tfp_multiplies_its_factors():
    phi = MSME.tfp(np.log(2.0), 0.0, 2, 0.5, 0.1, 0.2, tech_step=0.15, skill_lift=0.3)
    assert phi == pytest.approx(2.0 * 1.15**2 * 1.15 * 1.1 * 1.2)
    assert MSME.tfp(0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.15, 0.3) == 1.0


def test_certified_exporter_faces_more_demand():
    b_dom, b_tot = MSME.demand_shifter(np.array([0, 1, 1]), np.array([0, 0, 1]), 0.1, 2.0, 0.5)
    assert b_dom.tolist() == pytest.approx([2.0, 2.2, 2.2])
    assert b_tot.tolist() == pytest.approx([2.0, 2.2, 2.2 + 1.1 * 0.5])


def test_gain_formulas_match_recomputed_profits():
    demand, phi, capital, wage, p_m = 1.0, 1.0, 2.0, 0.8, 1.0
    base = MSME.variable_profit(MSME.optimal_revenue(demand, phi, capital, wage, p_m, T), T)
    lifted = MSME.variable_profit(MSME.optimal_revenue(demand, phi * 1.1, capital, wage, p_m, T), T)
    assert MSME.gain_from_tfp(base, 0.1, T) == pytest.approx(lifted - base, rel=1e-10)
    more = MSME.variable_profit(MSME.optimal_revenue(demand * 1.5, phi, capital, wage, p_m, T), T)
    assert MSME.gain_from_demand(base, 1.5, T) == pytest.approx(more - base, rel=1e-10)


def test_workforce_adjustment_limits():
    assert MSME.adjust_workforce(10.0, 20.0, 1.0) == 20.0  # no friction: jump to the optimum
    assert MSME.adjust_workforce(10.0, 20.0, 0.25) == 12.5


# ---------------------------------------------------------------- capital and finance
def test_desired_capital_equates_marginal_product_and_user_cost():
    demand, phi, wage, p_m, user_cost = 1.0, 1.0, 1.0, 1.0, 0.06
    capital = 3.0
    r = MSME.optimal_revenue(demand, phi, capital, wage, p_m, T)
    k_star = MSME.desired_capital(r, capital, user_cost, T)
    r_at_star = MSME.optimal_revenue(demand, phi, k_star, wage, p_m, T)
    assert T.beta * T.rho * r_at_star / k_star == pytest.approx(user_cost, rel=1e-9)


def test_investment_replaces_depreciation_and_is_never_negative():
    assert MSME.investment(100.0, 100.0, 0.025, 0.25) == pytest.approx(2.5)
    assert MSME.investment(100.0, 0.0, 0.025, 0.25) == 0.0


def test_user_cost_uses_the_rate_the_firm_can_borrow_at():
    cost = MSME.user_cost(
        np.array([True, False, False]), np.array([False, True, False]), 0.03, 0.1, 0.01, 0.02
    )
    # bank access (subsidised), own cash at the bank rate (no subsidy), moneylender
    assert cost.tolist() == pytest.approx([0.04, 0.05, 0.12])


@given(principal=st.floats(1.0, 1e4), rate=st.floats(0.0, 0.2), term=st.integers(1, 40))
def test_annuity_repays_the_loan_exactly_over_its_term(principal, rate, term):
    payment = annuity(principal, rate, term)
    debt = principal
    for _ in range(term):
        debt = debt * (1 + rate) - payment
    assert abs(debt) < 1e-8 * principal


def _bank(funds):
    bank = small_model(n_firms=4).bank
    bank.funds = funds
    return bank


def test_bank_rations_by_score_collateral_and_funds():
    bank = _bank(funds=25.0)
    request = np.array([10.0, 10.0, 10.0, 10.0])
    score = np.array([0.5, 0.1, 0.4, 0.3])  # firm 1 is below the bar
    room = np.array([10.0, 10.0, 4.0, 10.0])  # firm 2 has collateral for 4 only
    granted, approved = bank.ration(request, score, 0.2, room)
    # Best scores first: firm 0 (10), firm 2 (4), firm 3 (10) = 24 <= 25.
    assert granted.tolist() == [10.0, 0.0, 4.0, 10.0]
    assert approved.tolist() == [True, False, True, True]
    assert bank.funds == pytest.approx(1.0)
    poorer = _bank(funds=12.0)
    granted, _ = poorer.ration(request, score, 0.2, room)
    assert granted.tolist() == [
        10.0,
        0.0,
        0.0,
        0.0,
    ]  # firm 2 would overflow (10 + 4 > 12)... so would firm 3


def test_moneylender_lends_up_to_the_cap_at_its_rate():
    model = small_model(n_firms=3)
    lender, firms, rows = model.moneylender, model.firms, np.arange(3)
    debt_before, funds_before = firms.informal_debt[rows].copy(), lender.funds
    granted = lender.lend_up_to(firms, rows, np.array([5.0, 5.0, 0.0]), np.array([10.0, 2.0, 3.0]))
    assert granted.tolist() == [5.0, 2.0, 0.0]
    assert (firms.informal_debt[rows] - debt_before).tolist() == [5.0, 2.0, 0.0]
    assert lender.funds == pytest.approx(funds_before - 7.0)
    assert firms.informal_rate[:2].tolist() == [lender.rate] * 2 == [quarterly_rate(0.45)] * 2


# ---------------------------------------------------------------- facilities
def _cfc(capacity):
    model = mesa.Model(rng=0)
    grid = OrthogonalMooreGrid((5, 5), random=model.random)
    return CommonFacilityCentre(
        model,
        grid[(0, 0)],
        capacity_hours=capacity,
        uptime=0.5,
        hours_per_worker=10,
        fee_per_hour=0.01,
        travel_cost=0.1,
        lift=0.2,
        reach=4.0,
        opens_step=3,
        governance="spv",
        opex_cr=0.0,
    )


def test_cfc_lift_falls_with_distance_and_is_nil_at_zero_capacity():
    cfc = _cfc(1000.0)
    lift = cfc.lift_at(np.array([0.0, 4.0, 8.0]))
    assert lift[0] == pytest.approx(0.2)
    assert lift[1] == pytest.approx(0.2 / np.e)
    assert lift[0] > lift[1] > lift[2] > 0
    assert np.all(_cfc(0.0).lift_at(np.array([0.0, 1.0])) == 0.0)


def test_cfc_rations_hours_pro_rata_and_opens_after_its_lag():
    cfc = _cfc(1000.0)  # 500 hours available at 50 % uptime
    assert cfc.served_share(np.array([100.0, 100.0])) == 1.0
    assert cfc.served_share(np.array([500.0, 500.0])) == pytest.approx(0.5)
    assert not cfc.is_open(2) and cfc.is_open(3)


def test_lab_serves_oldest_requests_first_up_to_capacity():
    model = mesa.Model(rng=0)
    grid = OrthogonalMooreGrid((3, 3), random=model.random)
    lab = Lab(
        model,
        grid[(1, 1)],
        capacity_tests=2,
        uptime=1.0,
        fee=0.1,
        reach=5,
        opens_step=0,
        governance="spv",
        opex_cr=0.0,
    )
    served = lab.first_in_queue(np.array([5, 3, 3, 4]), np.array([0.9, 0.8, 0.1, 0.5]))
    assert served.tolist() == [2, 1]  # both step-3 requests, the better priority first


# ---------------------------------------------------------------- spillovers
def test_neighbour_share_limits_and_distance_decay():
    hood = Neighbourhood(width=30, decay_length=2.0)
    cells = np.array([0 * 30 + 0, 0 * 30 + 1, 29 * 30 + 29, 29 * 30 + 28])
    assert np.allclose(hood.share(cells, np.ones(4, bool)), 1.0)
    assert np.allclose(hood.share(cells, np.zeros(4, bool)), 0.0)
    # One doer in a far corner: its near neighbour sees it, the far pair does not.
    share = hood.share(cells, np.array([True, False, False, False]))
    assert share[1] > 0.3
    assert share[2] == 0.0 and share[3] == 0.0


# ---------------------------------------------------------------- time units
@given(st.floats(0.0, 2.0))
def test_quarterly_rate_compounds_to_the_annual_rate(annual):
    assert (1 + timeunits.quarterly_rate(annual)) ** 4 == pytest.approx(1 + annual, rel=1e-12)


@given(st.floats(0.0, 1.0))
def test_quarterly_hazard_keeps_yearly_survival(annual):
    assert (1 - timeunits.quarterly_hazard(annual)) ** 4 == pytest.approx(1 - annual, abs=1e-12)


# ---------------------------------------------------------------- size classes
def test_size_class_from_2025_thresholds():
    capital = np.array([250.0, 251.0, 100.0, 2_500.0, 12_000.0, 20_000.0])
    turnover = np.array([1_000.0, 500.0, 1_001.0, 10_000.0, 40_000.0, 10.0])
    assert MSME.size_class_index(capital, turnover).tolist() == [0, 1, 1, 1, 2, 3]


# ---------------------------------------------------------------- labour market
@given(
    fixed=st.floats(0.0, 1e4),
    flexible=st.floats(1.0, 1e4),
    w0=st.floats(0.1, 10.0),
    eta=st.floats(0.2, 20.0),
    eps=st.floats(1.0, 5.0),
)
def test_clearing_wage_equates_supply_and_demand(fixed, flexible, w0, eta, eps):
    supply = markets.LabourSupply(reference_jobs=2000.0, reference_wage=1.0, elasticity=eta)
    w = markets.clearing_wage(fixed, flexible, w0, supply, eps)
    demand = fixed + flexible * (w / w0) ** -eps
    assert demand == pytest.approx(supply.jobs(w), rel=1e-9)


def test_market_clearing_is_a_consistent_equilibrium():
    rng = np.random.default_rng(3)
    n = 50
    quality = 1 + 0.1 * (rng.random(n) < 0.3)
    foreign = np.where(rng.random(n) < 0.2, 0.4, 0.0)
    result = markets.clear(
        quality=quality,
        exporter_foreign_level=foreign,
        phi=np.exp(rng.normal(0, 0.3, n)),
        capital=rng.uniform(5, 20, n),
        workers_before=rng.uniform(5, 15, n),
        hiring_speed=0.6,
        wage_before=1.0,
        price_index_before=1.0,
        material_price=1.0,
        domestic_spending=400.0,
        outside_weight=0.7,
        supply=markets.LabourSupply(500.0, 1.0, 2.0),
        tech=T,
    )
    assert result.workers.sum() == pytest.approx(
        markets.LabourSupply(500.0, 1.0, 2.0).jobs(result.wage), rel=1e-9
    )
    index = (0.7 + np.sum(quality * result.price ** (1 - T.sigma))) ** (1 / (1 - T.sigma))
    assert result.price_index == pytest.approx(index, rel=1e-9)
    assert np.all(result.export_revenue[foreign == 0] == 0)
    assert np.allclose(result.domestic_revenue + result.export_revenue, result.revenue)


# ---------------------------------------------------------------- decisions
def test_export_choice_has_hysteresis_and_needs_a_certificate():
    exporter = np.array([True, False, False, True, False])
    certified = np.array([True, True, True, True, False])
    gain = np.array([5.0, 5.0, 12.0, 2.0, 50.0])
    # fixed cost 3; sunk cost 100 at a discount of 0.05 a quarter -> entry needs gain > 3 + 5
    stays, enters = MSME.export_choice(exporter, certified, gain, 3.0, 100.0, 0.05)
    assert stays.tolist() == [
        True,
        False,
        True,
        False,
        False,
    ]  # incumbent stays at 5, entrant needs 8
    assert enters.tolist() == [False, False, True, False, False]  # no certificate, no entry


def test_certification_is_sought_when_exporting_or_the_premium_pays():
    due = np.array([True, True, True, False, True])
    pending = np.array([False, False, False, False, True])
    export_gain = np.array([10.0, 0.0, 0.0, 10.0, 10.0])
    quality_gain = np.array([0.0, 1.0, 0.1, 1.0, 1.0])
    seek = MSME.seeks_certification(due, pending, export_gain, quality_gain, 4.0, 5.0, 12)
    assert seek.tolist() == [True, True, False, False, False]


def test_cfc_use_needs_awareness_an_open_centre_and_a_net_gain():
    use = MSME.uses_cfc(
        np.array([True, False, True, True]),
        True,
        np.array([5.0, 5.0, 1.0, 5.0]),
        2.0,
        np.array([1.0, 1.0, 1.0, 4.0]),
    )
    assert use.tolist() == [True, False, False, False]
    assert not MSME.uses_cfc(np.array([True]), False, np.array([5.0]), 0.0, np.array([0.0])).any()


def test_exit_after_the_loss_streak_or_by_hazard():
    out = MSME.exits(np.array([0, 4, 3, 0]), 4, np.array([0.5, 0.5, 0.5, 0.001]), 0.01)
    assert out.tolist() == [False, True, False, True]


def test_upgrade_only_when_heard_of_and_it_pays_back():
    out = MSME.wants_to_upgrade(
        np.array([True, True, False]), np.array([1.0, 0.1, 1.0]), 10.0, 0.05
    )
    assert out.tolist() == [True, False, False]
