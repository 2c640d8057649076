"""Firms: the MSMEs of the cluster acting together, one method per phase of the quarter.

The firm table (:class:`~clustersim.economy.firm_table.FirmTable`, one row per firm
slot) is their state; each method here is what every operating firm does in one
phase, written as array expressions over that table (one element per firm) that
call the rules of :class:`~clustersim.economy.agents.msme.MSME`.  A student who
changes a rule in ``msme.py`` changes what every firm does here.

``operating`` holds the rows of the firms that were operating when the quarter
began; ``plans`` what they plan this quarter and the credit they obtain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...inputs.params import ADDED_SCHEMES, ORIGINAL_SCHEMES, SCHEMES, SIZE_CLASSES
from ..firm_table import DOUBTED_SCHEMES, FIELDS, FirmTable
from ..technology import Optimum, Technology
from . import raw_material_bank
from .firm_accounts import FirmAccounts
from .msme import MSME


def _none() -> np.ndarray:
    return np.zeros(0)


@dataclass
class Plans:
    """This quarter's plans of the operating firms (arrays over ``Firms.operating``, Rs lakh) and
    the credit they obtain: the bank fills ``formal``, the moneylender ``informal``."""

    investment: np.ndarray = field(default_factory=_none)
    upgrade: np.ndarray = field(default_factory=_none)  # wants to move up a technology level
    upgrade_cost: np.ndarray = field(default_factory=_none)
    own_upgrade_cost: np.ndarray = field(default_factory=_none)  # after any subsidy
    subsidised: np.ndarray = field(default_factory=_none)
    design_helped: np.ndarray = field(default_factory=_none)  # the design centre does part of it
    exporter: np.ndarray = field(default_factory=_none)  # exports this quarter if entry is financed
    entering: np.ndarray = field(
        default_factory=_none
    )  # enters the export market (pays the sunk cost)
    sunk_cost: np.ndarray = field(default_factory=_none)
    fixed_cost: np.ndarray = field(default_factory=_none)  # of exporting, this quarter
    seek: np.ndarray = field(default_factory=_none)  # seeks (or renews) a certificate
    test_cost: np.ndarray = field(default_factory=_none)
    local_lab: np.ndarray = field(default_factory=_none)  # would test at the cluster's lab
    promoted: np.ndarray = field(default_factory=_none)  # reached by export promotion
    # the part of its yearly (a quarter's) and entry export costs the promotion, not a trial,
    # takes off a firm: what the cell buys for it
    promotion_fixed: np.ndarray = field(default_factory=_none)
    promotion_sunk: np.ndarray = field(default_factory=_none)
    subvention: np.ndarray = field(default_factory=_none)  # interest points on a new bank loan
    own_funds: np.ndarray = field(default_factory=_none)  # cash above the buffer
    earmarked_use: np.ndarray = field(
        default_factory=_none
    )  # growth-fund money spent on capital and upgrades
    need: np.ndarray = field(default_factory=_none)  # to borrow
    formal: np.ndarray = field(default_factory=_none)  # lent by the bank
    informal: np.ndarray = field(default_factory=_none)  # lent by the moneylender


@dataclass(frozen=True)
class Expectations:
    """What firms expect this quarter (arrays over the rows asked for): last quarter's wage and
    prices, today's TFP and capital, and their best plans at them."""

    quality: np.ndarray  # the part of the demand shifter a certificate gives
    b_dom: np.ndarray  # domestic demand shifter B
    b_total: np.ndarray  # with foreign demand for exporters
    domestic_level: float  # E P^(sigma - 1)
    phi: np.ndarray  # TFP, calibration scale included
    capital: np.ndarray
    wage: float
    material_cost: float  # per unit of the capital-labour bundle
    technology: Technology
    plan: Optimum  # at b_total: labour and materials chosen, capital as it is

    def plan_with(self, demand=None, tfp_factor=1.0) -> Optimum:
        """The best plan if demand were ``demand`` (default b_total) or TFP ``tfp_factor`` times
        (the search starts from the plan at what the firm expects)."""
        return MSME.best_plan(
            self.b_total if demand is None else demand,
            self.phi * tfp_factor,
            self.capital,
            self.wage,
            self.material_cost,
            self.technology,
            guess=np.log(self.plan.bundle),
        )


