"""Lender: a formal bank branch or an informal moneylender.

The bank rations credit: it lends only to firms whose scored margin clears its
threshold and whose debt stays within a share of their capital (a guarantee
waives collateral and lowers the threshold), best scores first until its funds
run out.  Defaults shrink its funds.  The moneylender lends to anyone up to a
cap, at 30-60 % a year.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent


class Lender(FixedAgent):
    """A lender at a grid cell.  Money in Rs lakh, rates per quarter."""

    def __init__(self, model, cell, *, kind: str, funds: float, rate: float, funds_target: float):
        super().__init__(model)
        self.cell = cell
        self.kind = kind  # "formal" or "informal"
        self.funds = funds
        self.rate = rate
        self.funds_target = funds_target

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

    def lend_up_to(self, request, room):
        """Informal lending: whatever is asked, up to the cap."""
        granted = np.clip(np.minimum(request, room), 0.0, None)
        self.funds -= float(granted.sum())
        return granted
