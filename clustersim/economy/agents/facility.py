"""Facility: what a CFC and a testing lab share — a place on the grid, who runs it,
when it opens, how much of its capacity stays available, and the fees it collects."""

from __future__ import annotations

from mesa.discrete_space import FixedAgent


class Facility(FixedAgent):
    """A shared facility built by a scheme; ``governance`` is "spv" or "government"."""

    def __init__(self, model, cell, *, uptime: float, opens_step: int, governance: str):
        super().__init__(model)
        self.cell = cell
        self.uptime = uptime  # share of nominal capacity kept available
        self.opens_step = opens_step  # approval step + construction lag
        self.governance = governance
        self.fees_collected = 0.0  # this quarter, Rs lakh

    def is_open(self, step: int) -> bool:
        return step >= self.opens_step
