"""Each mechanism alone: hand-checkable cases, first-order conditions and limits."""

from __future__ import annotations

import math

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

T = Technology(alpha=0.85, beta=0.10, sigma=8.0)
positive = st.floats(0.05, 50.0)


def profit_at(labour, demand, phi, capital, wage, cost, t=T):
    """Variable profit with the workforce fixed: revenue less wages and materials (Leontief)."""
    _, revenue, materials = MSME.output_given_labour(demand, phi, capital, labour, cost, t)
    return revenue - wage * labour - materials


# ---------------------------------------------------------------- production and demand
@given(demand=positive, phi=positive, capital=positive, wage=positive, cost=st.floats(0.0, 2.0))
def test_the_best_plan_is_where_marginal_revenue_meets_marginal_cost(
    demand, phi, capital, wage, cost
):
    """Profit is lower a little either side of L*, and the plan's revenue is that of L*."""
    plan = MSME.best_plan(demand, phi, capital, wage, cost, T)
    _, revenue, materials = MSME.output_given_labour(demand, phi, capital, plan.labour, cost, T)
    assert revenue == pytest.approx(plan.revenue, rel=1e-10) and materials == pytest.approx(
        plan.materials, rel=1e-10
    )
    best = profit_at(plan.labour, demand, phi, capital, wage, cost)
    assert best == pytest.approx(plan.profit, rel=1e-10)
    for factor in (0.999, 1.001):
        assert profit_at(plan.labour * factor, demand, phi, capital, wage, cost) < best


def test_without_materials_the_plan_is_the_cobb_douglas_closed_form():
    """Limit case: c = 0 gives w L* = alpha rho R* and R* = [B^(1/sigma) (Phi K^beta)^rho
    (alpha rho / w)^(alpha rho)]^(1/(1 - alpha rho))."""
    demand, phi, capital, wage = 3.0, 1.5, 4.0, 0.7
    plan = MSME.best_plan(demand, phi, capital, wage, 0.0, T)
    a, r = T.alpha, T.rho
    closed = (
        demand ** (1 / T.sigma) * (phi * capital**T.beta) ** r * (a * r / wage) ** (a * r)
    ) ** (1 / (1 - a * r))
    assert plan.revenue == pytest.approx(closed, rel=1e-12)
    assert wage * plan.labour == pytest.approx(a * r * plan.revenue, rel=1e-12)


def test_price_is_a_markup_over_marginal_cost_and_on_the_demand_curve():
    """p = sigma / (sigma - 1) x marginal cost, marginal cost being materials plus the labour for
    one more unit of output; q = B p^(-sigma)."""
    demand, phi, capital, wage, cost = 2.0, 1.5, 4.0, 1.0, 0.6
    plan = MSME.best_plan(demand, phi, capital, wage, cost, T)
    assert plan.output == pytest.approx(demand * plan.price**-T.sigma, rel=1e-12)
    h = 1e-7
    output_up, _, materials_up = MSME.output_given_labour(
        demand, phi, capital, plan.labour * (1 + h), cost, T
    )
    marginal_cost = (wage * plan.labour * h + materials_up - plan.materials) / (
        output_up - plan.output
    )
    assert plan.price == pytest.approx(T.sigma / (T.sigma - 1) * marginal_cost, rel=1e-6)
    # Materials' share of sales: rho times their share of marginal cost, so always below rho.
    assert plan.materials / plan.revenue == pytest.approx(
        T.rho * (cost / phi) / marginal_cost, rel=1e-6
    )


def test_materials_damp_the_response_of_output_to_tfp_but_tfp_saves_materials_too():
    """TFP is Hicks-neutral on gross output: 10 % more TFP lowers every unit cost by a tenth, so the
    price falls and output rises; materials per unit of output fall with it."""
    demand, capital, wage, cost = 2.0, 4.0, 1.0, 0.6
    base, lifted = (MSME.best_plan(demand, phi, capital, wage, cost, T) for phi in (1.0, 1.1))
    assert lifted.price < base.price and lifted.output > base.output
    assert lifted.materials / lifted.output < base.materials / base.output


def test_tfp_multiplies_its_factors():
    phi = MSME.tfp(np.log(2.0), 0.0, 2, 0.5, 0.1, 0.2, tech_step=0.15, skill_lift=0.3)
    assert phi == pytest.approx(2.0 * 1.15**2 * 1.15 * 1.1 * 1.2)
    assert MSME.tfp(0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.15, 0.3) == 1.0


def test_certified_exporter_faces_more_demand():
    b_dom, b_tot = MSME.demand_shifter(np.array([0, 1, 1]), np.array([0, 0, 1]), 0.1, 2.0, 0.5)
    assert b_dom.tolist() == pytest.approx([2.0, 2.2, 2.2])
    assert b_tot.tolist() == pytest.approx([2.0, 2.2, 2.2 + 1.1 * 0.5])


