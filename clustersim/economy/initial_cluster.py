"""The cluster at the start: where its cores are, the firms drawn (or read from a firm list),
and the initial equilibrium the rest of the economy is calibrated to.

The demand level and the TFP scale are chosen so that the start matches the
scenario's firm count, workers per firm, turnover per worker and domestic market
share; firms start at their long-run optimum (capital, labour) at the formal rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ..inputs.params import ADDED_SCHEMES, ORIGINAL_SCHEMES
from .agents.msme import MSME
from .firm_table import DOUBTED_SCHEMES
from .markets import LabourSupply
from .technology import Optimum, Technology, labour_tfp_elasticity, long_run
from .timeunits import per_quarter


def core_cells(n_cores: int, width: int) -> np.ndarray:
    """Centres of the cluster's cores (industrial estates):
    the grid's centre, or a ring around it."""
    centre = (width - 1) / 2.0
    if n_cores == 1:
        return np.array([[centre, centre]])
    angle = 2 * np.pi * np.arange(n_cores) / n_cores
    return np.column_stack([centre + width / 4 * np.cos(angle), centre + width / 4 * np.sin(angle)])


def place_firms(
    rng, count: int, cores: np.ndarray, spread: float, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Firm locations: around a core drawn at random, normally spread, inside the grid."""
    core = cores[rng.integers(0, len(cores), count)]
    xy = np.rint(core + rng.normal(0.0, spread, (count, 2)))
    xy = np.clip(xy, 0, width - 1).astype(np.int32)
    return xy[:, 0], xy[:, 1]


def upgrade_cost_factors(model, block: int, count: int) -> np.ndarray:
    """What an upgrade costs each of ``count`` firms relative to the median firm: lognormal, from
    its own stream (block 0: the initial firms; block b + 1: entrant-pool block b)."""
    rng = model.streams.get("upgrade_cost", block)
    return np.exp(model.p.technology.upgrade_cost_dispersion * rng.standard_normal(count))


def added_scheme_awareness(model, block: int, count: int) -> np.ndarray:
    """Whether each of ``count`` firms knows of each scheme added after the first ten, each
    scheme from a stream of its own (block 0: the initial firms; block b + 1: entrant-pool block
    b), so that adding a scheme moves no other draw."""
    streams, share = model.streams, model.p.awareness.initial
    draws = [
        streams.get("added_scheme_awareness", block, k).random(count)
        for k in range(len(ADDED_SCHEMES))
    ]
    return np.stack(draws, axis=1).reshape(count, len(ADDED_SCHEMES)) < share


def owner_doubts(model, block: int, count: int) -> np.ndarray:
    """Whether each of ``count`` owners doubts each scheme of ``DOUBTED_SCHEMES`` would pay, each
    scheme from a stream of its own (block 0: the initial firms; block b + 1: entrant-pool block
    b)."""
    streams, share = model.streams, model.p.owners.doubt_share
    draws = [
        streams.get("owner_doubt", block, k).random(count) for k in range(len(DOUBTED_SCHEMES))
    ]
    return np.stack(draws, axis=1).reshape(count, len(DOUBTED_SCHEMES)) < share


def draw_initial_firms(model, table) -> None:
    """The firms of the start: drawn from the scenario's distributions, or from its firm list."""
    p, firms, n = model.p, model.firms, model.n_initial
    rng = model.streams.get("initial_firms")
    x, y = place_firms(rng, n, model.cores, p.cluster.core_spread, model.width)
    firms.tfp_permanent[:n] = rng.normal(0.0, p.technology.tfp_dispersion, n)
    stationary_sd = p.technology.tfp_shock_sd / np.sqrt(1.0 - p.technology.tfp_persistence**2)
    firms.tfp_transitory[:n] = rng.normal(0.0, stationary_sd, n)
    firms.women_owned[:n] = rng.random(n) < p.cluster.women_owned_share
    certified = rng.random(n) < p.cluster.certified_share
    validity_left = rng.integers(1, p.market.certification_validity + 1, n)
    firms.tech_level[:n] = (rng.random(n) < p.technology.initial_upgraded_share) & (
        p.technology.tech_levels > 1
    )
    firms.aware[:n, : len(ORIGINAL_SCHEMES)] = (
        rng.random((n, len(ORIGINAL_SCHEMES))) < p.awareness.initial
    )
    firms.aware[:n, len(ORIGINAL_SCHEMES) :] = added_scheme_awareness(model, 0, n)
    if table is not None:
        rows = np.arange(n) % len(table["x"])
        x, y = table["x"][rows].astype(np.int32), table["y"][rows].astype(np.int32)
        # Firm ability is backed out of the reported workforce: long-run L ~ Phi^zeta_LR.
        workers = table["workers"][rows]
        firms.tfp_permanent[:n] = np.log(workers / workers.mean()) / labour_tfp_elasticity(
            model.technology, p.technology.materials_share
        )
        firms.tfp_transitory[:n] = 0.0
        if "women_owned" in table:
            firms.women_owned[:n] = table["women_owned"][rows] > 0
        if "certified" in table:
            certified = table["certified"][rows] > 0
    firms.x[:n], firms.y[:n] = x, y
    firms.certified_until[:n] = np.where(certified, validity_left, -1)
    firms.skill[:n] = p.technology.initial_skill
    firms.upgrade_cost_factor[:n] = upgrade_cost_factors(model, 0, n)
    firms.doubts[:n] = owner_doubts(model, 0, n)
    firms.alive[:n] = True
    firms.formal_access[:n] = True  # no firm has been refused yet


def calibrate_start(model, table) -> float:
    """Choose domestic spending, the TFP scale, the materials a unit of the capital-labour bundle
    needs and the wage so that the start matches the scenario's firm count, workers per firm,
    turnover per worker, materials share of sales and domestic market share, every firm at its
    long-run optimum (capital, labour) at the formal rate.  Sets the markets' and firms' starting
    state; returns the start's quarterly sales."""
    p, tech, firms, markets, n = (
        model.p,
        model.technology,
        model.firms,
        model.markets,
        model.n_initial,
    )
    live = slice(0, n)
    mean_workers = p.cluster.mean_workers if table is None else float(table["workers"].mean())
    sales_per_worker = per_quarter(p.cluster.turnover_per_worker_lakh)
    target_sales = n * mean_workers * sales_per_worker
    user_cost = model.rates.formal_rate + model.rates.depreciation
    relative_tfp, quality = firms.tfp(live), firms.quality(live)
    foreign_ratio = markets.foreign_ratio()
    exporter = np.zeros(n, dtype=bool)
    targets = StartTargets(
        target_sales,
        sales_per_worker,
        p.technology.materials_share,
        p.cluster.domestic_market_share,
    )
    # Pass 1 without exporters; then certified firms for whom exporting pays export;
    # pass 2 recalibrates with them, so revenue and export status agree.
    for calibration_pass in (1, 2):
        demand_factor = quality * (1.0 + exporter * foreign_ratio)
        start = solve_start(
            targets, demand_factor, exporter * foreign_ratio, relative_tfp, user_cost, tech
        )
        if table is not None:  # each firm's ability, so that its workforce is the list's
            listed = table["workers"][np.arange(n) % len(table["x"])]
            elasticity = labour_tfp_elasticity(tech, p.technology.materials_share)
            for _ in range(50):
                gap = np.log(listed / listed.sum()) - np.log(
                    start.plan.labour / start.plan.labour.sum()
                )
                if np.max(np.abs(gap)) < 1e-9:
                    break
                firms.tfp_permanent[:n] += gap / elasticity
                relative_tfp = firms.tfp(live)
                start = solve_start(
                    targets, demand_factor, exporter * foreign_ratio, relative_tfp, user_cost, tech
                )
        if calibration_pass == 1:
            home = MSME.best_plan(
                start.spending * quality,
                start.tfp_scale * relative_tfp,
                start.plan.capital,
                start.wage,
                start.material_cost,
                tech,
            )
            abroad = MSME.best_plan(
                start.spending * quality * (1.0 + foreign_ratio),
                start.tfp_scale * relative_tfp,
                start.plan.capital,
                start.wage,
                start.material_cost,
                tech,
            )
            gain = MSME.gain(home, abroad)
            exporter = (firms.certified_until[live] >= 0) & (gain > model.rates.export_fixed_cost)
    plan = start.plan
    markets.wage, markets.spending, markets.price_index = start.wage, start.spending, 1.0
    markets.domestic_sales = p.cluster.domestic_market_share * start.spending
    firms.tfp_scale = start.tfp_scale
    firms.materials_per_bundle = start.material_cost / markets.material_price()
    calibrate_domestic_market(markets, p.cluster.domestic_market_share)
    variable_profit = plan.profit + user_cost * plan.capital  # before the cost of capital
    firms.overhead = p.dynamics.overhead_share * float(np.median(variable_profit))
    model.demography.calibrate_entry_threshold()
    firms.exporter[live] = exporter
    firms.capital[live] = plan.capital
    if table is not None and "capital_lakh" in table:
        given = table["capital_lakh"][np.arange(n) % len(table["x"])]
        firms.capital[live] = np.where(given > 0, given, firms.capital[live])
    firms.workers[live] = plan.labour
    firms.sales[live] = plan.revenue
    # Base-period price for physical output (see Markets.clear).
    markets.base_price = float(plan.revenue.sum() / plan.output.sum())
    markets.output_deflator = 1.0
    firms.price[live] = plan.price
    firms.output[live] = markets.base_price * plan.output
    firms.real_value_added[live] = plan.revenue - plan.materials
    firms.export_sales[live] = plan.revenue - plan.revenue / (1.0 + exporter * foreign_ratio)
    firms.materials[live] = plan.materials
    firms.cash[live] = firms.cash_buffer(np.arange(n))
    # Buyers owe the part of the last quarter's sales they pay a quarter later.
    firms.receivables[live] = p.finance.credit_sales_share * plan.revenue
    # ... and they hold their stock of materials.
    firms.materials_stock[live] = p.finance.stock_quarters * plan.materials
    firms.profit[live] = plan.profit - firms.overhead
    calibrate_export_market(
        markets, quality, exporter, plan.price, p.cluster.export_market_share, tech.sigma
    )
    jobs = float(firms.workers[live].sum())
    markets.outside_jobs_at_start = jobs * markets.outside_sales() / float(plan.revenue.sum())
    markets.labour_supply = calibrate_labour_supply(jobs, markets.wage, p.labour)
    return float(target_sales)


@dataclass(frozen=True)
class StartTargets:
    """What the start must match: quarterly sales, sales per worker, materials share of sales and
    the cluster's share of its domestic market."""

    sales: float
    sales_per_worker: float
    materials_share: float
    domestic_share: float


@dataclass(frozen=True)
class Start:
    spending: float  # E, domestic spending on the product (P = 1)
    tfp_scale: float
    material_cost: float  # per unit of the capital-labour bundle
    wage: float
    plan: Optimum  # every firm's long-run plan


def solve_start(
    targets: StartTargets, demand_factor, export_factor, relative_tfp, user_cost, tech: Technology
) -> Start:
    """The spending, TFP scale, materials cost and wage at which every firm's long-run plan
    (demand ``spending * demand_factor``) adds up to the targets: four equations, solved in logs
    from the representative firm's exact solution."""
    n = len(relative_tfp)
    sales, per_worker, share_m = targets.sales, targets.sales_per_worker, targets.materials_share
    margin = tech.rho - share_m  # the capital-labour bundle's share of revenue at marginal cost
    revenue, labour = sales / n, sales / n / per_worker
    wage = tech.alpha * margin * per_worker
    capital = tech.beta * margin * revenue / user_cost
    bundle = capital**tech.beta * labour**tech.alpha
    spending = sales / targets.domestic_share
    scale = (revenue * spending ** (-1.0 / tech.sigma)) ** (1.0 / tech.rho) / bundle
    guess = np.log([spending, scale, share_m * revenue / bundle, wage])

    def plan_at(z) -> Optimum:
        spending, scale, cost, wage = np.exp(z)
        return long_run(spending * demand_factor, scale * relative_tfp, wage, user_cost, cost, tech)

    def gaps(z):
        plan = plan_at(z)
        domestic = np.sum(plan.revenue / (1.0 + export_factor))
        return [
            np.log(plan.revenue.sum() / sales),
            np.log(plan.materials.sum() / (share_m * sales)),
            np.log(plan.labour.sum() * per_worker / sales),
            np.log(domestic / (targets.domestic_share * np.exp(z[0]))),
        ]

    solution = optimize.root(gaps, guess, method="hybr", options={"xtol": 1e-13})
    if np.max(np.abs(gaps(solution.x))) > 1e-9:  # (hybr may stop "without progress" at round-off)
        raise ValueError(f"the start could not be calibrated ({solution.message})")
    spending, scale, cost, wage = np.exp(solution.x)
    return Start(spending, scale, cost, wage, plan_at(solution.x))


def calibrate_domestic_market(markets, cluster_share: float) -> None:
    """Outside producers hold the rest of the domestic market at the start: with P = p_o = 1,
    their mass is 1 - the cluster's share and their supply what they sell then."""
    markets.spending_at_start = markets.spending
    markets.outside_mass = 1.0 - cluster_share
    markets.outside_supply_at_start = markets.outside_mass * markets.spending
    markets.price_index = markets.outside_price = 1.0


def calibrate_export_market(markets, quality, exporter, price, share: float, sigma: float) -> None:
    """Foreign competitors' term of the foreign price index, so that the cluster's exporters hold
    ``share`` of the foreign market at the start (all its firms, were none exporting yet); foreign
    spending, so that an exporter's foreign demand is ``foreign_demand_ratio`` times its domestic
    demand at the start's prices."""
    term = quality * (price / markets.trade_factor()) ** (1.0 - sigma)
    exporters = float(term[exporter].sum())
    base = exporters if exporters > 0 else float(term.sum())
    markets.foreign_outside_at_start = base * (1.0 - share) / share
    index_term = markets.foreign_outside_at_start + exporters  # P*^(1 - sigma)
    markets.foreign_price_index = index_term ** (1.0 / (1.0 - sigma))
    markets.foreign_log_index_at_start = math.log(markets.foreign_price_index)
    markets.foreign_spending_per_ratio = markets.spending_at_start * index_term


def calibrate_labour_supply(jobs: float, wage: float, terms) -> LabourSupply:
    """The pool of potential workers: at the start's wage exactly ``jobs`` of them want to work in
    the cluster, given how their reservation earnings compare with the wage; their mean log
    outside employment, so that the start's workers would have had ``outside_employment`` of a
    full-time job each, on average, outside the cluster."""
    median, dispersion = terms.reservation_ratio * wage, terms.reservation_dispersion
    pool = jobs / float(special.ndtr(math.log(wage / median) / dispersion))
    unit = LabourSupply(pool, math.log(median), dispersion, terms.intensity_share, 0.0)
    log_intensity = math.log(terms.outside_employment * jobs / unit.outside_employment(jobs))
    return LabourSupply(pool, math.log(median), dispersion, terms.intensity_share, log_intensity)
