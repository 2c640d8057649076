"""Facility: what a CFC and a testing lab share — a place on the grid, who runs it, when it opens,
how much of its capacity stays available, its running cost, and the fees it collects."""

from __future__ import annotations

from mesa.discrete_space import FixedAgent

from ..timeunits import per_quarter

LAKH_PER_CRORE = 100.0


class Facility(FixedAgent):
    """A shared facility built by a scheme; ``governance`` is "spv" or "government"."""

    def __init__(
        self, model, cell, *, uptime: float, opens_step: int, governance: str, opex_cr: float
    ):
        super().__init__(model)
        self.cell = cell
        self.uptime = uptime  # share of nominal capacity kept available
        self.opens_step = opens_step  # approval step + construction lag
        self.governance = governance
        self.opex_cr = opex_cr  # running cost before fees, Rs crore a year
        self.fees_collected = 0.0  # this quarter, Rs lakh

    def is_open(self, step: int) -> bool:
        return step >= self.opens_step

    def run(self) -> None:
        """A quarter's running cost.  Fees are collected into the (consolidated) public
        accounts; an SPV keeps any surplus of fees over running costs for its members, who
        financed the non-grant share of the capex, so only a deficit is a public cost."""
        government = self.model.government
        opex = per_quarter(self.opex_cr * LAKH_PER_CRORE)
        government.spend("public_purchases", opex)
        if self.governance == "spv":
            government.spend("spv_surplus", max(self.fees_collected - opex, 0.0))
        self.fees_collected = 0.0
