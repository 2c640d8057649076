"""ClusterModel: an industrial cluster economy, one step per quarter.

Read :meth:`ClusterModel.step` first: it is the quarter's story, one phase a
line, in the order the economy moves.  Each phase is a short method below it;
what a firm decides lives in :mod:`clustersim.agents.msme`, how markets clear
in :mod:`clustersim.markets`, spillovers in :mod:`clustersim.spillovers`, and
the money flows in :mod:`clustersim.accounts`.
"""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from ..inputs.params import SCHEMES, SIZE_CLASSES
from ..inputs.scenario import Scenario
from ..views.output import COLUMN_NAMES
from . import markets
from .accounts import SECTORS, Ledger
from .agents import MSME, CommonFacilityCentre, Lender, TestingLab
from .agents.msme import Technology
from .firm_table import FirmTable
from .spillovers import Neighbourhood
from .streams import Streams
from .timeunits import per_quarter, quarterly_hazard, quarterly_intensity, quarterly_rate

LAKH_PER_CRORE = 100.0
POOL_BLOCK = 256  # entrant-pool slots drawn per stream block
ENTRANT_VALUATION_POOL = 2048  # candidates valued to set the entry threshold (independent of the horizon)
ENTRY_RETUNE_GAIN = 2.0  # burn-in tatonnement: log change in the entry share per unit relative gap in firm count
ENTRY_BALANCE_WINDOW = 20  # quarters of exits the post-burn-in entry threshold is set to match
EXITS_COLUMN = COLUMN_NAMES.index("exits")
SCHEME = {name: k for k, name in enumerate(SCHEMES)}


