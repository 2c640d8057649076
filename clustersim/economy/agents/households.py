"""Households: the cluster's workers and owners.  They earn wages, dividends, what owners
keep when a firm closes and the moneylender's income, and they consume (outside the
cluster: the cluster's goods are sold in the national market, see docs/ODD.md).
They have no place on the grid."""

from __future__ import annotations


class Households:
    """Deposits and this quarter's income, Rs lakh."""

    def __init__(self, model, deposits: float):
        self.model = model
        self.terms = model.p.households
        self.deposits = deposits
        self.income = 0.0  # this quarter

    def begin_quarter(self) -> None:
        self.income = 0.0

    def earn(self, amount: float) -> None:
        """Income arrives in deposits (the payer posts the flow)."""
        self.deposits += amount
        self.income += amount

    def consume(self) -> None:
        """Spend a share of this quarter's income and of deposits."""
        consumption = (
            self.terms.consumption_income * self.income
            + self.terms.consumption_wealth * self.deposits
        )
        self.deposits -= consumption
        self.model.ledger.post("household_consumption", "households", "rest_of_world", consumption)
