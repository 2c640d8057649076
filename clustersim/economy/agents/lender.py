"""The lenders: a formal bank branch and an informal moneylender, both on the grid.

The bank rations credit: it lends only to firms whose scored margin clears its
threshold and whose debt stays within a share of their capital and within what
their cash flow can service (a credit guarantee waives collateral and lowers
the threshold), best scores first, until its funds run out.  Defaults shrink its
funds.  The moneylender lends to anyone, up to a cap, at 30-60 % a year.  Each
lender's terms (rate, loan term, caps) are read here, from the lender.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from ..finance import book_loans, principal_for


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

    def lend(self, firms) -> None:
        """Firms whose plans exceed their own funds apply; the bank scores each (its margin plus a
        scoring error), approves those above its bar, and lends within collateral, cash flow and its
        funds."""
        model, terms, live, plans = self.model, self.terms, firms.operating, firms.plans
        guarantee = model.p.interventions.credit_guarantee
        need = plans.need
        applicants = need > 0.0
        error = model.streams.get("credit_score", model.steps).standard_normal(firms.slots_used)[
            live
        ]
        score = plans.margin + terms.score_noise * error
        cover = model.government.guarantee_cover(firms, live, need)
        # A guarantee lowers the bank's bar in proportion to the share of the loss it covers.
        threshold = terms.min_margin - guarantee.threshold_cut * cover * abs(terms.min_margin)
        room = terms.collateral_ratio * firms.capital[live] - firms.formal_debt[live]
        if model.government.active["credit_guarantee"]:
            waived = guarantee.collateral_waived_lakh - firms.formal_debt[live]
            room = np.where(cover > 0, np.maximum(room, waived), room)
        # Whatever the collateral, the instalment must fit the firm's cash flow.
        cash_flow = (
            firms.profit[live]
            + model.rates.depreciation * firms.capital[live]
            + firms.formal_rate[live] * firms.formal_debt[live]
        )
        serviceable = principal_for(
            terms.debt_service_share * np.maximum(cash_flow, 0.0), self.rate, terms.loan_term
        )
        room = np.minimum(room, serviceable - firms.formal_debt[live])
        formal, approved = self.ration(need, score, threshold, room)
        firms.formal_access[live[applicants]] = approved[applicants]
        lent = formal > 0
        borrowers = live[lent]
        if len(borrowers):
            firms.guarantee_cover[borrowers] = np.maximum(
                firms.guarantee_cover[borrowers], cover[lent]
            )
            firms.subvention[borrowers] = plans.subvention[lent]
            self.book(firms, borrowers, formal[lent])
            firms.schemes_used[borrowers[(cover[lent] > 0)]] += 1
        plans.formal = formal

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

    def remit_surplus(self) -> None:
        """Funds above the branch's target go to head office."""
        upstream = max(self.funds - self.funds_target, 0.0)
        self.funds -= upstream
        self.model.ledger.post("bank_upstream", "formal_lender", "rest_of_world", upstream)


class Moneylender(Lender):
    """The informal lender: no scoring, no collateral, a cap per firm, a high rate."""

    kind = "informal"

    def lend(self, firms) -> None:
        """Whatever the bank did not lend of a firm's need, up to the cap."""
        live, plans = firms.operating, firms.plans
        room = self.terms.informal_cap * firms.sales[live] - firms.informal_debt[live]
        plans.informal = self.lend_up_to(firms, live, plans.need - plans.formal, room)

    def cover_shortfalls(self, firms) -> None:
        """A firm whose cash went negative after paying its bills borrows the gap, up to the cap."""
        live = firms.operating
        short = np.maximum(-firms.cash[live], 0.0)
        room = np.maximum(
            self.terms.informal_cap * firms.sales[live] - firms.informal_debt[live], 0.0
        )
        self.lend_up_to(firms, live, short, room)

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
