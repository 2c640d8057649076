"""Entry and exit: firms close, potential entrants come in.

A firm closes after too many loss-making quarters, when it cannot pay its bills
(its cash is negative even after the moneylender), or by an exogenous hazard;
its capital is sold for scrap, the bank is paid first, then the moneylender, and
debt defaults only when that is not enough.  Potential entrants are drawn in
advance (a pool of slots after the initial firms, block by block, each block
from its own random stream, so a slot's draws do not depend on the package); a
fixed number of candidates a quarter look at the market, and a candidate enters
when the value it expects clears a threshold.  During the burn-in the threshold
is retuned so the number of firms returns to the scenario's; from the policy
period on it is frozen, so entry responds to markets alone.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..inputs.params import ORIGINAL_SCHEMES
from .agents.msme import MSME
from .initial_cluster import (
    added_scheme_awareness,
    owner_doubts,
    place_firms,
    upgrade_cost_factors,
)
from .timeunits import quarterly_intensity

POOL_BLOCK = 256  # entrant-pool slots drawn per stream block
ENTRANT_VALUATION_POOL = (
    2048  # candidates valued to set the entry threshold (independent of the horizon)
)
ENTRY_RETUNE_GAIN = (
    2.0  # burn-in tatonnement: log change in the entry share per unit relative gap in firm count
)
ENTRY_BALANCE_WINDOW = 20  # quarters of exits the post-burn-in entry threshold is set to match
#: What a closing firm's slot keeps no more.
CLEARED_ON_EXIT = (
    "cash",
    "earmarked",
    "capital",
    "workers",
    "formal_debt",
    "cash_credit",
    "cash_credit_limit",
    "receivables",
    "materials_stock",
    "informal_debt",
    "formal_payment",
    "informal_payment",
    "sales",
    "export_sales",
    "materials",
    "real_value_added",
    "output",
    "price",
    "profit",
)


class Demography:
    """The firms' births and deaths: the entrant pool, the entry threshold, closures."""

    def __init__(self, model, n_initial: int):
        self.model = model
        self.n_initial = n_initial
        self.candidates_per_step = (
            quarterly_intensity(model.p.dynamics.entry_candidates) * n_initial
        )
        self.entry_share = 0.0  # share of candidates that enter (set by calibrate_entry_threshold)
        self.pool_values = np.array(
            [np.inf]
        )  # sorted values of the candidates the threshold is set from
        self.entry_threshold = np.inf
        self.recent_exits: deque[int] = deque(maxlen=ENTRY_BALANCE_WINDOW)  # exits of past quarters

    # -------------------------------------------------------------- the pool of potential entrants
    def ensure_pool(self, slots: int) -> None:
        """Potential entrants are drawn in blocks of POOL_BLOCK slots, block b from its own
        stream, so a slot's draws depend on the slot alone: not on the horizon, the package
        or how many entrants came before.  Whether a candidate enters depends on the market."""
        firms = self.model.firms
        while firms.capacity < slots:
            block = (firms.capacity - self.n_initial) // POOL_BLOCK
            firms.grow(firms.capacity + POOL_BLOCK)
            self._draw_pool_block(block)

    def _draw_pool_block(self, block: int) -> None:
        model, p, firms = self.model, self.model.p, self.model.firms
        lo = self.n_initial + block * POOL_BLOCK
        hi, count = lo + POOL_BLOCK, POOL_BLOCK
        rng = model.streams.get("entrant_pool", block)
        firms.x[lo:hi], firms.y[lo:hi] = place_firms(
            rng, count, model.cores, p.cluster.core_spread, model.width
        )
        firms.tfp_permanent[lo:hi] = rng.normal(0.0, p.technology.tfp_dispersion, count)
        firms.women_owned[lo:hi] = rng.random(count) < p.cluster.women_owned_share
        original = len(ORIGINAL_SCHEMES)
        firms.aware[lo:hi, :original] = rng.random((count, original)) < p.awareness.initial
        firms.aware[lo:hi, original:] = added_scheme_awareness(model, block + 1, count)
        firms.skill[lo:hi] = p.technology.initial_skill
        firms.upgrade_cost_factor[lo:hi] = upgrade_cost_factors(model, block + 1, count)
        firms.doubts[lo:hi] = owner_doubts(model, block + 1, count)
        wealth = model.streams.get("entrant_wealth", block)
        firms.wealth_share[lo:hi] = p.dynamics.entrant_wealth * np.exp(
            p.dynamics.entrant_wealth_dispersion * wealth.standard_normal(count)
        )

    # ------------------------------------------------------------------ the value of entering
    def entrant_value(self, rows):
        """Expected value of a potential entrant at today's wage and price index: the long-run
        profit of a legacy-technology firm selling at home, less overhead, capitalised at the
        formal rate plus the exit hazard (with an open single window: plus its compliance saving,
        its cut in the set-up cost and the profit of the days it starts sooner).  Expectations are
        static, as incumbents' are: a candidate does not foresee the decline, it meets it.
        Returns (value, its long-run plan)."""
        tech, rates, markets, firms = (
            self.model.technology,
            self.model.rates,
            self.model.markets,
            self.model.firms,
        )
        plan = MSME.long_run_plan(
            markets.domestic_level() * np.ones(len(rows)),
            firms.tfp_scale * firms.tfp(rows),
            markets.wage,
            rates.formal_rate + rates.depreciation,
            firms.material_cost(),
            tech,
        )
        profit = plan.profit - firms.overhead
        if not self.model.facilities.single_window_open():
            return profit / (rates.formal_rate + rates.exit_hazard), plan
        # An entrant registers through an open single window: it saves on compliance, and starts
        # for less.
        profit = profit + self.model.government.compliance_saving()
        gain, _ = self.model.government.entry_terms()
        return profit / (rates.formal_rate + rates.exit_hazard) + gain, plan

    def calibrate_entry_threshold(self) -> None:
        """The value a candidate must expect to enter.  It starts where entries per
        quarter would match exogenous exits, and is retuned during the burn-in only."""
        pool = np.arange(self.n_initial, self.n_initial + ENTRANT_VALUATION_POOL)
        if self.candidates_per_step <= 0 or len(pool) == 0:
            self.entry_share, self.pool_values, self.entry_threshold = (
                0.0,
                np.array([np.inf]),
                np.inf,
            )
            return
        self.pool_values = np.sort(self.entrant_value(pool)[0])
        self.entry_share = min(
            self.model.rates.exit_hazard * self.n_initial / self.candidates_per_step, 1.0
        )
        self.entry_threshold = self._threshold_for(self.entry_share)

    def _threshold_for(self, share: float) -> float:
        return -np.inf if share >= 1.0 else float(np.quantile(self.pool_values, 1.0 - share))

    def _retune_entry(self, exits_now: int) -> None:
        """Burn-in only: nudge the share of candidates that enter so that the number of
        firms returns to the scenario's count (a tatonnement on free entry).  Frozen
        once the policy period starts, so entry then responds to markets alone."""
        if self.candidates_per_step <= 0:
            return
        model, firms = self.model, self.model.firms
        gap = (len(firms.live()) - self.n_initial) / self.n_initial
        self.entry_share = float(
            np.clip(self.entry_share * np.exp(-ENTRY_RETUNE_GAIN * gap), 0.0, 1.0)
        )
        if model.quarter == 0 and model.steps > 1:
            # Last burn-in quarter: value the remaining pool at today's prices and set the
            # threshold so that entries match the exits of the last 20 quarters.
            recent_exits = np.mean([*self.recent_exits, exits_now])
            self.ensure_pool(firms.slots_used + ENTRANT_VALUATION_POOL)
            upcoming = np.arange(firms.slots_used, firms.slots_used + ENTRANT_VALUATION_POOL)
            self.pool_values = np.sort(self.entrant_value(upcoming)[0])
            self.entry_share = float(np.clip(recent_exits / self.candidates_per_step, 0.0, 1.0))
        self.entry_threshold = self._threshold_for(self.entry_share)

    # ------------------------------------------------------------------ the phases
    def close_firms(self, firms) -> None:
        """Insolvent firms, persistent loss-makers and hazard victims close (debts they
        cannot pay default; the guarantee pays its share of the bank's loss)."""
        model, p, live, ledger, counts = (
            self.model,
            self.model.p,
            firms.operating,
            self.model.ledger,
            self.model.counts,
        )
        draws = model.streams.get("exit", model.steps).random(firms.slots_used)[live]
        closing = MSME.exits(
            firms.loss_streak[live],
            p.dynamics.loss_quarters_to_exit,
            draws,
            model.rates.exit_hazard,
        )
        # short of cash even after the moneylender, or left with no capital to produce with (all of
        # it seized by the bank after a default)
        insolvent = live[(firms.cash[live] < 0.0) | (firms.capital[live] <= 0.0)]
        rows = np.union1d(live[closing], insolvent)
        if len(rows):
            # The capital is sold for scrap and the buyers of a closing firm pay what it is owed
            # at the same recovery rate; the bank is paid first, then the moneylender, and the
            # owner keeps what is left.  Debt defaults only when that is not enough.
            scrap = p.finance.recovery_rate * firms.capital[rows]
            recovered = p.finance.recovery_rate * firms.receivables[rows]
            scrap += p.finance.recovery_rate * firms.materials_stock[rows]  # stock sold off too
            ledger.post("scrap_sales", "rest_of_world", "firms", float(scrap.sum()))
            ledger.post("receivables_collected", "rest_of_world", "firms", float(recovered.sum()))
            cash = firms.cash[rows] + firms.earmarked[rows] + scrap + recovered
            bank_debt = firms.bank_debt(rows)
            pay_formal = np.clip(cash, 0.0, bank_debt)
            cash -= pay_formal
            pay_informal = np.clip(cash, 0.0, firms.informal_debt[rows])
            cash -= pay_informal
            formal_loss = bank_debt - pay_formal
            payout = firms.guarantee_cover[rows] * formal_loss
            model.bank.collect(float(pay_formal.sum() + payout.sum()))
            model.moneylender.collect(float(pay_informal.sum()))
            ledger.post("formal_repayments", "firms", "formal_lender", float(pay_formal.sum()))
            ledger.post(
                "informal_repayments", "firms", "informal_lender", float(pay_informal.sum())
            )
            model.government.spend("guarantee_payouts", float(payout.sum()), payee="formal_lender")
            # Negative residual cash (unpaid suppliers) is written off by the rest of the world.
            residual = np.maximum(cash, 0.0)
            ledger.post("exit_residual", "firms", "households", float(residual.sum()))
            ledger.post(
                "other_firm_costs", "firms", "rest_of_world", float(np.minimum(cash, 0.0).sum())
            )
            model.households.earn(float(residual.sum()))
            counts.defaults += int(np.count_nonzero(formal_loss > 1e-9))
            model.bank.defaulted += float(bank_debt[formal_loss > 1e-9].sum())
            counts.exits = len(rows)
            for name in CLEARED_ON_EXIT:
                getattr(firms, name)[rows] = 0.0
            firms.alive[rows] = False
            firms.exporter[rows] = False
            for row in rows:
                model.remove_firm_agent(int(row))

    def admit_entrants(self, firms) -> None:
        """This quarter's candidates from the pool enter if the value they expect clears the
        threshold; they bring their owners' equity and hire from the next quarter."""
        model, p, rates = self.model, self.model.p, self.model.rates
        if model.quarter <= 0:
            self._retune_entry(model.counts.exits)
        self.recent_exits.append(model.counts.exits)
        first = firms.slots_used
        last = self.n_initial + int(np.floor(self.candidates_per_step * model.steps))
        firms.slots_used = max(first, last)
        self.ensure_pool(firms.slots_used)
        rows = np.arange(first, firms.slots_used)
        if len(rows) == 0:
            return
        value, plan = self.entrant_value(rows)
        enters = MSME.enters(value, self.entry_threshold)
        rows = rows[enters]
        if len(rows) == 0:
            return
        firms.alive[rows] = True
        firms.entry_step[rows] = model.steps
        firms.single_window[rows] = model.facilities.single_window_open()  # registered through it
        entry_cost = model.government.entry_terms()[1]
        firms.formal_access[rows] = True  # not refused yet
        # The owner brings net worth: a share of the capital and working cash the plan needs
        # (drawn per slot), split between them; a poor entrant starts below its plan and grows
        # by borrowing against its net worth and by saving.
        share = np.minimum(firms.wealth_share[rows], 1.0)
        firms.capital[rows] = share * plan.capital[enters]
        # Working cash for the workforce and materials it plans, and to wait for its buyers to
        # pay for the first quarter's sales; it hires from next quarter.
        firms.cash[rows] = share * (
            MSME.cash_buffer(
                model.markets.wage,
                plan.labour[enters],
                plan.materials[enters],
                plan.capital[enters],
                p.finance.cash_buffer,
                rates.depreciation,
            )
            + p.finance.credit_sales_share * plan.revenue[enters]
            + p.finance.stock_quarters * plan.materials[enters]
        )
        firms.workers[rows] = 0.0
        # Its bank appraises the project: cash flow before interest and depreciation.
        plan_cash_flow = (
            plan.profit[enters]
            + (rates.formal_rate + rates.depreciation) * plan.capital[enters]
            - firms.fixed_costs(rows)
        )
        model.bank.appraise_entrants(firms, rows, plan.revenue[enters], plan_cash_flow)
        equity = firms.capital[rows] + firms.cash[rows] + entry_cost
        model.ledger.post("owner_equity", "rest_of_world", "firms", float(equity.sum()))
        model.ledger.post(
            "investment_goods", "firms", "rest_of_world", float(firms.capital[rows].sum())
        )
        model.ledger.post("other_firm_costs", "firms", "rest_of_world", entry_cost * len(rows))
        model.counts.entries = len(rows)
        for row in rows:
            model.add_firm_agent(int(row))
