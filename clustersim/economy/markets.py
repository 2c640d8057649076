"""Markets: the domestic goods market, the export market, the local labour market and materials.

:class:`Markets` holds their state and clears them each quarter (:func:`clear`): firms choose
labour and materials optimally (:mod:`clustersim.economy.agents.msme`) given the wage and the
price indices; the wage clears the local labour market and the price indices are a fixed point
of everybody's prices.  Nothing here assumes how many jobs or exports there are.

*Domestic market* (two-tier CES).  Spending on the product responds to its price index,
``E = E0 P^(1 - eta)`` (``eta``, the upper-tier elasticity, is 1 when spending is fixed).
Within the product, the cluster's firms compete with **outside producers**, an aggregate
variety of mass ``Omega`` whose price ``p_o`` clears their own supply curve,
``Y_o = Y_o0 (p_o / c_o)^eps``, against their CES demand ``Omega E P^(sigma-1) p_o^(-sigma)``;
their unit cost ``c_o`` falls as their productivity grows.  ``eps`` large: their price is their
cost and every sale the cluster wins is taken from them (the old model); ``eps`` = 0: their
output is fixed and the cluster's gains lower the market's prices instead.

*Export market*: exporters sell into a foreign market whose price index ``P*`` holds the
cluster's exporters (share ``s*`` at the start) beside foreign competitors whose prices fall as
their productivity grows; the exchange rate and the tariff move the cluster's prices there.

*Labour*: potential workers have lognormal reservation earnings; those below the cluster wage
want to work in it (:class:`LabourSupply`).  What they would otherwise have earned and how much
of a full-time job they would otherwise have had give the **net** jobs and earnings gains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .agents.msme import MSME
from .technology import Technology, labour_wage_elasticity


@dataclass(frozen=True)
class LabourSupply:
    """The local labour market's supply side.

    ``pool`` potential workers have lognormal reservation earnings ``r`` (Rs lakh a quarter:
    what they earn outside the cluster), median ``exp(log_median)``, dispersion ``dispersion``;
    those whose reservation earnings are below the cluster wage want to work in it, so
    ``L_s(w) = pool * Phi((ln w - log_median) / dispersion)``, and the employed are those with the
    lowest reservation earnings.  Outside earnings are a daily wage times the share of a
    full-time job the worker has outside, ``u``; the two are independent and lognormal, ``u``
    carrying ``intensity_share`` of the variance of log earnings (mean log ``log_intensity``).
    So better-paid recruits tend to have had more work outside, and the **net** jobs of the
    employed are ``sum(1 - u)``."""

    pool: float
    log_median: float
    dispersion: float
    intensity_share: float
    log_intensity: float

    def jobs(self, wage):
        """Workers willing to work in the cluster at this wage."""
        return self.pool * special.ndtr((np.log(wage) - self.log_median) / self.dispersion)

    def log_jobs_and_elasticity(self, log_wage: float) -> tuple[float, float]:
        """log L_s and d log L_s / d log w at a wage."""
        z = (log_wage - self.log_median) / self.dispersion
        log_cdf = float(special.log_ndtr(z))
        log_pdf = -0.5 * z * z - 0.5 * math.log(2.0 * math.pi)
        return math.log(self.pool) + log_cdf, math.exp(log_pdf - log_cdf) / self.dispersion

    def threshold(self, jobs: float) -> float:
        """Reservation earnings of the last worker employed when ``jobs`` work in the cluster."""
        share = min(max(jobs / self.pool, 0.0), 1.0)
        return float(np.exp(self.log_median + self.dispersion * special.ndtri(share)))

    def _partial_mean(self, log_mean: float, covariance: float, jobs: float) -> float:
        """E[exp(X); r < threshold] per potential worker, for X jointly normal with log r (mean
        ``log_mean``, variance ``covariance`` = its covariance with log r)."""
        if jobs <= 0.0:
            return 0.0
        s = self.dispersion
        upper = (math.log(self.threshold(jobs)) - self.log_median - covariance) / s
        return math.exp(log_mean + 0.5 * covariance) * float(special.ndtr(upper))

    def outside_employment(self, jobs: float) -> float:
        """Full-time jobs the cluster's workers would have had outside it: the sum of their u."""
        variance = self.intensity_share * self.dispersion**2
        return self.pool * self._partial_mean(self.log_intensity, variance, jobs)

    def forgone_earnings(self, jobs: float) -> float:
        """What the cluster's workers would have earned outside it (Rs lakh a quarter)."""
        return self.pool * self._partial_mean(self.log_median, self.dispersion**2, jobs)