def test_a_gain_is_the_difference_of_best_plans():
    demand, phi, capital, wage, cost = 1.0, 1.0, 2.0, 0.8, 0.5
    base = MSME.best_plan(demand, phi, capital, wage, cost, T)
    lifted = MSME.best_plan(demand, phi * 1.1, capital, wage, cost, T)
    assert MSME.gain(base, lifted) == pytest.approx(lifted.profit - base.profit, rel=1e-14)
    assert MSME.gain(base, lifted) > 0


def test_workforce_adjustment_limits():
    assert MSME.adjust_workforce(10.0, 20.0, 1.0) == 20.0  # no friction: jump to the optimum
    assert MSME.adjust_workforce(10.0, 20.0, 0.25) == 12.5


# ---------------------------------------------------------------- capital and finance
def test_desired_capital_equates_marginal_product_and_user_cost():
    """At K*, with labour and materials chosen, one more rupee of capital earns the user cost."""
    demand, phi, wage, cost, user_cost = 1.0, 1.0, 1.0, 0.5, 0.06
    k_star = MSME.desired_capital(demand, phi, wage, user_cost, cost, T)
    h = 1e-6
    up, down = (
        MSME.best_plan(demand, phi, k_star * (1 + d), wage, cost, T).profit for d in (h, -h)
    )
    assert (up - down) / (2 * h * k_star) == pytest.approx(user_cost, rel=1e-5)


def test_investment_replaces_depreciation_and_is_never_negative():
    assert MSME.investment(100.0, 100.0, 0.025, 0.25) == pytest.approx(2.5)
    assert MSME.investment(100.0, 0.0, 0.025, 0.25) == 0.0


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
def _cfc(capacity, step=3):
    """A CFC that opens at step 3 (no ramp-up), seen at ``step``."""
    model = mesa.Model(rng=0)
    model.steps = step
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
        opex_cr=0.0,
    )


def test_cfc_lift_falls_with_distance_and_is_nil_at_zero_capacity():
    cfc = _cfc(1000.0)
    lift = cfc.lift_at(np.array([0.0, 4.0, 8.0]))
    assert lift[0] == pytest.approx(0.2)
    assert lift[1] == pytest.approx(0.2 / np.e)
    assert lift[0] > lift[1] > lift[2] > 0
    assert np.all(_cfc(0.0).lift_at(np.array([0.0, 1.0])) == 0.0)
    assert np.all(_cfc(1000.0, step=2).lift_at(np.array([0.0, 1.0])) == 0.0)  # not open yet


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
def _supply(pool=5000.0, median=0.7, dispersion=0.6, intensity_share=0.3, intensity=0.7):
    return markets.LabourSupply(
        pool=pool,
        log_median=np.log(median),
        dispersion=dispersion,
        intensity_share=intensity_share,
        log_intensity=np.log(intensity),
    )


@given(
    fixed=st.floats(0.0, 1e3),
    flexible=st.floats(1.0, 1e3),
    w0=st.floats(0.1, 10.0),
    dispersion=st.floats(0.2, 1.5),
    eps=st.floats(1.0, 5.0),
)
def test_clearing_wage_equates_supply_and_demand(fixed, flexible, w0, dispersion, eps):
    supply = _supply(pool=2000.0, dispersion=dispersion)

    def wanted(log_w):  # constant-elasticity demand, and its derivative in log w
        jobs = flexible * np.exp(-eps * (log_w - np.log(w0)))
        return jobs, -eps * jobs

    w = markets.clearing_wage(fixed, wanted, np.log(w0), supply)
    demand = fixed + flexible * (w / w0) ** -eps
    assert demand == pytest.approx(supply.jobs(w), rel=1e-8)


