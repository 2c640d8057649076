"""Loans: what an instalment repays, and how a loan is booked on a firm's balance sheet.

Every loan amortises: a fixed quarterly instalment repays the principal over
``finance.loan_term`` quarters.  Who gets how much is the lenders' decision
(:mod:`clustersim.economy.agents.lender`); booking a loan is written here once,
for every loan of either kind (bank credit, a trial's credit line, moneylender
credit).
"""

from __future__ import annotations

import numpy as np


def annuity(principal, rate, term):
    """Quarterly instalment that repays ``principal`` over ``term`` quarters at ``rate`` (one rate,
    or one per loan)."""
    if np.ndim(rate) == 0:
        if rate < 1e-12:
            return principal / term
        return (
            principal * rate / -np.expm1(-term * np.log1p(rate))
        )  # 1 - (1 + r)^-n without cancellation
    rate = np.asarray(rate, dtype=float)
    tiny = rate < 1e-12
    safe = np.where(tiny, 1.0, rate)
    return np.where(tiny, principal / term, principal * safe / -np.expm1(-term * np.log1p(safe)))


def principal_for(payment, rate, term):
    """The loan an instalment of ``payment`` a quarter repays over ``term`` quarters
    (inverse of :func:`annuity`)."""
    return payment / annuity(1.0, rate, term)


def book_loans(firms, kind: str, rows, amounts, rate, term: int, ledger) -> None:
    """Lend ``amounts`` to the firms in ``rows``: their ``kind`` ("formal" or "informal") debt
    rises, it is repaid over a fresh term at ``rate``, the cash arrives, and the flow is posted."""
    getattr(firms, f"{kind}_rate")[rows] = rate
    debt = getattr(firms, f"{kind}_debt")
    debt[rows] += amounts
    getattr(firms, f"{kind}_payment")[rows] = annuity(debt[rows], rate, term)
    firms.cash[rows] += amounts
    ledger.post(f"{kind}_loans", f"{kind}_lender", "firms", float(amounts.sum()))
