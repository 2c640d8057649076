"""The firm's technology and the output at which it does best.

A firm turns a bundle of capital and labour into output with materials in fixed proportion:
``q = Phi * min(K^beta L^alpha, M / a)``.  ``Phi`` is its (gross-output, Hicks-neutral) TFP,
``alpha + beta < 1`` the returns to scale of the capital-labour bundle, and a unit of the bundle
needs ``a`` units of materials, so materials cost ``c = a p_m`` per unit of the bundle and
``c / Phi`` per unit of output (Leontief: they cannot be substituted away).  Facing CES demand
``q = B p^(-sigma)`` the firm's revenue is ``R = B^(1/sigma) q^rho``, ``rho = (sigma-1)/sigma``.

It chooses output where marginal revenue equals marginal cost.  In the bundle ``Q = q / Phi``:

    rho B^(1/sigma) Phi^rho Q^(-1/sigma) = c + k Q^theta

(``k`` is a cost coefficient, not capital) with, in the short run (capital fixed),
``k = (w / alpha) K^(-beta/alpha)`` and
``theta = 1/alpha - 1``, and in the long run (capital chosen too) ``k = C(1) / (alpha + beta)``
and ``theta = 1/(alpha + beta) - 1``, ``C(Q) = (alpha+beta) (w/alpha)^(alpha/(alpha+beta))
(u/beta)^(beta/(alpha+beta)) Q^(1/(alpha+beta))`` being the cheapest cost of the bundle at wage
``w`` and user cost ``u``.  The left side falls and the right side rises in ``Q``: one root, found
by Newton's method in ``log Q`` (monotone from the bound without materials).  There is no closed
form once materials are Leontief; :func:`short_run` and :func:`long_run` are exact to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Technology:
    """Elasticities of the capital-labour bundle and of CES demand."""

    alpha: float  # labour elasticity of the bundle
    beta: float  # capital elasticity of the bundle
    sigma: float  # elasticity of substitution between varieties

    @property
    def rho(self) -> float:
        return (self.sigma - 1.0) / self.sigma

    @property
    def returns(self) -> float:
        """alpha + beta: returns to scale of the capital-labour bundle (< 1)."""
        return self.alpha + self.beta


@dataclass(frozen=True)
class Optimum:
    """A firm's best plan (arrays over firms; money in Rs lakh a quarter)."""

    bundle: np.ndarray  # Q = q / Phi
    output: np.ndarray  # q, physical output
    labour: np.ndarray
    capital: np.ndarray
    revenue: np.ndarray
    materials: np.ndarray  # materials cost, c Q
    profit: np.ndarray  # revenue - materials - wage bill (- user cost of capital in the long run)

    @property
    def price(self):
        return self.revenue / self.output


def solve_bundle(log_mr, log_k, theta, material_cost, sigma, guess=None, tol=1e-13, max_iter=60):
    """log Q solving rho B^(1/sigma) Phi^rho Q^(-1/sigma) = c + k Q^theta, where ``log_mr`` is
    the log of the left side's coefficient and ``log_k`` that of k (arrays over firms).

    f(y) = log_mr - y / sigma - log(c + k e^(theta y)) is decreasing and concave, so Newton
    converges monotonically from any point where f <= 0 (such as the root without materials),
    and from any other point after one step; ``guess`` (last time's root) saves iterations.

    Each Newton step is ``y -= f / f'`` with ``f = log_mr - y / sigma - log_mc`` and
    ``f' = -1 / sigma - theta e^(log(k) + theta y - log_mc)``, where the log of marginal cost
    ``log_mc = log(c + k e^(theta y)) = max(a, b) + log(1 + e^(min(a, b) - max(a, b)))``,
    ``a = log c``, ``b = log k + theta y`` (numpy's own ``logaddexp`` is many times slower than
    its ``exp`` and ``log1p``; ``min - max`` is ``-|a - b|`` in two calls, not three).  The step
    is computed in place in four work arrays: the loop runs for every firm dozens of times a
    quarter, and fresh arrays each time would cost more than the arithmetic."""
    log_c = _log_material_cost(material_cost)  # -inf without materials: Cobb-Douglas bound
    if guess is None:
        y = (log_mr - log_k) / (theta + 1.0 / sigma)
    else:
        y = np.array(guess, dtype=float)
    if y.size == 0:
        return y
    slope_floor = -1.0 / sigma
    cost_term, log_mc, f, gap = [np.empty_like(y) for _ in range(4)]  # work arrays
    for _ in range(max_iter):
        np.multiply(theta, y, out=cost_term)
        cost_term += log_k  # b = log(k) + theta y
        np.maximum(cost_term, log_c, out=log_mc)
        np.minimum(cost_term, log_c, out=gap)
        gap -= log_mc  # min(a, b) - max(a, b) = -|a - b|
        np.exp(gap, out=gap)
        np.log1p(gap, out=gap)
        log_mc += gap  # log(e^a + e^b)
        np.divide(y, sigma, out=f)
        np.subtract(log_mr, f, out=f)
        f -= log_mc  # f(y)
        cost_term -= log_mc
        np.exp(cost_term, out=cost_term)
        cost_term *= theta
        np.subtract(slope_floor, cost_term, out=cost_term)  # f'(y)
        f /= cost_term  # the Newton step
        y -= f
        np.abs(f, out=f)
        largest = np.maximum.reduce(f, axis=None)
        if largest < tol:
            return y
    if largest > 1e-8:  # round-off may stop it short of tol, not further
        raise ArithmeticError(f"the firms' best plans did not converge in {max_iter} Newton steps")
    return y


