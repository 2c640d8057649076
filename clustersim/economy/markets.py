"""Market clearing: the wage, the cluster price index, and every firm's
workforce, output and sales within the quarter.

Firms choose labour and materials optimally (:mod:`clustersim.agents.msme`)
given the wage and the price index; the wage clears the local labour market
(upward-sloping supply) and the price index is a fixed point of the firms'
own prices.  Nothing here assumes how many jobs or exports there are.
"""

from __future__ import annotations

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


def clearing_wage(fixed_jobs, flexible_jobs_at_w0, w0, supply: LabourSupply, epsilon, tol=1e-13, max_iter=60):
    """Solve  fixed + flexible * (w/w0)^(-epsilon) = L_s(w)  for w (Newton in log w).

    Demand falls and supply rises in w, so the root is unique.  With no labour
    demand at all there is no market: the previous wage ``w0`` is returned.
    """
    if fixed_jobs + flexible_jobs_at_w0 <= 0.0:
        return w0
    x0 = np.log(w0)
    x = x0
    log_ref_jobs, log_ref_wage, eta = np.log(supply.reference_jobs), np.log(supply.reference_wage), supply.elasticity
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


def clear(*, quality, exporter_foreign_level, phi, capital, workers_before, hiring_speed,
          wage_before, price_index_before, material_price, domestic_spending, outside_weight,
          supply: LabourSupply, t: Technology, tol=1e-12, max_iter=200) -> Clearing:
    """Find the wage and price index at which labour supply meets demand and the
    price index is consistent with every firm's price.

    ``quality`` is xi per firm; ``exporter_foreign_level`` is the foreign demand
    level of exporters (0 for others); ``domestic_spending`` is E, so domestic
    demand is ``xi E P^(sigma-1) p^(-sigma)``; ``outside_weight`` is the
    competitors' term of ``P^(1-sigma) = outside + sum xi p^(1-sigma)``.
    """
    sigma = t.sigma
    epsilon = t.labour_wage_elasticity
    fixed_jobs = (1.0 - hiring_speed) * float(workers_before.sum())
    w0 = wage_before

    def respond(log_p):
        """Everything that follows from a price index: wage, workforces, revenues, prices, and
        the price index those prices imply (the fixed-point map T)."""
        domestic_level = domestic_spending * np.exp((sigma - 1.0) * log_p)
        b_dom = quality * domestic_level
        demand = b_dom + quality * exporter_foreign_level
        desired_at_w0 = MSME.optimal_labour(MSME.optimal_revenue(demand, phi, capital, w0, material_price, t), w0, t)
        wage = clearing_wage(fixed_jobs, hiring_speed * float(desired_at_w0.sum()), w0, supply, epsilon)
        desired = desired_at_w0 * (wage / w0) ** (-epsilon)
        workers = MSME.adjust_workforce(workers_before, desired, hiring_speed)
        revenue = MSME.revenue_given_labour(demand, phi, capital, workers, material_price, t)
        price = MSME.price(revenue, demand, t)
        implied = np.log(outside_weight + float(np.sum(quality * price ** (1.0 - sigma)))) / (1.0 - sigma)
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
        materials=MSME.materials_spend(revenue, t),
        price=price,
        iterations=iteration,
    )
