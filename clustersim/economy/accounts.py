"""Stock-flow-consistent accounts: the quarterly transaction-flow matrix.

Every payment is posted once, from a paying sector to a receiving sector, so
each row sums to zero.  The last row, the change in each sector's money
holdings, is measured from the stocks themselves; the columns sum to zero only
if every flow that moved money was posted.
"""

from __future__ import annotations

import numpy as np

SECTORS = ("firms", "households", "government", "formal_lender", "informal_lender", "rest_of_world")
ROWS = (
    "domestic_sales",
    "export_sales",
    "receivables_collected",
    "materials_domestic",
    "materials_imported",
    "wages",
    "household_consumption",
    "investment_goods",
    "other_firm_costs",
    "facility_fees",
    "grants_to_firms",
    "interest_formal",
    "interest_subvention",
    "interest_informal",
    "guarantee_fees",
    "guarantee_payouts",
    "public_purchases",
    "central_transfer",
    "dividends",
    "owner_equity",
    "exit_residual",
    "scrap_sales",
    "bank_upstream",
    "moneylender_income",
    "formal_loans",
    "formal_repayments",
    "informal_loans",
    "informal_repayments",
)
_S = {s: i for i, s in enumerate(SECTORS)}
_R = {r: i for i, r in enumerate(ROWS)}


class Ledger:
    """One quarter's transaction-flow matrix (Rs lakh), posted as money moves."""

    def __init__(self):
        self.flows = np.zeros((len(ROWS), len(SECTORS)))

    def post(self, row: str, payer: str, payee: str, amount: float) -> None:
        """Record a payment: payer's column falls, payee's rises, the row sums to zero."""
        i = _R[row]
        self.flows[i, _S[payer]] -= amount
        self.flows[i, _S[payee]] += amount

    def matrix(self, money_change: np.ndarray) -> np.ndarray:
        """Flows plus the measured change in money holdings (negated), one column per sector.

        ``money_change`` is each sector's end-of-quarter minus start-of-quarter money.
        """
        return np.vstack([self.flows, -np.asarray(money_change)[None, :]])

    @staticmethod
    def row_names() -> tuple[str, ...]:
        return (*ROWS, "change_in_money")


def money_stocks(model) -> np.ndarray:
    """Money held by each sector (order of :data:`SECTORS`); the rest of the world is the
    residual (money is conserved)."""
    firms = model.firms
    domestic = [
        float(firms.cash.sum() + firms.earmarked.sum()),
        model.households.deposits,
        model.government.cash,
        model.bank.funds,
        model.moneylender.funds,
    ]
    return np.array([*domestic, -sum(domestic)])