def _log_material_cost(material_cost):
    """log c, -inf where there are no materials."""
    if isinstance(material_cost, float) and material_cost > 0.0:
        return np.log(material_cost)
    with np.errstate(divide="ignore"):
        return np.log(material_cost)


def _plan(log_bundle, demand_root, phi, material_cost, tech: Technology):
    """Bundle, output, revenue and materials cost at log Q (``demand_root`` is B^(1/sigma))."""
    bundle = np.exp(log_bundle)
    output = phi * bundle
    revenue = demand_root * output**tech.rho
    return bundle, output, revenue, material_cost * bundle


class ShortRun:
    """The short-run problem of a set of firms whose demand, TFP and capital are given: their best
    plans at any wage (what does not depend on the wage is computed once)."""

    def __init__(self, demand, phi, capital, material_cost, tech: Technology):
        self.demand, self.phi, self.capital, self.material_cost, self.tech = (
            demand,
            phi,
            capital,
            material_cost,
            tech,
        )
        log_capital = np.log(capital)
        self.log_mr = np.log(tech.rho) + np.log(demand) / tech.sigma + tech.rho * np.log(phi)
        self.log_capital_term = tech.beta / tech.alpha * log_capital
        self.capital_in_bundle = tech.beta * log_capital  # log of K^beta
        self.demand_root = demand ** (1.0 / tech.sigma)

    def plan(self, wage, guess=None) -> Optimum:
        tech = self.tech
        log_k = np.log(wage / tech.alpha) - self.log_capital_term
        y = solve_bundle(
            self.log_mr, log_k, 1.0 / tech.alpha - 1.0, self.material_cost, tech.sigma, guess
        )
        bundle, output, revenue, materials = _plan(
            y, self.demand_root, self.phi, self.material_cost, tech
        )
        labour = np.exp((y - self.capital_in_bundle) / tech.alpha)
        capital = self.capital
        if np.shape(capital) != np.shape(bundle):
            capital = np.broadcast_to(capital, np.shape(bundle))
        return Optimum(
            bundle, output, labour, capital, revenue, materials, revenue - materials - wage * labour
        )


def short_run(demand, phi, capital, wage, material_cost, tech: Technology, guess=None) -> Optimum:
    """The best output, labour and revenue with capital fixed (labour and materials chosen)."""
    return ShortRun(demand, phi, capital, material_cost, tech).plan(wage, guess)


def bundle_cost(wage, user_cost, tech: Technology):
    """C(1): the cheapest cost of the capital and labour that make one unit of the bundle
    (C(Q) = C(1) Q^(1/(alpha+beta)))."""
    r = tech.returns
    return r * (wage / tech.alpha) ** (tech.alpha / r) * (user_cost / tech.beta) ** (tech.beta / r)


def long_run(demand, phi, wage, user_cost, material_cost, tech: Technology) -> Optimum:
    """The best plan with capital chosen too, at user cost ``user_cost`` a quarter."""
    r = tech.returns
    unit_cost = bundle_cost(wage, user_cost, tech)
    log_mr = np.log(tech.rho) + np.log(demand) / tech.sigma + tech.rho * np.log(phi)
    log_k = np.log(unit_cost / r) * np.ones_like(log_mr)
    y = solve_bundle(log_mr, log_k, 1.0 / r - 1.0, material_cost, tech.sigma)
    bundle, output, revenue, materials = _plan(
        y, demand ** (1.0 / tech.sigma), phi, material_cost, tech
    )
    bundle_spend = unit_cost * bundle ** (1.0 / r)  # w L + u K = C(Q)
    labour = tech.alpha / r * bundle_spend / wage
    capital = tech.beta / r * bundle_spend / user_cost
    return Optimum(
        bundle, output, labour, capital, revenue, materials, revenue - materials - bundle_spend
    )


def given_labour(demand, phi, capital, labour, material_cost, tech: Technology):
    """Output, revenue and materials cost with the workforce fixed: (output, revenue, materials)."""
    bundle = capital**tech.beta * labour**tech.alpha
    output = phi * bundle
    revenue = demand ** (1.0 / tech.sigma) * output**tech.rho
    return output, revenue, material_cost * bundle


def labour_wage_elasticity(optimum: Optimum, material_cost, tech: Technology):
    """-d ln L* / d ln w at a short-run optimum (per firm): materials' share of marginal cost
    damps the response."""
    theta = 1.0 / tech.alpha - 1.0
    marginal_cost = (
        tech.rho * optimum.revenue / optimum.bundle
    )  # = marginal revenue, per unit of bundle
    share = (
        1.0 - material_cost / marginal_cost
    )  # the capital-labour bundle's share of marginal cost
    return share / (1.0 / tech.sigma + theta * share) / tech.alpha


def labour_tfp_elasticity(tech: Technology, materials_share: float) -> float:
    """d ln L / d ln Phi in the long run for a firm whose materials are ``materials_share`` of its
    sales: (1/r) rho / (1/sigma + x (1/r - 1)), x = 1 - materials_share / rho the bundle's share
    of marginal cost, r = alpha + beta."""
    r, x = tech.returns, 1.0 - materials_share / tech.rho
    return tech.rho / (1.0 / tech.sigma + x * (1.0 / r - 1.0)) / r