def clearing_wage(
    fixed_jobs, flexible, log_w0: float, supply: LabourSupply, tol=1e-13, max_iter=60
):
    """The wage at which ``fixed_jobs + flexible(log w)`` workers are wanted and as many want to
    work.

    ``flexible(log_w)`` returns the workers firms want to add or keep at that wage and its
    derivative in ``log w``.  Demand falls and supply rises in w, so the root is unique; Newton in
    log w. With no labour demand at all there is no market: the previous wage is returned.  The wage
    returned is the last one ``flexible`` was evaluated at."""
    x = log_w0
    for _ in range(max_iter):
        flex, slope_flex = flexible(x)
        demand = fixed_jobs + flex
        if demand <= 0.0:
            return math.exp(log_w0)
        log_supply, supply_elasticity = supply.log_jobs_and_elasticity(x)
        gap = math.log(demand) - log_supply
        if abs(gap) < tol:
            return math.exp(x)
        step = gap / (slope_flex / demand - supply_elasticity)
        x -= max(min(step, 2.0), -2.0)  # at most a factor e^2 a step, far from the root
    if abs(gap) > 1e-8:
        raise ArithmeticError(f"the labour market did not clear in {max_iter} Newton steps")
    flexible(x)  # the wage returned is the last one evaluated
    return math.exp(x)


@dataclass(frozen=True)
class Demand:
    """The demand side of a quarter: the domestic market (two-tier CES with responding outside
    producers) and the export market (a foreign price index with the cluster's exporters in it).
    Built by :meth:`Markets.demand`; prices are relative to the start's (P = p_o = 1)."""

    spending_at_start: float  # E0, Rs lakh a quarter at P = 1
    upper_elasticity: float  # eta
    outside_mass: float  # Omega
    outside_supply_at_start: float  # Y_o0
    outside_supply_elasticity: float  # eps
    outside_cost: float  # c_o, 1 at the start, falling with outside productivity growth
    foreign_spending: float  # E*_f (foreign demand level at P* = 1, in rupee revenue terms)
    foreign_spending_ratio: float  # E*_f over its level at the start (moved by demand shocks)
    foreign_outside_mass: float  # Omega*: foreign competitors' term of P*^(1 - sigma) at p*_o = 1
    foreign_log_index_at_start: float  # log P*_0
    trade_factor: float  # e / (1 + tariff): a rupee price in the foreign market is p / trade_factor

    def spending(self, log_p: float) -> float:
        """E(P) = E0 P^(1 - eta)."""
        return self.spending_at_start * math.exp((1.0 - self.upper_elasticity) * log_p)

    def outside_log_price(self, log_p: float, sigma: float) -> float:
        """log p_o clearing outside producers' supply against their demand (0 if there are none)."""
        if self.outside_mass <= 0.0:
            return 0.0
        eps = self.outside_supply_elasticity
        log_demand_level = (
            math.log(self.outside_mass * self.spending(log_p)) + (sigma - 1.0) * log_p
        )
        return (
            log_demand_level
            - math.log(self.outside_supply_at_start)
            + eps * math.log(self.outside_cost)
        ) / (sigma + eps)

    def foreign_outside_log_price(self, log_pf: float, sigma: float) -> float:
        """log p*_o: foreign competitors' price, clearing their supply Y*_0 (p*_o/c_o)^eps (the
        same elasticity and cost as outside producers at home) against their demand, which is
        proportional to E*_f P*^(sigma-1) p*_o^(-sigma); 0 at the start's prices."""
        eps = self.outside_supply_elasticity
        if self.foreign_outside_mass <= 0.0 or self.foreign_spending_ratio <= 0.0:
            return 0.0
        log_demand = math.log(self.foreign_spending_ratio) + (sigma - 1.0) * (
            log_pf - self.foreign_log_index_at_start
        )
        return (log_demand + eps * math.log(self.outside_cost)) / (sigma + eps)

    def foreign_outside_term(self, log_pf: float, sigma: float) -> float:
        """Foreign competitors' term of P*^(1 - sigma): Omega* p*_o^(1 - sigma)."""
        log_price = self.foreign_outside_log_price(log_pf, sigma)
        return self.foreign_outside_mass * math.exp((1.0 - sigma) * log_price)

    def foreign_level(self, log_pf: float, sigma: float) -> float:
        """An exporter's foreign demand shifter in rupees: E*_f P*^(sigma-1) (e/(1+tau))^sigma."""
        return self.foreign_spending * math.exp((sigma - 1.0) * log_pf) * self.trade_factor**sigma


