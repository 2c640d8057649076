"""SPV: the industry-led special purpose vehicle that runs a facility for its members.

Under the cluster programmes the grant pays for most of the building and machines; the SPV, a
company of the cluster's firms, runs the facility afterwards and must pay its running costs from
the fees its users pay.  Here it keeps a reserve (its members' working capital, a few quarters of
fixed costs), pays any surplus above it to its members, and sets its fee towards the average cost
of what it served.  When fees do not cover the costs the reserve runs down; once it has been empty
for ``spv_closure_quarters`` in a row the members stop covering the losses and the facility
closes.  The SPV has no place on the grid; its money is outside the cluster's accounts (its
members' stake and its surplus are theirs, in the rest of the world).
"""

from __future__ import annotations


class SPV:
    """The SPV of one facility (money in Rs lakh a quarter)."""

    def __init__(self, rules, fixed_cost: float):
        self.rules = rules  # the governance parameters
        self.target = rules.spv_reserve_quarters * fixed_cost  # reserve it keeps
        self.reserve = self.target  # members' working capital when the facility is approved
        self.quarters_short = 0  # quarters in a row with the reserve below zero
        self.closed = False
        self.paid_out = 0.0  # surplus paid to its members so far

    def settle(self, fees: float, fixed: float, variable: float, units: float, fee: float) -> float:
        """A quarter's accounts: fees in, running costs out, surplus above the reserve to the
        members; closes after ``spv_closure_quarters`` with an empty reserve.  Returns next
        quarter's fee, a share ``spv_fee_adjustment`` of the way to this quarter's average cost
        per unit served (unchanged when nothing was served)."""
        self.reserve += fees - fixed - variable
        surplus = max(self.reserve - self.target, 0.0)
        self.reserve -= surplus
        self.paid_out += surplus
        self.quarters_short = self.quarters_short + 1 if self.reserve < 0.0 else 0
        self.closed = self.quarters_short >= self.rules.spv_closure_quarters
        if units > 0.0:
            fee += self.rules.spv_fee_adjustment * ((fixed + variable) / units - fee)
        return fee
