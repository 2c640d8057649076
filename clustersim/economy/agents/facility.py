"""Facility: what a CFC and a testing lab share — a place on the grid, who runs it, when it opens,
how much of its capacity stays available, its running cost, and the fees it collects."""

from __future__ import annotations

from mesa.discrete_space import FixedAgent

from ..timeunits import per_quarter

LAKH_PER_CRORE = 100.0


class Facility(FixedAgent):
    """A shared facility built by a scheme; ``governance`` is "spv" or "government"."""

    def __init__(
        self,
        model,
        cell,
        *,
        uptime: float,
        opens_step: int,
        governance: str,
        opex_cr: float,
        ramp_up: int = 0,
    ):
        super().__init__(model)
        self.cell = cell
        self.uptime = uptime  # share of nominal capacity kept available
        self.opens_step = opens_step  # approval step + construction lag + any delay
        self.ramp_up = ramp_up  # quarters from opening to full capacity
        self.governance = governance
        self.opex_cr = opex_cr  # running cost before fees, Rs crore a year
        self.fees_collected = 0.0  # this quarter, Rs lakh

    def is_open(self, step: int) -> bool:
        return step >= self.opens_step

    def service_share(self, step: int) -> float:
        """Share of nominal capacity on offer at ``step``: nothing before it opens, then a
        straight-line ramp-up over ``ramp_up`` quarters to its uptime."""
        if not self.is_open(step):
            return 0.0
        ramp = min(1.0, (step - self.opens_step + 1) / self.ramp_up) if self.ramp_up > 0 else 1.0
        return self.uptime * ramp

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