@dataclass
class Clearing:
    """What the markets settle on in a quarter (arrays over live firms)."""

    wage: float
    price_index: float
    foreign_price_index: float
    outside_price: float
    foreign_outside_price: float
    spending: float
    workers: np.ndarray
    revenue: np.ndarray
    domestic_revenue: np.ndarray
    export_revenue: np.ndarray
    materials: np.ndarray
    price: np.ndarray
    iterations: int
    jacobian: np.ndarray  # Broyden's estimate of the fixed-point map's Jacobian, at the solution


def cluster_response(
    *,
    quality,
    exporter,
    phi,
    capital,
    workers_before,
    hiring_speed,
    wage_before,
    material_cost,
    demand: Demand,
    supply: LabourSupply,
    tech: Technology,
):
    """A cluster's side of the goods markets: ``respond(log_p, log_pf)`` clears its labour market
    at the price indices P and P*, and returns what its producers put into each index, the
    domestic ``P^(1 - sigma)`` term (outside producers' and its firms') and the foreign ``P*^(1 -
    sigma)`` term (foreign competitors' and its exporters'), with the state that follows (wage,
    workforces, revenues, prices).  Alone, a cluster's terms are the indices (:func:`clear`); in
    a national market, the clusters' terms add up (:mod:`clustersim.economy.national_market`).

    ``quality`` is xi per firm and ``exporter`` says who sells abroad; domestic demand for a firm is
    ``xi E(P) P^(sigma-1) p^(-sigma)``, foreign demand ``xi E*_f P*^(sigma-1) (e/(1+tau))^sigma
    p^(-sigma)``; ``material_cost`` is what the materials for a unit of the capital-labour bundle
    cost."""
    sigma = tech.sigma
    fixed_jobs = (1.0 - hiring_speed) * float(workers_before.sum())
    exports = exporter.astype(bool)
    # The latest best plans (warm starts, and the desired workforces) and wage (where the next
    # wage search starts).
    last = {"guess": None, "plan": None, "log_wage": math.log(wage_before)}

    def respond(log_p, log_pf):
        """Everything that follows from the price indices: wage, workforces, revenues, prices, and
        the index terms those prices make."""
        b_dom = quality * (demand.spending(log_p) * math.exp((sigma - 1.0) * log_p))
        total = b_dom + quality * demand.foreign_level(log_pf, sigma) * exports
        problem = MSME.short_run_problem(total, phi, capital, material_cost, tech)

        def flexible(log_w):
            plan = problem.plan(math.exp(log_w), last["guess"])
            last["guess"], last["plan"] = np.log(plan.bundle), plan
            wanted = hiring_speed * plan.labour
            return float(wanted.sum()), -float(
                np.sum(wanted * labour_wage_elasticity(plan, material_cost, tech))
            )

        wage = clearing_wage(fixed_jobs, flexible, last["log_wage"], supply)
        last["log_wage"] = math.log(wage)
        workers = MSME.adjust_workforce(workers_before, last["plan"].labour, hiring_speed)
        output, revenue, materials = MSME.output_given_labour(
            total, phi, capital, workers, material_cost, tech
        )
        price = revenue / output
        log_po = demand.outside_log_price(log_p, sigma)
        cluster_term = float(np.sum(quality * price ** (1.0 - sigma)))
        term = demand.outside_mass * math.exp((1.0 - sigma) * log_po) + cluster_term
        foreign_term = float(
            np.sum(quality[exports] * (price[exports] / demand.trade_factor) ** (1.0 - sigma))
        )
        term_f = demand.foreign_outside_term(log_pf, sigma) + foreign_term
        return term, term_f, (wage, b_dom, total, workers, revenue, materials, price, log_po)

    return respond