def test_labour_supply_is_the_lognormal_cdf_and_its_net_jobs_add_up():
    """Monte Carlo check of the closed forms: outside earnings r = daily wage x u (independent
    lognormals, u carrying 30 % of the variance); the 400 of 1,000 with the lowest r are
    employed."""
    supply = _supply(pool=1000.0, median=1.0, dispersion=0.5, intensity_share=0.3, intensity=0.7)
    assert supply.jobs(1.0) == pytest.approx(
        500.0
    )  # half the pool earns less than the median outside
    rng, n = np.random.default_rng(0), 2_000_000
    log_u = np.log(0.7) + np.sqrt(0.3) * 0.5 * rng.standard_normal(n)
    log_r = log_u + (0.0 - np.log(0.7)) + np.sqrt(0.7) * 0.5 * rng.standard_normal(n)
    employed = np.argsort(log_r)[: int(0.4 * n)]
    scale = 1000.0 / n
    assert supply.forgone_earnings(400.0) == pytest.approx(
        np.exp(log_r[employed]).sum() * scale, rel=3e-3
    )
    assert supply.outside_employment(400.0) == pytest.approx(
        np.exp(log_u[employed]).sum() * scale, rel=3e-3
    )
    # Better-paid recruits had more work outside: the marginal recruit adds fewer net jobs than the
    # average.
    marginal = supply.outside_employment(401.0) - supply.outside_employment(400.0)
    assert marginal > supply.outside_employment(400.0) / 400.0
    # With outside employment independent of earnings, net jobs are a fixed share of jobs.
    flat = _supply(pool=1000.0, median=1.0, dispersion=0.5, intensity_share=0.0, intensity=0.7)
    assert flat.outside_employment(400.0) == pytest.approx(0.7 * 400.0, rel=1e-12)


def _demand(
    *,
    spending=400.0,
    eta=1.0,
    share=0.3,
    eps=3.0,
    cost=1.0,
    foreign_outside=1e6,
    trade=1.0,
    foreign_spending=0.0,
    foreign_ratio=1.0,
):
    outside = 1.0 - share
    return markets.Demand(
        spending_at_start=spending,
        upper_elasticity=eta,
        outside_mass=outside,
        outside_supply_at_start=outside * spending,
        outside_supply_elasticity=eps,
        outside_cost=cost,
        foreign_spending=foreign_spending,
        foreign_spending_ratio=foreign_ratio,
        foreign_outside_mass=foreign_outside,
        foreign_log_index_at_start=0.0,
        trade_factor=trade,
    )


def _clear(demand, phi_scale=1.0, n=50, hiring_speed=0.6, seed=3, **kw):
    rng = np.random.default_rng(seed)
    quality = 1 + 0.1 * (rng.random(n) < 0.3)
    exporter = rng.random(n) < 0.2
    phi = np.exp(rng.normal(0, 0.3, n)) * phi_scale
    return (
        quality,
        exporter,
        markets.clear(
            quality=quality,
            exporter=exporter,
            phi=phi,
            capital=rng.uniform(5, 20, n),
            workers_before=rng.uniform(5, 15, n),
            hiring_speed=hiring_speed,
            wage_before=1.0,
            price_index_before=1.0,
            foreign_price_index_before=1.0,
            material_cost=0.3,
            demand=demand,
            supply=kw.get("supply", _supply()),
            tech=T,
        ),
    )


def test_market_clearing_is_a_consistent_equilibrium():
    demand = _demand(
        eta=1.5,
        eps=2.0,
        cost=0.9,
        foreign_outside=3.0,
        trade=1.1,
        foreign_spending=300.0,
        foreign_ratio=1.2,
    )
    quality, exporter, result = _clear(demand)
    assert result.workers.sum() == pytest.approx(_supply().jobs(result.wage), rel=1e-9)
    sigma = T.sigma
    # Outside producers sell what they supply at their price.
    outside_demand = (
        0.7 * result.spending * result.price_index ** (sigma - 1) * result.outside_price**-sigma
    )
    assert outside_demand == pytest.approx(
        0.7 * 400.0 * (result.outside_price / 0.9) ** 2.0, rel=1e-8
    )
    # Spending responds to the price index; each index is consistent with the prices in it.
    assert result.spending == pytest.approx(400.0 * result.price_index ** (1 - 1.5), rel=1e-12)
    index = (
        0.7 * result.outside_price ** (1 - sigma) + np.sum(quality * result.price ** (1 - sigma))
    ) ** (1 / (1 - sigma))
    assert result.price_index == pytest.approx(index, rel=1e-9)
    # Foreign competitors sell what they supply (demand and supply relative to the start, where
    # P* = p*_o = 1 and the foreign spending ratio was 1), and the foreign index holds their price.
    p_star, index_star = result.foreign_outside_price, result.foreign_price_index
    assert 1.2 * index_star ** (sigma - 1) * p_star**-sigma == pytest.approx(
        (p_star / 0.9) ** 2.0, rel=1e-8
    )
    foreign = (
        3.0 * p_star ** (1 - sigma)
        + np.sum(quality[exporter] * (result.price[exporter] / 1.1) ** (1 - sigma))
    ) ** (1 / (1 - sigma))
    assert index_star == pytest.approx(foreign, rel=1e-9)
    assert np.all(result.export_revenue[~exporter] == 0) and np.all(
        result.export_revenue[exporter] > 0
    )
    assert np.allclose(result.domestic_revenue + result.export_revenue, result.revenue)
    # Domestic spending is the cluster's domestic sales plus the outside producers'.
    outside_sales = (
        0.7
        * result.spending
        * result.price_index ** (sigma - 1)
        * result.outside_price ** (1 - sigma)
    )
    assert result.domestic_revenue.sum() + outside_sales == pytest.approx(result.spending, rel=1e-9)


