"""CommonFacilityCentre: a shared tool room / machine shop built by a scheme.

It opens after a construction lag that depends on governance, offers a number
of machine-hours a quarter (less downtime), charges a fee, and lifts the TFP
of its users by an amount that falls with distance and with rationing.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent


class CommonFacilityCentre(FixedAgent):
    """A CFC at a grid cell.  All money in Rs lakh, time in steps (quarters)."""

    def __init__(self, model, cell, *, capacity_hours, uptime, hours_per_worker, fee_per_hour,
                 travel_cost, lift, reach, opens_step, governance):
        super().__init__(model)
        self.cell = cell
        self.capacity_hours = capacity_hours
        self.uptime = uptime
        self.hours_per_worker = hours_per_worker
        self.fee_per_hour = fee_per_hour
        self.travel_cost = travel_cost
        self.lift = lift
        self.reach = reach
        self.opens_step = opens_step
        self.governance = governance
        self.hours_used = 0.0
        self.fees_collected = 0.0

    def is_open(self, step: int) -> bool:
        return step >= self.opens_step

    @property
    def available_hours(self) -> float:
        return self.capacity_hours * self.uptime

    def lift_at(self, distance):
        """Full-service TFP lift at a distance: lift * exp(-d / reach); nil at zero capacity."""
        if self.available_hours <= 0.0:
            return np.zeros_like(distance, dtype=float)
        return self.lift * np.exp(-distance / self.reach)

    def served_share(self, hours_wanted) -> float:
        """Share of wanted hours served when demand exceeds capacity (pro rata rationing)."""
        total = float(np.sum(hours_wanted))
        if total <= 0.0:
            return 0.0 if self.available_hours <= 0.0 else 1.0
        return min(1.0, self.available_hours / total)

    @property
    def utilisation(self) -> float:
        return self.hours_used / self.available_hours if self.available_hours > 0 else 0.0
