"""The cluster at the start: where its cores are, the firms drawn (or read from a firm list),
and the initial equilibrium the rest of the economy is calibrated to.

The demand level and the TFP scale are chosen so that the start matches the
scenario's firm count, workers per firm, turnover per worker and domestic market
share; firms start at their long-run optimum (capital, labour) at the formal rate.
"""

from __future__ import annotations

import numpy as np

from ..inputs.params import SCHEMES
from .agents.msme import MSME
from .markets import LabourSupply
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
    firms.aware[:n] = rng.random((n, len(SCHEMES))) < p.awareness.initial
    if table is not None:
        rows = np.arange(n) % len(table["x"])
        x, y = table["x"][rows].astype(np.int32), table["y"][rows].astype(np.int32)
        # Firm ability is backed out of the reported workforce: long-run L ~ Phi^zeta_LR.
        workers = table["workers"][rows]
        firms.tfp_permanent[:n] = (
            np.log(workers / workers.mean()) / model.technology.long_run_tfp_exponent
        )
        firms.tfp_transitory[:n] = 0.0
        if "women_owned" in table:
            firms.women_owned[:n] = table["women_owned"][rows] > 0
        if "certified" in table:
            certified = table["certified"][rows] > 0
    firms.x[:n], firms.y[:n] = x, y
    firms.certified_until[:n] = np.where(certified, validity_left, -1)
    firms.skill[:n] = p.technology.initial_skill
    firms.alive[:n] = True


def calibrate_start(model, table) -> float:
    """Choose the demand level and TFP scale so the start matches the scenario's firm
    count, workers per firm, turnover per worker and domestic market share; firms
    start at their long-run optimum (capital, labour) at the formal rate.  Sets the
    markets' and firms' starting state; returns the start's quarterly sales."""
    p, tech, firms, markets, n = (
        model.p,
        model.technology,
        model.firms,
        model.markets,
        model.n_initial,
    )
    live = slice(0, n)
    mean_workers = p.cluster.mean_workers if table is None else float(table["workers"].mean())
    turnover_per_worker_q = per_quarter(p.cluster.turnover_per_worker_lakh)
    markets.wage = tech.alpha * tech.rho * turnover_per_worker_q
    markets.price_index = 1.0
    target_sales = n * mean_workers * turnover_per_worker_q
    user_cost = model.rates.formal_rate + model.rates.depreciation
    phi = firms.tfp(live)
    quality = firms.quality(live)
    foreign_ratio = markets.foreign_ratio()
    scale_exp_demand, scale_exp_tfp = tech.long_run_demand_exponent, tech.long_run_tfp_exponent
    exporter = np.zeros(n, dtype=bool)
    # Pass 1 without exporters; then certified firms for whom exporting pays export;
    # pass 2 recalibrates with them, so revenue and export status agree.
    for calibration_pass in (1, 2):
        unit = MSME.long_run_revenue_unit(
            quality,
            exporter,
            phi,
            markets.wage,
            user_cost,
            markets.material_price(),
            foreign_ratio,
            tech,
        )
        domestic_fraction = np.sum(unit / (1.0 + exporter * foreign_ratio)) / np.sum(unit)
        markets.domestic_spending = (
            target_sales * domestic_fraction / p.cluster.domestic_market_share
        )
        firms.tfp_scale = (
            target_sales / (markets.domestic_spending**scale_exp_demand * unit.sum())
        ) ** (1 / scale_exp_tfp)
        revenue = (
            markets.domestic_spending**scale_exp_demand * firms.tfp_scale**scale_exp_tfp * unit
        )
        if calibration_pass == 1:
            domestic_pi = MSME.variable_profit(revenue, tech)
            gain = MSME.gain_from_demand(domestic_pi, 1.0 + foreign_ratio, tech)
            exporter = (firms.certified_until[live] >= 0) & (gain > model.rates.export_fixed_cost)
    markets.outside_weight = 1.0 - p.cluster.domestic_market_share
    firms.overhead = p.dynamics.overhead_share * float(
        np.median(MSME.variable_profit(revenue, tech))
    )
    model.demography.calibrate_entry_threshold()
    firms.exporter[live] = exporter
    firms.capital[live] = MSME.long_run_capital(revenue, user_cost, tech)
    if table is not None and "capital_lakh" in table:
        given = table["capital_lakh"][np.arange(n) % len(table["x"])]
        firms.capital[live] = np.where(given > 0, given, firms.capital[live])
    firms.workers[live] = MSME.optimal_labour(revenue, markets.wage, tech)
    firms.sales[live] = revenue
    # Base-period prices for real value added and output (see Markets.clear).
    demand = quality * markets.domestic_spending * (1.0 + exporter * foreign_ratio)
    price = MSME.price(revenue, demand, tech)
    markets.base_price = float(revenue.sum() / (revenue / price).sum())
    markets.base_material_price = markets.material_price()
    markets.output_deflator = 1.0
    firms.price[live] = price
    firms.output[live] = markets.base_price * revenue / price
    firms.real_value_added[live] = revenue - MSME.materials_spend(revenue, tech)
    firms.export_sales[live] = revenue - revenue / (1.0 + exporter * foreign_ratio)
    firms.materials[live] = MSME.materials_spend(revenue, tech)
    firms.cash[live] = firms.cash_buffer(np.arange(n))
    firms.profit[live] = (
        MSME.variable_profit(revenue, tech) - user_cost * firms.capital[live] - firms.overhead
    )
    markets.labour_supply = LabourSupply(
        float(firms.workers[live].sum()), markets.wage, p.labour.supply_elasticity
    )
    return float(target_sales)
