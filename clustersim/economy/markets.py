"""Markets: the domestic goods market, the export market, the local labour market and materials.

:class:`Markets` holds their state (the wage, the cluster's price index, the
export market's exchange rate, tariff and demand, the materials price) and
clears them each quarter: firms choose labour and materials optimally
(:mod:`clustersim.economy.agents.msme`) given the wage and the price index; the
wage clears the local labour market (upward-sloping supply) and the price index
is a fixed point of the firms' own prices (:func:`clear`).  Nothing here
assumes how many jobs or exports there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .agents.msme import MSME, Technology


@dataclass(frozen=True)
class LabourSupply:
    """L_s(w) = reference_jobs * (w / reference_wage) ** elasticity."""

    reference_jobs: float
    reference_wage: float
    elasticity: float

    def jobs(self, wage):
        return self.reference_jobs * (wage / self.reference_wage) ** self.elasticity


def clearing_wage(
    fixed_jobs, flexible_jobs_at_w0, w0, supply: LabourSupply, epsilon, tol=1e-13, max_iter=60
):
    """Solve  fixed + flexible * (w/w0)^(-epsilon) = L_s(w)  for w (Newton in log w).

    Demand falls and supply rises in w, so the root is unique.  With no labour
    demand at all there is no market: the previous wage ``w0`` is returned.
    """
    if fixed_jobs + flexible_jobs_at_w0 <= 0.0:
        return w0
    x0 = np.log(w0)
    x = x0
    log_ref_jobs, log_ref_wage, eta = (
        np.log(supply.reference_jobs),
        np.log(supply.reference_wage),
        supply.elasticity,
    )
    for _ in range(max_iter):
        flex = flexible_jobs_at_w0 * np.exp(-epsilon * (x - x0))
        demand = fixed_jobs + flex
        g = np.log(demand) - log_ref_jobs - eta * (x - log_ref_wage)
        slope = -epsilon * flex / demand - eta
        step = g / slope
        x -= step
        if abs(step) < tol:
            break
    return float(np.exp(x))


@dataclass
class Clearing:
    """What the markets settle on in a quarter (arrays over live firms)."""

    wage: float
    price_index: float
    workers: np.ndarray
    revenue: np.ndarray
    domestic_revenue: np.ndarray
    export_revenue: np.ndarray
    materials: np.ndarray
    price: np.ndarray
    iterations: int


def clear(
    *,
    quality,
    exporter_foreign_level,
    phi,
    capital,
    workers_before,
    hiring_speed,
    wage_before,
    price_index_before,
    material_price,
    domestic_spending,
    outside_weight,
    supply: LabourSupply,
    tech: Technology,
    tol=1e-12,
    max_iter=200,
) -> Clearing:
    """Find the wage and price index at which labour supply meets demand and the
    price index is consistent with every firm's price.

    ``quality`` is xi per firm; ``exporter_foreign_level`` is the foreign demand
    level of exporters (0 for others); ``domestic_spending`` is E, so domestic
    demand is ``xi E P^(sigma-1) p^(-sigma)``; ``outside_weight`` is the
    competitors' term of ``P^(1-sigma) = outside + sum xi p^(1-sigma)``.
    """
    sigma = tech.sigma
    epsilon = tech.labour_wage_elasticity
    fixed_jobs = (1.0 - hiring_speed) * float(workers_before.sum())
    w0 = wage_before

    def respond(log_p):
        """Everything that follows from a price index: wage, workforces, revenues, prices, and
        the price index those prices imply (the fixed-point map T)."""
        domestic_level = domestic_spending * np.exp((sigma - 1.0) * log_p)
        b_dom = quality * domestic_level
        demand = b_dom + quality * exporter_foreign_level
        desired_at_w0 = MSME.optimal_labour(
            MSME.optimal_revenue(demand, phi, capital, w0, material_price, tech), w0, tech
        )
        wage = clearing_wage(
            fixed_jobs, hiring_speed * float(desired_at_w0.sum()), w0, supply, epsilon
        )
        desired = desired_at_w0 * (wage / w0) ** (-epsilon)
        workers = MSME.adjust_workforce(workers_before, desired, hiring_speed)
        revenue = MSME.revenue_given_labour(demand, phi, capital, workers, material_price, tech)
        price = MSME.price(revenue, demand, tech)
        implied = np.log(outside_weight + float(np.sum(quality * price ** (1.0 - sigma)))) / (
            1.0 - sigma
        )
        return implied, (wage, b_dom, demand, workers, revenue, price)

    # Solve T(x) = x for x = log P by the secant method on T(x) - x (T is a contraction,
    # so a plain step is the safe fallback).  Typically 4-6 evaluations instead of 12-15.
    x_prev = np.log(price_index_before)
    t_prev, state = respond(x_prev)
    iteration, log_p = 1, t_prev
    if abs(t_prev - x_prev) >= tol:
        x = t_prev
        for iteration in range(2, max_iter + 1):  # noqa: B007 (reported after the loop)
            t_x, state = respond(x)
            gap, gap_prev = t_x - x, t_prev - x_prev
            log_p = t_x
            if abs(gap) < tol:
                break
            slope = gap - gap_prev
            step = -gap * (x - x_prev) / slope if slope != 0.0 else gap
            if not np.isfinite(step) or abs(step) > 10 * abs(gap) + 1e-12:
                step = gap  # fall back to a plain fixed-point step
            x_prev, t_prev, x = x, t_x, x + step
    wage, b_dom, demand, workers, revenue, price = state
    domestic_revenue = revenue * (b_dom / demand)
    return Clearing(
        wage=wage,
        price_index=float(np.exp(log_p)),
        workers=workers,
        revenue=revenue,
        domestic_revenue=domestic_revenue,
        export_revenue=revenue - domestic_revenue,
        materials=MSME.materials_spend(revenue, tech),
        price=price,
        iterations=iteration,
    )


def tornqvist_change(price_before, price_now, sales_before, sales_now) -> float:
    """Quarterly change of a matched-model Tornqvist price index: firms selling in both
    quarters, log price changes weighted by their mean sales shares.  Entry and exit do
    not move it (as in statistical offices' producer price indices)."""
    both = (price_before > 0) & (sales_before > 0) & (sales_now > 0)
    if not both.any():
        return 1.0
    share_before = sales_before[both] / sales_before[both].sum()
    share_now = sales_now[both] / sales_now[both].sum()
    weights = 0.5 * (share_before + share_now)
    return float(np.exp(np.sum(weights * np.log(price_now[both] / price_before[both]))))


class Markets:
    """The markets of the cluster and their prices (money in Rs lakh a quarter)."""

    def __init__(self, model):
        self.model = model
        export = model.p.market
        # The export market: exogenous, moved by shocks (scenario settings).
        self.exchange_rate = export.exchange_rate
        self.tariff = export.tariff
        self.foreign_demand_ratio = export.foreign_demand_ratio
        # Calibrated at the start (clustersim.economy.initial_cluster), then cleared every quarter.
        self.wage = math.nan  # Rs lakh per worker a quarter
        self.price_index = 1.0  # the cluster's domestic market, start = 1
        self.domestic_spending = math.nan  # E: spending on the product in the domestic market
        self.outside_weight = math.nan  # outside producers' term of the price index (held fixed)
        self.labour_supply: LabourSupply | None = None
        self.base_price = math.nan  # the start's average price (real output is valued at it)
        self.base_material_price = math.nan
        self.output_deflator = 1.0  # chained Tornqvist index of the cluster's prices

    def apply_shocks(self) -> None:
        """Export-market shocks whose quarter has come change the tariff,
        exchange rate or foreign demand."""
        quarter = self.model.quarter
        for shock in self.model.p.shocks:
            if quarter == shock.quarter + 1:
                for key in ("tariff", "exchange_rate", "foreign_demand_ratio"):
                    value = getattr(shock, key)
                    if value >= 0:
                        setattr(self, key, value)

    def material_price(self) -> float:
        """Materials price index: domestic part at 1, imported part at the exchange rate."""
        share = self.model.p.materials.imported_share
        return (1.0 - share) + share * self.exchange_rate

    def imported_share_of_materials(self) -> float:
        """Imported materials as a share of the value of all materials."""
        return self.model.p.materials.imported_share * self.exchange_rate / self.material_price()

    def domestic_level(self) -> float:
        """E P^(sigma - 1): the domestic demand level a firm of unit quality faces."""
        return self.domestic_spending * self.price_index ** (self.model.technology.sigma - 1.0)

    def foreign_ratio(self) -> float:
        """An exporter's foreign demand relative to its domestic demand at the start's prices:
        fdr (e / (1 + tariff))^sigma."""
        return (
            self.foreign_demand_ratio
            * (self.exchange_rate / (1.0 + self.tariff)) ** self.model.technology.sigma
        )

    def foreign_level(self) -> float:
        """Exporters' foreign demand level in rupees: E fdr (e / (1 + tariff))^sigma."""
        return (
            self.domestic_spending
            * self.foreign_demand_ratio
            * (self.exchange_rate / (1.0 + self.tariff)) ** self.model.technology.sigma
        )

    def clear(self, firms) -> None:
        """Wage and price index adjust until labour supply meets labour demand and the
        price index matches firms' prices; firms hire or fire towards their optimum, and
        their sales, materials, output and real value added follow."""
        model, live = self.model, firms.operating
        certified = firms.certified_until[live] >= model.steps
        firms.exporter[live] &= certified
        quality = firms.quality(live)
        foreign = self.foreign_level() * firms.exporter[live]
        result = clear(
            quality=quality,
            exporter_foreign_level=foreign,
            phi=firms.tfp_scale * firms.tfp(live),
            capital=firms.capital[live],
            workers_before=firms.workers[live],
            hiring_speed=model.p.labour.hiring_speed,
            wage_before=self.wage,
            price_index_before=self.price_index,
            material_price=self.material_price(),
            domestic_spending=self.domestic_spending,
            outside_weight=self.outside_weight,
            supply=self.labour_supply,
            tech=model.technology,
        )
        self.wage, self.price_index = result.wage, result.price_index
        self.output_deflator *= tornqvist_change(
            firms.price[live], result.price, firms.sales[live], result.revenue
        )
        firms.price[live] = result.price
        firms.workers[live] = result.workers
        firms.sales[live] = result.revenue
        firms.export_sales[live] = result.export_revenue
        firms.materials[live] = result.materials
        # Value added at base-period prices (double deflation): sales deflated by a chained
        # matched-model (Tornqvist) index of the cluster's prices, materials by their price index.
        firms.output[live] = self.base_price * result.revenue / result.price
        firms.real_value_added[live] = (
            result.revenue / self.output_deflator
            - result.materials * self.base_material_price / self.material_price()
        )