class Firms(FirmAccounts, FirmTable):
    """The firms of the cluster: their state table and what they do each quarter (their accounts:
    :class:`~clustersim.economy.agents.firm_accounts.FirmAccounts`)."""

    def __init__(self, model, capacity: int):
        super().__init__(capacity, len(SCHEMES))
        self.model = model
        # slots with draws so far: the initial firms, then entrants (clustersim.economy.demography)
        self.slots_used = capacity
        self.operating = np.zeros(0, dtype=np.int64)
        self.plans = Plans()
        # Calibrated at the start (clustersim.economy.initial_cluster): the TFP level, and the
        # materials a unit of the capital-labour bundle needs (at the start's prices).
        self.tfp_scale = 1.0
        self.materials_per_bundle = 0.0
        self.overhead = 0.0  # fixed cost of every firm, Rs lakh a quarter (calibrated likewise)

    # ================================================================ the phases
    def begin_quarter(self) -> None:
        """Who operates this quarter; last quarter's scheme use ends."""
        self.operating = self.live()
        self.using[self.operating] = False
        self.cfc_user[:] = False
        self.facility_costs[self.operating] = 0.0

    def hear_of_schemes(self) -> None:
        """Word of mouth from aware neighbours, and a facilitation cell's outreach."""
        model, live, original = self.model, self.operating, len(ORIGINAL_SCHEMES)
        draws = model.streams.get("awareness", model.steps).random((self.slots_used, original))[
            live
        ]
        cells = self.cells(live)
        outreach = model.government.outreach(self, live)
        aware = self.aware[live, :original]
        share = model.neighbours.shares(cells, aware)  # one column per scheme
        learn = 1.0 - (1.0 - model.rates.word_of_mouth * share) * (1.0 - outreach[:, None])
        self.aware[live, :original] = aware | (draws < learn)
        if model.quarter > 0 and any(model.government.has(name) for name in ADDED_SCHEMES):
            self.hear_of_added_schemes(cells, outreach)

    def hear_of_added_schemes(self, cells, outreach) -> None:
        """The same for the schemes added after the first ten (issue 17), each from a stream of its
        own: they are news only once the policy period begins, so their awareness spreads from
        then on, and only in a package that has one of them (nothing else reads it)."""
        model, live, original = self.model, self.operating, len(ORIGINAL_SCHEMES)
        streams, steps = model.streams, model.steps
        draws = np.stack(  # a stream per scheme: adding one moves no other's draws
            [
                streams.get("added_scheme_word_of_mouth", steps, k).random(self.slots_used)[live]
                for k in range(len(ADDED_SCHEMES))
            ],
            axis=1,
        ).reshape(len(live), len(ADDED_SCHEMES))
        aware = self.aware[live, original:]
        share = model.neighbours.shares(cells, aware)
        learn = 1.0 - (1.0 - model.rates.word_of_mouth * share) * (1.0 - outreach[:, None])
        self.aware[live, original:] = aware | (draws < learn)

    def draw_productivity_shocks(self) -> None:
        """z' = rho z + sd eps (eps drawn per firm slot); technology falls behind the moving
        frontier; skill and consulting gains fade."""
        model, live, rates, technology = (
            self.model,
            self.operating,
            self.model.rates,
            self.model.p.technology,
        )
        eps = model.streams.get("tfp_shock", model.steps).laplace(
            0.0, np.sqrt(0.5), self.slots_used
        )[live]  # unit variance
        behind = (
            model.streams.get("obsolescence", model.steps).random(self.slots_used)[live]
            < rates.obsolescence
        )
        self.tech_level[live] -= (behind & (self.tech_level[live] > 0)).astype(
            self.tech_level.dtype
        )
        self.tfp_transitory[live] = (
            technology.tfp_persistence * self.tfp_transitory[live] + technology.tfp_shock_sd * eps
        )
        self.skill[live] -= rates.skill_depreciation * (self.skill[live] - technology.initial_skill)
        self.consulting_lift[live] *= 1.0 - rates.consulting_decay

    def plan(self) -> None:
        """Each firm plans investment, a technology upgrade, certification and export entry, and
        what it must borrow for them."""
        model, p, tech, rates, live, steps = (
            self.model,
            self.model.p,
            self.model.technology,
            self.model.rates,
            self.operating,
            self.model.steps,
        )
        government, markets = model.government, model.markets
        expected = self.expectations(live)
        subvention = government.subvention_points(self, live)
        # Capital: each source of funds at its cost, up to its limit (own funds at the bank's
        # rate, their opportunity cost; the bank, less any subvention; the moneylender).
        bank_rate = model.bank.rate_for(self, live)
        costs = (bank_rate, bank_rate - subvention, model.moneylender.rate_for(self, live))

        def desired_at(rate):
            return MSME.desired_capital(
                expected.b_total,
                expected.phi,
                expected.wage,
                rate + rates.depreciation,
                expected.material_cost,
                tech,
            )

        at_bank_rate = desired_at(costs[0])
        subvented = desired_at(costs[1]) if np.any(subvention) else at_bank_rate
        desired = [at_bank_rate, subvented, desired_at(costs[2])]
        net_worth = self.net_worth(live)
        room = MSME.capital_room(
            net_worth,
            self.working_capital(live),
            p.finance.bank_leverage,
            p.finance.informal_leverage,
            self.formal_access[live] & (self.bank_barred_until[live] < steps),
            government.collateral_waiver(self, live),
        )
        target, source, constrained = MSME.capital_target(desired, room)
        self.credit_constrained[live] = constrained
        rate = np.choose(source, np.broadcast_arrays(*costs))
        discount = rate + rates.exit_hazard
        investment = MSME.investment(
            self.capital[live], target, rates.depreciation, p.technology.investment_speed
        )

        # Technology: hear of the next vintage from an innovation or from better neighbours.
        level = self.tech_level[live]
        top = p.technology.tech_levels - 1
        better_share = np.zeros(len(live))
        if top > 0:
            levels = np.arange(1, top + 1)
            at_or_above = model.neighbours.shares(
                self.cells(live), level[:, None] >= levels[None, :]
            )
            below = level < top
            better_share[below] = at_or_above[
                np.flatnonzero(below), level[below]
            ]  # share one level up
        draw = model.streams.get("technology", steps).random(self.slots_used)[live]
        innovation = government.innovation_rates(self, live)  # a design centre's users: sooner
        hears = (level < top) & (
            draw < 1.0 - (1.0 - innovation) * (1.0 - rates.imitation * better_share)
        )
        upgrade_cost = (
            p.technology.upgrade_cost_per_worker_lakh
            * self.upgrade_cost_factor[live]
            * self.workers[live]
        )
        subsidised, subsidy_share = government.upgrade_subsidy(self, live)
        own_upgrade_cost = upgrade_cost * (1.0 - subsidy_share * subsidised)
        design_cut = government.design_upgrade_cut(self, live)  # None without a design centre
        if design_cut is not None:
            own_upgrade_cost = np.maximum(own_upgrade_cost - design_cut * upgrade_cost, 0.0)
        gain = MSME.gain(expected.plan, expected.plan_with(tfp_factor=1.0 + p.technology.tech_step))
        upgrade = MSME.wants_to_upgrade(hears, gain, own_upgrade_cost, discount)

        # Export market and certification.
        promoted, fixed_cut, sunk_cut = government.export_cost_cuts(self, live)
        firm_cut = self.export_cost_cut[live]  # a trial's export link
        fixed_cost = rates.export_fixed_cost * (1.0 - np.maximum(fixed_cut, firm_cut))
        sunk_cost = p.market.export_sunk_cost_lakh * (1.0 - np.maximum(sunk_cut, firm_cut))
        promotion_fixed = rates.export_fixed_cost * np.maximum(fixed_cut - firm_cut, 0.0)
        promotion_sunk = p.market.export_sunk_cost_lakh * np.maximum(sunk_cut - firm_cut, 0.0)
        certified = self.certified_until[live] >= steps
        quality_cert = 1.0 + p.technology.quality_lift_certified
        export_ratio = 1.0 + markets.foreign_level() / expected.domestic_level
        demand_if_certified = expected.b_dom * quality_cert / expected.quality  # at home
        home_if_certified = expected.plan_with(demand_if_certified)
        export_gain = MSME.gain(
            home_if_certified, expected.plan_with(demand_if_certified * export_ratio)
        )
        exporter, entering = MSME.export_choice(
            self.exporter[live], certified, export_gain, fixed_cost, sunk_cost, discount
        )
        local_lab = model.facilities.local_lab(self, live)
        test_cost = (
            p.market.certification_fee_lakh
            + p.market.compliance_cost_lakh
            + np.where(local_lab, model.facilities.lab_fee(), p.market.distant_test_cost_lakh)
        )
        # The quality premium of a certificate, valued against having none
        # (so renewals count it too).
        quality_gain = MSME.gain(
            expected.plan_with(expected.b_dom / expected.quality), home_if_certified
        )
        pending = (self.test_ready_step[live] >= 0) | (self.test_requested_step[live] >= 0)
        renew_by = steps + p.market.distant_test_delay + 1  # apply early enough to stay certified
        seek = MSME.seeks_certification(
            self.certified_until[live] < renew_by,
            pending,
            export_gain,
            quality_gain,
            fixed_cost,
            test_cost,
            p.market.certification_validity,
        )

        # What it must borrow: the spending planned, less its own money.
        own_funds = np.maximum(self.cash[live] - self.cash_buffer(live), 0.0)
        need, earmarked_use = MSME.financing_need(
            investment,
            own_upgrade_cost,
            upgrade,
            sunk_cost,
            entering,
            test_cost,
            seek,
            self.earmarked[live],
            own_funds,
        )
        self.plans = Plans(
            investment=investment,
            upgrade=upgrade,
            upgrade_cost=upgrade_cost,
            own_upgrade_cost=own_upgrade_cost,
            subsidised=subsidised & upgrade,
            design_helped=upgrade & (design_cut > 0.0) if design_cut is not None else None,
            exporter=exporter,
            entering=entering,
            sunk_cost=sunk_cost,
            fixed_cost=fixed_cost,
            seek=seek,
            test_cost=test_cost,
            local_lab=local_lab,
            promoted=promoted,
            promotion_fixed=promotion_fixed,
            promotion_sunk=promotion_sunk,
            subvention=subvention,
            own_funds=own_funds,
            earmarked_use=earmarked_use,
            need=need,
        )

    def invest(self) -> None:
        """Carry out what is financed, in the firm's order (certification, export entry, upgrade,
        capital), and pay for it; a test at the cluster's lab joins its queue, a distant one comes
        back later."""
        model, live, plans, steps = self.model, self.operating, self.plans, self.model.steps
        government, ledger, lab = model.government, model.ledger, model.facilities.lab
        seek, enter, upgrade, investment = MSME.spend_in_order(
            plans.own_funds + plans.formal + plans.informal,
            plans.test_cost,
            plans.seek,
            plans.sunk_cost,
            plans.entering,
            plans.earmarked_use,
            plans.own_upgrade_cost,
            plans.upgrade,
            plans.investment,
        )
        # Who exports this quarter:
        # continuing exporters with a valid certificate, plus financed entrants.
        self.exporter[live] = plans.exporter & (~plans.entering | enter)
        # Pay: growth-fund money goes to capital and upgrades first.
        capital_spend = investment + plans.upgrade_cost * upgrade
        subsidy = (plans.upgrade_cost - plans.own_upgrade_cost) * upgrade
        from_earmarked = np.minimum(self.earmarked[live], capital_spend - subsidy)
        self.earmarked[live] -= from_earmarked
        local = seek & plans.local_lab
        lab_fees = np.where(local, model.facilities.lab_fee(), 0.0)
        self.cash[live] += (
            subsidy
            - (capital_spend - from_earmarked)
            - plans.sunk_cost * enter
            - plans.test_cost * seek
        )
        self.capital[live] += capital_spend
        self.tech_level[live] += upgrade
        self.use_scheme(live[upgrade & plans.subsidised], "tech_upgrade_subsidy")
        if plans.design_helped is not None:
            self.use_scheme(live[upgrade & plans.design_helped], "design_centre")
        self.use_scheme(live[local], "testing_lab")
        self.use_scheme(live[enter & plans.promoted], "export_promotion")
        government.spend("grants_to_firms", float(subsidy.sum()), payee="firms")
        government.buy_export_services(plans.promotion_sunk, enter)
        ledger.post("investment_goods", "firms", "rest_of_world", float(capital_spend.sum()))
        ledger.post(
            "other_firm_costs",
            "firms",
            "rest_of_world",
            float((plans.sunk_cost * enter + (plans.test_cost - lab_fees) * seek).sum()),
        )
        if lab is not None:
            lab.collect_fees(float(lab_fees.sum()))
        self.test_requested_step[live[local]] = steps
        distant = live[seek & ~plans.local_lab]
        self.test_ready_step[distant] = steps + model.p.market.distant_test_delay

    def receive_test_results(self) -> None:
        """Tests sent to distant labs come back: the firm is certified."""
        live, steps = self.operating, self.model.steps
        back = live[self.test_ready_step[live] == steps]
        self.certified_until[back] = steps + self.model.p.market.certification_validity
        self.test_ready_step[back] = -1

    # ================================================================ what firms know of themselves
    def tfp(self, rows):
        """Each firm's TFP multiplier (before the calibration scale)."""
        technology = self.model.p.technology
        return MSME.tfp(
            self.tfp_permanent[rows],
            self.tfp_transitory[rows],
            self.tech_level[rows],
            self.skill[rows],
            self.cfc_lift[rows],
            self.consulting_lift[rows],
            technology.tech_step,
            technology.skill_lift,
        )

    def quality(self, rows):
        """Demand shifter of each firm's product: certified firms sell a better-trusted one, and
        the design centre and the digital market platform may add to it (``product_premium``)."""
        premium = self.product_premium(rows)
        if premium is None:
            return self.certificate_quality(rows)
        return self.certificate_quality(rows) * premium

    def certificate_quality(self, rows):
        """The part of the demand shifter a valid certificate gives: 1 + its quality lift."""
        certified = self.certified_until[rows] >= self.model.steps
        return 1.0 + self.model.p.technology.quality_lift_certified * certified

    def product_premium(self, rows):
        """What the instruments of issue 17 add to each firm's demand at a given price: a
        redesigned product's premium pi, as the demand shifter (1 + pi)^sigma, times the
        platform's factor for a member (``Government.platform_factor``); None without either."""
        interventions = self.model.p.interventions
        if not (interventions.design_centre.enabled or interventions.digital_market.enabled):
            return None
        sigma = self.model.technology.sigma
        factor = (1.0 + self.design_premium[rows]) ** sigma
        return np.where(
            self.on_platform[rows], factor * self.model.government.platform_factor(), factor
        )

    def net_worth(self, rows):
        """Each owner's stake in the firm (its assets less its debts)."""
        return MSME.net_worth(
            self.capital[rows],
            self.cash[rows],
            self.earmarked[rows],
            self.current_assets(rows),
            self.formal_debt[rows],
            self.cash_credit[rows],
            self.informal_debt[rows],
        )

    def current_assets(self, rows):
        """What each firm's working capital is tied up in: its receivables and its stock of
        materials (the bank's security for cash credit)."""
        return self.receivables[rows] + self.materials_stock[rows]

    def bank_debt(self, rows):
        """What each firm owes the bank: its term loan and its cash-credit balance."""
        return self.formal_debt[rows] + self.cash_credit[rows]

    def value_of_training(self, rows, share, skill_gain, rate=None, poached=0.0):
        """What training ``share`` of its workers this quarter is worth to each firm: the extra
        variable profit a quarter of the skill it adds (its TFP lift), capitalised at the bank rate
        (or the quarterly ``rate`` its owner asks) plus the exit hazard plus the rate at which
        skill fades and the quarterly chance ``poached`` that trained workers are hired away."""
        technology = self.model.p.technology
        skill = self.skill[rows]
        after = skill + share * skill_gain * (1.0 - skill)
        lift = (1.0 + technology.skill_lift * after) / (1.0 + technology.skill_lift * skill)
        return self.value_of_lift(rows, lift, self.model.rates.skill_depreciation + poached, rate)

    def value_of_consulting(self, rows, tfp_lift, rate=None):
        """What consulting that lifts TFP by ``tfp_lift`` is worth to each firm (a firm still
        holding an earlier lift gains only the difference); it fades at the consulting decay
        (capitalised as :meth:`value_of_lift` does)."""
        held = self.consulting_lift[rows]
        lift = (1.0 + np.maximum(held, tfp_lift)) / (1.0 + held)
        return self.value_of_lift(rows, lift, self.model.rates.consulting_decay, rate)

    def value_of_lift(self, rows, tfp_factor, fade, rate=None):
        """The extra variable profit a quarter of multiplying each firm's TFP by ``tfp_factor``,
        capitalised at the bank rate (or the quarterly ``rate`` given) plus the exit hazard plus
        the rate ``fade`` at which the lift fades."""
        rates = self.model.rates
        expected = self.expectations(rows)
        gain = MSME.gain(expected.plan, expected.plan_with(tfp_factor=tfp_factor))
        rate = rates.formal_rate if rate is None else rate
        return gain / (rate + rates.exit_hazard + fade)

    def gain_of_demand(self, rows, demand_factor):
        """The extra variable profit a quarter of multiplying each firm's demand at a given price
        by ``demand_factor`` (a quality premium, more buyers reached)."""
        expected = self.expectations(rows)
        return MSME.gain(expected.plan, expected.plan_with(expected.b_total * demand_factor))

    def value_of_demand(self, rows, demand_factor, fade, rate=None):
        """That gain capitalised at the bank rate (or the quarterly ``rate`` given) plus the exit
        hazard plus the rate ``fade`` at which it fades."""
        rates = self.model.rates
        rate = rates.formal_rate if rate is None else rate
        return self.gain_of_demand(rows, demand_factor) / (rate + rates.exit_hazard + fade)

    def lose_trained_workers(self, poached) -> None:
        """Trained workers hired away by rivals: each firm loses the quarterly share ``poached`` of
        the skill its training added (above the initial skill), and the workers who leave take it
        to the cluster's firms, spread over their workforce, so skill times workers summed over
        the cluster does not change."""
        live, initial = self.operating, self.model.p.technology.initial_skill
        lost = poached * np.maximum(self.skill[live] - initial, 0.0)
        workers = self.workers[live]
        if not lost.any() or workers.sum() <= 0.0:
            return
        self.skill[live] += float((lost * workers).sum()) / float(workers.sum()) - lost

    def keep_housed_workers(self, rows, quit_fall) -> None:
        """Workers who quit less keep their skill longer (workforce housing).  The fading of skill
        towards the initial level, ds = -q (s - s0) a quarter (``skill_depreciation``, worker
        turnover), is read as learning on the job, q s0 (1 - s), less quits that replace a worker
        of skill s by a novice, q (1 - s0) s.  When a firm's quits fall by the share ``quit_fall``
        it keeps q (1 - s0) quit_fall s of its skill a quarter more, so its skill rises towards
        s0 / (1 - (1 - s0) quit_fall)."""
        rates, initial = self.model.rates, self.model.p.technology.initial_skill
        self.skill[rows] += (
            rates.skill_depreciation * (1.0 - initial) * quit_fall * self.skill[rows]
        )

    def fixed_costs(self, rows):
        """Each firm's fixed overhead this quarter (Rs lakh): the calibrated overhead, less what a
        firm that moved its compliance onto an open single window saves."""
        overhead = np.full(len(rows), self.overhead)
        saving = self.model.government.compliance_saving()
        if saving > 0.0:
            overhead -= saving * self.single_window[rows]
        return overhead

    def learn_from_neighbours(self, scheme: str, takers) -> None:
        """Owners who doubt ``scheme`` would pay are convinced by neighbours who have taken it:
        each with the chance of word of mouth times the (distance-weighted) share of its
        neighbours among the ``takers`` (a mask over the operating firms)."""
        model, live = self.model, self.operating
        k = DOUBTED_SCHEMES.index(scheme)
        doubting = self.doubts[live, k]
        if not doubting.any():
            return
        share = model.neighbours.share(self.cells(live), takers)
        draw = model.streams.get("owner_learning", model.steps, k).random(self.slots_used)[live]
        self.doubts[live, k] = doubting & ~(draw < model.rates.word_of_mouth * share)

    def working_capital(self, rows):
        """What each firm's owner must finance besides its capital: its working cash and the
        current assets its cash credit does not (receivables and stock beyond the drawing
        power)."""
        unfinanced = self.current_assets(rows) - self.model.bank.drawing_power(self, rows)
        return self.cash_buffer(rows) + np.maximum(unfinanced, 0.0)

    def cash_buffer(self, rows):
        """Cash each firm keeps before its owner is paid (at today's wage and its own scale)."""
        return MSME.cash_buffer(
            self.model.markets.wage,
            self.workers[rows],
            self.materials[rows],
            self.capital[rows],
            self.model.p.finance.cash_buffer,
            self.model.rates.depreciation,
        )

    def expectations(self, rows) -> Expectations:
        """What firms expect this quarter: last quarter's wage and price indices, today's TFP."""
        model, tech, markets = self.model, self.model.technology, self.model.markets
        domestic_level = markets.domestic_level()
        b_dom, b_total = MSME.demand_shifter(
            self.certified_until[rows] >= model.steps,
            self.exporter[rows],
            model.p.technology.quality_lift_certified,
            domestic_level,
            markets.foreign_level(),
        )
        premium = self.product_premium(rows)  # the design centre's and the platform's
        if premium is not None:
            b_dom, b_total = b_dom * premium, b_total * premium
        phi, capital, cost = (
            self.tfp_scale * self.tfp(rows),
            self.capital[rows],
            self.material_cost(rows),
        )
        return Expectations(
            quality=self.certificate_quality(rows),
            b_dom=b_dom,
            b_total=b_total,
            domestic_level=domestic_level,
            phi=phi,
            capital=capital,
            wage=markets.wage,
            material_cost=cost,
            technology=tech,
            plan=MSME.best_plan(b_total, phi, capital, markets.wage, cost, tech),
        )

    def material_cost(self, rows=None):
        """What the materials for a unit of the capital-labour bundle cost now: at the market's
        price, or, for ``rows``, at the price each of those firms pays (``input_prices``)."""
        price = self.model.markets.material_price()
        terms = None if rows is None else self.input_prices(rows)
        if terms is not None:
            price = terms[0]
        return self.materials_per_bundle * price

    # ================================================================ what materials cost a firm
    # (issue 17: the raw-material bank and clean production make it differ across firms)
    def input_prices(self, rows):
        """Each firm's price of a unit of materials and the imported part of it, when the
        raw-material bank supplies some of them or some have made the clean-production
        investment; None when every firm pays the market's price."""
        model = self.model
        served = model.facilities.served_by_bank(rows)
        clean = model.p.interventions.clean_production.enabled
        if served is None and not (clean and self.clean_producer[rows].any()):
            return None
        markets = model.markets
        market_price = markets.material_price()
        market_imported = market_price * markets.imported_share_of_materials()
        bank, bank_imported = (0.0, 0.0)
        if served is not None:
            bank, bank_imported = model.facilities.material_bank.price()
        return raw_material_bank.input_prices(
            0.0 if served is None else served,
            market_price,
            market_imported,
            bank,
            bank_imported,
            self.energy_saved_per_unit() * self.clean_producer[rows],
        )

    def energy_saved_per_unit(self) -> float:
        """Domestic input (energy) a clean producer no longer buys per unit of materials: the
        energy share times the saving, at most the domestic part of a unit."""
        clean, imported = self.model.p.interventions.clean_production, self.model.p.materials
        return min(clean.energy_share * clean.energy_saving, 1.0 - imported.imported_share)

    def materials_bought(self, rows) -> tuple[float, float, float]:
        """This quarter's materials of ``rows``: (imported, domestic, what the raw-material bank
        pays its suppliers beyond what its members paid it), Rs lakh."""
        total = self.materials[rows]
        terms = self.input_prices(rows)
        if terms is None:
            share = self.model.markets.imported_share_of_materials()
            return float(total.sum() * share), float(total.sum() * (1.0 - share)), 0.0
        price, imported_part = terms
        imported = float(np.sum(total * imported_part / price))
        served = self.model.facilities.served_by_bank(rows)
        gap = 0.0
        if served is not None:
            gap = self.model.facilities.material_bank.stock_gap(served * total / price)
        return imported, float(total.sum()) - imported, gap

    def imported_share_of_materials(self, rows) -> float:
        """Imported materials as a share of the value of the materials ``rows`` bought."""
        terms = self.input_prices(rows)
        if terms is None:
            return self.model.markets.imported_share_of_materials()
        imported, domestic, _ = self.materials_bought(rows)
        return imported / (imported + domestic) if imported + domestic > 0 else 0.0

    def eligible(self, rows, classes) -> np.ndarray:
        """Firms whose size class (2025 thresholds) is among ``classes``."""
        index = MSME.size_class_index(self.capital[rows], 4.0 * self.sales[rows])
        return np.isin(index, [SIZE_CLASSES.index(c) for c in classes])

    def columns(self, rows) -> dict[str, np.ndarray]:
        """Every column of the firm table over ``rows``, the derived ones (``DERIVED``) too:
        what a condition such as a trial's ``eligible_if`` reads."""
        workers = self.workers[rows]
        return {
            **{name: getattr(self, name)[rows] for name in FIELDS},
            "tfp": self.tfp(rows),
            "productivity": np.divide(
                4.0 * self.real_value_added[rows],
                workers,
                out=np.zeros(len(rows)),
                where=workers > 0,
            ),
            "age": self.model.steps - self.entry_step[rows].astype(float),
            "size_class": MSME.size_class_index(self.capital[rows], 4.0 * self.sales[rows]),
        }

    def cells(self, rows) -> np.ndarray:
        """Flat grid-cell index of each firm."""
        return self.y[rows] * self.model.width + self.x[rows]

    def distance_to(self, rows, agent) -> np.ndarray:
        """Distance in cells from each firm to an agent on the grid."""
        cx, cy = agent.cell.coordinate
        return np.hypot(self.x[rows] - cx, self.y[rows] - cy)