def test_foreign_competitors_pass_their_cost_on_as_their_supply_allows():
    """Limit cases (closed form) of foreign competitors' price: with infinitely elastic supply
    they price at unit cost; with a fixed supply their price only clears demand,
    p*_o^sigma = (E*/E*_0) (P*/P*_0)^(sigma-1)."""
    sigma, cost, log_pf = T.sigma, 0.8, math.log(0.9)
    elastic = _demand(eps=1e9, cost=cost, foreign_outside=2.0, foreign_ratio=1.3)
    assert elastic.foreign_outside_log_price(log_pf, sigma) == pytest.approx(
        math.log(cost), abs=1e-6
    )
    rigid = _demand(eps=0.0, cost=cost, foreign_outside=2.0, foreign_ratio=1.3)
    assert rigid.foreign_outside_log_price(log_pf, sigma) == pytest.approx(
        (math.log(1.3) + (sigma - 1) * log_pf) / sigma, rel=1e-12
    )
    assert rigid.foreign_outside_term(log_pf, sigma) == pytest.approx(
        2.0 * math.exp((1 - sigma) * rigid.foreign_outside_log_price(log_pf, sigma)), rel=1e-12
    )


def test_with_spending_fixed_a_cluster_that_is_its_whole_market_gains_no_jobs_from_tfp():
    """Limit case (closed form): with one market to itself (no outside producers, no exports) and
    fixed spending (eta = 1), total sales equal spending whatever TFP is; at unchanged workforces
    and capital the bundle and its materials are unchanged too, so the wage bill alpha (rho E -
    materials) is what it was and labour demand still meets supply: the wage and employment stay
    put, and a uniform TFP gain only lowers prices."""
    demand = _demand(eta=1.0, share=1.0)
    _, _, before = _clear(demand, hiring_speed=1.0)
    _, _, after = _clear(demand, phi_scale=1.10, hiring_speed=1.0)
    assert after.workers.sum() == pytest.approx(before.workers.sum(), rel=1e-9)
    assert after.wage == pytest.approx(before.wage, rel=1e-9)
    assert after.revenue.sum() == pytest.approx(400.0, rel=1e-9) == before.revenue.sum()
    assert after.price_index < 0.95 * before.price_index


def test_with_elastic_spending_the_whole_market_cluster_gains_jobs_as_the_closed_form_says():
    """eta > 1, the same whole market: sales are E0 P^(1 - eta), rising as TFP lowers P; each firm's
    wage bill is alpha (rho R - materials) (labour's share of the bundle's marginal cost), so jobs
    rise."""
    demand = _demand(eta=2.0, share=1.0)
    for scale in (1.0, 1.10):
        _, _, result = _clear(demand, phi_scale=scale, hiring_speed=1.0)
        assert result.revenue.sum() == pytest.approx(
            400.0 * result.price_index ** (1 - 2.0), rel=1e-9
        )
        assert result.wage * result.workers == pytest.approx(
            T.alpha * (T.rho * result.revenue - result.materials), rel=1e-9
        )
        assert result.workers.sum() == pytest.approx(_supply().jobs(result.wage), rel=1e-9)
    _, _, before = _clear(demand, hiring_speed=1.0)
    _, _, after = _clear(demand, phi_scale=1.10, hiring_speed=1.0)
    assert after.workers.sum() > before.workers.sum() and after.price_index < before.price_index


def test_elastic_outside_supply_is_the_fixed_outside_price_limit():
    """eps large: outside producers' price is their cost, as in a model with fixed competitors."""
    _, _, elastic = _clear(
        _demand(eps=1000.0), phi_scale=0.3
    )  # a cluster with about a third of its market
    assert elastic.outside_price == pytest.approx(
        1.0, abs=1e-3
    )  # (demand / supply)^(1 / (sigma + eps))
    _, _, elastic_gain = _clear(_demand(eps=1000.0), phi_scale=0.33)
    _, _, rigid = _clear(_demand(eps=0.0), phi_scale=0.3)
    _, _, rigid_gain = _clear(_demand(eps=0.0), phi_scale=0.33)
    # With rigid outside supply the outside producers cut their price to keep their output: a TFP
    # gain takes less business from them, and the cluster gains fewer jobs.
    assert rigid_gain.outside_price < rigid.outside_price
    assert (
        0
        < rigid_gain.workers.sum() - rigid.workers.sum()
        < 0.8 * (elastic_gain.workers.sum() - elastic.workers.sum())
    )


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
