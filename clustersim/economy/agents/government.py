"""Government: runs the schemes of a package and pays for them.

It opens each scheme in its start quarter (facilities are approved, built and
run by :mod:`clustersim.economy.facilities`), delivers skills training,
consulting and growth-fund equity, sets the terms of the credit guarantee,
interest subvention, upgrade subsidy and export promotion that firms and the
bank meet, and keeps the public accounts: every rupee it spends or collects is
posted in the quarter's ledger, and the centre covers its deficit, which is the
package's public cost.  The government has no place on the grid.
"""

from __future__ import annotations

import numpy as np

from ...inputs.params import SCHEMES
from ..firm_table import DOUBTED_SCHEMES, SCHEME_COLUMN
from ..queues import Queue
from ..timeunits import WORKING_DAYS_PER_QUARTER, per_quarter, quarterly_hazard, quarterly_rate
from .msme import MSME

LAKH_PER_CRORE = 100.0

#: The schemes people deliver, each with the setting that says how much a quarter (its queue's
#: places: trainees, firms, fair places, deals).
QUEUED_SCHEMES = {
    "skills_training": "seats_per_quarter",
    "consulting": "firms_per_quarter",
    "export_promotion": "slots_per_quarter",
    "growth_fund": "deals_per_quarter",
    "design_centre": "projects_per_quarter",
    "digital_market": "onboarding_per_quarter",
}


