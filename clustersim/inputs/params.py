"""Every parameter of clustersim, declared once.

Each :class:`Param` carries its meaning, unit, default, allowed range and
source.  Scenario-file validation (:mod:`clustersim.scenario`), the parameter
table in ``docs/parameters.md`` and the resolved-parameter object the model
reads are all derived from :data:`PARAMETERS`; nothing else repeats a default.

Money is in Rs lakh inside the model (1 crore = 100 lakh) unless a name ends in
``_cr``.  Rates whose unit says "per year" are converted to quarters in one
place, :mod:`clustersim.timeunits`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

SIZE_CLASSES = ("micro", "small", "medium", "large")
ARCHETYPES = (
    "engineering_foundry",
    "textiles_apparel",
    "handloom_handicraft",
    "leather_footwear",
    "ceramics_glass",
    "light_consumer_goods",
    "food_agro_processing",
    "chemicals_process",
    "wood_furniture",
)
GOVERNANCE = ("spv", "government")


@dataclass(frozen=True)
class Prior:
    """What we believe about an uncertain effect parameter before the model is run: a range, a
    distribution on it (``triangular``: its mode is the parameter's default; ``uniform``), the
    evidence or the word "assumption", and the interventions whose effect it sets (besides its own
    section's).  ``compare`` draws it with ``parameter_uncertainty = true`` in an experiment file;
    a calibrated parameter's prior (``calibrated``) with ``calibration_uncertainty = true``."""

    low: float
    high: float
    source: str
    distribution: str = "triangular"
    interventions: tuple[str, ...] = ()
    calibrated: bool = False  # a calibrated parameter: its range is what the moments allow

    def draw(self, unit, mode: float):
        """The values at the quantiles ``unit`` (numbers in [0, 1]): the inverse CDF."""
        import numpy as np

        u = np.asarray(unit, dtype=float)
        width = self.high - self.low
        if width == 0:  # a point prior: no uncertainty
            return np.full_like(u, self.low)
        if self.distribution == "uniform":
            return self.low + u * width
        c = (mode - self.low) / width  # triangular: F(x) = (x - low)^2 / (width (mode - low))
        left = self.low + np.sqrt(u * width * (mode - self.low))
        right = self.high - np.sqrt((1 - u) * width * (self.high - mode))
        return np.where(u < c, left, right)

    def describe(self, mode: float) -> str:
        if self.distribution == "uniform":
            return f"uniform on [{self.low:g}, {self.high:g}]"
        return f"triangular on [{self.low:g}, {self.high:g}], mode {mode:g}"


PRIOR_DISTRIBUTIONS = ("triangular", "uniform")


@dataclass(frozen=True)
class Param:
    """One declared input: the single place its default, type and range live.  Model parameters
    are keyed "section.name" as written in a scenario file; the fields of experiment files are
    declared the same way (a plain key), and every file is validated from its declarations."""

    key: str  # "section.name" as written in a scenario file (a plain name for a file's top-level field)
    default: Any
    unit: str
    meaning: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    source: str = "assumption (see docs/ODD.md)"
    required: bool = False  # a file must give it (the default only sets its type)
    prior: Prior | None = None  # an intervention's effect parameter: what we believe of it

    @property
    def effect_of(self) -> tuple[str, ...]:
        """The interventions whose effect this parameter's prior sets (none without a prior)."""
        if self.prior is None:
            return ()
        own = self.section.removeprefix("interventions.")
        return tuple(dict.fromkeys(((own,) if own != self.section else ()) + self.prior.interventions))

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Plain-language description of the allowed values."""
        if self.kind is bool:
            return "true or false"
        if self.kind is list:
            return f"a list drawn from {list(self.choices)}" if self.choices is not None else "a list of strings"
        if self.kind is dict:
            return "a table"
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is str:
            return "a string"
        what = "a whole number" if self.kind is int else "a number"
        return f"{what} in [{self.low}, {self.high}]"


def _p(key, default, unit, meaning, low=None, high=None, choices=None, source=None, prior=None):
    return Param(key, default, unit, meaning, low, high, choices, source or Param.source, prior=prior)


#: The interventions an SPV may run: an SPV setting's prior sets their effect (a facility's fee, and whether it closes).
_FACILITIES = ("cfc", "testing_lab", "raw_material_bank")

#: The range a calibrated parameter's prior takes (each prior says its moment and how far it moves).
_MOMENTS_ALLOW = ("calibration: the values that keep the moment pinning it (the largest entry of its "
                  "column in docs/calibration.md, Identification) within one band half-width of its "
                  "fitted value, linearly; clipped to the calibration range")

_DECLARED: list[Param] = [
    # ---------------------------------------------------------------- run
    _p("run.seed", 12345, "-", "root seed of every random stream (numpy SeedSequence)", 0, 2**63 - 1),
    _p("run.burn_in", 160, "quarters", "quarters simulated before interventions may start; discarded from effects (the slowest state, capital that credit-rationed firms build from retained earnings, needs about 160)", 0, 400),
    _p("run.horizon", 40, "quarters", "policy quarters simulated after the burn-in", 1, 400),
    _p("run.grid_width", 40, "cells", "side of the square grid (one cell is about 250 m)", 5, 600),
    # ------------------------------------------------------------ cluster
    _p("cluster.name", "Engineering / foundry cluster", "-", "label used in outputs"),
    _p("cluster.archetype", "engineering_foundry", "-", "archetype label, as in data/indian_clusters.csv (sets no values itself)", choices=ARCHETYPES),
    _p("cluster.n_firms", 360, "firms", "number of firms at the start", 1, 200_000,
       source="median units of engineering/foundry clusters, data/indian_clusters.csv"),
    _p("cluster.mean_workers", 35.0, "workers/firm", "mean direct workers per firm at the start", 1.0, 2000.0,
       source="A-graded engineering rows of data/indian_clusters.csv (Howrah 47, Agra 38, Ludhiana forging 26, Coimbatore 29)"),
    _p("cluster.turnover_per_worker_lakh", 5.75, "Rs lakh/worker/year", "sales per worker at the start; sets the wage level", 0.05, 200.0,
       source="median of engineering/foundry clusters, data/indian_clusters.csv"),
    _p("cluster.domestic_market_share", 0.3, "share", "cluster's share of the domestic market for its product at the start (1: no outside producers)", 0.01, 1.0),
    _p("cluster.export_market_share", 0.01, "share", "the cluster's exporters' share of the foreign market for the product at the start (all its firms', were none exporting)", 0.0001, 0.9,
       source="India's world shares (WTO: clothing 3.0 %, footwear 2 %) times a cluster's share of India's exports (Tiruppur 55 %, Agra 28 %): 0.5-2 %; Morbi tiles 15-20 %"),
    _p("cluster.n_cores", 1, "cores", "number of cluster cores (industrial estates) firms sit around", 1, 5),
    _p("cluster.core_spread", 5.0, "cells", "standard deviation of firm locations around a core", 0.5, 500.0),
    _p("cluster.women_owned_share", 0.2, "share", "share of firms owned by women", 0.0, 1.0,
       source="NSS 73rd round (2015-16): about 20% of proprietary MSMEs women-owned"),
    _p("cluster.certified_share", 0.3, "share", "share of firms holding a valid quality certificate at the start", 0.0, 1.0),
    _p("cluster.firm_csv", "", "path", "optional CSV of firms (x, y, workers, capital_lakh, women_owned, certified); relative to the scenario file"),
    # --------------------------------------------------------- technology
    _p("technology.labour_elasticity", 0.85, "-", "labour elasticity of the capital-labour bundle (alpha); alpha + beta < 1", 0.05, 0.95,
       source="chosen with sigma and the materials share so that the wage share of value added and value added per worker fall in their bands (docs/calibration.md)"),
    _p("technology.capital_elasticity", 0.10, "-", "capital elasticity of the capital-labour bundle (beta)", 0.01, 0.9,
       source="chosen with alpha (docs/calibration.md)"),
    _p("technology.materials_share", 0.65, "share", "materials and other inputs as a share of sales at the start; sets the materials a unit of the capital-labour bundle needs (Leontief); below (sigma - 1) / sigma", 0.0, 0.95,
       source="ASI 2022-23/2023-24: inputs/output 0.84 (registered), 0.78-0.83 for castings and fabricated metal; ASUSE 2023-24 unincorporated about 0.6-0.7; MSME clusters between"),
    _p("technology.demand_elasticity", 8.0, "-", "elasticity of substitution between varieties of the product (sigma); markup sigma/(sigma-1)", 1.5, 20.0,
       source="Broda & Weinstein 2006 (QJE); near-commodities (grey castings, plain fabric, tiles) 6-10, differentiated goods 3-5"),
    _p("technology.tfp_dispersion", 0.228, "log points", "standard deviation of permanent log TFP across firms", 0.0, 2.0,
       source="calibrated to firm_size_distribution (docs/calibration.md)",
       prior=Prior(0.177, 0.279, _MOMENTS_ALLOW + " (firm_size_distribution moves 4.92 half-widths over [0.1, 0.35])", calibrated=True)),
    _p("technology.tfp_persistence", 0.9, "per quarter", "AR(1) coefficient of the transitory log-TFP component", 0.0, 0.999),
    _p("technology.tfp_shock_sd", 0.05, "log points/quarter", "standard deviation of the quarterly idiosyncratic TFP shock (Laplace: fat-tailed)", 0.0, 1.0,
       source="assumption: with near-commodity demand (sigma 8) a firm's size moves about 6 times its TFP, so larger shocks make the largest firm hold over a tenth of the cluster's jobs"),
    _p("technology.tech_levels", 3, "levels", "number of technology vintages (0 = legacy)", 1, 8),
    _p("technology.tech_step", 0.15, "share", "TFP gain per technology level", 0.0, 2.0,
       prior=Prior(0.08, 0.25, "assumption: a vintage's gain over the one before, 8-25 % (also sets the baseline's technology)", interventions=("tech_upgrade_subsidy", "design_centre"))),
    _p("technology.upgrade_cost_per_worker_lakh", 0.8, "Rs lakh/worker", "cost of moving up one technology level, per worker", 0.0, 100.0),
    _p("technology.upgrade_cost_dispersion", 0.5, "log points", "standard deviation across firms of the log of what an upgrade costs them (lognormal, median the per-worker cost)", 0.0, 2.0,
       source="assumption: what a new machine costs a firm to install and run in depends on its layout, power supply and existing equipment; range 0-1"),
    _p("technology.obsolescence", 0.12, "per year", "chance a firm's technology falls one level behind the moving frontier", 0.0, 1.0),
    _p("technology.initial_upgraded_share", 0.3, "share", "share of firms one technology level up at the start", 0.0, 1.0),
    _p("technology.investment_speed", 0.25, "share/quarter", "share of the gap to desired capital closed each quarter", 0.01, 1.0),
    _p("technology.innovation_rate", 0.01, "per year", "Bass p: chance a firm hears of the next technology with no better neighbour (it upgrades if that pays)", 0.0, 1.0,
       source="Sultan, Farley & Lehmann 1990: p about 0.03, often below 0.01"),
    _p("technology.imitation_rate", 0.40, "per year", "Bass q: chance a firm hears of the next technology when all nearby firms use it (it upgrades if that pays)", 0.0, 5.0,
       source="Sultan, Farley & Lehmann 1990: q about 0.38 (0.3-0.5)"),
    _p("technology.spillover_distance", 3.0, "cells", "decay length of knowledge and word-of-mouth spillovers", 0.5, 100.0),
    _p("technology.skill_lift", 0.30, "share", "TFP gain of a fully skilled over an unskilled workforce", 0.0, 2.0,
       prior=Prior(0.15, 0.45, "assumption, near Konings & Vanormelingen 2015 (REStat 97(2)): a trained worker about 23 % more productive (also sets the baseline's productivity)", interventions=("skills_training", "workforce_housing"))),
    _p("technology.initial_skill", 0.30, "0-1", "mean workforce skill at the start", 0.0, 1.0),
    _p("technology.skill_depreciation", 0.10, "per year", "share of skill lost each year (worker turnover)", 0.0, 1.0,
       prior=Prior(0.05, 0.40, "assumption: trained workers leave with their skill; turnover in Indian labour-intensive manufacturing is often far above 10 % a year, and no cluster-level estimate of skill lost is published (also sets the baseline's skill)", interventions=("skills_training", "workforce_housing"))),
    _p("technology.quality_lift_certified", 0.02, "share", "demand shifter of a certified firm's product", 0.0, 2.0,
       prior=Prior(0.0, 0.06, "assumption: no estimate of what a certificate does to domestic demand (also sets the baseline's certified firms)", interventions=("testing_lab",))),
    _p("technology.cfc_lift", 0.12, "share", "TFP lift of a CFC user next to the CFC with full service", 0.0, 1.0,
       prior=Prior(0.04, 0.20, "assumption: no evaluation measures the TFP lift of a machine-hour at a CFC (range of experiments/parameter_uncertainty.toml)", interventions=("cfc",))),
    _p("technology.cfc_reach", 6.0, "cells", "distance over which the CFC lift falls by a factor e", 0.1, 500.0,
       prior=Prior(3.0, 12.0, "assumption: 0.75-3 km at 250 m a cell", interventions=("cfc",))),
    _p("technology.depreciation", 0.10, "per year", "capital depreciation rate", 0.0, 0.5),
    _p("technology.consulting_decay", 0.10, "per year", "share of a consulting TFP gain lost each year", 0.0, 1.0,
       prior=Prior(0.02, 0.30, "assumption, near Bloom, Mahajan, McKenzie & Roberts 2020 (AEJ Applied 12(2)): about half the practices adopted were dropped within eight years", interventions=("consulting",))),
    # -------------------------------------------------------------- labour
    _p("labour.reservation_ratio", 0.85, "-", "median reservation earnings of the cluster's potential workers (what they earn outside it) relative to the cluster wage at the start", 0.05, 1.5,
       source="PLFS 2022-23/2023-24: casual wage Rs 403-433 a day; with 0.75 of a full-time (26-day) month worked outside that is Rs 7,900-8,400 a month, 0.86-0.92 of the engineering baseline's start wage of Rs 9,160 a month (docs/ODD.md §7.4)"),
    _p("labour.reservation_dispersion", 0.6, "log points", "standard deviation of log reservation earnings across potential workers", 0.05, 2.0,
       source="PLFS 2022-23 earnings: a lognormal fit to all male workers gives 0.7-0.9; the local casual and semi-skilled pool is narrower (range 0.4-0.9)"),
    _p("labour.outside_employment", 0.75, "share", "share of a full-time job the cluster's workers at the start would have had outside it, on average", 0.05, 0.99,
       source="PLFS 2022-23: weekly/usual-status employment 0.91 (rural), 0.84 (women) x about 23.6 of 26 working days; 0.8 men, 0.65 women (docs/ODD.md §7.4)"),
    _p("labour.intensity_share", 0.0, "share", "share of the variance of potential workers' log outside earnings due to how much of a full-time job they have (the rest: their daily wage); 0 = every worker had the average share of a job outside; above 0 that share is lognormal and can exceed 1 for some workers (a limitation)", 0.0, 1.0,
       source="assumption: no source gives how outside work varies with outside earnings; 0 is the neutral choice (sensitivity range 0-0.3)"),
    _p("labour.hiring_speed", 0.5, "share/quarter", "share of the gap to the desired workforce closed each quarter (1 = no friction)", 0.01, 1.0),
    # ------------------------------------------------------------ materials
    _p("materials.imported_share", 0.2, "share", "share of materials imported (priced at the exchange rate)", 0.0, 1.0),
    # --------------------------------------------------------------- market
    _p("market.upper_elasticity", 1.0, "-", "elasticity of domestic spending on the product to its price index (1 = spending fixed)", 0.1, 5.0,
       source="Atkeson & Burstein 2008 (AER) 1.01; Edmond, Midrigan & Xu 2015 (AER) about 1.24; range 0.5-1.5"),
    _p("market.outside_supply_elasticity", 2.0, "-", "elasticity of outside producers' supply to their price (large: their price is their cost and the cluster's gains are all taken from them; 0: their output is fixed)", 0.0, 1000.0,
       source="derived from Cobb-Douglas shares with ASI 2022-23/2023-24 input and labour shares: 0.4-1.5 (value added) to 7.7 (gross output); 2 at a one-year horizon, range 0.5-5"),
    _p("market.outside_productivity_growth", 0.04, "per year", "growth of outside producers' productivity (at home and abroad) from the end of the burn-in: a legacy cluster that does not upgrade loses its market", 0.0, 0.2,
       source="India KLEMS (RBI 2024) manufacturing TFP growth about 1-2 %/yr; ASI real GVA per person about 1.5 %/yr 2019-23; range 1-4 %/yr; searched within that range for legacy_decline (docs/calibration.md)",
       prior=Prior(0.01, 0.04, _MOMENTS_ALLOW + " (firm_size_distribution moves 0.96 half-widths over [0.01, 0.04], so the whole sourced range)", calibrated=True)),
    _p("market.foreign_demand_ratio", 0.5, "-", "an exporter's foreign demand relative to its domestic demand, at par exchange rate and no tariff", 0.0, 50.0),
    _p("market.exchange_rate", 1.0, "index", "rupees per unit of foreign currency (1 = start)", 0.1, 10.0),
    _p("market.tariff", 0.0, "ad valorem", "tariff on the cluster's goods in the main export market", 0.0, 5.0),
    _p("market.export_sunk_cost_lakh", 30.0, "Rs lakh", "one-off cost of entering the export market", 0.0, 1000.0),
    _p("market.export_fixed_cost_lakh", 24.0, "Rs lakh/year", "cost of staying in the export market", 0.0, 1000.0),
    _p("market.certification_validity", 12, "quarters", "quarters a certificate stays valid", 1, 80,
       source="ZED certificates are valid for 3 years"),
    _p("market.certification_fee_lakh", 0.4, "Rs lakh", "certification fee (ZED Silver Rs 40,000)", 0.0, 100.0,
       source="MSME ZED scheme fees (targets.toml zed_certification)"),
    _p("market.compliance_cost_lakh", 15.0, "Rs lakh", "process and documentation changes needed to pass a certification audit", 0.0, 1000.0),
    _p("market.local_test_fee_lakh", 0.2, "Rs lakh", "fee of a test at a lab in the cluster", 0.0, 100.0),
    _p("market.distant_test_cost_lakh", 1.5, "Rs lakh", "cost of testing at a distant or overseas lab, travel and shipping included", 0.0, 100.0),
    _p("market.distant_test_delay", 2, "quarters", "extra quarters a distant test takes", 0, 20),
    # -------------------------------------------------------------- finance
    _p("finance.formal_rate", 0.14, "per year", "formal bank lending rate to MSMEs", 0.01, 0.5,
       source="NITI Aayog 2025: formal MSME loans 12-24% a year"),
    _p("finance.informal_rate", 0.45, "per year", "moneylender rate", 0.3, 0.6,
       source="NITI Aayog 2025: informal lenders 30-60% a year"),
    _p("finance.bank_leverage", 2.609, "-", "capital a firm may hold per rupee of its owner's net worth with bank credit (lambda of k <= lambda a; 1 = no bank credit); the bank lends up to (lambda - 1) a", 1.0, 10.0,
       source="collateral constraint of Buera, Kaboski & Shin 2011 (AER 101(5)) and Midrigan & Xu 2014 (AER 104(2)); their lambda for developing economies 1.2-2.5; the eighth calibration's value (docs/calibration.md) is not identified: no moment moves a band half-width over [1.1, 4], because the bank's score, not collateral, decides who borrows",
       prior=Prior(1.1, 4.0, _MOMENTS_ALLOW + " (no moment moves more than 0.6 half-widths over [1.1, 4]: not identified)", calibrated=True)),
    _p("finance.informal_leverage", 1.2, "-", "the same for the moneylender: it lends up to (lambda - 1) a, its own exposure, so it cannot fill every gap", 1.0, 5.0,
       source="assumption: a smaller lambda than the bank's (moneylenders lend small sums against personal wealth; Banerjee & Duflo 2005), range 1.05-1.5"),
    _p("finance.max_expected_loss", 0.02, "share a year", "largest expected loss a year per rupee lent (chance of default times loss given default) the bank accepts, before its scoring error", 0.0, 1.0,
       source="from the price of MSME credit risk: banks lend to MSMEs at spreads of about 2-6 % a year over their cost of funds (RBI), and a spread covers the expected loss it lends at plus the bank's costs, so the largest loss it accepts is at most a few per cent; 2 %, the low end, is a judgement (a spread also pays for costs), not calibrated (the sixth calibration's 0.158, weakly identified, let the bank accept a 16 % loss a year); range 1-6 %; it sets how many firms are constrained (docs/calibration.md, grid)",
       prior=Prior(0.01, 0.06, "the range of MSME credit spreads over the banks' cost of funds (RBI)", interventions=("credit_guarantee", "interest_subvention", "growth_fund", "tech_upgrade_subsidy"))),
    _p("finance.score_noise", 0.02, "share a year", "standard deviation of the bank's error in scoring a firm's expected loss", 0.0, 1.0,
       source="assumption: scoring errors of the order of the bar itself; range 0-0.05"),
    _p("finance.cash_flow_risk", 0.05, "share of sales", "standard deviation of a firm's quarterly cash flow the bank perceives, as a share of its sales", 0.001, 1.0,
       source="assumption: quarterly sales of MSMEs vary by 5-15 %, and cash flow by as much in rupees (a margin of 10-15 % of sales); range 0.02-0.15"),
    _p("finance.debt_service_share", 0.4, "share", "largest share of a firm's quarterly operating cash flow its bank instalment may take", 0.0, 1.0,
       source="bank cash-flow lending norms (debt-service coverage of about 1.5-2.5)"),
    _p("finance.loan_term", 12, "quarters", "term of an amortising loan", 1, 80),
    _p("finance.bank_funds_share", 0.06, "share of annual turnover", "formal lendable funds for the cluster at the start", 0.0, 5.0),
    _p("finance.recovery_rate", 0.2, "share", "share of a closing firm's capital the bank recovers from its collateral", 0.0, 1.0),
    _p("finance.cash_buffer", 0.2, "quarters of costs", "working cash a firm keeps (not spent on its plans)", 0.0, 10.0),
    _p("finance.owner_consumption", 0.12, "per year", "share of the owner's net worth consumed each year (paid out of the firm's cash after any moneylender debt is repaid)", 0.01, 0.9,
       source="constant consumption share of wealth (log utility, Moll 2014 AER 104(10)): the rate of time preference, 4-10 %/yr in the literature, is its floor; the eighth calibration (the bank's bar set from MSME credit spreads) puts it at 0.12 (docs/calibration.md), pinned by msme_bank_default and credit_access_formal; it sets how many firms the constraint binds on (8 % at 0.12, 5 seeds; about 15 % at 0.25: experiments/constraint_grid.py), which no moment identifies",
       prior=Prior(0.05, 0.246, _MOMENTS_ALLOW + " (msme_bank_default moves 4.36 half-widths over [0.05, 0.6])", calibrated=True)),
    # the working-capital cycle: buyers pay late, the bank's cash credit finances what they owe
    _p("finance.credit_sales_share", 0.5, "share of a quarter's sales", "share of a quarter's sales its buyers pay only in the next quarter (the receivables; 0.5 is 45 days of sales)", 0.0, 1.0,
       source="MSMED Act 2006 s.15: buyers must pay within 45 days (0.5 of a quarter); GAME & Dun & Bradstreet 2022 (Payments on time, growth har time): delayed receivables Rs 10.7 lakh crore, 5.9 % of GVA; GAME, FISME & C2FO 2025 (Delayed payments 3.0): private buyers pay in 45-90 days, public ones in 90-180; range 0.5-1",
       prior=Prior(0.5, 1.0, "the MSMED Act's 45 days to the 90 days private buyers take (GAME, FISME & C2FO 2025)", interventions=("credit_guarantee",))),
    _p("finance.late_payment_rate", 0.4, "per year", "chance in a year that a firm's main buyer pays what it owes a quarter late", 0.0, 1.0,
       source="assumption: delayed payment is the norm for MSME suppliers (GAME & D&B 2022: 3 of 4 MSMEs interviewed treat it as normal; micro firms' median debtor days beyond the 45-day limit were 195 in 2020-21); range 0.2-0.8",
       prior=Prior(0.2, 0.8, "assumption (GAME & D&B 2022; GAME, FISME & C2FO 2025)", interventions=("credit_guarantee",))),
    _p("finance.buyer_default_rate", 0.287, "per year", "chance in a year that a firm's main buyer never pays what it owes (fails, or disputes it beyond recovery)", 0.0, 1.0,
       source="calibrated to msme_bank_default in the finance block (docs/calibration.md): no source counts buyers who never pay; MSME Samadhaan's delayed-payment cases and the Rs 7.3-10.7 lakh crore of delayed receivables (GAME 2022, 2025) say the risk is real. At 0.33 (the sixth calibration; 0.287 in the eighth) with the main buyer's half of 45 days of sales, buyers never pay about 2.7 % of what firms sell (series bad_debts over sales, 8 seeds): high",
       prior=Prior(0.057, 0.517, _MOMENTS_ALLOW + " (firm_size_distribution moves 3.92 half-widths over [0, 0.9])", calibrated=True)),
    _p("finance.main_buyer_share", 0.5, "share", "share of a firm's receivables owed by its main buyer (the one who pays late or never)", 0.0, 1.0,
       source="assumption: MSME suppliers sell to a few large buyers (GAME, FISME & C2FO 2025: public sector buyers alone owe about 40 % of the delayed receivables); range 0.3-0.7",
       prior=Prior(0.3, 0.7, "assumption: buyer concentration of MSME suppliers", interventions=("credit_guarantee",))),
    _p("finance.stock_quarters", 0.33, "quarters of materials", "stock of materials a firm holds, in quarters of the materials it uses (bought ahead of use, financed like receivables)", 0.0, 4.0,
       source="assumption: about a month of materials; the RBI Tandon Committee (1975) inventory norms held raw materials for 0.5-3 months of consumption, by industry; range 0.17-1",
       prior=Prior(0.17, 1.0, "assumption: Tandon Committee inventory norms, 0.5-3 months of consumption", interventions=("credit_guarantee",))),
    _p("finance.cash_credit_margin", 0.25, "share", "share of its current assets (receivables) a firm finances itself: the bank's drawing power is the rest", 0.0, 1.0,
       source="RBI Nayak Committee 1991 norm: working capital 25 % of turnover, of which bank finance 20 % and the promoter's margin 5 % (a margin of 5/25 = 0.2 to 0.25 of current assets under banks' drawing-power rules)"),
    _p("finance.cash_credit_turnover_share", 0.2, "share of annual turnover", "largest cash-credit limit the bank sanctions, as a share of a firm's annual turnover", 0.0, 1.0,
       source="RBI Nayak Committee 1991 norm for MSME working-capital limits: bank finance up to 20 % of projected annual turnover"),
    _p("finance.default_bar_quarters", 12, "quarters", "quarters a firm that defaulted is barred from bank credit", 0, 80,
       source="assumption: a CIBIL record of a default weighs for years (RBI wilful-defaulter and credit-information rules); range 4-28"),
    # ------------------------------------------------------------- dynamics
    _p("dynamics.entry_candidates", 0.08, "per year", "potential entrants per year as a share of the initial firm count", 0.0, 2.0),
    _p("dynamics.entry_cost_lakh", 3.0, "Rs lakh", "set-up cost an entrant pays (the entry threshold itself is calibrated: docs/ODD.md)", 0.0, 1000.0),
    _p("dynamics.overhead_share", 0.536, "share", "fixed overhead per firm (rent, power, owner's salary) as a share of the median firm's variable profit at the start", 0.0, 5.0,
       source="calibrated jointly with the finance parameters and technology.tfp_dispersion; pinned by firm_size_distribution and legacy_decline (docs/calibration.md)",
       prior=Prior(0.361, 0.711, _MOMENTS_ALLOW + " (firm_size_distribution moves 4.47 half-widths over [0.02, 0.8])", calibrated=True)),
    _p("dynamics.entrant_wealth", 0.5, "share", "median net worth an entrant's owner brings, as a share of the capital and working cash it plans (lognormal across entrants)", 0.01, 5.0,
       source="assumption: promoters' contribution to project cost, 25-100 % under bank appraisal norms (term loans fund up to 75 %); range 0.25-1; not searched by the calibration (docs/calibration.md)"),
    _p("dynamics.entrant_wealth_dispersion", 0.8, "log points", "standard deviation of the log of that share across entrants", 0.0, 3.0,
       source="assumption: wealth is more dispersed than firm size (Indian household wealth Gini about 0.75, NSS AIDIS 2019); range 0.4-1.2"),
    _p("dynamics.exit_hazard", 0.03, "per year", "exogenous exit (owner retires, fire, family reasons)", 0.0, 1.0),
    _p("dynamics.loss_quarters_to_exit", 4, "quarters", "consecutive quarters of losses after which a firm closes", 1, 40),
    # ------------------------------------------------------------ awareness
    _p("awareness.initial", 0.25, "share", "share of firms aware of each scheme at the start", 0.0, 1.0),
    _p("awareness.word_of_mouth", 0.3, "per year", "chance of learning of a scheme when every nearby firm knows it", 0.0, 5.0),
    # -------------------------------------------- owners: whether to take part in a scheme
    _p("owners.doubt_share", 0.3, "share", "share of owners who, knowing of skills training, consulting, the design centre's projects or the digital market platform, doubt it would pay for a firm like theirs and so do not take part (drawn per firm, for each scheme apart); a doubter is convinced by neighbours who have taken it, with the chance of word of mouth times their share", 0.0, 1.0,
       source="assumption: Bloom et al. 2013 (QJE 128(1)) find informational barriers (owners unaware of the practices or unconvinced they would pay) the main reason profitable practices were not adopted, and that they diffuse slowly between firms; no estimate of the share of doubters; range 0.1-0.6. Take-up benchmarks (80 of 150 offered consulting in Bruhn, Karlan & Schoar 2018) are checks, not used to set it",
       prior=Prior(0.1, 0.6, "assumption: from a tenth to well over half of owners unconvinced (Bloom et al. 2013: informational barriers the main reason for non-adoption)", distribution="uniform", interventions=("skills_training", "consulting", "design_centre", "digital_market"))),
    _p("owners.hurdle_rate", 0.6, "per year", "the return an owner asks of the time and money a scheme takes, in place of the bank rate when higher (a payback rule): a lasting gain from training, consulting or clean production is capitalised at it plus the exit hazard and the rate at which the gain fades", 0.0, 5.0,
       source="Anderson & Newell 2004 (Resource and Energy Economics 26(1)): plants' adoption of audited energy-efficiency projects implies hurdle rates of 50-100 % (paybacks of about 15 months), as small and medium firms say they use; Qiu, Wang & Wang 2015 (Applied Economics 47(21)): 40-45 % for small and medium plants; range 0.4-1.0 (0: the bank rate, as before)",
       prior=Prior(0.4, 1.0, "the range of its sources (Anderson & Newell 2004; Qiu, Wang & Wang 2015)", interventions=("skills_training", "consulting", "clean_production", "single_window", "design_centre", "digital_market"))),
    # ----------------------------------------------------------- households
    _p("households.consumption_income", 0.9, "share", "share of household income consumed in the quarter", 0.0, 1.0),
    _p("households.consumption_wealth", 0.05, "share/quarter", "share of household deposits consumed each quarter", 0.0, 1.0),
    # ----------------------------------------------------------- governance
    _p("governance.spv_lag", 4, "quarters", "quarters from approval to opening for an industry-led SPV", 0, 80),
    _p("governance.government_lag", 10, "quarters", "quarters from approval to opening for a government-run facility", 0, 80,
       source="assumption: departments' tendering and sanctions take longer than an SPV's 4 quarters; range 6-16 (the MSE-CDP completion record sets the completion chance after the lag, not the lag)"),
    _p("governance.spv_completion_rate", 0.087, "per year", "chance a year that an SPV's approved facility is completed, once its minimum construction lag has passed", 0.0, 1.0,
       source="MSE-CDP: 97 of 227 approved CFCs complete by Dec 2023 (PIB 1907500, 1982305), a right-censored stock, read with approvals spread evenly over 2007-2023 and the SPV lag of 4 quarters (docs/ODD.md §7.14); 0.068-0.15 if approvals spread over 20-10 years"),
    _p("governance.government_completion_rate", 0.087, "per year", "the same for a government-run facility (after its longer lag)", 0.0, 1.0,
       source="assumption: no evidence that departments complete faster or slower once past their longer lag; range 0.05-0.15"),
    _p("governance.ramp_up_quarters", 4, "quarters", "quarters a new facility takes to offer its full capacity (a straight-line ramp from opening)", 0, 40,
       source="assumption: a year to recruit operators, train users and fill the order book; range 0-8"),
    _p("governance.spv_reserve_quarters", 4.0, "quarters", "reserve an SPV keeps, in quarters of its facility's fixed running cost (its members' working capital at approval); surplus above it goes to the members", 0.0, 40.0,
       source="assumption: a year of fixed costs; range 1-8",
       prior=Prior(1.0, 8.0, "assumption: members put up a quarter to two years of fixed costs (no MSE-CDP SPV's reserve is published)", interventions=_FACILITIES)),
    _p("governance.spv_fee_adjustment", 0.5, "share a quarter", "share of the gap between its fee and last quarter's average cost per unit served an SPV closes each quarter (it prices to break even)", 0.0, 1.0,
       source="assumption: an SPV reprices within a few quarters; range 0.1-1"),
    _p("governance.spv_normal_volume", 0.5, "share", "share of the capacity it offers over which an SPV spreads its fixed cost when pricing (when fewer units are used; it uses the units served when more are)", 0.01, 1.0,
       source="assumption: priced for half its capacity, as tariff regulators recover fixed costs at a normative utilisation (CERC does so for power plants), so that a few slow quarters do not price users out; an oversized facility then under-recovers and may close; range 0.3-0.8",
       prior=Prior(0.3, 0.8, "assumption: regulators recover fixed costs at a normative availability (CERC: 85 % for thermal plants); a new cluster facility is priced for less, as many MSE-CDP CFCs are reported under-used", interventions=_FACILITIES)),
    _p("governance.spv_closure_quarters", 4, "quarters", "quarters of losses with its reserve gone after which an SPV's members stop covering them and the facility closes (quarters in which it recovers do not count)", 1, 400,
       source="assumption: members cover a year of losses; range 2-12. Many MSE-CDP CFCs are reported under-used; no closure rate is published",
       prior=Prior(2, 12, "assumption: members cover half a year to three years of losses; no closure rate of MSE-CDP facilities is published", interventions=_FACILITIES)),
    _p("governance.spv_uptime", 0.9, "share", "share of nominal capacity an SPV keeps available", 0.0, 1.0),
    _p("governance.government_uptime", 0.7, "share", "share of nominal capacity a government facility keeps available", 0.0, 1.0),
    _p("governance.spv_fee_factor", 1.0, "-", "fee multiplier of an SPV facility when it opens (it then prices to break even, governance.spv_fee_adjustment)", 0.0, 5.0),
    _p("governance.government_fee_factor", 0.5, "-", "fee multiplier of a government facility", 0.0, 5.0),
    # -------------------------------------------------------- interventions
    # A table [interventions.X] in a scenario switches intervention X on.
    _p("interventions.cfc.start_quarter", 0, "quarter", "policy quarter the CFC is approved (0 = end of burn-in)", 0, 400),
    _p("interventions.cfc.x", -1, "cell", "column of the CFC (-1 = the first cluster core)", -1, 599),
    _p("interventions.cfc.y", -1, "cell", "row of the CFC (-1 = the first cluster core)", -1, 599),
    _p("interventions.cfc.capacity_hours", 40_000.0, "machine-hours/quarter", "machine-hours the CFC offers each quarter", 0.0, 1e9),
    _p("interventions.cfc.hours_per_worker", 20.0, "hours/worker/quarter", "machine-hours a user firm wants per worker", 0.0, 1000.0),
    _p("interventions.cfc.fee_per_hour_lakh", 0.002, "Rs lakh/hour", "user fee (Rs 200 an hour) before the governance factor", 0.0, 1.0),
    _p("interventions.cfc.travel_cost_lakh", 0.02, "Rs lakh/cell/quarter", "cost of reaching the CFC per cell of distance", 0.0, 10.0),
    _p("interventions.cfc.capex_cr", 15.0, "Rs crore", "project cost of the CFC", 0.0, 1000.0,
       source="MSE-CDP 2022: CFC projects Rs 5-30 crore"),
    _p("interventions.cfc.grant_share", 0.7, "share", "public share of the capex", 0.0, 1.0,
       source="MSE-CDP 2022: 70% grant for Rs 5-10 cr projects"),
    _p("interventions.cfc.opex_cr", 0.6, "Rs crore/year", "fixed running cost (staff, upkeep), paid by the government for a facility it runs and by the SPV otherwise", 0.0, 100.0),
    _p("interventions.cfc.cost_per_hour_lakh", 0.0025, "Rs lakh/hour", "running cost of a machine-hour served (power, operator, tooling and maintenance)", 0.0, 1.0,
       source="assumption: about 15 kW at Rs 8 a kWh (Rs 120), an operator (Rs 60) and tooling and maintenance (Rs 70): Rs 250 an hour; range Rs 100-500",
       prior=Prior(0.001, 0.005, "the range of its source: Rs 100-500 a machine-hour")),
    _p("interventions.cfc.governance", "spv", "-", "who runs the CFC", choices=GOVERNANCE),
    _p("interventions.testing_lab.start_quarter", 0, "quarter", "policy quarter the lab is approved", 0, 400),
    _p("interventions.testing_lab.x", -1, "cell", "column of the lab (-1 = the first cluster core)", -1, 599),
    _p("interventions.testing_lab.y", -1, "cell", "row of the lab (-1 = the first cluster core)", -1, 599),
    _p("interventions.testing_lab.capacity_tests", 40, "tests/quarter", "tests the lab completes each quarter", 0, 100_000),
    _p("interventions.testing_lab.reach", 15.0, "cells", "distance within which firms use the lab", 0.0, 2000.0),
    _p("interventions.testing_lab.capex_cr", 6.0, "Rs crore", "project cost of the lab", 0.0, 1000.0),
    _p("interventions.testing_lab.grant_share", 0.7, "share", "public share of the capex", 0.0, 1.0,
       source="MSE-CDP 2022 grant shares"),
    _p("interventions.testing_lab.opex_cr", 0.3, "Rs crore/year", "fixed running cost (staff, accreditation, upkeep), paid by the government for a lab it runs and by the SPV otherwise", 0.0, 100.0),
    _p("interventions.testing_lab.cost_per_test_lakh", 0.05, "Rs lakh/test", "running cost of a test (samples, reagents, technician time)", 0.0, 10.0,
       source="assumption: a quarter of the Rs 20,000 local fee; range Rs 2,000-15,000",
       prior=Prior(0.02, 0.15, "the range of its source: Rs 2,000-15,000 a test")),
    _p("interventions.testing_lab.governance", "spv", "-", "who runs the lab", choices=GOVERNANCE),
    _p("interventions.credit_guarantee.start_quarter", 0, "quarter", "policy quarter the guarantee opens", 0, 400),
    _p("interventions.credit_guarantee.cover_share", 0.75, "share", "share of a default loss the guarantee pays", 0.0, 1.0,
       source="CGTMSE: 75% standard cover"),
    _p("interventions.credit_guarantee.micro_loan_limit_lakh", 5.0, "Rs lakh", "largest loan to a micro firm that gets the micro cover", 0.0, 100_000.0,
       source="CGTMSE: 85% for micro loans up to Rs 5 lakh"),
    _p("interventions.credit_guarantee.cover_share_micro", 0.85, "share", "cover for loans to micro firms up to the micro loan limit", 0.0, 1.0,
       source="CGTMSE: 85% for micro loans up to Rs 5 lakh"),
    _p("interventions.credit_guarantee.cover_share_women", 0.80, "share", "cover for women-owned firms", 0.0, 1.0,
       source="CGTMSE: 80% for women-owned firms"),
    _p("interventions.credit_guarantee.collateral_waived_lakh", 500.0, "Rs lakh", "guaranteed debt a bank lends without collateral", 0.0, 100_000.0,
       source="CGTMSE collateral-free ceiling raised to Rs 10 cr in 2025; Rs 5 cr used"),
    _p("interventions.credit_guarantee.fee_rate", 0.01, "per year", "guarantee fee paid by the borrower", 0.0, 0.1),
    _p("interventions.credit_guarantee.eligible", ["micro", "small"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.interest_subvention.start_quarter", 0, "quarter", "policy quarter the subvention starts", 0, 400),
    _p("interventions.interest_subvention.rate_points", 0.03, "per year", "interest points paid by the government", 0.0, 0.2,
       source="Interest Equalisation Scheme: 2-3 points"),
    _p("interventions.interest_subvention.eligible", ["micro", "small"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.growth_fund.start_quarter", 0, "quarter", "policy quarter the equity is invested", 0, 400),
    _p("interventions.growth_fund.n_firms", 10, "firms", "firms that receive equity (eligible, aware firms first by the targeting rule)", 0, 100_000),
    _p("interventions.growth_fund.targeting", "highest_tfp", "-", "which eligible, aware firms the fund picks: the highest current TFP, or, among the credit-constrained, the highest current TFP (where a rupee of equity lifts the most capital)", choices=("highest_tfp", "constrained")),
    _p("interventions.growth_fund.deals_per_quarter", 2, "firms/quarter", "deals the fund's team closes a quarter; the firms picked wait in the order of the targeting rule (those that close or outgrow eligibility drop out)", 0, 100_000,
       source="assumption (a lever): a venture fund closes some 10-20 deals over a 3-5 year investment period, 1-2 a quarter; range 1-10"),
    _p("interventions.growth_fund.equity_lakh", 50.0, "Rs lakh/firm", "equity injected into each selected firm", 0.0, 100_000.0),
    _p("interventions.growth_fund.eligible", ["micro", "small"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.tech_upgrade_subsidy.start_quarter", 0, "quarter", "policy quarter the subsidy opens", 0, 400),
    _p("interventions.tech_upgrade_subsidy.subsidy_share", 0.25, "share", "share of the upgrade cost the government pays", 0.0, 1.0,
       source="CLCSS: 15-25% capital subsidy"),
    _p("interventions.tech_upgrade_subsidy.eligible", ["micro", "small"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.consulting.start_quarter", 0, "quarter", "policy quarter consulting is delivered", 0, 400),
    _p("interventions.consulting.share_of_firms", 0.2, "share", "share of eligible, aware firms offered consulting (the programme's places); each offered firm takes it if it is worth its own cost", 0.0, 1.0),
    _p("interventions.consulting.firms_per_quarter", 10, "firms/quarter", "firms whose consulting the programme's consultants begin a quarter; firms that accepted an offer wait in the order they accepted (those that close or no longer want it drop out)", 0, 100_000,
       source="assumption (a lever): five consultants each taking two firms a quarter (Bloom et al. 2013's consultants spent about five months on a plant); range 2-50"),
    _p("interventions.consulting.tfp_lift", 0.10, "share", "TFP gain of a consulted firm", 0.0, 1.0,
       source="Bloom et al. 2013 (QJE): about 11-17% in the first year (a calibration target, not validation)",
       prior=Prior(0.03, 0.17, "Bloom et al. 2013 (QJE): 11-17 % in large Indian textile plants; assumption: smaller firms gain less, down to 3 %")),
    _p("interventions.consulting.cost_lakh_per_worker", 0.7, "Rs lakh/worker", "public cost of consulting a firm, per worker it employs (consultants' time scales with the plant, at market rates)", 0.0, 100.0,
       source="Bloom et al. 2013 (QJE): the consulting behind the lift was worth about US$250,000 a firm at market rates for firms of about 270 employees, Rs 0.78 lakh a worker at today's Rs 84/US$; assumption: Indian consultancy at 25-100 % of that rate a worker (range 0.2-0.8; the Ministry of MSME's lean-manufacturing scheme pays far less a firm, for less intensive support); the lift assumes Bloom's intensity",
       prior=Prior(0.2, 0.8, "the range of its source: Indian consultancy at 25-100 % of Bloom et al.'s market rate a worker")),
    _p("interventions.consulting.copay_share", 0.1, "share", "share of consulting's market cost the consulted firm pays (the government pays the rest)", 0.0, 1.0,
       source="assumption: heavily subsidised, as in Bruhn, Karlan & Schoar 2018 (JPE 126(2)), where 80 of the 150 firms offered subsidised consulting took it up; range 0-0.5"),
    _p("interventions.consulting.application_cost_lakh", 0.5, "Rs lakh/firm", "the owner's time consulting takes (meetings, diagnostics, carrying out the plan), which a firm weighs in deciding to take it", 0.0, 20.0,
       source="assumption: about 4 hours a week for a year (Bruhn, Karlan & Schoar 2018), some 25 working days at Rs 2,000; range 0.1-2"),
    _p("interventions.consulting.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.skills_training.start_quarter", 0, "quarter", "policy quarter training starts", 0, 400),
    _p("interventions.skills_training.trainee_share", 0.10, "per year", "share of a user firm's workers trained each year", 0.0, 1.0),
    _p("interventions.skills_training.skill_gain", 0.5, "0-1", "skill gain of a trained worker (towards 1)", 0.0, 1.0,
       prior=Prior(0.2, 0.8, "assumption: no measure of how far a short course closes a worker's skill gap")),
    _p("interventions.skills_training.days_per_trainee", 10.0, "days", "working days a trainee spends away from work (the firm weighs the wages of those days in deciding whether to take part; the output lost is not taken off)", 0.0, 75.0,
       source="assumption: short courses for employed workers of 1-4 weeks (PMKVY short-term training is 150-300 hours for new entrants); range 5-30"),
    _p("interventions.skills_training.application_cost_lakh", 0.1, "Rs lakh/quarter", "the owner's cost of taking part in a quarter: paperwork, visits to the training provider and the DIC", 0.0, 10.0,
       source="assumption: about five days of an owner's time at Rs 2,000 a day; range 0.02-0.5"),
    _p("interventions.skills_training.poaching_rate", 0.15, "per year", "chance a year that a worker trained under the scheme is hired away by another firm of the cluster (beyond general turnover, technology.skill_depreciation): the trainer loses the skill its training added, the firm that hires him gains it, and owners weigh the loss when they decide to train", 0.0, 1.0,
       source="assumption: skills a short course teaches are general, so rivals can hire trained workers away and the firm that paid for the time loses them (Becker 1964, Human Capital); no estimate of the rate for Indian clusters; range 0.05-0.3",
       prior=Prior(0.05, 0.3, "assumption: a twentieth to nearly a third of trained workers hired away a year")),
    _p("interventions.skills_training.seats_per_quarter", 120.0, "trainees/quarter", "trainees the cluster's training providers take a quarter; firms that want to send workers wait for seats in the order they asked (a firm served asks again at the back)", 0.0, 1e9,
       source="assumption (a lever): a training centre running four batches of 30 a quarter; the default cluster's firms would send about 330 trainees a quarter if all took part; range 30-1,000"),
    _p("interventions.skills_training.cost_lakh", 0.15, "Rs lakh/trainee", "public cost per trainee (about Rs 15,000)", 0.0, 10.0),
    _p("interventions.skills_training.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.export_promotion.start_quarter", 0, "quarter", "policy quarter the export-promotion cell starts", 0, 400),
    _p("interventions.export_promotion.sunk_cost_cut", 0.5, "share", "cut in the export entry cost for aware firms", 0.0, 1.0,
       prior=Prior(0.2, 0.7, "assumption: fairs and buyer meets replace part of a firm's own search for buyers")),
    _p("interventions.export_promotion.fixed_cost_cut", 0.3, "share", "cut in the yearly export cost for aware firms", 0.0, 1.0,
       prior=Prior(0.05, 0.5, "assumption: the cell's yearly cost is small beside the cut it gives (issue 16)")),
    _p("interventions.export_promotion.slots_per_quarter", 20, "firms/quarter", "places at fairs, stalls and buyer meets the cell funds a quarter: exporters and certified firms that know of it wait for one, in the order they asked, and only a firm with a place has its export costs cut that quarter (an uncertified firm plans on a place when it certifies)", 0, 100_000,
       source="assumption (a lever): some 20 places a quarter at fairs and buyer meets for a cluster's firms; range 5-100"),
    _p("interventions.export_promotion.cost_cr", 0.5, "Rs crore/year", "running cost of the cell (staff, office), before the services it buys for firms", 0.0, 100.0),
    _p("interventions.export_promotion.public_share_of_cut", 0.8, "share", "public rupees per rupee of export cost the cell takes off a firm (it pays for the stalls, fairs, buyer meets and market studies the firm no longer buys; below 1 as it pools them across firms)", 0.0, 2.0,
       source="Market Development Assistance / International Cooperation scheme of the Ministry of MSME: the government reimburses 75-100 % of approved fair and buyer-meet costs; assumption: pooling saves up to a third (range 0.5-1.0)",
       prior=Prior(0.5, 1.0, "the range of its source: pooling saves the cell up to half of what it takes off firms")),
    _p("interventions.facilitation_cell.start_quarter", 0, "quarter", "policy quarter the cell opens", 0, 400),
    _p("interventions.facilitation_cell.x", -1, "cell", "column of the cell (-1 = the first cluster core)", -1, 599),
    _p("interventions.facilitation_cell.y", -1, "cell", "row of the cell (-1 = the first cluster core)", -1, 599),
    _p("interventions.facilitation_cell.reach", 8.0, "cells", "distance over which its outreach falls by a factor e", 0.1, 2000.0),
    _p("interventions.facilitation_cell.outreach", 0.8, "per year", "chance a firm next to the cell learns of a scheme", 0.0, 10.0,
       prior=Prior(0.3, 1.5, "assumption: a cell next door tells most firms of a scheme within one to three years")),
    _p("interventions.facilitation_cell.cost_cr", 0.2, "Rs crore/year", "public cost of the cell", 0.0, 100.0),
    # The instruments the 2026 consultations asked for (issue 17), after the first ten: adding them
    # moves no random draw and no column of the first ten's outputs (see ORIGINAL_SCHEMES).  Append
    # new interventions after the last: an added scheme's awareness draws are keyed by its place.
    _p("interventions.raw_material_bank.start_quarter", 0, "quarter", "policy quarter the raw-material bank is approved (it opens after its governance lag and a completion delay, as a CFC does)", 0, 400),
    _p("interventions.raw_material_bank.x", -1, "cell", "column of the bank's depot (-1 = the first cluster core)", -1, 599),
    _p("interventions.raw_material_bank.y", -1, "cell", "row of the bank's depot (-1 = the first cluster core)", -1, 599),
    _p("interventions.raw_material_bank.reach", 12.0, "cells", "distance within which firms buy from the depot (about 3 km)", 0.0, 2000.0,
       source="assumption: a depot serves the firms of an industrial estate and its surroundings; range 4-20 cells (1-5 km)"),
    _p("interventions.raw_material_bank.capacity_cr", 10.0, "Rs crore/quarter", "materials the bank can supply each quarter at full service (its working capital turned over); members share it pro rata", 0.0, 100_000.0,
       source="assumption: about a tenth of the engineering baseline's materials (Rs 110-120 crore a quarter); range 0-60"),
    _p("interventions.raw_material_bank.travel_cost_lakh", 0.02, "Rs lakh/cell/quarter", "a member's cost of collecting from the depot per cell of distance", 0.0, 10.0,
       source="assumption: as the CFC's trips"),
    _p("interventions.raw_material_bank.service_charge", 0.0025, "share of purchases", "charge on what a member buys through the bank, paid to the bank (public accounts)", 0.0, 0.2,
       source="NSIC Raw Material Assistance: processing fee 1 % a year on a limit of about 90 days' purchases, i.e. 0.25 % of purchases; range 0.1-1 %"),
    _p("interventions.raw_material_bank.local_supply_share", 0.3, "share", "share of the imported materials the bank buys that its supplier development replaces with local supply (at the domestic materials price)", 0.0, 1.0,
       source="assumption: no evaluation measures how much of a cluster's imports a supplier-development programme replaces (the consultation asked for it, PIB 18 March 2026)",
       prior=Prior(0.0, 0.6, "assumption: from none (a bank that only buys in bulk) to well over half of its imports replaced by local suppliers")),
    _p("interventions.raw_material_bank.bulk_discount", 0.03, "share", "price discount the bank's bulk purchases obtain on all the materials it supplies", 0.0, 0.5,
       source="NSIC Raw Material Assistance: bulk purchases and cash discounts passed on to MSMEs (no figure published); assumption 0-6 %",
       prior=Prior(0.0, 0.06, "assumption: NSIC names bulk and cash discounts but publishes no figure")),
    _p("interventions.raw_material_bank.stock_quarters", 1.0, "quarters", "the buffer stock the bank holds, in quarters of supply: it sells imported materials at the average cost of its stock, so a world-price change reaches members with weight 1 / (1 + stock) a quarter (0: at once)", 0.0, 20.0,
       source="NSIC Raw Material Assistance: 90-180 days of purchases financed; assumption 0-2 quarters",
       prior=Prior(0.0, 2.0, "assumption: a depot holds up to about two quarters of its members' needs")),
    _p("interventions.raw_material_bank.capex_cr", 8.0, "Rs crore", "project cost of the bank: depot, yard and its working-capital corpus", 0.0, 1000.0,
       source="assumption: MSE-CDP common facilities (raw-material banks among them) cost Rs 5-30 crore"),
    _p("interventions.raw_material_bank.grant_share", 0.7, "share", "public share of the capex", 0.0, 1.0,
       source="MSE-CDP 2022 grant shares"),
    _p("interventions.raw_material_bank.opex_cr", 0.3, "Rs crore/year", "running cost before the service charges", 0.0, 100.0,
       source="assumption: staff, storage and handling of a depot; range 0.1-1"),
    _p("interventions.raw_material_bank.governance", "spv", "-", "who runs the bank", choices=GOVERNANCE),
    _p("interventions.clean_production.start_quarter", 0, "quarter", "policy quarter the clean-production programme opens", 0, 400),
    _p("interventions.clean_production.energy_share", 0.15, "share", "energy's share of the cost of a firm's materials and other inputs (what an efficiency investment can save on)", 0.0, 0.5,
       source="BEE SME programme: energy is often the single largest operating cost of energy-intensive SME sectors (foundry, forging, ceramics, glass); assumption 5-30 % of input costs",
       prior=Prior(0.05, 0.30, "assumption: energy 5-30 % of input costs across cluster archetypes (BEE SME programme cluster profiles)")),
    _p("interventions.clean_production.energy_saving", 0.2, "share", "share of its energy use an adopting firm saves (energy-efficient furnaces, motors, compressors, waste-heat recovery)", 0.0, 1.0,
       source="assumption near the BEE SME programme's demonstrations (XI Plan: 988 units saved 4,934 toe a year for Rs 28.06 crore invested); range 10-35 %",
       prior=Prior(0.10, 0.35, "assumption: BEE SME programme demonstrations save 10-35 % of a unit's energy")),
    _p("interventions.clean_production.cost_per_worker_lakh", 0.08, "Rs lakh/worker", "what the efficiency investment costs a firm, per worker (capitalised)", 0.0, 100.0,
       source="BEE SME programme, XI Plan: Rs 28.06 crore invested by 988 units, Rs 2.8 lakh a unit, about 0.08 lakh a worker at 35 workers; range 0.04-0.3"),
    _p("interventions.clean_production.subsidy_share", 0.25, "share", "share of the investment the government pays", 0.0, 1.0,
       source="assumption: as the technology-upgrade subsidy (CLCSS 15-25 %); range 0-0.5"),
    _p("interventions.clean_production.application_cost_lakh", 0.3, "Rs lakh", "the owner's cost of adopting: the energy audit's time, the supplier's visits and the paperwork", 0.0, 10.0,
       source="assumption: BEE names the entrepreneur's limited time as a main barrier; range 0.1-1"),
    _p("interventions.clean_production.audit_cost_lakh", 0.5, "Rs lakh/firm", "public cost of the energy audit and project report for each adopting firm", 0.0, 100.0,
       source="assumption: BEE financed the detailed project reports of the SME programme; range 0.2-1"),
    _p("interventions.clean_production.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    _p("interventions.logistics.start_quarter", 0, "quarter", "policy quarter the connectivity project (a last-mile road or rail siding to a port or inland container depot) is approved; it opens after its governance lag and a completion delay, as a facility does", 0, 400),
    _p("interventions.logistics.freight_share", 0.08, "share", "inland freight, port handling and border costs of getting the cluster's exports to a foreign buyer, as a share of their value at the start (already in the calibrated export market)", 0.0, 0.5,
       source="assumption: NCAER 2023 puts India's logistics cost at 7.8-8.9 % of GDP (the National Logistics Policy 2022 said 13-14 %); for a cluster's exports range 4-14 %"),
    _p("interventions.logistics.freight_cut", 0.3, "share", "share of that cost the project removes once open (shorter, surer trips to the port)", 0.0, 1.0,
       source="assumption: no evaluation measures the freight saving of a last-mile link; Ghani, Goswami & Kerr 2016 (EJ 126(591)) find manufacturing output and entry rose in districts next to the upgraded Golden Quadrilateral highways",
       prior=Prior(0.1, 0.5, "assumption: a link removes a tenth to a half of the inland freight and handling cost")),
    _p("interventions.logistics.fixed_cost_cut", 0.1, "share", "cut in every exporter's yearly export cost once open (fewer days and documents to ship)", 0.0, 1.0,
       source="assumption: range 0-0.25",
       prior=Prior(0.0, 0.25, "assumption: the yearly cost of exporting falls little with the trip")),
    _p("interventions.logistics.capex_cr", 60.0, "Rs crore", "project cost", 0.0, 10_000.0,
       source="assumption: a last-mile road or rail siding and a depot link; range Rs 20-200 crore"),
    _p("interventions.logistics.grant_share", 1.0, "share", "public share of the project cost (1: a public road or siding)", 0.0, 1.0),
    _p("interventions.logistics.opex_cr", 0.5, "Rs crore/year", "upkeep once open", 0.0, 100.0,
       source="assumption: about 1 % of the project cost a year"),
    _p("interventions.logistics.governance", "government", "-", "who builds it (sets the lag and the completion chance)", choices=GOVERNANCE),
    # Workforce housing and social infrastructure (issue 17, item 1): a hostel for the cluster's
    # (mostly migrant) workers; it keeps workers, and their skill, longer and draws workers in.
    _p("interventions.workforce_housing.start_quarter", 0, "quarter", "policy quarter the workers' hostel is approved (it opens after its governance lag and a completion delay, as a CFC does)", 0, 400),
    _p("interventions.workforce_housing.x", -1, "cell", "column of the hostel (-1 = the first cluster core)", -1, 599),
    _p("interventions.workforce_housing.y", -1, "cell", "row of the hostel (-1 = the first cluster core)", -1, 599),
    _p("interventions.workforce_housing.reach", 20.0, "cells", "distance within which the workers of a firm can live at the hostel (about 5 km)", 0.0, 2000.0,
       source="Ministry of Textiles workers' hostel scheme (XII Plan pilot): hostels within 5 km of the textile parks they serve"),
    _p("interventions.workforce_housing.beds", 1000.0, "workers", "beds at full service", 0.0, 1e7,
       source="Ministry of Textiles workers' hostel scheme: 250 to 1,000 workers a hostel"),
    _p("interventions.workforce_housing.resident_share", 0.4, "share", "share of a firm's workers who would live at the hostel if it had a bed for them (migrants, women from outside the town); beds are shared pro rata among the firms within reach up to it", 0.0, 1.0,
       source="assumption: no count of the workers of a cluster who would take a hostel bed; range 0.2-0.7 (garment and knitwear clusters hire many migrants, foundries fewer)",
       prior=Prior(0.2, 0.7, "assumption: a fifth to over two thirds of a firm's workers would take a bed")),
    _p("interventions.workforce_housing.quit_cut", 0.4, "share", "share by which a resident worker's chance of quitting the cluster's jobs falls", 0.0, 1.0,
       source="assumption: the hostel schemes exist for retention (Ministry of Textiles: 'better retention of the work force'; Budget 2024-25's dormitory housing 'to retain workers'), but no evaluation measures the fall in quits; range 0.1-0.7",
       prior=Prior(0.1, 0.7, "assumption: no evaluation of a hostel's effect on quits is published")),
    _p("interventions.workforce_housing.rent_saving_share", 0.1, "share of the wage", "what a resident saves on rent and commuting, as a share of the cluster wage (the hostel's subsidised rent below a room in town)", 0.0, 1.0,
       source="assumption: a dormitory bed let below the rent of a shared room; range 0-0.2 of a month's wage",
       prior=Prior(0.0, 0.2, "assumption: from nothing (a bed at market rent) to a fifth of the wage")),
    _p("interventions.workforce_housing.capex_cr", 8.0, "Rs crore", "project cost of the hostel (land development, building at 125 sq ft a bed, services)", 0.0, 1000.0,
       source="Ministry of Textiles workers' hostel scheme: grant of 50 % of the project cost up to Rs 3 crore a hostel of up to 1,000 workers, at 125 sq ft a person; assumption Rs 0.5-1.5 lakh a bed"),
    _p("interventions.workforce_housing.grant_share", 0.375, "share", "public share of the capex", 0.0, 1.0,
       source="Ministry of Textiles workers' hostel scheme: 50 % of the project cost up to Rs 3 crore a hostel, so Rs 3 crore of the default Rs 8 crore (0.375)"),
    _p("interventions.workforce_housing.opex_cr", 0.3, "Rs crore/year", "running cost (wardens, upkeep, security) not covered by the residents' rents, paid by the government (viability-gap funding)", 0.0, 100.0,
       source="assumption: Budget 2024-25 announced dormitory housing for industrial workers by PPP with viability-gap funding; range 0-1"),
    _p("interventions.workforce_housing.governance", "government", "-", "who builds it (sets the lag, the completion chance and the share of beds kept available); the running gap is public either way", choices=GOVERNANCE),
    # Regulatory simplification and a single window (issue 17, item 3): registrations, returns,
    # licences and inspections through one desk and portal, and a shorter start for entrants.
    _p("interventions.single_window.start_quarter", 0, "quarter", "policy quarter the single window (a desk and portal for a firm's registrations, returns, licences and inspections) is approved; it opens after its governance lag and a completion delay", 0, 400),
    _p("interventions.single_window.compliance_share", 0.15, "share", "share of a firm's fixed overhead that is the cost of complying with regulation (returns, licences and their renewals, inspections, the agents who handle them)", 0.0, 1.0,
       source="assumption: no source splits an Indian MSME's overhead; Amirapu & Gechter 2020 (REStat 102(1)) estimate that the regulations binding at 10 workers raise firms' unit labour costs by 35 %, so compliance is a large cost; range 0.05-0.3",
       prior=Prior(0.05, 0.3, "assumption: a twentieth to nearly a third of a firm's fixed costs (Amirapu & Gechter 2020 find regulatory costs large)")),
    _p("interventions.single_window.compliance_cut", 0.3, "share", "share of that cost the single window removes for a firm that moves its compliance onto it", 0.0, 1.0,
       source="assumption: the World Bank's Doing Business and India's Business Reforms Action Plan scored procedures, time and documents, not firms' compliance costs; range 0.1-0.6",
       prior=Prior(0.1, 0.6, "assumption: no evaluation measures the compliance cost a single window saves")),
    _p("interventions.single_window.entry_cost_cut", 0.3, "share", "share of an entrant's set-up cost (registration, licences, approvals, their fees and agents) the single window removes", 0.0, 1.0,
       source="assumption: Mexico's SARE one-stop shop cut the procedures to register from 8 to fewer than 3 (Bruhn 2011, REStat 93(1)); range 0-0.6",
       prior=Prior(0.0, 0.6, "assumption: SARE cut the number of procedures by over half (Bruhn 2011); what that saves in money is not measured")),
    _p("interventions.single_window.application_cost_lakh", 0.1, "Rs lakh", "an owner's one-off cost of moving his firm's compliance onto the single window (registering, learning the portal)", 0.0, 10.0,
       source="assumption: about five days of an owner's time at Rs 2,000 a day; range 0.02-0.5"),
    _p("interventions.single_window.capex_cr", 2.0, "Rs crore", "cost of setting up the desk and integrating the departments' approvals on the portal", 0.0, 1000.0,
       source="assumption: range Rs 0.5-10 crore for a cluster's share of a state portal and its desk"),
    _p("interventions.single_window.grant_share", 1.0, "share", "public share of the set-up cost", 0.0, 1.0),
    _p("interventions.single_window.opex_cr", 0.3, "Rs crore/year", "running cost of the desk (staff, the departments' liaison officers, the portal's upkeep)", 0.0, 100.0,
       source="assumption: a small office of some ten staff; range 0.1-1"),
    _p("interventions.single_window.governance", "government", "-", "who sets it up (sets the lag and the completion chance)", choices=GOVERNANCE),
    _p("interventions.single_window.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    # A design / R&D / IP centre (issue 17): a facility whose tool room and technology scouting
    # speed up the technology ladder and whose designers raise the quality of its users' products.
    _p("interventions.design_centre.start_quarter", 0, "quarter", "policy quarter the design / R&D / IP centre is approved (it opens after its governance lag and a completion delay, as a CFC does)", 0, 400),
    _p("interventions.design_centre.x", -1, "cell", "column of the centre (-1 = the first cluster core)", -1, 599),
    _p("interventions.design_centre.y", -1, "cell", "row of the centre (-1 = the first cluster core)", -1, 599),
    _p("interventions.design_centre.reach", 15.0, "cells", "distance within which firms use the centre (about 4 km)", 0.0, 2000.0,
       source="assumption: as the testing lab's reach; range 5-30 cells"),
    _p("interventions.design_centre.innovation_rate", 0.05, "per year", "Bass p of a firm within reach that knows of the centre: its chance a year of hearing of the next technology with no better neighbour (the cluster's, technology.innovation_rate, is 0.01)", 0.0, 1.0,
       source="assumption: no evaluation measures how much sooner a technology centre's users hear of a better vintage; the Ministry of MSME's Technology Centres (tool rooms) exist to show MSMEs new processes; Giorcelli 2019 (AER 109(1)) finds lasting productivity gains of firms given access to US technology under the Marshall Plan",
       prior=Prior(0.01, 0.15, "assumption: from no faster than the cluster (0.01) to fifteen times as fast")),
    _p("interventions.design_centre.upgrade_cost_cut", 0.1, "share", "share of a user's cost of moving up a technology level the centre's tool room and engineers do for it (dies, jigs and fixtures, specifications, vendor trials), paid by the government", 0.0, 1.0,
       source="assumption: range 0-0.3",
       prior=Prior(0.0, 0.3, "assumption: the centre's part of an upgrade, from nothing to nearly a third")),
    _p("interventions.design_centre.quality_premium", 0.02, "share", "what buyers pay more, at a given quantity, for a product the centre has redesigned (a demand shifter (1 + premium)^sigma at a given price)", 0.0, 0.5,
       source="assumption: Atkin, Khandelwal & Osman 2017 (QJE 132(2)) find Egyptian rug makers who received export orders (with buyers' specifications) made measurably better rugs; no estimate of a design centre's effect on the price of its users' products; range 0-6 %",
       prior=Prior(0.0, 0.06, "assumption: a redesigned product fetches from nothing to 6 % more at a given quantity")),
    _p("interventions.design_centre.quality_fade", 0.2, "per year", "share of a design's premium lost each year (designs age, rivals copy them)", 0.0, 1.0,
       source="assumption: range 0.1-0.5",
       prior=Prior(0.1, 0.5, "assumption: a design keeps its premium for two to ten years")),
    _p("interventions.design_centre.projects_per_quarter", 8, "firms/quarter", "design projects the centre's designers begin a quarter; firms that want one wait in the order they asked (a firm served asks again at the back)", 0, 100_000,
       source="assumption (a lever): four designers each taking two projects a quarter; range 2-40"),
    _p("interventions.design_centre.project_cost_lakh", 2.0, "Rs lakh/project", "cost of a design project (designers' time, samples, prototypes, IP filing), paid by the government (the firm's fee comes back to it)", 0.0, 100.0,
       source="assumption: range 0.5-5"),
    _p("interventions.design_centre.fee_lakh", 0.5, "Rs lakh/project", "fee a firm pays for a design project (public revenue)", 0.0, 100.0,
       source="assumption: range 0.1-2"),
    _p("interventions.design_centre.application_cost_lakh", 0.2, "Rs lakh/project", "the owner's cost of a design project: briefs, visits, samples and trials", 0.0, 10.0,
       source="assumption: about ten days of an owner's time at Rs 2,000; range 0.05-0.5"),
    _p("interventions.design_centre.capex_cr", 12.0, "Rs crore", "project cost of the centre (building, CAD/CAM, tool room machines, prototyping)", 0.0, 1000.0,
       source="assumption: MSE-CDP common facilities (design centres among them) cost Rs 5-30 crore"),
    _p("interventions.design_centre.grant_share", 0.7, "share", "public share of the capex", 0.0, 1.0,
       source="MSE-CDP 2022 grant shares"),
    _p("interventions.design_centre.opex_cr", 0.5, "Rs crore/year", "running cost of the centre once open (staff, upkeep), paid by the government whoever runs it", 0.0, 100.0,
       source="assumption: range 0.2-1.5"),
    _p("interventions.design_centre.governance", "spv", "-", "who runs the centre (sets the lag and the completion chance)", choices=GOVERNANCE),
    _p("interventions.design_centre.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    # A digital market platform with a GI tag (issue 17): a platform cell onboards firms, whose
    # products then reach more buyers; crafts of a registered GI fetch a premium.
    _p("interventions.digital_market.start_quarter", 0, "quarter", "policy quarter the platform cell starts onboarding firms and the GI application is filed", 0, 400),
    _p("interventions.digital_market.reach_gain", 0.1, "share", "demand a firm on the platform meets at a given price, relative to off it, less one (buyers it reaches beyond the cluster's traders)", 0.0, 2.0,
       source="assumption: Jensen 2007 (QJE 122(3)) and Goyal 2010 (AEJ Applied 2(3)) find information and direct access raised what Indian fishermen and soybean farmers got (by reaching more buyers); Couture, Faber, Gu & Liu 2021 (AER Insights 3(1)) find China's rural e-commerce expansion did little for local producers' sales; no estimate for Indian craft sellers on ONDC or e-commerce; range 0-0.3",
       prior=Prior(0.0, 0.3, "assumption: from nothing (Couture et al. 2021) to 30 % more buyers at a given price")),
    _p("interventions.digital_market.gi_archetypes", ["handloom_handicraft"], "-", "cluster archetypes whose product can carry a geographical indication (the GI premium applies only to them)", choices=ARCHETYPES,
       source="Geographical Indications of Goods (Registration and Protection) Act 1999: most registered Indian GIs are handicrafts, handlooms and agricultural goods"),
    _p("interventions.digital_market.gi_price_premium", 0.05, "share", "what buyers pay more, at a given quantity, for a GI-tagged product of an eligible cluster sold by a firm on the platform (a demand shifter (1 + premium)^sigma at a given price)", 0.0, 0.5,
       source="assumption: Deselnicu, Costanigro, Souza-Monteiro & McFadden 2013 (J. Agricultural and Resource Economics 38(2)) find geographical-indication premiums of food products vary widely with the product and the label's governance; no estimate for Indian GI crafts (Pochampally ikat, Moradabad brass) is used; range 0-15 %",
       prior=Prior(0.0, 0.15, "assumption: a GI tag fetches from nothing to 15 % more at a given quantity")),
    _p("interventions.digital_market.gi_delay_quarters", 8, "quarters", "quarters from the start until the GI is registered and its authorised users may use the tag", 0, 80,
       source="assumption: examination, publication and opposition at the GI Registry take one to three years; range 4-12"),
    _p("interventions.digital_market.onboarding_per_quarter", 30, "firms/quarter", "firms the platform cell onboards a quarter (catalogues, photographs, trains and registers); firms that want to join wait in the order they asked", 0, 100_000,
       source="assumption (a lever): three staff onboarding ten firms a quarter each; range 10-200"),
    _p("interventions.digital_market.onboarding_cost_lakh", 0.2, "Rs lakh/firm", "public cost of onboarding a firm (cataloguing, photography, training, GI authorised-user registration)", 0.0, 10.0,
       source="assumption: range 0.05-0.5"),
    _p("interventions.digital_market.application_cost_lakh", 0.1, "Rs lakh", "the owner's cost of joining: his time, registrations (GST, the seller app) and learning to sell online", 0.0, 10.0,
       source="assumption: about five days of an owner's time at Rs 2,000; range 0.02-0.5"),
    _p("interventions.digital_market.fee_lakh", 0.12, "Rs lakh/year", "what a member pays a year to sell on the platform (seller app, listing and packaging), besides the buyers' logistics", 0.0, 100.0,
       source="assumption: about Rs 1,000 a month; range 0-0.5 (the platform's commission on sales is not modelled)"),
    _p("interventions.digital_market.cost_cr", 0.3, "Rs crore/year", "running cost of the platform cell and the GI's inspection body", 0.0, 100.0,
       source="assumption: range 0.1-1"),
    _p("interventions.digital_market.gi_cost_cr", 0.5, "Rs crore", "one-off public cost of preparing, filing and defending the GI application (paid at the start, in an eligible cluster only)", 0.0, 100.0,
       source="assumption: range 0.1-2"),
    _p("interventions.digital_market.eligible", ["micro", "small", "medium"], "-", "size classes eligible", choices=SIZE_CLASSES),
    # ------------------------------------------------ in-silico field trial
    # A [trial] table with a treatment other than "none" randomises a firm-level treatment.
    _p("trial.treatment", "none", "-", "firm-level treatment randomised in the trial", choices=("none", "grant", "consulting", "business_training", "training", "export_link", "credit_line")),
    _p("trial.share", 0.5, "share", "share of eligible firms assigned to treatment", 0.01, 0.99),
    _p("trial.quarter", 0, "quarter", "policy quarter of assignment (treatment is given in the next quarter)", 0, 400),
    _p("trial.follow_up", 4, "quarters", "quarters after treatment at which outcomes are measured", 1, 80),
    _p("trial.eligible", ["micro", "small", "medium"], "-", "size classes eligible for the trial", choices=SIZE_CLASSES),
    _p("trial.eligible_if", "", "-", "a further condition on the firm table's columns at assignment, e.g. \"workers <= 10 and not exporter\" (empty: none; docs/ODD.md §7.18 lists the columns and what a condition may contain)"),
    _p("trial.grant_quarters_of_profit", 1.0, "quarters", "a grant's size in quarters of the firm's own profit before treatment", 0.0, 20.0,
       source="de Mel, McKenzie & Woodruff 2008 gave grants of about 3 months' profits"),
    _p("trial.tfp_lift", 0.10, "share", "consulting: TFP gain of a treated firm", 0.0, 1.0),
    _p("trial.practice_lift", 0.02, "share", "business_training: TFP gain of a firm whose owner is trained in business practices (it fades like consulting's)", 0.0, 0.2,
       source="assumption guided by evidence on the mechanism, not on the programme's outcome: owner training raises business-practice scores modestly (McKenzie & Woodruff 2014, WBRO 29(1)), and better practices go with higher productivity across small firms (McKenzie & Woodruff 2017, Management Science 63(9); an association, not an effect); range 1-4 %. The sales effect is then compared with the business_training target, which at 1-4 % it meets only at the low end (sales respond about six times as strongly as TFP)"),
    _p("trial.skill_gain", 0.3, "0-1", "training (worker skills, not owner business training): skill gain of a treated firm's workforce (towards 1)", 0.0, 1.0),
    _p("trial.export_cost_cut", 0.8, "share", "export link: cut in a treated firm's export entry and fixed costs", 0.0, 1.0),
    _p("trial.credit_line_quarters_of_sales", 0.5, "quarters", "credit line: a bank loan of this many quarters of sales", 0.0, 10.0),
    # ---------------------------------------------- export-market shocks
    # Each [[market.shocks]] entry changes the export market from a quarter on.
    _p("shock.quarter", 0, "quarter", "policy quarter the shock hits (0 = end of burn-in)", 0, 400),
    _p("shock.tariff", -1.0, "ad valorem", "new tariff (-1 = unchanged)", -1.0, 5.0),
    _p("shock.exchange_rate", -1.0, "index", "new exchange rate (-1 = unchanged)", -1.0, 10.0),
    _p("shock.import_price", -1.0, "index", "new world price of imported materials, in foreign currency, relative to the start (-1 = unchanged)", -1.0, 10.0),
    _p("shock.foreign_demand_ratio", -1.0, "-", "new foreign demand ratio (-1 = unchanged)", -1.0, 50.0),
]

#: All parameters by key, in declaration order.
PARAMETERS: MappingProxyType = MappingProxyType({p.key: p for p in _DECLARED})

#: The interventions a package may combine, in the order the model applies them.
INTERVENTIONS = tuple(dict.fromkeys(k.split(".")[1] for k in PARAMETERS if k.startswith("interventions.")))

#: Schemes a firm can know of (columns of the awareness matrix).  Fixed, so that
#: a package does not change the shape of any random draw.
SCHEMES = INTERVENTIONS

#: The ten schemes of the first model.  Their awareness is drawn as it always was (the schemes
#: added later draw theirs from streams of their own), so adding an instrument moves no random
#: draw; every scheme has its take-up series (``take_up_<scheme>``).
ORIGINAL_SCHEMES = SCHEMES[:10]
#: The instruments added since (issue 17), in declaration order.
ADDED_SCHEMES = SCHEMES[10:]
assert ORIGINAL_SCHEMES[-1] == "facilitation_cell", "declare new interventions after the first ten"

SHOCK_KEYS = tuple(p.name for p in _DECLARED if p.section == "shock")


_SECTIONS = tuple(dict.fromkeys(p.section for p in _DECLARED if p.section != "shock"))


def sections() -> list[str]:
    return list(_SECTIONS)  # computed once: every scenario read asks for them several times


def defaults(section: str) -> dict[str, Any]:
    return {p.name: _copy(p.default) for p in _DECLARED if p.section == section}


def _copy(value):
    return list(value) if isinstance(value, list) else value


def _settings_class(section: str) -> type:
    """A frozen dataclass for one section: a typed field per declaration, in declaration order.
    An intervention's settings also say whether it is switched on (``enabled``)."""
    declared = [p for p in _DECLARED if p.section == section]
    fields: list[tuple[str, type, Any]] = []
    if section.startswith("interventions."):
        fields.append(("enabled", bool, dataclasses.field(default=False)))
    for p in declared:
        kind = tuple[str, ...] if p.kind is list else p.kind
        fields.append((p.name, kind, dataclasses.field(default=_frozen(p.default))))
    words = section.removeprefix("interventions.").split("_")
    return dataclasses.make_dataclass("".join(w.capitalize() for w in words) + "Settings", fields, frozen=True,
                                      module=__name__)


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


#: The settings type of every section (``"finance"``, ``"interventions.cfc"``, ``"shock"``...).
SETTINGS: MappingProxyType = MappingProxyType({s: _settings_class(s) for s in dict.fromkeys(p.section for p in _DECLARED)})
# Each settings class is a name of this module, so that settings (and a model holding them) pickle:
# a simulated history travels to other processes that continue it (clustersim.economy.history).
globals().update({cls.__name__: cls for cls in SETTINGS.values()})

#: Every intervention's settings, switched on or off: ``params.interventions.cfc.capacity_hours``.
def _switched_on(self) -> tuple[str, ...]:
    """The interventions switched on, in the order of :data:`INTERVENTIONS`."""
    return tuple(name for name in INTERVENTIONS if getattr(self, name).enabled)


Interventions = dataclasses.make_dataclass(
    "Interventions", [(name, SETTINGS[f"interventions.{name}"]) for name in INTERVENTIONS], frozen=True,
    module=__name__, namespace={"switched_on": _switched_on,
                                "__doc__": "Every intervention's settings; ``enabled`` says which are switched on."})

#: The resolved parameters of a scenario: one typed, frozen settings object per section.
Params = dataclasses.make_dataclass(
    "Params", [(s, SETTINGS[s]) for s in sections() if not s.startswith("interventions.")]
    + [("interventions", Interventions), ("shocks", tuple)], frozen=True, module=__name__,
    namespace={"__doc__": "The resolved parameters: a frozen settings object per section, the interventions "
                          "and the export shocks (a tuple of shock settings, by quarter)."})


def resolve(values: dict[str, dict[str, Any]]) -> Params:
    """Build the frozen, typed parameter object the model reads.

    ``values`` maps sections to already-validated overrides.  Every intervention
    has its settings (declared defaults for keys not given); those named in
    ``values`` are switched on (``enabled``), the others are off.
    """
    def settings(section: str, given: dict[str, Any], **extra):
        return SETTINGS[section](**{k: _frozen(v) for k, v in given.items()}, **extra)

    plain = {s: settings(s, values.get(s, {})) for s in sections() if not s.startswith("interventions.")}
    interventions = Interventions(**{
        name: settings(f"interventions.{name}", values.get(f"interventions.{name}") or {},
                       enabled=values.get(f"interventions.{name}") is not None)
        for name in INTERVENTIONS})
    shocks = tuple(settings("shock", s) for s in sorted(values.get("shocks", []), key=lambda s: s["quarter"]))
    return Params(**plain, interventions=interventions, shocks=shocks)