def solve_indices(implied_by, x, jacobian=None, tol=1e-12, max_iter=200):
    """Solve ``T(x) = x`` for the log price indices x, where ``implied_by(x)`` returns ``T(x)``
    (the indices the prices at x imply) and the state at x: Broyden's method on F(x) = T(x) - x,
    starting from ``jacobian`` (last quarter's estimate of F's Jacobian), or the plain
    fixed-point step without one (T contracts, so that step is the safe fallback).  Returns the
    solution, the state there, the iterations taken and the Jacobian's estimate."""
    implied, state = implied_by(x)
    gap = implied - x
    jacobian = -np.eye(len(x)) if jacobian is None else np.array(jacobian)  # of F, approximated
    iteration = 1
    while np.max(np.abs(gap)) >= tol and iteration < max_iter:
        step = -np.linalg.solve(jacobian, gap)
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 10 * np.max(np.abs(gap)) + 1e-12:
            step, jacobian = gap.copy(), -np.eye(len(x))  # fall back to a plain fixed-point step
        x_new = x + step
        implied, state = implied_by(x_new)
        gap_new = implied - x_new
        jacobian += np.outer(gap_new - gap - jacobian @ step, step) / float(step @ step)
        x, gap, iteration = x_new, gap_new, iteration + 1
    if np.max(np.abs(gap)) > 1e-8:
        raise ArithmeticError(f"the price indices did not converge in {max_iter} iterations")
    return x, state, iteration, jacobian


def log_indices(term: float, term_f: float, sigma: float) -> np.ndarray:
    """(log P, log P*) from their ``1 - sigma`` powers, the index terms the producers make."""
    return np.array([math.log(term) / (1.0 - sigma), math.log(term_f) / (1.0 - sigma)])


def settled(state, log_p, log_pf, demand: Demand, sigma, iterations, jacobian) -> Clearing:
    """The :class:`Clearing` of a cluster whose response at the solution was ``state``."""
    wage, b_dom, total, workers, revenue, materials, price, log_po = state
    domestic_revenue = revenue * (b_dom / total)
    return Clearing(
        wage=wage,
        price_index=math.exp(log_p),
        foreign_price_index=math.exp(log_pf),
        outside_price=math.exp(log_po),
        foreign_outside_price=math.exp(demand.foreign_outside_log_price(log_pf, sigma)),
        spending=demand.spending(log_p),
        workers=workers,
        revenue=revenue,
        domestic_revenue=domestic_revenue,
        export_revenue=revenue - domestic_revenue,
        materials=materials,
        price=price,
        iterations=iterations,
        jacobian=jacobian,
    )