class ClusterModel(mesa.Model):
    """Firms (MSMEs), facilities and lenders of one cluster on a grid."""

    def __init__(self, scenario: Scenario, seed: int | None = None, n_firms: int | None = None, panel: bool = False):
        p = scenario.params
        seed = p.run.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.settings = scenario
        self.p = p
        self.seed_used = seed
        self.streams = Streams(seed)
        self.burn_in = p.run.burn_in
        self.n_steps = p.run.burn_in + p.run.horizon
        self.width = p.run.grid_width
        self.tech = Technology(p.technology.labour_elasticity, p.technology.capital_elasticity,
                               p.technology.materials_elasticity, p.technology.demand_elasticity)
        self.q = self._quarterly_rates(p)
        self.grid = OrthogonalMooreGrid((self.width, self.width), torus=False, random=self.random)
        self.neighbours = Neighbourhood(self.width, p.technology.spillover_distance)
        self.cores = self._core_cells()

        table = scenario.firm_table
        n0 = p.cluster.n_firms if table is None else len(table["x"])
        n0 = n0 if n_firms is None else int(n_firms)
        self.n_initial = n0
        self.candidates_per_step = quarterly_intensity(p.dynamics.entry_candidates) * n0
        self.firms = FirmTable(n0, len(SCHEMES))
        self.slots_used = n0
        self.agents_by_row: dict[int, MSME] = {}

        self._draw_initial_firms(table)
        self._ensure_pool(n0 + ENTRANT_VALUATION_POOL)
        self.market = SimpleNamespace(exchange_rate=p.market.exchange_rate, tariff=p.market.tariff,
                                      foreign_demand_ratio=p.market.foreign_demand_ratio)
        self._calibrate_initial_equilibrium(table)
        self._create_lenders()
        self.cfc: CommonFacilityCentre | None = None
        self.lab: TestingLab | None = None
        self.active = dict.fromkeys(SCHEMES, False)
        self.public_cost_cr = 0.0
        self.rows: list[list[float]] = []
        self.panel: list[dict] | None = [] if panel else None  # one block per quarter when asked for
        self.trial_records: dict | None = None
        self.flow_matrices: list[np.ndarray] = []
        for row in self.firms.live():
            self._add_agent(row)

    # ======================================================= the quarter
    def step(self) -> None:
        """One quarter of the cluster economy."""
        self.begin_quarter()            # policy calendar: schemes open, export-market shocks hit
        self.spread_awareness()         # firms learn of schemes from neighbours and facilitation cells
        self.shock_productivity()       # idiosyncratic TFP shocks; skills and consulting gains fade
        self.deliver_support()          # training, consulting and growth-fund equity reach firms
        self.plan_spending()            # firms plan capital, upgrades, certification, export entry
        self.lend()                     # the bank rations credit; the moneylender fills gaps
        self.invest()                   # financed plans are carried out and paid for
        self.use_facilities()           # CFC hours are rationed; the lab serves its queue
        self.clear_markets()            # wage and price index clear labour and goods markets
        self.settle_accounts()          # firms pay wages, materials and debts; owners are paid
        self.exit_and_enter()           # loss-makers and the insolvent close; entrants come in
        self.close_books()              # lenders, households and government settle; data row

    # ======================================================== set-up
    def _quarterly_rates(self, p) -> SimpleNamespace:
        """The per-year parameters of the cluster, converted to a quarter once.  Intervention
        rates are converted where the intervention acts, always through clustersim.timeunits."""
        return SimpleNamespace(
            formal_rate=quarterly_rate(p.finance.formal_rate),
            informal_rate=quarterly_rate(p.finance.informal_rate),
            depreciation=quarterly_hazard(p.technology.depreciation),
            exit_hazard=quarterly_hazard(p.dynamics.exit_hazard),
            skill_depreciation=quarterly_hazard(p.technology.skill_depreciation),
            consulting_decay=quarterly_hazard(p.technology.consulting_decay),
            innovation=quarterly_hazard(p.technology.innovation_rate),
            imitation=quarterly_hazard(p.technology.imitation_rate),
            word_of_mouth=quarterly_hazard(p.awareness.word_of_mouth),
            obsolescence=quarterly_hazard(p.technology.obsolescence),
            export_fixed_cost=per_quarter(p.market.export_fixed_cost_lakh),
        )

    def _core_cells(self) -> np.ndarray:
        n, c = self.p.cluster.n_cores, (self.width - 1) / 2.0
        if n == 1:
            return np.array([[c, c]])
        angle = 2 * np.pi * np.arange(n) / n
        return np.column_stack([c + self.width / 4 * np.cos(angle), c + self.width / 4 * np.sin(angle)])

    def _place(self, rng, count: int) -> tuple[np.ndarray, np.ndarray]:
        core = self.cores[rng.integers(0, len(self.cores), count)]
        xy = np.rint(core + rng.normal(0.0, self.p.cluster.core_spread, (count, 2)))
        xy = np.clip(xy, 0, self.width - 1).astype(np.int32)
        return xy[:, 0], xy[:, 1]

    def _draw_initial_firms(self, table) -> None:
        p, f, n = self.p, self.firms, self.n_initial
        rng = self.streams.get("initial_firms")
        x, y = self._place(rng, n)
        f.tfp_permanent[:n] = rng.normal(0.0, p.technology.tfp_dispersion, n)
        stationary_sd = p.technology.tfp_shock_sd / np.sqrt(1.0 - p.technology.tfp_persistence ** 2)
        f.tfp_transitory[:n] = rng.normal(0.0, stationary_sd, n)
        f.women_owned[:n] = rng.random(n) < p.cluster.women_owned_share
        certified = rng.random(n) < p.cluster.certified_share
        validity_left = rng.integers(1, p.market.certification_validity + 1, n)
        f.tech[:n] = (rng.random(n) < p.technology.initial_upgraded_share) & (p.technology.tech_levels > 1)
        f.aware[:n] = rng.random((n, len(SCHEMES))) < p.awareness.initial
        if table is not None:
            rows = np.arange(n) % len(table["x"])
            x, y = table["x"][rows].astype(np.int32), table["y"][rows].astype(np.int32)
            # Firm ability is backed out of the reported workforce: long-run L ~ Phi^zeta_LR.
            workers = table["workers"][rows]
            f.tfp_permanent[:n] = np.log(workers / workers.mean()) / self.tech.long_run_tfp_exponent
            f.tfp_transitory[:n] = 0.0
            if "women_owned" in table:
                f.women_owned[:n] = table["women_owned"][rows] > 0
            if "certified" in table:
                certified = table["certified"][rows] > 0
        f.x[:n], f.y[:n] = x, y
        f.certified_until[:n] = np.where(certified, validity_left, -1)
        f.skill[:n] = p.technology.initial_skill
        f.alive[:n] = True

    def _ensure_pool(self, slots: int) -> None:
        """Potential entrants are drawn in blocks of POOL_BLOCK slots, block b from its own
        stream, so a slot's draws depend on the slot alone: not on the horizon, the package
        or how many entrants came before.  Whether a candidate enters depends on the market."""
        while self.firms.capacity < slots:
            block = (self.firms.capacity - self.n_initial) // POOL_BLOCK
            self.firms.grow(self.firms.capacity + POOL_BLOCK)
            self._draw_pool_block(block)

    def _draw_pool_block(self, block: int) -> None:
        p, f = self.p, self.firms
        lo = self.n_initial + block * POOL_BLOCK
        hi, count = lo + POOL_BLOCK, POOL_BLOCK
        rng = self.streams.get("entrant_pool", block)
        f.x[lo:hi], f.y[lo:hi] = self._place(rng, count)
        f.tfp_permanent[lo:hi] = rng.normal(0.0, p.technology.tfp_dispersion, count)
        f.women_owned[lo:hi] = rng.random(count) < p.cluster.women_owned_share
        f.aware[lo:hi] = rng.random((count, len(SCHEMES))) < p.awareness.initial
        f.skill[lo:hi] = p.technology.initial_skill

    def material_price(self) -> float:
        """Materials price index: domestic part at 1, imported part at the exchange rate."""
        share = self.p.materials.imported_share
        return (1.0 - share) + share * self.market.exchange_rate

    def foreign_level(self) -> float:
        """Exporters' foreign demand level in rupees: E fdr (e / (1 + tariff))^sigma."""
        m = self.market
        return self.domestic_spending * m.foreign_demand_ratio * (m.exchange_rate / (1.0 + m.tariff)) ** self.tech.sigma

    def _long_run_revenue_unit(self, quality, exporter, phi, wage, user_cost, foreign_ratio):
        """Revenue with labour, materials and capital all chosen, at unit demand level and TFP scale."""
        t = self.tech
        r = t.rho
        demand = quality * (1.0 + exporter * foreign_ratio)
        inner = (demand ** (1 / t.sigma) * (phi * (t.alpha * r / wage) ** t.alpha * (t.beta * r / user_cost) ** t.beta
                                             * (t.gamma * r / self.material_price()) ** t.gamma) ** r)
        return inner ** (1.0 / t.long_run_profit_share)

    def _calibrate_initial_equilibrium(self, table) -> None:
        """Choose the demand level and TFP scale so the start matches the scenario's firm
        count, workers per firm, turnover per worker and domestic market share; firms
        start at their long-run optimum (capital, labour) at the formal rate."""
        p, t, f, n = self.p, self.tech, self.firms, self.n_initial
        live = slice(0, n)
        mean_workers = p.cluster.mean_workers if table is None else float(table["workers"].mean())
        turnover_per_worker_q = per_quarter(p.cluster.turnover_per_worker_lakh)
        self.wage = t.alpha * t.rho * turnover_per_worker_q
        self.price_index = 1.0
        target_sales = n * mean_workers * turnover_per_worker_q
        user_cost = self.q.formal_rate + self.q.depreciation
        phi = self._tfp(live)
        quality = self._quality(live)
        m = self.market
        foreign_ratio = m.foreign_demand_ratio * (m.exchange_rate / (1.0 + m.tariff)) ** t.sigma
        scale_exp_demand, scale_exp_tfp = t.long_run_demand_exponent, t.long_run_tfp_exponent
        exporter = np.zeros(n, dtype=bool)
        # Pass 1 without exporters; then certified firms for whom exporting pays export;
        # pass 2 recalibrates with them, so revenue and export status agree.
        for calibration_pass in (1, 2):
            unit = self._long_run_revenue_unit(quality, exporter, phi, self.wage, user_cost, foreign_ratio)
            domestic_fraction = np.sum(unit / (1.0 + exporter * foreign_ratio)) / np.sum(unit)
            self.domestic_spending = target_sales * domestic_fraction / p.cluster.domestic_market_share
            self.tfp_scale = (target_sales / (self.domestic_spending ** scale_exp_demand * unit.sum())) ** (1 / scale_exp_tfp)
            revenue = self.domestic_spending ** scale_exp_demand * self.tfp_scale ** scale_exp_tfp * unit
            if calibration_pass == 1:
                domestic_pi = MSME.variable_profit(revenue, t)
                gain = MSME.gain_from_demand(domestic_pi, 1.0 + foreign_ratio, t)
                exporter = (f.certified_until[live] >= 0) & (gain > self.q.export_fixed_cost)
        self.outside_weight = 1.0 - p.cluster.domestic_market_share
        self.overhead = p.dynamics.overhead_share * float(np.median(MSME.variable_profit(revenue, t)))
        self.entry_threshold = self._calibrate_entry_threshold()
        f.exporter[live] = exporter
        f.capital[live] = t.beta * t.rho * revenue / user_cost
        if table is not None and "capital_lakh" in table:
            given = table["capital_lakh"][np.arange(n) % len(table["x"])]
            f.capital[live] = np.where(given > 0, given, f.capital[live])
        f.workers[live] = MSME.optimal_labour(revenue, self.wage, t)
        f.sales[live] = revenue
        # Base-period prices for real value added and output (see clear_markets).
        demand = quality * self.domestic_spending * (1.0 + exporter * foreign_ratio)
        price = MSME.price(revenue, demand, t)
        self.base_price = float(revenue.sum() / (revenue / price).sum())
        self.base_material_price = self.material_price()
        self.output_deflator = 1.0
        f.price[live] = price
        f.output[live] = self.base_price * revenue / price
        f.real_value_added[live] = revenue - MSME.materials_spend(revenue, t)
        f.export_sales[live] = revenue - revenue / (1.0 + exporter * foreign_ratio)
        f.materials[live] = MSME.materials_spend(revenue, t)
        f.cash[live] = self._cash_buffer(np.arange(n))
        f.profit[live] = MSME.variable_profit(revenue, t) - user_cost * f.capital[live] - self.overhead
        self.labour_supply = markets.LabourSupply(float(f.workers[live].sum()), self.wage, p.labour.supply_elasticity)
        self.households = SimpleNamespace(deposits=float(target_sales), income=0.0)
        self.government_cash = 0.0

    def _create_lenders(self) -> None:
        cell = self.grid[tuple(np.rint(self.cores[0]).astype(int))]
        annual_turnover = 4.0 * float(self.firms.sales.sum())
        funds = self.p.finance.bank_funds_share * annual_turnover
        self.bank = Lender(self, cell, kind="formal", funds=funds, rate=self.q.formal_rate, funds_target=funds)
        self.moneylender = Lender(self, cell, kind="informal", funds=funds, rate=self.q.informal_rate, funds_target=funds)

    def _add_agent(self, row: int) -> None:
        f = self.firms
        self.agents_by_row[row] = MSME(self, self.grid[(int(f.x[row]), int(f.y[row]))], row)

    # ===================================================== shared helpers
    def _tfp(self, rows):
        f, pt = self.firms, self.p.technology
        return MSME.tfp(f.tfp_permanent[rows], f.tfp_transitory[rows], f.tech[rows], f.skill[rows],
                        f.cfc_lift[rows], f.consulting_lift[rows], pt.tech_step, pt.skill_lift)

    def _quality(self, rows):
        certified = self.firms.certified_until[rows] >= self.steps
        return 1.0 + self.p.technology.quality_lift_certified * certified

    def _cash_buffer(self, rows):
        f = self.firms
        return self.p.finance.cash_buffer * (self.wage * f.workers[rows] + f.materials[rows]) + self.q.depreciation * f.capital[rows]

    def _cells(self, rows):
        return self.firms.y[rows] * self.width + self.firms.x[rows]

    def _distance(self, rows, agent) -> np.ndarray:
        cx, cy = agent.cell.coordinate
        return np.hypot(self.firms.x[rows] - cx, self.firms.y[rows] - cy)

    def _eligible(self, rows, classes) -> np.ndarray:
        f = self.firms
        index = MSME.size_class_index(f.capital[rows], 4.0 * f.sales[rows])
        wanted = [SIZE_CLASSES.index(c) for c in classes]
        return np.isin(index, wanted)

    def _uses(self, rows, scheme: str) -> np.ndarray:
        """Firms that may use a scheme: it is running and they know of it."""
        if not self.active[scheme]:
            return np.zeros(len(rows), dtype=bool)
        return self.firms.aware[rows, SCHEME[scheme]]

    @property
    def quarter(self) -> int:
        """Policy quarter: steps after the burn-in (<= 0 during it)."""
        return self.steps - self.burn_in

    # ===================================================== the phases
    def begin_quarter(self) -> None:
        """Open schemes whose start quarter has passed; apply export-market shocks."""
        self.ledger = Ledger()
        self.money_before = self._money_stocks()
        f, p, q = self.firms, self.p, self.quarter
        self.live = f.live()
        f.schemes_used[self.live] = 0
        f.cfc_user[:] = False
        self.flow = SimpleNamespace(entries=0, exits=0, defaults=0, formal_borrowers=0, lab_wait=0.0, lab_tests=0,
                                    household_income=0.0)
        for shock in p.shocks:
            if q == shock.quarter + 1:
                for key in ("tariff", "exchange_rate", "foreign_demand_ratio"):
                    value = getattr(shock, key)
                    if value >= 0:
                        setattr(self.market, key, value)
        for name in SCHEMES:
            spec = getattr(p.interventions, name)
            self.active[name] = spec is not None and q > spec.start_quarter
            if spec is not None and q == spec.start_quarter + 1:
                self._approve(name, spec)
        if self.active["export_promotion"]:
            self._public_spend("public_purchases", per_quarter(p.interventions.export_promotion.cost_cr * LAKH_PER_CRORE))

    def _approve(self, name: str, spec) -> None:
        """A scheme is approved: facilities are built (capex grant paid now) and open after a lag."""
        g = self.p.governance
        if name not in ("cfc", "testing_lab", "facilitation_cell"):
            return
        xy = np.rint(self.cores[0]).astype(int)
        x = xy[0] if spec.x < 0 else min(spec.x, self.width - 1)
        y = xy[1] if spec.y < 0 else min(spec.y, self.width - 1)
        cell = self.grid[(int(x), int(y))]
        if name == "facilitation_cell":
            self.facilitation_cell = cell
            return
        lag = g.spv_lag if spec.governance == "spv" else g.government_lag
        uptime = g.spv_uptime if spec.governance == "spv" else g.government_uptime
        fee_factor = g.spv_fee_factor if spec.governance == "spv" else g.government_fee_factor
        self._public_spend("public_purchases", spec.grant_share * spec.capex_cr * LAKH_PER_CRORE)
        if name == "cfc":
            t = self.p.technology
            self.cfc = CommonFacilityCentre(
                self, cell, capacity_hours=spec.capacity_hours, uptime=uptime, hours_per_worker=spec.hours_per_worker,
                fee_per_hour=spec.fee_per_hour_lakh * fee_factor, travel_cost=spec.travel_cost_lakh,
                lift=t.cfc_lift, reach=t.cfc_reach, opens_step=self.steps + lag, governance=spec.governance)
        else:
            self.lab = TestingLab(
                self, cell, capacity_tests=spec.capacity_tests, uptime=uptime,
                fee=self.p.market.local_test_fee_lakh * fee_factor, reach=spec.reach,
                opens_step=self.steps + lag, governance=spec.governance)

    def _public_spend(self, row: str, amount: float, payee: str = "rest_of_world") -> None:
        self.government_cash -= amount
        self.ledger.post(row, "government", payee, amount)

    def spread_awareness(self) -> None:
        """Word of mouth from aware neighbours, and a facilitation cell's outreach."""
        f, live = self.firms, self.live
        draws = self.streams.get("awareness", self.steps).random((self.slots_used, len(SCHEMES)))[live]
        cells = self._cells(live)
        outreach = np.zeros(len(live))
        if self.active["facilitation_cell"]:
            spec = self.p.interventions.facilitation_cell
            d = np.hypot(f.x[live] - self.facilitation_cell.coordinate[0], f.y[live] - self.facilitation_cell.coordinate[1])
            outreach = quarterly_hazard(spec.outreach * np.exp(-d / spec.reach))
            self._public_spend("public_purchases", per_quarter(spec.cost_cr * LAKH_PER_CRORE))
        aware = f.aware[live]
        share = self.neighbours.shares(cells, aware)  # one column per scheme
        learn = 1.0 - (1.0 - self.q.word_of_mouth * share) * (1.0 - outreach[:, None])
        f.aware[live] = aware | (draws < learn)

    def shock_productivity(self) -> None:
        """z' = rho z + sd eps (eps drawn per firm slot); technology falls behind the moving
        frontier; skill and consulting gains fade."""
        f, t, live = self.firms, self.p.technology, self.live
        eps = self.streams.get("tfp_shock", self.steps).laplace(0.0, np.sqrt(0.5), self.slots_used)[live]  # unit variance
        behind = self.streams.get("obsolescence", self.steps).random(self.slots_used)[live] < self.q.obsolescence
        f.tech[live] -= (behind & (f.tech[live] > 0)).astype(f.tech.dtype)
        f.tfp_transitory[live] = t.tfp_persistence * f.tfp_transitory[live] + t.tfp_shock_sd * eps
        f.skill[live] -= self.q.skill_depreciation * (f.skill[live] - t.initial_skill)
        f.consulting_lift[live] *= 1.0 - self.q.consulting_decay

    def deliver_support(self) -> None:
        """Skills training every quarter; consulting and growth-fund equity once, when they start;
        an in-silico trial's treatment in its quarter."""
        f, p, live, q = self.firms, self.p.interventions, self.live, self.quarter
        if self.p.trial.treatment != "none" and q == self.p.trial.quarter + 1:
            self._assign_trial()
        if self.active["skills_training"]:
            spec = p.skills_training
            users = live[self._uses(live, "skills_training") & self._eligible(live, spec.eligible)]
            share = quarterly_hazard(spec.trainee_share)
            trainees = share * f.workers[users]
            f.skill[users] += share * spec.skill_gain * (1.0 - f.skill[users])
            f.trained_workers[users] += trainees
            f.schemes_used[users] += 1
            self._public_spend("public_purchases", float(trainees.sum()) * spec.cost_lakh)
        if self.active["consulting"] and q == p.consulting.start_quarter + 1:
            spec = p.consulting
            draw = self.streams.get("consulting", self.steps).random(self.slots_used)[live]
            chosen = live[self._uses(live, "consulting") & self._eligible(live, spec.eligible) & (draw < spec.share_of_firms)]
            f.consulting_lift[chosen] = spec.tfp_lift
            f.consulted[chosen] = True
            f.schemes_used[chosen] += 1
            self._public_spend("public_purchases", len(chosen) * spec.cost_lakh)
        if self.active["growth_fund"] and q == p.growth_fund.start_quarter + 1:
            spec = p.growth_fund
            tiebreak = self.streams.get("growth_fund", self.steps).random(self.slots_used)[live]
            candidates = live[self._uses(live, "growth_fund") & self._eligible(live, spec.eligible)]
            merit = np.log(self._tfp(candidates)) + 1e-9 * tiebreak[np.searchsorted(live, candidates)]
            chosen = candidates[np.argsort(-merit, kind="stable")[: spec.n_firms]]
            f.earmarked[chosen] += spec.equity_lakh
            f.growth_funded[chosen] = True
            f.schemes_used[chosen] += 1
            self._public_spend("grants_to_firms", len(chosen) * spec.equity_lakh, payee="firms")

    def _assign_trial(self) -> None:
        """Randomise eligible firms into treatment (share ``trial.share``, one draw per firm slot)
        and control, record their outcomes before treatment, and treat."""

        f, t, live = self.firms, self.p.trial, self.live
        draw = self.streams.get("trial", self.steps).random(self.slots_used)[live]
        eligible = live[self._eligible(live, t.eligible) & (f.workers[live] > 0)]
        treated = eligible[draw[np.searchsorted(live, eligible)] < t.share]
        f.trial_arm[eligible] = 1
        f.trial_arm[treated] = 2
        self.trial_records = {"slot": eligible, "treated": f.trial_arm[eligible] == 2,
                              **{f"{k}_before": v[eligible] for k, v in self._trial_outcomes().items()}}
        if t.treatment == "grant":
            grant = t.grant_quarters_of_profit * np.maximum(f.profit[treated], 0.1 * f.sales[treated])
            f.cash[treated] += grant
            amount = np.zeros(len(eligible))
            amount[self.trial_records["treated"]] = grant  # treated is eligible filtered, same order
            self.trial_records["grant"] = amount
            self._public_spend("grants_to_firms", float(grant.sum()), payee="firms")
        elif t.treatment == "consulting":
            f.consulting_lift[treated] = np.maximum(f.consulting_lift[treated], t.tfp_lift)
        elif t.treatment == "training":
            f.skill[treated] += t.skill_gain * (1.0 - f.skill[treated])
        elif t.treatment == "export_link":
            f.export_cost_cut[treated] = t.export_cost_cut
        elif t.treatment == "credit_line":
            loan = np.minimum(t.credit_line_quarters_of_sales * f.sales[treated], max(self.bank.funds, 0.0) / max(len(treated), 1))
            f.formal_debt[treated] += loan
            f.formal_rate[treated] = self.q.formal_rate
            f.formal_payment[treated] = _annuity(f.formal_debt[treated], self.q.formal_rate, self.p.finance.loan_term)
            f.formal_access[treated] = True
            f.cash[treated] += loan
            self.bank.funds -= float(loan.sum())
            self.ledger.post("formal_loans", "formal_lender", "firms", float(loan.sum()))

    def _trial_outcomes(self) -> dict[str, np.ndarray]:
        """Firm outcomes a trial measures (whole arrays over slots; Rs lakh a quarter)."""
        f = self.firms
        productivity = np.divide(4.0 * f.real_value_added, f.workers, out=np.zeros(f.capacity), where=f.workers > 0)
        all_slots = np.arange(f.capacity)
        output_per_worker = np.divide(f.output, f.workers, out=np.zeros(f.capacity), where=f.workers > 0)
        return {"sales": f.sales, "profit": f.profit, "workers": f.workers, "real_value_added": f.real_value_added,
                "productivity": productivity, "tfp": self._tfp(all_slots), "output_per_worker": output_per_worker,
                "export_sales": f.export_sales, "exporter": f.exporter.astype(float),
                "capital": f.capital, "alive": f.alive.astype(float)}

    def _record_trial_follow_up(self) -> None:
        rows = self.trial_records["slot"]
        for key, values in self._trial_outcomes().items():
            self.trial_records[f"{key}_after"] = np.where(self.firms.alive[rows], values[rows], np.nan)

    def _expectations(self, rows):
        """What firms expect this quarter: last quarter's wage and price index, today's TFP."""
        f, t = self.firms, self.tech
        domestic_level = self.domestic_spending * self.price_index ** (t.sigma - 1.0)
        quality = self._quality(rows)
        b_dom, b_tot = MSME.demand_shifter(f.certified_until[rows] >= self.steps, f.exporter[rows],
                                           self.p.technology.quality_lift_certified, domestic_level, self.foreign_level())
        phi = self.tfp_scale * self._tfp(rows)
        revenue = MSME.optimal_revenue(b_tot, phi, f.capital[rows], self.wage, self.material_price(), t)
        domestic_revenue = MSME.optimal_revenue(b_dom, phi, f.capital[rows], self.wage, self.material_price(), t)
        return SimpleNamespace(quality=quality, b_dom=b_dom, domestic_level=domestic_level, phi=phi, revenue=revenue,
                               variable_profit=MSME.variable_profit(revenue, t),
                               domestic_variable_profit=MSME.variable_profit(domestic_revenue, t))

    def plan_spending(self) -> None:
        """Each firm plans investment, a technology upgrade, certification and export entry."""
        f, p, t, q, live = self.firms, self.p, self.tech, self.q, self.live
        steps = self.steps
        e = self._expectations(live)
        subvention = self._subvention_points(live)
        cash_rich = f.cash[live] + f.earmarked[live] > self._cash_buffer(live) + p.finance.cash_rich_margin * f.capital[live]
        user_cost = MSME.user_cost(f.formal_access[live], cash_rich, q.formal_rate, q.informal_rate, subvention, q.depreciation)
        discount = user_cost - q.depreciation + q.exit_hazard
        desired = MSME.desired_capital(e.revenue, f.capital[live], user_cost, t)
        investment = MSME.investment(f.capital[live], desired, q.depreciation, p.technology.investment_speed)

        # Technology: hear of the next vintage from an innovation or from better neighbours.
        cells = self._cells(live)
        tech = f.tech[live]
        top = p.technology.tech_levels - 1
        better_share = np.zeros(len(live))
        if top > 0:
            levels = np.arange(1, top + 1)
            at_or_above = self.neighbours.shares(cells, tech[:, None] >= levels[None, :])
            below = tech < top
            better_share[below] = at_or_above[np.flatnonzero(below), tech[below]]  # share one level up
        draw = self.streams.get("technology", steps).random(self.slots_used)[live]
        hears = (tech < top) & (draw < 1.0 - (1.0 - q.innovation) * (1.0 - q.imitation * better_share))
        upgrade_cost = p.technology.upgrade_cost_per_worker_lakh * f.workers[live]
        subsidised = self._uses(live, "tech_upgrade_subsidy") & self._eligible(live, p.interventions.tech_upgrade_subsidy.eligible) \
            if self.active["tech_upgrade_subsidy"] else np.zeros(len(live), dtype=bool)
        subsidy_share = p.interventions.tech_upgrade_subsidy.subsidy_share if self.active["tech_upgrade_subsidy"] else 0.0
        own_upgrade_cost = upgrade_cost * (1.0 - subsidy_share * subsidised)
        gain = MSME.gain_from_tfp(e.variable_profit, p.technology.tech_step, t)
        upgrade = MSME.wants_to_upgrade(hears, gain, own_upgrade_cost, discount)

        # Export market and certification.
        promoted = self._uses(live, "export_promotion")
        ep = p.interventions.export_promotion
        firm_cut = f.export_cost_cut[live]  # a trial's export link
        fixed_cost = q.export_fixed_cost * (1.0 - np.maximum((ep.fixed_cost_cut if ep else 0.0) * promoted, firm_cut))
        sunk_cost = p.market.export_sunk_cost_lakh * (1.0 - np.maximum((ep.sunk_cost_cut if ep else 0.0) * promoted, firm_cut))
        certified = f.certified_until[live] >= steps
        quality_cert = 1.0 + p.technology.quality_lift_certified
        export_ratio = 1.0 + self.foreign_level() / e.domestic_level
        dom_pi_if_certified = e.domestic_variable_profit * (quality_cert / e.quality) ** t.demand_exponent
        export_gain = MSME.gain_from_demand(dom_pi_if_certified, export_ratio, t)
        exporter, entering = MSME.export_choice(f.exporter[live], certified, export_gain, fixed_cost, sunk_cost, discount)
        local_lab = np.zeros(len(live), dtype=bool)
        if self.lab is not None and self.lab.is_open(steps) and self.active["testing_lab"]:
            local_lab = self._uses(live, "testing_lab") & (self._distance(live, self.lab) <= self.lab.reach)
        test_cost = p.market.certification_fee_lakh + p.market.compliance_cost_lakh + np.where(local_lab, self.lab.fee if self.lab else 0.0,
                                                               p.market.distant_test_cost_lakh)
        # The quality premium of a certificate, valued against having none (so renewals count it too).
        quality_gain = MSME.gain_from_demand(e.domestic_variable_profit * e.quality ** -t.demand_exponent, quality_cert, t)
        pending = (f.test_ready_step[live] >= 0) | (f.test_requested_step[live] >= 0)
        renew_by = steps + p.market.distant_test_delay + 1  # apply early enough to stay certified
        seek = MSME.seeks_certification(f.certified_until[live] < renew_by, pending, export_gain, quality_gain, fixed_cost,
                                        test_cost, p.market.certification_validity)
        self.plan = SimpleNamespace(investment=investment, upgrade=upgrade, upgrade_cost=upgrade_cost,
                                    own_upgrade_cost=own_upgrade_cost, subsidised=subsidised & upgrade,
                                    exporter=exporter, entering=entering, sunk_cost=sunk_cost, fixed_cost=fixed_cost,
                                    seek=seek, test_cost=test_cost, local_lab=local_lab, promoted=promoted,
                                    subvention=subvention, margin=np.divide(f.profit[live], f.sales[live],
                                                                            out=np.zeros(len(live)), where=f.sales[live] > 0))

    def _subvention_points(self, rows) -> np.ndarray:
        if not self.active["interest_subvention"]:
            return np.zeros(len(rows))
        spec = self.p.interventions.interest_subvention
        points = self.q.formal_rate - quarterly_rate(self.p.finance.formal_rate - spec.rate_points)
        return points * (self._uses(rows, "interest_subvention") & self._eligible(rows, spec.eligible))

    def _guarantee_cover(self, rows, loan) -> np.ndarray:
        """CGTMSE-style cover: the micro rate for small loans to micro firms, the women's rate
        for women-owned firms, the standard rate otherwise; nil for firms not covered."""
        if not self.active["credit_guarantee"]:
            return np.zeros(len(rows))
        spec, f = self.p.interventions.credit_guarantee, self.firms
        small_micro_loan = self._eligible(rows, ["micro"]) & (loan <= spec.micro_loan_limit_lakh)
        cover = np.where(small_micro_loan, spec.cover_share_micro,
                         np.where(f.women_owned[rows], spec.cover_share_women, spec.cover_share))
        return cover * (self._uses(rows, "credit_guarantee") & self._eligible(rows, spec.eligible))

    def lend(self) -> None:
        """Firms whose plans exceed their own funds apply to the bank; the rest goes to the moneylender."""
        f, p, live, plan = self.firms, self.p, self.live, self.plan
        spending = (plan.investment + plan.own_upgrade_cost * plan.upgrade + plan.sunk_cost * plan.entering
                    + plan.test_cost * plan.seek)
        # Growth-fund money (earmarked) pays only for capital and upgrades.
        capital_items = plan.investment + plan.own_upgrade_cost * plan.upgrade
        earmarked_use = np.minimum(f.earmarked[live], capital_items)
        own_funds = np.maximum(f.cash[live] - self._cash_buffer(live), 0.0)
        need = np.maximum(spending - earmarked_use - own_funds, 0.0)
        applicants = need > 0.0
        score = plan.margin + p.finance.score_noise * self.streams.get("credit_score", self.steps).standard_normal(self.slots_used)[live]
        cover = self._guarantee_cover(live, need)
        # A guarantee lowers the bank's bar in proportion to the share of the loss it covers.
        bar_cut = p.interventions.credit_guarantee.threshold_cut if p.interventions.credit_guarantee else 0.0
        threshold = p.finance.min_margin - bar_cut * cover * abs(p.finance.min_margin)
        room = p.finance.collateral_ratio * f.capital[live] - f.formal_debt[live]
        if self.active["credit_guarantee"]:
            waived = p.interventions.credit_guarantee.collateral_waived_lakh - f.formal_debt[live]
            room = np.where(cover > 0, np.maximum(room, waived), room)
        # Whatever the collateral, the instalment must fit the firm's cash flow.
        cash_flow = f.profit[live] + self.q.depreciation * f.capital[live] + f.formal_rate[live] * f.formal_debt[live]
        serviceable = _principal_for(p.finance.debt_service_share * np.maximum(cash_flow, 0.0), self.q.formal_rate,
                                     p.finance.loan_term)
        room = np.minimum(room, serviceable - f.formal_debt[live])
        formal, approved = self.bank.ration(need, score, threshold, room)
        f.formal_access[live[applicants]] = approved[applicants]
        borrowers = live[formal > 0]
        if len(borrowers):
            got = formal[formal > 0]
            f.guarantee_cover[borrowers] = np.maximum(f.guarantee_cover[borrowers], cover[formal > 0])
            f.subvention[borrowers] = plan.subvention[formal > 0]
            f.formal_rate[borrowers] = self.q.formal_rate
            f.formal_debt[borrowers] += got
            f.formal_payment[borrowers] = _annuity(f.formal_debt[borrowers], self.q.formal_rate, p.finance.loan_term)
            f.cash[borrowers] += got
            f.schemes_used[borrowers[(cover[formal > 0] > 0)]] += 1
            self.ledger.post("formal_loans", "formal_lender", "firms", float(got.sum()))
        informal_room = p.finance.informal_cap * f.sales[live] - f.informal_debt[live]
        informal = self.moneylender.lend_up_to(need - formal, informal_room)
        self._add_informal(live, informal)
        self.plan.funds = own_funds + formal + informal
        self.plan.earmarked_use = earmarked_use

    def _add_informal(self, rows, amount) -> None:
        f = self.firms
        took = amount > 0
        rows, amount = rows[took], amount[took]
        if len(rows) == 0:
            return
        f.informal_debt[rows] += amount
        f.informal_payment[rows] = _annuity(f.informal_debt[rows], self.q.informal_rate, self.p.finance.loan_term)
        f.cash[rows] += amount
        self.ledger.post("informal_loans", "informal_lender", "firms", float(amount.sum()))

    def invest(self) -> None:
        """Carry out what is financed: certification first, then export entry, upgrade, capital."""
        f, live, plan, steps = self.firms, self.live, self.plan, self.steps
        funds = plan.funds.copy()  # cash and loans; growth-fund money only for capital (below)
        seek = plan.seek & (funds >= plan.test_cost)
        funds -= plan.test_cost * seek
        enter = plan.entering & (funds >= plan.sunk_cost)
        funds -= plan.sunk_cost * enter
        funds += plan.earmarked_use
        upgrade = plan.upgrade & (funds >= plan.own_upgrade_cost)
        funds -= plan.own_upgrade_cost * upgrade
        investment = np.minimum(plan.investment, funds)
        # Who exports this quarter: continuing exporters with a valid certificate, plus financed entrants.
        f.exporter[live] = plan.exporter & (~plan.entering | enter)
        # Pay: growth-fund money goes to capital and upgrades first.
        capital_spend = investment + plan.upgrade_cost * upgrade
        subsidy = (plan.upgrade_cost - plan.own_upgrade_cost) * upgrade
        from_earmarked = np.minimum(f.earmarked[live], capital_spend - subsidy)
        f.earmarked[live] -= from_earmarked
        local = seek & plan.local_lab
        lab_fees = np.where(local, self.lab.fee if self.lab else 0.0, 0.0)
        f.cash[live] += subsidy - (capital_spend - from_earmarked) - plan.sunk_cost * enter - plan.test_cost * seek
        f.capital[live] += capital_spend
        f.tech[live] += upgrade
        f.schemes_used[live[upgrade & plan.subsidised]] += 1
        f.schemes_used[live[local]] += 1
        f.schemes_used[live[enter & plan.promoted]] += 1
        self._public_spend("grants_to_firms", float(subsidy.sum()), payee="firms")
        self.ledger.post("investment_goods", "firms", "rest_of_world", float(capital_spend.sum()))
        self.ledger.post("other_firm_costs", "firms", "rest_of_world",
                         float((plan.sunk_cost * enter + (plan.test_cost - lab_fees) * seek).sum()))
        self.ledger.post("facility_fees", "firms", "government", float(lab_fees.sum()))
        self.government_cash += float(lab_fees.sum())
        if self.lab is not None:
            self.lab.fees_collected = float(lab_fees.sum())
        f.test_requested_step[live[local]] = steps
        distant = live[seek & ~plan.local_lab]
        f.test_ready_step[distant] = steps + self.p.market.distant_test_delay

    def use_facilities(self) -> None:
        """The CFC rations its machine-hours among firms that find it worth the fee and
        trip; the lab tests its queue, oldest first; distant tests come back."""
        f, live, steps = self.firms, self.live, self.steps
        f.cfc_lift[live] = 0.0
        self.facility_costs = np.zeros(len(live))  # CFC fees and trips, counted in profit
        if self.cfc is not None and self.active["cfc"]:
            cfc = self.cfc
            open_now = cfc.is_open(steps)
            distance = self._distance(live, cfc)
            full_lift = cfc.lift_at(distance)
            e = self._expectations(live)
            hours = cfc.hours_per_worker * f.workers[live]
            aware = self._uses(live, "cfc")

            def wants(share):  # firms that find the CFC worth it when it serves this share of their hours
                gain = MSME.gain_from_tfp(e.variable_profit, full_lift * share, self.tech)
                return MSME.uses_cfc(aware, open_now, gain, cfc.fee_per_hour * hours * share, cfc.travel_cost * distance)

            served, users = cfc.clear_service(hours, wants)
            rows = live[users]
            f.cfc_lift[rows] = full_lift[users] * served
            f.cfc_user[rows] = True
            f.schemes_used[rows] += 1
            fees = cfc.fee_per_hour * hours[users] * served + cfc.travel_cost * distance[users]
            f.cash[rows] -= fees
            self.facility_costs[users] = fees
            cfc.hours_used = float(hours[users].sum() * served)
            fee_total = float((cfc.fee_per_hour * hours[users] * served).sum())
            self.ledger.post("facility_fees", "firms", "government", fee_total)
            self.ledger.post("other_firm_costs", "firms", "rest_of_world", float((cfc.travel_cost * distance[users]).sum()))
            self.government_cash += fee_total
            cfc.fees_collected = fee_total
            if open_now:
                self._run_facility(cfc, self.p.interventions.cfc.opex_cr)
        if self.lab is not None and self.active["testing_lab"] and self.lab.is_open(steps):
            queue = live[f.test_requested_step[live] >= 0]
            priority = self.streams.get("lab_queue", steps).random(self.slots_used)[queue]
            served = queue[self.lab.serve(f.test_requested_step[queue], priority)]
            self.flow.lab_tests = len(served)
            self.flow.lab_wait = float((steps - f.test_requested_step[served]).sum())
            f.certified_until[served] = steps + self.p.market.certification_validity
            f.test_requested_step[served] = -1
            self._run_facility(self.lab, self.p.interventions.testing_lab.opex_cr)
        back = live[f.test_ready_step[live] == steps]
        f.certified_until[back] = steps + self.p.market.certification_validity
        f.test_ready_step[back] = -1

    def _run_facility(self, facility, opex_cr: float) -> None:
        """A quarter's running cost.  Fees are collected into the (consolidated) public
        accounts; an SPV keeps any surplus of fees over running costs for its members, who
        financed the non-grant share of the capex, so only a deficit is a public cost."""
        opex = per_quarter(opex_cr * LAKH_PER_CRORE)
        self._public_spend("public_purchases", opex)
        if facility.governance == "spv":
            self._public_spend("spv_surplus", max(facility.fees_collected - opex, 0.0))
        facility.fees_collected = 0.0

    def clear_markets(self) -> None:
        """Wage and price index adjust until labour supply meets labour demand and the
        price index matches firms' prices; firms hire or fire towards their optimum."""
        f, live, t = self.firms, self.live, self.tech
        certified = f.certified_until[live] >= self.steps
        f.exporter[live] &= certified
        quality = self._quality(live)
        foreign = self.foreign_level() * f.exporter[live]
        result = markets.clear(
            quality=quality, exporter_foreign_level=foreign, phi=self.tfp_scale * self._tfp(live),
            capital=f.capital[live], workers_before=f.workers[live], hiring_speed=self.p.labour.hiring_speed,
            wage_before=self.wage, price_index_before=self.price_index, material_price=self.material_price(),
            domestic_spending=self.domestic_spending, outside_weight=self.outside_weight,
            supply=self.labour_supply, t=t)
        self.wage, self.price_index = result.wage, result.price_index
        self.output_deflator *= _tornqvist_change(f.price[live], result.price, f.sales[live], result.revenue)
        f.price[live] = result.price
        f.workers[live] = result.workers
        f.sales[live] = result.revenue
        f.export_sales[live] = result.export_revenue
        f.materials[live] = result.materials
        # Value added at base-period prices (double deflation): sales deflated by a chained
        # matched-model (Tornqvist) index of the cluster's prices, materials by their price index.
        f.output[live] = self.base_price * result.revenue / result.price
        f.real_value_added[live] = (result.revenue / self.output_deflator
                                    - result.materials * self.base_material_price / self.material_price())

    def settle_accounts(self) -> None:
        """Firms are paid for their sales and pay wages, materials, export costs and debts;
        owners draw cash above a buffer."""
        f, p, q, live = self.firms, self.p, self.q, self.live
        L = self.ledger
        wages = self.wage * f.workers[live]
        imported = p.materials.imported_share * self.market.exchange_rate / self.material_price()
        export_cost = np.where(f.exporter[live], self.plan.fixed_cost, 0.0)
        overhead = np.full(len(live), self.overhead)
        guarantee_fee = (quarterly_rate(p.interventions.credit_guarantee.fee_rate) if p.interventions.credit_guarantee else 0.0) \
            * f.formal_debt[live] * (f.guarantee_cover[live] > 0)
        # Formal loan: the firm pays its instalment less the subvention, which the government pays.
        formal_interest = f.formal_rate[live] * f.formal_debt[live]
        formal_principal = np.minimum(np.maximum(f.formal_payment[live] - formal_interest, 0.0), f.formal_debt[live])
        subsidy = f.subvention[live] * f.formal_debt[live]
        informal_interest = q.informal_rate * f.informal_debt[live]
        informal_principal = np.minimum(np.maximum(f.informal_payment[live] - informal_interest, 0.0), f.informal_debt[live])
        f.cash[live] += (f.sales[live] - wages - f.materials[live] - overhead - export_cost - guarantee_fee
                         - (formal_interest - subsidy) - formal_principal - informal_interest - informal_principal)
        f.formal_debt[live] -= formal_principal
        f.informal_debt[live] -= informal_principal
        self.bank.funds += float((formal_interest + formal_principal).sum())
        self.moneylender.funds += float((informal_interest + informal_principal).sum())
        self.government_cash += float(guarantee_fee.sum())
        self._public_spend("interest_subvention", float(subsidy.sum()), payee="formal_lender")
        self.households.deposits += float(wages.sum())
        self.flow.household_income += float(wages.sum())
        L.post("domestic_sales", "rest_of_world", "firms", float(f.sales[live].sum() - f.export_sales[live].sum()))
        L.post("export_sales", "rest_of_world", "firms", float(f.export_sales[live].sum()))
        L.post("materials_imported", "firms", "rest_of_world", float(f.materials[live].sum() * imported))
        L.post("materials_domestic", "firms", "rest_of_world", float(f.materials[live].sum() * (1.0 - imported)))
        L.post("wages", "firms", "households", float(wages.sum()))
        L.post("other_firm_costs", "firms", "rest_of_world", float(export_cost.sum() + overhead.sum()))
        L.post("guarantee_fees", "firms", "government", float(guarantee_fee.sum()))
        L.post("interest_formal", "firms", "formal_lender", float((formal_interest - subsidy).sum()))
        L.post("formal_repayments", "firms", "formal_lender", float(formal_principal.sum()))
        L.post("interest_informal", "firms", "informal_lender", float(informal_interest.sum()))
        L.post("informal_repayments", "firms", "informal_lender", float(informal_principal.sum()))
        # Profit (economic: after depreciation and interest); a firm short of cash turns to the moneylender.
        depreciation = self.q.depreciation * f.capital[live]
        f.profit[live] = (f.sales[live] - wages - f.materials[live] - overhead - export_cost - guarantee_fee - depreciation
                          - self.facility_costs
                          - (formal_interest - subsidy) - informal_interest)
        f.capital[live] -= depreciation
        f.loss_streak[live] = np.where(f.profit[live] < 0, f.loss_streak[live] + 1, 0)
        short = np.maximum(-f.cash[live], 0.0)
        room = np.maximum(p.finance.informal_cap * f.sales[live] - f.informal_debt[live], 0.0)
        self._add_informal(live, self.moneylender.lend_up_to(short, room))
        self.insolvent = live[f.cash[live] < 0.0]
        # Owners draw part of the cash above the buffer.
        dividends = p.finance.payout_rate * np.maximum(f.cash[live] - self._cash_buffer(live), 0.0)
        f.cash[live] -= dividends
        self.households.deposits += float(dividends.sum())
        self.flow.household_income += float(dividends.sum())
        L.post("dividends", "firms", "households", float(dividends.sum()))

    def exit_and_enter(self) -> None:
        """Insolvent firms, persistent loss-makers and hazard victims close (debts they
        cannot pay default); potential entrants from the pool enter if it pays."""
        f, p, q, live, L = self.firms, self.p, self.q, self.live, self.ledger
        draws = self.streams.get("exit", self.steps).random(self.slots_used)[live]
        closing = MSME.exits(f.loss_streak[live], p.dynamics.loss_quarters_to_exit, draws, q.exit_hazard)
        rows = np.union1d(live[closing], self.insolvent)
        self.flow.formal_borrowers = int(np.count_nonzero(f.formal_debt[live] > 0))
        if len(rows):
            # The capital is sold for scrap; the bank is paid first, then the moneylender,
            # and the owner keeps what is left.  Debt defaults only when that is not enough.
            scrap = p.finance.recovery_rate * f.capital[rows]
            L.post("scrap_sales", "rest_of_world", "firms", float(scrap.sum()))
            cash = f.cash[rows] + f.earmarked[rows] + scrap
            pay_formal = np.clip(cash, 0.0, f.formal_debt[rows])
            cash -= pay_formal
            pay_informal = np.clip(cash, 0.0, f.informal_debt[rows])
            cash -= pay_informal
            formal_loss = f.formal_debt[rows] - pay_formal
            payout = f.guarantee_cover[rows] * formal_loss
            self.bank.funds += float(pay_formal.sum() + payout.sum())
            self.moneylender.funds += float(pay_informal.sum())
            L.post("formal_repayments", "firms", "formal_lender", float(pay_formal.sum()))
            L.post("informal_repayments", "firms", "informal_lender", float(pay_informal.sum()))
            self._public_spend("guarantee_payouts", float(payout.sum()), payee="formal_lender")
            # Negative residual cash (unpaid suppliers) is written off by the rest of the world.
            residual = np.maximum(cash, 0.0)
            L.post("exit_residual", "firms", "households", float(residual.sum()))
            L.post("other_firm_costs", "firms", "rest_of_world", float(np.minimum(cash, 0.0).sum()))
            self.households.deposits += float(residual.sum())
            self.flow.household_income += float(residual.sum())
            self.flow.defaults = int(np.count_nonzero(formal_loss > 1e-9))
            self.flow.exits = len(rows)
            for name in ("cash", "earmarked", "capital", "workers", "formal_debt", "informal_debt", "formal_payment",
                         "informal_payment", "sales", "export_sales", "materials", "real_value_added", "output", "price", "profit"):
                getattr(f, name)[rows] = 0.0
            f.alive[rows] = False
            f.exporter[rows] = False
            for row in rows:
                self.agents_by_row.pop(int(row)).remove()
        if self.quarter <= 0:
            self._retune_entry()
        self._enter()

    def _entrant_value(self, rows):
        """Expected value of a potential entrant at today's wage and price index: the
        long-run profit of a legacy-technology firm, capitalised at the formal rate
        plus the exit hazard.  Returns (value, long-run revenue)."""
        t, q = self.tech, self.q
        user_cost = q.formal_rate + q.depreciation
        unit = self._long_run_revenue_unit(np.ones(len(rows)), np.zeros(len(rows)), self._tfp(rows), self.wage, user_cost, 0.0)
        domestic_level = self.domestic_spending * self.price_index ** (t.sigma - 1.0)
        revenue = domestic_level ** t.long_run_demand_exponent * self.tfp_scale ** t.long_run_tfp_exponent * unit
        return (t.long_run_profit_share * revenue - self.overhead) / (q.formal_rate + q.exit_hazard), revenue

    def _calibrate_entry_threshold(self) -> float:
        """The value a candidate must expect to enter.  It starts where entries per
        quarter would match exogenous exits, and is retuned during the burn-in only."""
        pool = np.arange(self.n_initial, self.n_initial + ENTRANT_VALUATION_POOL)
        if self.candidates_per_step <= 0 or len(pool) == 0:
            self.entry_share, self.pool_values = 0.0, np.array([np.inf])
            return np.inf
        self.pool_values = np.sort(self._entrant_value(pool)[0])
        self.entry_share = min(self.q.exit_hazard * self.n_initial / self.candidates_per_step, 1.0)
        return self._threshold_for(self.entry_share)

    def _threshold_for(self, share: float) -> float:
        return -np.inf if share >= 1.0 else float(np.quantile(self.pool_values, 1.0 - share))

    def _retune_entry(self) -> None:
        """Burn-in only: nudge the share of candidates that enter so that the number of
        firms returns to the scenario's count (a tatonnement on free entry).  Frozen
        once the policy period starts, so entry then responds to markets alone."""
        if self.candidates_per_step <= 0:
            return
        gap = (len(self.firms.live()) - self.n_initial) / self.n_initial
        self.entry_share = float(np.clip(self.entry_share * np.exp(-ENTRY_RETUNE_GAIN * gap), 0.0, 1.0))
        if self.quarter == 0 and self.steps > 1:
            # Last burn-in quarter: value the remaining pool at today's prices and set the
            # threshold so that entries match the exits of the last 20 quarters.
            recent_exits = np.mean([row[EXITS_COLUMN] for row in self.rows[-ENTRY_BALANCE_WINDOW:]] + [self.flow.exits])
            self._ensure_pool(self.slots_used + ENTRANT_VALUATION_POOL)
            upcoming = np.arange(self.slots_used, self.slots_used + ENTRANT_VALUATION_POOL)
            self.pool_values = np.sort(self._entrant_value(upcoming)[0])
            self.entry_share = float(np.clip(recent_exits / self.candidates_per_step, 0.0, 1.0))
        self.entry_threshold = self._threshold_for(self.entry_share)

    def _enter(self) -> None:
        f, p, t, q = self.firms, self.p, self.tech, self.q
        first = self.slots_used
        last = self.n_initial + int(np.floor(self.candidates_per_step * self.steps))
        self.slots_used = max(first, last)
        self._ensure_pool(self.slots_used)
        rows = np.arange(first, self.slots_used)
        if len(rows) == 0:
            return
        user_cost = q.formal_rate + q.depreciation
        value, revenue = self._entrant_value(rows)
        enters = value > self.entry_threshold
        rows = rows[enters]
        if len(rows) == 0:
            return
        revenue = revenue[enters]
        f.alive[rows] = True
        f.entry_step[rows] = self.steps
        f.capital[rows] = t.beta * t.rho * revenue / user_cost
        # Working capital for the workforce and materials it plans; it hires from next quarter.
        f.cash[rows] = (p.finance.cash_buffer * (self.wage * MSME.optimal_labour(revenue, self.wage, t)
                                                 + MSME.materials_spend(revenue, t)) + q.depreciation * f.capital[rows])
        f.workers[rows] = 0.0
        equity = f.capital[rows] + f.cash[rows] + p.dynamics.entry_cost_lakh
        self.ledger.post("owner_equity", "rest_of_world", "firms", float(equity.sum()))
        self.ledger.post("investment_goods", "firms", "rest_of_world", float(f.capital[rows].sum()))
        self.ledger.post("other_firm_costs", "firms", "rest_of_world", p.dynamics.entry_cost_lakh * len(rows))
        self.flow.entries = len(rows)
        for row in rows:
            self._add_agent(int(row))

    def close_books(self) -> None:
        """The bank sends funds above its target to head office; the moneylender's
        net income goes to households; households consume; the centre funds the
        government's deficit.  Then the quarter's data row is recorded."""
        L = self.ledger
        upstream = max(self.bank.funds - self.bank.funds_target, 0.0)
        self.bank.funds -= upstream
        L.post("bank_upstream", "formal_lender", "rest_of_world", upstream)
        moneylender_income = self.moneylender.funds - self.moneylender.funds_target
        self.moneylender.funds -= moneylender_income
        self.households.deposits += moneylender_income
        self.flow.household_income += moneylender_income
        L.post("moneylender_income", "informal_lender", "households", moneylender_income)
        hp = self.p.households
        consumption = hp.consumption_income * self.flow.household_income + hp.consumption_wealth * self.households.deposits
        self.households.deposits -= consumption
        L.post("household_consumption", "households", "rest_of_world", consumption)
        transfer = -self.government_cash
        self.government_cash = 0.0
        L.post("central_transfer", "rest_of_world", "government", transfer)
        if self.quarter > 0:
            self.public_cost_cr += transfer / LAKH_PER_CRORE
        if self.trial_records is not None and self.quarter == self.p.trial.quarter + 1 + self.p.trial.follow_up:
            self._record_trial_follow_up()
        if self.panel is not None:
            self.panel.append(self._panel_block())
        money_change = self._money_stocks() - self.money_before
        self.flow_matrices.append(L.matrix(money_change))
        self.rows.append(self._record_row())

    def _money_stocks(self) -> np.ndarray:
        """Money held by each sector; the rest of the world is the residual (money is conserved)."""
        f = self.firms
        domestic = [float(f.cash.sum() + f.earmarked.sum()), self.households.deposits, self.government_cash,
                    self.bank.funds, self.moneylender.funds]
        return np.array([*domestic, -sum(domestic)])

    # ===================================================== observation
    def _record_row(self) -> list[float]:
        """One row of timeseries.csv; the column order is output.TIMESERIES_COLUMNS."""
        f, live = self.firms, self.firms.live()
        jobs = float(f.workers[live].sum())
        sales = float(f.sales[live].sum())
        exports = float(f.export_sales[live].sum())
        materials = float(f.materials[live].sum())
        imported = self.p.materials.imported_share * self.market.exchange_rate / self.material_price()
        real_va = float(f.real_value_added[live].sum())
        formal_debt = float(f.formal_debt[live].sum())
        size = MSME.size_class_index(f.capital[live], 4.0 * f.sales[live])
        cfc_util = self.cfc.utilisation if (self.cfc is not None and self.cfc.is_open(self.steps)) else 0.0
        n = max(len(live), 1)
        return [
            self.steps, self.quarter,
            4.0 * real_va / jobs if jobs > 0 else 0.0,
            exports / sales if sales > 0 else 0.0,
            jobs,
            sales / LAKH_PER_CRORE, exports / LAKH_PER_CRORE,
            (sales - materials) / LAKH_PER_CRORE,
            4.0 * self.wage, self.price_index,
            len(live), int(np.count_nonzero(f.exporter[live])),
            self.flow.entries, self.flow.exits,
            formal_debt / LAKH_PER_CRORE, float(f.informal_debt[live].sum()) / LAKH_PER_CRORE,
            self.flow.defaults / self.flow.formal_borrowers if self.flow.formal_borrowers else 0.0,
            float(np.count_nonzero(f.formal_debt[live] > 0)) / n,
            cfc_util,
            self.flow.lab_wait / self.flow.lab_tests if self.flow.lab_tests else 0.0,
            float(np.count_nonzero(f.schemes_used[live] > 0)) / n,
            imported,
            self.public_cost_cr,
            float(np.mean(self._tfp(live))) if len(live) else 0.0,
            float(np.mean(f.tech[live])) if len(live) else 0.0,
            float(np.mean(f.certified_until[live] >= self.steps)) if len(live) else 0.0,
            int(np.count_nonzero(size == 0)), int(np.count_nonzero(size == 1)), int(np.count_nonzero(size >= 2)),
            self.bank.funds / LAKH_PER_CRORE,
        ]

    def _panel_block(self) -> dict[str, np.ndarray]:
        """This quarter's firm panel rows (operating firms)."""
        f, live = self.firms, self.firms.live()
        return {"step": np.full(len(live), self.steps), "firm_id": live, "workers": f.workers[live],
                "sales": f.sales[live], "export_sales": f.export_sales[live],
                "value_added": f.sales[live] - f.materials[live], "real_value_added": f.real_value_added[live],
                "tfp": self._tfp(live), "exporter": f.exporter[live].astype(int), "age": self.steps - f.entry_step[live],
                "capital": f.capital[live], "profit": f.profit[live]}

    def run(self, steps: int | None = None) -> None:
        """Run the burn-in and the horizon (or ``steps`` quarters)."""
        for _ in range(self.n_steps if steps is None else steps):
            self.step()


def _tornqvist_change(price_before, price_now, sales_before, sales_now) -> float:
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


def _principal_for(payment, rate, term):
    """The loan an instalment of ``payment`` a quarter repays over ``term`` quarters (inverse of _annuity)."""
    return payment / _annuity(1.0, rate, term)


def _annuity(principal, rate, term):
    """Quarterly instalment that repays ``principal`` over ``term`` quarters at ``rate``."""
    denominator = -np.expm1(-term * np.log1p(rate))  # 1 - (1 + r)^-n without cancellation
    if rate < 1e-12:
        return principal / term
    return principal * rate / denominator


__all__ = ["ClusterModel", "SECTORS"]
