"""The lenders: a formal bank branch and an informal moneylender, both on the grid.

The bank rations credit on expected loss: it scores each applicant's chance of
default (its cash flow against the instalment, with the cash-flow risk it
perceives) and its loss given default (the collateral it could seize; a credit
guarantee pays its cover of the rest), lends to firms whose expected loss is
below its bar, within k <= lambda a of their net worth and what their cash flow
can service, best scores first, until its funds run out.  A borrower that cannot
pay its instalment defaults while operating: the bank seizes what collateral it
can, writes the rest off and bars the firm for a while.  Head office keeps the
branch's funds at their target.  The moneylender lends to anyone against net
worth, with a smaller lambda, at 30-60 % a year.  Each lender's terms are read
here, from the lender.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from mesa.discrete_space import FixedAgent
from scipy.special import ndtr

from ..finance import annuity, book_loans, principal_for
from .msme import MSME


class Lender(FixedAgent):
    """A lender at a grid cell.  Money in Rs lakh, rates per quarter."""

    # "formal" or "informal": names its debts in the firm table and its sector in the accounts
    kind = ""

    def __init__(self, model, cell, *, funds: float, rate: float):
        super().__init__(model)
        self.cell = cell
        self.funds = funds  # lendable funds now
        self.funds_target = funds  # what it keeps for the cluster; the rest leaves each quarter
        self.rate = rate
        self.terms = model.p.finance  # loan term, caps, collateral and scoring rules

    def rate_for(self, firms, rows):
        """The quarterly rate this lender charges the firms in ``rows``
        (the same for all of them)."""
        return self.rate

    def book(self, firms, rows, amounts) -> None:
        """Lend ``amounts`` to ``rows`` at this lender's rate over its loan term."""
        book_loans(
            firms,
            self.kind,
            rows,
            amounts,
            self.rate_for(firms, rows),
            self.terms.loan_term,
            self.model.ledger,
        )

    def collect(self, amount: float) -> None:
        """Repayments, interest or recoveries come in."""
        self.funds += amount