class Government:
    """The public side of the cluster: schemes, their terms, and the public accounts (Rs lakh)."""

    def __init__(self, model):
        self.model = model
        self.schemes = (
            model.p.interventions
        )  # every scheme's settings; ``enabled`` says which the package has
        self.active = dict.fromkeys(SCHEMES, False)  # running this quarter
        self.cash = 0.0  # the quarter's net position; the centre settles it
        self.public_cost_cr = 0.0  # cumulative net outlay since the end of the burn-in
        #: the firms waiting for each scheme delivered by people, and its places a quarter
        self.queues = {name: Queue() for name in QUEUED_SCHEMES}

    # ------------------------------------------------------------------ the calendar
    def open_schemes(self) -> None:
        """Schemes whose start quarter has passed run; a scheme is approved in the quarter after its
        start quarter (facilities are commissioned then); the export-promotion cell is paid for."""
        quarter = self.model.quarter
        for name in SCHEMES:
            scheme = getattr(self.schemes, name)
            self.active[name] = scheme.enabled and quarter > scheme.start_quarter
            if scheme.enabled and quarter == scheme.start_quarter + 1:
                self.model.facilities.commission(name, scheme)
        if self.active["export_promotion"]:
            self.spend(
                "public_purchases",
                per_quarter(self.schemes.export_promotion.cost_cr * LAKH_PER_CRORE),
            )
        if self.model.facilities.logistics_open():  # upkeep; this quarter's exporters use it
            self.spend("public_purchases", per_quarter(self.schemes.logistics.opex_cr * 100.0))
            firms = self.model.firms
            firms.use_scheme(firms.operating[firms.exporter[firms.operating]], "logistics")
        if self.model.facilities.single_window_open():  # the desk's staff and the portal
            self.spend("public_purchases", per_quarter(self.schemes.single_window.opex_cr * 100.0))
        if self.model.facilities.design_centre_open():  # its running cost
            centre = self.schemes.design_centre
            self.spend("public_purchases", per_quarter(centre.opex_cr * LAKH_PER_CRORE))
        if self.active["digital_market"]:
            self.run_platform_cell()

    # ------------------------------------------------------------------ money
    def spend(self, row: str, amount: float, payee: str = "rest_of_world") -> None:
        """Public money out, posted in the ledger row ``row``."""
        self.cash -= amount
        self.model.ledger.post(row, "government", payee, amount)

    def collect(self, amount: float) -> None:
        """Fees and charges in (the payer posts the flow)."""
        self.cash += amount

    def settle_with_centre(self) -> None:
        """The centre funds the quarter's deficit; after the burn-in that is the public cost."""
        transfer = -self.cash
        self.cash = 0.0
        self.model.ledger.post("central_transfer", "rest_of_world", "government", transfer)
        if self.model.quarter > 0:
            self.public_cost_cr += transfer / LAKH_PER_CRORE

    def has(self, name: str) -> bool:
        """The package has this scheme (switched on, running or not yet)."""
        return getattr(self.schemes, name).enabled

    # ------------------------------------------------------------------ who a scheme reaches
    def reaches(self, firms, rows, scheme: str) -> np.ndarray:
        """Firms that may use a scheme: it is running and they know of it."""
        if not self.active[scheme]:
            return np.zeros(len(rows), dtype=bool)
        return firms.aware[rows, SCHEME_COLUMN[scheme]]

    def owner_rate(self) -> float:
        """The quarterly rate at which owners value what a scheme's time and money bring: their
        hurdle rate where it is above the bank's (a payback rule), the bank's otherwise."""
        rates = self.model.rates
        return max(rates.formal_rate, rates.owner_hurdle)

    def believed(self, firms, rows, scheme: str, value) -> np.ndarray:
        """What each owner expects taking part in ``scheme`` to be worth: nothing if he doubts it
        would pay for a firm like his (``FirmTable.doubts``)."""
        return MSME.believed_value(value, firms.doubts[rows, DOUBTED_SCHEMES.index(scheme)])

    def queue_up(self, firms, scheme: str, wanting, units, order=None):
        """Which firms that want ``scheme`` are served this quarter (the others wait) and the
        places each gets, first come, first served (ties in the order ``order``, by default a draw
        per firm slot)."""
        model = self.model
        if order is None:
            draw = model.streams.get("queue_order", model.steps, SCHEME_COLUMN[scheme])
            order = draw.random(firms.slots_used)[wanting]
        places = getattr(getattr(self.schemes, scheme), QUEUED_SCHEMES[scheme])
        return self.queues[scheme].serve(wanting, units, places, model.steps, order)

    def outreach(self, firms, rows) -> np.ndarray:
        """A facilitation cell's chance, this quarter, that each firm learns of a scheme (it falls
        with distance from the cell); nil without one.  The cell's running cost is paid here."""
        if not self.active["facilitation_cell"]:
            return np.zeros(len(rows))
        cell = self.schemes.facilitation_cell
        where = self.model.facilities.facilitation_cell.coordinate
        distance = np.hypot(firms.x[rows] - where[0], firms.y[rows] - where[1])
        self.spend("public_purchases", per_quarter(cell.cost_cr * LAKH_PER_CRORE))
        return quarterly_hazard(cell.outreach * np.exp(-distance / cell.reach))

    # ------------------------------------------------------------------ support delivered to firms
    def deliver_support(self, firms) -> None:
        """Skills training every quarter; consulting and growth-fund equity offered once, when
        they start, and delivered as their queues move; the clean-production programme every
        quarter; the raw-material bank enrols its members (what materials cost them enters their
        plans); a workers' hostel houses workers (the labour supply the markets clear shifts); an
        open single window takes the firms that move their compliance onto it."""
        model, schemes, quarter = self.model, self.schemes, self.model.quarter
        if self.active["skills_training"]:
            self.deliver_training(firms)
        if self.active["consulting"] and (
            quarter == schemes.consulting.start_quarter + 1 or self.queues["consulting"].waiting
        ):
            self.deliver_consulting(firms)
        if self.active["growth_fund"] and (
            quarter == schemes.growth_fund.start_quarter + 1 or self.queues["growth_fund"].waiting
        ):
            self.deliver_equity(firms)
        if self.active["clean_production"]:
            self.deliver_clean_production(firms)
        if model.facilities.design_centre_open():
            self.deliver_design(firms)
        if self.active["digital_market"]:
            self.onboard_to_platform(firms)
        model.facilities.supply_materials(firms)
        model.facilities.house_workers(firms)
        if model.facilities.single_window_open():
            self.register_at_single_window(firms)

    def deliver_training(self, firms) -> None:
        """Aware, eligible firms whose owners are not in doubt ask to send a share of their workers
        when the skill is worth, at the owner's rate, the wages of the days away and the owner's
        paperwork (costs of time the firm weighs; the output lost in those days, a fraction of a
        per cent, is not taken off), less what rivals that hire trained workers away take.  They
        wait for the providers' seats; a doubting owner may be convinced by neighbours who have
        trained their workers."""
        model, training, live = self.model, self.schemes.skills_training, firms.operating
        poached = quarterly_hazard(training.poaching_rate)
        firms.lose_trained_workers(poached)
        firms.learn_from_neighbours("skills_training", firms.trained_workers[live] > 0)
        candidates = live[
            self.reaches(firms, live, "skills_training") & firms.eligible(live, training.eligible)
        ]
        share = quarterly_hazard(training.trainee_share)
        time_away = training.days_per_trainee / WORKING_DAYS_PER_QUARTER
        cost = (
            training.application_cost_lakh
            + share * firms.workers[candidates] * model.markets.wage * time_away
        )
        value = firms.value_of_training(
            candidates, share, training.skill_gain, self.owner_rate(), poached
        )
        value = self.believed(firms, candidates, "skills_training", value)
        wanting = candidates[MSME.takes_part(value, cost)]
        served, seats = self.queue_up(
            firms, "skills_training", wanting, share * firms.workers[wanting]
        )
        users, trainees = wanting[served], seats[served]
        # 1 but for the last seats of a quarter (nil for a firm with no workers yet)
        wanted = share * firms.workers[users]
        filled = np.divide(trainees, wanted, out=np.ones(len(users)), where=wanted > 0)
        firms.skill[users] += share * filled * training.skill_gain * (1.0 - firms.skill[users])
        firms.trained_workers[users] += trainees
        firms.use_scheme(users, "skills_training")
        self.spend("public_purchases", float(trainees.sum()) * training.cost_lakh)

    def deliver_consulting(self, firms) -> None:
        """Once, at start+1, a share of the aware, eligible firms is offered consulting (the
        programme's places); an owner not in doubt accepts if the lift is worth, at his rate, the
        co-payment and his time, and waits for a consultant.  Each quarter the consultants begin
        the firms first in the queue; a waiting firm that closed or no longer wants it drops out.
        A firm consulted pays its co-payment and the government the rest of the market price."""
        model, consulting, live = self.model, self.schemes.consulting, firms.operating
        queue = self.queues["consulting"]
        if model.quarter == consulting.start_quarter + 1:
            draw = model.streams.get("consulting", model.steps).random(firms.slots_used)[live]
            candidates = live[
                self.reaches(firms, live, "consulting")
                & firms.eligible(live, consulting.eligible)
                & (draw < consulting.share_of_firms)
            ]
            queue.offered += len(candidates)
        else:  # those still waiting decide again
            waiting = np.sort(queue.rows)
            candidates = waiting[
                firms.alive[waiting] & firms.eligible(waiting, consulting.eligible)
            ]
        price = consulting.cost_lakh_per_worker * firms.workers[candidates]
        own_cost = consulting.copay_share * price + consulting.application_cost_lakh
        value = firms.value_of_consulting(candidates, consulting.tfp_lift, self.owner_rate())
        value = self.believed(firms, candidates, "consulting", value)
        wanting = candidates[MSME.takes_part(value, own_cost)]
        begun, _ = self.queue_up(firms, "consulting", wanting, np.ones(len(wanting)))
        chosen = wanting[begun]
        firms.consulting_lift[chosen] = np.maximum(
            firms.consulting_lift[chosen], consulting.tfp_lift
        )
        firms.consulted[chosen] = True
        firms.use_scheme(chosen, "consulting")
        price = consulting.cost_lakh_per_worker * firms.workers[chosen]
        copay = consulting.copay_share * price
        firms.cash[chosen] -= copay
        model.ledger.post("other_firm_costs", "firms", "rest_of_world", float(copay.sum()))
        self.spend("public_purchases", float((price - copay).sum()))

    def deliver_equity(self, firms) -> None:
        """Once, at start+1, the growth fund picks the ``n_firms`` aware, eligible firms first by
        its targeting rule (the highest TFP; or the credit-constrained, highest TFP first); its
        team closes ``deals_per_quarter`` deals a quarter, the highest current TFP first, and a
        picked firm that closes or outgrows eligibility drops out.  A deal earmarks the equity
        for capital and upgrades."""
        model, fund, live = self.model, self.schemes.growth_fund, firms.operating
        queue = self.queues["growth_fund"]
        tiebreak = model.streams.get("growth_fund", model.steps).random(firms.slots_used)
        if model.quarter == fund.start_quarter + 1:
            eligible = self.reaches(firms, live, "growth_fund")
            eligible &= firms.eligible(live, fund.eligible)
            if fund.targeting == "constrained":
                eligible &= firms.credit_constrained[live]
            candidates = live[eligible]
            merit = np.log(firms.tfp(candidates)) + 1e-9 * tiebreak[candidates]
            wanting = np.sort(candidates[np.argsort(-merit, kind="stable")[: fund.n_firms]])
            queue.offered += len(wanting)
        else:
            waiting = np.sort(queue.rows)
            wanting = waiting[firms.alive[waiting] & firms.eligible(waiting, fund.eligible)]
        merit = np.log(firms.tfp(wanting)) + 1e-9 * tiebreak[wanting]
        deals, _ = self.queue_up(firms, "growth_fund", wanting, np.ones(len(wanting)), -merit)
        chosen = wanting[deals]
        firms.earmarked[chosen] += fund.equity_lakh
        firms.growth_funded[chosen] = True
        firms.use_scheme(chosen, "growth_fund")
        self.spend("grants_to_firms", len(chosen) * fund.equity_lakh, payee="firms")

    def deliver_clean_production(self, firms) -> None:
        """Aware, eligible firms that have not invested yet do so when the energy it saves, a
        quarter at last quarter's materials, capitalised at the bank rate plus the exit hazard plus
        depreciation, is worth more than their share of its cost and the owner's time, and their
        cash above the working buffer pays their share.  The government pays the rest and the
        energy audit."""
        model, clean, live = self.model, self.schemes.clean_production, firms.operating
        candidates = live[
            self.reaches(firms, live, "clean_production")
            & firms.eligible(live, clean.eligible)
            & ~firms.clean_producer[live]
        ]
        cost = clean.cost_per_worker_lakh * firms.workers[candidates]
        own_cost = (1.0 - clean.subsidy_share) * cost
        units = firms.materials[candidates] / model.markets.material_price()
        saving = firms.energy_saved_per_unit() * units  # Rs lakh a quarter
        rates = model.rates
        value = saving / (self.owner_rate() + rates.exit_hazard + rates.depreciation)
        own_funds = np.maximum(firms.cash[candidates] - firms.cash_buffer(candidates), 0.0)
        adopt = MSME.takes_part(value, own_cost + clean.application_cost_lakh) & (
            own_funds >= own_cost
        )
        adopters = candidates[adopt]
        firms.cash[adopters] -= own_cost[adopt]
        firms.capital[adopters] += cost[adopt]  # capitalised, as an upgrade is
        firms.clean_producer[adopters] = True
        firms.use_scheme(adopters, "clean_production")
        model.ledger.post("investment_goods", "firms", "rest_of_world", float(cost[adopt].sum()))
        subsidy = float((cost - own_cost)[adopt].sum())
        self.spend("grants_to_firms", subsidy, payee="firms")
        self.spend("public_purchases", len(adopters) * clean.audit_cost_lakh)

    def register_at_single_window(self, firms) -> None:
        """Aware, eligible firms that have not yet done so move their compliance onto the open
        single window when what it saves on their fixed costs, capitalised at the owner's rate
        plus the exit hazard, is worth the owner's one-off time; the firms on it use it every
        quarter (their returns, renewals and inspections go through it)."""
        window, live = self.schemes.single_window, firms.operating
        candidates = live[
            self.reaches(firms, live, "single_window")
            & firms.eligible(live, window.eligible)
            & ~firms.single_window[live]
        ]
        value = self.compliance_saving() / (self.owner_rate() + self.model.rates.exit_hazard)
        joining = candidates[
            MSME.takes_part(np.full(len(candidates), value), window.application_cost_lakh)
        ]
        firms.single_window[joining] = True
        firms.use_scheme(live[firms.single_window[live]], "single_window")

    def compliance_saving(self) -> float:
        """What a firm on the open single window saves on its fixed costs a quarter (Rs lakh):
        the compliance share of the overhead times the cut; nil without one."""
        if not self.model.facilities.single_window_open():
            return 0.0
        window = self.schemes.single_window
        return self.model.firms.overhead * window.compliance_share * window.compliance_cut

    def entry_terms(self) -> tuple[float, float]:
        """What an open single window is worth to an entrant: the value it adds to its plan (its
        set-up cost cut; the compliance it saves is in its profit already) and the set-up cost it
        pays (Rs lakh).  Without one: nothing more, and the full set-up cost.  (Starting sooner is
        not valued: an entrant's first quarter is the same with or without the window.)"""
        entry_cost = self.model.p.dynamics.entry_cost_lakh
        if not self.model.facilities.single_window_open():
            return 0.0, entry_cost
        cut = self.schemes.single_window.entry_cost_cut * entry_cost
        return cut, entry_cost - cut

    # -------------------------------------------------------------- terms firms and the bank meet
    def subvention_points(self, firms, rows) -> np.ndarray:
        """Quarterly interest points the government pays on an eligible, aware firm's bank loan."""
        if not self.active["interest_subvention"]:
            return np.zeros(len(rows))
        subvention = self.schemes.interest_subvention
        points = self.model.rates.formal_rate - quarterly_rate(
            self.model.p.finance.formal_rate - subvention.rate_points
        )
        return points * (
            self.reaches(firms, rows, "interest_subvention")
            & firms.eligible(rows, subvention.eligible)
        )

    def guarantee_cover(self, firms, rows, loan) -> np.ndarray:
        """CGTMSE-style cover: the micro rate for small loans to micro firms, the women's rate
        for women-owned firms, the standard rate otherwise; nil for firms not covered."""
        if not self.active["credit_guarantee"]:
            return np.zeros(len(rows))
        guarantee = self.schemes.credit_guarantee
        small_micro_loan = firms.eligible(rows, ["micro"]) & (
            loan <= guarantee.micro_loan_limit_lakh
        )
        cover = np.where(
            small_micro_loan,
            guarantee.cover_share_micro,
            np.where(firms.women_owned[rows], guarantee.cover_share_women, guarantee.cover_share),
        )
        return cover * (
            self.reaches(firms, rows, "credit_guarantee") & firms.eligible(rows, guarantee.eligible)
        )

    def collateral_waiver(self, firms, rows, serviceable=None) -> np.ndarray:
        """Bank debt a firm the guarantee covers may hold without collateral: up to
        ``collateral_waived_lakh``, as far as its cash flow can service it (nil for firms it does
        not cover; ``serviceable``, the debt each can service, if the caller has it).  The firm
        plans with it and the bank lends within it."""
        if not self.active["credit_guarantee"]:
            return np.zeros(len(rows))
        covered = self.guarantee_cover(firms, rows, np.zeros(len(rows))) > 0
        if serviceable is None:
            serviceable, _ = self.model.bank.serviceable_debt(firms, rows)
        return (
            np.minimum(self.schemes.credit_guarantee.collateral_waived_lakh, serviceable) * covered
        )

    def guarantee_fee_rate(self) -> float:
        """Quarterly fee the borrower pays on guaranteed debt."""
        return quarterly_rate(self.schemes.credit_guarantee.fee_rate)

    def upgrade_subsidy(self, firms, rows) -> tuple[np.ndarray, float]:
        """Which firms the technology-upgrade subsidy reaches, and the share of the cost it pays."""
        subsidy = self.schemes.tech_upgrade_subsidy
        reached = self.reaches(firms, rows, "tech_upgrade_subsidy")
        if reached.any():
            reached &= firms.eligible(rows, subsidy.eligible)
        return reached, subsidy.subsidy_share

    def buy_export_services(self, saved, buying) -> None:
        """Export promotion pays for the fairs, stalls, buyer meets and market studies that take
        ``saved`` off the export costs of the firms ``buying`` them (a mask) this quarter:
        ``public_share_of_cut`` public rupees a rupee (below 1 as the cell pools them), on top of
        the cell's running cost."""
        if self.active["export_promotion"]:
            share = self.schemes.export_promotion.public_share_of_cut
            self.spend("public_purchases", share * float(np.where(buying, saved, 0.0).sum()))

    def export_cost_cuts(self, firms, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Export promotion: who it reaches,
        and the cut in each firm's fixed and sunk export costs."""
        promoted = self.reaches(firms, rows, "export_promotion")
        if promoted.any():
            promoted = self.export_places(firms, rows, promoted)
        promotion = self.schemes.export_promotion
        fixed_cut = promotion.fixed_cost_cut * promoted
        if self.model.facilities.logistics_open():  # every exporter ships by the new link
            fixed_cut = 1.0 - (1.0 - fixed_cut) * (1.0 - self.schemes.logistics.fixed_cost_cut)
        return promoted, fixed_cut, promotion.sunk_cost_cut * promoted

    def export_places(self, firms, rows, promoted) -> np.ndarray:
        """The cell's places at fairs and buyer meets this quarter: exporters and certified firms
        that know of it ask for one and wait their turn; only those with a place have their
        export costs cut.  A firm that cannot export yet (no certificate) plans on a place once it
        can (the cut enters its decision to certify)."""
        can_export = firms.exporter[rows] | (firms.certified_until[rows] >= self.model.steps)
        asking = promoted & can_export
        placed = np.zeros(len(rows), dtype=bool)
        placed[asking], _ = self.queue_up(
            firms, "export_promotion", rows[asking], np.ones(np.count_nonzero(asking))
        )
        return promoted & (~can_export | placed)

    def freight_factor(self) -> float:
        """What a connectivity project, once open, does to the cluster's prices abroad: the
        inland freight and handling share f of their value falls by the cut c, so a rupee price
        goes (1 + f) / (1 + f (1 - c)) times as far; 1 without one."""
        if not self.model.facilities.logistics_open():
            return 1.0
        link = self.schemes.logistics
        return (1.0 + link.freight_share) / (1.0 + link.freight_share * (1.0 - link.freight_cut))

    # ------------------------------------------------ a design / R&D / IP centre (issue 17)
    def near_design_centre(self, firms, rows) -> np.ndarray:
        """Firms the design centre serves this quarter: it is open, they know of it, are eligible
        and within its reach."""
        facilities = self.model.facilities
        if not facilities.design_centre_open():
            return np.zeros(len(rows), dtype=bool)
        centre = self.schemes.design_centre
        where = facilities.design_centre.coordinate
        distance = np.hypot(firms.x[rows] - where[0], firms.y[rows] - where[1])
        return (
            self.reaches(firms, rows, "design_centre")
            & firms.eligible(rows, centre.eligible)
            & (distance <= centre.reach)
        )

    def innovation_rates(self, firms, rows):
        """Each firm's quarterly chance of hearing of the next technology with no better
        neighbour (Bass p): the cluster's, or the design centre's for the firms it serves (its tool
        room and technology scouting show them the next vintage)."""
        baseline = self.model.rates.innovation
        near = self.near_design_centre(firms, rows)
        if not near.any():
            return baseline
        centre = quarterly_hazard(self.schemes.design_centre.innovation_rate)
        return np.where(near, max(centre, baseline), baseline)

    def design_upgrade_cut(self, firms, rows) -> np.ndarray | None:
        """The share of a firm's upgrade cost the design centre's tool room and engineers do for
        it (paid by the government, with any upgrade subsidy); None without an open centre."""
        near = self.near_design_centre(firms, rows)
        if not near.any():
            return None
        return self.schemes.design_centre.upgrade_cost_cut * near

    def deliver_design(self, firms) -> None:
        """Designs age (a quarter's share of each premium fades).  Firms the centre serves whose
        owners are not in doubt ask for a design project when the premium it adds is worth, at the
        owner's rate plus the exit hazard plus the fade, more than the fee and the owner's time;
        they wait for the designers.  A firm served pays the fee, the government the project's
        cost, and buyers pay the premium on its product from now on (``Firms.product_premium``)."""
        model, centre, live = self.model, self.schemes.design_centre, firms.operating
        fade = quarterly_hazard(centre.quality_fade)
        firms.design_premium[live] *= 1.0 - fade
        firms.learn_from_neighbours("design_centre", firms.design_premium[live] > 0.0)
        candidates = live[self.near_design_centre(firms, live)]
        held = firms.design_premium[candidates]
        factor = ((1.0 + np.maximum(held, centre.quality_premium)) / (1.0 + held)) ** (
            model.technology.sigma
        )
        value = firms.value_of_demand(candidates, factor, fade, self.owner_rate())
        value = self.believed(firms, candidates, "design_centre", value)
        cost = centre.fee_lakh + centre.application_cost_lakh
        wanting = candidates[MSME.takes_part(value, cost)]
        served, _ = self.queue_up(firms, "design_centre", wanting, np.ones(len(wanting)))
        chosen = wanting[served]
        firms.design_premium[chosen] = np.maximum(
            firms.design_premium[chosen], centre.quality_premium
        )
        firms.use_scheme(chosen, "design_centre")
        fees = len(chosen) * centre.fee_lakh
        firms.cash[chosen] -= centre.fee_lakh
        model.ledger.post("facility_fees", "firms", "government", fees)
        self.collect(fees)
        self.spend("public_purchases", len(chosen) * centre.project_cost_lakh)

    # ------------------------------------ a digital market platform and a GI tag (issue 17)
    def gi_registered(self) -> bool:
        """The cluster's product carries a registered geographical indication: its archetype can
        carry one and the registry has registered it (``gi_delay_quarters`` after the start)."""
        platform = self.schemes.digital_market
        return (
            self.active["digital_market"]
            and self.model.p.cluster.archetype in platform.gi_archetypes
            and self.model.quarter > platform.start_quarter + platform.gi_delay_quarters
        )

    def platform_factor(self) -> float:
        """What selling on the platform does to a member's demand at a given price: it reaches
        (1 + reach_gain) times the buyers, and with a registered GI buyers pay the premium pi at a
        given quantity, a demand shifter (1 + pi)^sigma; 1 while the platform is not running."""
        if not self.active["digital_market"]:
            return 1.0
        platform = self.schemes.digital_market
        factor = 1.0 + platform.reach_gain
        if self.gi_registered():
            factor *= (1.0 + platform.gi_price_premium) ** self.model.technology.sigma
        return factor

    def run_platform_cell(self) -> None:
        """The platform cell's running cost each quarter, and once, in the quarter after the start,
        the GI application of a cluster whose product can carry one."""
        platform = self.schemes.digital_market
        self.spend("public_purchases", per_quarter(platform.cost_cr * LAKH_PER_CRORE))
        eligible = self.model.p.cluster.archetype in platform.gi_archetypes
        if eligible and self.model.quarter == platform.start_quarter + 1:
            self.spend("public_purchases", platform.gi_cost_cr * LAKH_PER_CRORE)

    def onboard_to_platform(self, firms) -> None:
        """Members stay on the platform while what it adds to their profit a quarter pays its fee.
        Aware, eligible firms off it whose owners are not in doubt ask to join when what it would
        add, less the fee, is worth, at the owner's rate plus the exit hazard, more than the
        owner's time; they wait for the cell to onboard them (its public cost).  Every member
        pays the quarter's fee."""
        model, platform, live = self.model, self.schemes.digital_market, firms.operating
        fee = per_quarter(platform.fee_lakh)
        factor = self.platform_factor()
        members = live[firms.on_platform[live]]
        leaving = members[-firms.gain_of_demand(members, 1.0 / factor) <= fee]
        firms.on_platform[leaving] = False
        firms.learn_from_neighbours("digital_market", firms.on_platform[live])
        candidates = live[
            self.reaches(firms, live, "digital_market")
            & firms.eligible(live, platform.eligible)
            & ~firms.on_platform[live]
        ]
        gain = firms.gain_of_demand(candidates, factor) - fee
        value = gain / (self.owner_rate() + model.rates.exit_hazard)
        value = self.believed(firms, candidates, "digital_market", value)
        wanting = candidates[MSME.takes_part(value, platform.application_cost_lakh)]
        served, _ = self.queue_up(firms, "digital_market", wanting, np.ones(len(wanting)))
        joined = wanting[served]
        firms.on_platform[joined] = True
        self.spend("public_purchases", len(joined) * platform.onboarding_cost_lakh)
        members = live[firms.on_platform[live]]
        firms.cash[members] -= fee
        model.ledger.post("other_firm_costs", "firms", "rest_of_world", fee * len(members))
        firms.use_scheme(members, "digital_market")
