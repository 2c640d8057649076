"""ClusterModel: an industrial cluster economy, one step per quarter.

Read :meth:`ClusterModel.step` first: it is the quarter's story, one line per
actor that acts, in the order the economy moves.  What each actor does lives
with it: the firms in :mod:`clustersim.economy.agents.firms` (their rules in
``msme.py``), the bank and the moneylender in ``agents/lender.py``, the
government in ``agents/government.py``, the households in
``agents/households.py``, the facilities in :mod:`clustersim.economy.facilities`,
the markets in :mod:`clustersim.economy.markets`, entry and exit in
:mod:`clustersim.economy.demography`.  The model holds the state they share
and tells the story.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from ..inputs.arguments import choose_seed, scenario_of
from ..inputs.scenario import Scenario
from . import history
from .accounts import SECTORS, Ledger, money_stocks
from .agents import MSME, Bank, Firms, Government, Households, Moneylender
from .demography import ENTRANT_VALUATION_POOL, Demography
from .facilities import Facilities
from .field_trial import FieldTrial
from .initial_cluster import calibrate_start, core_cells, draw_initial_firms
from .markets import Markets
from .reporters import QuarterCounts, QuarterlySeries, firm_panel_block
from .spillovers import Neighbourhood
from .streams import Streams
from .technology import Technology
from .timeunits import QuarterlyRates

#: The named arguments of ClusterModel; every other keyword is a scenario key.
ARGUMENTS = ("scenario", "rng", "seed", "n_firms", "panel")


class ClusterModel(mesa.Model):
    """Firms (MSMEs), facilities and lenders of one cluster on a grid, with its government,
    households and markets.

    Built as any Mesa model is: ``ClusterModel(scenario="scenarios/cfc.toml", rng=7,
    **{"interventions.cfc.capacity_hours": 80000.0})``.  ``scenario`` is a scenario file, or a
    :class:`~clustersim.inputs.scenario.Scenario` already loaded (then without overrides); every
    other keyword is a scenario key, dotted or as a nested table (``cluster={"n_firms": 200}``),
    validated like a file's values (:mod:`clustersim.inputs.arguments`).  ``rng`` is the seed
    (``seed`` or a ``run.seed`` keyword say the same: give one); none draws fresh entropy, as in
    Mesa, and ``seed_used`` records it.  The scenario file's ``run.seed`` is the seed of
    ``clustersim run`` and ``api.run_scenario``, which pass it.  ``n_firms`` rescales the cluster
    (``--firms``); ``panel`` keeps the firm panel.
    ``running`` turns False at the horizon; ``datacollector`` is the quarterly series.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        rng: int | None = None,
        seed: int | None = None,
        n_firms: int | None = None,
        panel: bool = False,
        **overrides,
    ):
        scenario = scenario_of(scenario, overrides, n_firms, also=ARGUMENTS)
        seed = choose_seed(rng, seed, overrides)
        p = scenario.params
        super().__init__(rng=seed)
        self.settings = scenario
        self.p = p
        self.seed_used = seed
        self.streams = Streams(seed)
        self.burn_in = p.run.burn_in
        self.n_steps = p.run.burn_in + p.run.horizon
        technology = p.technology
        self.technology = Technology(
            technology.labour_elasticity,
            technology.capital_elasticity,
            technology.demand_elasticity,
        )
        self.rates = QuarterlyRates.of(p)

        # Space: the grid, its cores and how far spillovers reach.
        self.width = p.run.grid_width
        self.grid = OrthogonalMooreGrid((self.width, self.width), torus=False, random=self.random)
        self.neighbours = Neighbourhood(self.width, technology.spillover_distance)
        self.cores = core_cells(p.cluster.n_cores, self.width)

        # The quarter's books, and what is recorded.
        self.ledger = Ledger()
        self.counts = QuarterCounts()
        self.money_before = np.zeros(len(SECTORS))
        self.series = QuarterlySeries()
        self.datacollector = self.series  # Mesa's name for it: batch_run, SolaraViz's plots
        self.flow_matrices: list[np.ndarray] = []
        self.panel: list[dict] | None = (
            [] if panel else None
        )  # one block per quarter when asked for

        # The actors.
        table = scenario.firm_table
        n_start = p.cluster.n_firms if table is None else len(table["x"])
        self.n_initial = n_start if n_firms is None else int(n_firms)
        self.firms = Firms(self, self.n_initial)
        self.agents_by_row: dict[int, MSME] = {}  # the Mesa handle of each operating firm's row
        self.markets = Markets(self)
        self.government = Government(self)
        self.facilities = Facilities(self)
        self.demography = Demography(self, self.n_initial)
        self.field_trial = FieldTrial(self)
        draw_initial_firms(self, table)
        self.demography.ensure_pool(self.n_initial + ENTRANT_VALUATION_POOL)
        start_sales = calibrate_start(self, table)
        self.households = Households(self, deposits=start_sales)
        bank_cell = self.grid[tuple(np.rint(self.cores[0]).astype(int))]
        funds = (
            p.finance.bank_funds_share * 4.0 * float(self.firms.sales.sum())
        )  # a share of annual turnover
        self.bank = Bank(self, bank_cell, funds=funds, rate=self.rates.formal_rate)
        self.moneylender = Moneylender(self, bank_cell, funds=funds, rate=self.rates.informal_rate)
        for row in self.firms.live():
            self.add_firm_agent(row)

    # ======================================================= the quarter
    def step(self) -> None:
        """One quarter of the cluster economy, in three acts: what happens before the markets
        open, the markets clearing, and what follows from the sales made."""
        national = self.markets.national
        if national is not None and not national.stepping:
            raise RuntimeError(
                "this cluster sells in a national market: step the market, not the cluster alone"
            )
        self.before_trade()  # schemes, shocks, plans, credit, investment, facilities
        if national is not None:  # the national market clears with the product's other
            return  # clusters, then has each play its last act (economy/national_market.py)
        self.markets.clear(self.firms)  # wage, price indices clear labour and goods
        self.after_trade()  # accounts settled, defaults, exit and entry, the books closed

    # fmt: off
    def before_trade(self) -> None:
        """The quarter up to the markets: who acts, in the order the economy moves."""
        self.open_books()                                 # a fresh ledger; the firms operating now
        self.markets.apply_shocks()                       # export-market shocks hit (tariff, FX)
        self.government.open_schemes()                    # schemes start; facilities commissioned
        self.firms.hear_of_schemes()                      # word of mouth, facilitation outreach
        self.firms.draw_productivity_shocks()             # TFP shocks; technology ages; skills fade
        self.field_trial.treat(self.firms)                # a trial's treatment, in its quarter
        self.government.deliver_support(self.firms)       # training, consulting, growth-fund equity
        self.firms.plan()                                 # capital, upgrades, certificates, exports
        self.bank.lend(self.firms)                        # the bank scores and rations credit
        self.moneylender.lend(self.firms)                 # moneylender lends what the bank did not
        self.firms.invest()                               # financed plans carried out and paid for
        self.facilities.serve(self.firms)                 # the CFC rations its hours; the lab tests
        self.firms.receive_test_results()                 # distant labs' certificates come back

    def after_trade(self) -> None:
        """The quarter after the markets have cleared: who acts, in order."""
        self.firms.settle_accounts()                      # firms paid; pay wages, materials, debts
        self.bank.settle_cash_credit(self.firms)          # cash credit drawn or repaid
        self.moneylender.cover_shortfalls(self.firms)     # moneylender lends to firms short of cash
        self.bank.classify_accounts(self.firms)           # dues unpaid a quarter running: NPA
        self.firms.pay_owners()                           # owners repay the moneylender, consume
        self.demography.close_firms(self.firms)           # firms exit: losses, insolvency, bad luck
        self.demography.admit_entrants(self.firms)        # entrants come in where entry pays
        self.bank.settle_with_head_office()               # head office keeps the bank's funds
        self.moneylender.pay_out_income(self.households)  # moneylender's income to its household
        self.households.consume()                         # households spend
        self.government.settle_with_centre()              # centre funds the deficit (public cost)
        self.close_books()                                # money counted; the quarter is recorded
    # fmt: on

    def open_books(self) -> None:
        """A fresh ledger and counts; money held as the quarter begins; who operates."""
        self.ledger = Ledger()
        self.money_before = money_stocks(self)
        self.counts = QuarterCounts()
        self.households.begin_quarter()
        self.firms.begin_quarter()

    def close_books(self) -> None:
        """A trial's follow-up, the firm panel, the transaction-flow matrix (flows against the
        measured change in money) and the quarter's data row."""
        self.field_trial.follow_up()
        if self.panel is not None:
            self.panel.append(firm_panel_block(self))
        self.flow_matrices.append(self.ledger.matrix(money_stocks(self) - self.money_before))
        self.series.record(self)
        self.running = self.steps < self.n_steps  # Mesa's batch_run and dashboard stop here

    # ======================================================= time and agents
    @property
    def quarter(self) -> int:
        """Policy quarter: steps after the burn-in (<= 0 during it)."""
        return self.steps - self.burn_in

    @property
    def scenario(self) -> None:
        """Mesa's experimental Scenario object: unused (the scenario is :attr:`settings`), so that
        SolaraViz's Reset builds the model again from the same keyword arguments."""
        return None

    @scenario.setter
    def scenario(self, _mesa_scenario) -> None:
        pass

    @property
    def cfc(self):
        """The CFC, once commissioned (else None)."""
        return self.facilities.cfc

    @property
    def lab(self):
        """The testing lab, once commissioned (else None)."""
        return self.facilities.lab

    def add_firm_agent(self, row: int) -> None:
        """The Mesa agent of a firm that starts operating, at its cell."""
        self.agents_by_row[int(row)] = MSME(
            self, self.grid[(int(self.firms.x[row]), int(self.firms.y[row]))], row
        )

    def remove_firm_agent(self, row: int) -> None:
        self.agents_by_row.pop(int(row)).remove()

    def run(self, steps: int | None = None) -> None:
        """Run the burn-in and the horizon (or ``steps`` quarters)."""
        for _ in range(self.n_steps if steps is None else steps):
            self.step()

    # ======================================================= a shared history
    def snapshot(self) -> bytes:
        """The model's whole state as bytes (firm table, actors, Mesa agents and grid, ledger,
        series, random generators): at the end of the burn-in, a history that packages continue
        from (:meth:`restore`, then :meth:`continue_as`; see :mod:`clustersim.economy.history`)."""
        if self.markets.national is not None:
            raise ValueError("a cluster of a national market has no history of its own to save")
        return history.dumps(self)

    @staticmethod
    def restore(snapshot: bytes) -> ClusterModel:
        """A model in the state a :meth:`snapshot` holds: a new, independent copy each call."""
        model = history.loads(snapshot)
        if not isinstance(model, ClusterModel):
            raise TypeError(f"not a ClusterModel snapshot: {type(model).__name__}")
        return model

    def continue_as(self, scenario: Scenario) -> None:
        """Go on from this history (the burn-in, or part of it) as the package ``scenario``: the
        run is then byte-identical to ``ClusterModel(scenario, seed)`` run from the start.  The
        package must share the history's pre-policy settings; every actor holding parameters is
        given the package's (its interventions, trial, export shocks and horizon)."""
        if self.steps > self.burn_in:
            raise ValueError(f"the policy period has begun (step {self.steps}): too late to switch")
        if history.pre_policy_settings(scenario) != history.pre_policy_settings(self.settings):
            raise ValueError(
                f"{scenario.path} does not share this history: its settings before the policy "
                "period differ"
            )
        p = scenario.params
        self.settings, self.p = scenario, p
        self.n_steps = p.run.burn_in + p.run.horizon
        self.government.schemes = p.interventions
        self.households.terms = p.households
        self.bank.terms = self.moneylender.terms = p.finance
        self.field_trial.design = p.trial
        self.running = self.steps < self.n_steps


__all__ = ["ClusterModel", "SECTORS"]