class Bank(Lender):
    """The formal bank branch of the cluster."""

    kind = "formal"

    def __init__(self, model, cell, *, funds: float, rate: float):
        super().__init__(model, cell, funds=funds, rate=rate)
        self.defaults: deque[float] = deque(maxlen=4)  # bank debt defaulted, last 4 quarters
        self.defaulted = 0.0  # this quarter
        # loans made with a guarantee's cover since the policy period began, and of them those
        # it would have made without the cover (its score and its room without the waiver)
        self.guaranteed_loans = 0
        self.guaranteed_anyway = 0

    def additionality(self) -> float:
        """Share of the guaranteed loans made so far in the policy period that the bank would
        not have made without the guarantee (0 before the first)."""
        made = self.guaranteed_loans
        return (made - self.guaranteed_anyway) / made if made else 0.0

    def lend(self, firms) -> None:
        """Firms whose plans exceed their own funds apply (unless barred after a default); the
        bank scores each one's expected loss (with a scoring error), approves those below its
        bar, and lends within k <= lambda a, cash flow and its funds."""
        model, terms, live, plans = self.model, self.terms, firms.operating, firms.plans
        open_to = firms.bank_barred_until[live] < model.steps
        need = np.where(open_to, plans.need, 0.0)
        applicants = need > 0.0
        error = model.streams.get("credit_score", model.steps).standard_normal(firms.slots_used)[
            live
        ]
        cover = model.government.guarantee_cover(firms, live, need)
        serviceable, cash_flow = self.serviceable_debt(firms, live)
        room = (terms.bank_leverage - 1.0) * np.maximum(firms.net_worth(live), 0.0)
        room -= firms.formal_debt[live]
        plain_room = room  # without a guarantee's collateral waiver
        waived = model.government.collateral_waiver(firms, live, serviceable)
        room = np.where(cover > 0, np.maximum(room, waived - firms.formal_debt[live]), room)
        # Whatever the collateral, the instalment must fit the firm's cash flow.
        room = np.minimum(room, serviceable - firms.formal_debt[live])
        plain_room = np.minimum(plain_room, serviceable - firms.formal_debt[live])
        debt = firms.formal_debt[live] + np.clip(need, 0.0, np.maximum(room, 0.0))
        risk = (debt, cash_flow, firms.sales[live], firms.capital[live])
        loss = self.expected_loss(*risk, cover, firms.cash_credit[live])
        score = -(loss + terms.score_noise * error)  # higher is better
        formal, approved = self.ration(need, score, -terms.max_expected_loss, room)
        firms.formal_access[live[applicants]] = approved[applicants]
        lent = formal > 0
        guaranteed = lent & (cover > 0)
        if guaranteed.any() and model.quarter > 0:  # would it have lent without the guarantee?
            bare = (
                self.expected_loss(*risk, np.zeros_like(cover), firms.cash_credit[live])
                + terms.score_noise * error
            )
            anyway = (bare <= terms.max_expected_loss) & (plain_room > 0.0)
            self.guaranteed_loans += int(np.count_nonzero(guaranteed))
            self.guaranteed_anyway += int(np.count_nonzero(guaranteed & anyway))
        borrowers = live[lent]
        if len(borrowers):
            firms.guarantee_cover[borrowers] = np.maximum(
                firms.guarantee_cover[borrowers], cover[lent]
            )
            firms.subvention[borrowers] = plans.subvention[lent]
            self.book(firms, borrowers, formal[lent])
            firms.use_scheme(borrowers[cover[lent] > 0], "credit_guarantee")
            firms.use_scheme(borrowers[plans.subvention[lent] > 0], "interest_subvention")
        plans.formal = formal
        self.review_cash_credit(firms, open_to, error, cash_flow)

    def review_cash_credit(self, firms, open_to, error, cash_flow) -> None:
        """Once a year (and in any quarter for a firm without a limit) the bank reviews each
        operating firm's cash-credit limit, as Indian banks renew them yearly: it offers
        ``cash_credit_turnover_share`` of its annual turnover (the Nayak norm) to firms open to it
        whose expected loss on all their bank debt with the limit drawn is below its bar (the
        same score and scoring error as a term loan) and whose net worth is positive.  A firm
        refused keeps what it has drawn (the balance is not recalled) but may draw no more; a
        firm with no sales yet keeps the limit appraised when it entered."""
        terms, live = self.terms, firms.operating
        offer = terms.cash_credit_turnover_share * 4.0 * firms.sales[live]
        cover = self.model.government.guarantee_cover(firms, live, offer)
        loss = self.expected_loss(
            firms.formal_debt[live],
            cash_flow,
            firms.sales[live],
            firms.capital[live],
            cover,
            offer,
        )
        approved = (
            open_to
            & (loss + terms.score_noise * error <= terms.max_expected_loss)
            & (firms.net_worth(live) > 0.0)
        )
        balance, limit = firms.cash_credit[live], firms.cash_credit_limit[live]
        reviewed = np.where(approved, offer, np.minimum(limit, balance))
        due = (firms.sales[live] > 0) & ((self.model.steps % 4 == 0) | (limit <= 0.0))
        firms.cash_credit_limit[live] = np.where(due, reviewed, limit)
        covered = due & approved & (cover > 0)
        firms.guarantee_cover[live[covered]] = np.maximum(
            firms.guarantee_cover[live[covered]], cover[covered]
        )

    def appraise_entrants(self, firms, rows, projected_sales, projected_cash_flow) -> None:
        """An entrant's project report: the bank sanctions the Nayak norm's cash-credit limit on
        its projected turnover when its expected loss on the projected cash flow is below its bar
        (no scoring error: the report is read, not scored), so that it can wait for its first
        buyers to pay."""
        terms = self.terms
        offer = terms.cash_credit_turnover_share * 4.0 * projected_sales
        cover = self.model.government.guarantee_cover(firms, rows, offer)
        loss = self.expected_loss(
            np.zeros(len(rows)),
            projected_cash_flow,
            projected_sales,
            firms.capital[rows],
            cover,
            offer,
        )
        approved = loss <= terms.max_expected_loss
        firms.cash_credit_limit[rows] = np.where(approved, offer, 0.0)
        covered = rows[approved & (cover > 0)]
        firms.guarantee_cover[covered] = cover[approved & (cover > 0)]

    def drawing_power(self, firms, rows):
        """The cash credit each firm may draw: its limit, and at most (1 - margin) of its
        current assets (receivables and stock), the bank's security (its drawing power)."""
        margin = self.terms.cash_credit_margin
        return np.minimum(
            firms.cash_credit_limit[rows], (1.0 - margin) * firms.current_assets(rows)
        )

    def settle_cash_credit(self, firms) -> None:
        """After the quarter's takings and payments, each firm's cash-credit account absorbs the
        gap to its working cash: it draws when short and repays when flush, within its drawing
        power (a balance above it must be repaid); drawings are pro rata when the branch's funds
        run short."""
        live, ledger = firms.operating, self.model.ledger
        balance = firms.cash_credit[live]
        wanted = MSME.cash_credit_wanted(
            balance, firms.cash[live], firms.cash_buffer(live), self.drawing_power(firms, live)
        )
        draw = np.maximum(wanted - balance, 0.0)
        repay = np.maximum(balance - wanted, 0.0)
        asked = float(draw.sum())
        if asked > max(self.funds, 0.0):
            draw *= max(self.funds, 0.0) / asked
        firms.cash_credit[live] += draw - repay
        firms.cash[live] += draw - repay
        firms.bank_paid[live] += repay
        self.funds += float(repay.sum() - draw.sum())
        ledger.post("formal_loans", "formal_lender", "firms", float(draw.sum()))
        ledger.post("formal_repayments", "firms", "formal_lender", float(repay.sum()))

    def serviceable_debt(self, firms, rows):
        """The bank debt each firm's cash flow can service (its instalment at most
        ``debt_service_share`` of its operating cash flow: profit before depreciation and bank
        interest), and that cash flow."""
        cash_flow = (
            firms.profit[rows]
            + self.model.rates.depreciation * firms.capital[rows]
            + firms.formal_rate[rows] * firms.formal_debt[rows]
            + self.rate * firms.cash_credit[rows]
        )
        serviceable = principal_for(
            self.terms.debt_service_share * np.maximum(cash_flow, 0.0),
            self.rate,
            self.terms.loan_term,
        )
        return serviceable, cash_flow

    def expected_loss(self, debt, cash_flow, sales, capital, cover, revolving=0.0):
        """The bank's expected loss a year per rupee lent: the chance of default (a quarter's
        cash flow short of the instalment on the term ``debt`` and the interest on the
        ``revolving`` cash credit, with the cash-flow risk it perceives, over four quarters)
        times the loss given default (its charge is on the capital, which sells at the recovery
        rate; a guarantee pays its cover of the rest)."""
        terms = self.terms
        instalment = annuity(debt, self.rate, terms.loan_term) + self.rate * revolving
        debt = debt + revolving
        spread = terms.cash_flow_risk * np.maximum(sales, 1e-9)
        quarter = ndtr((instalment - cash_flow) / spread)
        default = -np.expm1(4.0 * np.log1p(-np.minimum(quarter, 1.0 - 1e-12)))
        return default * self.loss_given_default(debt, capital) * (1.0 - cover)

    def loss_given_default(self, debt, capital):
        """Share of a defaulted loan the bank loses: it sells the capital its charge covers (up
        to the debt, at book value) at the recovery rate."""
        seized = np.minimum(capital, debt)
        return 1.0 - self.terms.recovery_rate * np.divide(
            seized, debt, out=np.ones_like(np.asarray(debt, dtype=float)), where=debt > 0
        )

    def classify_accounts(self, firms) -> None:
        """Borrowers still short of cash after the moneylender leave the quarter's bank dues
        unpaid and overdraw their cash-credit account up to its limit (debited to the account,
        within the bank's funds): it is then out of order, its balance above the drawing power.
        An account out of order at the end of two quarters running (dues unpaid for more than 90
        days) is non-performing: the bank sells the capital its charge covers (up to the debt, at
        the recovery rate), writes the rest off (the guarantee pays its cover of the loss) and bars
        the firm for ``default_bar_quarters``.  The firm goes on if it can."""
        model, ledger, live = self.model, self.model.ledger, firms.operating
        debt = firms.bank_debt(live)
        model.counts.formal_borrowers = int(np.count_nonzero(debt > 0))
        short = (firms.cash[live] < 0.0) & ((debt > 0.0) | (firms.bank_paid[live] > 0.0))
        # A borrower leaves the quarter's bank dues unpaid, and one with a cash-credit limit also
        # overdraws the account up to its limit (the bank honours its cheques that far, while it
        # has the funds); what is still short stays short, and the firm closes if insolvent.
        headroom = np.maximum(firms.cash_credit_limit[live] - firms.cash_credit[live], 0.0)
        gap = np.minimum(-firms.cash[live], firms.bank_paid[live] + headroom)
        unpaid = np.where(short, gap, 0.0)
        total = float(unpaid.sum())
        if total > max(self.funds, 0.0):  # the bank's funds are shared pro rata
            unpaid *= max(self.funds, 0.0) / total
        if unpaid.any():
            firms.cash[live] += unpaid
            firms.cash_credit[live] += unpaid
            self.funds -= float(unpaid.sum())
            ledger.post("formal_loans", "formal_lender", "firms", float(unpaid.sum()))
        excess = firms.cash_credit[live] - self.drawing_power(firms, live)
        out_of_order = excess > 1e-9 * np.maximum(firms.bank_debt(live), 1.0)
        since = firms.out_of_order_since[live]
        firms.out_of_order_since[live] = np.where(
            out_of_order, np.where(since > 0, since, model.steps), 0
        )
        npa = live[out_of_order & (since > 0)]
        if len(npa):
            self.write_off(firms, npa)

    def write_off(self, firms, rows) -> None:
        """Non-performing accounts: the bank sells the capital its charge covers (up to the debt,
        at the recovery rate), writes off the rest (the guarantee pays its cover of the loss) and
        bars the firm."""
        model, ledger = self.model, self.model.ledger
        debt = firms.bank_debt(rows)
        seized = np.minimum(firms.capital[rows], debt)
        recovered = self.terms.recovery_rate * seized
        firms.capital[rows] -= seized
        ledger.post("scrap_sales", "rest_of_world", "firms", float(recovered.sum()))
        ledger.post("formal_repayments", "firms", "formal_lender", float(recovered.sum()))
        loss = debt - recovered
        payout = firms.guarantee_cover[rows] * loss
        self.collect(float(recovered.sum() + payout.sum()))
        model.government.spend("guarantee_payouts", float(payout.sum()), payee="formal_lender")
        self.defaulted += float(debt.sum())
        for name in (
            "formal_debt",
            "formal_payment",
            "cash_credit",
            "cash_credit_limit",
            "guarantee_cover",
            "subvention",
        ):
            getattr(firms, name)[rows] = 0.0
        firms.out_of_order_since[rows] = 0
        firms.formal_access[rows] = False
        firms.bank_barred_until[rows] = model.steps + self.terms.default_bar_quarters
        model.counts.defaults += len(rows)

    def npa_ratio(self, outstanding: float) -> float:
        """Bank debt that defaulted in the last four quarters, as a share of that and the bank
        debt ``outstanding``: the share of bank credit non-performing, if a defaulted loan stays
        on the books for about a year before it is recovered or written off."""
        bad = sum(self.defaults)
        return bad / (bad + outstanding) if bad + outstanding > 0 else 0.0

    def ration(self, request, score, threshold, collateral_room):
        """Formal rationing: approved firms get min(request, collateral room), best
        scores first, while funds last.  Returns the amounts granted and the approvals."""
        approved = (score >= threshold) & (collateral_room > 0.0) & (request > 0.0)
        amount = np.where(approved, np.minimum(request, collateral_room), 0.0)
        order = np.argsort(-score, kind="stable")
        cumulative = np.cumsum(amount[order])
        fits = np.empty_like(approved)
        fits[order] = cumulative <= self.funds
        granted = np.where(fits, amount, 0.0)
        self.funds -= float(granted.sum())
        return granted, approved & fits

    def settle_with_head_office(self) -> None:
        """Head office keeps the branch's lendable funds at their target: funds above it go up,
        a shortfall (after losses) is made good, so lending capacity stays stationary."""
        self.defaults.append(self.defaulted)
        self.defaulted = 0.0
        upstream = self.funds - self.funds_target
        self.funds -= upstream
        self.model.ledger.post("bank_upstream", "formal_lender", "rest_of_world", upstream)


