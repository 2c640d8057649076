"""The firms' accounts: what they are paid and what they pay each quarter, the profit they book,
and what their owners draw.  A part of :class:`~clustersim.economy.agents.firms.Firms` (the
firms of the cluster), kept in its own room: money in and out of firms."""

from __future__ import annotations

import numpy as np

from .msme import MSME


class FirmAccounts:
    """Settlement of the firms' quarter (mixed into ``Firms``; arrays over ``self.operating``)."""

    def settle_accounts(self) -> None:
        """Firms are paid for their sales and pay wages, materials, overheads, export costs and
        debts; profit (after depreciation and interest) is booked and capital depreciates."""
        model, rates, live, ledger = self.model, self.model.rates, self.operating, self.model.ledger
        markets, government = model.markets, model.government
        # Buyers pay part of this quarter's sales now and the rest next quarter; of what they owed
        # from before, the main buyer may pay late or never.
        collected, still_owed, bad_debts = self.collect_receivables(live)
        paid_now = 1.0 - model.p.finance.credit_sales_share
        model.counts.bad_debts = float(bad_debts.sum())
        wages = markets.wage * self.workers[live]
        imported, domestic, stock_gap = self.materials_bought(live)
        # Materials are bought ahead of use: the firm keeps a stock of them.
        purchases, self.materials_stock[live] = MSME.materials_purchases(
            self.materials[live], self.materials_stock[live], model.p.finance.stock_quarters
        )
        used = float(self.materials[live].sum())
        bought = float(purchases.sum()) / used if used > 0 else 1.0
        imported, domestic = imported * bought, domestic * bought
        export_cost = np.where(self.exporter[live], self.plans.fixed_cost, 0.0)
        government.buy_export_services(self.plans.promotion_fixed, self.exporter[live])
        overhead = self.fixed_costs(live)
        guarantee_fee = (
            government.guarantee_fee_rate()
            * self.bank_debt(live)
            * (self.guarantee_cover[live] > 0)
        )
        # Formal loan: the firm pays its instalment less the subvention, which the government pays.
        formal_interest = self.formal_rate[live] * self.formal_debt[live]
        formal_principal = np.minimum(
            np.maximum(self.formal_payment[live] - formal_interest, 0.0), self.formal_debt[live]
        )
        subsidy = self.subvention[live] * self.formal_debt[live]
        cash_credit_interest = model.bank.rate_for(self, live) * self.cash_credit[live]
        informal_interest = self.informal_rate[live] * self.informal_debt[live]
        informal_principal = np.minimum(
            np.maximum(self.informal_payment[live] - informal_interest, 0.0),
            self.informal_debt[live],
        )
        self.cash[live] += (
            paid_now * self.sales[live]
            + collected
            - wages
            - purchases
            - overhead
            - export_cost
            - guarantee_fee
            - (formal_interest - subsidy)
            - formal_principal
            - informal_interest
            - informal_principal
            - cash_credit_interest
        )
        self.receivables[live] = (1.0 - paid_now) * self.sales[live] + still_owed
        self.formal_debt[live] -= formal_principal
        self.bank_paid[live] = formal_interest - subsidy + formal_principal + cash_credit_interest
        self.informal_debt[live] -= informal_principal
        model.bank.collect(
            float((formal_interest + formal_principal).sum() + cash_credit_interest.sum())
        )
        model.moneylender.collect(float((informal_interest + informal_principal).sum()))
        government.collect(float(guarantee_fee.sum()))
        government.spend("interest_subvention", float(subsidy.sum()), payee="formal_lender")
        model.households.earn(float(wages.sum()))
        ledger.post(
            "domestic_sales",
            "rest_of_world",
            "firms",
            float((paid_now * self.sales[live]).sum() - (paid_now * self.export_sales[live]).sum()),
        )
        ledger.post(
            "export_sales",
            "rest_of_world",
            "firms",
            float((paid_now * self.export_sales[live]).sum()),
        )
        ledger.post("receivables_collected", "rest_of_world", "firms", float(collected.sum()))
        ledger.post("materials_imported", "firms", "rest_of_world", imported)
        ledger.post("materials_domestic", "firms", "rest_of_world", domestic)
        if stock_gap != 0.0:  # a raw-material bank sold its stock below (above) replacement cost
            government.spend("public_purchases", stock_gap)
        ledger.post("wages", "firms", "households", float(wages.sum()))
        ledger.post(
            "other_firm_costs", "firms", "rest_of_world", float(export_cost.sum() + overhead.sum())
        )
        ledger.post("guarantee_fees", "firms", "government", float(guarantee_fee.sum()))
        ledger.post(
            "interest_formal",
            "firms",
            "formal_lender",
            float((formal_interest - subsidy).sum() + cash_credit_interest.sum()),
        )
        ledger.post("formal_repayments", "firms", "formal_lender", float(formal_principal.sum()))
        ledger.post("interest_informal", "firms", "informal_lender", float(informal_interest.sum()))
        ledger.post(
            "informal_repayments", "firms", "informal_lender", float(informal_principal.sum())
        )
        # Profit (economic: after depreciation, interest and what buyers will never pay).
        depreciation = rates.depreciation * self.capital[live]
        self.profit[live] = (
            self.sales[live]
            - wages
            - self.materials[live]
            - overhead
            - export_cost
            - guarantee_fee
            - depreciation
            - self.facility_costs[live]
            - (formal_interest - subsidy)
            - informal_interest
            - cash_credit_interest
            - bad_debts
        )
        self.capital[live] -= depreciation
        self.loss_streak[live] = np.where(self.profit[live] < 0, self.loss_streak[live] + 1, 0)

    def collect_receivables(self, rows):
        """What the buyers of ``rows`` pay of what they owed: (collected, still owed a quarter
        late, never to be paid), drawn per firm slot so that a package moves no firm's luck."""
        model = self.model
        draw = model.streams.get("buyer_payment", model.steps).random(self.slots_used)[rows]
        return MSME.buyers_pay(
            self.receivables[rows],
            draw,
            model.rates.late_payment,
            model.rates.buyer_default,
            model.p.finance.main_buyer_share,
        )

    def pay_owners(self) -> None:
        """With the cash above the working buffer, owners repay the moneylender first, then
        consume a constant share of their net worth (growth-fund equity earmarked for investment
        aside: it is the firm's to invest, not the owner's to consume)."""
        model, live = self.model, self.operating
        prepay, dividends = MSME.owner_draw(
            self.cash[live],
            self.cash_buffer(live),
            self.informal_debt[live],
            self.net_worth(live) - self.earmarked[live],
            model.rates.owner_consumption,
        )
        self.cash[live] -= prepay + dividends
        self.informal_debt[live] -= prepay
        model.moneylender.collect(float(prepay.sum()))
        model.ledger.post("informal_repayments", "firms", "informal_lender", float(prepay.sum()))
        model.households.earn(float(dividends.sum()))
        model.ledger.post("dividends", "firms", "households", float(dividends.sum()))
