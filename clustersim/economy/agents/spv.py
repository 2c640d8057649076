"""SPV: the industry-led special purpose vehicle that runs a facility for its members.

Under the cluster programmes the grant pays for most of the building and machines; the SPV, a
company of the cluster's firms, runs the facility afterwards and must pay its running costs from
the fees its users pay.  Here it keeps a reserve (its members' working capital, a few quarters of
fixed costs), pays any surplus above it to its members, and sets its fee towards the cost of what
it serves: its fixed cost spread over its normal volume (or more, when more is used), and any
deficit recovered over a year.  When fees do not cover the costs the reserve runs down; once the
SPV has lost money for ``spv_closure_quarters`` quarters with its reserve gone, its members stop
covering the losses and the facility closes.

The SPV has no place on the grid.  Its money is outside the cluster's accounts: its members'
working capital, the losses they cover and the surplus they receive are in the rest of the world
(so a deficit they cover is paid by no one in the cluster: the model does not levy it on the
cluster's firms).
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

    def settle(
        self, fees: float, fixed: float, unit_cost: float, units: float, capacity: float, fee: float
    ) -> float:
        """A quarter's accounts: fees in, running costs (``fixed``, and ``unit_cost`` for each
        of the ``units`` served) out, surplus above the reserve to the members; it closes after
        ``spv_closure_quarters`` quarters of losses with its reserve gone.

        Returns next quarter's fee, a share ``spv_fee_adjustment`` of the way to the fee that
        breaks even: the cost per unit, plus the fixed cost and a year's recovery of any
        deficit spread over the units served or, if fewer, its normal volume
        (``spv_normal_volume`` of the ``capacity`` it offers).  So a quarter with few users does
        not price the rest out, and one with none lowers the fee."""
        rules = self.rules
        result = fees - fixed - unit_cost * units
        self.reserve += result
        surplus = max(self.reserve - self.target, 0.0)
        self.reserve -= surplus
        self.paid_out += surplus
        if self.reserve >= 0.0:
            self.quarters_short = 0
        elif result < 0.0:  # losing money with the reserve gone (recovering quarters do not count)
            self.quarters_short += 1
        self.closed = self.quarters_short >= rules.spv_closure_quarters
        volume = max(units, rules.spv_normal_volume * capacity)
        if volume > 0.0:
            recovery = max(-self.reserve, 0.0) / 4.0
            fee += rules.spv_fee_adjustment * (unit_cost + (fixed + recovery) / volume - fee)
        return fee