class Moneylender(Lender):
    """The informal lender: no scoring, lends against net worth with a small lambda, a high rate."""

    kind = "informal"

    def lend(self, firms) -> None:
        """Whatever the bank did not lend of a firm's need, up to the cap."""
        live, plans = firms.operating, firms.plans
        plans.informal = self.lend_up_to(firms, live, plans.need - plans.formal, self.room(firms))

    def cover_shortfalls(self, firms) -> None:
        """A firm whose cash went negative after paying its bills borrows the gap, up to the cap."""
        live = firms.operating
        short = np.maximum(-firms.cash[live], 0.0)
        self.lend_up_to(firms, live, short, self.room(firms))

    def room(self, firms):
        """What it will still lend each operating firm: its debt stays within (lambda_m - 1) a."""
        live = firms.operating
        wealth = np.maximum(firms.net_worth(live), 0.0)
        limit = (self.terms.informal_leverage - 1.0) * wealth
        return np.maximum(limit - firms.informal_debt[live], 0.0)

    def lend_up_to(self, firms, rows, request, room):
        """Lend whatever is asked, up to the room left under the cap; returns the amounts lent."""
        granted = np.clip(np.minimum(request, room), 0.0, None)
        self.funds -= float(granted.sum())
        took = granted > 0
        if took.any():
            self.book(firms, rows[took], granted[took])
        return granted

    def pay_out_income(self, households) -> None:
        """The moneylender's net income (funds above its target) goes to its household."""
        income = self.funds - self.funds_target
        self.funds -= income
        households.earn(income)
        self.model.ledger.post("moneylender_income", "informal_lender", "households", income)