def clear(
    *,
    price_index_before,
    foreign_price_index_before,
    jacobian=None,
    tol=1e-12,
    max_iter=200,
    **cluster,
) -> Clearing:
    """Find the wage, the domestic price index P and the foreign price index P* at which labour
    supply meets demand and each index is consistent with the prices in it, for a cluster alone
    in its markets.  ``cluster`` are :func:`cluster_response`'s arguments; ``jacobian``, last
    quarter's estimate of how the gaps respond to the indices, starts Broyden's method."""
    respond, sigma = cluster_response(**cluster), cluster["tech"].sigma

    def implied_by(x):
        term, term_f, state = respond(*x)
        return log_indices(term, term_f, sigma), state

    x0 = np.array([math.log(price_index_before), math.log(foreign_price_index_before)])
    x, state, iterations, jacobian = solve_indices(implied_by, x0, jacobian, tol, max_iter)
    return settled(state, x[0], x[1], cluster["demand"], sigma, iterations, jacobian)


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
    """The markets of the cluster and their prices (money in Rs lakh a quarter; prices relative to
    the start's)."""

    def __init__(self, model):
        self.model = model
        terms = model.p.market
        self.upper_elasticity = terms.upper_elasticity
        self.outside_supply_elasticity = terms.outside_supply_elasticity
        self.outside_growth = terms.outside_productivity_growth
        # The export market's exogenous terms, moved by shocks (scenario settings).
        self.exchange_rate = terms.exchange_rate
        self.import_price = 1.0  # world price of imported materials, foreign currency, start = 1
        self.tariff = terms.tariff
        self.foreign_demand_ratio = terms.foreign_demand_ratio
        # Calibrated at the start (clustersim.economy.initial_cluster), then cleared every quarter.
        self.wage = math.nan  # Rs lakh per worker a quarter
        self.price_index = 1.0  # P, the product's domestic price index
        self.foreign_price_index = 1.0  # P*, the product's price index in the export market
        self.outside_price = 1.0  # p_o, outside producers' price
        self.spending = math.nan  # E, domestic spending on the product now
        self.domestic_sales = math.nan  # the cluster's firms' domestic sales when they cleared
        self.spending_at_start = math.nan  # E0
        self.outside_mass = math.nan  # Omega
        self.outside_supply_at_start = math.nan  # Y_o0
        self.outside_jobs_at_start = math.nan  # outside producers' workers at the start
        self.foreign_spending_per_ratio = math.nan  # E*_f per unit of foreign_demand_ratio
        self.foreign_outside_at_start = math.nan  # Omega*, foreign competitors' mass
        self.foreign_log_index_at_start = math.nan  # log P*_0
        self.foreign_demand_ratio_at_start = terms.foreign_demand_ratio
        self.labour_supply: LabourSupply | None = None
        self.base_price = math.nan  # the start's average price (real output is valued at it)
        self.output_deflator = 1.0  # chained Tornqvist index of the cluster's prices
        self.jacobian = None  # the price indices' last Broyden Jacobian (where clearing starts)
        self.national = None  # the national market the cluster sells in, if any (else alone)

    def apply_shocks(self) -> None:
        """Shocks whose quarter has come change the tariff, exchange rate, foreign demand or the
        world price of imported materials."""
        quarter = self.model.quarter
        for shock in self.model.p.shocks:
            if quarter == shock.quarter + 1:
                for key in ("tariff", "exchange_rate", "foreign_demand_ratio", "import_price"):
                    value = getattr(shock, key)
                    if value >= 0:
                        setattr(self, key, value)

    # ------------------------------------------------------------------ prices and levels
    def outside_productivity(self) -> float:
        """Outside producers' productivity relative to the start: it grows from the end of the
        burn-in at ``market.outside_productivity_growth`` a year, at home and abroad."""
        return (1.0 + self.outside_growth) ** (max(self.model.quarter, 0) / 4.0)

    def trade_factor(self) -> float:
        """e / (1 + tariff): a rupee price p is p / trade_factor in the export market (times the
        freight saving of a connectivity project, issue 17: ``Government.freight_factor``)."""
        return self.exchange_rate / (1.0 + self.tariff) * self.model.government.freight_factor()

    def demand(self) -> Demand:
        """This quarter's demand side, for :func:`clear`."""
        growth = self.outside_productivity()
        return Demand(
            spending_at_start=self.spending_at_start,
            upper_elasticity=self.upper_elasticity,
            outside_mass=self.outside_mass,
            outside_supply_at_start=self.outside_supply_at_start,
            outside_supply_elasticity=self.outside_supply_elasticity,
            outside_cost=1.0 / growth,
            foreign_spending=self.foreign_spending_per_ratio * self.foreign_demand_ratio,
            # (a cluster that starts without foreign demand calibrates its competitors' supply to
            # the first demand it meets)
            foreign_spending_ratio=(
                self.foreign_demand_ratio / self.foreign_demand_ratio_at_start
                if self.foreign_demand_ratio_at_start > 0
                else 1.0
            ),
            foreign_outside_mass=self.foreign_outside_at_start,
            foreign_log_index_at_start=self.foreign_log_index_at_start,
            trade_factor=self.trade_factor(),
        )

    def material_price(self) -> float:
        """Materials price index: domestic part at 1, imported part at its world price in rupees
        (the world price times the exchange rate)."""
        share = self.model.p.materials.imported_share
        return (1.0 - share) + share * self.exchange_rate * self.import_price

    def imported_share_of_materials(self) -> float:
        """Imported materials as a share of the value of all materials."""
        share = self.model.p.materials.imported_share
        return share * self.exchange_rate * self.import_price / self.material_price()

    def domestic_level(self) -> float:
        """E P^(sigma - 1): the domestic demand level a firm of unit quality faces."""
        return self.spending * self.price_index ** (self.model.technology.sigma - 1.0)

    def foreign_ratio(self) -> float:
        """An exporter's foreign demand relative to its domestic demand at the start's prices:
        fdr (e / (1 + tariff))^sigma."""
        return self.foreign_demand_ratio * self.trade_factor() ** self.model.technology.sigma

    def foreign_level(self) -> float:
        """Exporters' foreign demand shifter in rupees: E*_f P*^(sigma-1) (e/(1+tau))^sigma."""
        return self.demand().foreign_level(
            math.log(self.foreign_price_index), self.model.technology.sigma
        )

    def outside_sales(self) -> float:
        """Outside producers' domestic sales, Rs lakh a quarter."""
        sigma = self.model.technology.sigma
        return (
            self.outside_mass
            * self.spending
            * self.price_index ** (sigma - 1.0)
            * self.outside_price ** (1.0 - sigma)
        )

    def outside_jobs(self) -> float:
        """Outside producers' workers, at the cluster's labour per rupee of sales at the start.
        Their supply Y_o0 (p_o/c_o)^eps is read as Cobb-Douglas in labour, Y = A L^a with
        a = eps/(1+eps) and unit cost c_o = A^(-1/a): so L/L_0 = (Y/Y_0)^((1+eps)/eps) c_o (labour
        proportional to output over productivity when eps is infinite)."""
        sigma = self.model.technology.sigma
        output = (
            self.outside_mass
            * self.spending
            * self.price_index ** (sigma - 1.0)
            * self.outside_price ** (-sigma)
        )
        eps = self.outside_supply_elasticity
        relative = output / self.outside_supply_at_start if eps > 0 else 1.0
        exponent = (1.0 + eps) / eps if eps > 0 else 1.0
        return self.outside_jobs_at_start * relative**exponent / self.outside_productivity()

    def cluster_share(self) -> float:
        """The cluster's share of domestic spending on its product (of its segment's, in a
        national market): its firms' domestic sales when the markets cleared."""
        return self.domestic_sales / self.spending if self.spending > 0 else 0.0

    # ------------------------------------------------------------------ clearing
    def clear(self, firms) -> None:
        """Wage and price indices adjust until labour supply meets labour demand and each index
        matches the prices in it; firms hire or fire towards their optimum, and their sales,
        materials, output and real value added follow.  A cluster in a national market
        (:mod:`clustersim.economy.national_market`) clears with the others of its product
        instead: the national market calls :meth:`cluster_side` and :meth:`settle` for each."""
        result = clear(
            price_index_before=self.price_index,
            foreign_price_index_before=self.foreign_price_index,
            jacobian=self.jacobian,
            **self.cluster_side(firms),
        )
        self.jacobian = result.jacobian
        self.settle(firms, result)

    def cluster_side(self, firms) -> dict:
        """What the cluster brings to the markets this quarter (:func:`cluster_response`'s
        arguments): its operating firms' qualities, exporters (those whose certificate has
        lapsed stop exporting here), productivity, capital and workforces, what their materials
        cost, its demand side and its labour supply (with a workers' hostel's residents)."""
        model, live = self.model, firms.operating
        certified = firms.certified_until[live] >= model.steps
        firms.exporter[live] &= certified
        return dict(
            quality=firms.quality(live),
            exporter=firms.exporter[live],
            phi=firms.tfp_scale * firms.tfp(live),
            capital=firms.capital[live],
            workers_before=firms.workers[live],
            hiring_speed=model.p.labour.hiring_speed,
            wage_before=self.wage,
            material_cost=firms.material_cost(live),  # what each firm pays
            demand=self.demand(),
            supply=model.facilities.labour_supply(self.labour_supply),  # a hostel's residents
            tech=model.technology,
        )

    def settle(self, firms, result: Clearing) -> None:
        """The markets' prices and the firms' workforces, sales, materials and output as cleared."""
        live = firms.operating
        self.wage, self.price_index = result.wage, result.price_index
        self.foreign_price_index, self.outside_price = (
            result.foreign_price_index,
            result.outside_price,
        )
        self.spending = result.spending
        self.domestic_sales = float(result.domestic_revenue.sum())
        self.output_deflator *= tornqvist_change(
            firms.price[live], result.price, firms.sales[live], result.revenue
        )
        firms.price[live] = result.price
        firms.workers[live] = result.workers
        firms.sales[live] = result.revenue
        firms.export_sales[live] = result.export_revenue
        firms.materials[live] = result.materials
        # Real value added, single-deflated: nominal value added over a chained matched-model
        # (Tornqvist) index of the cluster's output prices.  Physical output at the start's average
        # price.
        firms.output[live] = self.base_price * result.revenue / result.price
        firms.real_value_added[live] = (result.revenue - result.materials) / self.output_deflator
